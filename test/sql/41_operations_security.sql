-- Security gaps not covered by 12_versioned_errors, 15_versioned_identifiers
-- and 21_search_errors: direct writes to every registry by a role that does
-- not own the table (PUBLIC may only read the registries; 50_registry_cannot_be_forged
-- covers owners and the writers), INSERT-only roles on partitioned and
-- search tables, and the rebuild procedures under a hostile search_path.
\set VERBOSITY terse
CREATE ROLE regress_cv_owner;
CREATE ROLE regress_cv_writer;
CREATE ROLE regress_cv_other;
GRANT CREATE ON SCHEMA public TO regress_cv_owner;
SET ROLE regress_cv_owner;
CREATE TABLE sec_part (id int NOT NULL, v int NOT NULL, note text) PARTITION BY RANGE (v);
CREATE TABLE sec_part_1 PARTITION OF sec_part FOR VALUES FROM (MINVALUE) TO (100);
CREATE TABLE sec_part_2 PARTITION OF sec_part FOR VALUES FROM (100) TO (MAXVALUE);
INSERT INTO sec_part VALUES (1, 5, 'a'), (1, 150, 'b'), (2, 7, 'c');
SELECT register_versioned_table('sec_part', '{id}', '{v}');
CREATE TABLE sec_parent (id int PRIMARY KEY, name text);
CREATE TABLE sec_child (id int PRIMARY KEY, parent_id int REFERENCES sec_parent, name text);
INSERT INTO sec_parent VALUES (1, 'alpha');
SELECT register_search_document('sec_parent', '{name}');
SELECT register_search_document('sec_child', '{name}');
SELECT add_search_source('sec_search', 'sec_child', '{parent_id}');
GRANT INSERT ON sec_part, sec_child TO regress_cv_writer;
RESET ROLE;

-- A role with only INSERT writes; the triggers (running as the owner) keep
-- the current rows, the heads table and the search rows right.
SET ROLE regress_cv_writer;
INSERT INTO sec_part VALUES (1, 99, 'older: stays history'), (2, 200, 'newer: moves the current row'), (3, 1, 'new key');
INSERT INTO sec_child VALUES (10, 1, 'beta');
SELECT expect_error($$SELECT * FROM sec_part_current$$);
SELECT expect_error($$SELECT * FROM sec_part_heads$$);
RESET ROLE;
SELECT id, v, note FROM sec_part_current ORDER BY id;
SELECT check_versioned_table('sec_part');
SELECT oracle_diff('sec_part_current', 'sec_part', 'id', 'v');
SELECT sec_child_id, sec_parent_id, document FROM sec_search;
SELECT check_search_table('sec_search');

-- A role that does not own the tables can neither register, alter nor
-- forget their registrations, through the functions or by writing to the
-- registries directly (every direct write is refused: 42501).
SET ROLE regress_cv_other;
SELECT expect_error($$SELECT unregister_versioned_table('sec_part')$$);
SELECT expect_error($$SELECT register_search_document('sec_part', '{note}')$$);
SELECT expect_error($$SELECT unregister_search_document('sec_child')$$);
SELECT expect_error($$SELECT add_search_source('sec_search', 'sec_parent')$$);
SELECT expect_error($$SELECT drop_search_table('sec_search')$$);
SELECT expect_error($$CALL rebuild_versioned_table('sec_part')$$);
SELECT expect_error($$CALL rebuild_search_table('sec_search')$$);
UPDATE current_view_internal.versioned_table_registry SET key_columns = '{note}', append_only = true;
DELETE FROM current_view_internal.versioned_table_registry;
UPDATE current_view_internal.search_document_registry SET columns = '{id}';
DELETE FROM current_view_internal.search_document_registry;
UPDATE current_view_internal.search_source_registry SET filter = 'false';
DELETE FROM current_view_internal.search_source_registry;
SELECT expect_error($$INSERT INTO current_view_internal.versioned_table_registry
    SELECT 'public', 'sec_parent', '{id}', '{name}', 'view', NULL, 'x', NULL, '{}', '{}', false, false$$);
