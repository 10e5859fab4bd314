-- current_view: install script, assembled from sql/*.sql in name order.
\echo Use "CREATE EXTENSION current_view" to load this file. \quit

-- Every function of the extension runs with search_path = pg_catalog, pg_temp
-- and names everything else schema-qualified (CVE-2018-1058).

-- The public API lives in the extension's schema; trigger functions, helpers
-- and the registry live here, out of the user's schema.  Plain CREATE SCHEMA:
-- a schema of that name made beforehand by anyone makes installation fail
-- instead of being taken over (CVE-2022-2625).
CREATE SCHEMA current_view_internal;
COMMENT ON SCHEMA current_view_internal IS 'internal objects of the current_view extension';
-- Registration functions run as their caller and create triggers that name
-- the trigger functions here.
GRANT USAGE ON SCHEMA current_view_internal TO PUBLIC;

-- Raise 42809 unless tbl is a table, 42501 unless the caller owns it
-- (directly or through a role).
CREATE FUNCTION current_view_internal._require_owner(tbl regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = tbl) NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', tbl USING ERRCODE = 'wrong_object_type';
    END IF;
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- The only writers of the registry tables (see src/registry.c): insert a
-- row, or delete the row with a row's primary key, after checking that the
-- caller owns the tables it names (deleting is also allowed once one of them
-- is gone); PUBLIC may only read the registry.
CREATE FUNCTION current_view_internal._registry_insert(new_row anyelement)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_registry_insert'
LANGUAGE C;

CREATE FUNCTION current_view_internal._registry_delete(old_row anyelement)
RETURNS bigint
AS 'MODULE_PATHNAME', 'current_view_registry_delete'
LANGUAGE C;

-- OPERATOR(schema.op) of a strategy (1 <, 2 <=, 3 =, 4 >=, 5 >) of the type's
-- default btree class, for generated SQL that must not depend on search_path.
CREATE FUNCTION current_view_internal._btree_operator(typ regtype, strategy integer)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_btree_operator'
LANGUAGE C STRICT STABLE;

-- Split an index column list such as 'party_id, "Created At" DESC' into its
-- columns (unquoted names folded to lower case, as SQL does) and directions.
CREATE FUNCTION current_view_internal._parse_column_list(list text)
RETURNS TABLE (column_name name, descending boolean)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rest text := list;
    m text[];
BEGIN
    LOOP
        m := regexp_match(rest,
            '^\s*("(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)(?:\s+(asc|desc))?\s*(?:,|$)(.*)$',
            'i');
        IF m IS NULL THEN
            RAISE EXCEPTION 'invalid column list "%"', list
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Write column names separated by commas, each optionally followed by ASC or DESC.';
        END IF;
        column_name := CASE WHEN left(m[1], 1) = '"'
                            THEN replace(substr(m[1], 2, length(m[1]) - 2), '""', '"')
                            ELSE lower(m[1]) END;
        descending := lower(coalesce(m[2], 'asc')) = 'desc';
        RETURN NEXT;
        rest := m[3];
        EXIT WHEN rest ~ '^\s*$';
    END LOOP;
END
$$;

-- A name built from a base and a suffix, shortened to fit in NAMEDATALEN
-- like PostgreSQL's own generated names.
CREATE FUNCTION current_view_internal._object_name(base name, suffix text)
RETURNS name
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (left(base::text, 63 - octet_length('_' || suffix)) || '_' || suffix)::name
$$;

-- Always true.  The view of a 'flag' table calls it in its WHERE clause: the
-- planner folds the call, which loads the library before a statement on the
-- view starts running, so that the library sees that statement (an UPDATE
-- through the view appends a version; see src/statements.c).
CREATE FUNCTION current_view_internal._load_library()
RETURNS boolean
AS 'MODULE_PATHNAME', 'current_view_load_library'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- Versioned tables: one current row per key.

CREATE FUNCTION current_view_internal.current_view_flag_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_flag_trigger'
LANGUAGE C;

CREATE FUNCTION current_view_internal._require_btree_type(typ regtype)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_require_btree_type'
LANGUAGE C STRICT;

CREATE FUNCTION current_view_internal.current_view_append_only_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_append_only_trigger'
LANGUAGE C;

-- 55000 when PostgreSQL would refuse the triggers' flag UPDATEs because of
-- how the table (or a partition) is published: no replica identity, or a
-- column list or row filter outside it.  The triggers check it again.
CREATE FUNCTION current_view_internal._check_publication(tbl regclass, current_column name)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_check_publication'
LANGUAGE C STRICT;

-- One row per registered table, by name (not OID) so that it survives
-- pg_dump and pg_upgrade.
CREATE TABLE current_view_internal.versioned_table_registry (
    table_schema name NOT NULL,
    table_name name NOT NULL,
    key_columns name[] NOT NULL,
    version_columns name[] NOT NULL,
    strategy text NOT NULL,
    current_column name,
    view_name name NOT NULL,
    heads_table name,
    current_indexes text[] NOT NULL,
    created_indexes name[] NOT NULL,
    added_current_column boolean NOT NULL,
    append_only boolean NOT NULL,
    deleted_column name,
    next_version text[],
    current_table name,         -- strategy 'table': the table of current rows
    created_functions text[] NOT NULL DEFAULT '{}',  -- signatures, for DROP FUNCTION
    PRIMARY KEY (table_schema, table_name)
);
SELECT pg_catalog.pg_extension_config_dump('current_view_internal.versioned_table_registry', '');

GRANT SELECT ON current_view_internal.versioned_table_registry TO PUBLIC;

CREATE VIEW @extschema@.versioned_tables AS
SELECT format('%I.%I', table_schema, table_name) AS table_name,
       key_columns,
       version_columns,
       strategy,
       current_column,
       format('%I.%I', table_schema, view_name) AS view_name,
       CASE WHEN heads_table IS NOT NULL
            THEN format('%I.%I', table_schema, heads_table) END AS heads_table,
       current_indexes,
       append_only
FROM current_view_internal.versioned_table_registry;
GRANT SELECT ON @extschema@.versioned_tables TO PUBLIC;

-- Validate a column of tbl and return its attribute row.
CREATE FUNCTION current_view_internal._column(tbl regclass, col name, role text)
RETURNS pg_catalog.pg_attribute
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    att pg_attribute;
BEGIN
    SELECT * INTO att FROM pg_attribute
    WHERE attrelid = tbl AND attname = col AND attnum > 0 AND NOT attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% column "%" of table % does not exist', role, col, tbl
            USING ERRCODE = 'undefined_column';
    END IF;
    RETURN att;
END
$$;

-- Quoted, comma-separated column names, each followed by suffix.
CREATE FUNCTION current_view_internal._column_list(cols name[], suffix text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_ident(c) || suffix, ', ' ORDER BY i)
    FROM unnest(cols) WITH ORDINALITY AS u(c, i)
$$;


-- The registration row of tbl; 42704 if tbl is not registered.
CREATE FUNCTION current_view_internal._registration(tbl regclass)
RETURNS current_view_internal.versioned_table_registry
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry;
BEGIN
    SELECT r.* INTO reg
    FROM current_view_internal.versioned_table_registry r
    JOIN pg_class c ON c.relname = r.table_name
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.table_schema
    WHERE c.oid = tbl;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not registered as a versioned table', tbl
            USING ERRCODE = 'undefined_object';
    END IF;
    RETURN reg;
END
$$;

-- Create an index on (key, version) unless one already leads with those
-- columns: promotion after a DELETE and the 'view' strategy read through it.
-- Returns the name of the index created, or NULL.
CREATE FUNCTION current_view_internal._ensure_key_version_index(tbl regclass, cols name[])
RETURNS name
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    attnums int2[];
    idx name;
BEGIN
    SELECT array_agg(a.attnum ORDER BY u.i) INTO attnums
    FROM unnest(cols) WITH ORDINALITY u(c, i)
    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
               WHERE i.indrelid = tbl AND i.indpred IS NULL AND i.indexprs IS NULL
                 AND (i.indkey::int2[])[0:cardinality(attnums) - 1] = attnums) THEN
        RETURN NULL;
    END IF;
    idx := current_view_internal._object_name((SELECT relname FROM pg_class WHERE oid = tbl), 'key_version');
    EXECUTE format('CREATE INDEX %I ON %s (%s)', idx, tbl, current_view_internal._column_list(cols));
    RETURN idx;
END
$$;

CREATE FUNCTION @extschema@.register_versioned_table(
    tbl regclass,
    key_columns name[],
    version_columns name[],
    strategy text DEFAULT 'flag',
    current_column name DEFAULT 'current',
    view_name name DEFAULT NULL,
    current_indexes text[] DEFAULT '{}',
    append_only boolean DEFAULT false,
    backfill boolean DEFAULT true,
    deleted_column name DEFAULT NULL,
    next_version text[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    att pg_attribute;
    col name;
    cols name[];
    qtbl text;
    qview text;
    heads name;
    flag_existed boolean := false;
    has_null boolean;
    key_list text;
    version_desc text;
    index_columns text;
    index_specs text[] := '{}';
    spec text;
    created name[] := '{}';
    idx name;
    trigger_args text;
    write_args text;
    current_table name;
    live_filter text := '';
BEGIN
    IF tbl IS NULL OR key_columns IS NULL OR version_columns IS NULL
       OR strategy IS NULL OR append_only IS NULL OR backfill IS NULL
       OR current_indexes IS NULL THEN
        RAISE EXCEPTION 'only view_name, current_column, deleted_column and next_version of register_versioned_table may be null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.relname, c.relkind, n.nspname, c.relowner INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    PERFORM current_view_internal._require_owner(tbl);
    IF EXISTS (SELECT 1 FROM current_view_internal.versioned_table_registry r
               WHERE r.table_schema = rel.nspname AND r.table_name = rel.relname) THEN
        RAISE EXCEPTION 'table % is already registered as a versioned table', tbl
            USING ERRCODE = 'duplicate_object',
                  HINT = 'Call unregister_versioned_table first to change its registration.';
    END IF;
    IF strategy NOT IN ('flag', 'view', 'table') THEN
        RAISE EXCEPTION 'unknown strategy "%"', strategy
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''flag'', ''table'' or ''view''.';
    END IF;
    IF coalesce(cardinality(key_columns), 0) = 0 OR coalesce(cardinality(version_columns), 0) = 0
       OR array_position(key_columns || version_columns, NULL) IS NOT NULL
       OR (SELECT count(DISTINCT c) <> count(*) FROM unnest(key_columns || version_columns) c) THEN
        RAISE EXCEPTION 'key_columns and version_columns must name distinct columns, at least one each'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF strategy = 'flag' AND (current_column IS NULL
                              OR current_column = ANY (key_columns || version_columns)) THEN
        RAISE EXCEPTION 'current_column must name a column other than the key and version columns'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF strategy = 'flag' AND 'current_relation' = ANY (key_columns) THEN
        RAISE EXCEPTION 'a key column cannot be named "current_relation"'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The heads table of a versioned table uses that name.';
    END IF;
    view_name := coalesce(view_name, current_view_internal._object_name(rel.relname, 'current'));
    next_version := current_view_internal._check_history_options(tbl, key_columns, version_columns,
                        CASE WHEN strategy = 'flag' THEN current_column END,
                        deleted_column, next_version);
    IF deleted_column IS NOT NULL THEN
        live_filter := format(' AND NOT %I', deleted_column);
    END IF;
    qtbl := format('%I.%I', rel.nspname, rel.relname);
    qview := format('%I.%I', rel.nspname, view_name);
    key_list := current_view_internal._column_list(key_columns);
    version_desc := current_view_internal._column_list(version_columns, ' DESC');

    FOREACH col IN ARRAY key_columns || version_columns LOOP
        att := current_view_internal._column(tbl, col,
                   CASE WHEN col = ANY (key_columns) THEN 'key' ELSE 'version' END);
        PERFORM current_view_internal._require_btree_type(att.atttypid);
    END LOOP;
    IF strategy = 'flag' THEN
        SELECT a.* INTO att FROM pg_attribute a
        WHERE a.attrelid = tbl AND a.attname = current_column AND a.attnum > 0 AND NOT a.attisdropped;
        flag_existed := FOUND;
        IF flag_existed AND att.atttypid <> 'boolean'::regtype THEN
            RAISE EXCEPTION 'column "%" of table % must be of type boolean to mark current rows',
                current_column, tbl
                USING ERRCODE = 'datatype_mismatch';
        END IF;
    END IF;
    FOREACH spec IN ARRAY current_indexes LOOP
        SELECT string_agg(format('%I%s', p.column_name, CASE WHEN p.descending THEN ' DESC' ELSE '' END), ', '),
               array_agg(p.column_name)
        INTO index_columns, cols
        FROM current_view_internal._parse_column_list(spec) p;
        FOREACH col IN ARRAY cols LOOP
            IF col IS DISTINCT FROM current_column OR strategy <> 'flag' OR NOT flag_existed THEN
                PERFORM current_view_internal._column(tbl, col, 'index');
            END IF;
        END LOOP;
        index_specs := index_specs || index_columns;
    END LOOP;
    IF strategy = 'view' AND cardinality(index_specs) > 0 THEN
        RAISE EXCEPTION 'current_indexes need a strategy that stores current rows'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Strategy ''view'' computes current rows at query time.';
    END IF;

    -- Writers wait until the current rows are computed and the triggers exist.
    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', qtbl);

    FOREACH col IN ARRAY key_columns || version_columns LOOP
        IF NOT (SELECT attnotnull FROM pg_attribute WHERE attrelid = tbl AND attname = col) THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I IS NULL)', qtbl, col) INTO has_null;
            IF has_null THEN
                RAISE EXCEPTION 'column "%" of table % contains null values', col, tbl
                    USING ERRCODE = 'not_null_violation',
                          DETAIL = 'Key and version columns of a versioned table cannot be null.';
            END IF;
        END IF;
    END LOOP;

    idx := current_view_internal._ensure_key_version_index(tbl, key_columns || version_columns);
    IF idx IS NOT NULL THEN
        created := created || idx;
    END IF;

    IF strategy = 'view' THEN
        IF deleted_column IS NULL THEN
            EXECUTE format('CREATE VIEW %s AS SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s',
                           qview, key_list, current_view_internal._visible_columns(tbl, NULL),
                           qtbl, key_list, version_desc);
        ELSE
            -- Keys whose current row is a tombstone leave the view.
            EXECUTE format('CREATE VIEW %s AS SELECT * FROM (SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s) v WHERE NOT %I',
                           qview, key_list, current_view_internal._visible_columns(tbl, NULL),
                           qtbl, key_list, version_desc, deleted_column);
        END IF;
    ELSIF strategy = 'table' THEN
        current_table := current_view_internal._create_current_table(tbl, key_columns, version_columns,
                             view_name, index_specs, append_only, backfill,
                             deleted_column, next_version);
    ELSE
        PERFORM current_view_internal._check_publication(tbl, current_column);
        IF NOT flag_existed THEN
            EXECUTE format('ALTER TABLE %s ADD COLUMN %I boolean NOT NULL DEFAULT false',
                           qtbl, current_column);
        END IF;
        heads := current_view_internal._object_name(rel.relname, 'heads');
        EXECUTE format('CREATE TABLE %I.%I (%s, current_relation pg_catalog.regclass NOT NULL, PRIMARY KEY (%s))',
                       rel.nspname, heads,
                       (SELECT string_agg(format('%I %s%s', a.attname,
                                                 format_type(a.atttypid, a.atttypmod),
                                                 CASE WHEN a.attcollation <> 0
                                                      THEN format(' COLLATE %I.%I', cn.nspname, co.collname)
                                                      ELSE '' END), ', ' ORDER BY u.i)
                        FROM unnest(key_columns) WITH ORDINALITY u(c, i)
                        JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c
                        LEFT JOIN pg_collation co ON co.oid = a.attcollation
                        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace),
                       key_list);
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', rel.nspname, heads,
                       (SELECT rolname FROM pg_roles WHERE oid = rel.relowner));
        IF backfill THEN
            PERFORM current_view_internal._compute_current_rows(tbl, key_columns, version_columns,
                                                      current_column, rel.nspname, heads,
                                                      flag_existed);
        END IF;

        -- Unique where the table allows it: a unique index on a partitioned
        -- table must include the partition key.
        idx := current_view_internal._object_name(rel.relname, 'current_key');
        EXECUTE format('CREATE %sINDEX %I ON %s (%s) WHERE %I',
                       CASE WHEN rel.relkind = 'r' THEN 'UNIQUE ' ELSE '' END,
                       idx, qtbl, key_list, current_column);
        created := created || idx;
        FOR i IN 1 .. cardinality(index_specs) LOOP
            idx := current_view_internal._object_name(rel.relname, 'current_' || i);
            EXECUTE format('CREATE INDEX %I ON %s (%s) WHERE %I', idx, qtbl, index_specs[i], current_column);
            created := created || idx;
        END LOOP;

        -- _load_library() folds to true when a statement on the view is
        -- planned, loading the library before the statement runs: the
        -- triggers below must see an UPDATE through the view as one.
        EXECUTE format('CREATE VIEW %s AS SELECT %s FROM %s WHERE %I%s AND current_view_internal._load_library()',
                       qview, current_view_internal._visible_columns(tbl, current_column), qtbl, current_column,
                       live_filter);
        -- Writes through the view append versions.  INSERT is the view's
        -- own; DELETE appends a tombstone; PostgreSQL turns an UPDATE into an
        -- UPDATE of the current row, which the advance triggers turn into
        -- the next version (see current_table.c).
        write_args := current_view_internal._history_trigger_args(rel.nspname, rel.relname, view_name, current_column,
                                                        deleted_column, key_columns, version_columns,
                                                        next_version);
        EXECUTE format('CREATE TRIGGER current_view_write INSTEAD OF DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%s)',
                       qview, write_args);
        -- The BEFORE trigger sees every UPDATE, so that it can refuse one
        -- through the view that reaches a row other than the current one.
        -- The AFTER conditions keep the flag updates of the maintenance (one
        -- per insert) out of the queue; a row moved to another partition is
        -- deleted from the first.
        EXECUTE format('CREATE TRIGGER current_view_advance BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%s)',
                       qtbl, write_args);
        EXECUTE format('CREATE TRIGGER current_view_keep_previous AFTER UPDATE ON %s FOR EACH ROW WHEN (OLD.%2$I AND NEW.%2$I) EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%3$s)',
                       qtbl, current_column, write_args);
        EXECUTE format('CREATE TRIGGER current_view_keep_moved AFTER DELETE ON %s FOR EACH ROW WHEN (OLD.%I) EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%s)',
                       qtbl, current_column, write_args);

        trigger_args := concat_ws(', ', quote_literal(rel.nspname), quote_literal(heads),
                                  quote_literal(current_column),
                                  quote_literal(cardinality(key_columns)),
                                  (SELECT string_agg(quote_literal(c), ', ')
                                   FROM unnest(key_columns || version_columns) c));
        EXECUTE format('CREATE TRIGGER zz_current_view_insert BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_flag_trigger(%s)',
                       qtbl, trigger_args);
        EXECUTE format('CREATE TRIGGER current_view_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION current_view_internal.current_view_flag_trigger(%s)',
                       qtbl, trigger_args);
        IF NOT append_only THEN
            EXECUTE format('CREATE TRIGGER zz_current_view_before_update BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_flag_trigger(%s)',
                           qtbl, trigger_args);
            -- Only key and version changes need deciding afresh; the flag
            -- updates of the triggers themselves do not queue this trigger.
            -- The AFTER triggers that promote another row are named to fire
            -- after change-logging triggers such as pg_repack's
            -- repack_trigger, which then log the row's own change before
            -- the promotion (replayed the other way round, a promotion
            -- would meet the old current row in the unique index).
            EXECUTE format('CREATE TRIGGER zz_current_view_after_update AFTER UPDATE OF %s ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_flag_trigger(%s)',
                           current_view_internal._column_list(key_columns || version_columns), qtbl, trigger_args);
            EXECUTE format('CREATE TRIGGER zz_current_view_delete AFTER DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_flag_trigger(%s)',
                           qtbl, trigger_args);
        END IF;
    END IF;
    IF append_only THEN
        EXECUTE format('CREATE TRIGGER current_view_append_only BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_append_only_trigger()',
                       qtbl);
    END IF;

    -- (table_schema, table_name, key_columns, version_columns, strategy, current_column,
    --  view_name, heads_table, current_indexes, created_indexes, added_current_column,
    --  append_only, deleted_column, next_version, current_table, created_functions)
    PERFORM current_view_internal._registry_insert(ROW(rel.nspname, rel.relname, key_columns, version_columns, strategy,
            CASE WHEN strategy = 'flag' THEN current_column END,
            view_name, heads, current_indexes, created,
            strategy = 'flag' AND NOT flag_existed, append_only, deleted_column, next_version,
            current_table,
            current_view_internal._create_history_functions(tbl, key_columns, version_columns, strategy,
                                                  CASE WHEN strategy = 'flag' THEN current_column END,
                                                  coalesce(current_table, view_name), deleted_column,
                                                  next_version))::current_view_internal.versioned_table_registry);
END
$$;

-- The table's columns for a view of it, quoted, without the one excluded.
CREATE FUNCTION current_view_internal._visible_columns(tbl regclass, excluded name)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute
    WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped
      AND attname IS DISTINCT FROM excluded
$$;

-- Set the flag of every key's current row and fill the heads table, in one
-- set-based statement (ties between equal versions go to any one row).
CREATE FUNCTION current_view_internal._compute_current_rows(
    tbl regclass, key_columns name[], version_columns name[], current_column name,
    heads_schema name, heads name, reset boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key_list text := current_view_internal._column_list(key_columns);
BEGIN
    IF reset THEN
        EXECUTE format('UPDATE %s SET %I = false WHERE %I', tbl, current_column, current_column);
    END IF;
    EXECUTE format($sql$
        WITH winners AS MATERIALIZED (
            SELECT DISTINCT ON (%1$s) tableoid AS current_relation, ctid AS row_id, %1$s
            FROM %2$s ORDER BY %1$s, %3$s),
        heads AS (
            INSERT INTO %4$I.%5$I (%1$s, current_relation)
            SELECT %1$s, current_relation::regclass FROM winners)
        UPDATE %2$s t SET %6$I = true FROM winners w
        WHERE t.tableoid = w.current_relation AND t.ctid = w.row_id
        $sql$,
        key_list, tbl, current_view_internal._column_list(version_columns, ' DESC'),
        heads_schema, heads, current_column);
END
$$;

CREATE FUNCTION @extschema@.unregister_versioned_table(tbl regclass, drop_current boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry;
    trg name;
    idx name;
BEGIN
    reg := current_view_internal._registration(tbl);
    PERFORM current_view_internal._require_owner(tbl);
    FOR trg IN SELECT tgname FROM pg_trigger
               WHERE tgrelid = tbl AND NOT tgisinternal AND tgparentid = 0
                 AND tgname IN ('zz_current_view_insert', 'current_view_insert', 'current_view_truncate',
                                'zz_current_view_before_update', 'current_view_after_update',
                                'zz_current_view_after_update', 'current_view_delete',
                                'zz_current_view_delete', 'current_view_append_only',
                                'current_view_advance', 'current_view_keep_previous',
                                'current_view_keep_moved') LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', trg, tbl);
    END LOOP;
    PERFORM current_view_internal._drop_history_objects(reg);
    FOREACH idx IN ARRAY reg.created_indexes LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I.%I', reg.table_schema, idx);
    END LOOP;
    IF drop_current AND reg.added_current_column THEN
        EXECUTE format('ALTER TABLE %s DROP COLUMN IF EXISTS %I', tbl, reg.current_column);
    END IF;
    PERFORM current_view_internal._registry_delete(reg);
END
$$;

-- The number of keys whose current row is wrong: 0 when healthy.
CREATE FUNCTION @extschema@.check_versioned_table(tbl regclass)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
    key_list text := current_view_internal._column_list(reg.key_columns);
    version_list text := current_view_internal._column_list(reg.version_columns);
    heads_check text := '';
    shown_rel text := format('%I.%I', reg.table_schema, coalesce(reg.current_table, reg.view_name));
    live_filter text := '';
    wrong bigint;
BEGIN
    -- Keys whose row in the view is not the one with the greatest version,
    -- or that have no row or several in it.
    IF reg.heads_table IS NOT NULL THEN
        -- ... and, for 'flag', keys whose heads row disagrees with the flags.
        heads_check := format($sql$
            UNION
            SELECT %1$s FROM (
                (SELECT %1$s, tableoid::oid AS rel FROM %2$s WHERE %3$I
                 EXCEPT ALL SELECT %1$s, current_relation::oid FROM %4$I.%5$I)
                UNION ALL
                (SELECT %1$s, current_relation::oid FROM %4$I.%5$I
                 EXCEPT ALL SELECT %1$s, tableoid::oid FROM %2$s WHERE %3$I)) h
            $sql$, key_list, tbl, reg.current_column, reg.table_schema, reg.heads_table);
    END IF;
    IF reg.current_table IS NOT NULL THEN
        -- ... and, for 'table', keys whose current row is no row of the history.
        heads_check := format($sql$
            UNION
            SELECT %1$s FROM (SELECT %1$s, (%2$s)::text FROM %3$s
                              EXCEPT ALL SELECT %1$s, (%2$s)::text FROM %4$s) c
            $sql$, key_list, 'ROW(' || current_view_internal._visible_columns(shown_rel::regclass, NULL) || ')',
            shown_rel, tbl);
    ELSIF reg.deleted_column IS NOT NULL THEN
        -- The view of 'flag' and 'view' hides the keys whose current row is a tombstone.
        live_filter := format('WHERE NOT %I', reg.deleted_column);
    END IF;
    EXECUTE format($sql$
        WITH oracle AS (SELECT %1$s, %2$s FROM (SELECT DISTINCT ON (%1$s) * FROM %3$s ORDER BY %1$s, %4$s) o %7$s),
             shown AS (SELECT %1$s, %2$s FROM %5$s)
        SELECT count(*) FROM (
            SELECT %1$s FROM ((TABLE oracle EXCEPT ALL TABLE shown)
                              UNION ALL (TABLE shown EXCEPT ALL TABLE oracle)) d
            %6$s) wrong_keys
        $sql$,
        key_list, version_list, tbl, current_view_internal._column_list(reg.version_columns, ' DESC'),
        shown_rel, heads_check, live_filter)
    INTO wrong;
    RETURN wrong;
END
$$;

-- Forget the registration of a dropped table, and drop its heads table.
-- It runs with the rights of the role dropping the table (nothing named in
-- registry rows is trusted with more): objects that role may not drop are
-- left behind with a warning.
CREATE FUNCTION current_view_internal._forget_dropped_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry;
BEGIN
    FOR reg IN
        SELECT r.* FROM current_view_internal.versioned_table_registry r
        JOIN pg_event_trigger_dropped_objects() d
          ON d.object_type = 'table' AND NOT d.is_temporary
         AND r.table_schema = d.schema_name AND r.table_name = d.object_name
    LOOP
        PERFORM current_view_internal._registry_delete(reg);
        BEGIN
            PERFORM current_view_internal._drop_history_objects(reg);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'objects of the versioned table %.% were left behind: %',
                quote_ident(reg.table_schema), quote_ident(reg.table_name), SQLERRM;
        END;
    END LOOP;
END
$$;

CREATE EVENT TRIGGER current_view_forget_dropped_tables ON sql_drop
    EXECUTE FUNCTION current_view_internal._forget_dropped_tables();

-- Search documents and search tables kept in step by triggers.

CREATE FUNCTION current_view_internal.current_view_document_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_document_trigger'
LANGUAGE C;

CREATE FUNCTION current_view_internal.current_view_search_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_search_trigger'
LANGUAGE C;

-- Validate a source filter; return it deparsed (objects outside pg_catalog
-- qualified), which is what the triggers and the initial fill evaluate.
CREATE FUNCTION current_view_internal._search_filter(tbl regclass, filter text)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_search_filter'
LANGUAGE C STRICT;

-- The query computing every search row of a registered source.
CREATE FUNCTION current_view_internal._search_source_query(search_schema name, search_table name, source regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_search_source_query'
LANGUAGE C STRICT;

-- One row per table with a document column, by name (not OID).
CREATE TABLE current_view_internal.search_document_registry (
    table_schema name NOT NULL,
    table_name name NOT NULL,
    columns name[] NOT NULL,
    weights text[],
    document_column name NOT NULL,
    config_schema name NOT NULL,
    config_name name NOT NULL,
    added_document_column boolean NOT NULL,
    PRIMARY KEY (table_schema, table_name)
);
SELECT pg_catalog.pg_extension_config_dump('current_view_internal.search_document_registry', '');

-- One row per source of a search table, with its resolved chain: level 0 is
-- the source, level i+1 the table that parents[i] of level i references.
CREATE TABLE current_view_internal.search_source_registry (
    search_schema name NOT NULL,
    search_table name NOT NULL,
    position integer NOT NULL,
    source_schema name NOT NULL,
    source_table name NOT NULL,
    parents name[] NOT NULL,
    filter text,
    weights text[] NOT NULL,
    chain_schemas name[] NOT NULL,
    chain_tables name[] NOT NULL,
    key_columns name[] NOT NULL,
    document_columns name[] NOT NULL,
    search_columns name[] NOT NULL,
    created_search_table boolean NOT NULL,
    PRIMARY KEY (search_schema, search_table, source_schema, source_table)
);
SELECT pg_catalog.pg_extension_config_dump('current_view_internal.search_source_registry', '');

GRANT SELECT ON current_view_internal.search_document_registry TO PUBLIC;
GRANT SELECT ON current_view_internal.search_source_registry TO PUBLIC;

CREATE VIEW @extschema@.search_documents AS
SELECT format('%I.%I', table_schema, table_name) AS table_name,
       columns,
       weights,
       document_column,
       format('%I.%I', config_schema, config_name) AS config
FROM current_view_internal.search_document_registry;
GRANT SELECT ON @extschema@.search_documents TO PUBLIC;

CREATE VIEW @extschema@.search_sources AS
SELECT format('%I.%I', search_schema, search_table) AS search_table,
       format('%I.%I', source_schema, source_table) AS source_table,
       parents,
       filter,
       weights,
       (SELECT array_agg(format('%I.%I', s, t) ORDER BY i)
        FROM unnest(chain_schemas, chain_tables) WITH ORDINALITY AS u(s, t, i)) AS chain,
       search_columns
FROM current_view_internal.search_source_registry;
GRANT SELECT ON @extschema@.search_sources TO PUBLIC;

-- Raise 22023 unless weights is null or holds one letter A-D (or null) per
-- element of what; return them in upper case.
CREATE FUNCTION current_view_internal._search_weights(weights text[], expected integer, what text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF weights IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(weights) <> expected
       OR EXISTS (SELECT 1 FROM unnest(weights) w WHERE upper(w) NOT IN ('A', 'B', 'C', 'D')) THEN
        RAISE EXCEPTION 'invalid weights %', weights
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Give one weight per %s (%s in all), each A, B, C, D or null.', what, expected);
    END IF;
    RETURN upper(weights::text)::text[];
END
$$;

CREATE FUNCTION @extschema@.register_search_document(
    tbl regclass,
    columns name[],
    weights text[] DEFAULT NULL,
    document_column name DEFAULT 'search_document',
    config regconfig DEFAULT 'english')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    cfg record;
    col name;
    doc_type oid;
    trigger_args text;
BEGIN
    IF tbl IS NULL OR columns IS NULL OR document_column IS NULL OR config IS NULL THEN
        RAISE EXCEPTION 'only weights of register_search_document may be null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.relname, c.relkind, n.nspname INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    PERFORM current_view_internal._require_owner(tbl);
    IF EXISTS (SELECT 1 FROM current_view_internal.search_document_registry r
               WHERE r.table_schema = rel.nspname AND r.table_name = rel.relname) THEN
        RAISE EXCEPTION 'table % already has a search document', tbl
            USING ERRCODE = 'duplicate_object',
                  HINT = 'Call unregister_search_document first to change it.';
    END IF;
    IF cardinality(columns) = 0 OR array_position(columns, NULL) IS NOT NULL
       OR (SELECT count(DISTINCT c) <> count(*) FROM unnest(columns) c)
       OR document_column = ANY (columns) THEN
        RAISE EXCEPTION 'columns must name distinct columns other than the document column, at least one'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH col IN ARRAY columns LOOP
        PERFORM current_view_internal._column(tbl, col, 'document source');
    END LOOP;
    weights := current_view_internal._search_weights(weights, cardinality(columns), 'column');
    SELECT atttypid INTO doc_type FROM pg_attribute
    WHERE attrelid = tbl AND attname = document_column AND attnum > 0 AND NOT attisdropped;
    IF doc_type IS NOT NULL AND doc_type <> 'tsvector'::regtype THEN
        RAISE EXCEPTION 'column "%" of table % must be of type tsvector to hold a search document',
            document_column, tbl
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    SELECT n.nspname, c.cfgname INTO cfg
    FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE c.oid = config;

    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', tbl);
    IF doc_type IS NULL THEN
        EXECUTE format('ALTER TABLE %s ADD COLUMN %I pg_catalog.tsvector', tbl, document_column);
    END IF;
    trigger_args := concat_ws(', ', quote_literal(document_column),
                              quote_literal(format('%I.%I', cfg.nspname, cfg.cfgname)),
                              (SELECT string_agg(quote_literal(c) || ', ' || quote_literal(coalesce(weights[i], '')),
                                                 ', ' ORDER BY i)
                               FROM unnest(columns) WITH ORDINALITY u(c, i)));
    -- Named to fire after the table's other BEFORE triggers, which may
    -- change the source columns.
    EXECUTE format('CREATE TRIGGER zz_current_view_document BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_document_trigger(%s)',
                   tbl, trigger_args);
    -- The trigger rebuilds a null document.
    EXECUTE format('UPDATE %s SET %I = NULL', tbl, document_column);

    PERFORM current_view_internal._registry_insert(ROW(
        rel.nspname, rel.relname, columns, weights, document_column, cfg.nspname, cfg.cfgname,
        doc_type IS NULL)::current_view_internal.search_document_registry);
END
$$;

CREATE FUNCTION @extschema@.unregister_search_document(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.search_document_registry;
    used_by text;
BEGIN
    PERFORM current_view_internal._require_owner(tbl);
    SELECT r.* INTO reg
    FROM current_view_internal.search_document_registry r
    JOIN pg_class c ON c.relname = r.table_name
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.table_schema
    WHERE c.oid = tbl;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % has no search document', tbl
            USING ERRCODE = 'undefined_object';
    END IF;
    SELECT string_agg(DISTINCT format('%I.%I', s.search_schema, s.search_table), ', ') INTO used_by
    FROM current_view_internal.search_source_registry s
    CROSS JOIN LATERAL unnest(s.chain_schemas, s.chain_tables) u(sch, tab)
    WHERE u.sch = reg.table_schema AND u.tab = reg.table_name;
    IF used_by IS NOT NULL THEN
        RAISE EXCEPTION 'search document of table % is used by search table %', tbl, used_by
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Drop the search table first.';
    END IF;
    EXECUTE format('DROP TRIGGER zz_current_view_document ON %s', tbl);
    IF reg.added_document_column THEN
        EXECUTE format('ALTER TABLE %s DROP COLUMN %I', tbl, reg.document_column);
    END IF;
    PERFORM current_view_internal._registry_delete(reg);
END
$$;

-- The name of the triggers of a search table on the tables of its chains.
CREATE FUNCTION current_view_internal._search_trigger_name(search_schema name, search_table name)
RETURNS name
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT current_view_internal._object_name(('search_' || search_table)::name,
                                    left(md5(format('%I.%I', search_schema, search_table)), 8))
$$;

-- Create (again) the triggers of a search table on some tables, according to
-- the registered sources; drop them from tables no source uses any more.
-- Recreating them also resets the triggers' cached statements.
CREATE FUNCTION current_view_internal._search_refresh_triggers(search_schema name, search_table name,
                                                     tables regclass[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trg name := current_view_internal._search_trigger_name(search_schema, search_table);
    trg_truncate name := current_view_internal._object_name(trg, 'truncate');
    tbl regclass;
    old name;
    is_source boolean;
    in_chain boolean;
    args text := quote_literal(search_schema) || ', ' || quote_literal(search_table);
BEGIN
    FOREACH tbl IN ARRAY tables LOOP
        CONTINUE WHEN tbl IS NULL;
        FOR old IN SELECT tgname FROM pg_trigger WHERE tgrelid = tbl AND tgname IN (trg, trg_truncate) LOOP
            EXECUTE format('DROP TRIGGER %I ON %s', old, tbl);
        END LOOP;
        SELECT bool_or(u.i = 1), count(*) > 0 INTO is_source, in_chain
        FROM current_view_internal.search_source_registry s
        CROSS JOIN LATERAL unnest(s.chain_schemas, s.chain_tables) WITH ORDINALITY u(sch, tab, i)
        JOIN pg_class c ON c.relname = u.tab
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = u.sch
        WHERE s.search_schema = $1 AND s.search_table = $2 AND c.oid = tbl;
        CONTINUE WHEN NOT in_chain;
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_search_trigger(%s)',
                       trg, CASE WHEN is_source THEN 'INSERT OR UPDATE OR DELETE' ELSE 'UPDATE' END,
                       tbl, args);
        IF is_source THEN
            EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION current_view_internal.current_view_search_trigger(%s)',
                           trg_truncate, tbl, args);
        END IF;
    END LOOP;
END
$$;

-- The single-column primary key of a table, or 22023.
CREATE FUNCTION current_view_internal._search_key(tbl regclass)
RETURNS pg_catalog.pg_attribute
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    att pg_attribute;
BEGIN
    SELECT a.* INTO att
    FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.conrelid = tbl AND c.contype = 'p' AND cardinality(c.conkey) = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % has no single-column primary key', tbl
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Search rows are keyed by the primary key of each table of the chain.';
    END IF;
    RETURN att;
END
$$;

-- Schema and name of a search table given as text; unqualified names are
-- looked up among registered search tables, or else taken in default_schema.
CREATE FUNCTION current_view_internal._search_table_name(search_table text, default_schema name,
                                               OUT search_schema name, OUT search_name name)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parts text[] := parse_ident(search_table);
    schemas name[];
BEGIN
    IF cardinality(parts) = 2 THEN
        search_schema := parts[1];
        search_name := parts[2];
        RETURN;
    ELSIF cardinality(parts) <> 1 THEN
        RAISE EXCEPTION 'invalid search table name "%"', search_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    search_name := parts[1];
    IF default_schema IS NOT NULL THEN
        search_schema := default_schema;
        RETURN;
    END IF;
    SELECT array_agg(DISTINCT r.search_schema) INTO schemas
    FROM current_view_internal.search_source_registry r WHERE r.search_table = parts[1];
    IF cardinality(schemas) > 1 THEN
        RAISE EXCEPTION 'search table name "%" is ambiguous', search_table
            USING ERRCODE = 'ambiguous_alias', HINT = 'Qualify it with its schema.';
    END IF;
    search_schema := schemas[1];
END
$$;

CREATE FUNCTION @extschema@.add_search_source(
    search_table text,
    source regclass,
    parents name[] DEFAULT '{}',
    filter text DEFAULT NULL,
    weights text[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src record;
    s_schema name;
    s_name name;
    existing boolean;
    qsearch text;
    cur regclass := source;
    nxt regclass;
    targets regclass[];
    parent name;
    att pg_attribute;
    key pg_attribute;
    rels regclass[] := '{}';
    schemas name[] := '{}';
    tables name[] := '{}';
    keys name[] := '{}';
    docs name[] := '{}';
    cols name[] := '{}';
    col_defs text[] := '{}';
    doc name;
    clash record;
    i integer;
    deparsed text;
BEGIN
    IF search_table IS NULL OR source IS NULL OR parents IS NULL THEN
        RAISE EXCEPTION 'only filter and weights of add_search_source may be null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.relname, c.relkind, n.nspname INTO src
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
    IF src.relkind <> 'r' THEN
        RAISE EXCEPTION '% is not a plain table', source USING ERRCODE = 'wrong_object_type';
    END IF;
    PERFORM current_view_internal._require_owner(source);
    SELECT * INTO s_schema, s_name FROM current_view_internal._search_table_name(search_table, src.nspname);
    qsearch := format('%I.%I', s_schema, s_name);
    existing := EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
                        WHERE r.search_schema = s_schema AND r.search_table = s_name);
    IF existing THEN
        PERFORM current_view_internal._require_owner(qsearch::regclass);
        IF EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
                   WHERE r.search_schema = s_schema AND r.search_table = s_name
                     AND r.source_schema = src.nspname AND r.source_table = src.relname) THEN
            RAISE EXCEPTION 'table % is already a source of search table %', source, qsearch
                USING ERRCODE = 'duplicate_object';
        END IF;
    ELSIF to_regclass(qsearch) IS NOT NULL THEN
        RAISE EXCEPTION 'relation % already exists', qsearch
            USING ERRCODE = 'duplicate_table',
                  HINT = 'add_search_source creates the search table on its first call.';
    END IF;
    IF array_position(parents, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'parents cannot contain nulls' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Walk the chain of foreign keys.
    i := 0;
    LOOP
        i := i + 1;
        IF cur = ANY (rels) THEN
            RAISE EXCEPTION 'the chain of source % reaches table % twice', source, cur
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM current_view_internal._require_owner(cur);
        key := current_view_internal._search_key(cur);
        SELECT r.document_column INTO doc
        FROM current_view_internal.search_document_registry r
        JOIN pg_class c ON c.relname = r.table_name
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.table_schema
        WHERE c.oid = cur;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'table % has no search document', cur
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Call register_search_document on every table of the chain first.';
        END IF;
        rels := rels || cur;
        SELECT n.nspname, c.relname INTO src FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = cur;
        schemas := schemas || src.nspname;
        tables := tables || src.relname;
        keys := keys || key.attname;
        docs := docs || doc;
        cols := cols || current_view_internal._object_name(src.relname, key.attname);
        col_defs := col_defs || format('%I %s', cols[i], format_type(key.atttypid, key.atttypmod));
        EXIT WHEN i > cardinality(parents);
        parent := parents[i];
        att := current_view_internal._column(cur, parent, 'parent');
        SELECT array_agg(DISTINCT f.confrelid::regclass) INTO targets
        FROM pg_constraint f
        JOIN pg_constraint p ON p.conrelid = f.confrelid AND p.contype = 'p' AND p.conkey = f.confkey
        WHERE f.conrelid = cur AND f.contype = 'f' AND f.conkey = ARRAY[att.attnum];
        IF cardinality(targets) IS DISTINCT FROM 1 THEN
            RAISE EXCEPTION 'column "%" of table % is not a foreign key to the primary key of one table', parent, cur
                USING ERRCODE = 'invalid_foreign_key',
                      DETAIL = 'Each parent must be a declared single-column foreign key referencing a primary key.';
        END IF;
        nxt := targets[1];
        IF (SELECT relkind FROM pg_class WHERE oid = nxt) <> 'r' THEN
            RAISE EXCEPTION '% is not a plain table', nxt USING ERRCODE = 'wrong_object_type';
        END IF;
        cur := nxt;
    END LOOP;
    IF (SELECT count(DISTINCT c) <> count(*) FROM unnest(cols) c) THEN
        RAISE EXCEPTION 'two tables of the chain of % give the same search column name', source
            USING ERRCODE = 'duplicate_column';
    END IF;
    weights := coalesce(current_view_internal._search_weights(weights, cardinality(rels), 'table of the chain'),
                        (SELECT array_agg(CASE WHEN g <= 4 THEN chr(64 + g) ELSE 'D' END ORDER BY g)
                         FROM generate_series(1, cardinality(rels)) g));

    -- A search column holds the key of one table only.
    SELECT u.col, format('%I.%I', u.sch, u.tab) AS other INTO clash
    FROM current_view_internal.search_source_registry r
    CROSS JOIN LATERAL unnest(r.search_columns, r.chain_schemas, r.chain_tables, r.key_columns)
        u(col, sch, tab, k)
    JOIN unnest(cols, schemas, tables, keys) v(col, sch, tab, k) ON v.col = u.col
    WHERE r.search_schema = s_schema AND r.search_table = s_name
      AND (u.sch, u.tab, u.k) IS DISTINCT FROM (v.sch, v.tab, v.k)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'column "%" of search table % already holds the key of table %', clash.col, qsearch, clash.other
            USING ERRCODE = 'duplicate_column';
    END IF;
    -- Rows of a source are told apart by their null columns: two sources
    -- cannot each be in the other's chain.
    IF EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
               WHERE r.search_schema = s_schema AND r.search_table = s_name
                 AND r.search_columns[1] = ANY (cols) AND cols[1] = ANY (r.search_columns)) THEN
        RAISE EXCEPTION 'the chains of % and of another source of % contain each other', source, qsearch
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF filter IS NOT NULL THEN
        deparsed := current_view_internal._search_filter(source, filter);
    END IF;

    -- Writers wait until the search rows are filled and the triggers exist.
    FOR i IN 1 .. cardinality(rels) LOOP
        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', rels[i]);
    END LOOP;
    IF NOT existing THEN
        EXECUTE format('CREATE TABLE %s (%s, document pg_catalog.tsvector NOT NULL)',
                       qsearch, array_to_string(col_defs, ', '));
        EXECUTE format('CREATE INDEX %I ON %s USING gin (document)',
                       current_view_internal._object_name(s_name, 'document'), qsearch);
    END IF;
    FOR i IN 1 .. cardinality(cols) LOOP
        IF existing THEN
            CONTINUE WHEN EXISTS (SELECT 1 FROM pg_attribute
                                  WHERE attrelid = qsearch::regclass AND attname = cols[i]
                                    AND NOT attisdropped);
            EXECUTE format('ALTER TABLE %s ADD COLUMN %s', qsearch, col_defs[i]);
        END IF;
        EXECUTE format('CREATE INDEX %I ON %s (%I)', current_view_internal._object_name(s_name, cols[i]), qsearch, cols[i]);
    END LOOP;

    PERFORM current_view_internal._registry_insert(ROW(s_schema, s_name,
            coalesce((SELECT max(position) + 1 FROM current_view_internal.search_source_registry r
                      WHERE r.search_schema = s_schema AND r.search_table = s_name), 1),
            schemas[1], tables[1], parents, deparsed, weights, schemas, tables, keys, docs, cols,
            NOT existing)::current_view_internal.search_source_registry);
    EXECUTE format('INSERT INTO %s (%s, document) %s', qsearch, current_view_internal._column_list(cols),
                   current_view_internal._search_source_query(s_schema, s_name, source));
    PERFORM current_view_internal._search_refresh_triggers(s_schema, s_name, rels);
    PERFORM current_view_internal._search_invalidate(qsearch::regclass);
END
$$;

-- The tables of all chains of a search table that still exist.
CREATE FUNCTION current_view_internal._search_chain_tables(search_schema name, search_table name)
RETURNS regclass[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(DISTINCT to_regclass(format('%I.%I', u.sch, u.tab))), '{}')
    FROM current_view_internal.search_source_registry r
    CROSS JOIN LATERAL unnest(r.chain_schemas, r.chain_tables) u(sch, tab)
    WHERE r.search_schema = $1 AND r.search_table = $2
$$;

CREATE FUNCTION @extschema@.drop_search_table(search_table text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s_schema name;
    s_name name;
    tables regclass[];
BEGIN
    IF search_table IS NULL THEN
        RAISE EXCEPTION 'search_table cannot be null' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO s_schema, s_name FROM current_view_internal._search_table_name(search_table, NULL);
    IF NOT EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
                   WHERE r.search_schema = s_schema AND r.search_table = s_name) THEN
        RAISE EXCEPTION 'search table "%" does not exist', search_table
            USING ERRCODE = 'undefined_table';
    END IF;
    PERFORM current_view_internal._require_owner(format('%I.%I', s_schema, s_name)::regclass);
    tables := current_view_internal._search_chain_tables(s_schema, s_name);
    PERFORM current_view_internal._registry_delete(r) FROM current_view_internal.search_source_registry r
    WHERE r.search_schema = s_schema AND r.search_table = s_name;
    PERFORM current_view_internal._search_refresh_triggers(s_schema, s_name, tables);
    EXECUTE format('DROP TABLE %I.%I', s_schema, s_name);
END
$$;

-- Ranked full-text search of a search table (src/search_query.c): the
-- statement is prepared once per search table and shape of call, and runs
-- with the caller's rights.
CREATE FUNCTION @extschema@.search(search_table regclass, query text, max_rows integer DEFAULT 20,
                                   config regconfig DEFAULT NULL, mode text DEFAULT 'websearch',
                                   prefix boolean DEFAULT false, ranking text DEFAULT 'ts_rank',
                                   normalization integer DEFAULT 0, weights real[] DEFAULT NULL,
                                   after_rank real DEFAULT NULL, after_keys jsonb DEFAULT NULL)
RETURNS TABLE (source_table regclass, source_key text, rank real, keys jsonb)
AS 'MODULE_PATHNAME', 'current_view_search'
LANGUAGE C STABLE ROWS 20;

-- search() with a ts_headline of a column of each result's search row or
-- source row.
CREATE FUNCTION @extschema@.search_headlines(search_table regclass, query text, headline_column name,
                                             max_rows integer DEFAULT 20, config regconfig DEFAULT NULL,
                                             mode text DEFAULT 'websearch', prefix boolean DEFAULT false,
                                             ranking text DEFAULT 'ts_rank', normalization integer DEFAULT 0,
                                             weights real[] DEFAULT NULL, after_rank real DEFAULT NULL,
                                             after_keys jsonb DEFAULT NULL, headline_options text DEFAULT NULL)
RETURNS TABLE (source_table regclass, source_key text, rank real, keys jsonb, headline text)
AS 'MODULE_PATHNAME', 'current_view_search_headlines'
LANGUAGE C STABLE ROWS 20;

-- Every session forgets the search() statements of a search table whose
-- sources changed.
CREATE FUNCTION current_view_internal._search_invalidate(search_table regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_search_invalidate'
LANGUAGE C STRICT;

-- The number of search rows that are missing, extra or wrong: 0 when
-- healthy (computed from the base tables, like the initial fill).
CREATE FUNCTION @extschema@.check_search_table(search_table regclass)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    wrong bigint := 0;
    n bigint;
BEGIN
    FOR r IN
        SELECT s.*, (SELECT array_agg(DISTINCT c) FROM current_view_internal.search_source_registry o,
                     unnest(o.search_columns) c
                     WHERE o.search_schema = s.search_schema AND o.search_table = s.search_table) AS all_columns
        FROM current_view_internal.search_source_registry s
        JOIN pg_class c ON c.relname = s.search_table
        JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = s.search_schema
        WHERE c.oid = $1
    LOOP
        EXECUTE format(
            'WITH want AS (%s), have AS (SELECT %s, document FROM %s x WHERE x.%I IS NOT NULL%s)
             SELECT count(*) FROM ((TABLE want EXCEPT ALL TABLE have)
                                   UNION ALL (TABLE have EXCEPT ALL TABLE want)) d',
            current_view_internal._search_source_query(r.search_schema, r.search_table,
                                             format('%I.%I', r.source_schema, r.source_table)::regclass),
            current_view_internal._column_list(r.search_columns), search_table, r.search_columns[1],
            (SELECT coalesce(string_agg(format(' AND x.%I IS NULL', a), ''), '')
             FROM unnest(r.all_columns) a WHERE a <> ALL (r.search_columns)))
        INTO n;
        wrong := wrong + n;
    END LOOP;
    RETURN wrong;
END
$$;

-- Forget the registrations of dropped tables: documents, search tables, and
-- sources whose chain lost a table (their rows stay in the search table).
-- Like _forget_dropped_tables, with the rights of the role dropping tables.
CREATE FUNCTION current_view_internal._forget_dropped_search_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dropped text[];
    st record;
BEGIN
    SELECT array_agg(format('%I.%I', d.schema_name, d.object_name)) INTO dropped
    FROM pg_event_trigger_dropped_objects() d
    WHERE d.object_type = 'table' AND NOT d.is_temporary;
    IF dropped IS NULL THEN
        RETURN;
    END IF;
    PERFORM current_view_internal._registry_delete(r) FROM current_view_internal.search_document_registry r
    WHERE format('%I.%I', r.table_schema, r.table_name) = ANY (dropped);
    FOR st IN
        SELECT r.search_schema, r.search_table,
               current_view_internal._search_chain_tables(r.search_schema, r.search_table) AS tables
        FROM current_view_internal.search_source_registry r
        WHERE format('%I.%I', r.search_schema, r.search_table) = ANY (dropped)
           OR EXISTS (SELECT 1 FROM unnest(r.chain_schemas, r.chain_tables) u(sch, tab)
                      WHERE format('%I.%I', u.sch, u.tab) = ANY (dropped))
        GROUP BY r.search_schema, r.search_table
    LOOP
        PERFORM current_view_internal._registry_delete(r) FROM current_view_internal.search_source_registry r
        WHERE r.search_schema = st.search_schema AND r.search_table = st.search_table
          AND (format('%I.%I', r.search_schema, r.search_table) = ANY (dropped)
               OR EXISTS (SELECT 1 FROM unnest(r.chain_schemas, r.chain_tables) u(sch, tab)
                          WHERE format('%I.%I', u.sch, u.tab) = ANY (dropped)));
        BEGIN
            PERFORM current_view_internal._search_refresh_triggers(st.search_schema, st.search_table, st.tables);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'triggers of search table %.% were left behind: %',
                quote_ident(st.search_schema), quote_ident(st.search_table), SQLERRM;
        END;
    END LOOP;
END
$$;

CREATE EVENT TRIGGER current_view_forget_dropped_search_tables ON sql_drop
    EXECUTE FUNCTION current_view_internal._forget_dropped_search_tables();
-- History features: strategy 'table', writes through <view_name>, as-of
-- queries and revert.

CREATE FUNCTION current_view_internal.current_view_table_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_table_trigger'
LANGUAGE C;

CREATE FUNCTION current_view_internal.current_view_write_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_write_trigger'
LANGUAGE C;

-- "k1 = r1 AND k2 = r2 ..." for columns of tbl, in their types' btree order.
CREATE FUNCTION current_view_internal._equal_sql(tbl regclass, cols name[], rhs text[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(format('%I %s %s', u.c, current_view_internal._btree_operator(a.atttypid, 3), rhs[u.i]),
                      ' AND ' ORDER BY u.i)
    FROM unnest(cols) WITH ORDINALITY u(c, i)
    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c
$$;

-- "(v1, v2, ...) > (r1, r2, ...)", left to right, in each type's btree order.
CREATE FUNCTION current_view_internal._greater_sql(tbl regclass, cols name[], rhs text[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result text;
    typ oid;
BEGIN
    FOR i IN REVERSE cardinality(cols) .. 1 LOOP
        SELECT atttypid INTO typ FROM pg_attribute WHERE attrelid = tbl AND attname = cols[i];
        IF result IS NULL THEN
            result := format('(%I %s %s)', cols[i], current_view_internal._btree_operator(typ, 5), rhs[i]);
        ELSE
            result := format('(%1$I %2$s %4$s OR (%1$I %3$s %4$s AND %5$s))', cols[i],
                             current_view_internal._btree_operator(typ, 5), current_view_internal._btree_operator(typ, 3),
                             rhs[i], result);
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- "$first, $first+1, ..." for n parameters.
CREATE FUNCTION current_view_internal._params(first int, n int)
RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg('$' || g ORDER BY g), '{}') FROM generate_series(first, first + n - 1) g
$$;

-- Validate deleted_column and next_version; return next_version, or its
-- default for a single integer, numeric or timestamp version column.
CREATE FUNCTION current_view_internal._check_history_options(
    tbl regclass, key_columns name[], version_columns name[], flag_column name,
    deleted_column name, next_version text[])
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    att pg_attribute;
    version_type regtype;
BEGIN
    IF deleted_column IS NOT NULL THEN
        att := current_view_internal._column(tbl, deleted_column, 'deleted');
        IF att.atttypid <> 'boolean'::regtype THEN
            RAISE EXCEPTION 'deleted column "%" of table % must be of type boolean', deleted_column, tbl
                USING ERRCODE = 'datatype_mismatch';
        END IF;
        IF deleted_column = ANY (key_columns || version_columns) OR deleted_column = flag_column THEN
            RAISE EXCEPTION 'deleted_column must name a column other than the key, version and current columns'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    IF next_version IS NULL THEN
        IF cardinality(version_columns) = 1 THEN
            SELECT atttypid INTO version_type FROM pg_attribute
            WHERE attrelid = tbl AND attname = version_columns[1];
            next_version := CASE
                WHEN version_type IN ('smallint', 'integer', 'bigint', 'numeric')
                    THEN ARRAY[format('%I + 1', version_columns[1])]
                WHEN version_type = 'timestamptz'::regtype
                    THEN ARRAY['pg_catalog.clock_timestamp()']
                WHEN version_type = 'timestamp'::regtype
                    THEN ARRAY['pg_catalog.clock_timestamp()::pg_catalog.timestamp']
            END;
        END IF;
        RETURN next_version;
    END IF;
    IF cardinality(next_version) IS DISTINCT FROM cardinality(version_columns)
       OR array_position(next_version, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'next_version must give one expression per version column'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Errors in the expressions show now rather than at the first UPDATE.
    EXECUTE format('SELECT %s FROM (SELECT %s) AS current_version',
                   (SELECT string_agg(format('(%s)::%s', e, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
                    FROM unnest(next_version, version_columns) WITH ORDINALITY u(e, c, i)
                    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c),
                   (SELECT string_agg(format('NULL::%s AS %I', format_type(a.atttypid, NULL), u.c), ', ' ORDER BY u.i)
                    FROM unnest(version_columns) WITH ORDINALITY u(c, i)
                    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c));
    RETURN next_version;
END
$$;

-- Arguments of the triggers of current_table.c, in their order.
CREATE FUNCTION current_view_internal._history_trigger_args(
    table_schema name, table_name name, current_table name, flag_column name,
    deleted_column name, key_columns name[], version_columns name[], next_version text[])
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_literal(a), ', ' ORDER BY i)
    FROM unnest(ARRAY[table_schema, table_name, coalesce(current_table, ''), coalesce(flag_column, ''),
                      coalesce(deleted_column, ''), cardinality(key_columns)::text,
                      cardinality(version_columns)::text]
                || key_columns::text[] || version_columns::text[]
                || coalesce(next_version, '{}')) WITH ORDINALITY u(a, i)
$$;

-- Strategy 'table': create the current table, fill it in one set-based pass,
-- and create the triggers.  With a deleted column, the table keeps the
-- tombstones too (named <view_name>_rows) and <view_name> is a view of the
-- live rows.  Returns the name of the current table.
CREATE FUNCTION current_view_internal._create_current_table(
    tbl regclass, key_columns name[], version_columns name[], view_name name,
    index_specs text[], append_only boolean, backfill boolean,
    deleted_column name, next_version text[])
RETURNS name
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    current_table name := CASE WHEN deleted_column IS NULL THEN view_name
                               ELSE current_view_internal._object_name(view_name, 'rows') END;
    qcurrent text;
    columns text := current_view_internal._visible_columns(tbl, NULL);
    key_list text := current_view_internal._column_list(key_columns);
    live_filter text := '';
    args text;
BEGIN
    SELECT c.relname, n.nspname, c.relowner INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    qcurrent := format('%I.%I', rel.nspname, current_table);
    IF deleted_column IS NOT NULL THEN
        live_filter := format(' WHERE NOT %I', deleted_column);
    END IF;
    EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS, PRIMARY KEY (%s))',
                   qcurrent, tbl, key_list);
    EXECUTE format('ALTER TABLE %s OWNER TO %I', qcurrent,
                   (SELECT rolname FROM pg_roles WHERE oid = rel.relowner));
    FOR i IN 1 .. cardinality(index_specs) LOOP
        EXECUTE format('CREATE INDEX %I ON %s (%s)%s',
                       current_view_internal._object_name(rel.relname, 'current_' || i), qcurrent,
                       index_specs[i], live_filter);
    END LOOP;
    IF backfill THEN
        EXECUTE format('INSERT INTO %s (%s) SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s',
                       qcurrent, columns, key_list, columns, tbl, key_list,
                       current_view_internal._column_list(version_columns, ' DESC'));
    END IF;
    IF deleted_column IS NOT NULL THEN
        -- A simple view: its UPDATE and DELETE reach the table's triggers
        -- with the row locked and re-checked.
        EXECUTE format('CREATE VIEW %I.%I AS SELECT %s FROM %s%s',
                       rel.nspname, view_name, columns, qcurrent, live_filter);
    END IF;

    args := current_view_internal._history_trigger_args(rel.nspname, rel.relname, current_table, NULL,
                                              deleted_column, key_columns, version_columns,
                                              next_version);
    EXECUTE format('CREATE TRIGGER current_view_insert AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                   tbl, args);
    EXECUTE format('CREATE TRIGGER current_view_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                   tbl, args);
    IF NOT append_only THEN
        EXECUTE format('CREATE TRIGGER current_view_after_update AFTER UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                       tbl, args);
        EXECUTE format('CREATE TRIGGER current_view_delete AFTER DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                       tbl, args);
    END IF;
    EXECUTE format('CREATE TRIGGER current_view_write BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%s)',
                   qcurrent, args);
    IF deleted_column IS NOT NULL THEN
        -- A deleted row's tombstone takes its place.
        EXECUTE format('CREATE TRIGGER current_view_tombstone AFTER DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%s)',
                       qcurrent, args);
    END IF;
    RETURN current_table;
END
$$;

-- The functions generated for a registered table: <table>_as_of(version),
-- <table>_key_as_of(key, version) and <table>_revert(key, version).
-- Returns their signatures.
CREATE FUNCTION current_view_internal._create_history_functions(
    tbl regclass, key_columns name[], version_columns name[], strategy text,
    flag_column name, current_rel name, deleted_column name, next_version text[])
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    nkeys int := cardinality(key_columns);
    nversions int := cardinality(version_columns);
    columns text := current_view_internal._visible_columns(tbl, flag_column);
    key_list text := current_view_internal._column_list(key_columns);
    version_desc text := current_view_internal._column_list(version_columns, ' DESC');
    result_columns text;
    key_params text;
    version_params text;
    live_filter text := '';
    lock_query text;
    append_sql text;
    copied text;
    source_columns text;
    signatures text[] := '{}';
    fname name;
BEGIN
    SELECT c.relname, n.nspname INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
    INTO result_columns
    FROM pg_attribute
    WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped AND attname IS DISTINCT FROM flag_column;
    SELECT string_agg(format('%I %s', u.c, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
    INTO key_params
    FROM unnest(key_columns) WITH ORDINALITY u(c, i) JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;
    SELECT string_agg(format('%I %s', u.c, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
    INTO version_params
    FROM unnest(version_columns) WITH ORDINALITY u(c, i) JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;
    IF deleted_column IS NOT NULL THEN
        live_filter := format(' WHERE NOT %I', deleted_column);
    END IF;

    -- As-of queries: plain SQL with every operator schema-qualified, so that
    -- the planner can inline them (one key then is an index probe) and
    -- search_path cannot change their meaning.
    fname := current_view_internal._object_name(rel.relname, 'as_of');
    EXECUTE format($f$
        CREATE FUNCTION %1$I.%2$I(%3$s) RETURNS TABLE (%4$s) LANGUAGE sql STABLE AS $body$
            SELECT %5$s FROM (SELECT DISTINCT ON (%6$s) %5$s FROM %7$s
                              WHERE NOT %8$s ORDER BY %6$s, %9$s) AS as_of%10$s
        $body$ $f$,
        rel.nspname, fname, version_params, result_columns, columns, key_list, tbl,
        current_view_internal._greater_sql(tbl, version_columns, current_view_internal._params(1, nversions)),
        version_desc, live_filter);
    signatures := signatures || format('%I.%I(%s)', rel.nspname, fname,
                                       (SELECT string_agg(format_type(atttypid, NULL), ', ' ORDER BY u.i)
                                        FROM unnest(version_columns) WITH ORDINALITY u(c, i)
                                        JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c));

    fname := current_view_internal._object_name(rel.relname, 'key_as_of');
    EXECUTE format($f$
        CREATE FUNCTION %1$I.%2$I(%3$s, %4$s) RETURNS TABLE (%5$s) LANGUAGE sql STABLE AS $body$
            SELECT %6$s FROM (SELECT %6$s FROM %7$s WHERE %8$s AND NOT %9$s
                              ORDER BY %10$s LIMIT 1) AS as_of%11$s
        $body$ $f$,
        rel.nspname, fname, key_params, version_params, result_columns, columns, tbl,
        current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
        current_view_internal._greater_sql(tbl, version_columns, current_view_internal._params(nkeys + 1, nversions)),
        version_desc, live_filter);
    signatures := signatures || format('%I.%I(%s)', rel.nspname, fname,
                                       (SELECT string_agg(format_type(atttypid, NULL), ', ' ORDER BY u.i)
                                        FROM unnest(key_columns || version_columns) WITH ORDINALITY u(c, i)
                                        JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c));

    -- Revert: lock the key's current row (as writers of the key do), then
    -- append a copy of the requested version with the next version.
    lock_query := CASE strategy
        WHEN 'table' THEN format('SELECT %s FROM %I.%I WHERE %s FOR UPDATE',
                                 current_view_internal._column_list(version_columns), rel.nspname, current_rel,
                                 current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)))
        WHEN 'flag' THEN format('SELECT %s FROM %s WHERE %s AND %I FOR UPDATE',
                                current_view_internal._column_list(version_columns), tbl,
                                current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
                                flag_column)
        ELSE format('SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT 1 FOR UPDATE',
                    current_view_internal._column_list(version_columns), tbl,
                    current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
                    version_desc) END;
    IF next_version IS NULL THEN
        append_sql := format('RAISE EXCEPTION %L USING ERRCODE = %L, HINT = %L;',
                             'cannot compute the next version of ' || tbl::text, 'feature_not_supported',
                             'Register the versioned table with next_version.');
    ELSE
        -- The copy: the source's columns, with next_version over the
        -- current row's version in place of the versions.
        SELECT string_agg(CASE WHEN v.i IS NULL THEN format('source.%I', a.attname)
                               ELSE format('(%s)::%s', next_version[v.i], format_type(a.atttypid, NULL)) END,
                          ', ' ORDER BY a.attnum),
               string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) FILTER (WHERE v.i IS NULL)
        INTO copied, source_columns
        FROM pg_attribute a
        LEFT JOIN unnest(version_columns) WITH ORDINALITY v(c, i) ON v.c = a.attname
        WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attname IS DISTINCT FROM flag_column;
        append_sql := format($s$
            INSERT INTO %1$s (%2$s)
            SELECT %3$s FROM (SELECT %4$s FROM %1$s WHERE %5$s AND %6$s LIMIT 1) AS source,
                             (SELECT %7$s) AS current_version;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the version to revert to does not exist in %%', %8$L
                    USING ERRCODE = 'no_data_found';
            END IF;$s$,
            tbl, columns, copied, coalesce(source_columns, 'NULL'),
            current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
            current_view_internal._equal_sql(tbl, version_columns, current_view_internal._params(nkeys + 1, nversions)),
            (SELECT string_agg(format('_current.%1$I AS %1$I', c), ', ') FROM unnest(version_columns) c),
            tbl::text);
    END IF;
    fname := current_view_internal._object_name(rel.relname, 'revert');
    EXECUTE format($f$
        CREATE FUNCTION %1$I.%2$I(%3$s, %4$s) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp AS $body$
        #variable_conflict use_column
        DECLARE
            _current record;
        BEGIN
            %5$s INTO _current;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'key has no rows in %%', %6$L USING ERRCODE = 'no_data_found';
            END IF;
            %7$s
        END
        $body$ $f$,
        rel.nspname, fname, key_params, version_params, lock_query, tbl::text, append_sql);
    signatures := signatures || format('%I.%I(%s)', rel.nspname, fname,
                                       (SELECT string_agg(format_type(atttypid, NULL), ', ' ORDER BY u.i)
                                        FROM unnest(key_columns || version_columns) WITH ORDINALITY u(c, i)
                                        JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c));
    RETURN signatures;
END
$$;

-- Drop what a registration created besides triggers and indexes on the
-- table itself: the view or current table, the heads table, the functions.
CREATE FUNCTION current_view_internal._drop_history_objects(reg current_view_internal.versioned_table_registry)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sig text;
    fn regprocedure;
BEGIN
    -- Quietly: after DROP TABLE ... CASCADE the view may be gone already.
    IF reg.view_name IS DISTINCT FROM reg.current_table
       AND to_regclass(format('%I.%I', reg.table_schema, reg.view_name)) IS NOT NULL THEN
        EXECUTE format('DROP VIEW %I.%I', reg.table_schema, reg.view_name);
    END IF;
    IF reg.current_table IS NOT NULL THEN
        EXECUTE format('DROP TABLE IF EXISTS %I.%I', reg.table_schema, reg.current_table);
    END IF;
    IF reg.heads_table IS NOT NULL THEN
        EXECUTE format('DROP TABLE IF EXISTS %I.%I', reg.table_schema, reg.heads_table);
    END IF;
    -- Signatures are looked up, never run as SQL text.
    FOREACH sig IN ARRAY reg.created_functions LOOP
        fn := to_regprocedure(sig);
        IF fn IS NOT NULL THEN
            EXECUTE format('DROP FUNCTION %s', fn);
        END IF;
    END LOOP;
END
$$;

-- Operations: batched, resumable rebuilds of versioned and search tables.
--
-- A rebuild walks the keys of a table in order, batch_size rows at a time:
-- each batch finds its upper key with one index range scan on the key (the
-- batch_size-th row after the previous batch's last key), recomputes that key
-- range set-based, records its last key, and commits.  An interrupted rebuild
-- resumes from the recorded key; a batch is idempotent, so redoing one that
-- failed changes nothing but its own range.
--
-- Concurrency: each batch takes SHARE ROW EXCLUSIVE on the tables it
-- recomputes, the lock register_versioned_table and add_search_source take:
-- writers wait for one batch (not for the whole rebuild), readers never wait.
-- One rebuild of a table runs at a time: a second one fails at once (55P03,
-- naming the session running the first), before it touches the progress row.
-- A key range finished by a batch is kept right afterwards by the triggers,
-- which start from the state the batch committed.
--
-- The last key done is stored in each key type's binary form (send and
-- receive functions), so that a rebuild resumed in a session with another
-- DateStyle, TimeZone, IntervalStyle or lc_* setting starts after the same
-- key; its text form is kept for people only.

CREATE FUNCTION current_view_internal._allow_flag_writes(tbl regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_allow_flag_writes'
LANGUAGE C STRICT;

CREATE FUNCTION current_view_internal._end_flag_writes(tbl regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_end_flag_writes'
LANGUAGE C STRICT;

CREATE FUNCTION current_view_internal._rebuild_try_lock(kind integer, tbl regclass)
RETURNS boolean
AS 'MODULE_PATHNAME', 'current_view_rebuild_try_lock'
LANGUAGE C STRICT;

CREATE FUNCTION current_view_internal._rebuild_unlock(kind integer, tbl regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_rebuild_unlock'
LANGUAGE C STRICT;

-- A value's binary form, and back.  IMMUTABLE so that the planner folds the
-- bounds of a batch into constants (index bounds, partition pruning); the
-- batch statements are planned once each, so a receive function that reads
-- the catalogs (enums) cannot be served a stale result.
CREATE FUNCTION current_view_internal._key_bytes(value anyelement)
RETURNS bytea
AS 'MODULE_PATHNAME', 'current_view_key_bytes'
LANGUAGE C STRICT IMMUTABLE;

CREATE FUNCTION current_view_internal._key_value(bytes bytea, type_of anyelement)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'current_view_key_value'
LANGUAGE C IMMUTABLE;

-- Progress of unfinished rebuilds, by name (not OID) and dumped with the
-- database, so that a rebuild resumes where it stopped.
CREATE TABLE current_view_internal.rebuild_progress_registry (
    kind text NOT NULL CHECK (kind IN ('versioned', 'search')),
    table_schema name NOT NULL,
    table_name name NOT NULL,
    source_position integer,         -- search tables: the source being rebuilt
    last_key text[],                 -- text forms of the last key done, for people only
    rows_done bigint NOT NULL,
    started_at timestamptz NOT NULL, -- of the whole rebuild
    run_started_at timestamptz NOT NULL, -- of the current CALL, for its rate
    run_rows_start bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    resume_key bytea[],              -- the last key done (_key_bytes); NULL: none yet
    PRIMARY KEY (kind, table_schema, table_name)
);
SELECT pg_catalog.pg_extension_config_dump('current_view_internal.rebuild_progress_registry', '');

GRANT SELECT ON current_view_internal.rebuild_progress_registry TO PUBLIC;

CREATE VIEW @extschema@.rebuilds AS
SELECT kind,
       format('%I.%I', table_schema, table_name) AS table_name,
       source_position,
       last_key,
       rows_done,
       started_at,
       updated_at
FROM current_view_internal.rebuild_progress_registry;
GRANT SELECT ON @extschema@.rebuilds TO PUBLIC;

-- SQL text comparing two rows of key values in the key's btree order:
-- "ROW(left) OPERATOR(s.op) ROW(right)", one operator for the whole row
-- comparison so that a B-tree index on the key serves it as a range bound.
-- Each side is a format() pattern applied to each key column: %1$I is the
-- column name, %2$s its 1-based position, %3$s its type (to cast the text
-- binary form of a bound, $1 or $2, back to the key's type).
CREATE FUNCTION current_view_internal._key_comparison(tbl regclass, key_columns name[],
                                            left_pattern text, strategy integer,
                                            right_pattern text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ops text[];
    lhs text;
    rhs text;
BEGIN
    SELECT array_agg(DISTINCT current_view_internal._btree_operator(a.atttypid, strategy)),
           string_agg(format(left_pattern, a.attname, u.i, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i),
           string_agg(format(right_pattern, a.attname, u.i, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
    INTO ops, lhs, rhs
    FROM unnest(key_columns) WITH ORDINALITY u(c, i)
    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;
    IF cardinality(ops) <> 1 THEN
        RAISE EXCEPTION 'cannot compare the key of % in one row comparison', tbl
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('The key columns'' operators %s live in different schemas.', ops);
    END IF;
    RETURN format('ROW(%s) %s ROW(%s)', lhs, ops[1], rhs);
END
$$;

-- "key > $1 AND key <= $2" for a batch whose bounds are given as bytea[]
-- of _key_bytes
-- ($1 the last key of the previous batch, $2 the batch's last key); a
-- missing bound leaves its side open (the first and the last batches).
-- key_pattern names each key column as in _key_comparison, e.g. 't.%1$I'.
CREATE FUNCTION current_view_internal._key_range(tbl regclass, key_columns name[], key_pattern text,
                                       has_lower boolean, has_upper boolean)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT concat_ws(' AND ', 'true',
        CASE WHEN has_lower THEN current_view_internal._key_comparison(tbl, key_columns,
            key_pattern, 5, 'current_view_internal._key_value($1[%2$s], NULL::%3$s)') END,
        CASE WHEN has_upper THEN current_view_internal._key_comparison(tbl, key_columns,
            key_pattern, 2, 'current_view_internal._key_value($2[%2$s], NULL::%3$s)') END)
$$;

-- A _key_range key_pattern for one column of another relation (alias.column),
-- which holds values of the key.
CREATE FUNCTION current_view_internal._column_pattern(alias text, col name)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT replace(format('%s.%I', alias, col), '%', '%%')
$$;

-- The last key of the batch of batch_size rows after last_key (binary
-- forms, and text forms for people), or NULLs when fewer rows are left (the
-- batch is the last, open-ended one).  An index range scan over the key: it
-- reads batch_size index entries.
CREATE FUNCTION current_view_internal._batch_upper_key(tbl regclass, only_clause text, key_columns name[],
                                             last_key bytea[], batch_size integer,
                                             OUT upper_key bytea[], OUT upper_key_text text[])
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('SELECT ARRAY[%s], ARRAY[%s] FROM %s%s t WHERE %s ORDER BY %s OFFSET $3 LIMIT 1',
                   (SELECT string_agg(format('current_view_internal._key_bytes(t.%I)', c), ', ' ORDER BY i)
                    FROM unnest(key_columns) WITH ORDINALITY u(c, i)),
                   (SELECT string_agg(format('t.%I::text', c), ', ' ORDER BY i)
                    FROM unnest(key_columns) WITH ORDINALITY u(c, i)),
                   only_clause, tbl,
                   current_view_internal._key_range(tbl, key_columns, 't.%1$I', last_key IS NOT NULL, false),
                   (SELECT string_agg(format('t.%I', c), ', ' ORDER BY i)
                    FROM unnest(key_columns) WITH ORDINALITY u(c, i)))
    INTO upper_key, upper_key_text
    USING last_key, NULL::bytea[], batch_size - 1;
END
$$;

-- The statements of one batch of a versioned table's rebuild, by name, with
-- $1 and $2 the bounds of the key range (bytea[] of _key_bytes).  Exposed so that tests can
-- EXPLAIN exactly what a batch runs.
CREATE FUNCTION current_view_internal._versioned_batch_sql(tbl regclass, has_lower boolean, has_upper boolean)
RETURNS TABLE (step text, statement text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
    keys text := current_view_internal._column_list(reg.key_columns);
    t_keys text;
    range_t text := current_view_internal._key_range(tbl, reg.key_columns, 't.%1$I', has_lower, has_upper);
    range_h text := current_view_internal._key_range(tbl, reg.key_columns, 'h.%1$I', has_lower, has_upper);
    -- The winner of each key in the range: greatest version; among equal
    -- versions the row already current (it may be the last inserted), then
    -- a fixed order, so that both flag statements pick the same row.
    winners text;
BEGIN
    SELECT string_agg(format('t.%I', c), ', ' ORDER BY i) INTO t_keys
    FROM unnest(reg.key_columns) WITH ORDINALITY u(c, i);
    step := 'count';
    statement := format('SELECT count(*) FROM %s t WHERE %s', tbl, range_t);
    RETURN NEXT;
    IF reg.strategy = 'table' THEN
        -- The keys of the range in the history and in the current table.
        step := 'repair';
        statement := current_view_internal._repair_keys_sql(tbl, format(
            'SELECT %1$s FROM %2$s t WHERE %3$s UNION SELECT %1$s FROM %4$I.%5$I c WHERE %6$s',
            keys, tbl, range_t, reg.table_schema, reg.current_table,
            current_view_internal._key_range(tbl, reg.key_columns, 'c.%1$I', has_lower, has_upper)));
        RETURN NEXT;
        RETURN;
    END IF;
    winners := format(
        'SELECT DISTINCT ON (%1$s) t.tableoid AS rel, t.ctid AS row_id, t.%2$I AS was_current
         FROM %3$s t WHERE %4$s ORDER BY %1$s, %5$s, t.%2$I DESC, t.tableoid, t.ctid',
        t_keys, reg.current_column, tbl, range_t,
        (SELECT string_agg(format('t.%I DESC', c), ', ' ORDER BY i)
         FROM unnest(reg.version_columns) WITH ORDINALITY u(c, i)));

    -- Demote first, so that the unique index on current keys never sees two.
    step := 'demote';
    statement := format(
        'WITH w AS MATERIALIZED (%s)
         UPDATE %s t SET %I = false
         WHERE %s AND t.%I AND NOT EXISTS (SELECT 1 FROM w WHERE w.rel = t.tableoid AND w.row_id = t.ctid)',
        winners, tbl, reg.current_column, range_t, reg.current_column);
    RETURN NEXT;
    step := 'promote';
    statement := format(
        'WITH w AS MATERIALIZED (%s)
         UPDATE %s t SET %I = true FROM w
         WHERE t.tableoid = w.rel AND t.ctid = w.row_id AND NOT w.was_current',
        winners, tbl, reg.current_column);
    RETURN NEXT;
    step := 'heads_set';
    statement := format(
        'INSERT INTO %1$I.%2$I AS h (%3$s, current_relation)
         SELECT %4$s, t.tableoid::pg_catalog.regclass FROM %5$s t WHERE %6$s AND t.%7$I
         ON CONFLICT (%3$s) DO UPDATE SET current_relation = excluded.current_relation
         WHERE h.current_relation IS DISTINCT FROM excluded.current_relation',
        reg.table_schema, reg.heads_table, keys, t_keys, tbl, range_t, reg.current_column);
    RETURN NEXT;
    step := 'heads_clean';
    statement := format(
        'DELETE FROM %1$I.%2$I h WHERE %3$s
         AND NOT EXISTS (SELECT 1 FROM %4$s t WHERE %5$s AND t.%6$I)',
        reg.table_schema, reg.heads_table, range_h, tbl,
        current_view_internal._key_comparison(tbl, reg.key_columns, 't.%1$I', 3, 'h.%1$I'),
        reg.current_column);
    RETURN NEXT;
END
$$;

-- Progress text of a NOTICE: rate and time left, from the rows done by this
-- run, its duration and the planner's estimate of the total.
CREATE FUNCTION current_view_internal._rebuild_progress_detail(rows_done bigint, run_rows bigint,
                                                     run_seconds double precision,
                                                     estimated_total double precision)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('%s rows/s; %s',
                  round(run_rows / greatest(run_seconds, 0.001)),
                  CASE WHEN estimated_total IS NULL OR estimated_total <= 0 OR run_rows = 0
                       THEN 'time left unknown (no statistics: ANALYZE the table)'
                       WHEN rows_done >= estimated_total
                       THEN 'about 0 s left (estimated total reached)'
                       ELSE format('about %s s left of an estimated %s rows (%s%% done)',
                                   ceil((estimated_total - rows_done) * greatest(run_seconds, 0.001) / run_rows),
                                   round(estimated_total),
                                   floor(100 * rows_done / estimated_total))
                  END)
$$;

-- The planner's row estimate of a table and all its partitions; NULL if
-- never analyzed.
CREATE FUNCTION current_view_internal._estimated_rows(tbl regclass)
RETURNS double precision
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN bool_or(c.reltuples >= 0) THEN sum(greatest(c.reltuples, 0)) END
    FROM pg_class c
    WHERE c.relkind = 'r'
      AND (c.oid = tbl OR c.oid IN (SELECT relid FROM pg_partition_tree(tbl)))
$$;

-- Start or resume a rebuild: create or reset its progress row and say
-- where it starts.  Progress rows are written through _registry_insert and
-- _registry_delete, like every registry row; the rebuild lock makes this
-- session their only writer.
CREATE FUNCTION current_view_internal._rebuild_begin(kind text, tbl regclass, batch_size integer, restart boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    p current_view_internal.rebuild_progress_registry;
BEGIN
    IF batch_size IS NULL OR batch_size < 1 OR restart IS NULL THEN
        RAISE EXCEPTION 'batch_size must be a positive integer and restart not null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM current_view_internal._require_owner(tbl);
    IF NOT current_view_internal._rebuild_try_lock(array_position(ARRAY['versioned', 'search'], kind), tbl) THEN
        RAISE EXCEPTION 'table % is being rebuilt by another session', tbl
            USING ERRCODE = 'lock_not_available',
                  DETAIL = coalesce(format('The rebuild runs in the session of process %s.',
                      (SELECT l.pid FROM pg_locks l
                       WHERE l.locktype = 'advisory' AND l.granted
                         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                         AND l.classid = array_position(ARRAY['versioned', 'search'], kind)
                         -- 17238: REBUILD_LOCK_TAG_FIELD4 of src/operations.c
                         AND l.objid = tbl AND l.objsubid = 17238 LIMIT 1)), ''),
                  HINT = 'Wait for it to finish, or cancel it (it resumes where it stopped when called again).';
    END IF;
    SELECT n.nspname, c.relname INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    SELECT r.* INTO p FROM current_view_internal.rebuild_progress_registry r
    WHERE r.kind = $1 AND r.table_schema = rel.nspname AND r.table_name = rel.relname;
    IF FOUND THEN
        PERFORM current_view_internal._registry_delete(p);
    END IF;
    IF p.kind IS NOT NULL AND NOT restart THEN
        p.run_started_at := clock_timestamp();
        p.run_rows_start := p.rows_done;
        PERFORM current_view_internal._registry_insert(p);
        RAISE NOTICE 'resuming the rebuild of % after key %, % rows done',
            tbl, coalesce(p.last_key::text, '(none)')
                 || CASE WHEN p.source_position IS NOT NULL
                         THEN format(' of source %s', p.source_position) ELSE '' END,
            p.rows_done;
    ELSE
        -- (kind, table_schema, table_name, source_position, last_key, rows_done, started_at,
        --  run_started_at, run_rows_start, updated_at, resume_key)
        PERFORM current_view_internal._registry_insert(ROW($1, rel.nspname, rel.relname, NULL, NULL, 0,
            clock_timestamp(), clock_timestamp(), 0, clock_timestamp(), NULL)::current_view_internal.rebuild_progress_registry);
        RAISE NOTICE 'rebuilding % in batches of % rows', tbl, batch_size;
    END IF;
END
$$;

-- Record a finished batch; report progress; forget the rebuild once done.
CREATE FUNCTION current_view_internal._rebuild_record(kind text, tbl regclass, source_position integer,
                                            resume_key bytea[], last_key text[], batch_rows bigint,
                                            finished boolean, estimated_total double precision)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p current_view_internal.rebuild_progress_registry;
BEGIN
    p := current_view_internal._rebuild_state(kind, tbl);
    PERFORM current_view_internal._registry_delete(p);
    p.source_position := $3;
    p.resume_key := $4;
    p.last_key := $5;
    p.rows_done := p.rows_done + batch_rows;
    p.updated_at := clock_timestamp();
    IF finished THEN
        PERFORM current_view_internal._rebuild_unlock(array_position(ARRAY['versioned', 'search'], kind), tbl);
        RAISE NOTICE 'rebuilt %: % rows', tbl, p.rows_done
            USING DETAIL = format('%s s in all', round(extract(epoch FROM clock_timestamp() - p.started_at)::numeric, 3));
    ELSE
        PERFORM current_view_internal._registry_insert(p);
        RAISE NOTICE 'rebuilding %: % rows done', tbl, p.rows_done
            USING DETAIL = current_view_internal._rebuild_progress_detail(
                p.rows_done, p.rows_done - p.run_rows_start,
                extract(epoch FROM clock_timestamp() - p.run_started_at), estimated_total);
    END IF;
END
$$;

-- The progress row of a rebuild (the rebuild lock keeps other sessions off it).
CREATE FUNCTION current_view_internal._rebuild_state(kind text, tbl regclass)
RETURNS current_view_internal.rebuild_progress_registry
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p current_view_internal.rebuild_progress_registry;
BEGIN
    SELECT r.* INTO p FROM current_view_internal.rebuild_progress_registry r
    JOIN pg_class c ON c.relname = r.table_name
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.table_schema
    WHERE c.oid = tbl AND r.kind = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no rebuild of % is in progress', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN p;
END
$$;

-- The registration of a table whose current rows a rebuild can recompute.
CREATE FUNCTION current_view_internal._rebuildable_registration(tbl regclass)
RETURNS current_view_internal.versioned_table_registry
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
BEGIN
    IF reg.strategy = 'view' THEN
        RAISE EXCEPTION 'table % has strategy ''%'', which stores no current rows to rebuild', tbl, reg.strategy
            USING ERRCODE = 'feature_not_supported';
    END IF;
    RETURN reg;
END
$$;

-- One batch of rebuild_versioned_table; returns whether the rebuild is done.
CREATE FUNCTION current_view_internal._rebuild_versioned_batch(tbl regclass, batch_size integer)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._rebuildable_registration(tbl);
    p current_view_internal.rebuild_progress_registry;
    upper_key bytea[];
    upper_key_text text[];
    s record;
    batch_rows bigint;
BEGIN
    PERFORM current_view_internal._require_owner(tbl);
    -- Writers of the table wait for this batch; see the top of this file.
    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', tbl);
    p := current_view_internal._rebuild_state('versioned', tbl);
    -- Like the backfill at registration, the rebuild covers inheritance
    -- children (ONLY is not used).
    SELECT * INTO upper_key, upper_key_text
    FROM current_view_internal._batch_upper_key(tbl, '', reg.key_columns, p.resume_key, batch_size);
    PERFORM current_view_internal._allow_flag_writes(tbl);
    FOR s IN SELECT * FROM current_view_internal._versioned_batch_sql(tbl, p.resume_key IS NOT NULL,
                                                             upper_key IS NOT NULL) LOOP
        IF s.step = 'count' THEN
            EXECUTE s.statement INTO batch_rows USING p.resume_key, upper_key;
        ELSE
            EXECUTE s.statement USING p.resume_key, upper_key;
        END IF;
    END LOOP;
    PERFORM current_view_internal._end_flag_writes(tbl);
    PERFORM current_view_internal._rebuild_record('versioned', tbl, NULL, upper_key, upper_key_text, batch_rows,
                                        upper_key IS NULL, current_view_internal._estimated_rows(tbl));
    RETURN upper_key IS NULL;
END
$$;

-- Recompute the current rows of a 'flag' or 'table' versioned table in key-range
-- batches, committing after each: a procedure, to be CALLed outside a
-- transaction block.  It has no SET search_path clause because a procedure
-- with one cannot commit: it only calls schema-qualified functions, which
-- fix their own search_path.
CREATE PROCEDURE @extschema@.rebuild_versioned_table(tbl regclass, batch_size integer DEFAULT 100000,
                                                     restart boolean DEFAULT false)
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM current_view_internal._rebuildable_registration(tbl);
    PERFORM current_view_internal._rebuild_begin('versioned', tbl, batch_size, restart);
    WHILE NOT current_view_internal._rebuild_versioned_batch(tbl, batch_size) LOOP
        COMMIT;
    END LOOP;
END
$$;

-- The search table given by name, as for drop_search_table; 42P01 unless it
-- is a registered search table.
CREATE FUNCTION current_view_internal._search_table_regclass(search_table text)
RETURNS regclass
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s_schema name;
    s_name name;
BEGIN
    IF search_table IS NULL THEN
        RAISE EXCEPTION 'search_table cannot be null' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO s_schema, s_name FROM current_view_internal._search_table_name(search_table, NULL);
    IF NOT EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
                   WHERE r.search_schema = s_schema AND r.search_table = s_name) THEN
        RAISE EXCEPTION 'search table "%" does not exist', search_table
            USING ERRCODE = 'undefined_table';
    END IF;
    RETURN format('%I.%I', s_schema, s_name)::regclass;
END
$$;

-- The statements of one batch of a search table's rebuild for the source
-- at a position, with $1 and $2 the bounds of the source key range.
CREATE FUNCTION current_view_internal._search_batch_sql(search_table regclass, source_position integer,
                                              has_lower boolean, has_upper boolean)
RETURNS TABLE (step text, statement text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r current_view_internal.search_source_registry;
    source regclass;
    outside text;
BEGIN
    SELECT s.* INTO r FROM current_view_internal.search_source_registry s
    JOIN pg_class c ON c.relname = s.search_table
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.search_schema
    WHERE c.oid = $1 AND s.position = $2;
    source := format('%I.%I', r.source_schema, r.source_table)::regclass;
    -- Rows of this source are those with its key and without the columns of
    -- other sources' chains.
    SELECT coalesce(string_agg(format(' AND x.%I IS NULL', a), ''), '') INTO outside
    FROM (SELECT DISTINCT unnest(o.search_columns) a FROM current_view_internal.search_source_registry o
          WHERE o.search_schema = r.search_schema AND o.search_table = r.search_table) d
    WHERE a <> ALL (r.search_columns);

    step := 'delete';
    statement := format('DELETE FROM %s x WHERE %s%s', search_table,
        current_view_internal._key_range(source, r.key_columns[1:1],
                               current_view_internal._column_pattern('x', r.search_columns[1]),
                               has_lower, has_upper),
        outside);
    RETURN NEXT;
    step := 'insert';
    statement := format('INSERT INTO %1$s (%2$s, document) SELECT * FROM (%3$s) q(%2$s, document) WHERE %4$s',
        search_table, current_view_internal._column_list(r.search_columns),
        current_view_internal._search_source_query(r.search_schema, r.search_table, source),
        current_view_internal._key_range(source, r.key_columns[1:1],
                               current_view_internal._column_pattern('q', r.search_columns[1]),
                               has_lower, has_upper));
    RETURN NEXT;
END
$$;

-- One batch of rebuild_search_table; returns whether the rebuild is done.
CREATE FUNCTION current_view_internal._rebuild_search_batch(search_table regclass, batch_size integer)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p current_view_internal.rebuild_progress_registry;
    r current_view_internal.search_source_registry;
    source regclass;
    upper_key bytea[];
    upper_key_text text[];
    s record;
    batch_rows bigint;
    chain_table regclass;
BEGIN
    PERFORM current_view_internal._require_owner(search_table);
    p := current_view_internal._rebuild_state('search', search_table);
    SELECT o.* INTO r FROM current_view_internal.search_source_registry o
    JOIN pg_class c ON c.relname = o.search_table
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = o.search_schema
    WHERE c.oid = $1 AND o.position >= coalesce(p.source_position, 0)
    ORDER BY o.position LIMIT 1;
    IF NOT FOUND THEN
        PERFORM current_view_internal._rebuild_record('search', search_table, NULL, NULL, NULL, 0, true, NULL);
        RETURN true;
    END IF;
    IF r.position IS DISTINCT FROM p.source_position THEN
        p.resume_key := NULL;   -- the recorded source is gone: start the next one
    END IF;
    source := format('%I.%I', r.source_schema, r.source_table)::regclass;
    -- Writers of every table of the chain wait for this batch, top-down like
    -- foreign-key cascades, so that a cascade never interleaves with it.
    FOR chain_table IN
        SELECT format('%I.%I', u.s, u.t)::regclass
        FROM unnest(r.chain_schemas, r.chain_tables) WITH ORDINALITY u(s, t, i) ORDER BY u.i DESC
    LOOP
        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', chain_table);
    END LOOP;
    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', search_table);
    SELECT * INTO upper_key, upper_key_text
    FROM current_view_internal._batch_upper_key(source, 'ONLY ', r.key_columns[1:1], p.resume_key, batch_size);
    FOR s IN SELECT * FROM current_view_internal._search_batch_sql(search_table, r.position,
                                                         p.resume_key IS NOT NULL, upper_key IS NOT NULL) LOOP
        EXECUTE s.statement USING p.resume_key, upper_key;
        IF s.step = 'insert' THEN
            GET DIAGNOSTICS batch_rows = ROW_COUNT;
        END IF;
    END LOOP;
    IF upper_key IS NULL AND EXISTS (
        SELECT 1 FROM current_view_internal.search_source_registry o
        WHERE o.search_schema = r.search_schema AND o.search_table = r.search_table
          AND o.position > r.position) THEN
        -- This source is done; the next batch starts the next source.
        PERFORM current_view_internal._rebuild_record('search', search_table, r.position + 1, NULL, NULL,
                                            batch_rows, false, NULL);
        RETURN false;
    END IF;
    PERFORM current_view_internal._rebuild_record('search', search_table, r.position, upper_key,
                                        upper_key_text, batch_rows, upper_key IS NULL,
                                        (SELECT sum(current_view_internal._estimated_rows(
                                                    format('%I.%I', o.source_schema, o.source_table)::regclass))
                                         FROM current_view_internal.search_source_registry o
                                         WHERE o.search_schema = r.search_schema
                                           AND o.search_table = r.search_table));
    RETURN upper_key IS NULL;
END
$$;

-- Recompute every row of a search table, source by source, in key-range
-- batches of each source, committing after each; CALL it outside a
-- transaction block.  No SET clause, as for rebuild_versioned_table.
CREATE PROCEDURE @extschema@.rebuild_search_table(search_table text, batch_size integer DEFAULT 10000,
                                                  restart boolean DEFAULT false)
LANGUAGE plpgsql
AS $$
DECLARE
    st regclass := current_view_internal._search_table_regclass(search_table);
BEGIN
    PERFORM current_view_internal._rebuild_begin('search', st, batch_size, restart);
    WHILE NOT current_view_internal._rebuild_search_batch(st, batch_size) LOOP
        COMMIT;
    END LOOP;
END
$$;
-- Partitions and retention: dropping, detaching or attaching a partition of a
-- registered table gives every key it affects its correct current row (or no
-- current row when no version is left) within the same DDL statement.
--
-- An event trigger at ddl_command_start records the leaf partitions of every
-- registered partitioned table; one at ddl_command_end compares them with the
-- leaves after the command.  A leaf that is gone was dropped (it no longer
-- exists) or detached; a new one was attached.  The affected keys of each table
-- are then recomputed in one set-based statement.  The record is a stack in a
-- session setting, so that DDL run inside another DDL (a function called by
-- it) pairs its own start and end, and an aborted command leaves nothing
-- behind (settings roll back with the transaction).

-- The columns of rel, each quoted and prefixed with "alias.".
CREATE FUNCTION current_view_internal._alias_columns(rel regclass, alias text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(alias || '.' || quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute
    WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped
$$;

-- One statement recomputing the current rows of the keys that keys_sql
-- returns (a SELECT of the key columns, by name).  Ties between equal
-- versions keep the row that is already current.  Whatever the statistics
-- say (they are stale right after a partition drops out), every step is
-- linear: the keys drive index probes into the history (LATERAL), and rows
-- are changed by (tableoid, ctid) or by key, never by a join of two
-- unindexed sets.
CREATE FUNCTION current_view_internal._repair_keys_sql(tbl regclass, keys_sql text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
    keys text := current_view_internal._column_list(reg.key_columns);
    k_keys text;
    t_is_k text := current_view_internal._key_comparison(tbl, reg.key_columns, 't.%1$I', 3, 'k.%1$I');
    versions_desc text;
    cur regclass;
BEGIN
    SELECT string_agg(format('k.%I', c), ', ' ORDER BY i) INTO k_keys
    FROM unnest(reg.key_columns) WITH ORDINALITY u(c, i);
    SELECT string_agg(format('t.%I DESC', c), ', ' ORDER BY i) INTO versions_desc
    FROM unnest(reg.version_columns) WITH ORDINALITY u(c, i);
    IF reg.strategy = 'flag' THEN
        RETURN format($sql$
            WITH keys AS MATERIALIZED (SELECT DISTINCT %1$s FROM (%2$s) k),
            r AS MATERIALIZED (
                SELECT %3$s, b.* FROM keys k CROSS JOIN LATERAL (
                    SELECT t.tableoid AS rel, t.ctid AS row_id, t.%4$I AS is_current,
                           row_number() OVER (ORDER BY %5$s, t.%4$I DESC, t.tableoid, t.ctid) = 1 AS wins
                    FROM %6$s t WHERE %7$s) b),
            flipped AS (
                UPDATE %6$s t SET %4$I = r.wins FROM r
                WHERE t.tableoid = r.rel AND t.ctid = r.row_id AND r.wins <> r.is_current),
            heads_set AS (
                INSERT INTO %8$I.%9$I AS h (%1$s, current_relation)
                SELECT %1$s, r.rel::pg_catalog.regclass FROM r WHERE r.wins
                ON CONFLICT (%1$s) DO UPDATE SET current_relation = excluded.current_relation
                WHERE h.current_relation IS DISTINCT FROM excluded.current_relation),
            gone AS (
                SELECT %3$s FROM keys k WHERE NOT EXISTS (SELECT 1 FROM %6$s t WHERE %7$s))
            DELETE FROM %8$I.%9$I h USING gone k WHERE %10$s
            $sql$,
            keys, keys_sql, k_keys, reg.current_column, versions_desc, tbl, t_is_k,
            reg.table_schema, reg.heads_table,
            current_view_internal._key_comparison(tbl, reg.key_columns, 'h.%1$I', 3, 'k.%1$I'));
    END IF;
    cur := format('%I.%I', reg.table_schema, reg.current_table)::regclass;
    RETURN format($sql$
        WITH keys AS MATERIALIZED (SELECT DISTINCT %1$s FROM (%2$s) k),
        w AS MATERIALIZED (
            SELECT b.* FROM keys k CROSS JOIN LATERAL (
                SELECT %3$s FROM %4$s t WHERE %5$s
                ORDER BY %6$s,
                         EXISTS (SELECT 1 FROM %7$s c WHERE %8$s
                                 AND ROW(%9$s)::text = ROW(%3$s)::text) DESC
                LIMIT 1) b),
        gone AS (
            DELETE FROM %7$s c USING keys k
            WHERE %10$s AND NOT EXISTS (SELECT 1 FROM %4$s t WHERE %5$s))
        INSERT INTO %7$s AS c (%11$s) SELECT %11$s FROM w
        ON CONFLICT (%1$s) DO UPDATE SET (%11$s) = ROW(%12$s)
        WHERE ROW(%9$s)::text IS DISTINCT FROM ROW(%12$s)::text
        $sql$,
        keys, keys_sql, current_view_internal._alias_columns(cur, 't'), tbl, t_is_k, versions_desc, cur,
        current_view_internal._key_comparison(tbl, reg.key_columns, 'c.%1$I', 3, 't.%1$I'),
        current_view_internal._alias_columns(cur, 'c'),
        current_view_internal._key_comparison(tbl, reg.key_columns, 'c.%1$I', 3, 'k.%1$I'),
        current_view_internal._visible_columns(cur, NULL),
        current_view_internal._alias_columns(cur, 'excluded'));
END
$$;

-- The leaf partitions of every registered partitioned table, as a jsonb
-- array of [table oid, leaf oid], and [table oid, 0] for each table (which
-- may have no partitions).
CREATE FUNCTION current_view_internal._registered_partitions()
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_array(c.oid::bigint,
                                                CASE WHEN p.isleaf THEN p.relid::oid::bigint ELSE 0 END)), '[]')
    FROM current_view_internal.versioned_table_registry r
    JOIN pg_namespace n ON n.nspname = r.table_schema
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = r.table_name AND c.relkind = 'p'
    CROSS JOIN LATERAL pg_partition_tree(c.oid) p
    WHERE r.strategy IN ('flag', 'table') AND (p.isleaf OR p.relid = c.oid)
$$;

-- Recompute the keys of tbl that lost their current row's partition
-- (dropped or detached leaves) or that gained rows (attached leaves).
CREATE FUNCTION current_view_internal._repair_partitions(tbl regclass, dropped oid[], detached oid[],
                                               attached oid[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
    derived name := coalesce(reg.heads_table, reg.current_table);
    keys text := current_view_internal._column_list(reg.key_columns);
    match_cur text;
    part oid;
    key_sql text[] := '{}';
BEGIN
    -- Registry rows are written by table owners: the derived table written
    -- below must be the registered table's own.
    IF NOT EXISTS (SELECT 1 FROM pg_class d JOIN pg_namespace n ON n.oid = d.relnamespace
                   JOIN pg_class t ON t.oid = tbl AND t.relowner = d.relowner
                   WHERE n.nspname = reg.table_schema AND d.relname = derived) THEN
        RAISE EXCEPTION 'table %.% of versioned table % is missing or not owned by its owner',
            quote_ident(reg.table_schema), quote_ident(derived), tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A current row of the 'table' strategy equal, by key and version, to a row of d.
    match_cur := current_view_internal._key_comparison(tbl, reg.key_columns || reg.version_columns,
                                             'c.%1$I', 3, 'd.%1$I');
    IF reg.strategy = 'flag' THEN
        -- The heads table names the partition of each key's current row.
        IF cardinality(dropped) + cardinality(detached) > 0 THEN
            key_sql := key_sql || format(
                'SELECT %s FROM %I.%I WHERE current_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)',
                keys, reg.table_schema, reg.heads_table);
        END IF;
    ELSE
        IF cardinality(dropped) > 0 THEN
            -- The rows are gone: current rows that no history row equals.
            key_sql := key_sql || format(
                'SELECT %1$s FROM %2$I.%3$I c WHERE NOT EXISTS (SELECT 1 FROM %4$s d WHERE %5$s AND ROW(%6$s)::text = ROW(%7$s)::text)',
                keys, reg.table_schema, reg.current_table, tbl, match_cur,
                current_view_internal._alias_columns(format('%I.%I', reg.table_schema, reg.current_table)::regclass, 'd'),
                current_view_internal._alias_columns(format('%I.%I', reg.table_schema, reg.current_table)::regclass, 'c'));
        END IF;
        FOREACH part IN ARRAY detached LOOP
            key_sql := key_sql || format(
                'SELECT %1$s FROM %2$I.%3$I c WHERE EXISTS (SELECT 1 FROM %4$s d WHERE %5$s)',
                keys, reg.table_schema, reg.current_table, part::regclass, match_cur);
        END LOOP;
    END IF;
    FOREACH part IN ARRAY attached LOOP
        key_sql := key_sql || format('SELECT %s FROM %s', keys, part::regclass);
    END LOOP;
    IF cardinality(key_sql) = 0 THEN
        RETURN;
    END IF;
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of versioned table % to change its partitions', tbl
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'The current rows of the keys the partition holds are recomputed within the command.';
    END IF;
    -- Writers wait, as for a rebuild batch (see 40_operations.sql).
    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', tbl);
    PERFORM current_view_internal._allow_flag_writes(tbl);
    EXECUTE current_view_internal._repair_keys_sql(tbl, array_to_string(key_sql, ' UNION '))
        USING dropped || detached;
    PERFORM current_view_internal._end_flag_writes(tbl);
END
$$;

CREATE FUNCTION current_view_internal._remember_partitions()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('current_view_ddl.partitions',
                       (coalesce(nullif(current_setting('current_view_ddl.partitions', true), ''), '[]')::jsonb
                        || jsonb_build_array(current_view_internal._registered_partitions()))::text,
                       false);
END
$$;

CREATE FUNCTION current_view_internal._repair_changed_partitions()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stack jsonb := coalesce(nullif(current_setting('current_view_ddl.partitions', true), ''), '[]')::jsonb;
    change record;
BEGIN
    IF jsonb_array_length(stack) = 0 THEN
        RETURN;
    END IF;
    PERFORM set_config('current_view_ddl.partitions', (stack - (-1))::text, false);
    FOR change IN
        WITH before AS (SELECT (e->>0)::oid AS tbl, (e->>1)::oid AS leaf
                        FROM jsonb_array_elements(stack -> -1) e),
             after AS (SELECT (e->>0)::oid AS tbl, (e->>1)::oid AS leaf
                       FROM jsonb_array_elements(current_view_internal._registered_partitions()) e),
             changed AS (
                 SELECT coalesce(b.tbl, a.tbl) AS tbl, coalesce(b.leaf, a.leaf) AS leaf,
                        a.leaf IS NULL AS gone
                 FROM before b FULL JOIN after a ON a.tbl = b.tbl AND a.leaf = b.leaf
                 WHERE (a.leaf IS NULL OR b.leaf IS NULL) AND coalesce(b.leaf, a.leaf) <> 0)
        SELECT c.tbl::regclass AS tbl,
               coalesce(array_agg(c.leaf) FILTER (WHERE c.gone AND NOT EXISTS (
                   SELECT 1 FROM pg_class WHERE oid = c.leaf)), '{}') AS dropped,
               coalesce(array_agg(c.leaf) FILTER (WHERE c.gone AND EXISTS (
                   SELECT 1 FROM pg_class WHERE oid = c.leaf)), '{}') AS detached,
               coalesce(array_agg(c.leaf) FILTER (WHERE NOT c.gone), '{}') AS attached
        FROM changed c
        -- Tables registered or dropped by the command itself have nothing to repair.
        WHERE c.tbl IN (SELECT tbl FROM before) AND c.tbl IN (SELECT tbl FROM after)
        GROUP BY c.tbl
    LOOP
        PERFORM current_view_internal._repair_partitions(change.tbl, change.dropped, change.detached,
                                               change.attached);
    END LOOP;
END
$$;

CREATE EVENT TRIGGER current_view_remember_partitions ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION current_view_internal._remember_partitions();

CREATE EVENT TRIGGER current_view_repair_partitions ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION current_view_internal._repair_changed_partitions();
