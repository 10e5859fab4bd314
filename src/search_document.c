/*-------------------------------------------------------------------------
 * search_document.c
 *	  The document column of a registered table, kept by a BEFORE row
 *	  trigger, and the helpers the search tables' triggers share with it.
 *
 * A registered table carries a tsvector document column computed from some of
 * its columns: setweight(to_tsvector(config, column::text), weight) || ...
 * The registration (columns, weights, configuration) is in the trigger's
 * arguments and kept per relation until the relation is invalidated.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "tsearch/ts_type.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(current_view_document_trigger);

/* Layout of the arguments written by register_search_document(). */
#define DOC_ARG_COLUMN		0
#define DOC_ARG_CONFIG		1
#define DOC_ARG_FIRST		2	/* then pairs: column, weight ('' for none) */

typedef struct DocumentColumn
{
	AttrNumber	attnum;
	char		weight;			/* '\0': no setweight */
	TextCast	text;			/* how column::text is computed */
	ExprState  *generated;		/* a stored generated column's expression */
} DocumentColumn;

typedef struct DocumentRel
{
	Oid			relid;			/* hash key */
	bool		valid;
	MemoryContext cxt;
	AttrNumber	doc_attnum;
	Oid			config;
	int			ncolumns;
	DocumentColumn *columns;
	bool		any_generated;
} DocumentRel;


static HTAB *document_rels = NULL;

static void
invalidate_document_rels(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	DocumentRel *dr;

	hash_seq_init(&status, document_rels);
	while ((dr = hash_seq_search(&status)) != NULL)
		if (!OidIsValid(relid) || dr->relid == relid)
			dr->valid = false;
}

void
search_document_init(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(DocumentRel);
	document_rels = hash_create("current_view document relations", 64, &ctl,
								HASH_ELEM | HASH_BLOBS);
	CacheRegisterRelcacheCallback(invalidate_document_rels, (Datum) 0);
}

void
require_trigger_call(FunctionCallInfo fcinfo, const char *funcname)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: not called by trigger manager", funcname)));
}

AttrNumber
registered_column(Oid relid, const char *column, const char *what)
{
	AttrNumber	attnum = get_attnum(relid, column);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("%s column \"%s\" of table \"%s\" does not exist",
						what, column, get_rel_name(relid)),
				 errhint("Register the table again after renaming or dropping a registered column.")));
	return attnum;
}

/* A fresh memory context for a cache entry, replacing its previous one. */
MemoryContext
entry_context(MemoryContext old)
{
	if (old != NULL)
		MemoryContextDelete(old);
	return AllocSetContextCreate(TopMemoryContext, "current_view search cache entry",
								 ALLOCSET_SMALL_SIZES);
}

static DocumentRel *
lookup_document_rel(Relation rel, Trigger *trigger)
{
	Oid			relid = RelationGetRelid(rel);
	DocumentRel *dr;
	bool		found;
	char	  **args = trigger->tgargs;

	dr = hash_search(document_rels, &relid, HASH_ENTER, &found);
	if (found && dr->valid)
		return dr;
	if (!found)
		dr->cxt = NULL;
	dr->valid = false;
	if (trigger->tgnargs < DOC_ARG_FIRST + 2 || (trigger->tgnargs - DOC_ARG_FIRST) % 2 != 0)
		elog(ERROR, "trigger \"%s\" has malformed arguments", trigger->tgname);
	dr->cxt = entry_context(dr->cxt);
	dr->doc_attnum = registered_column(relid, args[DOC_ARG_COLUMN], "document");
	dr->config = get_ts_config_oid(parse_qualified_name(args[DOC_ARG_CONFIG]), false);
	dr->ncolumns = (trigger->tgnargs - DOC_ARG_FIRST) / 2;
	dr->columns = MemoryContextAllocZero(dr->cxt, sizeof(DocumentColumn) * dr->ncolumns);
	for (int i = 0; i < dr->ncolumns; i++)
	{
		DocumentColumn *col = &dr->columns[i];

		col->attnum = registered_column(relid, args[DOC_ARG_FIRST + 2 * i], "document source");
		col->weight = args[DOC_ARG_FIRST + 2 * i + 1][0];
		text_cast_init(&col->text, TupleDescAttr(RelationGetDescr(rel), col->attnum - 1)->atttypid,
					   dr->cxt);
		if (TupleDescAttr(RelationGetDescr(rel), col->attnum - 1)->attgenerated == ATTRIBUTE_GENERATED_STORED)
		{
			/*
			 * PostgreSQL computes it after the BEFORE triggers, which see the
			 * null of an INSERT or the old value of an UPDATE: compute it here
			 * too (its expression is immutable, so the values agree).
			 */
			MemoryContext old = MemoryContextSwitchTo(dr->cxt);

			col->generated = ExecInitExpr(expression_planner((Expr *) build_column_default(rel, col->attnum)),
										  NULL);
			MemoryContextSwitchTo(old);
			dr->any_generated = true;
		}
	}
	dr->valid = true;
	return dr;
}

