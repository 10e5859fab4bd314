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

#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#if PG_VERSION_NUM >= 160000
#include "parser/parse_relation.h"
#endif
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

static List *running_statements = NIL;	/* in TopMemoryContext */

static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;

static void
push_statement(PlannedStmt *statement)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

	running_statements = lappend(running_statements, statement);
	MemoryContextSwitchTo(oldcxt);
}

static void
pop_statement(void)
{
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
	}
	PG_FINALLY();
	{
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
}

/* The innermost statement running, or NULL when none started since loading. */
PlannedStmt *
running_statement(void)
{
	return running_statements != NIL ? llast(running_statements) : NULL;
}

static AclMode
required_permissions(PlannedStmt *statement, RangeTblEntry *rte)
{
#if PG_VERSION_NUM >= 160000
	if (rte->perminfoindex == 0)
		return 0;
	return getRTEPermissionInfo(statement->permInfos, rte)->requiredPerms;
#else
	return rte->requiredPerms;
#endif
}

/* Whether the statement firing a trigger updates some view: a cheap first test. */
bool
statement_updates_a_view(void)
{
	PlannedStmt *statement = running_statement();
	ListCell   *lc;

	if (statement == NULL)
		return false;
	foreach(lc, statement->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW &&
			(required_permissions(statement, rte) & ACL_UPDATE))
			return true;
	}
	return false;
}

/*
 * Whether the statement firing a trigger on rel (a table or one of its
 * partitions) is an UPDATE through view_relid, an automatically updatable
 * view of the table.  PostgreSQL rewrites it into an UPDATE of the table but
 * keeps the view in the range table, with the UPDATE privilege to check.
 *
 * A statement updating both the view and, in another WITH clause, the table
 * itself cannot tell its row events apart: it is rejected.
 */
bool
statement_updates_view(Oid view_relid, Relation rel, Oid table_relid)
{
	PlannedStmt *statement = running_statement();
	int			view_updates = 0;
	int			table_writes = 0;
	ListCell   *lc;

	if (statement == NULL)
		return false;
	foreach(lc, statement->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		AclMode		perms;

		if (rte->rtekind != RTE_RELATION)
			continue;
		perms = required_permissions(statement, rte);
		if (rte->relid == view_relid && (perms & ACL_UPDATE))
			view_updates++;
		else if ((rte->relid == table_relid || rte->relid == RelationGetRelid(rel)) &&
				 (perms & (ACL_UPDATE | ACL_DELETE)))
			table_writes++;
	}
	if (view_updates == 0)
		return false;
	/* Each UPDATE through the view brings one UPDATE of the table. */
	if (table_writes > view_updates)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot write to \"%s\" and through its view \"%s\" in one statement",
						get_rel_name(table_relid), get_rel_name(view_relid)),
				 errdetail("An UPDATE through the view appends versions, and its row events cannot be told apart from those of the other write."),
				 errhint("Run the two writes as separate statements.")));
	return true;
}
