/*-------------------------------------------------------------------------
 * versioned.c
 *	  Triggers that keep exactly one current row per key of a versioned
 *	  table registered with strategy 'flag'.
 *
 * The current row of a key is the one with the greatest version; among equal
 * versions, the one inserted last.  It carries flag = true; all other rows
 * carry false.  A small "heads" table, keyed by the key, records in which
 * relation (partition) the current row lives, so that finding it is one index
 * probe into one partition whatever the number of partitions.
 *
 * Locking protocol, which keeps writers of one key serialised without
 * deadlocks between INSERT and DELETE (the executor locks a deleted or updated
 * row before its triggers run, so every path takes history row locks before
 * the heads row lock, never the reverse):
 *
 *	- an insert that wins (version >= current) demotes the current row, which
 *	  it finds through the unique index on (key) WHERE flag and locks FOR NO
 *	  KEY UPDATE (rowaccess.c; an UPDATE statement on tables that need one):
 *	  that row lock is the serialisation point between winners and with a
 *	  concurrent DELETE of the current row;
 *	- an insert that loses takes the same lock on the current row (so that
 *	  it waits for every other writer of the key, and they for it) and
 *	  updates its heads row, so that a concurrent promoter running under
 *	  REPEATABLE READ gets a serialisation failure instead of promoting a row
 *	  older than the loser's.  (With FOR KEY SHARE, which a winner's lock does
 *	  not conflict with, two transactions each writing a losing and then a
 *	  winning row of one key deadlocked: the second took a history row lock
 *	  after its first had taken the heads row lock.)
 *	- the first row of a key inserts the heads row; a concurrent first row
 *	  waits on that insertion and then retries;
 *	- deleting or moving away the current row promotes the best remaining row
 *	  and rewrites the heads row (or deletes it when no row is left);
 *	- an UPDATE through the view moves the current row forward in place
 *	  (current_table.c): the executor's lock on that row serialises it, and
 *	  the row keeps its flag and its heads row unless it moves to another
 *	  partition, which the paths above handle.
 *
 * The demotion is written directly, firing no trigger; the other statements
 * are prepared once per relation and kept (SPI_keepplan).  The cache is
 * dropped when any relation involved is invalidated.  They run as
 * the owner of the registered table, like PostgreSQL's own foreign-key
 * triggers, so that a role with only INSERT on the table can write to it.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "utils/partcache.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "tcop/pquery.h"
#include "utils/rel.h"
#include "storage/bufmgr.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/queryenvironment.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(current_view_flag_trigger);
PG_FUNCTION_INFO_V1(current_view_append_only_trigger);
PG_FUNCTION_INFO_V1(current_view_check_publication);

#define MAX_COLUMNS INDEX_MAX_KEYS

/* The rows PLAN_HEADS_INSERT_NEW reads. */
#define NEW_HEADS "current_view_new_heads"

/* Layout of the trigger arguments written by register_versioned_table(). */
#define ARG_HEADS_SCHEMA	0
#define ARG_HEADS_NAME		1
#define ARG_FLAG_COLUMN		2
#define ARG_NKEYS			3
#define ARG_FIRST_COLUMN	4

typedef enum PlanKind
{
	/* statements on one leaf relation */
	PLAN_DEMOTE_UPTO,			/* unflag the current row if version <= $v */
	PLAN_DEMOTE_BELOW,			/* unflag the current row if version < $v */
	PLAN_DEMOTE_ANY,			/* unflag the current row */
	PLAN_LOCK_CURRENT,			/* lock the current row, get its version */
	PLAN_FLAG_ROW,				/* flag the row at a ctid */
	/* statements on the registered table and its heads table */
	PLAN_ANY_CURRENT,			/* is a current row visible? */
	PLAN_BEST_ROW,				/* the row that should be current */
	PLAN_HEADS_READ,
	PLAN_HEADS_INSERT,
	PLAN_HEADS_LOCK,
	PLAN_HEADS_SET,
	PLAN_HEADS_MOVE,
	PLAN_HEADS_TOUCH,
	PLAN_HEADS_DELETE,
	PLAN_HEADS_INSERT_NEW,		/* the statement path's first rows of keys */
	NUM_PLAN_KINDS
} PlanKind;

/* Why PostgreSQL refuses UPDATEs of a published relation, if it does. */
typedef enum PublicationBlock
{
	PUBLICATION_ALLOWS_UPDATES,
	PUBLICATION_NO_REPLICA_IDENTITY,
	PUBLICATION_COLUMN_LIST,
	PUBLICATION_ROW_FILTER
} PublicationBlock;

typedef struct VersionedRelKey
{
	Oid			relid;			/* a leaf partition, or the registered table */
	Oid			root_relid;		/* the registered table */
} VersionedRelKey;

typedef struct VersionedRel
{
	VersionedRelKey key;
	/* kept across rebuilds of the entry */
	BlockNumber planned_blocks;	/* size of relid when last planned for */
	BlockNumber planned_heads_blocks;	/* of the heads table (in the root's entry) */
	int			inserts_since_size_check;
	/* rebuilt when invalidated */
	bool		valid;
	bool		root_is_partitioned;
	Oid			root_owner;
	Oid			heads_relid;
	NameData	heads_schema;
	NameData	heads_name;
	NameData	flag_column;
	int			nkeys;
	int			nversions;
	NameData	key_names[MAX_COLUMNS];
	NameData	version_names[MAX_COLUMNS];
	/* attribute numbers in relation "relid" */
	AttrNumber	key_attnums[MAX_COLUMNS];
	AttrNumber	version_attnums[MAX_COLUMNS];
	AttrNumber	flag_attnum;
	PublicationBlock publication_block; /* of relid */
	Oid			key_types[MAX_COLUMNS];
	Oid			version_types[MAX_COLUMNS];
	Oid			version_collations[MAX_COLUMNS];
	FmgrInfo	version_cmp[MAX_COLUMNS];
	/* a leaf whose current row is found and demoted without SPI */
	bool		direct;
	KeyIndex	flag_index;		/* its index on (key) WHERE flag */
	/* a leaf whose inserts may be deferred to the statement path */
	bool		deferrable;
	KeyIndex	rows_index;		/* its index of all rows on (key[, version ...]) */
	/* the registered table: ordering keys for the statement path */
	bool		keys_ordered;
	FmgrInfo	key_cmp[MAX_COLUMNS];
	Oid			key_collations[MAX_COLUMNS];
	int16		key_len[MAX_COLUMNS];
	bool		key_byval[MAX_COLUMNS];
	/* the registered table, partitioned: its heads rows are read without SPI */
	bool		heads_direct;
	KeyIndex	heads_key;		/* the heads table's primary key */
	SPIPlanPtr	plans[NUM_PLAN_KINDS];
} VersionedRel;

/* One key being maintained, and where its row lives. */
typedef struct KeyTask
{
	Trigger    *trigger;		/* arguments, to build cache entries */
	VersionedRel *root;			/* entry of the registered table itself */
	Datum		keys[MAX_COLUMNS];
	Datum		versions[MAX_COLUMNS];
	bool		ties_win;		/* an equal version replaces the current row */
} KeyTask;

static HTAB *versioned_rels = NULL;

/* The registered table of each trigger seen, forgotten with its relation. */
typedef struct TriggerRoot
{
	Oid			tgoid;
	Oid			tgrelid;
	Oid			root_relid;
} TriggerRoot;

static HTAB *trigger_roots = NULL;

/*
 * Depth of our own statements on history tables, of any registered table:
 * while it is not zero, plans may be running and are not freed.
 */
static int	internal_write_depth = 0;

/*
 * The registered tables whose maintenance is running, innermost last (in
 * TopMemoryContext).  Only their triggers let a flag change through: code of
 * the owner that this maintenance runs (a user trigger) and that writes
 * another registered table is maintained as any other write.
 */
static List *maintained_roots = NIL;

static bool
maintenance_of(Oid root_relid)
{
	return list_member_oid(maintained_roots, root_relid);
}

/*
 * INSERT ... ON CONFLICT runs BEFORE ROW triggers before it knows whether the
 * row will be inserted: a row that DO NOTHING skips, or that DO UPDATE turns
 * into an update of another row, may have demoted the current row of its key
 * and then never appear.  Claims made during such statements are recorded,
 * tagged with the statement's plan, and checked when that plan ends.
 */
typedef struct PendingClaim
{
	PlannedStmt *statement;
	Oid			relid;			/* where the trigger fired */
	Oid			tgoid;
	Oid			root_relid;
	Datum		keys[MAX_COLUMNS];
} PendingClaim;

static List *pending_claims = NIL;	/* in claims_context */
static MemoryContext claims_context = NULL; /* child of TopTransactionContext */

static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;

static void
invalidate_versioned_rels(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	VersionedRel *vr;
	TriggerRoot *root;

	hash_seq_init(&status, versioned_rels);
	while ((vr = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || vr->key.relid == relid ||
			vr->key.root_relid == relid || vr->heads_relid == relid)
			vr->valid = false;
	}

	/* Dropping a trigger invalidates its relation: its OID may come back. */
	hash_seq_init(&status, trigger_roots);
	while ((root = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || root->tgrelid == relid || root->root_relid == relid)
			hash_search(trigger_roots, &root->tgoid, HASH_REMOVE, NULL);
	}
}

