/*-------------------------------------------------------------------------
 * current_table.c
 *	  Strategy 'table': a separate table holding the current row of each key,
 *	  kept by triggers on the history table; and writes through <view_name>
 *	  (the current table, or the view of strategy 'flag') that append
 *	  versions instead of rewriting history.
 *
 * The current table has the history table's columns and a primary key on
 * the key columns.  Its row of a key is the serialisation point of every
 * writer of that key:
 *
 *	- an insert upserts its row, replacing the current one when its version
 *	  is greater or equal (ties: the row inserted last wins); when the key has
 *	  a current row, directly (rowaccess.c: found through the primary key,
 *	  locked, rewritten, no trigger fired), else with INSERT ... ON CONFLICT.  When it loses
 *	  it still updates the current row in place ("touch"), so that a
 *	  concurrent promoter running under REPEATABLE READ, whose snapshot cannot
 *	  see the loser, gets a serialisation failure instead of promoting a row
 *	  older than the loser's;
 *	- a delete (or an update of the key or version) locks the current row.
 *	  When the row that left was the current one (same contents), the best
 *	  remaining history row is copied in, or the current row is deleted when
 *	  none is left; otherwise the current row is touched, for the same reason
 *	  as above.
 *
 * The executor locks a deleted or updated history row before the triggers
 * run and inserts take no history row locks, so every path locks history
 * rows before the current row, never the reverse: INSERT and DELETE cannot
 * deadlock on one key.
 *
 * Writes to <view_name>:
 *
 *	- strategy 'table': BEFORE row triggers on the current table.  An UPDATE
 *	  reaches its trigger with the row locked and re-checked (EvalPlanQual),
 *	  so concurrent "SET qty = qty + 1" are applied one after the other.  The
 *	  trigger appends the new version to the history table, tells the history
 *	  trigger to leave the current row alone, and returns the new row, which
 *	  the UPDATE itself then writes into the current table.  INSERT appends a
 *	  version and skips the original operation, so it reports zero rows.
 *	  DELETE appends a tombstone, lets the row go, and an AFTER DELETE trigger
 *	  puts the tombstone in its place.
 *	- strategy 'flag': the view is automatically updatable.  PostgreSQL turns
 *	  an UPDATE of it into an UPDATE of the current history row, which the
 *	  executor locks and re-checks like any other.  A BEFORE trigger on the
 *	  history table gives the row the next version, keeping its flag, and an
 *	  AFTER trigger inserts the row's previous contents as a history row (only
 *	  then: until the update, the row still holds the previous version, which
 *	  a unique index on key and version would reject).  The current row of a
 *	  key moves forward along one chain of updates, so concurrent
 *	  "SET qty = qty + 1" are applied one after the other, as with 'table'.
 *	  DELETE goes through an INSTEAD OF trigger, which receives the row as of
 *	  the statement's snapshot without any re-check: it locks the current
 *	  history row and raises serialization_failure when that is no longer
 *	  the row the statement read.
 *
 * Plans are prepared once per relation and kept; a relcache callback drops
 * them.  Statements run as the owner of the history table.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/dependency.h"
#include "catalog/partition.h"
#include "commands/sequence.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "nodes/nodeFuncs.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/queryenvironment.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(current_view_table_trigger);
PG_FUNCTION_INFO_V1(current_view_write_trigger);

/* Layout of the trigger arguments written by register_versioned_table(). */
#define ARG_SCHEMA			0	/* schema of the history and current tables */
#define ARG_HISTORY			1	/* history table */
#define ARG_CURRENT			2	/* <view_name>: current table, or 'flag' view */
#define ARG_FLAG			3	/* flag column, '' for strategy 'table' */
#define ARG_DELETED			4	/* deleted_column, '' when none */
#define ARG_NKEYS			5
#define ARG_NVERSIONS		6
#define ARG_FIRST_COLUMN	7	/* keys, versions, then next_version expressions */

typedef enum HistoryPlan
{
	/* maintenance of the current table */
	HP_UPSERT,					/* insert or replace by a greater-or-equal version */
	HP_TOUCH,					/* update the current row to itself */
	HP_LOCK_CURRENT,			/* lock and read the current row */
	HP_BEST,					/* the best history row of a key */
	HP_SET,						/* overwrite the current row */
	HP_DELETE,					/* delete the current row */
	/* writes through <view_name> */
	HP_LOCK_FLAGGED,			/* lock and read the flagged history row */
	HP_APPEND,					/* insert a new version, returning it */
	HP_KEEP,					/* insert a copy of an existing version */
	HP_NEXT_VERSION,			/* evaluate next_version */
	/* the statement path */
	HP_SETTLE,					/* upsert the best of the deferred rows of each key */
	NUM_HISTORY_PLANS
} HistoryPlan;

typedef struct HistoryRel
{
	Oid			relid;			/* hash key: the relation the trigger is on */
	bool		valid;
	MemoryContext cxt;			/* holds the arrays below */
	Oid			history_relid;
	Oid			current_relid;	/* InvalidOid for strategy 'flag' */
	Oid			view_relid;		/* InvalidOid for strategy 'table' */
	Oid			owner;
	bool		history_is_partitioned;
	char	   *history_name;	/* qualified and quoted */
	char	   *current_name;
	char	   *flag_column;	/* NULL for strategy 'table' */
	AttrNumber	flag_attnum;	/* in relation relid when it is a table */
	/* the columns of the current table (or of the 'flag' view) */
	int			ncols;
	NameData   *col_names;
	Oid		   *col_types;
	Oid		   *col_collations;
	int16	   *col_typlen;
	bool	   *col_byval;
	AttrNumber *col_attnums;	/* in relation relid */
	/* in the history table: PostgreSQL computes these columns of a new row */
	bool	   *col_generated;	/* stored generated columns */
	char	   *col_identity;	/* attidentity */
	Oid		   *col_sequence;	/* the sequences of identity columns */
	int			deleted_col;	/* index into the columns, or -1 */
	int			nkeys;
	int			nversions;
	int		   *key_cols;		/* indexes into the columns */
	int		   *version_cols;
	NameData   *key_names;
	Oid		   *key_types;
	NameData   *version_names;
	Oid		   *version_types;
	Oid		   *version_collations;
	FmgrInfo   *version_cmp;
	char	  **next_version;	/* one expression per version column, or NULL */
	/* strategy 'table': the current row is found and replaced without SPI */
	bool		direct;
	char	   *missing_column; /* of the history table, not among the columns */
	int		   *current_attnums;	/* the columns' numbers in the current table */
	KeyIndex	current_key;	/* the current table's primary key */
	TupleDesc	settled_desc;	/* rows that HP_SETTLE reads: the columns, an ordinal */
	SPIPlanPtr	plans[NUM_HISTORY_PLANS];
} HistoryRel;

/* The values of one row, in the order of HistoryRel's columns. */
typedef struct RowValues
{
	Datum	   *values;
	bool	   *nulls;			/* 'n' / ' ' as SPI wants them */
} RowValues;

/*
 * The statement path (statement_path.c): of the rows a statement deferred,
 * the best of each key so far, found by the hash of the key's binary images
 * (keys equal by their operators but not in image are told apart here and
 * merged by HP_SETTLE's DISTINCT ON).
 */
#define SETTLED_ROWS "current_view_settled"

typedef struct DeferredRow
{
	struct DeferredRow *next;	/* of the same hash */
	uint64		ordinal;		/* in the statement's order of row events */
	RowValues	row;
} DeferredRow;

typedef struct DeferredBucket
{
	uint32		hash;
	DeferredRow *rows;
} DeferredBucket;

typedef struct DeferredRows
{
	Oid			relid;			/* where a trigger fired, to find it again */
	Oid			tgoid;
	uint64		count;
	HTAB	   *buckets;
} DeferredRows;

static HTAB *history_rels = NULL;

static int	compare_versions(HistoryRel *hr, RowValues a, RowValues b);

/* Our own writes to the current table pass through its write trigger. */
static List *maintained_current = NIL;

/*
 * A version appended by an UPDATE of the current table: the UPDATE itself
 * writes the current row, so the history trigger must leave it alone.
 */
static List *redirected_histories = NIL;

static void
invalidate_history_rels(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	HistoryRel *hr;

	hash_seq_init(&status, history_rels);
	while ((hr = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || hr->relid == relid ||
			hr->history_relid == relid || hr->current_relid == relid ||
			hr->view_relid == relid)
			hr->valid = false;
	}
}

