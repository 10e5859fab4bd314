-- Registry rows are written only by the extension's functions, for tables
-- their caller owns, and what code running with another role's rights reads
-- from them is validated again where it is used.  A non-superuser owner of
-- tables tries to forge rows of every registry table, rows naming another
-- role's table, and a planted filter; each attempt fails with 42501 or 22023,
-- and the superuser session then checks that the attacker did not become
-- superuser and that nothing of another role was dropped or changed.
\set VERBOSITY terse
CREATE ROLE regress_cv_attacker;
CREATE SCHEMA forge;
GRANT CREATE, USAGE ON SCHEMA forge TO regress_cv_attacker;
-- The superuser's objects, in the schema the attacker writes to.
CREATE TABLE forge.victim (id int PRIMARY KEY, v int NOT NULL, name text);
INSERT INTO forge.victim VALUES (1, 1, 'kept');
SELECT register_versioned_table('forge.victim', '{id}', '{v}', strategy => 'view');
SELECT register_search_document('forge.victim', '{name}');
SELECT add_search_source('forge.victim_search', 'forge.victim');
CREATE TABLE forge.precious (x int);

SET ROLE regress_cv_attacker;
CREATE TABLE forge.mine (id int PRIMARY KEY, v int NOT NULL, name text);
INSERT INTO forge.mine VALUES (1, 1, 'mine');
SELECT register_versioned_table('forge.mine', '{id}', '{v}');
SELECT register_search_document('forge.mine', '{name}');
SELECT add_search_source('forge.mine_search', 'forge.mine');
CREATE FUNCTION forge.escalate() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    ALTER ROLE regress_cv_attacker SUPERUSER;
    RETURN true;
END $$;

-- Direct writes to every registry table, even of rows of her own tables.
SELECT expect_error($$UPDATE current_view_internal.versioned_table_registry SET heads_table = 'precious' WHERE table_name = 'mine'$$);
SELECT expect_error($$DELETE FROM current_view_internal.versioned_table_registry WHERE table_name = 'victim'$$);
SELECT expect_error($$INSERT INTO current_view_internal.versioned_table_registry
    SELECT 'forge', 'precious', '{x}', '{x}', 'view', NULL, 'precious', NULL, '{}', '{}', false, false$$);
SELECT expect_error($$UPDATE current_view_internal.search_document_registry SET document_column = 'name'$$);
SELECT expect_error($$DELETE FROM current_view_internal.search_document_registry$$);
SELECT expect_error($$INSERT INTO current_view_internal.search_document_registry
    SELECT 'forge', 'precious', '{x}', NULL, 'd', 'pg_catalog', 'simple', false$$);
SELECT expect_error($$UPDATE current_view_internal.search_source_registry SET filter = 'forge.escalate()'$$);
SELECT expect_error($$DELETE FROM current_view_internal.search_source_registry$$);
SELECT expect_error($$INSERT INTO current_view_internal.search_source_registry
    SELECT search_schema, search_table, 9, 'forge', 'precious', '{}', NULL, weights, chain_schemas,
           chain_tables, key_columns, document_columns, search_columns, false
    FROM current_view_internal.search_source_registry WHERE search_table = 'mine_search'$$);
SELECT expect_error($$INSERT INTO current_view_internal.rebuild_progress_registry
    VALUES ('versioned', 'forge', 'mine', NULL, NULL, 0, now(), now(), 0, now(), NULL)$$);
SELECT expect_error($$UPDATE current_view_internal.rebuild_progress_registry SET rows_done = 0$$);
SELECT expect_error($$DELETE FROM current_view_internal.rebuild_progress_registry$$);

-- Through the writers: a row naming another role's table, deleting
-- another role's registration, a row that is no registry's.
SELECT expect_error($$SELECT current_view_internal._registry_insert(ROW('forge', 'precious', '{x}', '{x}', 'view',
    NULL, 'precious', NULL, '{}', '{}', false, false, NULL, NULL, NULL, '{}', '{}', false)::current_view_internal.versioned_table_registry)$$);
