/*-------------------------------------------------------------------------
 * statement_path.c
 *	  Multi-row statements on versioned tables, maintained once per
 *	  statement instead of once per row.
 *
 * Each statement writing to a registered table gets a frame per table the
 * first time one of its rows reaches a trigger (the statement is the one
 * statements.c says is running, at its nesting depth).  The frame counts the
 * statement's rows: the first current_view.statement_path_min_rows take the
 * row path; the strategy keeps the later ones in the frame, and settles them
 * set-based when the statement ends (after its AFTER triggers, by
 * statements.c) or earlier, as soon as another row event of the same table
 * must be decided (a nested statement's row, an UPDATE or DELETE): rows are
 * thus decided in the order the row path would decide them.
 *
 * Rows whose statement is not known (it began before the library was
 * loaded, which the first of them does; logical replication applies rows
 * without the executor) share one frame per table, whose rows are settled
 * before the next statement runs, before commit, and before any other row
 * event of the table.  Frames of an aborted (sub)transaction are dropped
 * with it.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/xact.h"
#include "utils/hsearch.h"
#include "utils/rel.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

int			statement_path_min_rows = 1000;
static int	statement_path_memory = 262144;	/* kB */

static List *frames = NIL;		/* of StatementFrame, in TopTransactionContext */

static List *
lappend_in(MemoryContext cxt, List *list, void *datum)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);

	list = lappend(list, datum);
	MemoryContextSwitchTo(oldcxt);
	return list;
}

/*
 * Rows settled inside a subtransaction that the frame began outside of: if
 * that subtransaction aborts, so does their settlement, and they are to be
 * settled again, before the rows deferred since.
 */
typedef struct SettledRows
{
	void	   *deferred;
	MemoryContext cxt;
	uint64		seq;			/* order of deferral within the frame */
	SubTransactionId subid;		/* where they were settled */
} SettledRows;

static void
free_rows(SettledRows *rows)
{
	MemoryContextDelete(rows->cxt);
	pfree(rows);
}

static void
drop_frame(StatementFrame *frame)
{
	ListCell   *lc;

	frames = list_delete_ptr(frames, frame);
	if (frame->cxt != NULL)
		MemoryContextDelete(frame->cxt);
	foreach(lc, frame->settled)
		free_rows(lfirst(lc));
	foreach(lc, frame->unsettled)
		free_rows(lfirst(lc));
	pfree(frame);
}

/* Whether the frame holds rows to settle. */
static bool
frame_pending(StatementFrame *frame)
{
	return frame->deferred != NULL || frame->unsettled != NIL;
}

static void
settle_rows(StatementFrame *frame, SettledRows *rows)
{
	/* Between statements and at commit, no snapshot is active. */
	if (ActiveSnapshotSet())
		frame->settle(frame->target, rows->deferred);
	else
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		frame->settle(frame->target, rows->deferred);
		PopActiveSnapshot();
	}
	rows->subid = GetCurrentSubTransactionId();
	if (rows->subid == frame->subid)
		free_rows(rows);
	else
		frame->settled = lappend_in(TopTransactionContext, frame->settled, rows);
}

/* Settle a frame's deferred rows now; the frame keeps counting. */
static void
settle_frame(StatementFrame *frame)
{
	List	   *unsettled = frame->unsettled;
	ListCell   *lc;

	/* Detached first: what the settling writes may reach the triggers again. */
	frame->unsettled = NIL;
	if (frame->deferred != NULL)
	{
		SettledRows *rows = MemoryContextAlloc(TopTransactionContext, sizeof(SettledRows));

		rows->deferred = frame->deferred;
		rows->cxt = frame->cxt;
		rows->seq = frame->deferred_seq;
		unsettled = lappend_in(TopTransactionContext, unsettled, rows);
		frame->deferred = NULL;
		frame->cxt = NULL;
	}
	foreach(lc, unsettled)
		settle_rows(frame, lfirst(lc));
	list_free(unsettled);
}

/*
 * The frame of the running statement for registered table target, created
 * on its first row.
 */
StatementFrame *
statement_frame(Oid target, StatementSettle settle)
{
	PlannedStmt *statement = running_statement();
	int			depth = running_statement_depth();
	StatementFrame *frame;
	ListCell   *lc;

	/* One frame per table gathers the rows of statements not known. */
	if (statement == NULL)
		depth = -1;
	foreach(lc, frames)
	{
		frame = lfirst(lc);
		if (frame->statement == statement && frame->depth == depth && frame->target == target)
		{
			frame->rows++;
			return frame;
		}
	}
	frame = MemoryContextAllocZero(TopTransactionContext, sizeof(StatementFrame));
	frame->statement = statement;
	frame->depth = depth;
	frame->target = target;
	frame->subid = GetCurrentSubTransactionId();
	frame->settle = settle;
	frame->rows = 1;
	frames = lappend_in(TopTransactionContext, frames, frame);
	return frame;
}

/*
 * Whether the frame's current row is one to defer.  Deferred rows are kept
 * in memory: once they take more than current_view.statement_path_memory,
 * those are settled first, so that a statement of any size needs bounded
 * memory (settling early decides them in the same order as the row path
 * would).  The bound is not work_mem: a key settled in several parts is
 * written once per part, which for a time-ordered load of keys seen in
 * every part costs as much as the row path.
 */
