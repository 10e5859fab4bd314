/*-------------------------------------------------------------------------
 * columns.c
 *	  The start of an ALTER TABLE that drops or retypes columns: registered
 *	  columns are refused, and the view of a registered table, which shows
 *	  every column and would make PostgreSQL refuse the command, is made
 *	  again without those columns before the command runs
 *	  (sql/56_ddl_columns.sql does the work; the end of the command makes
 *	  the rest follow).  Only an event trigger written in C sees which
 *	  columns a command drops or retypes.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(current_view_before_column_ddl);

/* ddl_command_start of ALTER TABLE */
Datum
current_view_before_column_ddl(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata = (EventTriggerData *) fcinfo->context;
	AlterTableStmt *stmt;
	Oid			relid;
	ArrayBuildState *dropped = initArrayResult(NAMEOID, CurrentMemoryContext, false);
	ArrayBuildState *retyped = initArrayResult(NAMEOID, CurrentMemoryContext, false);
	bool		any = false;
	ListCell   *lc;
	Datum		args[3];
	Oid			argtypes[3] = {REGCLASSOID, NAMEARRAYOID, NAMEARRAYOID};

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("current_view_before_column_ddl: not fired by event trigger manager")));
	if (!IsA(trigdata->parsetree, AlterTableStmt))
		PG_RETURN_VOID();
	stmt = (AlterTableStmt *) trigdata->parsetree;
	if (stmt->objtype != OBJECT_TABLE)
		PG_RETURN_VOID();
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype != AT_DropColumn && cmd->subtype != AT_AlterColumnType)
			continue;
		accumArrayResult(cmd->subtype == AT_DropColumn ? dropped : retyped,
						 DirectFunctionCall1(namein, CStringGetDatum(cmd->name)),
						 false, NAMEOID, CurrentMemoryContext);
		any = true;
	}
	if (!any)
		PG_RETURN_VOID();
	/* The command reports a missing table itself. */
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid))
		PG_RETURN_VOID();

	args[0] = ObjectIdGetDatum(relid);
	args[1] = makeArrayResult(dropped, CurrentMemoryContext);
	args[2] = makeArrayResult(retyped, CurrentMemoryContext);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT current_view_internal._before_column_ddl($1, $2, $3)",
							  3, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not prepare the view of \"%s\" for the command", get_rel_name(relid));
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	PG_RETURN_VOID();
}
