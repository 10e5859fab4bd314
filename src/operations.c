/*-------------------------------------------------------------------------
 * operations.c
 *	  Support for batched rebuilds: letting a rebuild rewrite the current
 *	  flags of one registered table.
 *
 * The flag triggers reject a write to the current column, so that no user
 * statement can break the rule of one current row per key.  A rebuild must
 * write exactly that column, from plain SQL.  _allow_flag_writes(tbl) lets
 * the flag triggers of tbl (and of its partitions) pass every row through
 * until the end of the transaction; with strategy 'table', the triggers of
 * its current table let direct writes through instead of appending
 * versions.  Only the owner of tbl may call it: an
 * owner can already disable the triggers of their table, so this grants
 * nothing new, and it never affects another table.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(current_view_allow_flag_writes);

Oid			flag_writes_relid = InvalidOid;
static bool callback_registered = false;

/* The permission ends with the transaction, however it ends. */
static void
flag_writes_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			flag_writes_relid = InvalidOid;
			break;
		default:
			break;
	}
}

/* _allow_flag_writes(tbl regclass) RETURNS void */
Datum
current_view_allow_flag_writes(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, relname);
	if (!callback_registered)
	{
		RegisterXactCallback(flag_writes_xact_callback, NULL);
		callback_registered = true;
	}
	flag_writes_relid = relid;
	PG_RETURN_VOID();
}