static bool
value_changed(Form_pg_attribute att, Datum oldval, bool oldnull, Datum newval, bool newnull)
{
	/* Binary equality: equal images have equal text forms. */
	return oldnull != newnull ||
		(!oldnull && !datum_image_eq(oldval, newval, att->attbyval, att->attlen));
}

/* The value of a source column in a row (econtext scans that row's slot). */
static Datum
source_value(DocumentColumn *col, TupleDesc tupdesc, HeapTuple tuple, ExprContext *econtext,
			 bool *isnull)
{
	if (col->generated != NULL)
		return ExecEvalExprSwitchContext(col->generated, econtext, isnull);
	return heap_getattr(tuple, col->attnum, tupdesc, isnull);
}

/* Whether a source column's value differs from the stored one of oldtup. */
static bool
source_changed(DocumentColumn *col, TupleDesc tupdesc, HeapTuple oldtup, HeapTuple newtup,
			   ExprContext *econtext)
{
	bool		oldnull;
	bool		newnull;
	Datum		oldval = heap_getattr(oldtup, col->attnum, tupdesc, &oldnull);
	Datum		newval = source_value(col, tupdesc, newtup, econtext, &newnull);

	return value_changed(TupleDescAttr(tupdesc, col->attnum - 1), oldval, oldnull, newval, newnull);
}

bool
column_changed(TupleDesc tupdesc, AttrNumber attnum, HeapTuple oldtup, HeapTuple newtup)
{
	bool		oldnull;
	bool		newnull;
	Datum		oldval = heap_getattr(oldtup, attnum, tupdesc, &oldnull);
	Datum		newval = heap_getattr(newtup, attnum, tupdesc, &newnull);

	return value_changed(TupleDescAttr(tupdesc, attnum - 1), oldval, oldnull, newval, newnull);
}

/*
 * setweight(to_tsvector(config, coalesce(c::text, '')), w) || ... over the
 * registered columns.  A null column contributes an empty tsvector, which
 * leaves a concatenation unchanged, so it is skipped.
 */
static Datum
build_document(DocumentRel *dr, TupleDesc tupdesc, HeapTuple tuple, ExprContext *econtext)
{
	Datum		document = (Datum) 0;

	for (int i = 0; i < dr->ncolumns; i++)
	{
		DocumentColumn *col = &dr->columns[i];
		bool		isnull;
		Datum		value = source_value(col, tupdesc, tuple, econtext, &isnull);
		Datum		part;

		if (isnull)
			continue;
		part = DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(dr->config),
								   text_cast(&col->text, value));
		if (col->weight != '\0')
			part = DirectFunctionCall2(tsvector_setweight, part, CharGetDatum(col->weight));
		document = (document == (Datum) 0) ? part
			: DirectFunctionCall2(tsvector_concat, document, part);
	}
	if (document == (Datum) 0)
		document = DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(dr->config),
									   CStringGetTextDatum(""));
	return document;
}

/*
 * BEFORE INSERT OR UPDATE row trigger: compute the document column.  An
 * UPDATE rebuilds it only when a source column changed, or when the statement
 * wrote the document column itself (it is not the user's to set).
 */
Datum
current_view_document_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	tupdesc;
	DocumentRel *dr;
	HeapTuple	tuple;
	Datum		document;
	bool		isnull = false;
	int			attnum;
	ExprContext *econtext = NULL;
	bool		rebuild = true;

	require_trigger_call(fcinfo, "current_view_document_trigger");
	rel = trigdata->tg_relation;
	tupdesc = RelationGetDescr(rel);
	dr = lookup_document_rel(rel, trigdata->tg_trigger);
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple
		: trigdata->tg_trigtuple;
	if (dr->any_generated)
	{
		econtext = CreateStandaloneExprContext();
		econtext->ecxt_scantuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
			? trigdata->tg_newslot : trigdata->tg_trigslot;
	}

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		rebuild = heap_attisnull(tuple, dr->doc_attnum, tupdesc) ||
			column_changed(tupdesc, dr->doc_attnum, trigdata->tg_trigtuple, tuple);
		for (int i = 0; i < dr->ncolumns && !rebuild; i++)
			rebuild = source_changed(&dr->columns[i], tupdesc, trigdata->tg_trigtuple, tuple,
									 econtext);
	}
	if (rebuild)
	{
		document = build_document(dr, tupdesc, tuple, econtext);
		attnum = dr->doc_attnum;
		tuple = heap_modify_tuple_by_cols(tuple, tupdesc, 1, &attnum, &document, &isnull);
	}
	if (econtext != NULL)
		FreeExprContext(econtext, true);
	return PointerGetDatum(tuple);
}