static void versioned_executor_end(QueryDesc *queryDesc);
static void forget_pending_claims(XactEvent event, void *arg);

void
versioned_init(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(VersionedRelKey);
	ctl.entrysize = sizeof(VersionedRel);
	versioned_rels = hash_create("current_view versioned relations", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TriggerRoot);
	trigger_roots = hash_create("current_view trigger roots", 64, &ctl,
								HASH_ELEM | HASH_BLOBS);
	CacheRegisterRelcacheCallback(invalidate_versioned_rels, (Datum) 0);

	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = versioned_executor_end;
	RegisterXactCallback(forget_pending_claims, NULL);
}

/*
 * The registered table of a trigger: the trigger itself or, on a partition,
 * the ancestor trigger it was cloned from.
 */
static Oid
registered_table_of_trigger(Oid tgoid, Oid tgrelid)
{
	TriggerRoot *entry;
	bool		found;
	Relation	tgrel;
	Oid			root_relid = InvalidOid;

	entry = hash_search(trigger_roots, &tgoid, HASH_FIND, &found);
	if (found)
		return entry->root_relid;

	tgrel = table_open(TriggerRelationId, AccessShareLock);
	for (Oid current = tgoid; OidIsValid(current);)
	{
		ScanKeyData skey;
		SysScanDesc scan;
		HeapTuple	tuple;
		Form_pg_trigger trig;

		ScanKeyInit(&skey, Anum_pg_trigger_oid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(current));
		scan = systable_beginscan(tgrel, TriggerOidIndexId, true, NULL, 1, &skey);
		tuple = systable_getnext(scan);
		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "could not find trigger %u", current);
		trig = (Form_pg_trigger) GETSTRUCT(tuple);
		root_relid = trig->tgrelid;
		current = trig->tgparentid;
		systable_endscan(scan);
	}
	table_close(tgrel, AccessShareLock);

	entry = hash_search(trigger_roots, &tgoid, HASH_ENTER, NULL);
	entry->tgrelid = tgrelid;
	entry->root_relid = root_relid;
	return root_relid;
}

static AttrNumber
registered_attnum(Oid relid, const char *column)
{
	AttrNumber	attnum = get_attnum(relid, column);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of versioned table \"%s\" does not exist",
						column, get_rel_name(relid)),
				 errhint("Unregister the table before renaming or dropping its key, version or current columns.")));
	return attnum;
}

/*
 * Whether PostgreSQL refuses UPDATEs of rel because of how it is published,
 * by the rules of CheckCmdReplicaIdentity().  Every insert that replaces a
 * current row demotes it with an UPDATE, so such a table would fail on
 * INSERT with "cannot update table": registration and the triggers say why
 * instead, and how to fix it.
 */
static PublicationBlock
publication_block(Relation rel)
{
	bool		pubupdate;
#if PG_VERSION_NUM >= 150000
	PublicationDesc desc;
#endif

	/* The rows, and the UPDATEs, are in the partitions. */
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		return PUBLICATION_ALLOWS_UPDATES;
#if PG_VERSION_NUM >= 150000
	RelationBuildPublicationDesc(rel, &desc);
	if (!desc.rf_valid_for_update)
		return PUBLICATION_ROW_FILTER;
	if (!desc.cols_valid_for_update)
		return PUBLICATION_COLUMN_LIST;
	pubupdate = desc.pubactions.pubupdate;
#else
	pubupdate = GetRelationPublicationActions(rel)->pubupdate;
#endif
	if (pubupdate && !OidIsValid(RelationGetReplicaIndex(rel)) &&
		rel->rd_rel->relreplident != REPLICA_IDENTITY_FULL)
		return PUBLICATION_NO_REPLICA_IDENTITY;
	return PUBLICATION_ALLOWS_UPDATES;
}

static void
report_publication_block(const char *relname, PublicationBlock block, const char *flag_column)
{
	if (block == PUBLICATION_ALLOWS_UPDATES)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("versioned table \"%s\" is published in a way that refuses updates", relname),
			 block == PUBLICATION_NO_REPLICA_IDENTITY ?
			 errdetail("It publishes updates and has no replica identity; current_view marks current rows by updating column \"%s\".",
					   flag_column) :
			 block == PUBLICATION_COLUMN_LIST ?
			 errdetail("The column list of a publication of it does not cover its replica identity; current_view marks current rows by updating column \"%s\".",
					   flag_column) :
			 errdetail("A row filter of a publication of it uses columns outside its replica identity; current_view marks current rows by updating column \"%s\".",
					   flag_column),
			 block == PUBLICATION_NO_REPLICA_IDENTITY ?
			 errhint("Give the table a primary key, or use ALTER TABLE ... REPLICA IDENTITY USING INDEX or REPLICA IDENTITY FULL.") :
			 block == PUBLICATION_COLUMN_LIST ?
			 errhint("Include the replica identity columns in the publication's column list.") :
			 errhint("Use only replica identity columns in the publication's row filter.")));
}

/* Writes that keep the current rows of vr's relation update it. */
static void
require_updatable(VersionedRel *vr)
{
	if (vr->publication_block != PUBLICATION_ALLOWS_UPDATES)
		report_publication_block(get_rel_name(vr->key.relid), vr->publication_block,
								 NameStr(vr->flag_column));
}

/*
 * _check_publication(tbl regclass, current_column name): at registration,
 * the error the first write would raise, for the table and every partition.
 */
Datum
current_view_check_publication(PG_FUNCTION_ARGS)
{
	List	   *relids = find_all_inheritors(PG_GETARG_OID(0), AccessShareLock, NULL);
	ListCell   *lc;

	foreach(lc, relids)
	{
		Relation	rel = relation_open(lfirst_oid(lc), NoLock);

		report_publication_block(RelationGetRelationName(rel), publication_block(rel),
								 NameStr(*PG_GETARG_NAME(1)));
		relation_close(rel, NoLock);
	}
	PG_RETURN_VOID();
}

/*
 * Whether the partition constraint of rel (its own and its ancestors') reads
 * the flag column: then a demotion must fail as UPDATE ONLY of the partition
 * would (the row belongs in another partition), which only the executor's
 * partition check does, so such a partition keeps the SPI path.
 */
static bool
partition_bound_by_flag(Relation rel, AttrNumber flag_attnum)
{
	Bitmapset  *attnums = NULL;

	if (!rel->rd_rel->relispartition)
		return false;
	pull_varattnos((Node *) RelationGetPartitionQual(rel), 1, &attnums);
	return bms_is_member(flag_attnum - FirstLowInvalidHeapAttributeNumber, attnums);
}

