/*-------------------------------------------------------------------------
 * rowaccess.c
 *	  Finding, locking and changing one row of a key through an index,
 *	  without the planner or SPI.
 *
 * This is what the maintenance of a single row needs on its hot path, done
 * the way execReplication.c applies replicated changes: an index scan with a
 * dirty snapshot finds the row whatever the statement's snapshot (waiting
 * for a writer still in progress), and an update writes the new version with
 * the index entries the executor would write; the update is the row lock.
 * A row that is only to be kept is locked with table_tuple_lock().  No
 * trigger fires for these writes: they are the triggers' own bookkeeping,
 * made only on tables that have no UPDATE trigger but current_view's (see
 * rows_writable_directly).
 *
 * Under READ COMMITTED a row that changed after it was read is looked up
 * again (or, when locked, followed to its newest version), which the caller
 * checks again, as EvalPlanQual does for an UPDATE.  Under REPEATABLE READ
 * and SERIALIZABLE such a row is a serialisation failure, as for an UPDATE.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/* Whether funcoid is one of current_view's trigger functions (by C symbol). */
static bool
is_own_trigger_function(Oid funcoid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	bool		own = false;

	if (HeapTupleIsValid(tuple))
	{
		bool		isnull;
		Datum		probin = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_probin, &isnull);

		if (!isnull && ((Form_pg_proc) GETSTRUCT(tuple))->prolang == ClanguageId)
		{
			char	   *bin = TextDatumGetCString(probin);
			char	   *src = TextDatumGetCString(SysCacheGetAttr(PROCOID, tuple,
																	Anum_pg_proc_prosrc, &isnull));

			own = strstr(bin, "current_view") != NULL &&
				(strcmp(src, "current_view_flag_trigger") == 0 ||
				 strcmp(src, "current_view_write_trigger") == 0 ||
				 strcmp(src, "current_view_append_only_trigger") == 0);
		}
		ReleaseSysCache(tuple);
	}
	return own;
}

/* Fill ki for a scan of btree index on its first nkeys columns, by equality. */
static void
describe_key_index(Relation index, int nkeys, KeyIndex *ki)
{
	ki->indexoid = RelationGetRelid(index);
	ki->unique = index->rd_index->indisunique && index->rd_index->indnkeyatts == nkeys;
	ki->nkeys = nkeys;
	for (int i = 0; i < nkeys; i++)
	{
		Oid			opfamily = index->rd_opfamily[i];
		Oid			opcintype = index->rd_opcintype[i];
		Oid			operator = get_opfamily_member(opfamily, opcintype, opcintype,
												   BTEqualStrategyNumber);

		if (!OidIsValid(operator))
			elog(ERROR, "missing equality operator for index \"%s\"",
				 RelationGetRelationName(index));
		ki->eq_procs[i] = get_opcode(operator);
		ki->collations[i] = index->rd_indcollation[i];
	}
}

/*
 * Whether rows of rel may be changed directly: nothing PostgreSQL would run
 * for an UPDATE is skipped.  CHECK constraints and stored generated columns
 * would need expression evaluation, deferred unique or exclusion constraints
 * AFTER triggers of their own, and UPDATE triggers other than ours, row
 * (audit triggers, pg_repack's change log, which replays the flag changes
 * into its copy) or statement level, must see the flag changes: such tables
 * keep the SPI path.
 */
bool
rows_writable_directly(Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	List	   *indexes;
	ListCell   *lc;
	bool		writable = true;

#if PG_VERSION_NUM < 140000
	/* update_row_columns() needs the executor interfaces of PostgreSQL 14. */
	return false;
#endif
	if (constr != NULL && (constr->num_check > 0 || constr->has_generated_stored))
		return false;
	if (rel->trigdesc != NULL)
	{
		for (int i = 0; i < rel->trigdesc->numtriggers; i++)
		{
			Trigger    *trigger = &rel->trigdesc->triggers[i];

			if (TRIGGER_FOR_UPDATE(trigger->tgtype) &&
				trigger->tgenabled != TRIGGER_DISABLED &&
				!is_own_trigger_function(trigger->tgfoid))
				return false;
		}
	}
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index index;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for index %u", lfirst_oid(lc));
		index = (Form_pg_index) GETSTRUCT(tuple);
		if (!index->indimmediate || index->indisexclusion)
			writable = false;
		ReleaseSysCache(tuple);
	}
	list_free(indexes);
	return writable;
}

