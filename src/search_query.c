/*-------------------------------------------------------------------------
 * search_query.c
 *	  search() and search_headlines(): ranked queries of a search table.
 *
 * The statement that ranks a search table's rows depends only on the search
 * table and on the shape of the call (ts_rank or ts_rank_cd, weights or
 * not, keyset or not, the headline column), never on the query text or the
 * numbers: those are parameters.  It is built from the registry and the
 * search table once per shape, prepared with a generic plan and kept, and
 * forgotten when the search table, one of its chain tables or a text search
 * configuration is invalidated (add_search_source invalidates the search
 * table).  A call that finds its statement does no catalog work: it turns
 * the query text into a tsquery in C, runs the plan and builds keys in C.
 *
 * The statement names everything schema-qualified and quoted, operators as
 * OPERATOR(schema.op), and source tables by OID, so that search_path cannot
 * redirect it; it runs with the caller's rights.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "funcapi.h"
#include "storage/lmgr.h"
#include "tsearch/ts_type.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(current_view_search);
PG_FUNCTION_INFO_V1(current_view_search_headlines);
PG_FUNCTION_INFO_V1(current_view_search_invalidate);

/*
 * Arguments of search(); search_headlines() has headline_column after the
 * query (ARGNO shifts the others) and headline_options last.
 */
#define ARG_TABLE			0
#define ARG_QUERY			1
#define ARG_MAX_ROWS		2
#define ARG_CONFIG			3
#define ARG_MODE			4
#define ARG_PREFIX			5
#define ARG_RANKING			6
#define ARG_NORMALIZATION	7
#define ARG_WEIGHTS			8
#define ARG_AFTER_RANK		9
#define ARG_AFTER_KEYS		10
#define ARG_HEADLINE_COLUMN 2
#define ARG_HEADLINE_OPTIONS 12
#define ARGNO(a)			((a) >= ARG_MAX_ROWS ? (a) + (headlines ? 1 : 0) : (a))

/* Parameters of the kept statement. */
enum
{
	PARAM_QUERY,				/* tsquery */
	PARAM_LIMIT,				/* integer */
	PARAM_WEIGHTS,				/* real[4] */
	PARAM_NORMALIZATION,		/* integer */
	PARAM_AFTER_RANK,			/* real */
	PARAM_AFTER_KEYS,			/* jsonb */
	PARAM_CONFIG,				/* regconfig, for ts_headline */
	PARAM_HEADLINE_OPTIONS,		/* text */
	NUM_PARAMS
};

/* Columns of the results. */
#define RESULT_SOURCE_TABLE	0
#define RESULT_SOURCE_KEY	1
#define RESULT_RANK			2
#define RESULT_KEYS			3
#define RESULT_HEADLINE		4

/*
 * Columns of the statement (SPI numbers): the rank, the search columns from
 * STMT_FIRST_KEY on, then the headline.
 */
#define STMT_RANK			1
#define STMT_FIRST_KEY		2

/*
 * How rows are ranked: ts_rank or ts_rank_cd over every match, then a top-N
 * sort; or, with a RUM index on the document, in the index's own order of
 * distance (document <=> query), which stops after max_rows.
 */
typedef enum Ranking
{
	RANKING_TS_RANK,
	RANKING_TS_RANK_CD,
	RANKING_RUM
} Ranking;

typedef struct QueryShapeKey
{
	Oid			search_relid;
	Ranking		ranking;
	bool		weighted;		/* weights given (ts_rank's defaults cost less) */
	bool		keyset;			/* only rows after a given rank and keys */
	NameData	headline;		/* empty: no headline */
} QueryShapeKey;

/*
 * How a search column's value goes into keys, as to_jsonb would write it:
 * the common key types are converted in C (to_jsonb looks its argument's
 * type up on every call), others by to_jsonb, called from C.
 */
typedef enum KeyKind
{
	KEY_INT2,
	KEY_INT4,
	KEY_INT8,
	KEY_BOOL,
	KEY_TEXT,					/* text, varchar */
	KEY_JSONB					/* to_jsonb(column) */
} KeyKind;

typedef struct KeyColumn
{
	JsonbValue	name;
	KeyKind		kind;
	Oid			type;
	bool		search_column;	/* a column some source names; the others are not keys */
	FmgrInfo	to_jsonb;		/* KEY_JSONB: to_jsonb for this column's type */
} KeyColumn;

/*
 * A source as a result row tells it: its column (a search column) is not
 * null and every search column outside its chain is.  source_key is that
 * column's value cast to text, as column::text would.
 */
typedef struct ShapeSource
{
	Oid			relid;
	int			key;			/* its column, an index of keys */
	int			nnull;			/* the keys that are null in its rows */
	int		   *null_keys;
	TextCast	key_text;		/* its column::text */
} ShapeSource;