bool
frame_defers(StatementFrame *frame)
{
	/*
	 * Once the frame defers, it goes on deferring, whatever the setting says
	 * meanwhile: a row decided at once would be decided before rows of the
	 * statement deferred earlier.
	 */
	if (frame == NULL || (frame->sets == 0 && frame->rows <= (uint64) statement_path_min_rows))
		return false;
	if (frame->cxt != NULL && MemoryContextMemAllocated(frame->cxt, true) > (Size) statement_path_memory * 1024)
		settle_frame(frame);
	return true;
}

/* The memory of the frame's deferred rows, created on the first. */
MemoryContext
frame_context(StatementFrame *frame)
{
	if (frame->cxt == NULL)
	{
		frame->cxt = AllocSetContextCreate(TopTransactionContext,
										   "current_view deferred rows",
										   ALLOCSET_DEFAULT_SIZES);
		frame->deferred_seq = ++frame->sets;
	}
	return frame->cxt;
}

/*
 * A hash table in the current memory context of entries that start with a
 * uint32 hash of a key: the strategies keep the best deferred row of each
 * key in lists under it.
 */
HTAB *
create_key_buckets(const char *name, Size entrysize)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(uint32);
	ctl.entrysize = entrysize;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* The trigger of rel that deferred rows, to settle them with. */
Trigger *
deferring_trigger(Relation rel, Oid tgoid)
{
	for (int i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		if (rel->trigdesc->triggers[i].tgoid == tgoid)
			return &rel->trigdesc->triggers[i];
	elog(ERROR, "trigger %u of relation \"%s\" is gone", tgoid, RelationGetRelationName(rel));
	return NULL;				/* keep compiler quiet */
}

/*
 * A row event of target is about to be decided: rows that other frames
 * deferred came before it.
 */
void
settle_other_frames(Oid target, StatementFrame *mine)
{
	ListCell   *lc;

	foreach(lc, frames)
	{
		StatementFrame *frame = lfirst(lc);

		if (frame != mine && frame->target == target && frame_pending(frame))
		{
			settle_frame(frame);
			/* The settling may have changed the list: look again. */
			settle_other_frames(target, mine);
			return;
		}
	}
}

/*
 * A statement is about to run: rows of statements not known (see above) are
 * settled before it can see them.
 */
void
settle_unknown_statements(void)
{
	ListCell   *lc;

	foreach(lc, frames)
	{
		StatementFrame *frame = lfirst(lc);

		if (frame->statement == NULL && frame_pending(frame))
		{
			settle_frame(frame);
			settle_unknown_statements();
			return;
		}
	}
}

/* The statement at depth ended (its AFTER triggers too): settle its frames. */
void
statement_path_end(PlannedStmt *statement, int depth)
{
	ListCell   *lc;

	foreach(lc, frames)
	{
		StatementFrame *frame = lfirst(lc);

		if (frame->statement == statement && frame->depth == depth)
		{
			settle_frame(frame);
			drop_frame(frame);
			statement_path_end(statement, depth);
			return;
		}
	}
}

static void
forget_frames(XactEvent event, void *arg)
{
	/* Every statement settles its frames; this is a safety net. */
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE)
	{
		ListCell   *lc;

		foreach(lc, frames)
			settle_frame(lfirst(lc));
		return;
	}
	/* They lived in TopTransactionContext. */
	frames = NIL;
}

/* rows into list, kept in the order of deferral */
static List *
insert_in_order(List *list, SettledRows *rows)
{
	ListCell   *lc;
	int			i = 0;

	foreach(lc, list)
	{
		if (((SettledRows *) lfirst(lc))->seq > rows->seq)
			break;
		i++;
	}
	return list_insert_nth(list, i, rows);
}

static void
forget_aborted_frames(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	foreach(lc, frames)
	{
		StatementFrame *frame = lfirst(lc);
		List	   *kept = NIL;
		ListCell   *lc2;

		if (event == SUBXACT_EVENT_ABORT_SUB && frame->subid >= mySubid)
		{
			drop_frame(frame);
			forget_aborted_frames(event, mySubid, parentSubid, arg);
			return;
		}
		foreach(lc2, frame->settled)
		{
			SettledRows *rows = lfirst(lc2);
			MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);

			if (event == SUBXACT_EVENT_ABORT_SUB && rows->subid >= mySubid)
				frame->unsettled = insert_in_order(frame->unsettled, rows);
			else if (event == SUBXACT_EVENT_COMMIT_SUB && rows->subid == mySubid &&
					 parentSubid == frame->subid)
				free_rows(rows);
			else
			{
				if (rows->subid == mySubid)
					rows->subid = parentSubid;
				kept = lappend(kept, rows);
			}
			MemoryContextSwitchTo(oldcxt);
		}
		list_free(frame->settled);
		frame->settled = kept;
	}
}

void
statement_path_init(void)
{
	DefineCustomIntVariable("current_view.statement_path_min_rows",
							"Rows of a statement on a versioned table maintained one by one before the rest are maintained set-based.",
							"0 maintains every row of a statement set-based.",
							&statement_path_min_rows, 1000, 0, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("current_view.statement_path_memory",
							"Memory the deferred rows of one statement on a versioned table may take before they are settled.",
							"Rows beyond it are settled in parts: each part writes the current rows of its keys again.",
							&statement_path_memory, 262144, 1024, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
	RegisterXactCallback(forget_frames, NULL);
	RegisterSubXactCallback(forget_aborted_frames, NULL);
}