void
current_table_init(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(HistoryRel);
	history_rels = hash_create("current_view history relations", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS);
	CacheRegisterRelcacheCallback(invalidate_history_rels, (Datum) 0);
}

static Oid
relation_in_schema(const char *schema, const char *name, const char *role)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid(schema, false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("%s \"%s.%s\" of a versioned table does not exist", role, schema, name),
				 errhint("Unregister the table and register it again.")));
	return relid;
}

/* Index of a column among hr's columns, by name. */
static int
column_index(HistoryRel *hr, const char *name, Relation rel)
{
	for (int i = 0; i < hr->ncols; i++)
		if (strcmp(NameStr(hr->col_names[i]), name) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of \"%s\" does not exist", name,
					RelationGetRelationName(rel)),
			 errhint("Unregister the table before renaming or dropping its columns.")));
	return -1;					/* keep compiler quiet */
}

/*
 * A column of the history table (but the flag) that hr's columns lack or
 * have with another type, or NULL: a version copied without it would lose
 * its value.
 */
static char *
column_not_copied(HistoryRel *hr)
{
	Relation	history = relation_open(hr->history_relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(history);
	char	   *result = NULL;

	for (int a = 0; a < desc->natts && result == NULL; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		bool		found = att->attisdropped ||
			(hr->flag_column != NULL && strcmp(NameStr(att->attname), hr->flag_column) == 0);

		for (int i = 0; i < hr->ncols && !found; i++)
			found = strcmp(NameStr(hr->col_names[i]), NameStr(att->attname)) == 0 &&
				hr->col_types[i] == att->atttypid;
		if (!found)
			result = pstrdup(NameStr(att->attname));
	}
	relation_close(history, AccessShareLock);
	return result;
}

static void
build_history_rel(HistoryRel *hr, Relation rel, Trigger *trigger)
{
	char	  **args = trigger->tgargs;
	Oid			columns_relid;
	TupleDesc	columns_desc;
	Relation	columns_rel;
	HeapTuple	classtup;
	Form_pg_class classform;
	int			next_first;

	if (trigger->tgnargs < ARG_FIRST_COLUMN + 2)
		elog(ERROR, "trigger \"%s\" has too few arguments", trigger->tgname);
	hr->nkeys = pg_strtoint32(args[ARG_NKEYS]);
	hr->nversions = pg_strtoint32(args[ARG_NVERSIONS]);
	next_first = ARG_FIRST_COLUMN + hr->nkeys + hr->nversions;
	if (hr->nkeys < 1 || hr->nversions < 1 ||
		(trigger->tgnargs != next_first && trigger->tgnargs != next_first + hr->nversions))
		elog(ERROR, "trigger \"%s\" has malformed arguments", trigger->tgname);

	hr->history_relid = relation_in_schema(args[ARG_SCHEMA], args[ARG_HISTORY], "history table");
	hr->history_name = quote_qualified_identifier(args[ARG_SCHEMA], args[ARG_HISTORY]);
	if (args[ARG_FLAG][0] != '\0')
	{
		/* Before writes through the view advanced rows, 'flag' named no view. */
		if (args[ARG_CURRENT][0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("trigger \"%s\" on \"%s\" was created by an earlier build of current_view",
							trigger->tgname, RelationGetRelationName(rel)),
					 errhint("Unregister the table and register it again.")));
		hr->flag_column = pstrdup(args[ARG_FLAG]);
		hr->view_relid = relation_in_schema(args[ARG_SCHEMA], args[ARG_CURRENT], "view");
		hr->flag_attnum = get_attnum(RelationGetRelid(rel), hr->flag_column);
	}
	else
	{
		hr->current_relid = relation_in_schema(args[ARG_SCHEMA], args[ARG_CURRENT], "current table");
		hr->current_name = quote_qualified_identifier(args[ARG_SCHEMA], args[ARG_CURRENT]);
	}

	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(hr->history_relid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for relation %u", hr->history_relid);
	classform = (Form_pg_class) GETSTRUCT(classtup);
	hr->owner = classform->relowner;
	hr->history_is_partitioned = classform->relkind == RELKIND_PARTITIONED_TABLE;
	ReleaseSysCache(classtup);

	/* The columns: those of the current table, or of the 'flag' view. */
	columns_relid = OidIsValid(hr->current_relid) ? hr->current_relid : hr->view_relid;
	columns_rel = relation_open(columns_relid, AccessShareLock);
	columns_desc = RelationGetDescr(columns_rel);
	hr->col_names = palloc(sizeof(NameData) * columns_desc->natts);
	hr->col_types = palloc(sizeof(Oid) * columns_desc->natts);
	hr->col_collations = palloc(sizeof(Oid) * columns_desc->natts);
	hr->col_typlen = palloc(sizeof(int16) * columns_desc->natts);
	hr->col_byval = palloc(sizeof(bool) * columns_desc->natts);
	hr->col_attnums = palloc(sizeof(AttrNumber) * columns_desc->natts);
	hr->col_generated = palloc(sizeof(bool) * columns_desc->natts);
	hr->col_sequence = palloc(sizeof(Oid) * columns_desc->natts);
	hr->col_identity = palloc(columns_desc->natts);
	hr->current_attnums = palloc(sizeof(int) * columns_desc->natts);
	for (int i = 0; i < columns_desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(columns_desc, i);
		AttrNumber	attnum;
		HeapTuple	histtup;
		Form_pg_attribute histatt;

		if (att->attisdropped)
			continue;
		attnum = get_attnum(RelationGetRelid(rel), NameStr(att->attname));
		if (attnum == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of \"%s\" does not exist in \"%s\"",
							NameStr(att->attname), RelationGetRelationName(columns_rel),
							RelationGetRelationName(rel)),
					 errhint("Unregister the table before changing its columns, then register it again.")));
		/* Values are read from one relation with the types of the other. */
		if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid != att->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of \"%s\" has type %s in \"%s\"",
							NameStr(att->attname), RelationGetRelationName(rel),
							format_type_be(att->atttypid), RelationGetRelationName(columns_rel)),
					 errhint("Unregister the table and register it again.")));
		histtup = SearchSysCacheAttName(hr->history_relid, NameStr(att->attname));
		if (!HeapTupleIsValid(histtup))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of \"%s\" does not exist in \"%s\"",
							NameStr(att->attname), RelationGetRelationName(columns_rel),
							get_rel_name(hr->history_relid)),
					 errhint("Unregister the table and register it again.")));
		histatt = (Form_pg_attribute) GETSTRUCT(histtup);
		hr->col_generated[hr->ncols] = histatt->attgenerated != '\0';
		hr->col_identity[hr->ncols] = histatt->attidentity;
		hr->col_sequence[hr->ncols] = histatt->attidentity != '\0' ?
			getIdentitySequence(hr->history_relid, histatt->attnum, false) : InvalidOid;
		ReleaseSysCache(histtup);
		hr->col_names[hr->ncols] = att->attname;
		hr->col_types[hr->ncols] = att->atttypid;
		hr->col_collations[hr->ncols] = att->attcollation;
		hr->col_typlen[hr->ncols] = att->attlen;
		hr->col_byval[hr->ncols] = att->attbyval;
		hr->col_attnums[hr->ncols] = attnum;
		hr->current_attnums[hr->ncols] = att->attnum;
		hr->ncols++;
	}

	hr->deleted_col = args[ARG_DELETED][0] != '\0' ? column_index(hr, args[ARG_DELETED], rel) : -1;
	hr->key_cols = palloc(sizeof(int) * hr->nkeys);
	hr->key_names = palloc(sizeof(NameData) * hr->nkeys);
	hr->key_types = palloc(sizeof(Oid) * hr->nkeys);
	for (int i = 0; i < hr->nkeys; i++)
	{
		int			c = column_index(hr, args[ARG_FIRST_COLUMN + i], rel);

		hr->key_cols[i] = c;
		hr->key_names[i] = hr->col_names[c];
		hr->key_types[i] = hr->col_types[c];
	}
	if (OidIsValid(hr->current_relid))
	{
		AttrNumber	key_attnums[INDEX_MAX_KEYS];

		for (int i = 0; i < hr->nkeys; i++)
			key_attnums[i] = hr->current_attnums[hr->key_cols[i]];
		hr->direct = hr->nkeys <= INDEX_MAX_KEYS && rows_writable_directly(columns_rel) &&
			find_key_index(columns_rel, hr->nkeys, key_attnums, InvalidAttrNumber,
						   &hr->current_key);
	}
	relation_close(columns_rel, AccessShareLock);
	hr->missing_column = column_not_copied(hr);
	hr->version_cols = palloc(sizeof(int) * hr->nversions);
	hr->version_names = palloc(sizeof(NameData) * hr->nversions);
	hr->version_types = palloc(sizeof(Oid) * hr->nversions);
	hr->version_collations = palloc(sizeof(Oid) * hr->nversions);
	hr->version_cmp = palloc(sizeof(FmgrInfo) * hr->nversions);
	for (int i = 0; i < hr->nversions; i++)
	{
		int			c = column_index(hr, args[ARG_FIRST_COLUMN + hr->nkeys + i], rel);
		TypeCacheEntry *typentry = lookup_type_cache(hr->col_types[c], TYPECACHE_CMP_PROC_FINFO);

		if (!OidIsValid(typentry->cmp_proc_finfo.fn_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("could not identify a comparison function for type %s",
							format_type_be(hr->col_types[c]))));
		hr->version_cols[i] = c;
		hr->version_names[i] = hr->col_names[c];
		hr->version_types[i] = hr->col_types[c];
		hr->version_collations[i] = hr->col_collations[c];
		fmgr_info_copy(&hr->version_cmp[i], &typentry->cmp_proc_finfo, CurrentMemoryContext);
	}
	if (trigger->tgnargs > next_first)
	{
		hr->next_version = palloc(sizeof(char *) * hr->nversions);
		for (int i = 0; i < hr->nversions; i++)
			hr->next_version[i] = pstrdup(args[next_first + i]);
	}
}