static void
build_versioned_rel(VersionedRel *vr, Trigger *trigger)
{
	char	  **args = trigger->tgargs;
	HeapTuple	classtup;
	Oid			relid = vr->key.relid;
	Oid			heads_namespace;
	Relation	rel;

	/* First: taking the lock may process invalidations. */
	rel = relation_open(relid, AccessShareLock);
	vr->publication_block = publication_block(rel);
	relation_close(rel, NoLock);

	if (trigger->tgnargs < ARG_FIRST_COLUMN + 2)
		elog(ERROR, "trigger \"%s\" has too few arguments", trigger->tgname);
	namestrcpy(&vr->heads_schema, args[ARG_HEADS_SCHEMA]);
	namestrcpy(&vr->heads_name, args[ARG_HEADS_NAME]);
	namestrcpy(&vr->flag_column, args[ARG_FLAG_COLUMN]);
	vr->nkeys = pg_strtoint32(args[ARG_NKEYS]);
	vr->nversions = trigger->tgnargs - ARG_FIRST_COLUMN - vr->nkeys;
	if (vr->nkeys < 1 || vr->nversions < 1 ||
		vr->nkeys > MAX_COLUMNS || vr->nversions > MAX_COLUMNS)
		elog(ERROR, "trigger \"%s\" has malformed arguments", trigger->tgname);

	for (int i = 0; i < vr->nkeys; i++)
	{
		namestrcpy(&vr->key_names[i], args[ARG_FIRST_COLUMN + i]);
		vr->key_attnums[i] = registered_attnum(relid, args[ARG_FIRST_COLUMN + i]);
		vr->key_types[i] = get_atttype(relid, vr->key_attnums[i]);
	}
	for (int i = 0; i < vr->nversions; i++)
	{
		const char *name = args[ARG_FIRST_COLUMN + vr->nkeys + i];
		TypeCacheEntry *typentry;
		int32		typmod;

		namestrcpy(&vr->version_names[i], name);
		vr->version_attnums[i] = registered_attnum(relid, name);
		get_atttypetypmodcoll(relid, vr->version_attnums[i], &vr->version_types[i],
							  &typmod, &vr->version_collations[i]);
		typentry = lookup_type_cache(vr->version_types[i], TYPECACHE_CMP_PROC_FINFO);
		if (!OidIsValid(typentry->cmp_proc_finfo.fn_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("could not identify a comparison function for type %s",
							format_type_be(vr->version_types[i]))));
		fmgr_info_copy(&vr->version_cmp[i], &typentry->cmp_proc_finfo, TopMemoryContext);
	}
	vr->flag_attnum = registered_attnum(relid, NameStr(vr->flag_column));

	rel = table_open(relid, AccessShareLock);
	vr->direct = rel->rd_rel->relkind == RELKIND_RELATION && rows_writable_directly(rel) &&
		!partition_bound_by_flag(rel, vr->flag_attnum) &&
		find_key_index(rel, vr->nkeys, vr->key_attnums, vr->flag_attnum, &vr->flag_index);
	{
		AttrNumber	columns[2 * MAX_COLUMNS];

		/* A deferred row is found again through an index on its key. */
		memcpy(columns, vr->key_attnums, sizeof(AttrNumber) * vr->nkeys);
		memcpy(columns + vr->nkeys, vr->version_attnums, sizeof(AttrNumber) * vr->nversions);
		vr->deferrable = vr->direct &&
			find_prefix_index(rel, vr->nkeys + vr->nversions, columns, vr->nkeys,
							  &vr->rows_index);
	}
	table_close(rel, AccessShareLock);
	vr->keys_ordered = true;
	for (int i = 0; i < vr->nkeys; i++)
	{
		TypeCacheEntry *typentry = lookup_type_cache(vr->key_types[i], TYPECACHE_CMP_PROC_FINFO);
		Oid			typid;
		int32		typmod;

		get_typlenbyval(vr->key_types[i], &vr->key_len[i], &vr->key_byval[i]);
		get_atttypetypmodcoll(relid, vr->key_attnums[i], &typid, &typmod,
							  &vr->key_collations[i]);
		if (OidIsValid(typentry->cmp_proc_finfo.fn_oid))
			fmgr_info_copy(&vr->key_cmp[i], &typentry->cmp_proc_finfo, TopMemoryContext);
		else
			vr->keys_ordered = false;
	}

	heads_namespace = get_namespace_oid(NameStr(vr->heads_schema), false);
	vr->heads_relid = get_relname_relid(NameStr(vr->heads_name), heads_namespace);
	if (!OidIsValid(vr->heads_relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("heads table \"%s.%s\" of versioned table \"%s\" does not exist",
						NameStr(vr->heads_schema), NameStr(vr->heads_name),
						get_rel_name(vr->key.root_relid)),
				 errhint("Unregister the table and register it again.")));
	if (relid == vr->key.root_relid)
	{
		AttrNumber	heads_attnums[MAX_COLUMNS];
		Relation	heads = table_open(vr->heads_relid, AccessShareLock);

		/* The heads table: the key columns, then current_relation. */
		for (int i = 0; i < vr->nkeys; i++)
			heads_attnums[i] = i + 1;
		vr->heads_direct = rows_writable_directly(heads) &&
			RelationGetDescr(heads)->natts == vr->nkeys + 1 &&
			find_key_index(heads, vr->nkeys, heads_attnums, InvalidAttrNumber, &vr->heads_key);
		table_close(heads, AccessShareLock);
	}

	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(vr->key.root_relid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for relation %u", vr->key.root_relid);
	vr->root_owner = ((Form_pg_class) GETSTRUCT(classtup))->relowner;
	vr->root_is_partitioned =
		((Form_pg_class) GETSTRUCT(classtup))->relkind == RELKIND_PARTITIONED_TABLE;
	ReleaseSysCache(classtup);
}

static VersionedRel *
lookup_versioned_rel(Oid relid, Oid root_relid, Trigger *trigger)
{
	VersionedRelKey key = {relid, root_relid};
	VersionedRel *vr;
	bool		found;

	vr = hash_search(versioned_rels, &key, HASH_ENTER, &found);
	if (found && vr->valid)
		return vr;
	/* An outer trigger call may be running these plans: then leak them. */
	if (found && internal_write_depth == 0)
	{
		for (int i = 0; i < NUM_PLAN_KINDS; i++)
			if (vr->plans[i] != NULL)
				SPI_freeplan(vr->plans[i]);
	}
	memset(&vr->valid, 0, sizeof(VersionedRel) - offsetof(VersionedRel, valid));
	PG_TRY();
	{
		build_versioned_rel(vr, trigger);
	}
	PG_CATCH();
	{
		hash_search(versioned_rels, &key, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	vr->valid = true;
	return vr;
}

static SPIPlanPtr
versioned_plan(VersionedRel *vr, PlanKind kind)
{
	StringInfoData sql;
	Oid			argtypes[2 * MAX_COLUMNS + 1];
	int			nargs = vr->nkeys;
	const char *flag = quote_identifier(NameStr(vr->flag_column));
	char	   *rel;
	char	   *heads;

	if (vr->plans[kind] != NULL)
		return vr->plans[kind];

	rel = qualified_relation_name(vr->key.relid);
	heads = quote_qualified_identifier(NameStr(vr->heads_schema), NameStr(vr->heads_name));
	memcpy(argtypes, vr->key_types, vr->nkeys * sizeof(Oid));
	initStringInfo(&sql);

	switch (kind)
	{
		case PLAN_DEMOTE_UPTO:
		case PLAN_DEMOTE_BELOW:
			appendStringInfo(&sql, "UPDATE ONLY %s SET %s = false WHERE ", rel, flag);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			appendStringInfo(&sql, " AND %s AND NOT ", flag);
			append_version_greater(&sql, NULL, vr->version_names, vr->version_types,
								   vr->nversions, NULL, vr->nkeys + 1);
			/* below: neither greater nor equal */
			if (kind == PLAN_DEMOTE_BELOW)
			{
				appendStringInfoString(&sql, " AND NOT (");
				append_key_quals(&sql, vr->version_names, vr->version_types,
								 vr->nversions, vr->nkeys + 1);
				appendStringInfoChar(&sql, ')');
			}
			memcpy(argtypes + vr->nkeys, vr->version_types, vr->nversions * sizeof(Oid));
			nargs += vr->nversions;
			break;
		case PLAN_DEMOTE_ANY:
			appendStringInfo(&sql, "UPDATE ONLY %s SET %s = false WHERE ", rel, flag);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			appendStringInfo(&sql, " AND %s", flag);
			break;
		case PLAN_LOCK_CURRENT:
			appendStringInfoString(&sql, "SELECT ");
			append_column_list(&sql, NULL, vr->version_names, vr->nversions, "");
			appendStringInfo(&sql, " FROM ONLY %s WHERE ", rel);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			appendStringInfo(&sql, " AND %s FOR NO KEY UPDATE", flag);
			break;
		case PLAN_FLAG_ROW:
			appendStringInfo(&sql, "UPDATE ONLY %s SET %s = true WHERE ", rel, flag);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			appendStringInfo(&sql, " AND NOT %s AND ctid OPERATOR(pg_catalog.=) $%d",
							 flag, vr->nkeys + 1);
			argtypes[nargs++] = TIDOID;
			break;
		case PLAN_ANY_CURRENT:
			appendStringInfo(&sql, "SELECT 1 FROM %s%s WHERE ",
							 vr->root_is_partitioned ? "" : "ONLY ", rel);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			appendStringInfo(&sql, " AND %s LIMIT 1", flag);
			break;
		case PLAN_BEST_ROW:
			appendStringInfo(&sql, "SELECT tableoid, ctid, %s FROM %s%s WHERE ",
							 flag, vr->root_is_partitioned ? "" : "ONLY ", rel);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			appendStringInfoString(&sql, " ORDER BY ");
			append_column_list(&sql, NULL, vr->version_names, vr->nversions, " DESC");
			appendStringInfoString(&sql, " LIMIT 1");
			break;
		case PLAN_HEADS_READ:
		case PLAN_HEADS_LOCK:
			appendStringInfo(&sql, "SELECT current_relation FROM %s WHERE ", heads);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			if (kind == PLAN_HEADS_LOCK)
				appendStringInfoString(&sql, " FOR UPDATE");
			break;
		case PLAN_HEADS_INSERT:
		case PLAN_HEADS_SET:
			appendStringInfo(&sql, "INSERT INTO %s AS h (", heads);
			append_column_list(&sql, NULL, vr->key_names, vr->nkeys, "");
			appendStringInfoString(&sql, ", current_relation) VALUES (");
			for (int i = 1; i <= vr->nkeys + 1; i++)
				appendStringInfo(&sql, "%s$%d", i > 1 ? ", " : "", i);
			appendStringInfoString(&sql, ") ON CONFLICT ");
			if (kind == PLAN_HEADS_INSERT)
				appendStringInfoString(&sql, "DO NOTHING");
			else
			{
				appendStringInfoChar(&sql, '(');
				append_column_list(&sql, NULL, vr->key_names, vr->nkeys, "");
				appendStringInfoString(&sql, ") DO UPDATE SET current_relation = excluded.current_relation");
			}
			argtypes[nargs++] = REGCLASSOID;
			break;
		case PLAN_HEADS_MOVE:
			appendStringInfo(&sql, "UPDATE %s SET current_relation = $%d WHERE ",
							 heads, vr->nkeys + 1);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			argtypes[nargs++] = REGCLASSOID;
			break;
		case PLAN_HEADS_TOUCH:
			appendStringInfo(&sql, "UPDATE %s SET current_relation = current_relation WHERE ", heads);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			break;
		case PLAN_HEADS_INSERT_NEW:
			appendStringInfo(&sql, "INSERT INTO %s AS h (", heads);
			append_column_list(&sql, NULL, vr->key_names, vr->nkeys, "");
			appendStringInfoString(&sql, ", current_relation) SELECT ");
			append_column_list(&sql, NULL, vr->key_names, vr->nkeys, "");
			appendStringInfoString(&sql, ", current_relation FROM " NEW_HEADS " ON CONFLICT DO NOTHING RETURNING ");
			append_column_list(&sql, NULL, vr->key_names, vr->nkeys, "");
			nargs = 0;
			break;
		case PLAN_HEADS_DELETE:
			appendStringInfo(&sql, "DELETE FROM %s WHERE ", heads);
			append_key_quals(&sql, vr->key_names, vr->key_types, vr->nkeys, 1);
			break;
		case NUM_PLAN_KINDS:
			elog(ERROR, "invalid plan kind");
	}

	vr->plans[kind] = prepare_kept_plan(sql.data, nargs, argtypes);
	pfree(sql.data);
	return vr->plans[kind];
}

static uint64
run(VersionedRel *vr, PlanKind kind, Datum *values, int expected_ret)
{
	return execute_plan(versioned_plan(vr, kind), values, expected_ret);
}

/* Parameters: the key values followed by one extra value. */
static Datum *
keys_and(KeyTask *task, Datum extra)
{
	Datum	   *values = palloc(sizeof(Datum) * (task->root->nkeys + 1));

	memcpy(values, task->keys, sizeof(Datum) * task->root->nkeys);
	values[task->root->nkeys] = extra;
	return values;
}

static Datum *
keys_and_versions(KeyTask *task)
{
	VersionedRel *root = task->root;
	Datum	   *values = palloc(sizeof(Datum) * (root->nkeys + root->nversions));

	memcpy(values, task->keys, sizeof(Datum) * root->nkeys);
	memcpy(values + root->nkeys, task->versions, sizeof(Datum) * root->nversions);
	return values;
}

static VersionedRel *
leaf_entry(KeyTask *task, Oid relid)
{
	VersionedRel *vr;

	if (relid == task->root->key.relid)
		return task->root;
	/*
	 * The event triggers repair the heads rows of a partition that is dropped
	 * or detached; they do not fire in single-user mode or under
	 * session_replication_role = replica.
	 */
	if (!get_rel_relispartition(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the current row of a key of versioned table \"%s\" is recorded in relation %u, which is no longer one of its partitions",
						get_rel_name(task->root->key.relid), relid),
				 errdetail("The partition was dropped or detached without the event triggers of current_view."),
				 errhint("Run CALL rebuild_versioned_table('%s') to recompute the current rows.",
						 quote_qualified_identifier(get_namespace_name(get_rel_namespace(task->root->key.relid)),
													get_rel_name(task->root->key.relid)))));
	vr = lookup_versioned_rel(relid, task->root->key.relid, task->trigger);
	require_updatable(vr);
	return vr;
}

/* Where the current row of the task's key lives, if anywhere. */
static Oid
current_relation(KeyTask *task, PlanKind kind)
{
	bool		isnull;

	if (run(task->root, kind, task->keys, SPI_OK_SELECT) == 0)
		return InvalidOid;
	return DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * Where the current row of the task's key lives, as a fresh snapshot sees
 * it (as PLAN_HEADS_READ would), read through the heads table's primary key.
 */
static Oid
current_relation_directly(KeyTask *task)
{
	Relation	heads = table_open(task->root->heads_relid, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heads, NULL);
	Oid			relation = InvalidOid;
	Snapshot	snapshot;

	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	if (read_indexed_row(heads, &task->root->heads_key, task->keys, snapshot, slot))
	{
		bool		isnull;
		Datum		value = slot_getattr(slot, task->root->nkeys + 1, &isnull);

		if (!isnull)
			relation = DatumGetObjectId(value);
	}
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	table_close(heads, AccessShareLock);
	return relation;
}

/*
 * PLAN_HEADS_MOVE (relation valid) or PLAN_HEADS_TOUCH (InvalidOid) without
 * SPI when the heads table allows it: lock the key's heads row and point it
 * at relation, or update it to itself.
 */
static void
update_heads_row(KeyTask *task, Oid relation)
{
	Relation	heads;
	TupleTableSlot *slot;

	if (!task->root->heads_direct)
	{
		if (OidIsValid(relation))
			run(task->root, PLAN_HEADS_MOVE, keys_and(task, ObjectIdGetDatum(relation)),
				SPI_OK_UPDATE);
		else
			run(task->root, PLAN_HEADS_TOUCH, task->keys, SPI_OK_UPDATE);
		return;
	}
	heads = table_open(task->root->heads_relid, RowExclusiveLock);
	slot = table_slot_create(heads, NULL);
	CommandCounterIncrement();
	while (fetch_indexed_row(heads, &task->root->heads_key, task->keys, slot))
	{
		int			column = task->root->nkeys + 1;
		Datum		value = ObjectIdGetDatum(relation);
		bool		isnull = false;

		if (update_row_columns(heads, slot, OidIsValid(relation) ? 1 : 0, &column, &value,
							   &isnull))
			break;
		/* changed since it was read: look again */
	}
	ExecDropSingleTupleTableSlot(slot);
	table_close(heads, NoLock);
}

static Oid
current_relation_hint(KeyTask *task)
{
	if (!task->root->root_is_partitioned)
		return task->root->key.relid;
	if (task->root->heads_direct)
		return current_relation_directly(task);
	return current_relation(task, PLAN_HEADS_READ);
}

/* Compare two versions (no nulls). */
static int
compare_version_values(VersionedRel *root, const Datum *versions, const Datum *others)
{
	for (int i = 0; i < root->nversions; i++)
	{
		int32		cmp = DatumGetInt32(FunctionCall2Coll(&root->version_cmp[i],
														  root->version_collations[i],
														  versions[i], others[i]));

		if (cmp != 0)
			return cmp;
	}
	return 0;
}

/* Compare the task's version with other versions (no nulls). */
static int
compare_versions(KeyTask *task, const Datum *others)
{
	return compare_version_values(task->root, task->versions, others);
}

/* Compare the task's version with the version columns of SPI's first row. */
static int
compare_with_spi_row(KeyTask *task)
{
	Datum		others[MAX_COLUMNS];
	bool		isnull;

	for (int i = 0; i < task->root->nversions; i++)
		others[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull);
	return compare_versions(task, others);
}

/* Compare the task's version with the version columns of a row of vr. */
static int
compare_with_slot(KeyTask *task, VersionedRel *vr, TupleTableSlot *slot)
{
	Datum		others[MAX_COLUMNS];
	bool		isnull;

	for (int i = 0; i < task->root->nversions; i++)
		others[i] = slot_getattr(slot, vr->version_attnums[i], &isnull);
	return compare_versions(task, others);
}

/* Whether a row of vr, locked after it was found, is still the key's current row. */
static bool
still_current(KeyTask *task, VersionedRel *vr, TupleTableSlot *slot)
{
	bool		isnull;
	Datum		flag = slot_getattr(slot, vr->flag_attnum, &isnull);

	if (isnull || !DatumGetBool(flag))
		return false;
	for (int i = 0; i < vr->nkeys; i++)
	{
		Datum		key = slot_getattr(slot, vr->key_attnums[i], &isnull);

		if (isnull ||
			!DatumGetBool(OidFunctionCall2Coll(vr->flag_index.eq_procs[i],
											   vr->flag_index.collations[i],
											   key, task->keys[i])))
			return false;
	}
	return true;
}

/*
 * The retry loops below go round again only when a concurrent writer changed
 * the key's rows, which cannot go on for long; a statement that never takes
 * effect (another trigger cancelling our flag updates) must not spin forever.
 */
#define MAX_ATTEMPTS 1000

static void
check_attempts(KeyTask *task, int attempt)
{
	CHECK_FOR_INTERRUPTS();
	if (attempt >= MAX_ATTEMPTS)
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
				 errmsg("could not settle the current row of a key of versioned table \"%s\"",
						get_rel_name(task->root->key.relid)),
				 errhint("Another trigger on the table may be cancelling updates of its column \"%s\".",
						 NameStr(task->root->flag_column))));
}

typedef enum ClaimOutcome
{
	CLAIM_NO_CURRENT,			/* holder has no current row of the key */
	CLAIM_DEMOTED,				/* the new row wins: the current row was demoted */
	CLAIM_KEPT					/* the current row stays current, locked */
} ClaimOutcome;

/*
 * What the statements PLAN_DEMOTE_* and PLAN_LOCK_CURRENT do, without SPI:
 * find the key's current row in holder through its index on (key) WHERE
 * flag and demote it if the new row wins (the update locks it, waiting for a
 * concurrent writer like an UPDATE); if the new row loses, lock the current
 * row FOR NO KEY UPDATE and check it again.
 * No trigger fires for the demotion.
 */
static ClaimOutcome
claim_directly(KeyTask *task, VersionedRel *holder)
{
	Relation	rel = table_open(holder->key.relid, RowExclusiveLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	int			threshold = task->ties_win ? 0 : 1;
	ClaimOutcome outcome = CLAIM_NO_CURRENT;
	KeyScan    *scan;
	bool		restart = false;

	/* Rows written so far by this command become visible, as to SPI. */
	CommandCounterIncrement();
	scan = begin_key_scan(rel, &holder->flag_index, task->keys);
	for (int attempt = 0;; attempt++)
	{
		bool		wins;

		check_attempts(task, attempt);
		if (!next_key_row(scan, slot, restart))
			break;
		/* Unless told otherwise below, a retry looks again from the start. */
		restart = true;
		wins = compare_with_slot(task, holder, slot) >= threshold;
		if (!wins)
		{
			/* Keep it current, locked, checked again in its newest version. */
			if (!lock_fetched_row(rel, slot, LockTupleNoKeyExclusive) ||
				!still_current(task, holder, slot))
				continue;
			if (compare_with_slot(task, holder, slot) < threshold)
			{
				/* As after the demoting UPDATE, any row demoted already counts. */
				if (outcome == CLAIM_NO_CURRENT)
					outcome = CLAIM_KEPT;
				break;
			}
		}
		{
			/* The update waits for, and tells of, a concurrent change. */
			int			flag = holder->flag_attnum;
			Datum		demoted = BoolGetDatum(false);
			bool		isnull = false;

			if (!update_row_columns(rel, slot, 1, &flag, &demoted, &isnull))
				continue;
		}
		outcome = CLAIM_DEMOTED;

		/*
		 * A partition's index on (key) WHERE flag is not unique: like the
		 * UPDATE it stands for, demote every current row the new one beats,
		 * in the same scan.
		 */
		if (holder->flag_index.unique)
			break;
		restart = false;
	}
	end_key_scan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, NoLock);
	return outcome;
}

/*
 * A row with the task's key and version, living in relation self, has been or
 * is about to be written: decide whether it becomes the current row of its
 * key, demoting the previous current row if so.
 */
static bool
claim_current(KeyTask *task, Oid self)
{
	VersionedRel *root = task->root;

	for (int attempt = 0;; attempt++)
	{
		Oid			current;

		check_attempts(task, attempt);
		current = current_relation_hint(task);
		if (OidIsValid(current) && leaf_entry(task, current)->direct)
		{
			switch (claim_directly(task, leaf_entry(task, current)))
			{
				case CLAIM_DEMOTED:
					/* The heads row exists: the demoted row was current. */
					if (current != self)
						update_heads_row(task, self);
					return true;
				case CLAIM_KEPT:
					update_heads_row(task, InvalidOid);
					return false;
				case CLAIM_NO_CURRENT:
					break;
			}
		}
		else if (OidIsValid(current))
		{
			VersionedRel *holder = leaf_entry(task, current);

			if (run(holder, task->ties_win ? PLAN_DEMOTE_UPTO : PLAN_DEMOTE_BELOW,
					keys_and_versions(task), SPI_OK_UPDATE) > 0)
			{
				/* The heads row exists: the demoted row was current. */
				if (current != self)
					update_heads_row(task, self);
				return true;
			}
			if (run(holder, PLAN_LOCK_CURRENT, task->keys, SPI_OK_SELECT) > 0)
			{
				/* The current row stays current: the new row is history. */
				if (compare_with_spi_row(task) < (task->ties_win ? 0 : 1))
				{
					update_heads_row(task, InvalidOid);
					return false;
				}
				/* The current row changed after our demotion attempt. */
				continue;
			}
		}

		/* No current row visible: the first row of the key claims it. */
		if (run(root, PLAN_HEADS_INSERT, keys_and(task, ObjectIdGetDatum(self)),
				SPI_OK_INSERT) > 0)
			return true;

		/*
		 * The heads row exists.  Usually a concurrent writer just committed a
		 * current row that the next round will see.  Otherwise this
		 * transaction itself moved the current row away (a cross-partition
		 * UPDATE runs the destination's insert trigger before the source's
		 * delete trigger): lock the heads row and claim it.
		 */
		if (run(root, PLAN_ANY_CURRENT, task->keys, SPI_OK_SELECT) > 0)
			continue;
		if (!OidIsValid(current_relation(task, PLAN_HEADS_LOCK)))
			continue;
		if (run(root, PLAN_ANY_CURRENT, task->keys, SPI_OK_SELECT) > 0)
			continue;
		run(root, PLAN_HEADS_SET, keys_and(task, ObjectIdGetDatum(self)), SPI_OK_INSERT);
		return true;
	}
}

/*
 * The current row of the task's key was deleted or moved away, or a row of
 * this transaction took its flag too early: make the best remaining row
 * current.  The caller holds the lock of the row that was current, so
 * writers of the key wait.
 */
static void
promote_best(KeyTask *task)
{
	VersionedRel *root = task->root;

	for (int attempt = 0;; attempt++)
	{
		bool		isnull;
		Oid			best_rel;
		ItemPointerData best_tid;
		bool		best_is_current;

		check_attempts(task, attempt);
		if (run(root, PLAN_BEST_ROW, task->keys, SPI_OK_SELECT) == 0)
		{
			run(root, PLAN_HEADS_DELETE, task->keys, SPI_OK_DELETE);
			return;
		}
		best_rel = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1, &isnull));
		best_tid = *(ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0],
																SPI_tuptable->tupdesc, 2, &isnull));
		best_is_current = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													 SPI_tuptable->tupdesc, 3, &isnull));
		if (!best_is_current)
		{
			Oid			current = current_relation_hint(task);

			/* Another row of this transaction may hold the flag: drop it. */
			if (OidIsValid(current))
				run(leaf_entry(task, current), PLAN_DEMOTE_ANY, task->keys, SPI_OK_UPDATE);
			if (run(leaf_entry(task, best_rel), PLAN_FLAG_ROW,
					keys_and(task, PointerGetDatum(&best_tid)), SPI_OK_UPDATE) == 0)
				continue;		/* the best row changed concurrently */
		}
		run(root, PLAN_HEADS_SET, keys_and(task, ObjectIdGetDatum(best_rel)), SPI_OK_INSERT);
		return;
	}
}

