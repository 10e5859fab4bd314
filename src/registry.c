/*-------------------------------------------------------------------------
 * registry.c
 *	  The only writers of the registry tables.
 *
 * Code that runs with other roles' rights reads the registry: the event
 * triggers (with the rights of whoever drops a table), check_search_table
 * and the search triggers (with the caller's).  So no role may write registry
 * rows directly: the tables grant only SELECT to PUBLIC, and the extension's
 * functions write them through _registry_insert and _registry_delete, which
 * run with the caller's rights (so that they know the caller) and check that
 * the caller owns the tables a row names before writing it with the rights of
 * the registry's owner, the role that created the extension.
 *
 * A row may be inserted only by a role that owns the table it registers (and,
 * for a search source, every table of its chain), and deleted by such a role
 * or by anyone once that table (or a table of the source's chain) is gone, so
 * that the event triggers forget dropped tables with the dropper's rights.
 * The statements are fixed text and run under search_path pg_catalog,
 * pg_temp.  A table owner may still call these functions with content of her
 * choosing for her own tables, so whatever reads a row validates it again
 * where it is used (names quoted, filters analysed, functions looked up).
 *
 * The same switch of user serves _execute_as_owner, with which maintenance
 * (rebuilds, partition repairs) writes a registered table as its owner.
 *-------------------------------------------------------------------------
 */
#include "current_view.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(current_view_registry_insert);
PG_FUNCTION_INFO_V1(current_view_registry_delete);
PG_FUNCTION_INFO_V1(current_view_execute_as_owner);

typedef struct Registry
{
	const char *name;
	const char *schema_column;	/* the registered table's schema and name */
	const char *table_column;
	const char *key;			/* the primary key, as a condition on r and $1 */
	bool		has_chain;		/* chain_schemas, chain_tables name more tables */
	const char *valid;			/* NULL, or a query: is the row $1 valid? */
} Registry;

/*
 * A versioned registration may name, besides its table, only objects that the
 * caller owns: the view, heads table and current table in the table's schema,
 * and the functions it created (by signature).  The event trigger drops them
 * when the table is dropped, with the dropper's rights.
 */
#define VALID_VERSIONED_ROW \
	"SELECT NOT EXISTS (" \
	"  SELECT FROM pg_catalog.unnest(ARRAY[($1).view_name, ($1).heads_table, ($1).current_table]) o(name)" \
	"  WHERE o.name IS NOT NULL AND NOT EXISTS (" \
	"    SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n" \
	"      ON n.oid OPERATOR(pg_catalog.=) c.relnamespace" \
	"    WHERE n.nspname OPERATOR(pg_catalog.=) ($1).table_schema AND c.relname OPERATOR(pg_catalog.=) o.name" \
	"      AND pg_catalog.pg_has_role(c.relowner, 'USAGE')))" \
	" AND NOT EXISTS (" \
	"  SELECT FROM pg_catalog.unnest(($1).created_functions) f(sig)" \
	"  WHERE NOT EXISTS (" \
	"    SELECT FROM pg_catalog.pg_proc p" \
	"    WHERE p.oid OPERATOR(pg_catalog.=) pg_catalog.to_regprocedure(f.sig)" \
	"      AND pg_catalog.pg_has_role(p.proowner, 'USAGE')))"

static const Registry registries[] = {
	{"versioned_table_registry", "table_schema", "table_name",
		"r.table_schema OPERATOR(pg_catalog.=) ($1).table_schema"
		" AND r.table_name OPERATOR(pg_catalog.=) ($1).table_name", false, VALID_VERSIONED_ROW},
	{"search_document_registry", "table_schema", "table_name",
		"r.table_schema OPERATOR(pg_catalog.=) ($1).table_schema"
		" AND r.table_name OPERATOR(pg_catalog.=) ($1).table_name", false, NULL},
	{"search_source_registry", "search_schema", "search_table",
		"r.search_schema OPERATOR(pg_catalog.=) ($1).search_schema"
		" AND r.search_table OPERATOR(pg_catalog.=) ($1).search_table"
		" AND r.source_schema OPERATOR(pg_catalog.=) ($1).source_schema"
		" AND r.source_table OPERATOR(pg_catalog.=) ($1).source_table", true, NULL},
	{"rebuild_progress_registry", "table_schema", "table_name",
		"r.kind OPERATOR(pg_catalog.=) ($1).kind"
		" AND r.table_schema OPERATOR(pg_catalog.=) ($1).table_schema"
		" AND r.table_name OPERATOR(pg_catalog.=) ($1).table_name", false, NULL},
};

