/*-------------------------------------------------------------------------
 * ddl.c
 *	  The ddl_command_start event trigger of table-level DDL (sql/55_ddl_tables.sql).
 *
 * Only the parse tree says what a command is about to do (rename, move to
 * another schema, add an inheritance parent, change persistence or owner,
 * drop this extension) and to which relation: this function reads it and hands the
 * relations, by OID, to the SQL functions that decide, which run with the
 * rights of the role running the command.  Commands about other things
 * return at once, without SPI.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(current_view_table_ddl_start);

/* Run one fixed SELECT of a function of the extension. */
static void
call_sql(const char *sql, int nargs, Oid *argtypes, Datum *values, const char *nulls)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, nargs, argtypes, values, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed");
	SPI_finish();
}

/* current_view_internal._check_table_ddl(action, rel, other) */
static void
check_table_ddl(const char *action, Oid relid, Oid other)
{
	Oid			argtypes[3] = {TEXTOID, REGCLASSOID, REGCLASSOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', OidIsValid(other) ? ' ' : 'n'};

	if (!OidIsValid(relid))
		return;

	/*
	 * Wait for the lock the command is about to take before reading the
	 * registry: a registration committing meanwhile (it holds SHARE ROW
	 * EXCLUSIVE) is then seen, and followed.  CREATE TABLE ... INHERITS takes
	 * SHARE UPDATE EXCLUSIVE on its parent, every other action ACCESS
	 * EXCLUSIVE on the relation altered.
	 */
	LockRelationOid(relid, strcmp(action, "inherits") == 0 ? ShareUpdateExclusiveLock
					: AccessExclusiveLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return;					/* dropped meanwhile: the command reports it */
	values[0] = CStringGetTextDatum(action);
	values[1] = ObjectIdGetDatum(relid);
	values[2] = ObjectIdGetDatum(other);
	call_sql("SELECT current_view_internal._check_table_ddl($1, $2, $3)", 3, argtypes, values, nulls);
}

/* The relation a statement names, or InvalidOid (the command reports it). */
static Oid
named_relation(RangeVar *rv)
{
	return rv != NULL ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
}

static bool
is_relation_object(ObjectType type)
{
	return type == OBJECT_TABLE || type == OBJECT_VIEW || type == OBJECT_MATVIEW ||
		type == OBJECT_FOREIGN_TABLE || type == OBJECT_INDEX || type == OBJECT_SEQUENCE;
}

static void
drop_extension(DropStmt *stmt)
{
	ListCell   *lc;
	Oid			argtypes[1] = {BOOLOID};
	Datum		values[1];

	foreach(lc, stmt->objects)
	{
		if (strcmp(strVal(lfirst(lc)), "current_view") != 0)
			continue;
		values[0] = BoolGetDatum(stmt->behavior == DROP_CASCADE);
		call_sql("SELECT current_view_internal._drop_registrations($1)", 1, argtypes, values, NULL);
	}
}

Datum
current_view_table_ddl_start(PG_FUNCTION_ARGS)
{
	Node	   *parsetree;
	ListCell   *lc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "current_view_table_ddl_start: not fired by event trigger manager");
	parsetree = ((EventTriggerData *) fcinfo->context)->parsetree;

	switch (nodeTag(parsetree))
	{
		case T_RenameStmt:
			{
				RenameStmt *stmt = (RenameStmt *) parsetree;

				if (is_relation_object(stmt->renameType))
					check_table_ddl("rename", named_relation(stmt->relation), InvalidOid);
				else if (stmt->renameType == OBJECT_SCHEMA)
				{
					Oid			argtypes[1] = {NAMEOID};
					Datum		values[1];

					values[0] = DirectFunctionCall1(namein, CStringGetDatum(stmt->subname));
					call_sql("SELECT current_view_internal._check_schema_rename($1)", 1, argtypes, values,
							 NULL);
				}
				break;
			}
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *stmt = (AlterObjectSchemaStmt *) parsetree;

				if (is_relation_object(stmt->objectType))
					check_table_ddl("set schema", named_relation(stmt->relation), InvalidOid);
				break;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
				Oid			relid = InvalidOid;

				foreach(lc, stmt->cmds)
				{
					AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
					const char *action = NULL;
					Oid			other = InvalidOid;

					if (cmd->subtype == AT_AddInherit)
					{
						action = "inherit";
						other = named_relation((RangeVar *) cmd->def);
					}
					else if (cmd->subtype == AT_SetLogged)
						action = "set logged";
					else if (cmd->subtype == AT_SetUnLogged)
						action = "set unlogged";
					else if (cmd->subtype == AT_ChangeOwner)
						action = "owner";
					if (action == NULL)
						continue;
					if (!OidIsValid(relid))
						relid = named_relation(stmt->relation);
					check_table_ddl(action, relid, other);
				}
				break;
			}
		case T_CreateStmt:
			{
				CreateStmt *stmt = (CreateStmt *) parsetree;

				/* Inheritance parents; a partition's parent is in inhRelations too. */
				if (stmt->partbound == NULL)
					foreach(lc, stmt->inhRelations)
						check_table_ddl("inherits", named_relation(lfirst_node(RangeVar, lc)),
										InvalidOid);
				break;
			}
		case T_DropStmt:
			if (((DropStmt *) parsetree)->removeType == OBJECT_EXTENSION)
				drop_extension((DropStmt *) parsetree);
			break;
		default:
			break;
	}
	PG_RETURN_NULL();
}
