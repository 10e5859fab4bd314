/*-------------------------------------------------------------------------
 * search_tables.c
 *	  The search tables built from search documents, and their triggers.
 *
 * A search table holds one row per row
 * of each of its sources (that satisfies the source's filter), with the keys
 * of the source row and of its ancestors along a chain of foreign keys, and a
 * document concatenating theirs.  AFTER row triggers on every table of a
 * chain keep it in step.
 *
 * Locking protocol.  A statement that writes search rows locks, FOR SHARE,
 * the ancestor rows above the level whose change it propagates, and reads
 * their documents through that lock (so under READ COMMITTED it waits for a
 * concurrent writer of an ancestor and then sees its committed document).
 * A writer of an ancestor row holds a lock that conflicts with FOR SHARE, so
 * any two writers whose search rows overlap are serialised on the higher of
 * their two rows: the one that comes second either sees the other's search
 * rows (a cascade runs with a new snapshot) or recomputes from the other's
 * committed document.  All locks are taken from the source upwards.  Rows
 * above a waited-for lock are read with the snapshot taken before the wait,
 * which misses ancestors created or re-keyed by the writer waited for: see
 * run_role_plan().
 *
 * Statements are prepared once per table and search table and kept; they
 * are fully qualified (relations, types, functions, operators) so that
 * search_path cannot redirect them.  The filter of a source is re-analysed
 * (search_filter.c) and evaluated in C on the trigger's tuples.  The
 * triggers run as the owner of the search table, like foreign-key triggers.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/stratnum.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "rewrite/rewriteHandler.h"
#include "tsearch/ts_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/regproc.h"

PG_FUNCTION_INFO_V1(current_view_search_trigger);
PG_FUNCTION_INFO_V1(current_view_search_source_query);
PG_FUNCTION_INFO_V1(current_view_search_oracle_query);
PG_FUNCTION_INFO_V1(current_view_search_document_sql);
PG_FUNCTION_INFO_V1(current_view_search_recheck_trigger);
PG_FUNCTION_INFO_V1(current_view_search_refresh_recheck);

/* The deferred trigger of a search table: see current_view_search_recheck_trigger(). */
#define RECHECK_TRIGGER_NAME "current_view_search_recheck"

/* ------------------------------------------------------------------------
 * Search tables
 * ------------------------------------------------------------------------
 */

/* One table of the chain of a source: level 0 is the source itself. */
typedef struct ChainLevel
{
	char	   *schema;
	char	   *table;
	char	   *key;			/* its primary key column */
	char	   *parent;			/* foreign key to the next level, or NULL */
	char	   *document;		/* its document column */
	char	   *recomputed;		/* or SQL computing it from the columns */
	char	   *column;			/* the search table's column for its key */
	char		weight;			/* '\0': document as stored */
	Oid			relid;
	Oid			key_type;
} ChainLevel;

typedef struct SearchSource
{
	int			nlevels;
	ChainLevel *levels;
	char	   *filter;			/* deparsed boolean expression, or NULL */
} SearchSource;

typedef struct SearchTable
{
	char	   *schema;
	char	   *name;
	int			ncolumns;		/* the key columns of all sources */
	char	  **columns;
	int			nsources;
	SearchSource *sources;
} SearchTable;

typedef enum RolePlan
{
	PLAN_INSERT,				/* insert the search row of a source key */
	PLAN_UPDATE,				/* recompute the search row of a source key */
	PLAN_DELETE,				/* delete the search row of a source key */
	PLAN_CASCADE,				/* recompute the search rows below an ancestor */
	PLAN_ADOPT,					/* recompute the search rows reaching a new ancestor */
	PLAN_TRUNCATE,				/* delete all search rows of a source */
	PLAN_RECHECK,				/* whether a search row now finds a missing ancestor */
	NUM_ROLE_PLANS
} RolePlan;

/*
 * What one table does for one source: be it (level 0) or an ancestor.  The
 * recheck trigger of a search table has a role of level 0 for each source
 * with ancestors, whose key_attnum is the search table's column for the
 * source's key.
 */
typedef struct SearchRole
{
	SearchSource *source;
	int			level;
	AttrNumber	key_attnum;
	Bitmapset  *watched;		/* columns whose change needs maintenance */
	ExprState  *filter;			/* level 0 with a filter */
	bool		adopts;			/* a level > 0 whose children may come first */
	SPIPlanPtr	plans[NUM_ROLE_PLANS];
} SearchRole;

typedef struct SearchRelKey
{
	Oid			relid;
	Oid			tgoid;			/* one trigger per search table */
} SearchRelKey;

typedef struct SearchRel
{
	SearchRelKey key;
	bool		valid;
	MemoryContext cxt;
	Oid			search_relid;
	Oid			owner;			/* of the search table */
	char	   *search_name;	/* qualified and quoted */
	SearchTable *table;
	int			nroles;
	SearchRole *roles;
} SearchRel;

static HTAB *search_rels = NULL;

static void
invalidate_search_rels(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	SearchRel  *sr;

	hash_seq_init(&status, search_rels);
	while ((sr = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || sr->key.relid == relid || sr->search_relid == relid)
			sr->valid = false;
		/* A child's foreign keys (their deferrability) belong to the child. */
		for (int r = 0; r < sr->nroles && sr->valid; r++)
			if (sr->roles[r].level > 0 &&
				sr->roles[r].source->levels[sr->roles[r].level - 1].relid == relid)
				sr->valid = false;
	}
}

void
search_init(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(SearchRelKey);
	ctl.entrysize = sizeof(SearchRel);
	search_rels = hash_create("current_view search relations", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS);
	CacheRegisterRelcacheCallback(invalidate_search_rels, (Datum) 0);
}

