/*-------------------------------------------------------------------------
 * current_view.c
 *	  Module entry point: registers the caches of each concern.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

PG_FUNCTION_INFO_V1(current_view_load_library);

void
_PG_init(void)
{
	statements_init();
	statement_path_init();
	versioned_init();
	current_table_init();
	search_document_init();
	search_init();
}

/* _load_library(): calling any function of the library loads it. */
Datum
current_view_load_library(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(true);
}
