
-- Table-level DDL on registered tables: each command either keeps the
-- registration working or is refused before it changes anything.
--
-- The registries name tables, and the trigger arguments and generated
-- functions embed those names: a rename or a move to another schema of a
-- registered table or of anything its registration created is refused (the
-- hint says how to do it: unregister, run the command, register again, which
-- keeps the table's rows).  Inheritance (non-declarative) is refused both
-- ways.  The derived tables follow the owner and the persistence of their
-- table; a change of either on a derived table alone is refused.
-- DROP EXTENSION is refused while tables are registered; with CASCADE it
-- first unregisters everything, so that nothing is left behind.
--
-- The event triggers run with the rights of the role running the command,
-- reference relations by OID and quote every name they put into SQL.

-- Every relation the registries name that exists, by OID: what it is to its
-- registration, and the registered table (or search table) it belongs to.
CREATE FUNCTION current_view_internal._registered_relations()
RETURNS TABLE (rel regclass, role text, registered regclass)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH named (rel_schema, rel_name, role, reg_schema, reg_name) AS (
        SELECT r.table_schema, o.name, o.role, r.table_schema, r.table_name
        FROM current_view_internal.versioned_table_registry r
        CROSS JOIN LATERAL (VALUES (r.table_name, 'versioned table'), (r.view_name, 'view'),
                                   (r.heads_table, 'heads table'), (r.current_table, 'current table')
                            UNION ALL
                            SELECT i, 'index' FROM unnest(r.created_indexes) i) o (name, role)
        UNION ALL
        SELECT table_schema, table_name, 'search document table', table_schema, table_name
        FROM current_view_internal.search_document_registry
        UNION ALL
        SELECT s.search_schema, s.search_table, 'search table', s.search_schema, s.search_table
        FROM current_view_internal.search_source_registry s
        UNION ALL
        SELECT u.sch, u.tab, CASE WHEN u.i = 1 THEN 'search source' ELSE 'search chain table' END,
               s.search_schema, s.search_table
        FROM current_view_internal.search_source_registry s
        CROSS JOIN LATERAL unnest(s.chain_schemas, s.chain_tables) WITH ORDINALITY u (sch, tab, i))
    SELECT c.oid::regclass, n.role, rc.oid::regclass
    FROM named n
    JOIN pg_namespace s ON s.nspname = n.rel_schema
    JOIN pg_class c ON c.relnamespace = s.oid AND c.relname = n.rel_name
    LEFT JOIN pg_namespace rs ON rs.nspname = n.reg_schema
    LEFT JOIN pg_class rc ON rc.relnamespace = rs.oid AND rc.relname = n.reg_name
$$;

-- Raise 0A000 unless tbl may be registered as what ('versioned table',
-- 'search source', 'search document table'): a temporary table would
-- outlive its registration, a table with inheritance parents or children
-- has rows its triggers never see, and a derived table that a crash does
-- not empty with its table (unlogged partitions, unlogged search sources)
-- would keep rows the table lost.
CREATE FUNCTION current_view_internal._require_registrable(tbl regclass, what text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT relpersistence FROM pg_class WHERE oid = tbl) = 't' THEN
        RAISE EXCEPTION 'temporary table % cannot be registered as a %', tbl, what
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Register a permanent or unlogged table.';
    END IF;
    IF what = 'search document table' THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
               WHERE (i.inhrelid = tbl OR i.inhparent = tbl) AND p.relkind <> 'p') THEN
        RAISE EXCEPTION 'table % cannot be registered as a % because it has inheritance parents or children',
            tbl, what
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Use declarative partitioning (PARTITION BY, PARTITION OF).';
    END IF;
    IF what = 'search source' AND (SELECT relpersistence FROM pg_class WHERE oid = tbl) = 'u' THEN
        RAISE EXCEPTION 'unlogged table % cannot be registered as a %', tbl, what
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'A crash would empty the table but not the search table, which holds rows of other tables too.';
    END IF;
    IF what = 'versioned table' AND EXISTS (
        SELECT 1 FROM pg_partition_tree(tbl) p JOIN pg_class c ON c.oid = p.relid
        WHERE p.level > 0 AND c.relpersistence = 'u') THEN
        RAISE EXCEPTION 'partitioned table % cannot be registered as a % because it has unlogged partitions',
            tbl, what
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'Its heads or current table is logged: a crash would empty a partition but not it.';
    END IF;
END
$$;