static Oid
relation_owner(Oid relid)
{
	HeapTuple	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(classtup))->relowner;
	ReleaseSysCache(classtup);
	return owner;
}

/* ------------------------------------------------------------------------
 * Loading registrations
 * ------------------------------------------------------------------------
 */

/* The elements of a one-dimensional name[] or text[] as C strings (NULL for null). */
static char **
array_strings(Datum array, Oid elemtype, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **result;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(DatumGetArrayTypeP(array), elemtype, typlen, typbyval, typalign,
					  &elems, &nulls, n);
	result = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		result[i] = nulls[i] ? NULL
			: (elemtype == NAMEOID ? pstrdup(NameStr(*DatumGetName(elems[i])))
			   : TextDatumGetCString(elems[i]));
	return result;
}

/* Registry columns read by load_search_table(), in this order. */
enum
{
	REG_FILTER = 1,
	REG_WEIGHTS,
	REG_CHAIN_SCHEMAS,
	REG_CHAIN_TABLES,
	REG_KEY_COLUMNS,
	REG_PARENTS,
	REG_DOCUMENT_COLUMNS,
	REG_SEARCH_COLUMNS
};

/* A name[] or text[] column of a registry row; expected < 0: any length. */
static char **
registry_array(HeapTuple row, TupleDesc tupdesc, int column, Oid elemtype,
			   int expected, int *n)
{
	bool		isnull;
	Datum		value = SPI_getbinval(row, tupdesc, column, &isnull);
	char	  **strings;

	if (isnull)
		elog(ERROR, "malformed search source registration");
	strings = array_strings(value, elemtype, n);
	if (expected >= 0 && *n != expected)
		elog(ERROR, "malformed search source registration");
	return strings;
}

static Oid
relation_by_name(const char *schema, const char *table)
{
	Oid			relid = get_relname_relid(table, get_namespace_oid(schema, false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.%s\" does not exist", schema, table),
				 errhint("Tables of a search source cannot be renamed; drop the search table and add its sources again.")));
	return relid;
}

/*
 * The sources of a search table, read from the registry into the current
 * memory context (which must outlive SPI).  Needs SPI; reads with the
 * caller's snapshot, so a registration made in this transaction is seen.
 */
static SearchTable *
load_search_table(Oid ext_namespace, const char *schema, const char *name)
{
	MemoryContext cxt = CurrentMemoryContext;
	SearchTable *st = palloc0(sizeof(SearchTable));
	char	   *sql;
	SPIPlanPtr	plan;
	Oid			argtypes[2] = {NAMEOID, NAMEOID};
	Datum		values[2];
	uint64		nrows;
	SPITupleTable *rows;

	st->schema = pstrdup(schema);
	st->name = pstrdup(name);
	sql = psprintf("SELECT filter, weights, chain_schemas, chain_tables, key_columns, parents,"
				   " document_columns, search_columns FROM %s.search_source_registry"
				   " WHERE search_schema OPERATOR(pg_catalog.=) $1"
				   " AND search_table OPERATOR(pg_catalog.=) $2 ORDER BY position",
				   quote_identifier(get_namespace_name(ext_namespace)));
	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(name));
	plan = SPI_prepare(sql, 2, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\"", sql);
	nrows = execute_plan(plan, values, SPI_OK_SELECT);
	rows = SPI_tuptable;
	/* SPI calls return to SPI's memory context. */
	MemoryContextSwitchTo(cxt);
	st->nsources = nrows;
	st->sources = palloc0(sizeof(SearchSource) * Max(nrows, 1));
	for (uint64 r = 0; r < nrows; r++)
	{
		SearchSource *src = &st->sources[r];
		HeapTuple	row = rows->vals[r];
		TupleDesc	desc = rows->tupdesc;
		bool		isnull;
		Datum		filter = SPI_getbinval(row, desc, REG_FILTER, &isnull);
		char	  **schemas;
		char	  **tables;
		char	  **keys;
		char	  **parents;
		char	  **documents;
		char	  **columns;
		char	  **weights;
		int			n;
		int			m;

		src->filter = isnull ? NULL : TextDatumGetCString(filter);
		schemas = registry_array(row, desc, REG_CHAIN_SCHEMAS, NAMEOID, -1, &n);
		src->nlevels = n;
		tables = registry_array(row, desc, REG_CHAIN_TABLES, NAMEOID, n, &m);
		keys = registry_array(row, desc, REG_KEY_COLUMNS, NAMEOID, n, &m);
		parents = registry_array(row, desc, REG_PARENTS, NAMEOID, n - 1, &m);
		documents = registry_array(row, desc, REG_DOCUMENT_COLUMNS, NAMEOID, n, &m);
		columns = registry_array(row, desc, REG_SEARCH_COLUMNS, NAMEOID, n, &m);
		weights = registry_array(row, desc, REG_WEIGHTS, TEXTOID, n, &m);
		src->levels = palloc0(sizeof(ChainLevel) * n);
		for (int i = 0; i < n; i++)
		{
			ChainLevel *level = &src->levels[i];
			bool		known = false;

			level->schema = schemas[i];
			level->table = tables[i];
			level->key = keys[i];
			level->parent = i + 1 < n ? parents[i] : NULL;
			level->document = documents[i];
			level->column = columns[i];
			level->weight = weights[i] ? weights[i][0] : '\0';
			level->relid = relation_by_name(level->schema, level->table);
			level->key_type = get_atttype(level->relid,
										  registered_column(level->relid, level->key, "key"));
			for (int c = 0; c < st->ncolumns && !known; c++)
				known = strcmp(st->columns[c], level->column) == 0;
			if (!known)
			{
				st->columns = st->columns ? repalloc(st->columns, sizeof(char *) * (st->ncolumns + 1))
					: palloc(sizeof(char *));
				st->columns[st->ncolumns++] = level->column;
			}
		}
	}
	SPI_freeplan(plan);
	return st;
}