/*
 * Read the key and version of a history tuple of relation vr into the task;
 * with check_nulls, reject a null in any of them.
 */
static void
read_key_version(KeyTask *task, VersionedRel *vr, Relation rel, HeapTuple tuple,
				 bool check_nulls)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);

	for (int i = 0; i < vr->nkeys + vr->nversions; i++)
	{
		bool		is_key = i < vr->nkeys;
		AttrNumber	attnum = is_key ? vr->key_attnums[i] : vr->version_attnums[i - vr->nkeys];
		bool		isnull;
		Datum		value = heap_getattr(tuple, attnum, tupdesc, &isnull);

		if (isnull && check_nulls)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("null value in %s column \"%s\" of versioned table \"%s\"",
							is_key ? "key" : "version",
							NameStr(TupleDescAttr(tupdesc, attnum - 1)->attname),
							RelationGetRelationName(rel)),
					 errdetail("The current row of a key is decided by its key and version columns, which cannot be null."),
					 errtablecol(rel, attnum)));
		if (is_key)
			task->keys[i] = value;
		else
			task->versions[i - vr->nkeys] = value;
	}
}

static bool
key_or_version_changed(VersionedRel *vr, Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);

	for (int i = 0; i < vr->nkeys + vr->nversions; i++)
	{
		AttrNumber	attnum = i < vr->nkeys ? vr->key_attnums[i] : vr->version_attnums[i - vr->nkeys];
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);
		bool		oldnull;
		bool		newnull;
		Datum		oldval = heap_getattr(oldtup, attnum, tupdesc, &oldnull);
		Datum		newval = heap_getattr(newtup, attnum, tupdesc, &newnull);

		if (oldnull != newnull ||
			(!oldnull && !datum_image_eq(oldval, newval, att->attbyval, att->attlen)))
			return true;
	}
	return false;
}

