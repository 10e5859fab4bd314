/*-------------------------------------------------------------------------
 * current_indexes.c
 *	  The indexes of current rows that register_versioned_table creates.
 *
 * A current_indexes entry is an index definition such as
 * "(market_id, created_at DESC) WHERE status IN (1, 8)": what follows
 * "CREATE INDEX ON table" in a CREATE INDEX statement, without storage
 * parameters or a tablespace.  It is never spliced into SQL text: it is
 * parsed on its own behind "CREATE INDEX ON table", the statement must be
 * exactly one CREATE INDEX made of index elements, INCLUDE, USING and WHERE,
 * and the index is created from that parse tree, given its name, its table
 * and the predicate of current rows by us, through ProcessUtility as any
 * CREATE INDEX (ownership, immutability and column checks are PostgreSQL's).
 *
 * An index identical to an existing one (same method, columns, expressions,
 * operator classes and options, collations, orderings, uniqueness and
 * predicate) is not kept: the existing index is adopted instead.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(current_view_check_index_definition);
PG_FUNCTION_INFO_V1(current_view_create_index);

/* The entry being worked on, for error reports. */
typedef struct DefinitionContext
{
	const char *definition;
	const char *query;			/* "CREATE INDEX ON table <definition>" */
} DefinitionContext;

/*
 * Positions in errors point into our CREATE INDEX statement, not into the
 * statement of the client: report them against it, as SPI does.
 */
static void
definition_error_callback(void *arg)
{
	DefinitionContext *ctx = (DefinitionContext *) arg;
	int			position = geterrposition();

	if (position > 0)
	{
		errposition(0);
		internalerrposition(position);
		internalerrquery(ctx->query);
	}
	errcontext("current_indexes entry \"%s\"", ctx->definition);
}

/*
 * Parse definition as the index definition of a CREATE INDEX on relid and
 * return its statement: 42601 unless it is exactly one CREATE INDEX, 22023
 * if it has parts other than index elements, INCLUDE, USING and WHERE.
 */
static IndexStmt *
parse_definition(Oid relid, DefinitionContext *ctx)
{
	List	   *parsed = raw_parser(ctx->query, RAW_PARSE_DEFAULT);
	IndexStmt  *stmt;

	if (list_length(parsed) != 1 ||
		!IsA(linitial_node(RawStmt, parsed)->stmt, IndexStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a current_indexes entry must be one index definition"),
				 errhint("Write what follows CREATE INDEX ON table, such as \"(a, b DESC) WHERE c > 0\".")));
	stmt = (IndexStmt *) linitial_node(RawStmt, parsed)->stmt;
	if (stmt->options != NIL || stmt->tableSpace != NULL || stmt->nulls_not_distinct)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a current_indexes entry cannot set storage parameters, a tablespace or NULLS NOT DISTINCT"),
				 errhint("An entry has index elements, INCLUDE, USING and WHERE only.")));
	/* The table is ours to name, whatever the entry made of the wrapper. */
	stmt->relation = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
								  get_rel_name(relid), -1);
	return stmt;
}

/*
 * Callable by anyone: refuse other roles' tables before locking or reading
 * them, as _require_owner does.
 */
static void
begin_definition(Oid relid, text *definition, DefinitionContext *ctx,
				 ErrorContextCallback *callback)
{
	if (!owns_relation(relid, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s", qualified_relation_name(relid))));
	ctx->definition = text_to_cstring(definition);
	ctx->query = psprintf("CREATE INDEX ON %s %s", qualified_relation_name(relid),
						  ctx->definition);
	callback->callback = definition_error_callback;
	callback->arg = ctx;
	callback->previous = error_context_stack;
	error_context_stack = callback;
}

static void
require_immutable(Node *expr, const char *what)
{
	if (contain_mutable_functions((Node *) expression_planner((Expr *) expr)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("functions in index %s must be marked IMMUTABLE", what)));
}

static void
require_columns(Oid relid, List *elements)
{
	ListCell   *lc;

	foreach(lc, elements)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->name != NULL && get_attnum(relid, elem->name) == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("index column \"%s\" of table %s does not exist",
							elem->name, qualified_relation_name(relid))));
	}
}