/* ------------------------------------------------------------------------
 * SQL of the maintenance statements
 * ------------------------------------------------------------------------
 */

static const char *
weight_text(char weight)
{
	switch (weight)
	{
		case 'A':
			return "'A'";
		case 'B':
			return "'B'";
		case 'C':
			return "'C'";
		default:
			return "'D'";
	}
}

/*
 * SELECT t0.k, t1.k, ..., tn.k, <document> FROM <level 0> t0
 *	 LEFT JOIN LATERAL (SELECT key, parent, document FROM ONLY T1
 *						WHERE key = t0.f [FOR SHARE]) t1 ON true ...
 *
 * level0_qual restricts the source rows ("" for none).  Levels above
 * lock_above are read FOR SHARE.  A level's document is its document column,
 * or its recomputed SQL if it has one.
 */
static void
append_chain_query(StringInfo buf, SearchSource *src, const char *level0_qual, int lock_above)
{
	appendStringInfoString(buf, "SELECT ");
	for (int i = 0; i < src->nlevels; i++)
		appendStringInfo(buf, "t%d.k, ", i);
	for (int i = 0; i < src->nlevels; i++)
	{
		ChainLevel *level = &src->levels[i];

		if (i > 0)
			appendStringInfoString(buf, " OPERATOR(pg_catalog.||) ");
		if (level->weight != '\0')
			appendStringInfo(buf, "pg_catalog.setweight(COALESCE(t%d.d, ''::pg_catalog.tsvector), %s::pg_catalog.\"char\")",
							 i, weight_text(level->weight));
		else
			appendStringInfo(buf, "COALESCE(t%d.d, ''::pg_catalog.tsvector)", i);
	}
	appendStringInfoString(buf, " FROM ");
	for (int i = 0; i < src->nlevels; i++)
	{
		ChainLevel *level = &src->levels[i];

		appendStringInfo(buf, "%s(SELECT %s AS k, %s AS d", i > 0 ? " LEFT JOIN LATERAL " : "",
						 quote_identifier(level->key),
						 level->recomputed ? level->recomputed : quote_identifier(level->document));
		if (level->parent != NULL)
			appendStringInfo(buf, ", %s AS f", quote_identifier(level->parent));
		appendStringInfo(buf, " FROM ONLY %s",
						 quote_qualified_identifier(level->schema, level->table));
		if (i == 0)
			appendStringInfoString(buf, level0_qual);
		else
		{
			appendStringInfo(buf, " WHERE %s ", quote_identifier(level->key));
			append_type_operator(buf, level->key_type, BTEqualStrategyNumber);
			appendStringInfo(buf, " t%d.f::%s", i - 1, format_type_be_qualified(level->key_type));
			if (i > lock_above)
				appendStringInfoString(buf, " FOR SHARE");
		}
		appendStringInfo(buf, ") t%d%s", i, i > 0 ? " ON true" : "");
	}
}

/*
 * " WHERE <the source row's chain reaches key $1 at level>", as nested
 * EXISTS down the foreign keys (which their indexes serve), for a chain
 * query whose level 0 is unaliased.
 */
static char *
reaching_qual(SearchSource *src, int level)
{
	StringInfoData buf;
	char	   *child = quote_qualified_identifier(src->levels[0].schema, src->levels[0].table);

	initStringInfo(&buf);
	appendStringInfoString(&buf, " WHERE ");
	for (int i = 1; i <= level; i++)
	{
		ChainLevel *lv = &src->levels[i];
		char	   *alias = psprintf("a%d", i);

		if (i < level)
			appendStringInfo(&buf, "EXISTS (SELECT FROM ONLY %s %s WHERE %s.%s ",
							 quote_qualified_identifier(lv->schema, lv->table), alias, alias,
							 quote_identifier(lv->key));
		else
			appendStringInfoString(&buf, "$1 ");
		append_type_operator(&buf, lv->key_type, BTEqualStrategyNumber);
		appendStringInfo(&buf, " %s.%s::%s%s", child, quote_identifier(src->levels[i - 1].parent),
						 format_type_be_qualified(lv->key_type), i < level ? " AND " : "");
		child = alias;
	}
	for (int i = 1; i < level; i++)
		appendStringInfoChar(&buf, ')');
	return buf.data;
}

/* " AND x.c IS NULL" for each search column outside the source's chain. */
static void
append_outside_chain(StringInfo buf, SearchTable *st, SearchSource *src)
{
	for (int c = 0; c < st->ncolumns; c++)
	{
		bool		in_chain = false;

		for (int i = 0; i < src->nlevels && !in_chain; i++)
			in_chain = strcmp(st->columns[c], src->levels[i].column) == 0;
		if (!in_chain)
			appendStringInfo(buf, " AND x.%s IS NULL", quote_identifier(st->columns[c]));
	}
}

/* "x.<column of level> = $1" */
static void
append_level_qual(StringInfo buf, SearchSource *src, int level)
{
	appendStringInfoString(buf, "x.");
	append_equality_qual(buf, src->levels[level].column, src->levels[level].key_type, 1);
}

/* Whether a statement writes the ancestor keys of search rows of a chain. */
static bool
writes_ancestors(SearchSource *src, RolePlan kind)
{
	return src->nlevels > 1 &&
		(kind == PLAN_INSERT || kind == PLAN_UPDATE || kind == PLAN_CASCADE || kind == PLAN_ADOPT);
}

/* Whether one of the nrows rows a statement returned says it lacks an ancestor. */
static bool
lacks_ancestor(uint64 nrows)
{
	for (uint64 i = 0; i < nrows; i++)
	{
		bool		isnull;

		if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull)))
			return true;
	}
	return false;
}