/*
 * The valid btree index of rel on exactly the columns attnums (in that
 * order), without expressions, whose predicate is the boolean column
 * predicate_attnum, or that is unique and has no predicate when
 * predicate_attnum is InvalidAttrNumber: the index holding one live entry
 * per key, that of its current row.  (A partition's index on (key) WHERE
 * flag cannot be unique, since the key does not hold the partition key; the
 * flag protocol keeps one current row per key all the same.)  Fills *ki;
 * false if rel has no such index.
 */
bool
find_key_index(Relation rel, int nkeys, const AttrNumber *attnums,
			   AttrNumber predicate_attnum, KeyIndex *ki)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		found = false;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;
		bool		matches;

		matches = (form->indisunique || predicate_attnum != InvalidAttrNumber) &&
			form->indisvalid && form->indisready &&
			index->rd_rel->relam == BTREE_AM_OID &&
			form->indnkeyatts == nkeys && form->indnatts == nkeys &&
			RelationGetIndexExpressions(index) == NIL;
		for (int i = 0; matches && i < nkeys; i++)
			matches = form->indkey.values[i] == attnums[i];
		if (matches)
		{
			List	   *predicate = RelationGetIndexPredicate(index);

			if (predicate_attnum == InvalidAttrNumber)
				matches = predicate == NIL;
			else
			{
				Var		   *flag = list_length(predicate) == 1 ? linitial(predicate) : NULL;

				matches = flag != NULL && IsA(flag, Var) && flag->varattno == predicate_attnum;
			}
		}
		if (matches)
		{
			describe_key_index(index, nkeys, ki);
			found = true;
		}
		index_close(index, AccessShareLock);
		if (found)
			break;
	}
	list_free(indexes);
	return found;
}

/*
 * A btree index of all rows of rel (no predicate, no expressions) whose
 * leading columns are attnums[0 .. k-1] for the greatest k >= min_columns,
 * described for a scan on those k columns.
 */
bool
find_prefix_index(Relation rel, int ncolumns, const AttrNumber *attnums, int min_columns,
				  KeyIndex *ki)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	int			best = 0;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;
		int			k = 0;

		if (form->indisvalid && form->indisready && index->rd_rel->relam == BTREE_AM_OID &&
			RelationGetIndexExpressions(index) == NIL && RelationGetIndexPredicate(index) == NIL)
		{
			while (k < ncolumns && k < form->indnkeyatts && form->indkey.values[k] == attnums[k])
				k++;
		}
		if (k >= min_columns && k > best)
		{
			describe_key_index(index, k, ki);
			best = k;
		}
		index_close(index, AccessShareLock);
	}
	list_free(indexes);
	return best > 0;
}

static void
pg_attribute_noreturn()
serialization_failure(bool deleted)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 deleted ? errmsg("could not serialize access due to concurrent delete")
			 : errmsg("could not serialize access due to concurrent update")));
}

/* A scan of the rows that an index holds for one key, with a dirty snapshot. */
struct KeyScan
{
	Relation	index;
	IndexScanDesc scan;
	SnapshotData dirty;
	int			nkeys;
	ScanKeyData skeys[INDEX_MAX_KEYS];
	bool		started;
};

KeyScan *
begin_key_scan(Relation rel, const KeyIndex *ki, const Datum *keys)
{
	KeyScan    *ks = palloc(sizeof(KeyScan));

	ks->index = index_open(ki->indexoid, RowExclusiveLock);
	ks->nkeys = ki->nkeys;
	for (int i = 0; i < ki->nkeys; i++)
		ScanKeyEntryInitialize(&ks->skeys[i], 0, i + 1, BTEqualStrategyNumber, InvalidOid,
							   ki->collations[i], ki->eq_procs[i], keys[i]);
	InitDirtySnapshot(ks->dirty);
	ks->scan = index_beginscan(rel, ks->index, &ks->dirty, ki->nkeys, 0);
	ks->started = false;
	return ks;
}

/*
 * Store in slot the next row of the key, as committed or as being written by
 * a transaction that this one then waits for; with restart, the first one
 * again.  False when there is none.
 */
