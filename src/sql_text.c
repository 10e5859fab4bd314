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
 * Append OPERATOR(schema.op) for the equality (BTEqualStrategyNumber) or
 * greater-than (BTGreaterStrategyNumber) operator of typid's default btree
 * operator class.
 */
void
append_type_operator(StringInfo buf, Oid typid, int strategy)
{
	TypeCacheEntry *typentry;
	Oid			opno;

	typentry = lookup_type_cache(typid, TYPECACHE_EQ_OPR | TYPECACHE_GT_OPR);
	opno = (strategy == BTEqualStrategyNumber) ? typentry->eq_opr : typentry->gt_opr;
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