static HistoryRel *
lookup_history_rel(Relation rel, Trigger *trigger)
{
	Oid			relid = RelationGetRelid(rel);
	HistoryRel *hr;
	bool		found;
	MemoryContext oldcxt;

	hr = hash_search(history_rels, &relid, HASH_ENTER, &found);
	if (found && hr->valid)
		return hr;
	if (found)
	{
		for (int i = 0; i < NUM_HISTORY_PLANS; i++)
			if (hr->plans[i] != NULL)
				SPI_freeplan(hr->plans[i]);
		MemoryContextDelete(hr->cxt);
	}
	memset(((char *) hr) + sizeof(Oid), 0, sizeof(HistoryRel) - sizeof(Oid));
	hr->cxt = AllocSetContextCreate(CacheMemoryContext, "current_view history relation",
									ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(hr->cxt);
	PG_TRY();
	{
		build_history_rel(hr, rel, trigger);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		MemoryContextDelete(hr->cxt);
		hash_search(history_rels, &relid, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	hr->valid = true;
	return hr;
}

/*
 * Whether column i of a new version gets the next value of its identity
 * (GENERATED ALWAYS) rather than the copied one: key and version columns are
 * always written.
 */
static bool
gets_new_identity(HistoryRel *hr, int i)
{
	if (hr->col_identity[i] != ATTRIBUTE_IDENTITY_ALWAYS)
		return false;
	for (int k = 0; k < hr->nkeys; k++)
		if (hr->key_cols[k] == i)
			return false;
	for (int k = 0; k < hr->nversions; k++)
		if (hr->version_cols[k] == i)
			return false;
	return true;
}

/* "$first, $first+1, ..." */
static void
append_params(StringInfo buf, int first, int n)
{
	for (int i = 0; i < n; i++)
		appendStringInfo(buf, "%s$%d", i > 0 ? ", " : "", first + i);
}

static SPIPlanPtr
history_plan(HistoryRel *hr, HistoryPlan kind)
{
	StringInfoData sql;
	Oid		   *argtypes;
	int			nargs = 0;
	const char *only = hr->history_is_partitioned ? "" : "ONLY ";

	if (hr->plans[kind] != NULL)
		return hr->plans[kind];

	argtypes = palloc(sizeof(Oid) * (hr->nkeys + hr->ncols));
	initStringInfo(&sql);
	switch (kind)
	{
		case HP_UPSERT:
			appendStringInfo(&sql, "INSERT INTO %s AS c (", hr->current_name);
			append_column_list(&sql, NULL, hr->col_names, hr->ncols, "");
			appendStringInfoString(&sql, ") VALUES (");
			append_params(&sql, 1, hr->ncols);
			appendStringInfoString(&sql, ") ON CONFLICT (");
			append_column_list(&sql, NULL, hr->key_names, hr->nkeys, "");
			appendStringInfoString(&sql, ") DO UPDATE SET ");
			for (int i = 0, n = 0; i < hr->ncols; i++)
			{
				const char *name = quote_identifier(NameStr(hr->col_names[i]));

				appendStringInfo(&sql, "%s%s = excluded.%s", n++ > 0 ? ", " : "", name, name);
			}
			appendStringInfoString(&sql, " WHERE NOT ");
			append_version_greater(&sql, "c", hr->version_names, hr->version_types,
								   hr->nversions, "excluded", 0);
			memcpy(argtypes, hr->col_types, sizeof(Oid) * hr->ncols);
			nargs = hr->ncols;
			break;
		case HP_TOUCH:
			appendStringInfo(&sql, "UPDATE %s SET %s = %s WHERE ", hr->current_name,
							 quote_identifier(NameStr(hr->key_names[0])),
							 quote_identifier(NameStr(hr->key_names[0])));
			append_key_quals(&sql, hr->key_names, hr->key_types, hr->nkeys, 1);
			break;
		case HP_LOCK_CURRENT:
		case HP_BEST:
		case HP_LOCK_FLAGGED:
			appendStringInfoString(&sql, "SELECT ");
			append_column_list(&sql, NULL, hr->col_names, hr->ncols, "");
			if (kind == HP_LOCK_CURRENT)
				appendStringInfo(&sql, " FROM %s WHERE ", hr->current_name);
			else
				appendStringInfo(&sql, " FROM %s%s WHERE ", only, hr->history_name);
			append_key_quals(&sql, hr->key_names, hr->key_types, hr->nkeys, 1);
			if (kind == HP_BEST)
			{
				appendStringInfoString(&sql, " ORDER BY ");
				append_column_list(&sql, NULL, hr->version_names, hr->nversions, " DESC");
				appendStringInfoString(&sql, " LIMIT 1");
			}
			else if (kind == HP_LOCK_FLAGGED)
				appendStringInfo(&sql, " AND %s FOR UPDATE", quote_identifier(hr->flag_column));
			else
				appendStringInfoString(&sql, " FOR UPDATE");
			break;
		case HP_SET:
			appendStringInfo(&sql, "UPDATE %s SET ", hr->current_name);
			for (int i = 0; i < hr->ncols; i++)
				appendStringInfo(&sql, "%s%s = $%d", i > 0 ? ", " : "",
								 quote_identifier(NameStr(hr->col_names[i])),
								 hr->nkeys + 1 + i);
			appendStringInfoString(&sql, " WHERE ");
			append_key_quals(&sql, hr->key_names, hr->key_types, hr->nkeys, 1);
			memcpy(argtypes + hr->nkeys, hr->col_types, sizeof(Oid) * hr->ncols);
			nargs = hr->ncols;
			break;
		case HP_DELETE:
			appendStringInfo(&sql, "DELETE FROM %s WHERE ", hr->current_name);
			append_key_quals(&sql, hr->key_names, hr->key_types, hr->nkeys, 1);
			break;
		case HP_APPEND:
		case HP_KEEP:
			{
				/*
				 * PostgreSQL computes stored generated columns, and the
				 * identity of a new version where it is GENERATED ALWAYS; a
				 * copy of an existing version keeps its identity.  With
				 * 'flag', the row is history unless its insert trigger
				 * decides otherwise.
				 */
				StringInfoData values;
				int			n = 0;
				bool		overriding = false;

				initStringInfo(&values);
				appendStringInfo(&sql, "INSERT INTO %s (", hr->history_name);
				for (int i = 0; i < hr->ncols; i++)
				{
					if (hr->col_generated[i] ||
						(kind == HP_APPEND && gets_new_identity(hr, i)))
						continue;
					overriding |= hr->col_identity[i] == ATTRIBUTE_IDENTITY_ALWAYS;
					appendStringInfo(&sql, "%s%s", n > 0 ? ", " : "",
									 quote_identifier(NameStr(hr->col_names[i])));
					/*
					 * An identity column cannot be null: null is a value
					 * the write did not give (the current table has no
					 * identity), which gets the identity's next value.
					 */
					if (kind == HP_APPEND && hr->col_identity[i] == ATTRIBUTE_IDENTITY_BY_DEFAULT)
						appendStringInfo(&values, "%sCOALESCE($%d, pg_catalog.nextval(%u::pg_catalog.oid::pg_catalog.regclass))",
										 n++ > 0 ? ", " : "", i + 1, hr->col_sequence[i]);
					else
						appendStringInfo(&values, "%s$%d", n++ > 0 ? ", " : "", i + 1);
				}
				if (hr->flag_column != NULL)
				{
					appendStringInfo(&sql, "%s%s", n > 0 ? ", " : "", quote_identifier(hr->flag_column));
					appendStringInfo(&values, "%sfalse", n++ > 0 ? ", " : "");
				}
				appendStringInfo(&sql, ") %sVALUES (%s) RETURNING ",
								 overriding ? "OVERRIDING SYSTEM VALUE " : "",
								 values.data);
				append_column_list(&sql, NULL, hr->col_names, hr->ncols, "");
				pfree(values.data);
				memcpy(argtypes, hr->col_types, sizeof(Oid) * hr->ncols);
				nargs = hr->ncols;
			}
			break;
		case HP_NEXT_VERSION:
			appendStringInfoString(&sql, "SELECT ");
			for (int i = 0; i < hr->nversions; i++)
				appendStringInfo(&sql, "%s(%s)::%s", i > 0 ? ", " : "", hr->next_version[i],
								 format_type_be_qualified(hr->version_types[i]));
			appendStringInfoString(&sql, " FROM (SELECT ");
			for (int i = 0; i < hr->nversions; i++)
				appendStringInfo(&sql, "%s$%d AS %s", i > 0 ? ", " : "", i + 1,
								 quote_identifier(NameStr(hr->version_names[i])));
			appendStringInfoString(&sql, ") AS current_version");
			memcpy(argtypes, hr->version_types, sizeof(Oid) * hr->nversions);
			nargs = hr->nversions;
			break;
		case HP_SETTLE:
			/* As HP_UPSERT then HP_TOUCH for each key, in key order. */
			appendStringInfo(&sql, "INSERT INTO %s AS c (", hr->current_name);
			append_column_list(&sql, NULL, hr->col_names, hr->ncols, "");
			appendStringInfoString(&sql, ") SELECT DISTINCT ON (");
			append_column_list(&sql, NULL, hr->key_names, hr->nkeys, "");
			appendStringInfoString(&sql, ") ");
			append_column_list(&sql, NULL, hr->col_names, hr->ncols, "");
			appendStringInfoString(&sql, " FROM " SETTLED_ROWS " ORDER BY ");
			append_column_list(&sql, NULL, hr->key_names, hr->nkeys, "");
			appendStringInfoString(&sql, ", ");
			append_column_list(&sql, NULL, hr->version_names, hr->nversions, " DESC");
			appendStringInfo(&sql, ", %s DESC ON CONFLICT (",
							 quote_identifier(NameStr(TupleDescAttr(hr->settled_desc, hr->ncols)->attname)));
			append_column_list(&sql, NULL, hr->key_names, hr->nkeys, "");
			appendStringInfoString(&sql, ") DO UPDATE SET ");
			for (int i = 0; i < hr->ncols; i++)
			{
				const char *name = quote_identifier(NameStr(hr->col_names[i]));

				appendStringInfo(&sql, "%s%s = CASE WHEN NOT ", i > 0 ? ", " : "", name);
				append_version_greater(&sql, "c", hr->version_names, hr->version_types,
									   hr->nversions, "excluded", 0);
				appendStringInfo(&sql, " THEN excluded.%s ELSE c.%s END", name, name);
			}
			break;
		case NUM_HISTORY_PLANS:
			elog(ERROR, "invalid plan kind");
	}
	/* Statements on one key take the key values first. */
	if (kind != HP_UPSERT && kind != HP_APPEND && kind != HP_KEEP && kind != HP_NEXT_VERSION &&
		kind != HP_SETTLE)
	{
		memcpy(argtypes, hr->key_types, sizeof(Oid) * hr->nkeys);
		nargs += hr->nkeys;
	}

	hr->plans[kind] = prepare_kept_plan(sql.data, nargs, argtypes);
	pfree(sql.data);
	pfree(argtypes);
	return hr->plans[kind];
}

static uint64
run(HistoryRel *hr, HistoryPlan kind, Datum *values, const bool *nulls, int expected_ret)
{
	char	   *nullchars = NULL;
	int			ret;

	if (nulls != NULL)
	{
		int			nargs = SPI_getargcount(history_plan(hr, kind));

		nullchars = palloc(nargs);
		for (int i = 0; i < nargs; i++)
			nullchars[i] = nulls[i] ? 'n' : ' ';
	}
	ret = SPI_execute_plan(history_plan(hr, kind), values, nullchars, false, 0);
	if (ret != expected_ret)
		elog(ERROR, "SPI_execute_plan returned %s, expected %s",
			 SPI_result_code_string(ret), SPI_result_code_string(expected_ret));
	return SPI_processed;
}

static RowValues
new_row(HistoryRel *hr, int extra)
{
	RowValues	row;

	row.values = palloc0(sizeof(Datum) * (hr->ncols + extra));
	row.nulls = palloc0(sizeof(bool) * (hr->ncols + extra));
	return row;
}

/* The columns of a tuple of the trigger's relation. */
static RowValues
tuple_row(HistoryRel *hr, Relation rel, HeapTuple tuple)
{
	RowValues	row = new_row(hr, 0);

	for (int i = 0; i < hr->ncols; i++)
		row.values[i] = heap_getattr(tuple, hr->col_attnums[i], RelationGetDescr(rel),
									 &row.nulls[i]);
	return row;
}

/* The first row SPI returned, whose columns are hr's columns. */
static RowValues
spi_row(HistoryRel *hr)
{
	RowValues	row = new_row(hr, 0);

	for (int i = 0; i < hr->ncols; i++)
		row.values[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1,
									  &row.nulls[i]);
	return row;
}

static bool
rows_equal(HistoryRel *hr, RowValues a, RowValues b, int ncols, const int *cols)
{
	for (int j = 0; j < ncols; j++)
	{
		int			i = cols ? cols[j] : j;

		if (a.nulls[i] != b.nulls[i] ||
			(!a.nulls[i] && !datum_image_eq(a.values[i], b.values[i],
											hr->col_byval[i], hr->col_typlen[i])))
			return false;
	}
	return true;
}

/* The key values of a row, followed by extra values when given. */
static RowValues
key_params(HistoryRel *hr, RowValues row, RowValues *extra)
{
	RowValues	params = new_row(hr, hr->nkeys);

	for (int i = 0; i < hr->nkeys; i++)
	{
		params.values[i] = row.values[hr->key_cols[i]];
		params.nulls[i] = row.nulls[hr->key_cols[i]];
	}
	if (extra != NULL)
	{
		memcpy(params.values + hr->nkeys, extra->values, sizeof(Datum) * hr->ncols);
		memcpy(params.nulls + hr->nkeys, extra->nulls, sizeof(bool) * hr->ncols);
	}
	return params;
}

static void
require_key_version(HistoryRel *hr, RowValues row, Relation rel)
{
	for (int i = 0; i < hr->nkeys + hr->nversions; i++)
	{
		bool		is_key = i < hr->nkeys;
		int			c = is_key ? hr->key_cols[i] : hr->version_cols[i - hr->nkeys];

		if (row.nulls[c])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("null value in %s column \"%s\" of versioned table \"%s\"",
							is_key ? "key" : "version", NameStr(hr->col_names[c]),
							RelationGetRelationName(rel)),
					 errdetail("The current row of a key is decided by its key and version columns, which cannot be null."),
					 errtablecol(rel, hr->col_attnums[c])));
	}
}

/* Compare the versions of row with those of a row of the current table. */
static int
compare_with_current(HistoryRel *hr, RowValues row, TupleTableSlot *slot)
{
	for (int i = 0; i < hr->nversions; i++)
	{
		int			c = hr->version_cols[i];
		bool		isnull;
		Datum		current = slot_getattr(slot, hr->current_attnums[c], &isnull);
		int32		cmp = DatumGetInt32(FunctionCall2Coll(&hr->version_cmp[i],
														  hr->version_collations[i],
														  row.values[c], current));

		if (cmp != 0)
			return cmp;
	}
	return 0;
}

/*
 * What HP_UPSERT, or HP_TOUCH after it, does when the key has a current row,
 * without SPI: find it through the primary key and replace it by the arrived
 * row unless its version is greater, else update it to itself (the update
 * locks it, waiting for a concurrent writer like an UPDATE).
 * No trigger fires.  False when the key has no current row.
 */
static bool
arrive_directly(HistoryRel *hr, RowValues row)
{
	Relation	rel = table_open(hr->current_relid, RowExclusiveLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	Datum		keys[INDEX_MAX_KEYS];
	bool		found = false;

	for (int i = 0; i < hr->nkeys; i++)
		keys[i] = row.values[hr->key_cols[i]];
	/* Rows written so far by this command become visible, as to SPI. */
	CommandCounterIncrement();
	while (fetch_indexed_row(rel, &hr->current_key, keys, slot))
	{
		/* The update waits for, and tells of, a concurrent change. */
		if (compare_with_current(hr, row, slot) >= 0 ?
			update_row_columns(rel, slot, hr->ncols, hr->current_attnums,
							   row.values, row.nulls) :
			update_row_columns(rel, slot, 0, NULL, NULL, NULL))
		{
			found = true;
			break;
		}
		/* changed since it was read: look again */
	}
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, NoLock);
	return found;
}

/* A history row arrived: it replaces the current row unless that is newer. */
static void
current_row_arrived(HistoryRel *hr, RowValues row)
{
	if (hr->direct && arrive_directly(hr, row))
		return;
	if (run(hr, HP_UPSERT, row.values, row.nulls, SPI_OK_INSERT) == 0)
	{
		RowValues	keys = key_params(hr, row, NULL);

		run(hr, HP_TOUCH, keys.values, keys.nulls, SPI_OK_UPDATE);
	}
}

/*
 * A history row left its key (deleted, or its key or version changed): if it
 * was the current row, the best remaining row of the key takes its place.
 */
static void
current_row_left(HistoryRel *hr, RowValues row)
{
	RowValues	keys = key_params(hr, row, NULL);
	RowValues	best;
	RowValues	set;

	if (run(hr, HP_LOCK_CURRENT, keys.values, keys.nulls, SPI_OK_SELECT) == 0)
		return;
	if (!rows_equal(hr, spi_row(hr), row, hr->ncols, NULL))
	{
		run(hr, HP_TOUCH, keys.values, keys.nulls, SPI_OK_UPDATE);
		return;
	}
	if (run(hr, HP_BEST, keys.values, keys.nulls, SPI_OK_SELECT) == 0)
	{
		run(hr, HP_DELETE, keys.values, keys.nulls, SPI_OK_DELETE);
		return;
	}
	best = spi_row(hr);
	set = key_params(hr, row, &best);
	run(hr, HP_SET, set.values, set.nulls, SPI_OK_UPDATE);
}

/*
 * Whether this transaction updated or deleted the row after inserting it,
 * before the row's AFTER INSERT trigger fired (a user's AFTER trigger that
 * fires first, a later row's BEFORE trigger).  The trigger sees the row as
 * inserted, which is then no longer what the history holds.
 */
static bool
superseded_in_this_transaction(HeapTuple tuple)
{
	HeapTupleHeader header = tuple->t_data;

	if ((header->t_infomask & HEAP_XMAX_INVALID) || HEAP_XMAX_IS_LOCKED_ONLY(header->t_infomask))
		return false;
	return TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetUpdateXid(header));
}