/*
 * _check_index_definition(tbl regclass, definition text) RETURNS void:
 * raise the error that creating the index on tbl would raise for its
 * parts (unknown columns or access method, subqueries, functions that are
 * not immutable), before the registration does any work.
 */
Datum
current_view_check_index_definition(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	DefinitionContext ctx;
	ErrorContextCallback callback;
	IndexStmt  *stmt;
	ListCell   *lc;

	begin_definition(relid, PG_GETARG_TEXT_PP(1), &ctx, &callback);
	LockRelationOid(relid, AccessShareLock);
	stmt = parse_definition(relid, &ctx);
	(void) get_index_am_oid(stmt->accessMethod, false);
	require_columns(relid, stmt->indexParams);
	require_columns(relid, stmt->indexIncludingParams);
	stmt = transformIndexStmt(relid, stmt, ctx.query);
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->expr != NULL)
			require_immutable(elem->expr, "expression");
	}
	if (stmt->whereClause != NULL)
		require_immutable(stmt->whereClause, "predicate");
	error_context_stack = callback.previous;
	PG_RETURN_VOID();
}

/* Same members, whatever the order: the clauses of two index predicates. */
static bool
clauses_contained(List *a, List *b)
{
	ListCell   *lc;

	foreach(lc, a)
		if (!list_member(b, lfirst(lc)))
			return false;
	return true;
}

static oidvector *
index_classes(Relation index)
{
	bool		isnull;
	Datum		classes = SysCacheGetAttr(INDEXRELID, index->rd_indextuple,
										  Anum_pg_index_indclass, &isnull);

	Assert(!isnull);
	return (oidvector *) DatumGetPointer(classes);
}

/*
 * Would the valid index other serve every query that ours serves, and keep
 * the rows as ours does?  Storage parameters and tablespace may differ;
 * expressions and predicates are compared as the planner sees them
 * (constants folded, so that "current = true" is "current").
 */
static bool
indexes_identical(Relation ours, Relation other)
{
	Form_pg_index a = ours->rd_index;
	Form_pg_index b = other->rd_index;
	oidvector  *classes_a;
	oidvector  *classes_b;
	List	   *pred_a;
	List	   *pred_b;

	if (ours->rd_rel->relam != other->rd_rel->relam ||
		a->indnatts != b->indnatts || a->indnkeyatts != b->indnkeyatts ||
		a->indisunique != b->indisunique ||
		a->indnullsnotdistinct != b->indnullsnotdistinct ||
		b->indisexclusion || !b->indimmediate ||
		!b->indisvalid || !b->indisready || !b->indislive)
		return false;
	for (int i = 0; i < a->indnatts; i++)
		if (a->indkey.values[i] != b->indkey.values[i])
			return false;
	classes_a = index_classes(ours);
	classes_b = index_classes(other);
	for (int i = 0; i < a->indnkeyatts; i++)
	{
		Datum		options_a = get_attoptions(RelationGetRelid(ours), i + 1);
		Datum		options_b = get_attoptions(RelationGetRelid(other), i + 1);

		if (classes_a->values[i] != classes_b->values[i] ||
			ours->rd_indcollation[i] != other->rd_indcollation[i] ||
			ours->rd_indoption[i] != other->rd_indoption[i] ||
			(options_a == (Datum) 0) != (options_b == (Datum) 0) ||
			(options_a != (Datum) 0 && !datumIsEqual(options_a, options_b, false, -1)))
			return false;
	}
	if (!equal(RelationGetIndexExpressions(ours), RelationGetIndexExpressions(other)))
		return false;
	pred_a = RelationGetIndexPredicate(ours);
	pred_b = RelationGetIndexPredicate(other);
	return clauses_contained(pred_a, pred_b) && clauses_contained(pred_b, pred_a);
}