/* Whether an UPDATE of these columns fires the AFTER UPDATE OF trigger. */
static bool
updates_key_or_version(VersionedRel *vr, const Bitmapset *updatedcols)
{
	for (int i = 0; i < vr->nkeys + vr->nversions; i++)
	{
		AttrNumber	attnum = i < vr->nkeys ? vr->key_attnums[i] : vr->version_attnums[i - vr->nkeys];

		if (bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, updatedcols))
			return true;
	}
	return false;
}

static bool
tuple_flag(VersionedRel *vr, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, vr->flag_attnum, RelationGetDescr(rel), &isnull);

	return !isnull && DatumGetBool(value);
}

static HeapTuple
with_flag(VersionedRel *vr, Relation rel, HeapTuple tuple, bool flag)
{
	int			attnum = vr->flag_attnum;
	Datum		value = BoolGetDatum(flag);
	bool		isnull = false;

	if (tuple_flag(vr, rel, tuple) == flag)
		return tuple;
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), 1, &attnum,
									 &value, &isnull);
}

/*
 * Maintenance of one row event, inside SPI and as the table's owner.
 * Returns whether a row being inserted becomes current.
 */
static bool
maintain(TriggerData *trigdata, VersionedRel *vr, KeyTask *task)
{
	TriggerEvent event = trigdata->tg_event;
	Relation	rel = trigdata->tg_relation;
	Oid			relid = RelationGetRelid(rel);

	if (TRIGGER_FIRED_BY_INSERT(event))
		return claim_current(task, relid);

	if (TRIGGER_FIRED_BY_DELETE(event))
	{
		if (tuple_flag(vr, rel, trigdata->tg_trigtuple))
			promote_best(task);
		return false;
	}

	/*
	 * AFTER UPDATE of a key or version column; the BEFORE trigger cleared the
	 * row's flag.  The task holds the old key.
	 */
	{
		bool		was_current = tuple_flag(vr, rel, trigdata->tg_trigtuple);
		KeyTask		new_task = *task;
		bool		same_key = true;

		read_key_version(&new_task, vr, rel, trigdata->tg_newtuple, false);
		for (int i = 0; i < vr->nkeys; i++)
		{
			Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
												  vr->key_attnums[i] - 1);

			if (!datum_image_eq(task->keys[i], new_task.keys[i], att->attbyval, att->attlen))
				same_key = false;
		}
		/* Promotion of the old key considers the updated row too. */
		if (was_current)
			promote_best(task);
		if ((!was_current || !same_key) && claim_current(&new_task, relid))
		{
			ItemPointerData tid = trigdata->tg_newslot->tts_tid;

			/*
			 * When another row event of this statement flagged or moved the
			 * updated row already, its claim above may have demoted that very
			 * row: then decide the key afresh.
			 */
			if (run(vr, PLAN_FLAG_ROW, keys_and(&new_task, PointerGetDatum(&tid)),
					SPI_OK_UPDATE) == 0)
				promote_best(&new_task);
		}
		return false;
	}
}

