/*-------------------------------------------------------------------------
 * operations.c
 *	  Support for batched rebuilds: letting a rebuild rewrite the current
 *	  flags of one registered table, one rebuild of a table at a time, and
 *	  progress keys stored in binary form.
 *
 * The flag triggers reject a write to the current column, so that no user
 * statement can break the rule of one current row per key.  A rebuild must
 * write exactly that column, from plain SQL.  _allow_flag_writes(tbl) lets
 * the flag triggers of tbl (and of its partitions) pass every row through
 * until _end_flag_writes(tbl), the end of the (sub)transaction that called
 * it, or the end of the transaction; with strategy 'table', the triggers of
 * its current table let direct writes through instead of appending
 * versions.  Its callers end it as soon as their own statements are done,
 * so that later writes of the same transaction are decided by the triggers.
 * Only the owner of tbl may call it: an
 * owner can already disable the triggers of their table, so this grants
 * nothing new, and it never affects another table.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "catalog/pg_class.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(current_view_allow_flag_writes);
PG_FUNCTION_INFO_V1(current_view_end_flag_writes);
PG_FUNCTION_INFO_V1(current_view_rebuild_try_lock);
PG_FUNCTION_INFO_V1(current_view_rebuild_unlock);
PG_FUNCTION_INFO_V1(current_view_key_bytes);
PG_FUNCTION_INFO_V1(current_view_key_value);

Oid			flag_writes_relid = InvalidOid;
/* The transaction nesting level that allowed them. */
static int	flag_writes_nest_level = 0;
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

/* A subtransaction that allowed them and aborts takes the permission along. */
static void
flag_writes_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && OidIsValid(flag_writes_relid) &&
		flag_writes_nest_level >= GetCurrentTransactionNestLevel())
		flag_writes_relid = InvalidOid;
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
	if (!owns_relation(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, relname);
	if (!callback_registered)
	{
		RegisterXactCallback(flag_writes_xact_callback, NULL);
		RegisterSubXactCallback(flag_writes_subxact_callback, NULL);
		callback_registered = true;
	}
	flag_writes_relid = relid;
	flag_writes_nest_level = GetCurrentTransactionNestLevel();
	PG_RETURN_VOID();
}

/* _end_flag_writes(tbl regclass) RETURNS void: the triggers of tbl decide again. */
Datum
current_view_end_flag_writes(PG_FUNCTION_ARGS)
{
	if (flag_writes_relid == PG_GETARG_OID(0))
		flag_writes_relid = InvalidOid;
	PG_RETURN_VOID();
}

/*
 * One rebuild of a table at a time.  A rebuild commits after every batch, so
 * no transaction-scoped lock can cover it: it holds a session-level lock
 * (advisory lock method, a tag of its own that pg_advisory_lock cannot
 * name) from its start until the end of the transaction that records its
 * last batch, or until any transaction or subtransaction it was taken in
 * aborts, so that a failed or cancelled rebuild never keeps it.
 */
#define REBUILD_LOCK_TAG_FIELD4 0x4356	/* user advisory locks use 1 and 2 */

typedef struct RebuildLock
{
	LOCKTAG		tag;
	int			nest_level;		/* of the (sub)transaction that took it */
	bool		release_at_end; /* rebuild finished: release at commit */
} RebuildLock;

#define MAX_REBUILD_LOCKS 8
static RebuildLock rebuild_locks[MAX_REBUILD_LOCKS];
static int	n_rebuild_locks = 0;
static bool rebuild_callbacks_registered = false;

static void
release_rebuild_lock(int i)
{
	LockRelease(&rebuild_locks[i].tag, ExclusiveLock, true);
	rebuild_locks[i] = rebuild_locks[--n_rebuild_locks];
}

static void
rebuild_lock_xact_callback(XactEvent event, void *arg)
{
	int			i = n_rebuild_locks;

	while (--i >= 0)
	{
		switch (event)
		{
			case XACT_EVENT_COMMIT:
			case XACT_EVENT_PREPARE:
				if (rebuild_locks[i].release_at_end)
					release_rebuild_lock(i);
				else
					rebuild_locks[i].nest_level = 1;
				break;
			case XACT_EVENT_ABORT:
				release_rebuild_lock(i);
				break;
			default:
				break;
		}
	}
}