SELECT expect_error($$INSERT INTO current_view_internal.search_document_registry
    SELECT 'public', 'sec_parent', '{id}', NULL, 'd', 'pg_catalog', 'simple', false$$);
SELECT expect_error($$INSERT INTO current_view_internal.search_source_registry
    SELECT search_schema, 'sec_search', 9, source_schema, 'sec_parent', '{}', NULL, weights,
           chain_schemas, chain_tables, key_columns, document_columns, search_columns, false
    FROM current_view_internal.search_source_registry LIMIT 1$$);
SELECT expect_error($$INSERT INTO current_view_internal.rebuild_progress_registry
    VALUES ('versioned', 'public', 'sec_part', NULL, '{999}', 0, now(), now(), 0, now())$$);
RESET ROLE;
-- Nothing changed.
SELECT table_name, key_columns, append_only FROM versioned_tables WHERE table_name = 'public.sec_part';
SELECT table_name, columns FROM search_documents WHERE table_name LIKE 'public.sec%' ORDER BY 1;
SELECT source_table, filter FROM search_sources WHERE search_table = 'public.sec_search';

-- The rebuild procedures have no SET search_path (a procedure with one
-- cannot commit): look-alike functions and operators in a schema searched
-- before pg_catalog change nothing.
CREATE SCHEMA sec_evil;
CREATE FUNCTION sec_evil.trap(int, int) RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'look-alike operator called'; END $$;
CREATE OPERATOR sec_evil.> (LEFTARG = int, RIGHTARG = int, FUNCTION = sec_evil.trap);
CREATE OPERATOR sec_evil.<= (LEFTARG = int, RIGHTARG = int, FUNCTION = sec_evil.trap);
CREATE OPERATOR sec_evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = sec_evil.trap);
CREATE FUNCTION sec_evil.quote_ident(text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'look-alike quote_ident called'; END $$;
CREATE FUNCTION sec_evil.array_to_string(anyarray, text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'look-alike array_to_string called'; END $$;
CREATE FUNCTION sec_evil.count(anyelement) RETURNS bigint LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'look-alike count called'; END $$;
CREATE TABLE sec_evil.rebuild_progress_registry (LIKE current_view_internal.rebuild_progress_registry);
CREATE TABLE sec_evil.sec_part_heads (id int, current_relation regclass);
SET ROLE regress_cv_owner;
BEGIN;
SELECT current_view_internal._allow_flag_writes('sec_part');
UPDATE sec_part SET current = false;
COMMIT;
RESET ROLE;
SET search_path = sec_evil, pg_catalog, public;
SET ROLE regress_cv_owner;
CALL rebuild_versioned_table('sec_part', 1);
CALL rebuild_search_table('sec_search', 1);
RESET ROLE;
RESET search_path;
SELECT check_versioned_table('sec_part');
SELECT check_search_table('sec_search');
SELECT (SELECT count(*) FROM sec_evil.rebuild_progress_registry) AS evil_progress,
       (SELECT count(*) FROM sec_evil.sec_part_heads) AS evil_heads;

-- Names given to the rebuild procedures are identifiers, never SQL.
SELECT expect_error($$CALL rebuild_search_table('sec_search; DROP TABLE sec_child')$$);
SELECT expect_error($$CALL rebuild_search_table('sec_search'' OR true --')$$);
SELECT expect_error($$CALL rebuild_versioned_table('sec_part; DROP TABLE sec_child')$$);
SELECT to_regclass('sec_child') IS NOT NULL AS still_there;

DROP SCHEMA sec_evil CASCADE;
SET ROLE regress_cv_owner;
SELECT drop_search_table('sec_search');
SELECT unregister_versioned_table('sec_part');
DROP TABLE sec_child, sec_parent, sec_part;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM regress_cv_owner;
DROP ROLE regress_cv_owner, regress_cv_writer, regress_cv_other;
\set VERBOSITY default
