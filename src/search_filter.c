/*-------------------------------------------------------------------------
 * search_filter.c
 *	  The filter of a search source: a boolean expression over the source's
 *	  columns, analysed under a fixed search_path and refused unless it is
 *	  one immutable expression over that table alone.  Registration stores
 *	  it deparsed; the triggers analyse it again and evaluate it in C, and
 *	  SQL built from it uses its deparsed form, never the stored text.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/ruleutils.h"

PG_FUNCTION_INFO_V1(current_view_search_filter);

static void
bad_filter(Oid relid, const char *filter, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid filter for table %s: %s",
					qualified_relation_name(relid), filter),
			 errdetail("%s", detail),
			 errhint("A filter is a boolean expression over the columns of the source table, using immutable functions only.")));
}

/*
 * Analyse a filter as the expression of "SELECT (filter) FROM ONLY tbl" under
 * search_path pg_catalog, pg_temp, and refuse anything but one immutable
 * boolean expression over that table alone.  Returns the expression, copied
 * into cxt.  Needs SPI.
 */
Expr *
analyze_filter(Oid relid, const char *filter, MemoryContext cxt)
{
	char	   *sql = psprintf("SELECT (%s) FROM ONLY %s", filter, qualified_relation_name(relid));
	int			nestlevel = NewGUCNestLevel();
	SPIPlanPtr	plan;
	List	   *sources;
	CachedPlanSource *source;
	Query	   *query;
	TargetEntry *tle;

	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	plan = SPI_prepare(sql, 0, NULL);
	AtEOXact_GUC(true, nestlevel);
	if (plan == NULL)
		bad_filter(relid, filter, SPI_result_code_string(SPI_result));
	sources = SPI_plan_get_plan_sources(plan);
	if (list_length(sources) != 1)
		bad_filter(relid, filter, "It must be a single expression.");
	source = linitial(sources);
	if (list_length(source->query_list) != 1)
		bad_filter(relid, filter, "It must be a single expression.");
	query = linitial_node(Query, source->query_list);
	if (query->commandType != CMD_SELECT || query->utilityStmt != NULL ||
		list_length(query->rtable) != 1 ||
		linitial_node(RangeTblEntry, query->rtable)->relid != relid ||
		list_length(query->jointree->fromlist) != 1 || query->jointree->quals != NULL ||
		list_length(query->targetList) != 1 || query->hasSubLinks || query->hasAggs ||
		query->hasWindowFuncs || query->hasTargetSRFs || query->cteList != NIL ||
		query->groupClause != NIL || query->havingQual != NULL ||
		query->sortClause != NIL || query->distinctClause != NIL ||
		query->limitCount != NULL || query->limitOffset != NULL ||
		query->setOperations != NULL || query->rowMarks != NIL)
		bad_filter(relid, filter, "It must be an expression over the columns of the table alone, without subqueries or aggregates.");
	tle = linitial_node(TargetEntry, query->targetList);
	if (exprType((Node *) tle->expr) != BOOLOID)
		bad_filter(relid, filter, psprintf("Its type is %s, not boolean.",
										   format_type_be(exprType((Node *) tle->expr))));
	if (contain_mutable_functions((Node *) tle->expr))
		bad_filter(relid, filter, "It uses functions that are not immutable, whose result could change without the row changing.");
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		Expr	   *expr = copyObject(tle->expr);

		MemoryContextSwitchTo(old);
		SPI_freeplan(plan);
		return expr;
	}
}

/*
 * A filter validated and deparsed, with every object outside pg_catalog
 * qualified: what SQL text may contain, never the text as given or as read
 * from the registry.  Needs SPI; the result is in the caller's context.
 */
char *
revalidated_filter(Oid relid, const char *filter)
{
	MemoryContext cxt = CurrentMemoryContext;
	Expr	   *expr = analyze_filter(relid, filter, cxt);

	MemoryContextSwitchTo(cxt);
	return deparse_expression((Node *) expr,
							  deparse_context_for(get_rel_name(relid), relid),
							  false, false);
}

/*
 * _search_filter(tbl regclass, filter text) RETURNS text: validate a filter
 * and return it deparsed.
 */
Datum
current_view_search_filter(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *filter = text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext cxt = CurrentMemoryContext;
	char	   *result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(cxt);
	result = revalidated_filter(relid, filter);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(result));
}
