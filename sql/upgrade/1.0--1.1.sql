-- current_view 1.0 -> 1.1: the part of the upgrade that is not a replay of
-- the install script's functions and views (those follow, from sql/*.sql).
\echo Use "ALTER EXTENSION current_view UPDATE TO '1.1'" to load this file. \quit

-- 1.1 keeps trigger functions, helpers and the registry out of the user's
-- schema.  ALTER ... SET SCHEMA keeps their OIDs, so the triggers, views and
-- row security policies that 1.0 created keep pointing at them.
CREATE SCHEMA current_view_internal;
COMMENT ON SCHEMA current_view_internal IS 'internal objects of the current_view extension';
GRANT USAGE ON SCHEMA current_view_internal TO PUBLIC;

-- search() gained parameters (and is written in C); the CASE of source
-- tables it was built from is gone.  Dropped before anything moves: the
-- drop fires 1.0's sql_drop event triggers, which read the registry where
-- 1.0 keeps it.
DROP FUNCTION @extschema@.search(regclass, text, integer, regconfig);
DROP FUNCTION @extschema@._search_source_case(regclass, text);

DO $upgrade$
DECLARE
    member record;
BEGIN
    FOR member IN
        SELECT p.oid::pg_catalog.regprocedure AS routine, p.prokind
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_proc p ON p.oid = d.objid
        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'current_view')
          AND d.deptype = 'e'
          AND p.pronamespace = '@extschema@'::pg_catalog.regnamespace
          AND (p.proname OPERATOR(pg_catalog.~) '^_' OR p.proname OPERATOR(pg_catalog.~) '^current_view_')
    LOOP
        EXECUTE pg_catalog.format('ALTER %s %s SET SCHEMA current_view_internal',
                                  CASE member.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                                  member.routine);
    END LOOP;
END
$upgrade$;

ALTER TABLE @extschema@.versioned_table_registry SET SCHEMA current_view_internal;
ALTER TABLE @extschema@.search_document_registry SET SCHEMA current_view_internal;
ALTER TABLE @extschema@.search_source_registry SET SCHEMA current_view_internal;
ALTER TABLE @extschema@.rebuild_progress_registry SET SCHEMA current_view_internal;

-- Rebuild progress keeps the last key done in binary form (resume_key);
-- last_key is text for people only.  1.0's text forms were written under the
-- settings of the session that wrote them and cannot be read back safely: an
-- unfinished rebuild redoes its table (or its current source) from the start,
-- which is always right since batches are idempotent, and counts its rows
-- from zero again.
ALTER TABLE current_view_internal.rebuild_progress_registry ADD COLUMN resume_key pg_catalog.bytea[];
UPDATE current_view_internal.rebuild_progress_registry SET last_key = NULL, rows_done = 0, run_rows_start = 0;
-- Existing indexes that registrations adopted as current_indexes, which
-- unregistering keeps; 1.0 adopted none.
ALTER TABLE current_view_internal.versioned_table_registry
    ADD COLUMN adopted_indexes pg_catalog.name[] NOT NULL DEFAULT '{}';
-- Until the replay below, the event triggers' functions are 1.0's, which
-- name the registry in its old schema: they must not fire on these drops.
ALTER EVENT TRIGGER current_view_forget_dropped_tables DISABLE;
ALTER EVENT TRIGGER current_view_forget_dropped_search_tables DISABLE;
DROP FUNCTION current_view_internal._batch_upper_key(pg_catalog.regclass, text, name[], text[], integer);
DROP FUNCTION current_view_internal._rebuild_record(text, pg_catalog.regclass, integer, text[], bigint,
                                                    boolean, double precision);
-- Registry rows are written only by _registry_insert and _registry_delete
-- (src/registry.c): the row security that let table owners write their own
-- rows goes, and PUBLIC keeps only SELECT.
DO $upgrade$
DECLARE
    registry text;
    policy text;
