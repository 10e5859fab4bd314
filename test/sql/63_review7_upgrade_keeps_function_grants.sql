-- ALTER EXTENSION UPDATE 1.1 -> 1.2 makes every registration's generated
-- functions again; a function with privileges granted on it keeps them, and
-- the update does not fail on it, nor on a function a view depends on (the privileges were restored through an
-- unqualified name, not found under _restore_grants' search_path).
SET client_min_messages = warning;
SELECT current_database() AS orig_db \gset
CREATE DATABASE review7_upgrade;
\c review7_upgrade
SET client_min_messages = warning;
CREATE EXTENSION current_view VERSION '1.1';
CREATE ROLE review7_reader;
CREATE TABLE orders (id int, v int, qty int, PRIMARY KEY (id, v));
INSERT INTO orders VALUES (1, 1, 10), (1, 2, 20), (2, 1, 5);
SELECT register_versioned_table('orders', '{id}', '{v}');
CREATE TABLE blocks (id int, t int, s int, qty int, PRIMARY KEY (id, t, s));
INSERT INTO blocks VALUES (1, 1, 0, 1), (1, 1, 1, 2), (1, 2, 0, 3);
SELECT register_versioned_table('blocks', '{id}', '{t,s}');
GRANT EXECUTE ON FUNCTION orders_key_as_of(int, int) TO review7_reader;
GRANT EXECUTE ON FUNCTION blocks_revert(int, int, int) TO review7_reader;
-- A user's view on a generated function: that registration keeps its
-- functions (with a warning) instead of failing the update.
CREATE TABLE kept (id int, t int, s int, PRIMARY KEY (id, t, s));
INSERT INTO kept VALUES (1, 1, 0), (1, 1, 1);
SELECT register_versioned_table('kept', '{id}', '{t,s}');
CREATE VIEW kept_snapshot AS SELECT * FROM kept_as_of(1, 0);
ALTER EXTENSION current_view UPDATE TO '1.2';
SELECT * FROM kept_snapshot;
SELECT count(*) AS kept_functions, count(*) FILTER (WHERE d.objid IS NOT NULL) AS extension_members
FROM pg_proc p LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE p.proname LIKE 'kept\_%';
SELECT extversion FROM pg_extension WHERE extname = 'current_view';
-- The grants are kept, on the same functions (not on the new prefix
-- functions, which are not in the same place of the list).
SELECT p.oid::regprocedure AS fn, coalesce(p.proacl::text LIKE '%review7_reader=X%', false) AS granted_to_reader
FROM pg_proc p WHERE p.proname IN ('orders_key_as_of', 'orders_as_of') OR p.proname LIKE 'blocks\_%'
ORDER BY p.oid::regprocedure::text;
-- The prefix as-of of the upgraded composite registration (inclusive).
SELECT * FROM blocks_as_of(1) ORDER BY id;
SELECT * FROM orders_key_as_of(1, 1);
\c :orig_db
SET client_min_messages = warning;
DROP DATABASE review7_upgrade;
DROP ROLE review7_reader;