-- Called by the ddl_command_start event trigger (src/ddl.c) for a command
-- about to rename rel or move it to another schema ('rename', 'set schema'),
-- make rel a child of other ('inherit') or give a new table the parent rel
-- ('inherits'), or change rel's persistence ('set logged', 'set unlogged').
-- Raises 0A000 where the command would break a registration.
CREATE FUNCTION current_view_internal._refuse_table_ddl(action text, rel regclass, other regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF action IN ('rename', 'set schema') THEN
        SELECT * INTO r FROM current_view_internal._registered_relations() x WHERE x.rel = $2 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'cannot % % because it is the % of registration %',
                CASE action WHEN 'rename' THEN 'rename' ELSE 'move' END, rel, r.role,
                coalesce(r.registered::text, '(a table that no longer exists)')
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'The registration, its triggers and its generated functions name it.',
                      HINT = CASE WHEN r.role LIKE 'search%'
                                  THEN 'Drop the search table (drop_search_table), run the command, and add the sources again.'
                                  ELSE 'Unregister the table (unregister_versioned_table), run the command, and register it again: the rows of the table stay.' END;
        END IF;
    ELSIF action IN ('inherit', 'inherits') THEN
        SELECT * INTO r FROM current_view_internal._registered_relations() x
        WHERE x.rel IN ($2, $3) AND x.role IN ('versioned table', 'search source', 'search chain table')
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'table % cannot take part in table inheritance because it is a % of registration %',
                r.rel, r.role, r.registered
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'Rows of an inheritance child would bypass the triggers of its parent.',
                      HINT = 'Use declarative partitioning (PARTITION BY, PARTITION OF).';
        END IF;
    ELSIF action IN ('set logged', 'set unlogged') THEN
        SELECT * INTO r FROM current_view_internal._registered_relations() x
        WHERE x.rel = $2
          AND ((x.role IN ('heads table', 'current table')
                -- The change that makes it follow its table is allowed (_follow_table).
                AND (SELECT relpersistence FROM pg_class WHERE oid = x.registered)
                    <> CASE action WHEN 'set logged' THEN 'p' ELSE 'u' END)
               OR x.role = 'search table'
               OR (action = 'set unlogged' AND x.role IN ('search source', 'search chain table')))
        LIMIT 1;
        IF NOT FOUND THEN
            -- A partition of a registered table.
            SELECT x.rel, 'partition' AS role, x.registered INTO r FROM current_view_internal._registered_relations() x
            WHERE action = 'set unlogged' AND x.role = 'versioned table' AND x.rel <> $2
              AND x.rel IN (SELECT relid FROM pg_partition_ancestors($2))
            LIMIT 1;
        END IF;
        IF FOUND THEN
            RAISE EXCEPTION 'cannot change the persistence of % because it is the % of registration %',
                rel, r.role, r.registered
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'Derived tables follow the persistence of their versioned table; search tables and their sources, and partitioned versioned tables, are logged.',
                      HINT = CASE WHEN r.role IN ('heads table', 'current table')
                                  THEN format('Change the persistence of %s: its derived tables follow.', r.registered)
                                  ELSE 'Keep it logged.' END;
        END IF;
    END IF;
END
$$;

-- Give the derived tables, view and functions of versioned table tbl the
-- owner of tbl, and its heads and current tables its persistence: the
-- triggers run as the table's owner, and a crash must empty the derived
-- tables of an unlogged table with it.  Each relation changes in one
-- command, so that the event trigger below sees it consistent.
CREATE FUNCTION current_view_internal._follow_table(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
    t pg_class;
    d record;
    fn regprocedure;
    sig text;
BEGIN
    SELECT * INTO t FROM pg_class WHERE oid = tbl;
    FOR d IN
        SELECT c.oid::regclass AS rel, c.relkind, c.relowner, c.relpersistence
        FROM current_view_internal._registered_relations() x JOIN pg_class c ON c.oid = x.rel
        WHERE x.registered = tbl AND x.role IN ('view', 'heads table', 'current table')
        GROUP BY c.oid
    LOOP
        CONTINUE WHEN d.relowner = t.relowner AND (d.relkind = 'v' OR d.relpersistence = t.relpersistence
                                                   OR t.relkind = 'p');
        EXECUTE format('ALTER %s %s %s', CASE WHEN d.relkind = 'v' THEN 'VIEW' ELSE 'TABLE' END, d.rel,
                       concat_ws(', ',
                           CASE WHEN d.relkind <> 'v' AND t.relkind <> 'p' AND d.relpersistence <> t.relpersistence
                                THEN CASE WHEN t.relpersistence = 'u' THEN 'SET UNLOGGED' ELSE 'SET LOGGED' END END,
                           CASE WHEN d.relowner <> t.relowner
                                THEN format('OWNER TO %I', (SELECT rolname FROM pg_roles WHERE oid = t.relowner)) END));
    END LOOP;
    -- Signatures are looked up, never run as SQL text.
    FOREACH sig IN ARRAY reg.created_functions LOOP
        fn := to_regprocedure(sig);
        IF fn IS NOT NULL AND (SELECT proowner FROM pg_proc WHERE oid = fn) <> t.relowner THEN
            EXECUTE format('ALTER FUNCTION %s OWNER TO %I', fn, (SELECT rolname FROM pg_roles WHERE oid = t.relowner));
        END IF;
    END LOOP;
END
$$;

-- After ALTER TABLE, ALTER VIEW and CREATE TABLE: the derived objects of a
-- registered table whose owner or persistence changed follow it; a derived
-- relation changed on its own, or an unlogged partition added to a registered
-- table, makes the command fail.
CREATE FUNCTION current_view_internal._follow_table_ddl()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT DISTINCT x.rel, x.role, x.registered
        FROM pg_event_trigger_ddl_commands() cmd
        JOIN current_view_internal._registered_relations() x
          ON x.rel = cmd.objid OR x.rel IN (SELECT relid FROM pg_partition_ancestors(cmd.objid))
        WHERE cmd.classid = 'pg_class'::regclass
          AND x.role IN ('versioned table', 'view', 'heads table', 'current table')
    LOOP
        IF r.role = 'versioned table' THEN
            IF EXISTS (SELECT 1 FROM pg_class t
                       JOIN pg_partition_tree(r.rel) p ON p.level > 0
                       JOIN pg_class c ON c.oid = p.relid
                       WHERE t.oid = r.rel AND t.relkind = 'p' AND c.relpersistence = 'u') THEN
                RAISE EXCEPTION 'registered partitioned table % cannot have unlogged partitions', r.rel
                    USING ERRCODE = 'feature_not_supported',
                          DETAIL = 'Its heads or current table is logged: a crash would empty a partition but not it.';
            END IF;
            PERFORM current_view_internal._follow_table(r.rel);
        ELSIF EXISTS (SELECT 1 FROM pg_class d JOIN pg_class t ON t.oid = r.registered
                      WHERE d.oid = r.rel
                        AND (d.relowner <> t.relowner
                             OR (d.relkind <> 'v' AND t.relkind <> 'p' AND d.relpersistence <> t.relpersistence))) THEN
            RAISE EXCEPTION 'the owner and persistence of % follow those of versioned table %', r.rel, r.registered
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = format('It is the %s of the registration of %s.', r.role, r.registered),
                      HINT = format('Change %s: its derived objects follow.', r.registered);
        END IF;
    END LOOP;
END
$$;

-- DROP EXTENSION current_view (src/ddl.c, before the command runs): refused
-- while tables are registered, as the triggers, views, heads, current and
-- search tables and functions the registrations created would be left half
-- (the triggers and some views go with the extension, the rest stays and
-- blocks registering again).  With CASCADE, every registration is undone
-- first; the registered tables and their rows stay.
CREATE FUNCTION current_view_internal._drop_registrations(cascade boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_versioned bigint := (SELECT count(*) FROM current_view_internal.versioned_table_registry);
    n_search bigint := (SELECT count(DISTINCT (search_schema, search_table))
                        FROM current_view_internal.search_source_registry);
    n_documents bigint := (SELECT count(*) FROM current_view_internal.search_document_registry);
    reg record;
BEGIN
    IF n_versioned + n_search + n_documents = 0 THEN
        RETURN;
    END IF;
    IF NOT cascade THEN
        RAISE EXCEPTION 'cannot drop extension current_view because tables are registered'
            USING ERRCODE = 'dependent_objects_still_exist',
                  DETAIL = format('%s versioned tables, %s search tables and %s search documents are registered.',
                                  n_versioned, n_search, n_documents),
                  HINT = 'Unregister them, or use DROP EXTENSION ... CASCADE to undo every registration: the registered tables and their rows stay.';
    END IF;
    FOR reg IN SELECT DISTINCT search_schema, search_table FROM current_view_internal.search_source_registry LOOP
        PERFORM @extschema@.drop_search_table(format('%I.%I', reg.search_schema, reg.search_table));
    END LOOP;
    FOR reg IN SELECT x.rel FROM current_view_internal._registered_relations() x
               WHERE x.role = 'search document table' LOOP
        PERFORM @extschema@.unregister_search_document(reg.rel);
    END LOOP;
    FOR reg IN SELECT r AS row, c.oid::regclass AS rel
               FROM current_view_internal.versioned_table_registry r
               LEFT JOIN (pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace)
                 ON n.nspname = r.table_schema AND c.relname = r.table_name LOOP
        IF reg.rel IS NULL THEN
            -- Renamed under 1.0: what it created is dropped like a dropped table's.
            PERFORM current_view_internal._drop_history_objects(reg.row);
        ELSE
            PERFORM @extschema@.unregister_versioned_table(reg.rel);
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION current_view_internal._table_ddl_start()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'current_view_table_ddl_start'
LANGUAGE C;

CREATE EVENT TRIGGER current_view_table_ddl_start ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'ALTER VIEW', 'ALTER INDEX', 'ALTER SEQUENCE', 'ALTER MATERIALIZED VIEW',
                 'ALTER FOREIGN TABLE', 'CREATE TABLE', 'DROP EXTENSION')
    EXECUTE FUNCTION current_view_internal._table_ddl_start();

CREATE EVENT TRIGGER current_view_follow_table_ddl ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'ALTER VIEW', 'CREATE TABLE')
    EXECUTE FUNCTION current_view_internal._follow_table_ddl();
