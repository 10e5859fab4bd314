-- current_view 1.1 -> 1.2: the part of the upgrade that is not a replay of
-- the install script's functions and views (those follow, from sql/*.sql).
\echo Use "ALTER EXTENSION current_view UPDATE TO '1.2'" to load this file. \quit

-- Existing indexes that registrations adopted as current_indexes, which
-- unregistering keeps; 1.0 adopted none.
ALTER TABLE current_view_internal.versioned_table_registry
    ADD COLUMN adopted_indexes pg_catalog.name[] NOT NULL DEFAULT '{}';
-- A current table that existed and was adopted, which unregistering keeps;
-- 1.1 adopted none.
ALTER TABLE current_view_internal.versioned_table_registry
    ADD COLUMN adopted_current_table boolean NOT NULL DEFAULT false;

-- search() and search_headlines() return named row types (created below);
-- a function's return type cannot change in place.
DROP FUNCTION @extschema@.search(pg_catalog.regclass, text, integer, pg_catalog.regconfig, text, boolean, text,
                                 integer, real[], real, pg_catalog.jsonb);
DROP FUNCTION @extschema@.search_headlines(pg_catalog.regclass, text, name, integer, pg_catalog.regconfig, text,
                                           boolean, text, integer, real[], real, pg_catalog.jsonb, text);
-- _drop_history_objects takes the owner whose objects it may drop.
DROP FUNCTION current_view_internal._drop_history_objects(current_view_internal.versioned_table_registry);

-- Search tables: the triggers on the ancestors of a source also fire on
-- INSERT, which adopts the rows that referenced a new key first (deferred
-- foreign keys, 20_search.sql).
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

-- Search tables' document indexes get a short pending list, unless
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

-- Search tables: a deferred trigger on each recomputes at COMMIT a search
-- row that lacked an ancestor (20_search.sql, src/search_tables.c).
CREATE FUNCTION current_view_internal.current_view_search_recheck_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'current_view_search_recheck_trigger' LANGUAGE C;
CREATE FUNCTION current_view_internal._search_refresh_recheck(search_schema name, search_table name)
    RETURNS void AS 'MODULE_PATHNAME', 'current_view_search_refresh_recheck' LANGUAGE C STRICT;
SELECT current_view_internal._search_refresh_recheck(r.search_schema, r.search_table)
FROM (SELECT DISTINCT s.search_schema, s.search_table
      FROM current_view_internal.search_source_registry s) r;

-- The functions and views of 1.2, replacing 1.1's in place.