static SPIPlanPtr
role_plan(SearchRel *sr, SearchRole *role, RolePlan kind)
{
	SearchSource *src = role->source;
	StringInfoData sql;
	StringInfoData key_qual;
	Oid			argtype = src->levels[role->level].key_type;

	if (role->plans[kind] != NULL)
		return role->plans[kind];

	initStringInfo(&sql);
	initStringInfo(&key_qual);
	appendStringInfo(&key_qual, " WHERE ");
	append_equality_qual(&key_qual, src->levels[0].key, src->levels[0].key_type, 1);

	switch (kind)
	{
		case PLAN_INSERT:
			appendStringInfo(&sql, "INSERT INTO %s AS x (", sr->search_name);
			for (int i = 0; i < src->nlevels; i++)
				appendStringInfo(&sql, "%s, ", quote_identifier(src->levels[i].column));
			appendStringInfoString(&sql, "document) ");
			append_chain_query(&sql, src, key_qual.data, 0);
			break;
		case PLAN_UPDATE:
		case PLAN_CASCADE:
		case PLAN_ADOPT:
			appendStringInfo(&sql, "UPDATE %s x SET ", sr->search_name);
			for (int i = 1; i < src->nlevels; i++)
				appendStringInfo(&sql, "%s = q.k%d, ", quote_identifier(src->levels[i].column), i);
			appendStringInfoString(&sql, "document = q.document FROM (");

			/*
			 * Adopted children are found through the chain's foreign keys:
			 * their search rows do not name an ancestor that did not exist.
			 */
			append_chain_query(&sql, src,
							   kind == PLAN_UPDATE ? key_qual.data
							   : kind == PLAN_ADOPT ? reaching_qual(src, role->level) : "",
							   role->level);
			appendStringInfoString(&sql, ") q(");
			for (int i = 0; i < src->nlevels; i++)
				appendStringInfo(&sql, "k%d, ", i);
			appendStringInfoString(&sql, "document) WHERE ");
			if (kind != PLAN_ADOPT)
			{
				append_level_qual(&sql, src, role->level);
				appendStringInfoString(&sql, " AND ");
			}
			appendStringInfo(&sql, "x.%s ", quote_identifier(src->levels[0].column));
			append_type_operator(&sql, src->levels[0].key_type, BTEqualStrategyNumber);
			appendStringInfoString(&sql, " q.k0");
			append_outside_chain(&sql, sr->table, src);
			break;
		case PLAN_DELETE:
			appendStringInfo(&sql, "DELETE FROM %s x WHERE ", sr->search_name);
			append_level_qual(&sql, src, 0);
			append_outside_chain(&sql, sr->table, src);
			break;
		case PLAN_TRUNCATE:
			appendStringInfo(&sql, "DELETE FROM %s x WHERE x.%s IS NOT NULL", sr->search_name,
							 quote_identifier(src->levels[0].column));
			append_outside_chain(&sql, sr->table, src);
			break;
		case PLAN_RECHECK:

			/*
			 * Whether the search row of a source key lacks an ancestor that
			 * the chain reaches now; read without locks, as a cheap test
			 * before PLAN_UPDATE (a null foreign key stays null).
			 */
			appendStringInfo(&sql, "SELECT 1 FROM %s x, (", sr->search_name);
			append_chain_query(&sql, src, key_qual.data, src->nlevels);
			appendStringInfoString(&sql, ") q(");
			for (int i = 0; i < src->nlevels; i++)
				appendStringInfo(&sql, "k%d, ", i);
			appendStringInfo(&sql, "document) WHERE x.%s ", quote_identifier(src->levels[0].column));
			append_type_operator(&sql, src->levels[0].key_type, BTEqualStrategyNumber);
			appendStringInfoString(&sql, " q.k0");
			append_outside_chain(&sql, sr->table, src);
			appendStringInfoString(&sql, " AND (");
			for (int i = 1; i < src->nlevels; i++)
				appendStringInfo(&sql, "%sx.%s IS NULL AND q.k%d IS NOT NULL", i > 1 ? " OR " : "",
								 quote_identifier(src->levels[i].column), i);
			appendStringInfoString(&sql, ") LIMIT 1");
			break;
		case NUM_ROLE_PLANS:
			elog(ERROR, "invalid plan kind");
	}
	if (writes_ancestors(src, kind))
	{
		/* Whether the written row lacks an ancestor: see run_role_plan(). */
		appendStringInfoString(&sql, " RETURNING ");
		for (int i = 1; i < src->nlevels; i++)
			appendStringInfo(&sql, "%sx.%s IS NULL", i > 1 ? " OR " : "",
							 quote_identifier(src->levels[i].column));
	}
	role->plans[kind] = prepare_kept_plan(sql.data, kind == PLAN_TRUNCATE ? 0 : 1, &argtype);
	pfree(sql.data);
	pfree(key_qual.data);
	return role->plans[kind];
}

/*
 * Run a maintenance statement; return the number of search rows it wrote.
 *
 * Under READ COMMITTED a statement that waited for the lock of an ancestor
 * row reads that row's latest version, but the rows above it with its own
 * snapshot, taken before the wait: a make that the other transaction created,
 * or whose key it changed, is not there, and the search row would lack it.
 * So a statement that wrote a row lacking an ancestor is run once more, with
 * a new snapshot, which sees everything committed before its first run's lock
 * waits ended; the locks it holds from that run keep the ancestors it reached
 * from moving again.  An ancestor missing for good (a null or a deferred
 * foreign key) costs that second run only.
 */