SELECT expect_error($$SELECT current_view_internal._registry_delete(r) FROM current_view_internal.versioned_table_registry r
    WHERE table_name = 'victim'$$);
SELECT expect_error($$SELECT current_view_internal._registry_delete(r) FROM current_view_internal.search_source_registry r
    WHERE search_table = 'victim_search'$$);
SELECT expect_error($$SELECT current_view_internal._registry_insert(m) FROM forge.mine m$$);
-- She may delete her own registration's row (her table then keeps its
-- heads table when dropped, below), but not write it back naming another
-- role's object as one of its objects, or SQL text as the signature of a
-- function it created.
SELECT current_view_internal._registry_delete(r) FROM current_view_internal.versioned_table_registry r
WHERE table_name = 'mine';
SELECT expect_error($$SELECT current_view_internal._registry_insert(ROW('forge', 'mine', '{id}', '{v}', 'flag',
    'current', 'mine_current', 'precious', '{}', '{}', false, false, NULL, NULL, NULL, '{}', '{}', false)::current_view_internal.versioned_table_registry)$$);
SELECT expect_error($$SELECT current_view_internal._registry_insert(ROW('forge', 'mine', '{id}', '{v}', 'flag',
    'current', 'mine_current', 'mine_heads', '{}', '{}', false, false, NULL, NULL, NULL,
    '{"pg_catalog.now(); ALTER ROLE regress_cv_attacker SUPERUSER; --"}', '{}', false)::current_view_internal.versioned_table_registry)$$);
-- Nor a source of her search table whose chain is another role's table.
SELECT expect_error($$SELECT current_view_internal._registry_insert(ROW('forge', 'mine_search', 2, 'forge', 'victim',
    '{}', NULL, '{A}', '{forge}', '{victim}', '{id}', '{search_document}', '{victim_id}', false)::current_view_internal.search_source_registry)$$);

-- A planted filter: her own source, rewritten through the writers with a
-- filter that calls her function.  check_search_table, run by the
-- superuser below, analyses it again and refuses it instead of running it.
SELECT current_view_internal._registry_delete(r) FROM current_view_internal.search_source_registry r
WHERE search_table = 'mine_search';
SELECT current_view_internal._registry_insert(ROW('forge', 'mine_search', 1, 'forge', 'mine', '{}',
    'forge.escalate()', '{A}', '{forge}', '{mine}', '{id}', '{search_document}', '{mine_id}',
    true)::current_view_internal.search_source_registry);
RESET ROLE;

SELECT expect_error($$SELECT check_search_table('forge.mine_search')$$);
SELECT expect_error($$INSERT INTO forge.mine VALUES (2, 1, 'written by the superuser')$$);
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_cv_attacker';
-- Her own tables dropped by the superuser: only her objects go.
DROP TABLE forge.mine CASCADE;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_cv_attacker';
SELECT to_regclass('forge.precious') AS precious, to_regclass('forge.victim_current') AS victim_view,
       to_regclass('forge.victim_search') AS victim_search, to_regclass('forge.mine_heads') AS her_heads;
SELECT table_name, strategy FROM versioned_tables WHERE table_name LIKE 'forge.%' ORDER BY 1;
SELECT table_name FROM search_documents WHERE table_name LIKE 'forge.%' ORDER BY 1;
SELECT search_table, source_table, filter FROM search_sources WHERE search_table LIKE 'forge.%' ORDER BY 1;
SELECT check_search_table('forge.victim_search');
SELECT oracle_diff('forge.victim_current', 'forge.victim', 'id', 'v');

SELECT drop_search_table('forge.victim_search');
DROP SCHEMA forge CASCADE;
DROP OWNED BY regress_cv_attacker;
DROP ROLE regress_cv_attacker;