/*
 * Plans prepared while a table was nearly empty scan it sequentially, and a
 * bulk load in one statement never invalidates them, which would make the
 * load quadratic: each time the table has doubled, plan again.
 */
static void
replan_if_grown(VersionedRel *vr, VersionedRel *root, Relation rel)
{
	BlockNumber nblocks;
	BlockNumber heads_blocks;
	Relation	heads;

	if (++vr->inserts_since_size_check < 64)
		return;
	vr->inserts_since_size_check = 0;
	nblocks = RelationGetNumberOfBlocks(rel);
	/* The heads table grows with the keys, and the root's plans read it. */
	heads = relation_open(root->heads_relid, AccessShareLock);
	heads_blocks = RelationGetNumberOfBlocks(heads);
	relation_close(heads, AccessShareLock);
	if (nblocks <= 2 * vr->planned_blocks + 8 &&
		heads_blocks <= 2 * root->planned_heads_blocks + 8)
		return;
	vr->planned_blocks = nblocks;
	root->planned_heads_blocks = heads_blocks;
	vr->valid = false;
	root->valid = false;
}

/*
 * Run fn(arg) inside SPI as owner, its writes marked as the triggers' own.
 * Settings that the owner's code run by them (triggers, index expressions)
 * changes are rolled back, so that none stays in the writer's session.
 */
static void
as_maintenance(VersionedRel *root, void (*fn) (void *), void *arg)
{
	Oid			owner = root->root_owner;
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	nestlevel = NewGUCNestLevel();
	maintained_roots = relid_stack_push(maintained_roots, root->key.root_relid);
	internal_write_depth++;
	PG_TRY();
	{
		fn(arg);
	}
	PG_FINALLY();
	{
		internal_write_depth--;
		maintained_roots = list_delete_last(maintained_roots);
	}
	PG_END_TRY();
	AtEOXact_GUC(false, nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

typedef struct RowEvent
{
	TriggerData *trigdata;
	VersionedRel *vr;
	KeyTask    *task;
	bool		becomes_current;
} RowEvent;

static void
maintain_row_event(void *arg)
{
	RowEvent   *event = arg;

	event->becomes_current = maintain(event->trigdata, event->vr, event->task);
}

static void
truncate_heads(void *arg)
{
	VersionedRel *vr = arg;
	char	   *sql = psprintf("TRUNCATE %s",
							   quote_qualified_identifier(NameStr(vr->heads_schema),
														  NameStr(vr->heads_name)));

	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not truncate heads table \"%s\"", NameStr(vr->heads_name));
}

/* Whether the statement inserts with ON CONFLICT (only DO UPDATE: with updates_only). */
static bool
plan_inserts_on_conflict(PlannedStmt *statement, bool updates_only)
{
	OnConflictAction least = updates_only ? ONCONFLICT_UPDATE : ONCONFLICT_NOTHING;
	ListCell   *lc;

	StaticAssertStmt(ONCONFLICT_NONE < ONCONFLICT_NOTHING &&
					 ONCONFLICT_NOTHING < ONCONFLICT_UPDATE, "order of OnConflictAction");
	if (statement->commandType != CMD_INSERT && statement->subplans == NIL)
		return false;
	if (IsA(statement->planTree, ModifyTable) &&
		((ModifyTable *) statement->planTree)->onConflictAction >= least)
		return true;
	/* data-modifying WITH clauses */
	foreach(lc, statement->subplans)
	{
		Plan	   *plan = lfirst(lc);

		if (plan != NULL && IsA(plan, ModifyTable) &&
			((ModifyTable *) plan)->onConflictAction >= least)
			return true;
	}
	return false;
}

/* The INSERT ... ON CONFLICT statement firing the trigger now, if any. */
static PlannedStmt *
running_on_conflict_statement(void)
{
	PlannedStmt *statement = running_statement();
	ListCell   *lc;

	if (statement != NULL)
		return plan_inserts_on_conflict(statement, false) ? statement : NULL;
	/* This library was loaded during the run: look at the portal's statement. */
	if (ActivePortal != NULL)
	{
		foreach(lc, ActivePortal->stmts)
		{
			if (plan_inserts_on_conflict(lfirst_node(PlannedStmt, lc), false))
				statement = lfirst_node(PlannedStmt, lc);
		}
	}
	return statement;
}

/* Remember the key of a row that claimed the flag, in case ON CONFLICT skips it. */
static void
record_claim(TriggerData *trigdata, KeyTask *task, PlannedStmt *statement)
{
	Relation	rel = trigdata->tg_relation;
	MemoryContext oldcxt;
	PendingClaim *claim;

	if (claims_context == NULL)
		claims_context = AllocSetContextCreate(TopTransactionContext,
											   "current_view pending claims",
											   ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(claims_context);
	claim = palloc(sizeof(PendingClaim));
	claim->statement = statement;
	claim->relid = RelationGetRelid(rel);
	claim->tgoid = trigdata->tg_trigger->tgoid;
	claim->root_relid = task->root->key.relid;
	for (int i = 0; i < task->root->nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
											  task->root->key_attnums[i] - 1);

		claim->keys[i] = datumCopy(task->keys[i], att->attbyval, att->attlen);
	}
	pending_claims = lappend(pending_claims, claim);
	MemoryContextSwitchTo(oldcxt);
}

static void
settle_claimed_key(void *arg)
{
	KeyTask    *task = arg;

	if (run(task->root, PLAN_ANY_CURRENT, task->keys, SPI_OK_SELECT) == 0)
		promote_best(task);
}

/* At the end of INSERT ... ON CONFLICT, give every claimed key a current row. */
static void
versioned_executor_end(QueryDesc *queryDesc)
{
	/*
	 * Also inside maintenance: an INSERT ... ON CONFLICT that a user trigger
	 * runs there ends here too, and its claims are its own.
	 */
	if (pending_claims != NIL)
	{
		List	   *mine = NIL;
		List	   *others = NIL;
		ListCell   *lc;
		MemoryContext oldcxt = MemoryContextSwitchTo(claims_context);

		foreach(lc, pending_claims)
		{
			PendingClaim *claim = lfirst(lc);

			if (claim->statement == queryDesc->plannedstmt)
				mine = lappend(mine, claim);
			else
				others = lappend(others, claim);
		}
		list_free(pending_claims);
		pending_claims = others;
		MemoryContextSwitchTo(oldcxt);

		foreach(lc, mine)
		{
			PendingClaim *claim = lfirst(lc);
			Relation	rel = try_table_open(claim->relid, AccessShareLock);
			KeyTask		task = {.ties_win = true};

			/* gone with a rolled-back subtransaction */
			if (rel == NULL)
				continue;
			for (int i = 0; rel->trigdesc && i < rel->trigdesc->numtriggers; i++)
			{
				if (rel->trigdesc->triggers[i].tgoid == claim->tgoid)
					task.trigger = &rel->trigdesc->triggers[i];
			}
			if (task.trigger != NULL)
			{
				task.root = lookup_versioned_rel(claim->root_relid, claim->root_relid,
												 task.trigger);
				memcpy(task.keys, claim->keys, sizeof(claim->keys));
				as_maintenance(task.root, settle_claimed_key, &task);
			}
			table_close(rel, AccessShareLock);
		}
		/* The claims' keys were copied into claims_context: free them at once. */
		list_free(mine);
		if (pending_claims == NIL)
			MemoryContextReset(claims_context);
	}
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

static void
forget_pending_claims(XactEvent event, void *arg)
{
	/* Both lived in TopTransactionContext. */
	pending_claims = NIL;
	claims_context = NULL;
}

/*
 * The statement path (statement_path.c).  A deferred row is inserted as
 * history; of a statement's deferred rows the best of each key so far is
 * kept (found by the hash of the key's binary images), and settled as the
 * row path would have decided it after all the rows before it: it claims
 * the current row, which locks the key's current row, in key order so that
 * two statements on the same keys cannot deadlock, and is then flagged.
 */
typedef struct DeferredFlag
{
	struct DeferredFlag *next;	/* of the same hash */
	Oid			relid;			/* the leaf it was inserted into */
	HeapTuple	tuple;			/* as inserted, flag aside */
	Datum		keys[MAX_COLUMNS];	/* pointing into tuple */
	Datum		versions[MAX_COLUMNS];
} DeferredFlag;

typedef struct DeferredFlagBucket
{
	uint32		hash;
	char		status;			/* simplehash's */
	DeferredFlag *rows;
} DeferredFlagBucket;

/*
 * Open addressing (simplehash.h) rather than dynahash: the lookup runs for
 * every row of the statement, and was a quarter of the deferring trigger.
 */
#define SH_PREFIX flag_buckets
#define SH_ELEMENT_TYPE DeferredFlagBucket
#define SH_KEY_TYPE uint32
#define SH_KEY hash
#define SH_HASH_KEY(tb, key) murmurhash32(key)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct DeferredFlags
{
	Oid			relid;			/* where a trigger of the table fired */
	Oid			tgoid;
	bool		ties_win;
	int			nkept;
	flag_buckets_hash *buckets;
} DeferredFlags;

static bool
same_key_image(VersionedRel *root, const Datum *a, const Datum *b)
{
	for (int i = 0; i < root->nkeys; i++)
		if (!datum_image_eq(a[i], b[i], root->key_byval[i], root->key_len[i]))
			return false;
	return true;
}

static void
defer_flag_row(StatementFrame *frame, VersionedRel *vr, KeyTask *task, TriggerData *trigdata)
{
	VersionedRel *root = task->root;
	Relation	rel = trigdata->tg_relation;
	MemoryContext oldcxt;
	DeferredFlags *deferred = frame->deferred;
	DeferredFlagBucket *bucket;
	DeferredFlag *kept;
	uint32		hash = 0;
	bool		found;

	/* Rows of statements with other tie rules (unknown statements) go apart. */
	if (deferred != NULL && deferred->ties_win != task->ties_win)
	{
		settle_other_frames(root->key.relid, NULL);
		deferred = NULL;
	}
	oldcxt = MemoryContextSwitchTo(frame_context(frame));
	if (deferred == NULL)
	{
		deferred = palloc0(sizeof(DeferredFlags));
		deferred->relid = RelationGetRelid(rel);
		deferred->tgoid = trigdata->tg_trigger->tgoid;
		deferred->ties_win = task->ties_win;
		deferred->buckets = flag_buckets_create(CurrentMemoryContext, 1024, NULL);
		frame->deferred = deferred;
	}
	for (int i = 0; i < root->nkeys; i++)
		hash = hash_combine(hash, datum_image_hash(task->keys[i], root->key_byval[i],
												   root->key_len[i]));
	bucket = flag_buckets_insert(deferred->buckets, hash, &found);
	if (!found)
		bucket->rows = NULL;
	for (kept = bucket->rows; kept != NULL; kept = kept->next)
		if (same_key_image(root, kept->keys, task->keys))
			break;
	if (kept == NULL || compare_versions(task, kept->versions) >= (task->ties_win ? 0 : 1))
	{
		if (kept == NULL)
		{
			kept = palloc(sizeof(DeferredFlag));
			kept->next = bucket->rows;
			bucket->rows = kept;
			deferred->nkept++;
		}
		else
			heap_freetuple(kept->tuple);
		kept->relid = RelationGetRelid(rel);
		kept->tuple = heap_copytuple(trigdata->tg_trigtuple);
		for (int i = 0; i < vr->nkeys + vr->nversions; i++)
		{
			bool		is_key = i < vr->nkeys;
			AttrNumber	attnum = is_key ? vr->key_attnums[i] : vr->version_attnums[i - vr->nkeys];
			bool		isnull;
			Datum		value = heap_getattr(kept->tuple, attnum, RelationGetDescr(rel), &isnull);

			if (is_key)
				kept->keys[i] = value;
			else
				kept->versions[i - vr->nkeys] = value;
		}
	}
	MemoryContextSwitchTo(oldcxt);
}

static int
compare_deferred_keys(const void *a, const void *b, void *arg)
{
	VersionedRel *root = arg;
	const DeferredFlag *x = *(DeferredFlag *const *) a;
	const DeferredFlag *y = *(DeferredFlag *const *) b;

	for (int i = 0; i < root->nkeys; i++)
	{
		int32		cmp = DatumGetInt32(FunctionCall2Coll(&root->key_cmp[i],
														  root->key_collations[i],
														  x->keys[i], y->keys[i]));

		if (cmp != 0)
			return cmp;
	}
	return 0;
}

/* Find the row that was deferred, unflagged, through the leaf's index of all rows. */
static bool
find_deferred_row(VersionedRel *leaf, Relation rel, DeferredFlag *row, TupleTableSlot *slot)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Datum		scan_values[2 * MAX_COLUMNS];
	KeyScan    *scan;
	bool		found = false;

	memcpy(scan_values, row->keys, sizeof(Datum) * leaf->nkeys);
	memcpy(scan_values + leaf->nkeys, row->versions, sizeof(Datum) * leaf->nversions);
	scan = begin_key_scan(rel, &leaf->rows_index, scan_values);
	while (!found && next_key_row(scan, slot, false))
	{
		found = true;
		for (int i = 0; found && i < tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);
			bool		isnull;
			bool		row_isnull;
			Datum		value;
			Datum		row_value;

			if (att->attisdropped)
				continue;
			value = slot_getattr(slot, i + 1, &isnull);
			if (i + 1 == leaf->flag_attnum)
			{
				found = !isnull && !DatumGetBool(value);
				continue;
			}
			row_value = heap_getattr(row->tuple, i + 1, tupdesc, &row_isnull);
			found = isnull == row_isnull &&
				(isnull || datum_image_eq(value, row_value, att->attbyval, att->attlen));
		}
	}
	end_key_scan(scan);
	return found;
}