static void
rebuild_lock_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							  SubTransactionId parentSubid, void *arg)
{
	int			i = n_rebuild_locks;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	while (--i >= 0)
		if (rebuild_locks[i].nest_level >= GetCurrentTransactionNestLevel())
			release_rebuild_lock(i);
}

static int
find_rebuild_lock(const LOCKTAG *tag)
{
	int			i;

	for (i = 0; i < n_rebuild_locks; i++)
		if (memcmp(&rebuild_locks[i].tag, tag, sizeof(LOCKTAG)) == 0)
			return i;
	return -1;
}

static void
set_rebuild_lock_tag(LOCKTAG *tag, FunctionCallInfo fcinfo)
{
	int32		kind = PG_GETARG_INT32(0);
	Oid			relid = PG_GETARG_OID(1);

	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) kind, relid,
						 REBUILD_LOCK_TAG_FIELD4);
}

/*
 * _rebuild_try_lock(kind integer, tbl regclass) RETURNS boolean: take the
 * rebuild lock of (kind, tbl) without waiting; false if another session
 * holds it.  Taking it again in the same session changes nothing.
 */
Datum
current_view_rebuild_try_lock(PG_FUNCTION_ARGS)
{
	LOCKTAG		tag;

	set_rebuild_lock_tag(&tag, fcinfo);
	if (find_rebuild_lock(&tag) >= 0)
		PG_RETURN_BOOL(true);
	if (n_rebuild_locks >= MAX_REBUILD_LOCKS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rebuilds running in one session")));
	if (!rebuild_callbacks_registered)
	{
		RegisterXactCallback(rebuild_lock_xact_callback, NULL);
		RegisterSubXactCallback(rebuild_lock_subxact_callback, NULL);
		rebuild_callbacks_registered = true;
	}
	if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
		PG_RETURN_BOOL(false);
	rebuild_locks[n_rebuild_locks].tag = tag;
	rebuild_locks[n_rebuild_locks].nest_level = GetCurrentTransactionNestLevel();
	rebuild_locks[n_rebuild_locks].release_at_end = false;
	n_rebuild_locks++;
	PG_RETURN_BOOL(true);
}

/*
 * _rebuild_unlock(kind integer, tbl regclass) RETURNS void: the rebuild is
 * done; its lock goes with the end of the transaction that says so.
 */
Datum
current_view_rebuild_unlock(PG_FUNCTION_ARGS)
{
	LOCKTAG		tag;
	int			i;

	set_rebuild_lock_tag(&tag, fcinfo);
	i = find_rebuild_lock(&tag);
	if (i >= 0)
		rebuild_locks[i].release_at_end = true;
	PG_RETURN_VOID();
}

/*
 * _key_bytes(value anyelement) RETURNS bytea: a key value in its type's
 * binary (send) form.  Rebuild progress stores keys so, not as text, whose
 * form and meaning depend on DateStyle, TimeZone, IntervalStyle,
 * extra_float_digits, lc_monetary and the like.
 */
Datum
current_view_key_bytes(PG_FUNCTION_ARGS)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Oid			sendfn;
	bool		isvarlena;

	if (!OidIsValid(typid))
		elog(ERROR, "could not determine the type of the key value");
	getTypeBinaryOutputInfo(typid, &sendfn, &isvarlena);
	PG_RETURN_BYTEA_P(OidSendFunctionCall(sendfn, PG_GETARG_DATUM(0)));
}

/*
 * _key_value(bytes bytea, type_of anyelement) RETURNS anyelement: the value
 * of type_of's type whose binary form is bytes (NULL for NULL).
 */
Datum
current_view_key_value(PG_FUNCTION_ARGS)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 1);
	bytea	   *bytes;
	StringInfoData buf;
	Oid			recvfn;
	Oid			ioparam;
	Datum		result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (!OidIsValid(typid))
		elog(ERROR, "could not determine the type of the key value");
	bytes = PG_GETARG_BYTEA_PP(0);
	getTypeBinaryInputInfo(typid, &recvfn, &ioparam);
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
	result = OidReceiveFunctionCall(recvfn, &buf, ioparam, -1);
	PG_RETURN_DATUM(result);
}

/*
 * Push relid on a stack of relations whose maintenance is running.  The list
 * outlives the statements; the caller pops it with list_delete_last.
 */
List *
relid_stack_push(List *stack, Oid relid)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

	stack = lappend_oid(stack, relid);
	MemoryContextSwitchTo(oldcxt);
	return stack;
}