typedef struct QueryShape
{
	QueryShapeKey key;
	bool		valid;
	MemoryContext cxt;			/* of relids and keys */
	Oid			config;			/* of the first source's document */
	int			nrelids;		/* the chain tables of every source */
	Oid		   *relids;
	int			nkeys;			/* the search columns, after the rank */
	KeyColumn  *keys;
	int			nsources;
	ShapeSource *sources;
	SPIPlanPtr	plan;
} QueryShape;

static HTAB *query_shapes = NULL;

static void
invalidate_shapes(Oid relid)
{
	HASH_SEQ_STATUS status;
	QueryShape *shape;

	if (query_shapes == NULL)
		return;
	hash_seq_init(&status, query_shapes);
	while ((shape = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || shape->key.search_relid == relid)
			shape->valid = false;
		for (int i = 0; i < shape->nrelids && shape->valid; i++)
			if (shape->relids[i] == relid)
				shape->valid = false;
	}
}

static void
relcache_callback(Datum arg, Oid relid)
{
	invalidate_shapes(relid);
}

/* A configuration's OID is in the kept shape: any change forgets them all. */
static void
syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	invalidate_shapes(InvalidOid);
}

static void
init_query_shapes(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(QueryShapeKey);
	ctl.entrysize = sizeof(QueryShape);
	query_shapes = hash_create("current_view search query shapes", 16, &ctl,
							   HASH_ELEM | HASH_BLOBS);
	CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(TSCONFIGOID, syscache_callback, (Datum) 0);
}

/* One source of the search table, as the registry gives it. */
typedef struct RankedSource
{
	Oid			relid;
	char	   *key;			/* its primary key column */
	char	   *column;			/* the search column holding that key */
	int			ncolumns;		/* its search columns (its chain's keys) */
	char	  **columns;
} RankedSource;

/* The sources of a search table, in registration order. */
static RankedSource *
load_sources(const char *schema, const char *name, int *nsources, Oid *config,
			 QueryShape *shape)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			argtypes[2] = {NAMEOID, NAMEOID};
	Datum		values[2];
	SPITupleTable *rows;
	RankedSource *sources;
	uint64		n;
	int			nrelids = 0;
	int			ret;

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(name));
	ret = SPI_execute_with_args(
		"SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', r.source_schema, r.source_table))::pg_catalog.oid,"
		" r.key_columns[1]::pg_catalog.text, r.search_columns::pg_catalog.text[],"
		" (SELECT c.oid FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n"
		"   ON n.oid OPERATOR(pg_catalog.=) c.cfgnamespace"
		"  WHERE n.nspname OPERATOR(pg_catalog.=) d.config_schema"
		"    AND c.cfgname OPERATOR(pg_catalog.=) d.config_name),"
		" ARRAY(SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', u.s, u.t))::pg_catalog.oid"
		"       FROM ROWS FROM (pg_catalog.unnest(r.chain_schemas), pg_catalog.unnest(r.chain_tables)) u(s, t))"
		" FROM current_view_internal.search_source_registry r"
		" LEFT JOIN current_view_internal.search_document_registry d"
		"   ON d.table_schema OPERATOR(pg_catalog.=) r.source_schema"
		"  AND d.table_name OPERATOR(pg_catalog.=) r.source_table"
		" WHERE r.search_schema OPERATOR(pg_catalog.=) $1 AND r.search_table OPERATOR(pg_catalog.=) $2"
		" ORDER BY r.position",
		2, argtypes, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the search source registry failed: %s", SPI_result_code_string(ret));
	rows = SPI_tuptable;
	n = SPI_processed;
	MemoryContextSwitchTo(cxt);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("%s is not a search table", quote_qualified_identifier(schema, name)),
				 errhint("add_search_source creates search tables.")));
	sources = palloc0(sizeof(RankedSource) * n);
	*config = InvalidOid;
	for (uint64 r = 0; r < n; r++)
	{
		HeapTuple	row = rows->vals[r];
		TupleDesc	desc = rows->tupdesc;
		bool		isnull;
		Datum		d;
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;

		d = SPI_getbinval(row, desc, 1, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("a source table of search table %s does not exist",
							quote_qualified_identifier(schema, name))));
		sources[r].relid = DatumGetObjectId(d);
		sources[r].key = TextDatumGetCString(SPI_getbinval(row, desc, 2, &isnull));
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(row, desc, 3, &isnull)),
						  TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
		sources[r].ncolumns = nelems;
		sources[r].columns = palloc(sizeof(char *) * nelems);
		for (int i = 0; i < nelems; i++)
			sources[r].columns[i] = TextDatumGetCString(elems[i]);
		sources[r].column = sources[r].columns[0];
		d = SPI_getbinval(row, desc, 4, &isnull);
		if (r == 0 && !isnull)
			*config = DatumGetObjectId(d);

		/* The chain tables, kept with the shape for invalidation. */
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(row, desc, 5, &isnull)),
						  OIDOID, sizeof(Oid), true, TYPALIGN_INT, &elems, &nulls, &nelems);
		shape->relids = shape->relids
			? repalloc(shape->relids, sizeof(Oid) * (nrelids + nelems))
			: MemoryContextAlloc(shape->cxt, sizeof(Oid) * Max(nelems, 1));
		for (int i = 0; i < nelems; i++)
			if (!nulls[i])
				shape->relids[nrelids++] = DatumGetObjectId(elems[i]);
	}
	shape->nrelids = nrelids;
	*nsources = n;
	return sources;
}