typedef struct FlagSettlement
{
	VersionedRel *root;
	Trigger    *trigger;
	DeferredFlags *deferred;
	DeferredFlag **rows;		/* in key order */
} FlagSettlement;

/*
 * The heads rows of keys that have none, in one statement, in key order:
 * which rows' keys got one (and so had no current row).  What
 * PLAN_HEADS_INSERT does for the first row of each key.
 */
static bool *
insert_new_heads(FlagSettlement *settlement)
{
	VersionedRel *root = settlement->root;
	int			n = settlement->deferred->nkept;
	bool	   *inserted = palloc0(sizeof(bool) * n);
	TupleDesc	desc = CreateTemplateTupleDesc(root->nkeys + 1);
	Tuplestorestate *heads = tuplestore_begin_heap(false, false, work_mem);
	EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));
	int			ret;
	uint64		j = 0;

	for (int i = 0; i < root->nkeys; i++)
	{
		TupleDescInitEntry(desc, i + 1, NameStr(root->key_names[i]), root->key_types[i], -1, 0);
		TupleDescInitEntryCollation(desc, i + 1, root->key_collations[i]);
	}
	TupleDescInitEntry(desc, root->nkeys + 1, "current_relation", REGCLASSOID, -1, 0);
	for (int r = 0; r < n; r++)
	{
		Datum		values[MAX_COLUMNS + 1];
		bool		nulls[MAX_COLUMNS + 1] = {false};

		memcpy(values, settlement->rows[r]->keys, sizeof(Datum) * root->nkeys);
		values[root->nkeys] = ObjectIdGetDatum(settlement->rows[r]->relid);
		tuplestore_putvalues(heads, desc, values, nulls);
	}
	enr->md.name = NEW_HEADS;
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = desc;
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = n;
	enr->reldata = heads;
	if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
		elog(ERROR, "SPI_register_relation failed");
	ret = SPI_execute_plan(versioned_plan(root, PLAN_HEADS_INSERT_NEW), NULL, NULL, false, 0);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(ret));
	if (SPI_unregister_relation(NEW_HEADS) != SPI_OK_REL_UNREGISTER)
		elog(ERROR, "SPI_unregister_relation failed");
	/* RETURNING follows the order of insertion, the rows' order. */
	for (int r = 0; r < n && j < SPI_processed; r++)
	{
		Datum		keys[MAX_COLUMNS];
		bool		isnull;

		for (int i = 0; i < root->nkeys; i++)
			keys[i] = SPI_getbinval(SPI_tuptable->vals[j], SPI_tuptable->tupdesc, i + 1, &isnull);
		if (same_key_image(root, keys, settlement->rows[r]->keys))
		{
			inserted[r] = true;
			j++;
		}
	}
	tuplestore_end(heads);
	return inserted;
}

static void settle_flags_in_batches(FlagSettlement *settlement, const bool *first_of_key,
									Oid *batch_relid);

static void
settle_flags_as_owner(void *arg)
{
	FlagSettlement *settlement = arg;
	bool	   *first_of_key = insert_new_heads(settlement);
	Oid			batch_relid = InvalidOid;

	PG_TRY();
	{
		settle_flags_in_batches(settlement, first_of_key, &batch_relid);
	}
	PG_CATCH();
	{
		forget_row_updates();
		PG_RE_THROW();
	}
	PG_END_TRY();
	end_row_updates();
}

/*
 * Flag each key's winner.  The flag updates of one leaf share its opened
 * indexes (begin_row_updates): opening them per row was a tenth of the
 * settlement.
 */