/* The registry whose row type the argument has; an error for any other type. */
static const Registry *
row_registry(FunctionCallInfo fcinfo, Oid *relid, Oid *typid)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	*typid = get_fn_expr_argtype(fcinfo->flinfo, 0);
	*relid = OidIsValid(*typid) ? get_typ_typrelid(*typid) : InvalidOid;
	if (OidIsValid(*relid) && get_rel_namespace(*relid) == nsp)
	{
		const char *relname = get_rel_name(*relid);

		for (int i = 0; i < lengthof(registries); i++)
			if (strcmp(relname, registries[i].name) == 0)
				return &registries[i];
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("%s is not a row of a current_view registry table",
					format_type_be(*typid))));
	return NULL;				/* keep the compiler quiet */
}

/* The table schema.name, or InvalidOid if there is none. */
static Oid
named_table(Datum schema, Datum name)
{
	Oid			nsp = get_namespace_oid(NameStr(*DatumGetName(schema)), true);

	return OidIsValid(nsp) ? get_relname_relid(NameStr(*DatumGetName(name)), nsp) : InvalidOid;
}

static Datum
row_field(HeapTupleHeader row, const char *column, bool required)
{
	bool		isnull;
	Datum		value = GetAttributeByName(row, column, &isnull);

	if (isnull && required)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("registry column \"%s\" cannot be null", column)));
	return isnull ? (Datum) 0 : value;
}

static char *
qualified_name(Datum schema, Datum name)
{
	return quote_qualified_identifier(NameStr(*DatumGetName(schema)), NameStr(*DatumGetName(name)));
}

/*
 * Does the caller own every table the row names?  missing is set when one of
 * them does not exist; not_owned names the first that the caller does not own
 * (or that is missing).
 */
