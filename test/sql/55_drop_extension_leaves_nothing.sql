-- DROP EXTENSION is refused while tables are registered; DROP EXTENSION
-- CASCADE undoes every registration first, so that nothing the
-- registrations created is left behind, the registered tables keep their
-- rows, and CREATE EXTENSION and registering the same tables again work.
-- In a database of its own, so that the other tests keep the extension.
SELECT current_database() AS home \gset
CREATE DATABASE regress_cv_drop_extension;
\c regress_cv_drop_extension
SET client_min_messages = warning;

-- Everything in schema public that is not the extension's: relations,
-- columns, functions, triggers.  The test's own objects are in harness.
CREATE SCHEMA harness;
CREATE VIEW harness.not_extension (object) AS
SELECT 'relation ' || c.relname FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype = 'e')
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'function ' || p.proname FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.deptype = 'e')
UNION ALL
SELECT 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass FROM pg_trigger t WHERE NOT t.tgisinternal;
SET search_path = public, harness;

CREATE TABLE f (id int, v int, note text);
CREATE TABLE t (id int, v int, note text);
CREATE TABLE w (id int, v int, note text);
CREATE TABLE parent (id int PRIMARY KEY, name text);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, name text);
INSERT INTO f VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');
INSERT INTO t SELECT * FROM f;
INSERT INTO w SELECT * FROM f;
INSERT INTO parent VALUES (1, 'alpha');
INSERT INTO child VALUES (10, 1, 'beta');
CREATE TABLE harness.before AS SELECT object FROM not_extension;

CREATE EXTENSION current_view;
-- Registering, twice over the extension's life.
CREATE FUNCTION harness.register_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM register_versioned_table('f', '{id}', '{v}', current_indexes => '{note}');
    PERFORM register_versioned_table('t', '{id}', '{v}', strategy => 'table', current_indexes => '{note}');
    PERFORM register_versioned_table('w', '{id}', '{v}', strategy => 'view');
    PERFORM register_search_document('parent', '{name}');
    PERFORM register_search_document('child', '{name}');
    PERFORM add_search_source('family_search', 'child', '{parent_id}');
END
$$;
-- Each registered table against the DISTINCT ON oracle, and the search table.
CREATE FUNCTION harness.registered_state() RETURNS TABLE (tbl text, wrong bigint) LANGUAGE plpgsql AS $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['f', 't', 'w'] LOOP
        tbl := name;
        EXECUTE format($q$
            WITH o AS (SELECT DISTINCT ON (id) id, v FROM %1$I ORDER BY id, v DESC),
                 s AS (SELECT id, v FROM %1$I_current)
            SELECT check_versioned_table(%1$L)
                 + (SELECT count(*) FROM ((TABLE o EXCEPT ALL TABLE s) UNION ALL (TABLE s EXCEPT ALL TABLE o)) d)
            $q$, name) INTO wrong;
        RETURN NEXT;
    END LOOP;
    tbl := 'family_search';
    wrong := check_search_table('family_search');
    RETURN NEXT;
END
$$;
SELECT register_all();
INSERT INTO f VALUES (2, 2, 'd');
INSERT INTO t VALUES (2, 2, 'd');
INSERT INTO w VALUES (2, 2, 'd');
SELECT * FROM registered_state();
SELECT count(*) > 0 AS objects_created FROM (SELECT object FROM not_extension EXCEPT SELECT object FROM before) n;

-- Plain DROP EXTENSION: refused, and nothing changed.
SELECT object FROM not_extension EXCEPT SELECT object FROM before ORDER BY 1;
CREATE TABLE harness.registered AS SELECT object FROM not_extension;
DO $$
BEGIN
    DROP EXTENSION current_view;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING '%: %', SQLSTATE, SQLERRM;
END
$$;
SELECT (SELECT array_agg(object ORDER BY object) FROM not_extension)
     = (SELECT array_agg(object ORDER BY object) FROM registered) AS nothing_changed;
INSERT INTO f VALUES (3, 1, 'e');
SELECT * FROM registered_state();

-- CASCADE: exactly what was there before the extension is left, with every row.
DROP EXTENSION current_view CASCADE;
SELECT object FROM not_extension EXCEPT SELECT object FROM before ORDER BY 1;
SELECT object FROM before EXCEPT SELECT object FROM not_extension ORDER BY 1;
SELECT (SELECT count(*) FROM f) AS f_rows, (SELECT count(*) FROM t) AS t_rows, (SELECT count(*) FROM w) AS w_rows,
       (SELECT count(*) FROM parent) + (SELECT count(*) FROM child) AS search_rows;

-- And again.
CREATE EXTENSION current_view;
SELECT register_all();
INSERT INTO f VALUES (3, 2, 'f');
INSERT INTO t VALUES (3, 2, 'f');
INSERT INTO w VALUES (3, 2, 'f');
INSERT INTO child VALUES (11, 1, 'gamma');
SELECT * FROM registered_state();
SELECT count(*) AS search_rows FROM family_search;

\c :home
DROP DATABASE regress_cv_drop_extension;