bool
next_key_row(KeyScan *ks, TupleTableSlot *slot, bool restart)
{
	for (;;)
	{
		TransactionId writer;

		CHECK_FOR_INTERRUPTS();
		if (restart || !ks->started)
		{
			index_rescan(ks->scan, ks->skeys, ks->nkeys, NULL, 0);
			ks->started = true;
			restart = false;
		}
		if (!index_getnext_slot(ks->scan, ForwardScanDirection, slot))
			return false;

		/*
		 * A row being inserted: wait for its writer, then look again.  A row
		 * being deleted or updated: under a transaction snapshot, locking it
		 * waits and reports how it changed; otherwise wait and look again.
		 */
		writer = TransactionIdIsValid(ks->dirty.xmin) ? ks->dirty.xmin :
			IsolationUsesXactSnapshot() ? InvalidTransactionId : ks->dirty.xmax;
		if (!TransactionIdIsValid(writer))
			return true;
		XactLockTableWait(writer, ks->scan->heapRelation, &slot->tts_tid, XLTW_None);
		restart = true;
	}
}

void
end_key_scan(KeyScan *ks)
{
	index_endscan(ks->scan);
	index_close(ks->index, NoLock);
	pfree(ks);
}

/* The first row of a key (see next_key_row), for an index of one row per key. */
bool
fetch_indexed_row(Relation rel, const KeyIndex *ki, const Datum *keys, TupleTableSlot *slot)
{
	KeyScan    *ks = begin_key_scan(rel, ki, keys);
	bool		found = next_key_row(ks, slot, false);

	end_key_scan(ks);
	return found;
}

/*
 * Store in slot the row that index ki holds for keys as snapshot sees it.
 * False if there is none.
 */