/*
 * The key of an inserted row that was superseded: the triggers of its later
 * versions have fired, so the key takes its best history row (or none).
 */
static void
current_row_recomputed(HistoryRel *hr, RowValues row)
{
	RowValues	keys = key_params(hr, row, NULL);

	if (run(hr, HP_BEST, keys.values, keys.nulls, SPI_OK_SELECT) > 0)
		current_row_arrived(hr, spi_row(hr));
	else
		run(hr, HP_DELETE, keys.values, keys.nulls, SPI_OK_DELETE);
}

static bool
key_or_version_changed(HistoryRel *hr, RowValues old, RowValues new)
{
	return !rows_equal(hr, old, new, hr->nkeys, hr->key_cols) ||
		!rows_equal(hr, old, new, hr->nversions, hr->version_cols);
}

static void
maintain_current_table(TriggerData *trigdata, HistoryRel *hr)
{
	TriggerEvent event = trigdata->tg_event;
	Relation	rel = trigdata->tg_relation;
	RowValues	row = tuple_row(hr, rel, trigdata->tg_trigtuple);

	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		require_key_version(hr, row, rel);
		if (superseded_in_this_transaction(trigdata->tg_trigtuple))
			current_row_recomputed(hr, row);
		else
			current_row_arrived(hr, row);
	}
	else if (TRIGGER_FIRED_BY_DELETE(event))
		current_row_left(hr, row);
	else
	{
		RowValues	new = tuple_row(hr, rel, trigdata->tg_newtuple);

		require_key_version(hr, new, rel);
		if (key_or_version_changed(hr, row, new))
		{
			current_row_left(hr, row);
			current_row_arrived(hr, new);
		}
		else
		{
			/* Other columns changed: the current row keeps up with them. */
			RowValues	keys = key_params(hr, row, NULL);

			if (run(hr, HP_LOCK_CURRENT, keys.values, keys.nulls, SPI_OK_SELECT) > 0 &&
				rows_equal(hr, spi_row(hr), row, hr->ncols, NULL))
			{
				RowValues	set = key_params(hr, row, &new);

				run(hr, HP_SET, set.values, set.nulls, SPI_OK_UPDATE);
			}
		}
	}
}