static bool
caller_owns_row_tables(const Registry *reg, HeapTupleHeader row, bool *missing,
					   char **not_owned)
{
	Datum		schema = row_field(row, reg->schema_column, true);
	Datum		name = row_field(row, reg->table_column, true);
	Oid			relid = named_table(schema, name);
	bool		owns;

	*missing = !OidIsValid(relid);
	owns = !*missing && owns_relation(relid, GetUserId());
	*not_owned = owns ? NULL : qualified_name(schema, name);
	if (reg->has_chain)
	{
		Datum	   *schemas;
		Datum	   *tables;
		int			n;
		int			m;

		deconstruct_array(DatumGetArrayTypeP(row_field(row, "chain_schemas", true)),
						  NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &schemas, NULL, &n);
		deconstruct_array(DatumGetArrayTypeP(row_field(row, "chain_tables", true)),
						  NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &tables, NULL, &m);
		if (n != m || n < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a search source's chain must name one table per level")));
		for (int i = 0; i < n; i++)
		{
			Oid			chain_relid = named_table(schemas[i], tables[i]);

			if (!OidIsValid(chain_relid) || !owns_relation(chain_relid, GetUserId()))
			{
				*missing |= !OidIsValid(chain_relid);
				owns = false;
				if (*not_owned == NULL)
					*not_owned = qualified_name(schemas[i], tables[i]);
			}
		}
	}
	return owns && !*missing;
}

static Oid
relation_owner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Run sql with the given parameters under search_path pg_catalog, pg_temp; as
 * userid in a security-restricted operation with extra_sec_context too, if
 * userid is valid, else as the caller.  Whatever the statement changes in the
 * settings is rolled back, as REINDEX and REFRESH MATERIALIZED VIEW do, so
 * that code run by it cannot leave a setting behind; an error leaves the
 * restoring of the user and settings to the (sub)transaction's abort, as it
 * does there.  Returns the rows processed, or for a query, its boolean.
 */
static uint64
run_sql_as(Oid userid, int extra_sec_context, const char *sql, int nargs, Oid *argtypes,
		   Datum *values, const char *nulls, bool *first_value)
{
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;
	int			ret;
	uint64		processed;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	if (OidIsValid(userid))
		SetUserIdAndSecContext(userid,
							   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION | extra_sec_context);
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	/*
	 * is_superuser follows only SET ROLE and SET SESSION AUTHORIZATION: make
	 * it say what userid is, so that code run as userid does not take itself
	 * for the superuser that may have called us.
	 */
	if (OidIsValid(userid))
		(void) set_config_option("is_superuser", superuser_arg(userid) ? "on" : "off",
								 PGC_INTERNAL, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(sql, nargs, argtypes, values, nulls, false, 0);
	if (ret < 0)
		elog(ERROR, "SPI_execute_with_args failed for \"%s\": %s", sql,
			 SPI_result_code_string(ret));
	processed = SPI_processed;
	if (first_value != NULL)
	{
		bool		isnull = true;
		Datum		value = processed > 0
			? SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull) : (Datum) 0;

		*first_value = !isnull && DatumGetBool(value);
	}
	SPI_finish();
	AtEOXact_GUC(false, nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	return processed;
}

/*
 * Run sql with $1 the row, as the registry's owner (as_owner) or as the
 * caller; returns the rows processed, or for a query, its boolean.
 */
static uint64
run_registry_sql(Oid relid, const char *sql, Oid typid, Datum row, bool as_owner)
{
	return run_sql_as(as_owner ? relation_owner(relid) : InvalidOid, 0, sql, 1, &typid, &row, NULL,
					  NULL);
}

/* Whether the query reg->valid, run with the caller's rights, says the row is valid. */
static bool
registry_row_valid(const char *sql, Oid typid, Datum row)
{
	bool		valid;

	(void) run_sql_as(InvalidOid, 0, sql, 1, &typid, &row, NULL, &valid);
	return valid;
}

/*
 * _execute_as_owner(tbl regclass, statement text, VARIADIC params "any")
 * RETURNS bigint: run statement, one that the extension's maintenance
 * (rebuilds, partition repairs) built for tbl, with params as $1, $2, ...,
 * as the owner of tbl in a security-restricted operation, as PostgreSQL runs
 * REINDEX, VACUUM and REFRESH MATERIALIZED VIEW: the statement evaluates
 * the index expressions of the tables it writes and fires their triggers,
 * code their owner controls, which must not run with the rights of a
 * superuser running maintenance.  Row-level security is not forced on the
 * owner, as in the triggers' own writes: maintenance sees every row.  Only a
 * caller with the privileges of the owner may call it, so that it lets no
 * one run SQL as a role she could not act as.  Returns the rows the statement
 * processed (a SELECT: the rows it returned).
 */
Datum
current_view_execute_as_owner(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			owner;
	int			nargs = PG_NARGS() - 2;
	Oid		   *argtypes = palloc(sizeof(Oid) * (nargs + 1));
	Datum	   *values = palloc(sizeof(Datum) * (nargs + 1));
	char	   *nulls = palloc(nargs + 1);

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		elog(ERROR, "_execute_as_owner: the table and the statement must not be null");
	if (get_fn_expr_variadic(fcinfo->flinfo))
		elog(ERROR, "_execute_as_owner: parameters must be passed one by one");
	owner = relation_owner(relid);
	if (!has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must have the privileges of the owner of table %s", get_rel_name(relid)),
				 errdetail("The maintenance of a table writes it as its owner.")));
	for (int i = 0; i < nargs; i++)
	{
		argtypes[i] = get_fn_expr_argtype(fcinfo->flinfo, i + 2);
		if (!OidIsValid(argtypes[i]))
			elog(ERROR, "could not determine the type of parameter %d", i + 1);
		values[i] = PG_GETARG_DATUM(i + 2);
		nulls[i] = PG_ARGISNULL(i + 2) ? 'n' : ' ';
	}
	PG_RETURN_INT64((int64) run_sql_as(owner, SECURITY_NOFORCE_RLS,
									   text_to_cstring(PG_GETARG_TEXT_PP(1)),
									   nargs, argtypes, values, nulls, NULL));
}

/* _registry_insert(new_row anyelement) RETURNS void */
Datum
current_view_registry_insert(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Oid			typid;
	const Registry *reg = row_registry(fcinfo, &relid, &typid);
	HeapTupleHeader row;
	bool		missing;
	char	   *not_owned;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a registry row cannot be null")));
	row = PG_GETARG_HEAPTUPLEHEADER(0);
	if (!caller_owns_row_tables(reg, row, &missing, &not_owned))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s", not_owned),
				 errdetail("Registrations are written by the current_view functions that make them, for tables their caller owns.")));
	if (reg->valid != NULL && !registry_row_valid(reg->valid, typid, PG_GETARG_DATUM(0)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("a registration may name only objects its caller owns")));
	run_registry_sql(relid,
							psprintf("INSERT INTO %s.%s SELECT ($1).*",
									 quote_identifier(get_namespace_name(get_rel_namespace(relid))),
									 quote_identifier(reg->name)),
							typid, PG_GETARG_DATUM(0), true);
	PG_RETURN_VOID();
}

/*
 * _registry_delete(old_row anyelement) RETURNS bigint: delete the row with
 * old_row's primary key, if the caller owns its tables or one of them is gone;
 * returns the number of rows deleted.
 */
Datum
current_view_registry_delete(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Oid			typid;
	const Registry *reg = row_registry(fcinfo, &relid, &typid);
	HeapTupleHeader row;
	bool		missing;
	char	   *not_owned;

	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	row = PG_GETARG_HEAPTUPLEHEADER(0);
	if (!caller_owns_row_tables(reg, row, &missing, &not_owned) && !missing)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s", not_owned)));
	PG_RETURN_INT64((int64) run_registry_sql(relid,
													psprintf("DELETE FROM %s.%s r WHERE %s",
															 quote_identifier(get_namespace_name(get_rel_namespace(relid))),
															 quote_identifier(reg->name), reg->key),
													typid, PG_GETARG_DATUM(0), true));
}