static bool
in_source(RankedSource *src, const char *column)
{
	for (int i = 0; i < src->ncolumns; i++)
		if (strcmp(src->columns[i], column) == 0)
			return true;
	return false;
}

/*
 * "x.own IS NOT NULL AND x.other IS NULL ...": the row comes from this
 * source (rows of a source are told apart by the columns outside its chain).
 */
static void
append_source_test(StringInfo buf, RankedSource *src, TupleDesc desc, AttrNumber doc_attnum)
{
	appendStringInfo(buf, "x.%s IS NOT NULL", quote_identifier(src->column));
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (att->attisdropped || att->attnum == doc_attnum)
			continue;
		if (!in_source(src, NameStr(att->attname)))
			appendStringInfo(buf, " AND x.%s IS NULL", quote_identifier(NameStr(att->attname)));
	}
}

static Oid
search_column_type(TupleDesc desc, const char *column)
{
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
			return att->atttypid;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("search column \"%s\" of a search table is missing", column),
			 errhint("Columns of a search table that its sources name must not be dropped; drop_search_table and add_search_source make it again.")));
	return InvalidOid;
}

/*
 * Rows after the keyset ($after_rank, $after_keys) in the order rank DESC,
 * then every search column ascending with nulls last: from column i on,
 * "x.ci after k, or x.ci equal to k and the rest after".
 */
static void
append_keys_after(StringInfo buf, TupleDesc desc, AttrNumber doc_attnum, int a)
{
	Form_pg_attribute att;
	StringInfoData k;
	const char *c;

	while (a < desc->natts &&
		   (TupleDescAttr(desc, a)->attisdropped || TupleDescAttr(desc, a)->attnum == doc_attnum))
		a++;
	if (a >= desc->natts)
	{
		appendStringInfoString(buf, "false");
		return;
	}
	att = TupleDescAttr(desc, a);
	c = quote_identifier(NameStr(att->attname));
	initStringInfo(&k);
	appendStringInfo(&k, "CAST($%d OPERATOR(pg_catalog.->>) %s AS %s)", PARAM_AFTER_KEYS + 1,
					 quote_literal_cstr(NameStr(att->attname)),
					 format_type_be_qualified(att->atttypid));
	appendStringInfo(buf, "((%s IS NOT NULL AND (x.%s IS NULL OR x.%s ", k.data, c, c);
	append_type_operator(buf, att->atttypid, BTGreaterStrategyNumber);
	appendStringInfo(buf, " %s)) OR ((x.%s IS NULL AND %s IS NULL OR x.%s ", k.data, c, k.data, c);
	append_type_operator(buf, att->atttypid, BTEqualStrategyNumber);
	appendStringInfo(buf, " %s) AND ", k.data);
	append_keys_after(buf, desc, doc_attnum, a + 1);
	appendStringInfoString(buf, "))");
	pfree(k.data);
}

/*
 * The text the headline is made from: a column of the search table other
 * than the document, or else the column of that name of each source table
 * that has one (NULL for the rows of the others); 42703 if none has it.
 */
static void
append_headline_text(StringInfo buf, const char *column, Oid search_relid,
					 RankedSource *sources, int nsources, TupleDesc desc, AttrNumber doc_attnum)
{
	bool		found = false;

	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (!att->attisdropped && att->attnum != doc_attnum &&
			strcmp(NameStr(att->attname), column) == 0)
		{
			appendStringInfo(buf, "x.%s::pg_catalog.text", quote_identifier(column));
			return;
		}
	}
	appendStringInfoString(buf, "CASE");
	for (int s = 0; s < nsources; s++)
	{
		RankedSource *src = &sources[s];
		AttrNumber	attnum = get_attnum(src->relid, column);

		if (attnum == InvalidAttrNumber)
			continue;
		found = true;
		appendStringInfoString(buf, " WHEN ");
		append_source_test(buf, src, desc, doc_attnum);
		appendStringInfo(buf, " THEN (SELECT s.%s::pg_catalog.text FROM ONLY %s s WHERE s.%s ",
						 quote_identifier(column), qualified_relation_name(src->relid),
						 quote_identifier(src->key));
		append_type_operator(buf, search_column_type(desc, src->column), BTEqualStrategyNumber);
		appendStringInfo(buf, " x.%s)", quote_identifier(src->column));
	}
	appendStringInfoString(buf, " END");
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("headline column \"%s\" is neither a column of search table %s nor of any of its source tables",
						column, qualified_relation_name(search_relid)),
				 errhint("Name a text column of the search table or of its sources, other than the document.")));
}

