/*-------------------------------------------------------------------------
 * current_view.h
 *	  Declarations shared by the C files of the current_view extension.
 *-------------------------------------------------------------------------
 */
#ifndef CURRENT_VIEW_H
#define CURRENT_VIEW_H

#include "postgres.h"

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/primnodes.h"
#include "parser/parse_coerce.h"
#include "nodes/lockoptions.h"
#include "lib/stringinfo.h"
#include "nodes/plannodes.h"
#include "utils/hsearch.h"
#include "utils/relcache.h"
#include "utils/reltrigger.h"
#include "utils/snapshot.h"

/*
 * PostgreSQL 16 renamed the ownership checks and gave name-list parsing a
 * soft-error argument (callers include utils/acl.h and utils/regproc.h).
 */
#if PG_VERSION_NUM >= 160000
#define owns_relation(relid, roleid) object_ownercheck(RelationRelationId, (relid), (roleid))
#define parse_qualified_name(string) stringToQualifiedNameList((string), NULL)
#else
#define owns_relation(relid, roleid) pg_class_ownercheck((relid), (roleid))
#define parse_qualified_name(string) stringToQualifiedNameList(string)
#endif

/* sql_text.c: building SQL text that does not depend on search_path */
extern char *qualified_relation_name(Oid relid);
extern void append_type_operator(StringInfo buf, Oid typid, int strategy);
extern void append_operator(StringInfo buf, Oid opno);
extern void append_equality_qual(StringInfo buf, const char *column, Oid typid,
								 int paramno);
extern void append_key_quals(StringInfo buf, const NameData *names, const Oid *types,
							 int n, int first_param);
extern void append_version_greater(StringInfo buf, const char *lhs_alias,
								   const NameData *names, const Oid *types, int n,
								   const char *rhs_alias, int first_param);
extern void append_column_list(StringInfo buf, const char *prefix,
							   const NameData *names, int n, const char *suffix);

/* sql_text.c: running a cached SPI plan and checking its outcome */
extern uint64 execute_plan(SPIPlanPtr plan, Datum *values, int expected_ret);
extern SPIPlanPtr prepare_kept_plan(const char *sql, int nargs, Oid *argtypes);

/* rowaccess.c: one row of a key through an index, without SPI */
typedef struct KeyIndex
{
	Oid			indexoid;
	bool		unique;
	int			nkeys;
	RegProcedure eq_procs[INDEX_MAX_KEYS];	/* key = scan value */
	Oid			collations[INDEX_MAX_KEYS];
} KeyIndex;

extern bool rows_writable_directly(Relation rel);
extern bool find_key_index(Relation rel, int nkeys, const AttrNumber *attnums,
						   AttrNumber predicate_attnum, KeyIndex *ki);
extern bool find_prefix_index(Relation rel, int ncolumns, const AttrNumber *attnums,
							  int min_columns, KeyIndex *ki);
typedef struct KeyScan KeyScan;
extern KeyScan *begin_key_scan(Relation rel, const KeyIndex *ki, const Datum *keys);
extern bool next_key_row(KeyScan *ks, TupleTableSlot *slot, bool restart);
extern void end_key_scan(KeyScan *ks);
extern bool fetch_indexed_row(Relation rel, const KeyIndex *ki, const Datum *keys,
							  TupleTableSlot *slot);
extern bool read_indexed_row(Relation rel, const KeyIndex *ki, const Datum *keys,
							 Snapshot snapshot, TupleTableSlot *slot);
extern bool lock_fetched_row(Relation rel, TupleTableSlot *slot, LockTupleMode mode);
extern void begin_row_updates(Relation rel);
extern void end_row_updates(void);
extern void forget_row_updates(void);
extern bool update_row_columns(Relation rel, TupleTableSlot *slot, int ncols,
							   const int *attnums, const Datum *values, const bool *nulls);

/* statements.c: the statement a row trigger fires for */
extern void statements_init(void);
extern PlannedStmt *running_statement(void);
extern uint64 running_statement_serial(void);
extern List *statement_updated_views(void);
extern bool relation_or_ancestor(Relation rel, Oid relid);
extern void check_view_update_alone(Oid view_relid, Relation rel, Oid table_relid);

/* statements.c: nesting depth of the innermost running statement */
extern int	running_statement_depth(void);

/* statement_path.c: rows of one statement maintained together */
typedef void (*StatementSettle) (Oid target, void *deferred);
typedef struct StatementFrame
{
	PlannedStmt *statement;
	int			depth;
	Oid			target;			/* the registered table (its current table for 'table') */
	SubTransactionId subid;		/* where it began */
	uint64		rows;			/* row events seen */
	StatementSettle settle;
	void	   *deferred;		/* the strategy's rows to settle, in cxt */
	MemoryContext cxt;
	uint64		deferred_seq;	/* of deferred, among the sets of rows deferred */
	uint64		sets;
	List	   *settled;		/* settled in subtransactions (statement_path.c) */
	List	   *unsettled;		/* whose settlement was rolled back */
} StatementFrame;

extern int	statement_path_min_rows;
extern void statement_path_init(void);
extern StatementFrame *statement_frame(Oid target, StatementSettle settle);
extern bool frame_defers(StatementFrame *frame);
extern MemoryContext frame_context(StatementFrame *frame);
extern HTAB *create_key_buckets(const char *name, Size entrysize);
extern Trigger *deferring_trigger(Relation rel, Oid tgoid);
extern void settle_other_frames(Oid target, StatementFrame *mine);
extern void statement_path_end(PlannedStmt *statement, int depth);
extern void settle_unknown_statements(void);

/* versioned.c */
extern void versioned_init(void);

/* operations.c: the registered table whose flags a rebuild may write */
extern Oid flag_writes_relid;

/*
 * Stacks of the relations whose maintenance is running (operations.c): each
 * names its own relations, so that maintenance of one never switches off
 * the triggers of another that the owner's code writes meanwhile.
 */
extern List *relid_stack_push(List *stack, Oid relid);

/* current_table.c */
extern void current_table_init(void);
extern bool row_is_advancing(Relation rel, HeapTuple oldtuple);

/* text_cast.c: value::text as the SQL cast computes it */
typedef struct TextCast
{
	CoercionPathType path;		/* RELABELTYPE, FUNC or COERCEVIAIO */
	FmgrInfo	function;		/* the cast function, or the output function */
	int			nargs;
} TextCast;
extern void text_cast_init(TextCast *cast, Oid typid, MemoryContext cxt);
extern Datum text_cast(TextCast *cast, Datum value);

/* search_document.c: the document trigger, and helpers of the search triggers */
extern void search_document_init(void);
extern void require_trigger_call(FunctionCallInfo fcinfo, const char *funcname);
extern AttrNumber registered_column(Oid relid, const char *column, const char *what);
extern MemoryContext entry_context(MemoryContext old);
extern bool column_changed(TupleDesc tupdesc, AttrNumber attnum, HeapTuple oldtup, HeapTuple newtup);

/* search_filter.c: filters of search sources */
extern Expr *analyze_filter(Oid relid, const char *filter, MemoryContext cxt);
extern char *revalidated_filter(Oid relid, const char *filter);

/* search_tables.c */
extern void search_init(void);

#endif							/* CURRENT_VIEW_H */