/* Connect to SPI and become the history table's owner. */
typedef struct SpiSession
{
	Oid			save_userid;
	int			save_sec_context;
} SpiSession;

static SpiSession
begin_as_owner(HistoryRel *hr)
{
	SpiSession	s;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	GetUserIdAndSecContext(&s.save_userid, &s.save_sec_context);
	SetUserIdAndSecContext(hr->owner, s.save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	return s;
}

static void
end_as_owner(SpiSession s)
{
	SetUserIdAndSecContext(s.save_userid, s.save_sec_context);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

static void
require_trigger(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: not called by trigger manager", name)));
}

/* The row type HP_SETTLE reads: hr's columns and an ordinal named apart from them. */
static TupleDesc
settled_desc(HistoryRel *hr)
{
	MemoryContext oldcxt;
	NameData	ordinal;

	if (hr->settled_desc != NULL)
		return hr->settled_desc;
	oldcxt = MemoryContextSwitchTo(hr->cxt);
	hr->settled_desc = CreateTemplateTupleDesc(hr->ncols + 1);
	for (int i = 0; i < hr->ncols; i++)
	{
		TupleDescInitEntry(hr->settled_desc, i + 1, NameStr(hr->col_names[i]),
						   hr->col_types[i], -1, 0);
		TupleDescInitEntryCollation(hr->settled_desc, i + 1, hr->col_collations[i]);
	}
	namestrcpy(&ordinal, "ordinal");
	for (int i = 0; i < hr->ncols; i++)
	{
		if (strcmp(NameStr(ordinal), NameStr(hr->col_names[i])) == 0)
		{
			/* taken: lengthen it and check every column again */
			snprintf(NameStr(ordinal), NAMEDATALEN, "%s_", NameStr(hr->col_names[i]));
			i = -1;
		}
	}
	TupleDescInitEntry(hr->settled_desc, hr->ncols + 1, NameStr(ordinal), INT8OID, -1, 0);
	MemoryContextSwitchTo(oldcxt);
	return hr->settled_desc;
}

/* Keep a deferred row if it is the best of its key among the frame's so far. */
static void
defer_row(StatementFrame *frame, HistoryRel *hr, TriggerData *trigdata, RowValues row)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(frame_context(frame));
	DeferredRows *deferred = frame->deferred;
	DeferredBucket *bucket;
	DeferredRow *kept;
	uint32		hash = 0;
	bool		found;

	if (deferred == NULL)
	{
		deferred = palloc0(sizeof(DeferredRows));
		deferred->relid = RelationGetRelid(trigdata->tg_relation);
		deferred->tgoid = trigdata->tg_trigger->tgoid;
		deferred->buckets = create_key_buckets("current_view deferred rows",
											   sizeof(DeferredBucket));
		frame->deferred = deferred;
	}
	for (int i = 0; i < hr->nkeys; i++)
	{
		int			c = hr->key_cols[i];

		hash = hash_combine(hash, datum_image_hash(row.values[c], hr->col_byval[c],
												   hr->col_typlen[c]));
	}
	bucket = hash_search(deferred->buckets, &hash, HASH_ENTER, &found);
	if (!found)
		bucket->rows = NULL;
	for (kept = bucket->rows; kept != NULL; kept = kept->next)
		if (rows_equal(hr, kept->row, row, hr->nkeys, hr->key_cols))
			break;
	deferred->count++;
	/* Among equal versions, the row inserted last wins. */
	if (kept == NULL || compare_versions(hr, row, kept->row) >= 0)
	{
		if (kept == NULL)
		{
			kept = palloc(sizeof(DeferredRow));
			kept->next = bucket->rows;
			bucket->rows = kept;
			kept->row = new_row(hr, 0);
			memset(kept->row.nulls, true, sizeof(bool) * hr->ncols);
		}
		kept->ordinal = deferred->count;
		for (int i = 0; i < hr->ncols; i++)
		{
			if (!kept->row.nulls[i] && !hr->col_byval[i])
				pfree(DatumGetPointer(kept->row.values[i]));
			kept->row.nulls[i] = row.nulls[i];
			kept->row.values[i] = row.nulls[i] ? (Datum) 0 :
				datumCopy(row.values[i], hr->col_byval[i], hr->col_typlen[i]);
		}
	}
	MemoryContextSwitchTo(oldcxt);
}

/* StatementSettle of strategy 'table': one HP_SETTLE over the deferred rows. */
static void
settle_deferred_rows(Oid target, void *arg)
{
	DeferredRows *deferred = arg;
	Relation	rel = table_open(deferred->relid, AccessShareLock);
	HistoryRel *hr;
	Tuplestorestate *rows;
	EphemeralNamedRelation enr;
	HASH_SEQ_STATUS status;
	DeferredBucket *bucket;
	SpiSession	s;

	hr = lookup_history_rel(rel, deferring_trigger(rel, deferred->tgoid));

	rows = tuplestore_begin_heap(false, false, work_mem);
	hash_seq_init(&status, deferred->buckets);
	while ((bucket = hash_seq_search(&status)) != NULL)
	{
		for (DeferredRow *kept = bucket->rows; kept != NULL; kept = kept->next)
		{
			Datum	   *values = palloc(sizeof(Datum) * (hr->ncols + 1));
			bool	   *nulls = palloc(sizeof(bool) * (hr->ncols + 1));

			memcpy(values, kept->row.values, sizeof(Datum) * hr->ncols);
			memcpy(nulls, kept->row.nulls, sizeof(bool) * hr->ncols);
			values[hr->ncols] = Int64GetDatum((int64) kept->ordinal);
			nulls[hr->ncols] = false;
			tuplestore_putvalues(rows, settled_desc(hr), values, nulls);
			pfree(values);
			pfree(nulls);
		}
	}

	enr = palloc0(sizeof(EphemeralNamedRelationData));
	enr->md.name = SETTLED_ROWS;
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = settled_desc(hr);
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = tuplestore_tuple_count(rows);
	enr->reldata = rows;

	s = begin_as_owner(hr);
	maintained_current = relid_stack_push(maintained_current, hr->current_relid);
	PG_TRY();
	{
		int			ret;

		if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
			elog(ERROR, "SPI_register_relation failed");
		ret = SPI_execute_plan(history_plan(hr, HP_SETTLE), NULL, NULL, false, 0);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "SPI_execute_plan returned %s, expected %s",
				 SPI_result_code_string(ret), SPI_result_code_string(SPI_OK_INSERT));
	}
	PG_FINALLY();
	{
		maintained_current = list_delete_last(maintained_current);
	}
	PG_END_TRY();
	end_as_owner(s);
	tuplestore_end(rows);
	table_close(rel, AccessShareLock);
}