static uint64
run_role_plan(SearchRel *sr, SearchRole *role, RolePlan kind, Datum key)
{
	static const int expected[NUM_ROLE_PLANS] = {
		SPI_OK_INSERT, SPI_OK_UPDATE, SPI_OK_DELETE, SPI_OK_UPDATE, SPI_OK_UPDATE, SPI_OK_DELETE,
		SPI_OK_SELECT
	};
	static const int expected_returning[NUM_ROLE_PLANS] = {
		SPI_OK_INSERT_RETURNING, SPI_OK_UPDATE_RETURNING, SPI_OK_DELETE,
		SPI_OK_UPDATE_RETURNING, SPI_OK_UPDATE_RETURNING, SPI_OK_DELETE, SPI_OK_SELECT
	};
	bool		returning = writes_ancestors(role->source, kind);
	uint64		nrows = execute_plan(role_plan(sr, role, kind), &key,
									 returning ? expected_returning[kind] : expected[kind]);

	if (returning && lacks_ancestor(nrows))
	{
		/* A new search row is there now: recompute it. */
		RolePlan	again = kind == PLAN_INSERT ? PLAN_UPDATE : kind;

		execute_plan(role_plan(sr, role, again), &key, expected_returning[again]);
	}
	return nrows;
}

/*
 * The document of a registered table computed from its columns, as the
 * document trigger computes it (see register_search_document()), over the
 * columns of the table named without an alias.  Needs SPI; the result is in
 * the caller's context.
 */
static char *
document_sql(Oid ext_namespace, const char *schema, const char *table)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *qualified = quote_qualified_identifier(schema, table);
	Oid			argtypes[2] = {NAMEOID, NAMEOID};
	Datum		values[2];
	SPIPlanPtr	plan;
	char	   *sql;
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Datum		weights_datum;
	char	  **columns;
	char	  **weights = NULL;
	char	   *config;
	int			ncolumns;
	int			n;
	StringInfoData buf;

	sql = psprintf("SELECT columns, weights, pg_catalog.format('%%I.%%I', config_schema, config_name)"
				   " FROM %s.search_document_registry WHERE table_schema OPERATOR(pg_catalog.=) $1"
				   " AND table_name OPERATOR(pg_catalog.=) $2",
				   quote_identifier(get_namespace_name(ext_namespace)));
	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(table));
	plan = SPI_prepare(sql, 2, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\"", sql);
	if (execute_plan(plan, values, SPI_OK_SELECT) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s has no search document", qualified)));
	MemoryContextSwitchTo(cxt);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	columns = registry_array(row, desc, 1, NAMEOID, -1, &ncolumns);
	weights_datum = SPI_getbinval(row, desc, 2, &isnull);
	if (!isnull)
		weights = array_strings(weights_datum, TEXTOID, &n);
	config = quote_literal_cstr(TextDatumGetCString(SPI_getbinval(row, desc, 3, &isnull)));
	SPI_freeplan(plan);

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < ncolumns; i++)
	{
		char	   *part = psprintf("pg_catalog.to_tsvector(%s::pg_catalog.regconfig,"
									" COALESCE(CAST(%s.%s AS pg_catalog.text), ''))",
									config, qualified, quote_identifier(columns[i]));

		if (i > 0)
			appendStringInfoString(&buf, " OPERATOR(pg_catalog.||) ");
		if (weights != NULL && weights[i] != NULL)
			appendStringInfo(&buf, "pg_catalog.setweight(%s, %s::pg_catalog.\"char\")",
							 part, weight_text(weights[i][0]));
		else
			appendStringInfoString(&buf, part);
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * The query computing all search rows of a source (its key columns in chain
 * order, then the document) from the stored documents of its chain, or with
 * every document recomputed from its columns.
 */
static Datum
source_query(FunctionCallInfo fcinfo, bool recompute)
{
	Name		schema = PG_GETARG_NAME(0);
	Name		name = PG_GETARG_NAME(1);
	Oid			source = PG_GETARG_OID(2);
	Oid			ext_namespace = get_func_namespace(fcinfo->flinfo->fn_oid);
	MemoryContext cxt = CurrentMemoryContext;
	SearchTable *st;
	StringInfoData sql;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(cxt);
	st = load_search_table(ext_namespace, NameStr(*schema), NameStr(*name));
	initStringInfo(&sql);
	for (int s = 0; s < st->nsources; s++)
	{
		SearchSource *src = &st->sources[s];

		if (src->levels[0].relid != source)
			continue;
		for (int i = 0; i < src->nlevels && recompute; i++)
			src->levels[i].recomputed = document_sql(ext_namespace, src->levels[i].schema,
													 src->levels[i].table);
		append_chain_query(&sql, src,
						   src->filter ? psprintf(" WHERE (%s)", revalidated_filter(source, src->filter)) : "",
						   src->nlevels);
	}
	SPI_finish();
	if (sql.len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table %s is not a source of search table %s",
						qualified_relation_name(source),
						quote_qualified_identifier(NameStr(*schema), NameStr(*name)))));
	PG_RETURN_TEXT_P(cstring_to_text(sql.data));
}

/*
 * _search_source_query(search_schema name, search_table name, source regclass)
 * RETURNS text: the query computing all search rows of a source from the
 * stored documents, for the initial fill and rebuilds.
 */
Datum
current_view_search_source_query(PG_FUNCTION_ARGS)
{
	return source_query(fcinfo, false);
}

/*
 * _search_oracle_query(search_schema name, search_table name, source regclass)
 * RETURNS text: the same query with every document recomputed from its
 * columns, for check_search_table.
 */
Datum
current_view_search_oracle_query(PG_FUNCTION_ARGS)
{
	return source_query(fcinfo, true);
}

/*
 * _search_document_sql(tbl regclass) RETURNS text: the document of a
 * registered table computed from its columns, over the table unaliased.
 */
Datum
current_view_search_document_sql(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	MemoryContext cxt = CurrentMemoryContext;
	char	   *schema = get_namespace_name(get_rel_namespace(relid));
	char	   *table = get_rel_name(relid);
	char	   *result;

	if (schema == NULL || table == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(cxt);
	result = document_sql(get_func_namespace(fcinfo->flinfo->fn_oid), schema, table);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(result));
}