static Oid
index_relam(Oid indexrelid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(indexrelid));
	Oid			relam;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", indexrelid);
	relam = ((Form_pg_class) GETSTRUCT(tuple))->relam;
	ReleaseSysCache(tuple);
	return relam;
}

/*
 * The quoted schema of the rum extension whose index the search table's
 * document has (its operator class's schema), or 22023 when the document
 * has no RUM index.
 */
static char *
rum_index_schema(Relation rel, AttrNumber doc_attnum)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	char	   *schema = NULL;

	foreach(lc, indexes)
	{
		HeapTuple	index = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index form;
		HeapTuple	opclass;

		if (!HeapTupleIsValid(index))
			elog(ERROR, "cache lookup failed for index %u", lfirst_oid(lc));
		form = (Form_pg_index) GETSTRUCT(index);
		if (form->indnatts == 1 && form->indkey.values[0] == doc_attnum &&
			heap_attisnull(index, Anum_pg_index_indpred, NULL) &&
			strcmp(get_am_name(index_relam(form->indexrelid)), "rum") == 0)
		{
			bool		isnull;
			oidvector  *classes = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, index,
																				Anum_pg_index_indclass,
																				&isnull));

			opclass = SearchSysCache1(CLAOID, ObjectIdGetDatum(classes->values[0]));
			if (!HeapTupleIsValid(opclass))
				elog(ERROR, "cache lookup failed for operator class %u", classes->values[0]);
			schema = pstrdup(quote_identifier(get_namespace_name(((Form_pg_opclass) GETSTRUCT(opclass))->opcnamespace)));
			ReleaseSysCache(opclass);
		}
		ReleaseSysCache(index);
		if (schema != NULL)
			break;
	}
	list_free(indexes);
	if (schema == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ranking rum needs a RUM index on the document of search table %s",
						qualified_relation_name(RelationGetRelid(rel))),
				 errhint("SELECT set_search_index('%s', 'rum') creates it.",
						 qualified_relation_name(RelationGetRelid(rel)))));
	return schema;
}

/* The key index of a search column. */
static int
key_index(QueryShape *shape, const char *column)
{
	for (int k = 0; k < shape->nkeys; k++)
		if (strcmp(shape->keys[k].name.val.string.val, column) == 0)
			return k;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("search column \"%s\" of a search table is missing", column),
			 errhint("Columns of a search table that its sources name must not be dropped; drop_search_table and add_search_source make it again.")));
	return -1;
}

/* How each source's rows are told apart and its key cast to text, kept with the shape. */
static void
shape_sources(QueryShape *shape, RankedSource *sources, int nsources)
{
	shape->nsources = nsources;
	shape->sources = MemoryContextAllocZero(shape->cxt, sizeof(ShapeSource) * nsources);
	/* Columns no source names (added by the application) are not search columns. */
	for (int k = 0; k < shape->nkeys; k++)
		for (int s = 0; s < nsources && !shape->keys[k].search_column; s++)
			shape->keys[k].search_column = in_source(&sources[s], shape->keys[k].name.val.string.val);
	for (int s = 0; s < nsources; s++)
	{
		ShapeSource *src = &shape->sources[s];

		src->relid = sources[s].relid;
		src->key = key_index(shape, sources[s].column);
		src->null_keys = MemoryContextAlloc(shape->cxt, sizeof(int) * shape->nkeys);
		for (int k = 0; k < shape->nkeys; k++)
			if (shape->keys[k].search_column &&
				!in_source(&sources[s], shape->keys[k].name.val.string.val))
				src->null_keys[src->nnull++] = k;

		text_cast_init(&src->key_text, shape->keys[src->key].type, shape->cxt);
	}
}