/* AFTER INSERT, UPDATE, DELETE (row) and TRUNCATE triggers of the history table. */
Datum
current_view_table_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HistoryRel *hr;
	SpiSession	s;

	require_trigger(fcinfo, "current_view_table_trigger");
	hr = lookup_history_rel(trigdata->tg_relation, trigdata->tg_trigger);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		list_member_oid(redirected_histories, hr->history_relid))
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		StatementFrame *frame = NULL;

		if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
			frame = statement_frame(hr->current_relid, settle_deferred_rows);
		settle_other_frames(hr->current_relid, frame);
		if (frame_defers(frame) && !superseded_in_this_transaction(trigdata->tg_trigtuple))
		{
			RowValues	row = tuple_row(hr, trigdata->tg_relation, trigdata->tg_trigtuple);

			require_key_version(hr, row, trigdata->tg_relation);
			defer_row(frame, hr, trigdata, row);
			return PointerGetDatum(NULL);
		}
	}

	s = begin_as_owner(hr);
	maintained_current = relid_stack_push(maintained_current, hr->current_relid);
	PG_TRY();
	{
		if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		{
			if (SPI_execute(psprintf("TRUNCATE %s", hr->current_name), false, 0) != SPI_OK_UTILITY)
				elog(ERROR, "could not truncate the current table of \"%s\"",
					 RelationGetRelationName(trigdata->tg_relation));
		}
		else
			maintain_current_table(trigdata, hr);
	}
	PG_FINALLY();
	{
		maintained_current = list_delete_last(maintained_current);
	}
	PG_END_TRY();
	end_as_owner(s);
	return PointerGetDatum(NULL);
}

/* The relation a statement writes to: for an UPDATE advancing a 'flag' row, the view. */
static const char *
written_relation_name(HistoryRel *hr, Relation rel)
{
	if (OidIsValid(hr->view_relid) && rel->rd_rel->relkind != RELKIND_VIEW)
		return get_rel_name(hr->view_relid);
	return RelationGetRelationName(rel);
}

/*
 * The version of a version appended through <view_name>: next_version
 * evaluated on the current row's version, under a fixed search_path so that
 * the expression means what it meant at registration.
 */
static void
next_version(HistoryRel *hr, Relation rel, RowValues current, Datum *versions)
{
	int			nest;
	Datum	   *params = palloc(sizeof(Datum) * hr->nversions);

	if (hr->next_version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot compute the next version of \"%s\"", written_relation_name(hr, rel)),
				 errdetail("The versioned table was registered without next_version."),
				 errhint("Set the version columns explicitly, or register the table again with next_version.")));
	for (int i = 0; i < hr->nversions; i++)
		params[i] = current.values[hr->version_cols[i]];
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	run(hr, HP_NEXT_VERSION, params, NULL, SPI_OK_SELECT);
	AtEOXact_GUC(true, nest);
	for (int i = 0; i < hr->nversions; i++)
	{
		bool		isnull;

		versions[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("next_version of \"%s\" returned null for column \"%s\"",
							written_relation_name(hr, rel), NameStr(hr->version_names[i]))));
	}
}

static int
compare_versions(HistoryRel *hr, RowValues a, RowValues b)
{
	for (int i = 0; i < hr->nversions; i++)
	{
		int			c = hr->version_cols[i];
		int32		cmp = DatumGetInt32(FunctionCall2Coll(&hr->version_cmp[i],
														  hr->version_collations[i],
														  a.values[c], b.values[c]));

		if (cmp != 0)
			return cmp;
	}
	return 0;
}

/*
 * Strategy 'flag': lock the key's current history row and check that it is
 * still the row the statement read.
 */
static void
lock_flagged_row(HistoryRel *hr, Relation rel, RowValues old)
{
	RowValues	keys = key_params(hr, old, NULL);

	if (run(hr, HP_LOCK_FLAGGED, keys.values, keys.nulls, SPI_OK_SELECT) == 0 ||
		!rows_equal(hr, spi_row(hr), old, hr->ncols, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update of \"%s\"",
						RelationGetRelationName(rel)),
				 errdetail("The current row of the key changed after the statement read it."),
				 errhint("Retry the statement: strategy 'table' applies concurrent updates of one key one after the other instead.")));
}

/*
 * The row to append for an UPDATE (new) or a DELETE (new is a copy of old
 * with the deleted column set): its version is the one the statement set or,
 * when it left the version alone, next_version.  With may_tie, the version
 * may equal old's (an equal version inserted later wins).  Returns the row.
 */
static RowValues
appended_row(HistoryRel *hr, Relation rel, RowValues old, RowValues new, bool set_by_statement,
			 bool may_tie)
{
	Datum	   *versions = palloc(sizeof(Datum) * hr->nversions);
	int			cmp;

	require_key_version(hr, new, rel);
	if (!rows_equal(hr, old, new, hr->nkeys, hr->key_cols))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot change the key of a current row of \"%s\"",
						written_relation_name(hr, rel)),
				 errhint("Insert the row under its new key instead.")));
	if (!set_by_statement || rows_equal(hr, old, new, hr->nversions, hr->version_cols))
	{
		next_version(hr, rel, old, versions);
		for (int i = 0; i < hr->nversions; i++)
			new.values[hr->version_cols[i]] = versions[i];
	}
	cmp = compare_versions(hr, new, old);
	if (cmp < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("new version of a current row of \"%s\" is older than the current version",
						written_relation_name(hr, rel)),
				 errdetail("A version appended through the current view must become the current row.")));
	if (cmp == 0 && !may_tie)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("new version of a current row of \"%s\" equals the current version",
						written_relation_name(hr, rel)),
				 errdetail("An UPDATE through the view keeps the current version as a history row, so the new version must be greater.")));
	return new;
}

