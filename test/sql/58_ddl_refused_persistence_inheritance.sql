-- Temporary tables and inheritance (non-declarative) are refused, at
-- registration and by DDL; derived tables follow the persistence of their
-- table (UNLOGGED), and changing it on a derived table alone is refused.

-- A temporary table would outlive its registration.
CREATE TEMP TABLE scratch (id int, v int, note text);
SELECT expect_error($$SELECT register_versioned_table('scratch', '{id}', '{v}')$$);
SELECT expect_error($$SELECT register_search_document('scratch', '{note}')$$);
SELECT count(*) AS registered FROM versioned_tables WHERE table_name LIKE '%scratch%';

-- Inheritance: a table with a child or a parent is refused up front...
CREATE TABLE animal (id int, v int, name text);
CREATE TABLE dog () INHERITS (animal);
SELECT expect_error($$SELECT register_versioned_table('animal', '{id}', '{v}')$$);
SELECT expect_error($$SELECT register_versioned_table('dog', '{id}', '{v}')$$);
DROP TABLE dog, animal;

-- ... and a registered table gains neither, for each strategy.
CREATE TABLE pet_flag (id int, v int, name text);
CREATE TABLE pet_table (id int, v int, name text);
CREATE TABLE pet_view (id int, v int, name text);
SELECT register_versioned_table('pet_flag', '{id}', '{v}');
SELECT register_versioned_table('pet_table', '{id}', '{v}', strategy => 'table');
SELECT register_versioned_table('pet_view', '{id}', '{v}', strategy => 'view');
CREATE TABLE other_parent (id int, v int, name text);
CREATE TABLE orphan (id int, v int, name text);
SELECT expect_error($$CREATE TABLE pet_flag_child () INHERITS (pet_flag)$$);
SELECT expect_error($$CREATE TABLE pet_table_child () INHERITS (pet_table)$$);
SELECT expect_error($$CREATE TABLE pet_view_child () INHERITS (pet_view)$$);
SELECT expect_error($$ALTER TABLE orphan INHERIT pet_flag$$);
SELECT expect_error($$ALTER TABLE pet_table INHERIT other_parent$$);
SELECT expect_error($$ALTER TABLE pet_view INHERIT other_parent$$);
-- Nothing was half-done: no inheritance, and every table still right.
SELECT count(*) AS inheritance_rows FROM pg_inherits
WHERE inhrelid IN ('orphan'::regclass, 'pet_table'::regclass, 'pet_view'::regclass)
   OR inhparent IN ('pet_flag'::regclass, 'pet_table'::regclass, 'pet_view'::regclass);
INSERT INTO pet_flag VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');
INSERT INTO pet_table VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');
INSERT INTO pet_view VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');
SELECT versioned_state('pet_flag') AS flag, versioned_state('pet_table') AS "table",
       versioned_state('pet_view') AS "view";
-- Unrelated inheritance is not affected.
CREATE TABLE orphan_child () INHERITS (orphan);
DROP TABLE orphan_child, orphan, other_parent;

-- UNLOGGED: the heads and current tables of an unlogged table are unlogged,
-- so that a crash empties them with it.
CREATE UNLOGGED TABLE cache_flag (id int, v int, name text);
CREATE UNLOGGED TABLE cache_table (id int, v int, name text);
INSERT INTO cache_flag VALUES (1, 1, 'a'), (1, 2, 'b');
INSERT INTO cache_table VALUES (1, 1, 'a'), (1, 2, 'b');
SELECT register_versioned_table('cache_flag', '{id}', '{v}');
SELECT register_versioned_table('cache_table', '{id}', '{v}', strategy => 'table');
CREATE VIEW derived_persistence AS
SELECT c.relname, c.relpersistence FROM pg_class c
WHERE c.relname IN ('cache_flag', 'cache_flag_heads', 'cache_table', 'cache_table_current')
ORDER BY c.relname;
SELECT * FROM derived_persistence;
-- SET LOGGED and SET UNLOGGED of the table: its derived tables follow,
-- within the command.
ALTER TABLE cache_flag SET LOGGED;
ALTER TABLE cache_table SET LOGGED;
SELECT * FROM derived_persistence;
ALTER TABLE cache_flag SET UNLOGGED;
ALTER TABLE cache_table SET UNLOGGED;
SELECT * FROM derived_persistence;
BEGIN;
ALTER TABLE cache_flag SET LOGGED;
ROLLBACK;
SELECT * FROM derived_persistence;
-- A derived table alone cannot change.
SELECT expect_error($$ALTER TABLE cache_flag_heads SET LOGGED$$);
SELECT expect_error($$ALTER TABLE cache_table_current SET LOGGED$$);
SELECT * FROM derived_persistence;
INSERT INTO cache_flag VALUES (1, 3, 'c'), (2, 1, 'd');
INSERT INTO cache_table VALUES (1, 3, 'c'), (2, 1, 'd');
UPDATE cache_table_current SET name = 'e' WHERE id = 2;
SELECT versioned_state('cache_flag') AS flag, versioned_state('cache_table') AS "table";

-- A partitioned versioned table keeps logged partitions: its heads table is
-- logged (PostgreSQL 15 has no unlogged partitioned tables).
CREATE TABLE ddl_ledger (id int, v int, name text) PARTITION BY RANGE (v);
CREATE TABLE ddl_ledger_1 PARTITION OF ddl_ledger FOR VALUES FROM (0) TO (10);
CREATE UNLOGGED TABLE ddl_ledger_2 PARTITION OF ddl_ledger FOR VALUES FROM (10) TO (20);
SELECT expect_error($$SELECT register_versioned_table('ddl_ledger', '{id}', '{v}')$$);
ALTER TABLE ddl_ledger_2 SET LOGGED;
SELECT register_versioned_table('ddl_ledger', '{id}', '{v}');
SELECT expect_error($$ALTER TABLE ddl_ledger_2 SET UNLOGGED$$);
SELECT expect_error($$CREATE UNLOGGED TABLE ddl_ledger_3 PARTITION OF ddl_ledger FOR VALUES FROM (20) TO (30)$$);
CREATE UNLOGGED TABLE ddl_ledger_4 (LIKE ddl_ledger);
SELECT expect_error($$ALTER TABLE ddl_ledger ATTACH PARTITION ddl_ledger_4 FOR VALUES FROM (30) TO (40)$$);
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'ddl_ledger'::regclass;
INSERT INTO ddl_ledger VALUES (1, 1, 'a'), (1, 12, 'b'), (2, 3, 'c');
SELECT versioned_state('ddl_ledger');

-- Search sources are logged like their search table.
CREATE UNLOGGED TABLE notes (id int PRIMARY KEY, body text);
SELECT register_search_document('notes', '{body}');
SELECT expect_error($$SELECT add_search_source('notes_search', 'notes')$$);
ALTER TABLE notes SET LOGGED;
SELECT add_search_source('notes_search', 'notes');
SELECT expect_error($$ALTER TABLE notes SET UNLOGGED$$);
SELECT expect_error($$ALTER TABLE notes_search SET UNLOGGED$$);
SELECT expect_error($$CREATE TABLE notes_child () INHERITS (notes)$$);
INSERT INTO notes VALUES (1, 'unlogged tables lose rows');
SELECT check_search_table('notes_search');

SELECT drop_search_table('notes_search');
SELECT unregister_search_document('notes');
DROP VIEW derived_persistence;
DROP TABLE notes, ddl_ledger, ddl_ledger_4, cache_flag, cache_table, pet_flag, pet_table, pet_view, scratch CASCADE;