BEGIN
    FOREACH registry IN ARRAY ARRAY['versioned_table_registry', 'search_document_registry',
                                    'search_source_registry', 'rebuild_progress_registry'] LOOP
        FOREACH policy IN ARRAY ARRAY['read_all', 'owner_insert', 'owner_update', 'owner_delete'] LOOP
            EXECUTE pg_catalog.format('DROP POLICY %I ON current_view_internal.%I', policy, registry);
        END LOOP;
        EXECUTE pg_catalog.format('ALTER TABLE current_view_internal.%I DISABLE ROW LEVEL SECURITY', registry);
        EXECUTE pg_catalog.format('REVOKE INSERT, UPDATE, DELETE ON current_view_internal.%I FROM PUBLIC', registry);
    END LOOP;
END
$upgrade$;
DROP FUNCTION current_view_internal._secure_registry(pg_catalog.regclass, name, name, text);
DROP FUNCTION current_view_internal._owns_table(name, name);
DROP FUNCTION current_view_internal._table_exists(name, name);
-- _drop_history_objects takes the owner whose objects it may drop.
DROP FUNCTION current_view_internal._drop_history_objects(current_view_internal.versioned_table_registry);
-- Search tables: the triggers on the ancestors of a source also fire on
-- INSERT, which adopts the rows that referenced a new key first (deferred
-- foreign keys, 20_search.sql).  The event triggers must not fire on these
-- drops either.
DO $upgrade$
DECLARE
    trg record;
BEGIN
    FOR trg IN
        SELECT t.tgname, t.tgrelid::pg_catalog.regclass AS rel, pg_catalog.pg_get_triggerdef(t.oid) AS def
        FROM pg_catalog.pg_trigger t
        WHERE t.tgfoid OPERATOR(pg_catalog.=)
              'current_view_internal.current_view_search_trigger()'::pg_catalog.regprocedure
          AND pg_catalog.pg_get_triggerdef(t.oid) OPERATOR(pg_catalog.~) ' AFTER UPDATE ON '
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trg.tgname, trg.rel);
        EXECUTE pg_catalog.replace(trg.def, ' AFTER UPDATE ON ', ' AFTER INSERT OR UPDATE ON ');
    END LOOP;
END
$upgrade$;

ALTER EVENT TRIGGER current_view_forget_dropped_tables ENABLE;
ALTER EVENT TRIGGER current_view_forget_dropped_search_tables ENABLE;

-- 'flag': the AFTER triggers that promote a row fire after change-logging
-- triggers such as pg_repack's repack_trigger (see 10_versioned.sql).  Each
-- relation of a partition tree is renamed in turn: PostgreSQL 15 renames
-- the clones with their parent, older versions one by one.
DO $upgrade$
DECLARE
    rel regclass;
    old_name name;
BEGIN
    FOR rel IN
        SELECT t.relid
        FROM current_view_internal.versioned_table_registry r
        JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) r.table_schema
        JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid
                                  AND c.relname OPERATOR(pg_catalog.=) r.table_name
        CROSS JOIN LATERAL (SELECT c.oid::pg_catalog.regclass AS relid, 0 AS level
                            UNION ALL
                            SELECT p.relid, p.level FROM pg_catalog.pg_partition_tree(c.oid) p
                            WHERE p.level OPERATOR(pg_catalog.>) 0) t
        WHERE r.strategy OPERATOR(pg_catalog.=) 'flag'
        ORDER BY t.level
    LOOP
        FOREACH old_name IN ARRAY ARRAY['current_view_after_update', 'current_view_delete']::name[] LOOP
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger
                       WHERE tgrelid OPERATOR(pg_catalog.=) rel AND tgname OPERATOR(pg_catalog.=) old_name) THEN
                EXECUTE pg_catalog.format('ALTER TRIGGER %I ON %s RENAME TO %I', old_name, rel,
                                          'zz_' OPERATOR(pg_catalog.||) old_name);
            END IF;
        END LOOP;
    END LOOP;
END
$upgrade$;