/* Build the statement of a shape; the registry is read through SPI. */
static void
build_shape(QueryShape *shape)
{
	Oid			relid = shape->key.search_relid;
	Oid			argtypes[NUM_PARAMS] = {
		TSQUERYOID, INT4OID, FLOAT4ARRAYOID, INT4OID, FLOAT4OID, JSONBOID, REGCONFIGOID, TEXTOID
	};
	const char *rank_function = shape->key.ranking == RANKING_TS_RANK_CD ? "ts_rank_cd" : "ts_rank";
	char	   *rum_schema = NULL;
	MemoryContext cxt = CurrentMemoryContext;
	Relation	rel;
	TupleDesc	desc;
	AttrNumber	doc_attnum;
	RankedSource *sources;
	int			nsources;
	MemoryContext oldcxt;
	StringInfoData rank_expr;
	StringInfoData columns;
	StringInfoData sql;

	rel = table_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	doc_attnum = get_attnum(relid, "document");
	if (doc_attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("%s is not a search table", qualified_relation_name(relid))));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(cxt);
	sources = load_sources(get_namespace_name(RelationGetNamespace(rel)),
						   RelationGetRelationName(rel), &nsources, &shape->config, shape);

	if (shape->key.ranking == RANKING_RUM)
		rum_schema = rum_index_schema(rel, doc_attnum);
	initStringInfo(&rank_expr);
	if (rum_schema != NULL)
		appendStringInfo(&rank_expr, "%s.rum_ts_score(x.document, $%d)", rum_schema, PARAM_QUERY + 1);
	else if (shape->key.weighted)
		appendStringInfo(&rank_expr, "pg_catalog.%s($%d, x.document, $%d, $%d)", rank_function,
						 PARAM_WEIGHTS + 1, PARAM_QUERY + 1, PARAM_NORMALIZATION + 1);
	else
		appendStringInfo(&rank_expr, "pg_catalog.%s(x.document, $%d, $%d)", rank_function,
						 PARAM_QUERY + 1, PARAM_NORMALIZATION + 1);

	/*
	 * One query level: the top-N sort over the rank and the search columns,
	 * as the raw query would be written.  Which source a row comes from, and
	 * its key as text, are told in C from the search columns; the planner
	 * evaluates an expensive headline above the limit only.
	 */
	initStringInfo(&columns);
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s", rank_expr.data);
	shape->keys = MemoryContextAllocZero(shape->cxt, sizeof(KeyColumn) * desc->natts);
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		KeyColumn  *key;

		if (att->attisdropped || att->attnum == doc_attnum)
			continue;
		key = &shape->keys[shape->nkeys++];
		key->name.type = jbvString;
		key->name.val.string.val = MemoryContextStrdup(shape->cxt, NameStr(att->attname));
		key->name.val.string.len = strlen(NameStr(att->attname));
		key->type = att->atttypid;
		switch (att->atttypid)
		{
			case INT2OID:
				key->kind = KEY_INT2;
				break;
			case INT4OID:
				key->kind = KEY_INT4;
				break;
			case INT8OID:
				key->kind = KEY_INT8;
				break;
			case BOOLOID:
				key->kind = KEY_BOOL;
				break;
			case TEXTOID:
			case VARCHAROID:
				key->kind = KEY_TEXT;
				break;
			default:
				key->kind = KEY_JSONB;
				break;
		}
		if (key->kind == KEY_JSONB)
		{
			/* to_jsonb is polymorphic: it reads its argument's type from fn_expr. */
			fmgr_info_cxt(F_TO_JSONB, &key->to_jsonb, shape->cxt);
			oldcxt = MemoryContextSwitchTo(shape->cxt);
			fmgr_info_set_expr((Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
													 list_make1(makeNullConst(att->atttypid, att->atttypmod,
																			  att->attcollation)),
													 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL),
							   &key->to_jsonb);
			MemoryContextSwitchTo(oldcxt);
		}
		appendStringInfo(&columns, ", x.%s", quote_identifier(NameStr(att->attname)));
	}
	appendStringInfoString(&sql, columns.data);
	shape_sources(shape, sources, nsources);
	if (NameStr(shape->key.headline)[0] != '\0')
	{
		appendStringInfo(&sql, ", pg_catalog.ts_headline($%d, ", PARAM_CONFIG + 1);
		append_headline_text(&sql, NameStr(shape->key.headline), relid, sources, nsources,
							 desc, doc_attnum);
		appendStringInfo(&sql, ", $%d, $%d)", PARAM_QUERY + 1, PARAM_HEADLINE_OPTIONS + 1);
	}
	appendStringInfo(&sql, " FROM %s x WHERE x.document OPERATOR(pg_catalog.@@) $%d",
					 qualified_relation_name(relid), PARAM_QUERY + 1);
	if (shape->key.keyset)
	{
		appendStringInfo(&sql, " AND (%s OPERATOR(pg_catalog.<) $%d OR (%s OPERATOR(pg_catalog.=) $%d AND ",
						 rank_expr.data, PARAM_AFTER_RANK + 1, rank_expr.data, PARAM_AFTER_RANK + 1);
		append_keys_after(&sql, desc, doc_attnum, 0);
		appendStringInfoString(&sql, "))");
	}
	/*
	 * RUM's order alone: with the search columns to break ties the planner
	 * sorts every match instead of reading the index in order.
	 */
	if (rum_schema != NULL)
		appendStringInfo(&sql, " ORDER BY x.document OPERATOR(%s.<=>) $%d LIMIT $%d",
						 rum_schema, PARAM_QUERY + 1, PARAM_LIMIT + 1);
	else
		appendStringInfo(&sql, " ORDER BY 1 DESC%s LIMIT $%d", columns.data, PARAM_LIMIT + 1);

	table_close(rel, AccessShareLock);
	/*
	 * A generic plan: the GIN scan, the ranking and the top-N sort do not
	 * depend on the query's words, and planning every call would cost as
	 * much as a selective query itself.
	 */
	shape->plan = SPI_prepare_cursor(sql.data, NUM_PARAMS, argtypes, CURSOR_OPT_GENERIC_PLAN);
	if (shape->plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql.data, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(shape->plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	SPI_finish();
	MemoryContextSwitchTo(cxt);
}

/* The shape of a call, built if missing or invalidated. */
static QueryShape *
lookup_shape(Oid relid, Ranking ranking, bool weighted, bool keyset, const char *headline)
{
	QueryShapeKey key;
	QueryShape *shape;
	bool		found;

	if (query_shapes == NULL)
		init_query_shapes();
	memset(&key, 0, sizeof(key));
	key.search_relid = relid;
	key.ranking = ranking;
	key.weighted = weighted;
	key.keyset = keyset;
	if (headline != NULL)
		namestrcpy(&key.headline, headline);

	/* Taking the lock first processes the invalidations that concern us. */
	LockRelationOid(relid, AccessShareLock);
	shape = hash_search(query_shapes, &key, HASH_ENTER, &found);
	if (found && shape->valid)
		return shape;
	if (!found)
	{
		shape->plan = NULL;
		shape->cxt = NULL;
	}
	shape->valid = false;
	if (shape->plan != NULL)
		SPI_freeplan(shape->plan);
	shape->plan = NULL;
	if (shape->cxt != NULL)
		MemoryContextDelete(shape->cxt);
	shape->cxt = AllocSetContextCreate(TopMemoryContext, "current_view search query shape",
									   ALLOCSET_SMALL_SIZES);
	shape->relids = NULL;
	shape->nrelids = 0;
	shape->keys = NULL;
	shape->nkeys = 0;
	build_shape(shape);
	shape->valid = true;
	return shape;
}

typedef enum QueryMode
{
	MODE_WEBSEARCH,
	MODE_PLAIN,
	MODE_PHRASE,
	MODE_RAW
} QueryMode;

static QueryMode
query_mode(text *mode)
{
	char	   *m = text_to_cstring(mode);

	if (strcmp(m, "websearch") == 0)
		return MODE_WEBSEARCH;
	if (strcmp(m, "plain") == 0)
		return MODE_PLAIN;
	if (strcmp(m, "phrase") == 0)
		return MODE_PHRASE;
	if (strcmp(m, "raw") == 0)
		return MODE_RAW;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid search mode \"%s\"", m),
			 errhint("The modes are websearch, plain, phrase and raw.")));
	return MODE_WEBSEARCH;
}