bool
read_indexed_row(Relation rel, const KeyIndex *ki, const Datum *keys, Snapshot snapshot,
				 TupleTableSlot *slot)
{
	Relation	index = index_open(ki->indexoid, AccessShareLock);
	ScanKeyData skeys[INDEX_MAX_KEYS];
	IndexScanDesc scan;
	bool		found;

	for (int i = 0; i < ki->nkeys; i++)
		ScanKeyEntryInitialize(&skeys[i], 0, i + 1, BTEqualStrategyNumber, InvalidOid,
							   ki->collations[i], ki->eq_procs[i], keys[i]);
	scan = index_beginscan(rel, index, snapshot, ki->nkeys, 0);
	index_rescan(scan, skeys, ki->nkeys, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	index_close(index, NoLock);
	return found;
}

/*
 * Lock the newest version of the row fetched into slot, in mode; slot then
 * holds that version, which the caller must check again: it may no longer
 * be the row it looked for.  False when the row is gone (deleted, or moved
 * to another partition): look again.
 */
bool
lock_fetched_row(Relation rel, TupleTableSlot *slot, LockTupleMode mode)
{
	bool		xact_snapshot = IsolationUsesXactSnapshot();
	TM_FailureData tmfd;
	TM_Result	result;

	/* The transaction's snapshot could not have seen this row. */
	if (xact_snapshot &&
		!table_tuple_satisfies_snapshot(rel, slot, GetTransactionSnapshot()))
		serialization_failure(false);
	result = table_tuple_lock(rel, &slot->tts_tid, GetLatestSnapshot(), slot,
							  GetCurrentCommandId(false), mode, LockWaitBlock,
							  xact_snapshot ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
							  &tmfd);
	switch (result)
	{
		case TM_Ok:
			if (xact_snapshot && tmfd.traversed)
				serialization_failure(false);
			return true;
		case TM_Updated:
		case TM_Deleted:
			if (xact_snapshot)
				serialization_failure(result == TM_Deleted);
			return false;
		case TM_SelfModified:
			return false;
		default:
			elog(ERROR, "unexpected table_tuple_lock status: %u", result);
			return false;		/* keep compiler quiet */
	}
}

/*
 * Replace the row in slot, as fetched or locked, by a copy with the columns
 * attnums set to values (NULL where nulls says so), with its index entries.
 * The update waits for a writer of the row still in progress, like an
 * UPDATE; false when the row changed since it was read (look again), a
 * serialisation failure for that under a transaction snapshot.
 */
/*
 * The indexes of the relation that a batch of updates writes (see
 * begin_row_updates), opened once for the batch instead of once per row.
 */
static Relation batch_rel = NULL;
static EState *batch_estate = NULL;
static ResultRelInfo *batch_rri = NULL;

/*
 * Updates of rel follow until end_row_updates(): open its indexes once.  A
 * batch that fails is forgotten, its resources released by the abort.
 */
void
begin_row_updates(Relation rel)
{
	end_row_updates();
	/* A reference of its own keeps the entry, which update_row_columns compares. */
	batch_rel = relation_open(RelationGetRelid(rel), NoLock);
	batch_estate = CreateExecutorState();
	batch_rri = makeNode(ResultRelInfo);	/* zeroed, as below */
	batch_rri->ri_RelationDesc = batch_rel;
	ExecOpenIndices(batch_rri, false);
}

void
end_row_updates(void)
{
	if (batch_rel == NULL)
		return;
	ExecCloseIndices(batch_rri);
	FreeExecutorState(batch_estate);
	relation_close(batch_rel, NoLock);
	batch_rel = NULL;
	batch_estate = NULL;
	batch_rri = NULL;
}

/* After an error: what the batch held is the aborting transaction's. */
void
forget_row_updates(void)
{
	batch_rel = NULL;
	batch_estate = NULL;
	batch_rri = NULL;
}

bool
update_row_columns(Relation rel, TupleTableSlot *slot, int ncols, const int *attnums,
				   const Datum *values, const bool *nulls)
{
#if PG_VERSION_NUM < 140000
	elog(ERROR, "rows are not written directly before PostgreSQL 14");
	return false;
#else
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *newslot;
	HeapTuple	oldtuple = ExecFetchSlotHeapTuple(slot, false, NULL);
	TM_FailureData tmfd;
	LockTupleMode lockmode;
	TM_Result	result;
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes update_indexes;
#else
	bool		update_indexes;
#endif

	CheckCmdReplicaIdentity(rel, CMD_UPDATE);
	/* The transaction's snapshot could not have seen this row. */
	if (IsolationUsesXactSnapshot() &&
		!table_tuple_satisfies_snapshot(rel, slot, GetTransactionSnapshot()))
		serialization_failure(false);
	newslot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
	ExecStoreHeapTuple(heap_modify_tuple_by_cols(oldtuple, RelationGetDescr(rel), ncols,
												 (int *) attnums, (Datum *) values,
												 (bool *) nulls),
					   newslot, true);
	result = table_tuple_update(rel, &slot->tts_tid, newslot, GetCurrentCommandId(true),
								GetActiveSnapshot(), InvalidSnapshot, true, &tmfd, &lockmode,
								&update_indexes);
	switch (result)
	{
		case TM_Ok:
			break;
		case TM_Updated:
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				serialization_failure(result == TM_Deleted);
			/* FALLTHROUGH */
		case TM_SelfModified:
			ExecDropSingleTupleTableSlot(newslot);
			return false;
		default:
			elog(ERROR, "unexpected table_tuple_update status: %u", result);
	}

	/*
	 * The index entries.  Only what their insertion reads: no range table
	 * entry (no permission checks, no updated-columns lookups) and no
	 * triggers, whose copy InitResultRelInfo() would make.
	 */
#if PG_VERSION_NUM >= 160000
	if (update_indexes != TU_None)
#else
	if (update_indexes)
#endif
	{
		bool		batched = (rel == batch_rel);

		if (batched)
		{
			estate = batch_estate;
			rri = batch_rri;
			ResetPerTupleExprContext(estate);
		}
		else
		{
			estate = CreateExecutorState();
			rri = makeNode(ResultRelInfo);	/* zeroed */
			rri->ri_RelationDesc = rel;
			ExecOpenIndices(rri, false);
		}
		estate->es_snapshot = GetActiveSnapshot();
#if PG_VERSION_NUM >= 160000
		ExecInsertIndexTuples(rri, newslot, estate, true, false, NULL, NIL,
							  update_indexes == TU_Summarizing);
#else
		ExecInsertIndexTuples(rri, newslot, estate, true, false, NULL, NIL);
#endif
		if (!batched)
		{
			ExecCloseIndices(rri);
			FreeExecutorState(estate);
		}
	}
	ExecDropSingleTupleTableSlot(newslot);
	return true;
#endif
}
