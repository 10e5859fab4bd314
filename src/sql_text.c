/*-------------------------------------------------------------------------
 * sql_text.c
 *	  SQL text for the triggers' prepared statements.
 *
 * Every statement a trigger prepares names its relations schema-qualified
 * and quoted, and its operators as OPERATOR(schema.op) taken from the type's
 * default btree operator class, so that neither the plan nor its re-planning
 * after an invalidation can be redirected through search_path.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/stratnum.h"
#include "catalog/pg_operator.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "fmgr.h"

char *
qualified_relation_name(Oid relid)
{
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  relname);
}

/*
 * Append OPERATOR(schema.op) for a strategy (BTLessStrategyNumber ..
 * BTGreaterStrategyNumber) of typid's default btree operator class.
 */
void
append_type_operator(StringInfo buf, Oid typid, int strategy)
{
	TypeCacheEntry *typentry = lookup_type_cache(typid, TYPECACHE_BTREE_OPFAMILY);
	Oid			opno = InvalidOid;

	if (OidIsValid(typentry->btree_opf))
		opno = get_opfamily_member(typentry->btree_opf, typentry->btree_opintype,
								   typentry->btree_opintype, (int16) strategy);
	if (!OidIsValid(opno))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify an ordering operator for type %s",
						format_type_be(typid)),
				 errhint("Key and version columns need a type with a default btree operator class.")));

	append_operator(buf, opno);
}

/* Append OPERATOR(schema.op) naming operator opno. */
void
append_operator(StringInfo buf, Oid opno)
{
	HeapTuple	tuple;
	Form_pg_operator oper;

	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	oper = (Form_pg_operator) GETSTRUCT(tuple);
	appendStringInfo(buf, "OPERATOR(%s.%s)",
					 quote_identifier(get_namespace_name(oper->oprnamespace)),
					 NameStr(oper->oprname));
	ReleaseSysCache(tuple);
}

/* Append "column OPERATOR(schema.=) $paramno". */
void
append_equality_qual(StringInfo buf, const char *column, Oid typid, int paramno)
{
	appendStringInfo(buf, "%s ", quote_identifier(column));
	append_type_operator(buf, typid, BTEqualStrategyNumber);
	appendStringInfo(buf, " $%d", paramno);
}

/* "k1 = $first AND k2 = $first+1 ..." */
void
append_key_quals(StringInfo buf, const NameData *names, const Oid *types, int n,
				 int first_param)
{
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, " AND ");
		append_equality_qual(buf, NameStr(names[i]), types[i], first_param + i);
	}
}

/*
 * Append "lhs.column" or, with no alias, the column alone; on the right-hand
 * side, the parameter $paramno instead.
 */
static void
append_operand(StringInfo buf, const char *alias, const NameData *name, int paramno)
{
	if (alias != NULL)
		appendStringInfo(buf, "%s.%s", alias, quote_identifier(NameStr(*name)));
	else if (paramno > 0)
		appendStringInfo(buf, "$%d", paramno);
	else
		appendStringInfoString(buf, quote_identifier(NameStr(*name)));
}

/* "lhs OPERATOR(schema.op) rhs" for one column */
static void
append_comparison(StringInfo buf, const char *lhs_alias, const NameData *name, Oid typid,
				  int strategy, const char *rhs_alias, int paramno)
{
	append_operand(buf, lhs_alias, name, 0);
	appendStringInfoChar(buf, ' ');
	append_type_operator(buf, typid, strategy);
	appendStringInfoChar(buf, ' ');
	append_operand(buf, rhs_alias, name, paramno);
}

static void
append_version_greater_from(StringInfo buf, const char *lhs_alias,
							const NameData *names, const Oid *types, int n,
							const char *rhs_alias, int first_param, int column)
{
	appendStringInfoChar(buf, '(');
	append_comparison(buf, lhs_alias, &names[column], types[column], BTGreaterStrategyNumber,
					  rhs_alias, first_param + column);
	if (column + 1 < n)
	{
		appendStringInfoString(buf, " OR (");
		append_comparison(buf, lhs_alias, &names[column], types[column], BTEqualStrategyNumber,
						  rhs_alias, first_param + column);
		appendStringInfoString(buf, " AND ");
		append_version_greater_from(buf, lhs_alias, names, types, n, rhs_alias,
									first_param, column + 1);
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoChar(buf, ')');
}

/*
 * (v1, v2, ...) > (w1, w2, ...) compared left to right, each column in the
 * btree order of its type.  The left-hand side is the columns, qualified by
 * lhs_alias when given; the right-hand side the same columns of rhs_alias or,
 * without it, the parameters $first_param, $first_param+1, ...
 */
void
append_version_greater(StringInfo buf, const char *lhs_alias,
					   const NameData *names, const Oid *types, int n,
					   const char *rhs_alias, int first_param)
{
	append_version_greater_from(buf, lhs_alias, names, types, n, rhs_alias,
								first_param, 0);
}

/* "prefix.c1suffix, prefix.c2suffix, ..." (no prefix when it is NULL) */
void
append_column_list(StringInfo buf, const char *prefix, const NameData *names, int n,
				   const char *suffix)
{
	for (int i = 0; i < n; i++)
		appendStringInfo(buf, "%s%s%s%s%s", i > 0 ? ", " : "",
						 prefix ? prefix : "", prefix ? "." : "",
						 quote_identifier(NameStr(names[i])), suffix);
}

SPIPlanPtr
prepare_kept_plan(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/* Run a prepared plan with no null arguments; return the number of rows. */
uint64
execute_plan(SPIPlanPtr plan, Datum *values, int expected_ret)
{
	int			ret = SPI_execute_plan(plan, values, NULL, false, 0);

	if (ret != expected_ret)
		elog(ERROR, "SPI_execute_plan returned %s, expected %s",
			 SPI_result_code_string(ret), SPI_result_code_string(expected_ret));
	return SPI_processed;
}

PG_FUNCTION_INFO_V1(current_view_require_btree_type);

/*
 * SQL-callable check that a key or version column type has what the triggers
 * need: a default btree operator class with equality, greater-than and a
 * comparison function.  Raises the same error the triggers would.
 */
Datum
current_view_require_btree_type(PG_FUNCTION_ARGS)
{
	Oid			typid = PG_GETARG_OID(0);
	StringInfoData buf;
	TypeCacheEntry *typentry;

	initStringInfo(&buf);
	append_type_operator(&buf, typid, BTEqualStrategyNumber);
	append_type_operator(&buf, typid, BTGreaterStrategyNumber);
	typentry = lookup_type_cache(typid, TYPECACHE_CMP_PROC);
	if (!OidIsValid(typentry->cmp_proc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify a comparison function for type %s",
						format_type_be(typid))));
	pfree(buf.data);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(current_view_btree_operator);

/*
 * _btree_operator(typ regtype, strategy integer) RETURNS text: OPERATOR(schema.op)
 * of a strategy (1 <, 2 <=, 3 =, 4 >=, 5 >) of the type's default btree
 * class, for SQL generated by the registration and rebuild functions, which
 * must not resolve operators through search_path (citext keys, for instance,
 * have theirs outside pg_catalog).
 */
Datum
current_view_btree_operator(PG_FUNCTION_ARGS)
{
	Oid			typid = PG_GETARG_OID(0);
	int32		strategy = PG_GETARG_INT32(1);
	StringInfoData buf;

	if (strategy < BTLessStrategyNumber || strategy > BTGreaterStrategyNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid btree strategy %d", strategy)));
	initStringInfo(&buf);
	append_type_operator(&buf, typid, strategy);
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