/* Return tuple with n columns of row (indexes cols into hr's columns). */
static HeapTuple
with_row_columns(HistoryRel *hr, Relation rel, HeapTuple tuple, RowValues row, int n,
				 const int *cols)
{
	int		   *attnums = palloc(sizeof(int) * n);
	Datum	   *values = palloc(sizeof(Datum) * n);
	char	   *nulls = palloc0(n);
	HeapTuple	result;

	for (int i = 0; i < n; i++)
	{
		attnums[i] = hr->col_attnums[cols[i]];
		values[i] = row.values[cols[i]];
		nulls[i] = row.nulls[cols[i]] ? 'n' : ' ';
	}
	result = SPI_modifytuple(rel, tuple, n, attnums, values, nulls);
	if (result == NULL)
		elog(ERROR, "SPI_modifytuple failed: %s", SPI_result_code_string(SPI_result));
	return result;
}

/*
 * 'table': append a version whose current row the write through <view_name>
 * takes care of itself, so the history trigger leaves the current table alone.
 * Returns the row appended, with the columns PostgreSQL computed.
 */
static RowValues
append_redirected(HistoryRel *hr, RowValues row)
{
	redirected_histories = relid_stack_push(redirected_histories, hr->history_relid);
	PG_TRY();
	{
		run(hr, HP_APPEND, row.values, row.nulls, SPI_OK_INSERT_RETURNING);
	}
	PG_FINALLY();
	{
		redirected_histories = list_delete_last(redirected_histories);
	}
	PG_END_TRY();
	/* The current row must be a history row. */
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
				 errmsg("the version written through \"%s\" was not inserted into \"%s\"",
						get_rel_name(hr->current_relid), get_rel_name(hr->history_relid)),
				 errdetail("A BEFORE INSERT trigger on the history table skipped it.")));
	return spi_row(hr);
}

/* The columns of hr, 0 .. ncols - 1. */
static int *
all_columns(HistoryRel *hr)
{
	int		   *cols = palloc(sizeof(int) * hr->ncols);

	for (int i = 0; i < hr->ncols; i++)
		cols[i] = i;
	return cols;
}

/*
 * 'table', AFTER DELETE through <view_name>: the DELETE removed the key's
 * row and its BEFORE trigger appended a tombstone, which takes the row's
 * place (the current table keeps tombstones, so that older versions arriving
 * later stay history).
 */
static void
tombstone_replaces(HistoryRel *hr, RowValues old)
{
	RowValues	keys = key_params(hr, old, NULL);

	maintained_current = relid_stack_push(maintained_current, hr->current_relid);
	PG_TRY();
	{
		if (run(hr, HP_BEST, keys.values, keys.nulls, SPI_OK_SELECT) > 0)
		{
			RowValues	best = spi_row(hr);

			run(hr, HP_UPSERT, best.values, best.nulls, SPI_OK_INSERT);
		}
	}
	PG_FINALLY();
	{
		maintained_current = list_delete_last(maintained_current);
	}
	PG_END_TRY();
}

static HeapTuple
write_through(TriggerData *trigdata, HistoryRel *hr)
{
	TriggerEvent event = trigdata->tg_event;
	Relation	rel = trigdata->tg_relation;
	bool		is_flag = hr->flag_column != NULL;
	RowValues	old;
	RowValues	new;

	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		new = tuple_row(hr, rel, trigdata->tg_trigtuple);
		run(hr, HP_APPEND, new.values, new.nulls, SPI_OK_INSERT_RETURNING);
		return NULL;
	}

	old = tuple_row(hr, rel, trigdata->tg_trigtuple);
	if (TRIGGER_FIRED_AFTER(event))
	{
		tombstone_replaces(hr, old);
		return NULL;
	}
	if (TRIGGER_FIRED_BY_DELETE(event) && hr->deleted_col < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot delete from \"%s\"", RelationGetRelationName(rel)),
				 errdetail("Deleting a current row appends a tombstone version, which needs a deleted column."),
				 errhint("Register the versioned table with deleted_column, or delete from the history table.")));
	if (is_flag)
		lock_flagged_row(hr, rel, old);

	if (TRIGGER_FIRED_BY_UPDATE(event))
	{
		new = appended_row(hr, rel, old, tuple_row(hr, rel, trigdata->tg_newtuple), true, true);
		/* The UPDATE itself writes the current row: the version as appended. */
		return with_row_columns(hr, rel, trigdata->tg_newtuple, append_redirected(hr, new),
								hr->ncols, all_columns(hr));
	}

	/* DELETE: a tombstone copy of the current row. */
	new = new_row(hr, 0);
	memcpy(new.values, old.values, sizeof(Datum) * hr->ncols);
	memcpy(new.nulls, old.nulls, sizeof(bool) * hr->ncols);
	new.values[hr->deleted_col] = BoolGetDatum(true);
	new.nulls[hr->deleted_col] = false;
	new = appended_row(hr, rel, old, new, false, true);
	/* 'flag': the tombstone claims the flag; 'table': see tombstone_replaces(). */
	if (is_flag)
		run(hr, HP_APPEND, new.values, new.nulls, SPI_OK_INSERT_RETURNING);
	else
		(void) append_redirected(hr, new);
	return trigdata->tg_trigtuple;
}

/*
 * The current row an UPDATE through a 'flag' view is moving forward, valid
 * during the statement's run only: a later BEFORE trigger may cancel the
 * update and leave the row as it was.
 */
static struct
{
	Oid			relid;
	ItemPointerData tid;
	uint64		statement_serial;
}			advancing;

/*
 * Whether oldtuple of rel is the current row an UPDATE through the view is
 * moving forward: the flag triggers let it keep its flag, and an append-only
 * table lets it change.
 */
bool
row_is_advancing(Relation rel, HeapTuple oldtuple)
{
	return advancing.relid == RelationGetRelid(rel) &&
		ItemPointerEquals(&advancing.tid, &oldtuple->t_self) &&
		advancing.statement_serial == running_statement_serial();
}

/* Whether a tuple of the 'flag' history table rel is flagged and not a tombstone. */
static bool
tuple_is_current(HistoryRel *hr, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		flag = heap_getattr(tuple, hr->flag_attnum, RelationGetDescr(rel), &isnull);

	if (isnull || !DatumGetBool(flag))
		return false;
	if (hr->deleted_col >= 0)
	{
		Datum		deleted = heap_getattr(tuple, hr->col_attnums[hr->deleted_col],
										   RelationGetDescr(rel), &isnull);

		return isnull || !DatumGetBool(deleted);
	}
	return true;
}

/* Whether rel is referenced by a foreign key: its PK-side triggers say so. */
static bool
is_referenced(Relation rel)
{
	TriggerDesc *trigdesc = rel->trigdesc;

	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
		if (RI_FKey_trigger_type(trigdesc->triggers[i].tgfoid) == RI_TRIGGER_PK)
			return true;
	return false;
}

/*
 * 'flag', a new version made in place by an UPDATE through the view: the
 * columns its BEFORE trigger sets in row, the versions and, as an INSERT of
 * the version would, the next value of each GENERATED ALWAYS identity column
 * (PostgreSQL computes stored generated columns itself).  Returns their
 * number, their indexes in *cols.
 */
static int
new_version_columns(HistoryRel *hr, RowValues row, int **cols)
{
	int		   *result = palloc(sizeof(int) * (hr->nversions + hr->ncols));
	int			n = 0;

	for (int i = 0; i < hr->nversions; i++)
		result[n++] = hr->version_cols[i];
	for (int i = 0; i < hr->ncols; i++)
	{
		int64		next;

		if (!gets_new_identity(hr, i))
			continue;
		next = nextval_internal(hr->col_sequence[i], false);
		switch (hr->col_types[i])
		{
			case INT2OID:
				row.values[i] = Int16GetDatum((int16) next);
				break;
			case INT4OID:
				row.values[i] = Int32GetDatum((int32) next);
				break;
			default:
				row.values[i] = Int64GetDatum(next);
				break;
		}
		row.nulls[i] = false;
		result[n++] = i;
	}
	*cols = result;
	return n;
}

