/*-------------------------------------------------------------------------
 * statements.c
 *	  Which statement a row trigger fires for.
 *
 * A row trigger sees its row, not the statement, but two decisions depend on
 * the statement: whether an insert belongs to INSERT ... ON CONFLICT
 * (versioned.c), and whether an UPDATE of a history table came through its
 * 'flag' view (current_table.c).  Executor hooks keep the statements whose
 * run, or finish (where AFTER triggers fire), is in progress, innermost last.
 *
 * The hooks exist once the library is loaded.  A statement that was already
 * running when the library was loaded is not in the list: callers that must
 * know about it look at the active portal instead.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#if PG_VERSION_NUM >= 160000
#include "parser/parse_relation.h"
#endif
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

typedef struct RunningStatement
{
	PlannedStmt *statement;
	uint64		serial;			/* tells apart statements at one address */
} RunningStatement;

static List *running_statements = NIL;	/* of RunningStatement, in TopMemoryContext */
static uint64 statements_started = 0;

static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

static void
push_statement(PlannedStmt *statement)
{
	MemoryContext oldcxt;
	RunningStatement *entry;

	settle_unknown_statements();
	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	entry = palloc(sizeof(RunningStatement));

	entry->statement = statement;
	entry->serial = ++statements_started;
	running_statements = lappend(running_statements, entry);
	MemoryContextSwitchTo(oldcxt);
}

static void
pop_statement(void)
{
	pfree(llast(running_statements));
	/* list_delete_last() does not free a list it empties. */
	if (list_length(running_statements) == 1)
	{
		list_free(running_statements);
		running_statements = NIL;
	}
	else
		running_statements = list_delete_last(running_statements);
}

static void
statements_executor_run(QueryDesc *queryDesc, ScanDirection direction,
						uint64 count, bool execute_once)
{
	push_statement(queryDesc->plannedstmt);
	PG_TRY();
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		pop_statement();
	}
	PG_END_TRY();
}

static void
statements_executor_finish(QueryDesc *queryDesc)
{
	push_statement(queryDesc->plannedstmt);
	PG_TRY();
	{
		if (prev_ExecutorFinish)
			prev_ExecutorFinish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
		/* Its AFTER triggers have fired: the rows it deferred are settled. */
		statement_path_end(queryDesc->plannedstmt, running_statement_depth());
	}
	PG_FINALLY();
	{
		pop_statement();
	}
	PG_END_TRY();
}

/*
 * COPY FROM fires row triggers without the executor: while it runs, it is
 * the running statement, so that its rows have a frame of their own.
 */
static void
statements_process_utility(PlannedStmt *pstmt, const char *queryString,
						   bool readOnlyTree, ProcessUtilityContext context,
						   ParamListInfo params, QueryEnvironment *queryEnv,
						   DestReceiver *dest, QueryCompletion *qc)
{
	bool		copy_from = IsA(pstmt->utilityStmt, CopyStmt) &&
		((CopyStmt *) pstmt->utilityStmt)->is_from;

	if (copy_from)
		push_statement(pstmt);
	else
		settle_unknown_statements();
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
									queryEnv, dest, qc);
		if (copy_from)
			statement_path_end(pstmt, running_statement_depth());
	}
	PG_FINALLY();
	{
		if (copy_from)
			pop_statement();
	}
	PG_END_TRY();
}

void
statements_init(void)
{
	prev_ExecutorRun = ExecutorRun_hook;
	ExecutorRun_hook = statements_executor_run;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = statements_executor_finish;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = statements_process_utility;
}

/* The innermost statement running, or NULL when none started since loading. */
PlannedStmt *
running_statement(void)
{
	return running_statements != NIL ?
		((RunningStatement *) llast(running_statements))->statement : NULL;
}

/* How many statements are running (or finishing), the innermost included. */
int
running_statement_depth(void)
{
	return list_length(running_statements);
}

/* A number that identifies the innermost run (or finish) in progress; 0: none. */
uint64
running_statement_serial(void)
{
	return running_statements != NIL ?
		((RunningStatement *) llast(running_statements))->serial : 0;
}

/*
 * Whether the statement writes to rte as the user wrote it (partitions the
 * planner added check no privileges): updates some of its columns (SELECT
 * ... FOR UPDATE asks for the UPDATE privilege too, without updating) or
 * deletes from it.
 */
static bool
writes_to(PlannedStmt *statement, RangeTblEntry *rte, bool count_deletes)
{
	AclMode		perms;
	Bitmapset  *updated;

#if PG_VERSION_NUM >= 160000
	RTEPermissionInfo *perminfo;

	if (rte->perminfoindex == 0)
		return false;
	perminfo = getRTEPermissionInfo(statement->permInfos, rte);
	perms = perminfo->requiredPerms;
	updated = perminfo->updatedCols;
#else
	perms = rte->requiredPerms;
	updated = rte->updatedCols;
#endif
	return ((perms & ACL_UPDATE) && !bms_is_empty(updated)) ||
		(count_deletes && (perms & ACL_DELETE));
}

/* Whether relid is rel or one of the partitioned tables above it. */
bool
relation_or_ancestor(Relation rel, Oid relid)
{
	return relid == RelationGetRelid(rel) ||
		(rel->rd_rel->relispartition &&
		 list_member_oid(get_partition_ancestors(RelationGetRelid(rel)), relid));
}

/* The views whose columns the statement firing a trigger updates. */
List *
statement_updated_views(void)
{
	PlannedStmt *statement = running_statement();
	List	   *views = NIL;
	ListCell   *lc;

	if (statement == NULL)
		return NIL;
	foreach(lc, statement->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW &&
			writes_to(statement, rte, false))
			views = list_append_unique_oid(views, rte->relid);
	}
	return views;
}

/*
 * The statement firing a trigger on rel (a table or one of its partitions)
 * updates view_relid, an automatically updatable view of the table, which
 * PostgreSQL rewrites into an UPDATE of the table.  A statement that also
 * writes to the table directly, in another WITH clause, cannot tell its row
 * events apart: reject it.
 */
void
check_view_update_alone(Oid view_relid, Relation rel, Oid table_relid)
{
	PlannedStmt *statement = running_statement();
	int			view_updates = 0;
	int			table_writes = 0;
	ListCell   *lc;

	foreach(lc, statement->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind != RTE_RELATION)
			continue;
		/* A DELETE through the view is its INSTEAD OF trigger's business. */
		if (rte->relid == view_relid && writes_to(statement, rte, false))
			view_updates++;
		else if (rte->relid != view_relid && writes_to(statement, rte, true) &&
				 (rte->relid == table_relid || relation_or_ancestor(rel, rte->relid)))
			table_writes++;
	}
	/* Each UPDATE through the view brings one UPDATE of the table. */
	if (table_writes > view_updates)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot write to \"%s\" and through its view \"%s\" in one statement",
						get_rel_name(table_relid), get_rel_name(view_relid)),
				 errdetail("An UPDATE through the view appends versions, and its row events cannot be told apart from those of the other write."),
				 errhint("Run the two writes as separate statements.")));
}