/* ------------------------------------------------------------------------
 * The search trigger
 * ------------------------------------------------------------------------
 */

static void
watch(SearchRole *role, Oid relid, const char *column, const char *what)
{
	role->watched = bms_add_member(role->watched, registered_column(relid, column, what));
}

/*
 * Whether a deferrable foreign key on column attnum of table relid references
 * table refrelid: then a row may reference a key of refrelid before it is
 * inserted (or given that key), within a transaction.
 */
static bool
deferrable_reference(Oid relid, AttrNumber attnum, Oid refrelid)
{
	Relation	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		deferrable = false;

	ScanKeyInit(&skey, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &skey);
	while (!deferrable && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		bool		isnull;
		Datum		conkey;
		ArrayType  *keys;

		if (con->contype != CONSTRAINT_FOREIGN || con->confrelid != refrelid ||
			!con->condeferrable)
			continue;
		conkey = heap_getattr(tuple, Anum_pg_constraint_conkey, RelationGetDescr(conrel), &isnull);
		keys = DatumGetArrayTypeP(conkey);
		deferrable = !isnull && ARR_NDIM(keys) == 1 && ARR_DIMS(keys)[0] == 1 &&
			((int16 *) ARR_DATA_PTR(keys))[0] == attnum;
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return deferrable;
}

static void
init_role(SearchRel *sr, SearchRole *role, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	ChainLevel *level = &role->source->levels[role->level];

	/* SPI calls return to SPI's memory context: the role lives in sr->cxt. */
	MemoryContextSwitchTo(sr->cxt);
	role->key_attnum = registered_column(relid, level->key, "key");
	watch(role, relid, level->document, "document");
	if (level->parent != NULL)
		watch(role, relid, level->parent, "parent");
	if (role->level > 0)
	{
		ChainLevel *child = &role->source->levels[role->level - 1];

		role->adopts = deferrable_reference(child->relid,
											registered_column(child->relid, child->parent, "parent"),
											relid);
		return;
	}
	role->watched = bms_add_member(role->watched, role->key_attnum);
	if (role->source->filter != NULL)
	{
		Expr	   *expr = analyze_filter(relid, role->source->filter, sr->cxt);
		Bitmapset  *attnums = NULL;
		MemoryContext old = MemoryContextSwitchTo(sr->cxt);
		int			attno = -1;

		pull_varattnos((Node *) expr, 1, &attnums);
		while ((attno = bms_next_member(attnums, attno)) >= 0)
		{
			AttrNumber	attnum = attno + FirstLowInvalidHeapAttributeNumber;

			if (attnum > 0)
				role->watched = bms_add_member(role->watched, attnum);
			else if (attnum == InvalidAttrNumber)	/* a whole-row reference */
				for (int a = 1; a <= RelationGetNumberOfAttributes(rel); a++)
					role->watched = bms_add_member(role->watched, a);
		}
		role->filter = ExecInitExpr(expression_planner(expr), NULL);
		MemoryContextSwitchTo(old);
	}
}

/*
 * The roles of a table of the chains of a search table or, for the recheck
 * trigger of the search table itself, one role per source with ancestors.
 */
static void
build_search_rel(SearchRel *sr, Relation rel, Trigger *trigger, Oid ext_namespace, bool recheck)
{
	Oid			relid = RelationGetRelid(rel);
	MemoryContext old;
	SearchTable *st;
	int			nroles = 0;

	if (trigger->tgnargs != 2)
		elog(ERROR, "trigger \"%s\" has malformed arguments", trigger->tgname);
	sr->cxt = entry_context(sr->cxt);
	old = MemoryContextSwitchTo(sr->cxt);
	st = sr->table = load_search_table(ext_namespace, trigger->tgargs[0], trigger->tgargs[1]);
	MemoryContextSwitchTo(sr->cxt);
	sr->search_relid = relation_by_name(st->schema, st->name);
	sr->search_name = quote_qualified_identifier(st->schema, st->name);
	sr->owner = relation_owner(sr->search_relid);
	sr->roles = palloc0(sizeof(SearchRole) * Max(1, st->nsources));
	for (int s = 0; s < st->nsources; s++)
		for (int i = 0; i < st->sources[s].nlevels; i++)
			if (recheck ? i == 0 && st->sources[s].nlevels > 1 && relid == sr->search_relid
				: st->sources[s].levels[i].relid == relid)
			{
				sr->roles[nroles].source = &st->sources[s];
				sr->roles[nroles].level = i;
				if (recheck)
					sr->roles[nroles].key_attnum =
						registered_column(relid, st->sources[s].levels[0].column, "search");
				nroles++;
			}
	MemoryContextSwitchTo(old);
	for (int r = 0; r < nroles && !recheck; r++)
		init_role(sr, &sr->roles[r], rel);
	sr->nroles = nroles;
}

static SearchRel *
lookup_search_rel(Relation rel, Trigger *trigger, Oid trigger_function, bool recheck)
{
	SearchRelKey key = {RelationGetRelid(rel), trigger->tgoid};
	SearchRel  *sr;
	bool		found;

	sr = hash_search(search_rels, &key, HASH_ENTER, &found);
	if (found && sr->valid)
		return sr;
	if (found)
	{
		for (int r = 0; r < sr->nroles; r++)
			for (int k = 0; k < NUM_ROLE_PLANS; k++)
				if (sr->roles[r].plans[k] != NULL)
					SPI_freeplan(sr->roles[r].plans[k]);
	}
	else
		sr->cxt = NULL;
	sr->valid = false;
	sr->nroles = 0;
	sr->search_relid = InvalidOid;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	build_search_rel(sr, rel, trigger, get_func_namespace(trigger_function), recheck);
	SPI_finish();
	sr->valid = true;
	return sr;
}

static bool
passes_filter(SearchRole *role, TupleTableSlot *slot)
{
	ExprContext *econtext;
	bool		isnull;
	bool		result;

	if (role->filter == NULL)
		return true;
	econtext = CreateStandaloneExprContext();
	econtext->ecxt_scantuple = slot;
	result = DatumGetBool(ExecEvalExprSwitchContext(role->filter, econtext, &isnull));
	FreeExprContext(econtext, true);
	return result && !isnull;
}

static bool
watched_changed(SearchRole *role, TupleDesc tupdesc, HeapTuple oldtup, HeapTuple newtup)
{
	int			attnum = -1;

	while ((attnum = bms_next_member(role->watched, attnum)) >= 0)
		if (column_changed(tupdesc, attnum, oldtup, newtup))
			return true;
	return false;
}

static Datum
tuple_key(SearchRole *role, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		key = heap_getattr(tuple, role->key_attnum, RelationGetDescr(rel), &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in key column \"%s\" of search source \"%s\"",
						role->source->levels[role->level].key, RelationGetRelationName(rel))));
	return key;
}