static Ranking
parse_ranking(text *ranking)
{
	char	   *r = text_to_cstring(ranking);

	if (strcmp(r, "ts_rank") == 0)
		return RANKING_TS_RANK;
	if (strcmp(r, "ts_rank_cd") == 0)
		return RANKING_TS_RANK_CD;
	if (strcmp(r, "rum") == 0)
		return RANKING_RUM;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid ranking \"%s\"", r),
			 errhint("The rankings are ts_rank, ts_rank_cd and rum.")));
	return RANKING_TS_RANK;
}

/* Four weights in [0, 1] (for D, C, B, A, as ts_rank takes them), or 22023. */
static Datum
checked_weights(ArrayType *weights)
{
	int			n = ArrayGetNItems(ARR_NDIM(weights), ARR_DIMS(weights));
	bool		valid = ARR_NDIM(weights) == 1 && n == 4 && !array_contains_nulls(weights);

	for (int i = 0; valid && i < n; i++)
	{
		float4		w = ((float4 *) ARR_DATA_PTR(weights))[i];

		valid = w >= 0 && w <= 1;
	}
	if (!valid)
	{
		Oid			output;
		bool		isvarlena;

		getTypeOutputInfo(FLOAT4ARRAYOID, &output, &isvarlena);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid weights %s", OidOutputFunctionCall(output, PointerGetDatum(weights))),
				 errdetail("Give four weights between 0 and 1, for the labels D, C, B and A in this order, as ts_rank takes them.")));
	}
	return PointerGetDatum(weights);
}

/* The last word of the query matches as a prefix (search as you type). */
static void
make_last_word_prefix(TSQuery query)
{
	QueryItem  *item = GETQUERY(query);

	if (query->size == 0)
		return;
	/* The right operand of an operator is the item that follows it. */
	while (item->type == QI_OPR)
		item++;
	item->qoperand.prefix = true;
}

static Datum
make_tsquery(QueryMode mode, Oid config, text *query, bool prefix)
{
	Datum		q;

	switch (mode)
	{
		case MODE_PLAIN:
			q = DirectFunctionCall2(plainto_tsquery_byid, ObjectIdGetDatum(config),
									PointerGetDatum(query));
			break;
		case MODE_PHRASE:
			q = DirectFunctionCall2(phraseto_tsquery_byid, ObjectIdGetDatum(config),
									PointerGetDatum(query));
			break;
		case MODE_RAW:
			q = DirectFunctionCall2(to_tsquery_byid, ObjectIdGetDatum(config),
									PointerGetDatum(query));
			break;
		default:
			q = DirectFunctionCall2(websearch_to_tsquery_byid, ObjectIdGetDatum(config),
									PointerGetDatum(query));
			break;
	}
	if (prefix)
		make_last_word_prefix(DatumGetTSQuery(q));
	return q;
}

