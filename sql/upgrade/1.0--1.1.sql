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

-- The functions and views of 1.1, replacing 1.0's in place.
