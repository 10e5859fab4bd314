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
    -- As the owner, whose index expressions and triggers the writes run,
    -- whoever runs the DDL.
    PERFORM current_view_internal._execute_as_owner(
        tbl, current_view_internal._repair_keys_sql(tbl, array_to_string(key_sql, ' UNION ')),
        dropped || detached);
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
    -- The owners of registered tables, for the drops of _forget_dropped_tables.
    PERFORM set_config('current_view_ddl.owners',
                       (coalesce(nullif(current_setting('current_view_ddl.owners', true), ''), '[]')::jsonb
                        || jsonb_build_array(
                               (SELECT coalesce(jsonb_object_agg(format('%I.%I', r.table_schema, r.table_name),
                                                                 c.relowner::bigint), '{}')
                                FROM current_view_internal.versioned_table_registry r
                                JOIN pg_namespace n ON n.nspname = r.table_schema
                                JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = r.table_name)))::text,
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
    PERFORM set_config('current_view_ddl.owners',
                       (coalesce(nullif(current_setting('current_view_ddl.owners', true), ''), '[]')::jsonb
                        - (-1))::text, false);
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