/* The non-null search columns of a result row as a jsonb object. */
static Datum
result_keys(QueryShape *shape, Datum *keys, bool *nulls)
{
	JsonbParseState *state = NULL;
	JsonbValue *object;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int k = 0; k < shape->nkeys; k++)
	{
		KeyColumn  *key = &shape->keys[k];
		Datum		d = keys[k];
		JsonbValue	v;

		if (nulls[k] || !key->search_column)
			continue;
		switch (key->kind)
		{
			case KEY_INT2:
				v.type = jbvNumeric;
				v.val.numeric = DatumGetNumeric(DirectFunctionCall1(int2_numeric, d));
				break;
			case KEY_INT4:
				v.type = jbvNumeric;
				v.val.numeric = DatumGetNumeric(DirectFunctionCall1(int4_numeric, d));
				break;
			case KEY_INT8:
				v.type = jbvNumeric;
				v.val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, d));
				break;
			case KEY_BOOL:
				v.type = jbvBool;
				v.val.boolean = DatumGetBool(d);
				break;
			case KEY_TEXT:
				{
					text	   *t = DatumGetTextPP(d);

					v.type = jbvString;
					v.val.string.val = VARDATA_ANY(t);
					v.val.string.len = VARSIZE_ANY_EXHDR(t);
					break;
				}
			case KEY_JSONB:
				{
					Jsonb	   *jb = DatumGetJsonbP(FunctionCall1(&key->to_jsonb, d));

					if (!JsonbExtractScalar(&jb->root, &v))
					{
						v.type = jbvBinary;
						v.val.binary.data = &jb->root;
						v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
					}
					break;
				}
		}
		pushJsonbValue(&state, WJB_KEY, &key->name);
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	object = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(object));
}

/* The source a result row comes from, or NULL (no source's test holds). */
static ShapeSource *
result_source(QueryShape *shape, bool *nulls)
{
	for (int s = 0; s < shape->nsources; s++)
	{
		ShapeSource *src = &shape->sources[s];
		bool		match = !nulls[src->key];

		for (int i = 0; match && i < src->nnull; i++)
			match = nulls[src->null_keys[i]];
		if (match)
			return src;
	}
	return NULL;
}