/* An index of relid other than indexoid and identical to it, or InvalidOid. */
static Oid
identical_index(Oid relid, Oid indexoid)
{
	Relation	rel = table_open(relid, NoLock);
	Relation	ours = index_open(indexoid, NoLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		Relation	other;

		if (lfirst_oid(lc) == indexoid)
			continue;
		other = index_open(lfirst_oid(lc), AccessShareLock);
		if (indexes_identical(ours, other))
			found = lfirst_oid(lc);
		index_close(other, AccessShareLock);
		if (OidIsValid(found))
			break;
	}
	list_free(indexes);
	index_close(ours, NoLock);
	table_close(rel, NoLock);
	return found;
}

/*
 * _create_index(tbl regclass, definition text, index_name name,
 *               is_unique boolean, flag_column name, flag_value boolean)
 * RETURNS name
 *
 * Create the index index_name on tbl from definition, unique if is_unique;
 * with a flag_column, its predicate is flag_column (or NOT flag_column when
 * flag_value is false) AND the definition's own.  Returns index_name, or the
 * name of an existing identical index of tbl, which is adopted instead (the
 * new one is dropped).
 */
Datum
current_view_create_index(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *index_name;
	DefinitionContext ctx;
	ErrorContextCallback callback;
	IndexStmt  *stmt;
	PlannedStmt *pstmt;
	Oid			indexoid;
	Oid			existing;
	char	   *result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		(!PG_ARGISNULL(4) && PG_ARGISNULL(5)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("only flag_column of _create_index may be null")));
	relid = PG_GETARG_OID(0);
	index_name = NameStr(*PG_GETARG_NAME(2));
	result = index_name;
	begin_definition(relid, PG_GETARG_TEXT_PP(1), &ctx, &callback);
	stmt = parse_definition(relid, &ctx);
	stmt->idxname = index_name;
	stmt->unique = PG_GETARG_BOOL(3);
	if (!PG_ARGISNULL(4))
	{
		ColumnRef  *flag = makeNode(ColumnRef);
		Node	   *required;
		List	   *clauses;

		flag->fields = list_make1(makeString(pstrdup(NameStr(*PG_GETARG_NAME(4)))));
		flag->location = -1;
		required = PG_GETARG_BOOL(5) ? (Node *) flag
			: (Node *) makeBoolExpr(NOT_EXPR, list_make1(flag), -1);
		clauses = list_make1(required);
		if (stmt->whereClause != NULL && IsA(stmt->whereClause, BoolExpr) &&
			((BoolExpr *) stmt->whereClause)->boolop == AND_EXPR)
			clauses = list_concat(clauses, ((BoolExpr *) stmt->whereClause)->args);
		else if (stmt->whereClause != NULL)
			clauses = lappend(clauses, stmt->whereClause);
		stmt->whereClause = list_length(clauses) == 1 ? required
			: (Node *) makeBoolExpr(AND_EXPR, clauses, -1);
	}

	pstmt = makeNode(PlannedStmt);
	pstmt->commandType = CMD_UTILITY;
	pstmt->canSetTag = false;
	pstmt->utilityStmt = (Node *) stmt;
	pstmt->stmt_location = 0;
	pstmt->stmt_len = 0;
	ProcessUtility(pstmt, ctx.query, false, PROCESS_UTILITY_QUERY, NULL, NULL,
				   None_Receiver, NULL);
	CommandCounterIncrement();

	indexoid = get_relname_relid(index_name, get_rel_namespace(relid));
	if (!OidIsValid(indexoid))
		elog(ERROR, "index \"%s\" was not created", index_name);
	existing = identical_index(relid, indexoid);
	if (OidIsValid(existing))
	{
		ObjectAddress index;

		ObjectAddressSet(index, RelationRelationId, indexoid);
		performDeletion(&index, DROP_RESTRICT, 0);
		CommandCounterIncrement();
		result = get_rel_name(existing);
	}
	error_context_stack = callback.previous;
	PG_RETURN_DATUM(DirectFunctionCall1(namein, CStringGetDatum(result)));
}
