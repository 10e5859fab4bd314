/*-------------------------------------------------------------------------
 * current_view.c
 *	  Module entry point: registers the caches of each concern.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	versioned_init();
	search_init();
}