/* The SPI work of one role for one row event; false if there is none. */
static bool
needs_work(SearchRole *role, TriggerData *trigdata)
{
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return watched_changed(role, RelationGetDescr(trigdata->tg_relation),
							   trigdata->tg_trigtuple, trigdata->tg_newtuple);
	return role->level == 0 || (role->adopts && TRIGGER_FIRED_BY_INSERT(trigdata->tg_event));
}

static void
maintain_role(SearchRel *sr, SearchRole *role, TriggerData *trigdata)
{
	TriggerEvent event = trigdata->tg_event;
	Relation	rel = trigdata->tg_relation;
	Datum		old_key;
	Datum		new_key;
	bool		old_in;
	bool		new_in;
	Form_pg_attribute keyatt;

	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		if (role->level > 0)
			run_role_plan(sr, role, PLAN_ADOPT, tuple_key(role, rel, trigdata->tg_trigtuple));
		else if (passes_filter(role, trigdata->tg_trigslot))
			run_role_plan(sr, role, PLAN_INSERT, tuple_key(role, rel, trigdata->tg_trigtuple));
		return;
	}
	old_key = tuple_key(role, rel, trigdata->tg_trigtuple);
	if (TRIGGER_FIRED_BY_DELETE(event))
	{
		run_role_plan(sr, role, PLAN_DELETE, old_key);
		return;
	}

	/* UPDATE of a watched column */
	new_key = tuple_key(role, rel, trigdata->tg_newtuple);
	keyatt = TupleDescAttr(RelationGetDescr(rel), role->key_attnum - 1);
	if (!datum_image_eq(old_key, new_key, keyatt->attbyval, keyatt->attlen))
	{
		/*
		 * An ancestor's new key reaches its children through their own
		 * triggers, and rows that referenced the new key first are adopted.
		 */
		if (role->level > 0)
		{
			if (role->adopts)
				run_role_plan(sr, role, PLAN_ADOPT, new_key);
			return;
		}
		run_role_plan(sr, role, PLAN_DELETE, old_key);
		if (passes_filter(role, trigdata->tg_newslot))
			run_role_plan(sr, role, PLAN_INSERT, new_key);
		return;
	}
	if (role->level > 0)
	{
		run_role_plan(sr, role, PLAN_CASCADE, old_key);
		return;
	}
	old_in = passes_filter(role, trigdata->tg_trigslot);
	new_in = passes_filter(role, trigdata->tg_newslot);
	if (!new_in)
	{
		if (old_in)
			run_role_plan(sr, role, PLAN_DELETE, old_key);
	}
	else if (!old_in || run_role_plan(sr, role, PLAN_UPDATE, old_key) == 0)
		run_role_plan(sr, role, PLAN_INSERT, old_key);
}

/* Connect to SPI and run as the search table's owner, like foreign-key triggers. */
static void
begin_as_owner(SearchRel *sr, Oid *save_userid, int *save_sec_context)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	GetUserIdAndSecContext(save_userid, save_sec_context);
	SetUserIdAndSecContext(sr->owner, *save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
}

static void
end_as_owner(Oid save_userid, int save_sec_context)
{
	SetUserIdAndSecContext(save_userid, save_sec_context);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * AFTER row trigger (INSERT, UPDATE, DELETE) and AFTER TRUNCATE statement
 * trigger of every table of the chains of a search table.
 */
Datum
current_view_search_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	SearchRel  *sr;
	bool		any = false;
	bool		work_local[8];
	bool	   *work;
	Oid			save_userid;
	int			save_sec_context;

	require_trigger_call(fcinfo, "current_view_search_trigger");
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		elog(ERROR, "current_view_search_trigger: must be fired AFTER");
	sr = lookup_search_rel(trigdata->tg_relation, trigdata->tg_trigger, fcinfo->flinfo->fn_oid,
						   false);

	/*
	 * Which roles have work, decided once: comparing the watched columns
	 * again after SPI_connect would cost as much as deciding.
	 */
	work = sr->nroles <= lengthof(work_local) ? work_local : palloc(sizeof(bool) * sr->nroles);
	for (int r = 0; r < sr->nroles; r++)
	{
		work[r] = TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event) ? sr->roles[r].level == 0
			: needs_work(&sr->roles[r], trigdata);
		any |= work[r];
	}
	if (!any)
		return PointerGetDatum(NULL);

	begin_as_owner(sr, &save_userid, &save_sec_context);
	for (int r = 0; r < sr->nroles; r++)
	{
		SearchRole *role = &sr->roles[r];

		if (!work[r])
			continue;
		if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
			execute_plan(role_plan(sr, role, PLAN_TRUNCATE), NULL, SPI_OK_DELETE);
		else
			maintain_role(sr, role, trigdata);
	}
	end_as_owner(save_userid, save_sec_context);
	return PointerGetDatum(NULL);
}