static void
put_result(ReturnSetInfo *rsinfo, QueryShape *shape, HeapTuple row, TupleDesc desc,
		   bool headlines)
{
	Datum		values[RESULT_HEADLINE + 1];
	bool		nulls[RESULT_HEADLINE + 1];
	Datum	   *keys = palloc(sizeof(Datum) * shape->nkeys);
	bool	   *key_nulls = palloc(sizeof(bool) * shape->nkeys);
	ShapeSource *src;

	for (int k = 0; k < shape->nkeys; k++)
		keys[k] = SPI_getbinval(row, desc, STMT_FIRST_KEY + k, &key_nulls[k]);
	src = result_source(shape, key_nulls);
	values[RESULT_SOURCE_TABLE] = src ? ObjectIdGetDatum(src->relid) : (Datum) 0;
	nulls[RESULT_SOURCE_TABLE] = src == NULL;
	values[RESULT_SOURCE_KEY] = src ? text_cast(&src->key_text, keys[src->key]) : (Datum) 0;
	nulls[RESULT_SOURCE_KEY] = src == NULL;
	values[RESULT_RANK] = SPI_getbinval(row, desc, STMT_RANK, &nulls[RESULT_RANK]);
	values[RESULT_KEYS] = result_keys(shape, keys, key_nulls);
	nulls[RESULT_KEYS] = false;
	if (headlines)
		values[RESULT_HEADLINE] = SPI_getbinval(row, desc, STMT_FIRST_KEY + shape->nkeys,
												&nulls[RESULT_HEADLINE]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

static Datum
run_search(FunctionCallInfo fcinfo, bool headlines)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[NUM_PARAMS];
	char		nulls[NUM_PARAMS];
	const char *headline = NULL;
	QueryShape *shape;
	QueryMode	mode;
	Ranking		ranking;
	bool		keyset;
	Oid			config;
	int			ret;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (int a = 0; a <= ARG_RANKING; a++)
		if (PG_ARGISNULL(ARGNO(a)) && a != ARG_QUERY && a != ARG_MAX_ROWS && a != ARG_CONFIG)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("only the query, max_rows, config, weights, after_rank and after_keys of search() may be null")));
	mode = query_mode(PG_GETARG_TEXT_PP(ARGNO(ARG_MODE)));
	ranking = parse_ranking(PG_GETARG_TEXT_PP(ARGNO(ARG_RANKING)));
	if (PG_ARGISNULL(ARGNO(ARG_NORMALIZATION)) || PG_GETARG_INT32(ARGNO(ARG_NORMALIZATION)) < 0 ||
		PG_GETARG_INT32(ARGNO(ARG_NORMALIZATION)) > 63)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid normalization"),
				 errdetail("The normalization is a bit mask of 1, 2, 4, 8, 16 and 32, as ts_rank takes it.")));
	if (PG_ARGISNULL(ARGNO(ARG_AFTER_RANK)) != PG_ARGISNULL(ARGNO(ARG_AFTER_KEYS)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("after_rank and after_keys go together"),
				 errhint("Pass the rank and the keys of the last row of the previous page.")));
	keyset = !PG_ARGISNULL(ARGNO(ARG_AFTER_RANK));
	if (headlines)
	{
		if (PG_ARGISNULL(ARG_HEADLINE_COLUMN))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("headline_column cannot be null")));
		headline = NameStr(*PG_GETARG_NAME(ARG_HEADLINE_COLUMN));
	}

	if (ranking == RANKING_RUM &&
		(!PG_ARGISNULL(ARGNO(ARG_WEIGHTS)) || PG_GETARG_INT32(ARGNO(ARG_NORMALIZATION)) != 0 || keyset))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ranking rum takes no weights, normalization, after_rank or after_keys"),
				 errdetail("The RUM index orders rows by its own distance, with its default weights.")));
	shape = lookup_shape(PG_GETARG_OID(ARG_TABLE), ranking, !PG_ARGISNULL(ARGNO(ARG_WEIGHTS)),
						 keyset, headline);
	if (PG_ARGISNULL(ARG_QUERY))
		return (Datum) 0;
	config = PG_ARGISNULL(ARGNO(ARG_CONFIG)) ? shape->config : PG_GETARG_OID(ARGNO(ARG_CONFIG));
	if (!OidIsValid(config))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the text search configuration of search table %s is unknown",
						qualified_relation_name(PG_GETARG_OID(ARG_TABLE))),
				 errhint("Pass config.")));

	memset(nulls, ' ', sizeof(nulls));
	values[PARAM_QUERY] = make_tsquery(mode, config, PG_GETARG_TEXT_PP(ARG_QUERY),
									   PG_GETARG_BOOL(ARGNO(ARG_PREFIX)));
	values[PARAM_LIMIT] = PG_GETARG_DATUM(ARGNO(ARG_MAX_ROWS));
	nulls[PARAM_LIMIT] = PG_ARGISNULL(ARGNO(ARG_MAX_ROWS)) ? 'n' : ' ';
	values[PARAM_WEIGHTS] = PG_ARGISNULL(ARGNO(ARG_WEIGHTS)) ? (Datum) 0
		: checked_weights(PG_GETARG_ARRAYTYPE_P(ARGNO(ARG_WEIGHTS)));
	nulls[PARAM_WEIGHTS] = PG_ARGISNULL(ARGNO(ARG_WEIGHTS)) ? 'n' : ' ';
	values[PARAM_NORMALIZATION] = PG_GETARG_DATUM(ARGNO(ARG_NORMALIZATION));
	values[PARAM_AFTER_RANK] = keyset ? PG_GETARG_DATUM(ARGNO(ARG_AFTER_RANK)) : (Datum) 0;
	values[PARAM_AFTER_KEYS] = keyset ? PG_GETARG_DATUM(ARGNO(ARG_AFTER_KEYS)) : (Datum) 0;
	nulls[PARAM_AFTER_RANK] = nulls[PARAM_AFTER_KEYS] = keyset ? ' ' : 'n';
	values[PARAM_CONFIG] = ObjectIdGetDatum(config);
	values[PARAM_HEADLINE_OPTIONS] = headlines && !PG_ARGISNULL(ARG_HEADLINE_OPTIONS)
		? PG_GETARG_DATUM(ARG_HEADLINE_OPTIONS) : CStringGetTextDatum("");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_plan(shape->plan, values, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(ret));
	for (uint64 r = 0; r < SPI_processed; r++)
		put_result(rsinfo, shape, SPI_tuptable->vals[r], SPI_tuptable->tupdesc, headlines);
	SPI_finish();
	return (Datum) 0;
}

/*
 * search(search_table regclass, query text, max_rows integer, config regconfig,
 *		  mode text, prefix boolean, ranking text, normalization integer,
 *		  weights real[], after_rank real, after_keys jsonb)
 * RETURNS TABLE (source_table regclass, source_key text, rank real, keys jsonb)
 */
Datum
current_view_search(PG_FUNCTION_ARGS)
{
	return run_search(fcinfo, false);
}

/*
 * search_headlines(the arguments of search(), headline_column name,
 *					headline_options text)
 * RETURNS TABLE (source_table, source_key, rank, keys, headline text)
 */
Datum
current_view_search_headlines(PG_FUNCTION_ARGS)
{
	return run_search(fcinfo, true);
}

/*
 * _search_invalidate(search_table regclass): the registry of the search
 * table changed (add_search_source): every session forgets its statements.
 */
Datum
current_view_search_invalidate(PG_FUNCTION_ARGS)
{
	CacheInvalidateRelcacheByRelid(PG_GETARG_OID(0));
	PG_RETURN_VOID();
}
