/*-------------------------------------------------------------------------
 * text_cast.c
 *	  A value as text exactly as value::text computes it, without SQL: the
 *	  documents of search tables and the source keys search() returns.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* Decide how value::text is computed for values of typid, as the SQL cast does. */
void
text_cast_init(TextCast *cast, Oid typid, MemoryContext cxt)
{
	Oid			funcid = InvalidOid;
	bool		typisvarlena;

	cast->path = find_coercion_pathway(TEXTOID, getBaseType(typid), COERCION_EXPLICIT, &funcid);
	switch (cast->path)
	{
		case COERCION_PATH_RELABELTYPE:
			return;
		case COERCION_PATH_FUNC:
			cast->nargs = get_func_nargs(funcid);
			break;
		case COERCION_PATH_COERCEVIAIO:
			getTypeOutputInfo(getBaseType(typid), &funcid, &typisvarlena);
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_CANNOT_COERCE),
					 errmsg("cannot cast type %s to text", format_type_be(typid))));
	}
	fmgr_info_cxt(funcid, &cast->function, cxt);
}

/* value::text.  A cast function takes the value, then a typmod, then whether explicit. */
Datum
text_cast(TextCast *cast, Datum value)
{
	switch (cast->path)
	{
		case COERCION_PATH_RELABELTYPE:
			return value;
		case COERCION_PATH_FUNC:
			if (cast->nargs == 1)
				return FunctionCall1(&cast->function, value);
			if (cast->nargs == 2)
				return FunctionCall2(&cast->function, value, Int32GetDatum(-1));
			return FunctionCall3(&cast->function, value, Int32GetDatum(-1), BoolGetDatum(true));
		default:
			return CStringGetTextDatum(OutputFunctionCall(&cast->function, value));
	}
}