static void
settle_flags_in_batches(FlagSettlement *settlement, const bool *first_of_key,
						Oid *batch_relid)
{
	for (int r = 0; r < settlement->deferred->nkept; r++)
	{
		DeferredFlag *row = settlement->rows[r];
		KeyTask		task = {.trigger = settlement->trigger, .root = settlement->root,
		.ties_win = settlement->deferred->ties_win};
		VersionedRel *leaf = lookup_versioned_rel(row->relid, settlement->root->key.relid,
												  settlement->trigger);
		Relation	rel = table_open(row->relid, RowExclusiveLock);
		TupleTableSlot *slot = table_slot_create(rel, NULL);
		int			flag = leaf->flag_attnum;
		Datum		flagged = BoolGetDatum(true);
		bool		isnull = false;

		if (row->relid != *batch_relid)
		{
			begin_row_updates(rel);
			*batch_relid = row->relid;
		}
		memcpy(task.keys, row->keys, sizeof(Datum) * settlement->root->nkeys);
		memcpy(task.versions, row->versions, sizeof(Datum) * settlement->root->nversions);
		/*
		 * A later trigger changed or removed the row, or ON CONFLICT skipped
		 * it: decide the key from the rows it has.
		 */
		if (!find_deferred_row(leaf, rel, row, slot))
			promote_best(&task);
		else if ((first_of_key[r] || claim_current(&task, row->relid)) &&
				 !update_row_columns(rel, slot, 1, &flag, &flagged, &isnull))
			promote_best(&task);
		ExecDropSingleTupleTableSlot(slot);
		table_close(rel, NoLock);
	}
}

/* StatementSettle of strategy 'flag'. */
static void
settle_flag_rows(Oid root_relid, void *arg)
{
	DeferredFlags *deferred = arg;
	Relation	rel = table_open(deferred->relid, AccessShareLock);
	FlagSettlement settlement = {.deferred = deferred};
	flag_buckets_iterator iter;
	DeferredFlagBucket *bucket;
	int			n = 0;

	settlement.trigger = deferring_trigger(rel, deferred->tgoid);
	settlement.root = lookup_versioned_rel(root_relid, root_relid, settlement.trigger);
	settlement.rows = palloc(sizeof(DeferredFlag *) * deferred->nkept);
	flag_buckets_start_iterate(deferred->buckets, &iter);
	while ((bucket = flag_buckets_iterate(deferred->buckets, &iter)) != NULL)
		for (DeferredFlag *row = bucket->rows; row != NULL; row = row->next)
			settlement.rows[n++] = row;
	qsort_arg(settlement.rows, n, sizeof(DeferredFlag *), compare_deferred_keys,
			  settlement.root);
	as_maintenance(settlement.root, settle_flags_as_owner, &settlement);
	table_close(rel, AccessShareLock);
}

Datum
current_view_flag_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	Relation	rel;
	Oid			root_relid;
	VersionedRel *vr;
	KeyTask		task;
	HeapTuple	result;
	RowEvent	row_event;
	PlannedStmt *on_conflict;
	StatementFrame *frame;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("current_view_flag_trigger: not called by trigger manager")));
	event = trigdata->tg_event;
	rel = trigdata->tg_relation;
	result = TRIGGER_FIRED_BY_UPDATE(event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;

	root_relid = registered_table_of_trigger(trigdata->tg_trigger->tgoid,
											 RelationGetRelid(rel));
	/* A rebuild is rewriting this table's flags (see operations.c). */
	if (root_relid == flag_writes_relid && TRIGGER_FIRED_FOR_ROW(event))
		return PointerGetDatum(result);
	vr = lookup_versioned_rel(RelationGetRelid(rel), root_relid, trigdata->tg_trigger);
	task.trigger = trigdata->tg_trigger;
	task.root = (vr->key.relid == root_relid) ? vr
		: lookup_versioned_rel(root_relid, root_relid, trigdata->tg_trigger);

	if (TRIGGER_FIRED_BY_TRUNCATE(event))
	{
		/* TRUNCATE empties every partition: the heads table follows. */
		as_maintenance(task.root, truncate_heads, vr);
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_FOR_ROW(event))
		elog(ERROR, "current_view_flag_trigger: unexpected statement-level event");
	require_updatable(vr);

	if (TRIGGER_FIRED_BY_UPDATE(event))
	{
		bool		changed = key_or_version_changed(vr, rel, trigdata->tg_trigtuple,
													 trigdata->tg_newtuple);

		/* The flag updates of this table's own maintenance pass through. */
		if (!changed && maintenance_of(root_relid))
			return PointerGetDatum(TRIGGER_FIRED_BEFORE(event) ? result : NULL);
		if (TRIGGER_FIRED_BEFORE(event))
		{
			bool		old_flag = tuple_flag(vr, rel, trigdata->tg_trigtuple);

			/*
			 * A logical replication subscriber whose triggers fire (ENABLE
			 * ALWAYS) decides its flags itself, as for an INSERT: the flag
			 * changes that the origin's triggers made arrive as UPDATEs.
			 */
			if (old_flag != tuple_flag(vr, rel, result) &&
				SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
				result = with_flag(vr, rel, result, old_flag);
			if (old_flag != tuple_flag(vr, rel, result))
				ereport(ERROR,
						(errcode(ERRCODE_GENERATED_ALWAYS),
						 errmsg("column \"%s\" of versioned table \"%s\" is maintained by current_view",
								NameStr(vr->flag_column), RelationGetRelationName(rel)),
						 errdetail("It marks the current row of each key, which follows from the key and version columns."),
						 errtablecol(rel, vr->flag_attnum)));
			/* A current row advanced through the view stays current. */
			if (!changed || row_is_advancing(rel, trigdata->tg_trigtuple))
				return PointerGetDatum(result);
			/*
			 * The AFTER trigger fires only for UPDATE OF the key or version
			 * columns, as the statement named them: a BEFORE trigger that
			 * changed them in an UPDATE of other columns would leave the key
			 * without its current row.
			 */
			if (!updates_key_or_version(vr, trigdata->tg_updatedcols))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("a trigger changed the key or version of a row of versioned table \"%s\" in an UPDATE that does not set them",
								RelationGetRelationName(rel)),
						 errdetail("current_view maintains the current row after an UPDATE of the key or version columns only."),
						 errhint("Name the key and version columns in the UPDATE's SET list, or change them in the statement rather than in a BEFORE trigger."),
						 errtable(rel)));
			/* Reject nulls now; the AFTER trigger decides afresh. */
			read_key_version(&task, vr, rel, trigdata->tg_newtuple, true);
			return PointerGetDatum(with_flag(vr, rel, result, false));
		}
		if (!changed)
			return PointerGetDatum(NULL);
	}

	/* Rows deferred by other statements came first. */
	frame = TRIGGER_FIRED_BY_INSERT(event) ? statement_frame(root_relid, settle_flag_rows) : NULL;
	settle_other_frames(root_relid, frame);

	/* The inserted row, the deleted row, or the row before the update. */
	read_key_version(&task, vr, rel, trigdata->tg_trigtuple, TRIGGER_FIRED_BY_INSERT(event));

	if (TRIGGER_FIRED_BY_INSERT(event))
		replan_if_grown(vr, task.root, rel);

	/*
	 * Under ON CONFLICT an equal version does not replace the current row: the
	 * conflict check and DO UPDATE must find that row as the statement saw it.
	 */
	on_conflict = TRIGGER_FIRED_BY_INSERT(event) ? running_on_conflict_statement() : NULL;
	task.ties_win = (on_conflict == NULL);

	/*
	 * The statement path, unless DO UPDATE may need a current row of this
	 * statement: the row is history until the statement settles its rows.
	 */
	if (frame_defers(frame) && vr->deferrable && task.root->keys_ordered &&
		(on_conflict == NULL || !plan_inserts_on_conflict(on_conflict, true)))
	{
		defer_flag_row(frame, vr, &task, trigdata);
		return PointerGetDatum(with_flag(vr, rel, result, false));
	}

	row_event.trigdata = trigdata;
	row_event.vr = vr;
	row_event.task = &task;
	as_maintenance(task.root, maintain_row_event, &row_event);

	if (!TRIGGER_FIRED_BY_INSERT(event))
		return PointerGetDatum(NULL);
	if (row_event.becomes_current && on_conflict != NULL)
		record_claim(trigdata, &task, on_conflict);
	return PointerGetDatum(with_flag(vr, rel, result, row_event.becomes_current));
}

/* BEFORE UPDATE OR DELETE row trigger of append-only versioned tables. */
Datum
current_view_append_only_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("current_view_append_only_trigger: not called by trigger manager")));
	/*
	 * Flag maintenance updates rows of append-only tables too, and an UPDATE
	 * through the view moves a current row forward, keeping its previous
	 * contents as a new history row (which may delete it from its partition).
	 * A logical replication subscriber applies what the origin's triggers
	 * did and already allowed.
	 */
	if ((TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) && maintained_roots != NIL &&
		 maintenance_of(registered_table_of_trigger(trigdata->tg_trigger->tgoid,
													RelationGetRelid(trigdata->tg_relation)))) ||
		SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA ||
		row_is_advancing(trigdata->tg_relation, trigdata->tg_trigtuple) ||
		(OidIsValid(flag_writes_relid) &&
		 registered_table_of_trigger(trigdata->tg_trigger->tgoid,
									 RelationGetRelid(trigdata->tg_relation)) == flag_writes_relid))
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
							   trigdata->tg_newtuple : trigdata->tg_trigtuple);
	ereport(ERROR,
			(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
			 errmsg("cannot %s rows of append-only versioned table \"%s\"",
					TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "update" : "delete",
					RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("The table was registered with append_only => true: add a new version instead."),
			 errtable(trigdata->tg_relation)));
	PG_RETURN_NULL();			/* keep compiler quiet */
}
