
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
            -- A read, as the caller (as are the batch bounds).
            EXECUTE s.statement INTO batch_rows USING p.resume_key, upper_key;
        ELSE
            -- Writes run the table's index expressions and triggers: as its owner.
            PERFORM current_view_internal._execute_as_owner(tbl, s.statement, p.resume_key, upper_key);
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
    s_rows bigint;
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
        -- As the search table's owner, who owns its index expressions and triggers.
        s_rows := current_view_internal._execute_as_owner(search_table, s.statement, p.resume_key, upper_key);
        IF s.step = 'insert' THEN
            batch_rows := s_rows;
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
