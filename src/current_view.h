/*-------------------------------------------------------------------------
 * current_view.h
 *	  Declarations shared by the C files of the current_view extension.
 *-------------------------------------------------------------------------
 */
#ifndef CURRENT_VIEW_H
#define CURRENT_VIEW_H

#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"

/* sql_text.c: building SQL text that does not depend on search_path */
extern char *qualified_relation_name(Oid relid);
extern void append_type_operator(StringInfo buf, Oid typid, int strategy);
extern void append_equality_qual(StringInfo buf, const char *column, Oid typid,
								 int paramno);

/* sql_text.c: running a cached SPI plan and checking its outcome */
extern uint64 execute_plan(SPIPlanPtr plan, Datum *values, int expected_ret);
extern SPIPlanPtr prepare_kept_plan(const char *sql, int nargs, Oid *argtypes);

/* versioned.c */
extern void versioned_init(void);

/* search.c */
extern void search_init(void);

#endif							/* CURRENT_VIEW_H */