-- Partition repair (50_partitions.sql): the event triggers need their
-- functions, which the replay below gives their bodies.
CREATE FUNCTION current_view_internal._remember_partitions() RETURNS event_trigger
    LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE FUNCTION current_view_internal._repair_changed_partitions() RETURNS event_trigger
    LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER current_view_remember_partitions ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION current_view_internal._remember_partitions();
CREATE EVENT TRIGGER current_view_repair_partitions ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION current_view_internal._repair_changed_partitions();

-- Search tables' document indexes get 1.1's short pending list, unless
-- their storage parameters were set by hand.
DO $upgrade$
DECLARE
    idx pg_catalog.regclass;
BEGIN
    FOR idx IN
        SELECT DISTINCT i.indexrelid::pg_catalog.regclass
        FROM current_view_internal.search_source_registry r
        JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) r.search_schema
        JOIN pg_catalog.pg_class t ON t.relnamespace OPERATOR(pg_catalog.=) n.oid
                                  AND t.relname OPERATOR(pg_catalog.=) r.search_table
        JOIN pg_catalog.pg_index i ON i.indrelid OPERATOR(pg_catalog.=) t.oid
        JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
        JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) ic.relam
        WHERE am.amname OPERATOR(pg_catalog.=) 'gin' AND ic.reloptions IS NULL
          AND i.indnatts OPERATOR(pg_catalog.=) 1
          AND i.indkey[0] OPERATOR(pg_catalog.=) (SELECT a.attnum FROM pg_catalog.pg_attribute a
                                                  WHERE a.attrelid OPERATOR(pg_catalog.=) t.oid
                                                    AND a.attname OPERATOR(pg_catalog.=) 'document')
    LOOP
        EXECUTE pg_catalog.format('ALTER INDEX %s SET (gin_pending_list_limit = 256)', idx);
    END LOOP;
END
$upgrade$;

-- search() and search_headlines() return these row types (20_search.sql).
CREATE TYPE current_view_internal.search_result AS (source_table pg_catalog.regclass,
                                                    source_key pg_catalog.text, rank pg_catalog.float4,
                                                    keys pg_catalog.jsonb);
CREATE TYPE current_view_internal.search_headline_result AS (source_table pg_catalog.regclass,
                                                             source_key pg_catalog.text,
                                                             rank pg_catalog.float4, keys pg_catalog.jsonb,
                                                             headline pg_catalog.text);

-- Table-level DDL (55_ddl_tables.sql): the event triggers need their
-- functions, which the replay below gives their bodies.  Created last, so
-- that they do not fire on the upgrade's own commands.
CREATE FUNCTION current_view_internal._table_ddl_start() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'current_view_table_ddl_start' LANGUAGE C;
CREATE FUNCTION current_view_internal._follow_table_ddl() RETURNS event_trigger
    LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER current_view_table_ddl_start ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'ALTER VIEW', 'ALTER INDEX', 'ALTER SEQUENCE', 'ALTER MATERIALIZED VIEW',
                 'ALTER FOREIGN TABLE', 'CREATE TABLE', 'DROP EXTENSION', 'ALTER SCHEMA')
    EXECUTE FUNCTION current_view_internal._table_ddl_start();
CREATE EVENT TRIGGER current_view_follow_table_ddl ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'ALTER VIEW', 'ALTER INDEX', 'CREATE TABLE')
    EXECUTE FUNCTION current_view_internal._follow_table_ddl();
-- Column DDL on registered tables follows (56_ddl_columns.sql).
CREATE FUNCTION current_view_internal._follow_column_ddl() RETURNS event_trigger
    LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER current_view_follow_columns ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION current_view_internal._follow_column_ddl();
CREATE FUNCTION current_view_internal._before_column_ddl_command() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'current_view_before_column_ddl' LANGUAGE C;
CREATE EVENT TRIGGER current_view_prepare_columns ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION current_view_internal._before_column_ddl_command();

-- The functions and views of 1.1, replacing 1.0's in place.