/*
 * The deferred constraint trigger of a search table (AFTER INSERT OR UPDATE,
 * DEFERRABLE INITIALLY DEFERRED), which recomputes at COMMIT a search row
 * that lacked an ancestor when a chain trigger wrote it.
 *
 * Under a deferred foreign key, a transaction may write a child whose parent
 * does not exist yet.  When another transaction then creates that parent
 * (or gives a row that key) and commits first, its trigger refreshes the
 * rows reaching the new key, but cannot see the uncommitted child: nothing
 * else would give the child's search row the parent's key and words.  The
 * trigger's WHEN clause (current_view_search_refresh_recheck()) queues an
 * event only for a row written by a trigger with a null ancestor column, so
 * a row whose ancestors are all there costs that test only.  The events fire
 * in queue order, after the foreign key checks queued by the writes that
 * made the row lack an ancestor; under READ COMMITTED each statement takes a
 * new snapshot, which sees the parent whose foreign key check has passed.
 * Under REPEATABLE READ and SERIALIZABLE that check uses the transaction's
 * snapshot and fails for a parent committed after it (23503), so the
 * recomputation cannot be needed there.
 */
Datum
current_view_search_recheck_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	SearchRel  *sr;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	Oid			save_userid;
	int			save_sec_context;

	require_trigger_call(fcinfo, "current_view_search_recheck_trigger");
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) || TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)))
		elog(ERROR, "current_view_search_recheck_trigger: must be fired AFTER INSERT OR UPDATE FOR EACH ROW");
	sr = lookup_search_rel(trigdata->tg_relation, trigdata->tg_trigger, fcinfo->flinfo->fn_oid,
						   true);
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple
		: trigdata->tg_trigtuple;
	tupdesc = RelationGetDescr(trigdata->tg_relation);

	begin_as_owner(sr, &save_userid, &save_sec_context);
	for (int r = 0; r < sr->nroles; r++)
	{
		SearchRole *role = &sr->roles[r];
		bool		isnull;
		Datum		key = heap_getattr(tuple, role->key_attnum, tupdesc, &isnull);

		/* The row's latest version is recomputed, not the event's. */
		if (!isnull &&
			execute_plan(role_plan(sr, role, PLAN_RECHECK), &key, SPI_OK_SELECT) > 0)
			run_role_plan(sr, role, PLAN_UPDATE, key);
	}
	end_as_owner(save_userid, save_sec_context);
	return PointerGetDatum(NULL);
}

/*
 * _search_refresh_recheck(search_schema name, search_table name) RETURNS
 * void: create (again) the recheck trigger of a search table according to
 * its sources, or drop it when no source has ancestors (or the table is
 * gone).  Its WHEN clause holds for a row of a source one of whose ancestor
 * columns is null, written by a trigger (pg_trigger_depth() > 0): the
 * initial fill and rebuilds compute every row with one snapshot, and queue
 * nothing.  The caller needs the rights to create triggers on the table.
 */
Datum
current_view_search_refresh_recheck(PG_FUNCTION_ARGS)
{
	char	   *schema = NameStr(*PG_GETARG_NAME(0));
	char	   *name = NameStr(*PG_GETARG_NAME(1));
	Oid			ext_namespace = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			namespace = get_namespace_oid(schema, true);
	Oid			relid = OidIsValid(namespace) ? get_relname_relid(name, namespace) : InvalidOid;
	char	   *qualified = quote_qualified_identifier(schema, name);
	MemoryContext cxt = CurrentMemoryContext;
	SearchTable *st;
	StringInfoData when;
	StringInfoData sql;

	if (!OidIsValid(relid))
		PG_RETURN_VOID();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(cxt);
	if (OidIsValid(get_trigger_oid(relid, RECHECK_TRIGGER_NAME, true)))
	{
		initStringInfo(&sql);
		appendStringInfo(&sql, "DROP TRIGGER %s ON %s", quote_identifier(RECHECK_TRIGGER_NAME), qualified);
		if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "SPI_execute failed for \"%s\"", sql.data);
		MemoryContextSwitchTo(cxt);
	}
	st = load_search_table(ext_namespace, schema, name);
	initStringInfo(&when);
	for (int s = 0; s < st->nsources; s++)
	{
		SearchSource *src = &st->sources[s];

		if (src->nlevels < 2)
			continue;
		appendStringInfo(&when, "%s(NEW.%s IS NOT NULL AND (", when.len > 0 ? " OR " : "",
						 quote_identifier(src->levels[0].column));
		for (int i = 1; i < src->nlevels; i++)
			appendStringInfo(&when, "%sNEW.%s IS NULL", i > 1 ? " OR " : "",
							 quote_identifier(src->levels[i].column));
		appendStringInfoString(&when, "))");
	}
	if (when.len > 0)
	{
		initStringInfo(&sql);
		appendStringInfo(&sql, "CREATE CONSTRAINT TRIGGER %s AFTER INSERT OR UPDATE ON %s"
						 " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
						 " WHEN ((%s) AND pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.>) 0)"
						 " EXECUTE FUNCTION %s.current_view_search_recheck_trigger(%s, %s)",
						 quote_identifier(RECHECK_TRIGGER_NAME), qualified, when.data,
						 quote_identifier(get_namespace_name(ext_namespace)),
						 quote_literal_cstr(schema), quote_literal_cstr(name));
		if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "SPI_execute failed for \"%s\"", sql.data);
	}
	SPI_finish();
	PG_RETURN_VOID();
}