/*
 * Strategy 'flag', triggers on the history table for an UPDATE through the
 * view (see the header comment).  BEFORE UPDATE of a current row: return the
 * row with the next version.  AFTER UPDATE, or AFTER DELETE when the new
 * version moved the row to another partition: insert the row's previous
 * contents as a history row, which the flag triggers let through unflagged.
 */
static HeapTuple
advance_current_row(TriggerData *trigdata, HistoryRel *hr)
{
	Relation	rel = trigdata->tg_relation;
	RowValues	old = tuple_row(hr, rel, trigdata->tg_trigtuple);
	RowValues	new;
	Oid			save_flag_writes_relid = flag_writes_relid;
	int		   *cols;
	int			ncols;

	if (TRIGGER_FIRED_BEFORE(trigdata->tg_event))
	{
		/*
		 * The view shows live current rows only, but INSERT ... ON CONFLICT
		 * DO UPDATE through it may reach any row, and a trigger of the user's
		 * may have changed the flag.
		 */
		if (!tuple_is_current(hr, rel, trigdata->tg_trigtuple) ||
			!tuple_is_current(hr, rel, trigdata->tg_newtuple))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot update a row of \"%s\" through its view \"%s\" that is not the current row of its key",
							get_rel_name(hr->history_relid), get_rel_name(hr->view_relid)),
					 errdetail("Only the live current row of a key can get a new version through the view."),
					 errhint("Write to the table itself to change older versions.")));
		/* References to (key, version) would follow the row to its new version. */
		if (is_referenced(rel))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot update \"%s\" through its view \"%s\": foreign keys reference its rows",
							get_rel_name(hr->history_relid), get_rel_name(hr->view_relid)),
					 errdetail("An UPDATE through the view gives the current row its new version in place, which would change the row that references point to."),
					 errhint("Insert the new version into the table instead.")));
		new = appended_row(hr, rel, old, tuple_row(hr, rel, trigdata->tg_newtuple), true, false);
		advancing.relid = RelationGetRelid(rel);
		advancing.tid = trigdata->tg_trigtuple->t_self;
		advancing.statement_serial = running_statement_serial();
		ncols = new_version_columns(hr, new, &cols);
		return with_row_columns(hr, rel, trigdata->tg_newtuple, new, ncols, cols);
	}

	/* Only a row the BEFORE trigger advanced has previous contents to keep. */
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		compare_versions(hr, tuple_row(hr, rel, trigdata->tg_newtuple), old) <= 0)
		return NULL;
	flag_writes_relid = hr->history_relid;
	PG_TRY();
	{
		run(hr, HP_KEEP, old.values, old.nulls, SPI_OK_INSERT_RETURNING);
	}
	PG_FINALLY();
	{
		flag_writes_relid = save_flag_writes_relid;
	}
	PG_END_TRY();
	return NULL;
}

/* Whether a Var-free expression tree calls function funcid. */
static bool
calls_function(Node *node, Oid *funcid)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcid == *funcid)
		return true;
	return expression_tree_walker(node, calls_function, funcid);
}

/*
 * Whether view is the view of a 'flag' registration of the table the trigger
 * is on, whatever it is called now: a view of that table whose WHERE clause
 * calls _load_library().
 */
static bool
is_flag_view_of(Oid view_relid, Relation rel, Oid trigger_function)
{
	/* A statement updating a view of its own asks once per row: remember. */
	static uint64 checked_statement = 0;
	static Oid	checked_view = InvalidOid;
	static Oid	checked_rel = InvalidOid;
	static bool checked_result = false;
	Relation	view;
	Query	   *query;
	List	   *load_library_name;
	Oid			load_library;
	bool		result = false;

	if (checked_statement == running_statement_serial() && checked_view == view_relid &&
		checked_rel == RelationGetRelid(rel))
		return checked_result;

	view = relation_open(view_relid, AccessShareLock);
	query = get_view_query(view);
	load_library_name = list_make2(makeString(get_namespace_name(get_func_namespace(trigger_function))),
								   makeString("_load_library"));
	load_library = LookupFuncName(load_library_name, 0, NULL, true);
	if (list_length(query->jointree->fromlist) == 1 &&
		IsA(linitial(query->jointree->fromlist), RangeTblRef))
	{
		RangeTblRef *ref = linitial(query->jointree->fromlist);
		Oid			base_relid = rt_fetch(ref->rtindex, query->rtable)->relid;

		result = relation_or_ancestor(rel, base_relid) &&
			calls_function(query->jointree->quals, &load_library);
	}
	relation_close(view, AccessShareLock);

	checked_statement = running_statement_serial();
	checked_view = view_relid;
	checked_rel = RelationGetRelid(rel);
	checked_result = result;
	return result;
}

/*
 * Whether the statement firing an advance trigger updates the view the
 * trigger was registered with.  A view of the table is that view when it has
 * the registered name; a view that only looks like one (it was renamed) is
 * an error rather than a silent in-place update of history.
 */
static bool
updates_registered_view(TriggerData *trigdata, Oid trigger_function)
{
	char	  **args = trigdata->tg_trigger->tgargs;
	List	   *views = statement_updated_views();
	Oid			namespace;
	ListCell   *lc;

	/* The flag updates of every insert come here: no catalog lookup for them. */
	if (views == NIL)
		return false;
	namespace = get_namespace_oid(args[ARG_SCHEMA], true);
	foreach(lc, views)
	{
		Oid			view_relid = lfirst_oid(lc);
		char	   *view_name = get_rel_name(view_relid);

		if (view_name != NULL && strcmp(view_name, args[ARG_CURRENT]) == 0 &&
			get_rel_namespace(view_relid) == namespace)
			return true;
		if (is_flag_view_of(view_relid, trigdata->tg_relation, trigger_function))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("view \"%s\" of versioned table \"%s\" was renamed or moved",
							view_name, RelationGetRelationName(trigdata->tg_relation)),
					 errdetail("It was registered as \"%s.%s\".", args[ARG_SCHEMA], args[ARG_CURRENT]),
					 errhint("Unregister the table and register it again.")));
	}
	return false;
}

/*
 * Writes to <view_name>: BEFORE INSERT, UPDATE, DELETE row triggers of the
 * current table (strategy 'table'); with strategy 'flag', the INSTEAD OF
 * DELETE trigger of the view and the advance triggers of the history table.
 */
Datum
current_view_write_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	HistoryRel *hr;
	HeapTuple	result = NULL;
	SpiSession	s;
	bool		advance;
	HeapTuple	not_ours;

	require_trigger(fcinfo, "current_view_write_trigger");
	event = trigdata->tg_event;
	not_ours = TRIGGER_FIRED_BY_UPDATE(event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	/* The maintenance of the current table writes it directly. */
	if (list_member_oid(maintained_current, RelationGetRelid(trigdata->tg_relation)))
		return PointerGetDatum(not_ours);
	/* The advance triggers of a 'flag' history table leave every other write to it alone. */
	advance = trigdata->tg_relation->rd_rel->relkind != RELKIND_VIEW &&
		trigdata->tg_trigger->tgnargs > ARG_FLAG &&
		trigdata->tg_trigger->tgargs[ARG_FLAG][0] != '\0';
	if (advance && !updates_registered_view(trigdata, fcinfo->flinfo->fn_oid))
		return PointerGetDatum(not_ours);
	hr = lookup_history_rel(trigdata->tg_relation, trigdata->tg_trigger);
	/* A rebuild or a partition repair writes the current table directly. */
	if (OidIsValid(flag_writes_relid) && hr->history_relid == flag_writes_relid &&
		RelationGetRelid(trigdata->tg_relation) == hr->current_relid)
		return PointerGetDatum(not_ours);
	if (advance)
		check_view_update_alone(hr->view_relid, trigdata->tg_relation, hr->history_relid);
	else
		settle_other_frames(hr->current_relid, NULL);
	/* Versions are copied whole, or not at all. */
	if (hr->missing_column != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("column \"%s\" of versioned table \"%s\" is missing from \"%s\" or has another type there",
						hr->missing_column, get_rel_name(hr->history_relid),
						get_rel_name(OidIsValid(hr->current_relid) ? hr->current_relid : hr->view_relid)),
				 errdetail("A version written through the view would lose the value of the column."),
				 errhint("The column changed while event triggers were off: unregister the table and register it again.")));

	s = begin_as_owner(hr);
	result = advance ? advance_current_row(trigdata, hr) : write_through(trigdata, hr);
	end_as_owner(s);
	return PointerGetDatum(result);
}
