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
    adopted_indexes name[] NOT NULL DEFAULT '{}',    -- existing, kept by unregister
    adopted_current_table boolean NOT NULL DEFAULT false,  -- existing, kept by unregister
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

-- Whether a current_indexes entry is an index definition: it starts with
-- '(' or 'USING method (' (see src/current_indexes.c).
CREATE FUNCTION current_view_internal._is_index_definition(entry text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT entry ~* '^\s*(\(|using\s+\S+?\s*\()'
$$;

-- A current_indexes entry as an index definition, validated against tbl:
-- any entry but a definition is a plain column list such as
-- 'party_id, "Created At" DESC', checked and quoted as in 1.0.
CREATE FUNCTION current_view_internal._index_definition(tbl regclass, entry text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    definition text := entry;
    cols name[];
    col name;
BEGIN
    IF NOT current_view_internal._is_index_definition(entry) THEN
        SELECT '(' || string_agg(format('%I%s', p.column_name, CASE WHEN p.descending THEN ' DESC' ELSE '' END), ', ') || ')',
               array_agg(p.column_name)
        INTO definition, cols
        FROM current_view_internal._parse_column_list(entry) p;
        FOREACH col IN ARRAY cols LOOP
            PERFORM current_view_internal._column(tbl, col, 'index');
        END LOOP;
    END IF;
    PERFORM current_view_internal._check_index_definition(tbl, definition);
    RETURN definition;
END
$$;

CREATE FUNCTION current_view_internal._check_index_definition(tbl regclass, definition text)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_check_index_definition'
LANGUAGE C STRICT;

-- Create an index from a definition of _index_definition, with the
-- predicate of current rows; returns its name, or that of the existing
-- identical index adopted instead.
CREATE FUNCTION current_view_internal._create_index(tbl regclass, definition text, index_name name,
                                                    is_unique boolean, flag_column name, flag_value boolean)
RETURNS name
AS 'MODULE_PATHNAME', 'current_view_create_index'
LANGUAGE C;

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
    qtbl text;
    qview text;
    heads name;
    flag_existed boolean := false;
    has_null boolean;
    key_list text;
    index_specs text[] := '{}';
    spec text;
    created name[] := '{}';
    adopted name[] := '{}';
    idx name;
    wanted name;
    trigger_args text;
    write_args text;
    current_table name;
    adopted_current boolean := false;
    existing_indexes oid[];
BEGIN
    IF tbl IS NULL OR key_columns IS NULL OR version_columns IS NULL
       OR strategy IS NULL OR append_only IS NULL OR backfill IS NULL
       OR current_indexes IS NULL THEN
        RAISE EXCEPTION 'only view_name, current_column, deleted_column and next_version of register_versioned_table may be null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF array_position(current_indexes, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'current_indexes cannot contain null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.relname, c.relkind, n.nspname, c.relowner INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    PERFORM current_view_internal._require_owner(tbl);
    PERFORM current_view_internal._require_registrable(tbl, 'versioned table');
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
    qtbl := format('%I.%I', rel.nspname, rel.relname);
    qview := format('%I.%I', rel.nspname, view_name);
    key_list := current_view_internal._column_list(key_columns);

    FOREACH col IN ARRAY key_columns || version_columns LOOP
        att := current_view_internal._column(tbl, col,
                   CASE WHEN col = ANY (key_columns) THEN 'key' ELSE 'version' END);
        PERFORM current_view_internal._require_btree_type(att.atttypid);
        PERFORM current_view_internal._require_written_column(att,
                    CASE WHEN col = ANY (key_columns) THEN 'key' ELSE 'version' END);
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
        -- The triggers set the flag; a generated column would be recomputed.
        IF flag_existed AND att.attgenerated <> '' THEN
            RAISE EXCEPTION 'column "%" of table % is generated and cannot mark current rows',
                current_column, tbl
                USING ERRCODE = 'invalid_table_definition';
        END IF;
    END IF;
    FOREACH spec IN ARRAY current_indexes LOOP
        index_specs := index_specs || current_view_internal._index_definition(tbl, spec);
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
        PERFORM current_view_internal._create_or_adopt_view(tbl, rel.nspname, view_name,
                    current_view_internal._view_query(tbl, strategy, key_columns, version_columns,
                                                      NULL, deleted_column));
    ELSIF strategy = 'table' THEN
        -- An existing table of that name is adopted (_adopt_current_table);
        -- the indexes made on it are the registration's, dropped by unregister.
        SELECT array_agg(i.indexrelid), count(*) > 0 INTO existing_indexes, adopted_current
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = rel.nspname
        LEFT JOIN pg_index i ON i.indrelid = c.oid
        WHERE c.relname = CASE WHEN deleted_column IS NULL THEN view_name
                               ELSE current_view_internal._object_name(view_name, 'rows') END;
        current_table := current_view_internal._create_current_table(tbl, key_columns, version_columns,
                             view_name, index_specs, append_only, backfill,
                             deleted_column, next_version);
        IF adopted_current THEN
            created := created || ARRAY(
                SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = format('%I.%I', rel.nspname, current_table)::regclass
                  AND NOT i.indisprimary AND i.indexrelid <> ALL (coalesce(existing_indexes, '{}'))
                ORDER BY c.relname)::name[];
        END IF;
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
        -- table must include the partition key.  An existing index identical
        -- to one of these is adopted (and kept by unregister); a repeated
        -- entry adopts the index of the first.
        FOR i IN 0 .. cardinality(index_specs) LOOP
            wanted := current_view_internal._object_name(rel.relname,
                          CASE WHEN i = 0 THEN 'current_key' ELSE 'current_' || i END);
            idx := current_view_internal._create_index(tbl,
                       CASE WHEN i = 0 THEN '(' || key_list || ')' ELSE index_specs[i] END,
                       wanted, i = 0 AND rel.relkind = 'r', current_column, true);
            IF idx = wanted THEN
                created := created || idx;
            ELSIF idx <> ALL (created || adopted) THEN
                adopted := adopted || idx;
            END IF;
        END LOOP;

        PERFORM current_view_internal._create_or_adopt_view(tbl, rel.nspname, view_name,
                    current_view_internal._view_query(tbl, strategy, key_columns, version_columns,
                                                      current_column, deleted_column));
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
    --  append_only, deleted_column, next_version, current_table, created_functions,
    --  adopted_indexes, adopted_current_table)
    PERFORM current_view_internal._registry_insert(ROW(rel.nspname, rel.relname, key_columns, version_columns, strategy,
            CASE WHEN strategy = 'flag' THEN current_column END,
            view_name, heads, current_indexes, created,
            strategy = 'flag' AND NOT flag_existed, append_only, deleted_column, next_version,
            current_table,
            current_view_internal._create_history_functions(tbl, key_columns, version_columns, strategy,
                                                  CASE WHEN strategy = 'flag' THEN current_column END,
                                                  coalesce(current_table, view_name), deleted_column,
                                                  next_version),
            adopted, adopted_current)::current_view_internal.versioned_table_registry);
    -- What the caller created gets the table's owner and persistence (55_ddl_tables.sql).
    PERFORM current_view_internal._follow_table(tbl, r.oid, r.oid) FROM pg_roles r WHERE r.rolname = current_user;
END
$$;

-- Create the view view_schema.view_name AS definition, owned by the owner
-- of tbl, or adopt the view of that name that an application already has
-- (a hand-written DISTINCT ON view, say).  It is replaced in place when its
-- columns allow it (CREATE OR REPLACE VIEW: the views built on it stay), or
-- dropped and created when nothing depends on it.  It keeps its
-- security_barrier and security_invoker options and its SELECT grants;
-- write grants, which gave nothing on a view that could not be written,
-- are revoked (with a notice), since writes through the new view append
-- versions.  Refused: a relation that is not a view (42P07), the view of
-- another registration or of an extension (42P07), a view owned by another
-- role than tbl's owner (42501: a view planted by someone else must not
-- become the registration's), a view with triggers, rules or a check
-- option (55000), a view whose columns differ while others depend on it
-- (2BP01).
CREATE FUNCTION current_view_internal._create_or_adopt_view(tbl regclass, view_schema name, view_name name,
                                                           definition text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    qview text := format('%I.%I', view_schema, view_name);
    table_owner oid := (SELECT relowner FROM pg_class WHERE oid = tbl);
    existing record;
    options text;
    dependants text;
    grant_row record;
    revoked text;
BEGIN
    SELECT c.oid, c.relkind, c.relowner, c.reloptions, c.relacl INTO existing
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = view_schema AND c.relname = view_name;
    IF NOT FOUND THEN
        EXECUTE format('CREATE VIEW %s AS %s', qview, definition);
        RETURN;
    END IF;
    IF existing.relkind <> 'v' THEN
        RAISE EXCEPTION 'relation % already exists and is not a view', qview
            USING ERRCODE = 'duplicate_table',
                  HINT = 'Choose another view_name.';
    END IF;
    IF EXISTS (SELECT 1 FROM current_view_internal.versioned_table_registry r
               WHERE r.table_schema = view_schema
                 AND _create_or_adopt_view.view_name IN (r.view_name, r.current_table, r.heads_table))
       OR EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = existing.oid AND d.deptype = 'e') THEN
        RAISE EXCEPTION 'view % belongs to another registration or to an extension', qview
            USING ERRCODE = 'duplicate_table',
                  HINT = 'Choose another view_name.';
    END IF;
    IF existing.relowner <> table_owner THEN
        RAISE EXCEPTION 'view % is owned by role %, not by the owner of %', qview,
            existing.relowner::regrole, tbl
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only a view of the table''s owner is adopted; ALTER VIEW ... OWNER TO that role first, or choose another view_name.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = existing.oid)
       OR EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = existing.oid AND rulename <> '_RETURN')
       OR EXISTS (SELECT 1 FROM unnest(existing.reloptions) o WHERE o LIKE 'check\_option=%') THEN
        RAISE EXCEPTION 'view % has triggers, rules or a check option of its own', qview
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Writes through the view are the extension''s triggers'', and append versions that need not be current.',
                  HINT = 'Drop its triggers and rules, ALTER VIEW ... RESET (check_option), or choose another view_name.';
    END IF;
    SELECT string_agg(format('%I = %L', split_part(o, '=', 1), substr(o, strpos(o, '=') + 1)), ', ')
    INTO options
    FROM unnest(existing.reloptions) o
    WHERE split_part(o, '=', 1) IN ('security_barrier', 'security_invoker');
    options := CASE WHEN options IS NULL THEN '' ELSE format(' WITH (%s)', options) END;
    BEGIN
        EXECUTE format('CREATE OR REPLACE VIEW %s%s AS %s', qview, options, definition);
    EXCEPTION WHEN invalid_table_definition THEN
        -- Its columns differ: only a view nothing depends on can go.
        SELECT string_agg(DISTINCT r.ev_class::regclass::text, ', ') INTO dependants
        FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = existing.oid AND r.ev_class <> existing.oid;
        IF dependants IS NOT NULL THEN
            RAISE EXCEPTION 'view % cannot be replaced by the current rows: its columns differ and % depend on it',
                qview, dependants
                USING ERRCODE = 'dependent_objects_still_exist',
                      DETAIL = SQLERRM,
                      HINT = 'Drop or change the views that depend on it, or choose another view_name.';
        END IF;
        EXECUTE format('DROP VIEW %s', qview);
        EXECUTE format('CREATE VIEW %s%s AS %s', qview, options, definition);
        FOR grant_row IN
            SELECT DISTINCT a.grantee FROM aclexplode(existing.relacl) a
            WHERE a.privilege_type = 'SELECT' AND a.grantee <> existing.relowner
        LOOP
            EXECUTE format('GRANT SELECT ON %s TO %s', qview,
                           CASE WHEN grant_row.grantee = 0 THEN 'PUBLIC'
                                ELSE quote_ident(grant_row.grantee::regrole::text) END);
        END LOOP;
    END;
    FOR grant_row IN
        SELECT a.grantee, string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privileges
        FROM aclexplode(existing.relacl) a
        WHERE a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE') AND a.grantee <> existing.relowner
        GROUP BY a.grantee
    LOOP
        EXECUTE format('REVOKE %s ON %s FROM %s', grant_row.privileges, qview,
                       CASE WHEN grant_row.grantee = 0 THEN 'PUBLIC'
                            ELSE quote_ident(grant_row.grantee::regrole::text) END);
        revoked := concat_ws('; ', revoked,
                             format('%s from %s', grant_row.privileges,
                                    CASE WHEN grant_row.grantee = 0 THEN 'PUBLIC'
                                         ELSE grant_row.grantee::regrole::text END));
    END LOOP;
    IF revoked IS NOT NULL THEN
        RAISE NOTICE 'write privileges on the adopted view % revoked: %', qview, revoked
            USING HINT = 'Writes through the view append versions; grant them again to the roles that should write.';
    END IF;
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
    -- Unregistered first: the flag column is then no registered column.
    PERFORM current_view_internal._registry_delete(reg);
    PERFORM current_view_internal._drop_history_objects(reg, (SELECT relowner FROM pg_class WHERE oid = tbl));
    FOREACH idx IN ARRAY reg.created_indexes LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I.%I', reg.table_schema, idx);
    END LOOP;
    IF drop_current AND reg.added_current_column THEN
        EXECUTE format('ALTER TABLE %s DROP COLUMN IF EXISTS %I', tbl, reg.current_column);
    END IF;
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
    -- The owners of the registered tables when the command started (see
    -- _remember_partitions): only their objects are dropped by name, never
    -- another role's object that took a name the owner freed.
    owners jsonb := coalesce(nullif(current_setting('current_view_ddl.owners', true), ''), '[]')::jsonb -> -1;
    owner oid;
BEGIN
    FOR reg IN
        SELECT r.* FROM current_view_internal.versioned_table_registry r
        JOIN pg_event_trigger_dropped_objects() d
          ON d.object_type = 'table' AND NOT d.is_temporary
         AND r.table_schema = d.schema_name AND r.table_name = d.object_name
    LOOP
        PERFORM current_view_internal._registry_delete(reg);
        owner := (owners ->> format('%I.%I', reg.table_schema, reg.table_name))::oid;
        IF owner IS NULL THEN
            RAISE WARNING 'objects of the versioned table %.% were left behind: its owner is not known',
                quote_ident(reg.table_schema), quote_ident(reg.table_name)
                USING HINT = 'Drop its view, heads or current table and functions by hand if they are still there.';
            CONTINUE;
        END IF;
        BEGIN
            PERFORM current_view_internal._drop_history_objects(reg, owner);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'objects of the versioned table %.% were left behind: %',
                quote_ident(reg.table_schema), quote_ident(reg.table_name), SQLERRM;
        END;
    END LOOP;
END
$$;

CREATE EVENT TRIGGER current_view_forget_dropped_tables ON sql_drop
    EXECUTE FUNCTION current_view_internal._forget_dropped_tables();
