-- RENAME TO and SET SCHEMA of a registered table keep it working, for each
-- strategy: writes, the view, check_versioned_table, rebuild, as-of, revert
-- and unregister; the triggers are those a fresh registration under the new
-- name creates.  Renaming what a registration created is refused.  OWNER TO:
-- the derived objects follow the new owner, an INSERT-only role keeps
-- writing, and the old owner reaches nothing.
CREATE SCHEMA ddl_a;
CREATE SCHEMA ddl_b;
CREATE TABLE ddl_a.f (id int, v int, note text);
CREATE TABLE ddl_a.t (id int, v int, note text);
CREATE TABLE ddl_a.td (id int, v int, note text, gone boolean NOT NULL DEFAULT false);
CREATE TABLE ddl_a.w (id int, v int, note text);
INSERT INTO ddl_a.f VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');
INSERT INTO ddl_a.t SELECT * FROM ddl_a.f;
INSERT INTO ddl_a.td SELECT * FROM ddl_a.f;
INSERT INTO ddl_a.w SELECT * FROM ddl_a.f;
SELECT register_versioned_table('ddl_a.f', '{id}', '{v}');
SELECT register_versioned_table('ddl_a.t', '{id}', '{v}', strategy => 'table');
SELECT register_versioned_table('ddl_a.td', '{id}', '{v}', strategy => 'table', deleted_column => 'gone');
SELECT register_versioned_table('ddl_a.w', '{id}', '{v}', strategy => 'view');
CREATE ROLE regress_ddl_reader;
GRANT USAGE ON SCHEMA ddl_a, ddl_b TO regress_ddl_reader;
GRANT EXECUTE ON FUNCTION ddl_a.f_as_of(int) TO regress_ddl_reader;
REVOKE EXECUTE ON FUNCTION ddl_a.f_revert(int, int) FROM PUBLIC;

-- What each registration is, by name, and its triggers with the table's
-- name in their arguments written as TABLE, to compare across renames.
CREATE FUNCTION ddl_triggers(tbl text) RETURNS TABLE (rel text, def text) LANGUAGE sql AS $$
    SELECT t.tgrelid::regclass::text,
           replace(replace(regexp_replace(pg_get_triggerdef(t.oid), ' ON \S+ ', ' ON REL '),
                           quote_literal(split_part(tbl, '.', 2)), '''TABLE'''),
                   quote_literal(split_part(tbl, '.', 1)), '''SCHEMA''')
    FROM pg_trigger t
    WHERE NOT t.tgisinternal
      AND t.tgrelid IN (SELECT c.oid FROM current_view_internal.versioned_table_registry r
                        CROSS JOIN unnest(ARRAY[r.table_name, r.view_name, r.heads_table, r.current_table]) o(name)
                        JOIN pg_class c ON c.relname = o.name AND c.relnamespace = r.table_schema::regnamespace
                        WHERE format('%I.%I', r.table_schema, r.table_name) = tbl)
    ORDER BY 2
$$;
CREATE TABLE ddl_before AS
SELECT s.tbl, d.def FROM unnest(ARRAY['ddl_a.f', 'ddl_a.t', 'ddl_a.td', 'ddl_a.w']) s(tbl),
                      LATERAL ddl_triggers(s.tbl) d;
SELECT count(*) > 0 AS some_triggers FROM ddl_before;

-- Renames, one of them rolled back.
BEGIN;
ALTER TABLE ddl_a.f RENAME TO f_rolled_back;
ROLLBACK;
ALTER TABLE ddl_a.f RENAME TO f2;
ALTER TABLE ddl_a.t RENAME TO t2;
ALTER TABLE ddl_a.td RENAME TO td2;
ALTER TABLE ddl_a.w RENAME TO w2;
SELECT table_name, view_name, heads_table FROM versioned_tables
WHERE table_name LIKE 'ddl_%' ORDER BY 1;
-- Triggers equal to the registration's before, under the new name.
SELECT s.tbl, (SELECT array_agg(def ORDER BY def) FROM ddl_before b WHERE b.tbl = s.old)
              IS NOT DISTINCT FROM (SELECT array_agg(def ORDER BY def) FROM ddl_triggers(s.tbl)) AS same_triggers
FROM (VALUES ('ddl_a.f2', 'ddl_a.f'), ('ddl_a.t2', 'ddl_a.t'), ('ddl_a.td2', 'ddl_a.td'),
             ('ddl_a.w2', 'ddl_a.w')) s(tbl, old)
ORDER BY 1;

-- Everything works under the new names.
INSERT INTO ddl_a.f2 VALUES (1, 3, 'd'), (3, 1, 'e');
INSERT INTO ddl_a.t2 VALUES (1, 3, 'd'), (3, 1, 'e');
INSERT INTO ddl_a.td2 VALUES (1, 3, 'd'), (3, 1, 'e');
INSERT INTO ddl_a.w2 VALUES (1, 3, 'd'), (3, 1, 'e');
UPDATE ddl_a.f_current SET note = 'f via view' WHERE id = 2;
UPDATE ddl_a.t_current SET note = 't via current table' WHERE id = 2;
DELETE FROM ddl_a.td_current WHERE id = 3;
SELECT ddl_a.f2_revert(1, 1);
SELECT ddl_a.t2_revert(1, 1);
SELECT * FROM ddl_a.f2_as_of(2) ORDER BY id;
SELECT * FROM ddl_a.t2_key_as_of(1, 2);
SELECT to_regproc('ddl_a.f_as_of') AS old_function_gone;
CREATE TABLE ddl_shown (tbl text, shown text);
INSERT INTO ddl_shown VALUES ('ddl_a.f2', 'ddl_a.f_current'), ('ddl_a.t2', 'ddl_a.t_current'),
                             ('ddl_a.td2', 'ddl_a.td_current_rows'), ('ddl_a.w2', 'ddl_a.w_current');
SELECT tbl, oracle_diff(shown::regclass, tbl::regclass, 'id', 'v') AS oracle_diff,
       check_versioned_table(tbl::regclass) AS check
FROM ddl_shown ORDER BY 1;
SELECT id, v, note, gone FROM ddl_a.td_current_rows ORDER BY id;
SET client_min_messages = warning;
CALL rebuild_versioned_table('ddl_a.f2', 2);
CALL rebuild_versioned_table('ddl_a.t2', 2);
RESET client_min_messages;
SELECT check_versioned_table('ddl_a.f2') AS f2_check, check_versioned_table('ddl_a.t2') AS t2_check;
-- The grants of the generated functions follow them.
SELECT p.oid::regprocedure AS function, p.proacl IS NOT NULL AS has_grants,
       has_function_privilege('regress_ddl_reader', p.oid, 'EXECUTE') AS reader_executes
FROM pg_proc p WHERE p.pronamespace = 'ddl_a'::regnamespace AND p.proname LIKE 'f2%' ORDER BY 1;

-- SET SCHEMA: the view, heads and current tables move with the table.
ALTER TABLE ddl_a.f2 SET SCHEMA ddl_b;
ALTER TABLE ddl_a.t2 SET SCHEMA ddl_b;
ALTER TABLE ddl_a.td2 SET SCHEMA ddl_b;
ALTER TABLE ddl_a.w2 SET SCHEMA ddl_b;
SELECT c.relnamespace::regnamespace AS schema, c.relname
FROM pg_class c WHERE c.relnamespace IN ('ddl_a'::regnamespace, 'ddl_b'::regnamespace) AND c.relkind IN ('r', 'v')
ORDER BY 1, 2;
SELECT p.pronamespace::regnamespace AS schema, count(*) AS functions
FROM pg_proc p WHERE p.pronamespace IN ('ddl_a'::regnamespace, 'ddl_b'::regnamespace) GROUP BY 1 ORDER BY 1;
SELECT s.tbl, (SELECT array_agg(def ORDER BY def) FROM ddl_before b WHERE b.tbl = s.old)
              IS NOT DISTINCT FROM (SELECT array_agg(def ORDER BY def) FROM ddl_triggers(s.tbl)) AS same_triggers
FROM (VALUES ('ddl_b.f2', 'ddl_a.f'), ('ddl_b.t2', 'ddl_a.t'), ('ddl_b.td2', 'ddl_a.td'),
             ('ddl_b.w2', 'ddl_a.w')) s(tbl, old)
ORDER BY 1;
INSERT INTO ddl_b.f2 VALUES (2, 5, 'moved');
INSERT INTO ddl_b.t2 VALUES (2, 5, 'moved');
INSERT INTO ddl_b.td2 VALUES (2, 5, 'moved');
INSERT INTO ddl_b.w2 VALUES (2, 5, 'moved');
UPDATE ddl_b.f_current SET note = 'moved via view' WHERE id = 1;
UPDATE ddl_b.td_current SET note = 'moved via view' WHERE id = 1;
SELECT ddl_b.w2_revert(1, 2);
UPDATE ddl_shown SET tbl = replace(tbl, 'ddl_a.', 'ddl_b.'), shown = replace(shown, 'ddl_a.', 'ddl_b.');
SELECT tbl, oracle_diff(shown::regclass, tbl::regclass, 'id', 'v') AS oracle_diff,
       check_versioned_table(tbl::regclass) AS check
FROM ddl_shown ORDER BY 1;

-- A partitioned table: the partitions' trigger clones follow, and dropping a
-- partition after the rename still repairs the current rows.
CREATE TABLE ddl_b.pf (id int, v int, note text) PARTITION BY RANGE (v);
CREATE TABLE ddl_b.pf_1 PARTITION OF ddl_b.pf FOR VALUES FROM (0) TO (10);
CREATE TABLE ddl_b.pf_2 PARTITION OF ddl_b.pf FOR VALUES FROM (10) TO (20);
CREATE TABLE ddl_b.pt (LIKE ddl_b.pf) PARTITION BY RANGE (v);
CREATE TABLE ddl_b.pt_1 PARTITION OF ddl_b.pt FOR VALUES FROM (0) TO (10);
CREATE TABLE ddl_b.pt_2 PARTITION OF ddl_b.pt FOR VALUES FROM (10) TO (20);
INSERT INTO ddl_b.pf VALUES (1, 1, 'a'), (1, 12, 'b'), (2, 3, 'c');
INSERT INTO ddl_b.pt SELECT * FROM ddl_b.pf;
SELECT register_versioned_table('ddl_b.pf', '{id}', '{v}');
SELECT register_versioned_table('ddl_b.pt', '{id}', '{v}', strategy => 'table');
ALTER TABLE ddl_b.pf RENAME TO pf2;
ALTER TABLE ddl_b.pt RENAME TO pt2;
INSERT INTO ddl_b.pf2 VALUES (1, 13, 'd'), (2, 15, 'e');
INSERT INTO ddl_b.pt2 VALUES (1, 13, 'd'), (2, 15, 'e');
UPDATE ddl_b.pf_current SET note = 'via view' WHERE id = 1;
UPDATE ddl_b.pt_current SET note = 'via current table' WHERE id = 1;
DROP TABLE ddl_b.pf_2, ddl_b.pt_2;
SELECT oracle_diff('ddl_b.pf_current', 'ddl_b.pf2', 'id', 'v') AS flag_diff,
       check_versioned_table('ddl_b.pf2') AS flag_check,
       oracle_diff('ddl_b.pt_current', 'ddl_b.pt2', 'id', 'v') AS table_diff,
       check_versioned_table('ddl_b.pt2') AS table_check;
SELECT unregister_versioned_table('ddl_b.pf2');
SELECT unregister_versioned_table('ddl_b.pt2');
DROP TABLE ddl_b.pf2, ddl_b.pt2;

-- Renaming or moving what a registration created is refused.
SELECT expect_error($$ALTER VIEW ddl_b.f_current RENAME TO f_view$$);
SELECT expect_error($$ALTER TABLE ddl_b.f_heads RENAME TO f_h$$);
SELECT expect_error($$ALTER TABLE ddl_b.t_current SET SCHEMA ddl_a$$);
SELECT expect_error($$ALTER INDEX ddl_b.f_current_key RENAME TO f_k$$);
SELECT expect_error($$ALTER TABLE ddl_b.td_current_rows RENAME TO td_rows$$);

-- Unregister after all this leaves nothing; registering again works.
SELECT unregister_versioned_table('ddl_b.f2');
SELECT unregister_versioned_table('ddl_b.t2');
SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'ddl_b'::regnamespace AND c.relkind IN ('r', 'v', 'i')
ORDER BY 1;
SELECT register_versioned_table('ddl_b.f2', '{id}', '{v}');
SELECT versioned_state('ddl_b.f2');
DROP TABLE ddl_before, ddl_shown;
DROP FUNCTION ddl_triggers(text);

-- Search tables, their sources and tables with a search document keep their names.
CREATE TABLE ddl_a.doc (id int PRIMARY KEY, body text);
SELECT register_search_document('ddl_a.doc', '{body}');
SELECT add_search_source('ddl_a.doc_search', 'ddl_a.doc');
SELECT expect_error($$ALTER TABLE ddl_a.doc RENAME TO doc2$$);
SELECT expect_error($$ALTER TABLE ddl_a.doc_search SET SCHEMA ddl_b$$);
INSERT INTO ddl_a.doc VALUES (1, 'still searched');
SELECT check_search_table('ddl_a.doc_search');
SELECT drop_search_table('ddl_a.doc_search');
SELECT unregister_search_document('ddl_a.doc');

-- OWNER TO: the derived objects follow the new owner, an INSERT-only role
-- keeps writing, and the old owner reaches nothing.
CREATE ROLE regress_ddl_owner1;
CREATE ROLE regress_ddl_owner2;
CREATE ROLE regress_ddl_writer;
GRANT CREATE, USAGE ON SCHEMA ddl_a TO regress_ddl_owner1, regress_ddl_owner2;
GRANT USAGE ON SCHEMA ddl_a TO regress_ddl_writer;
SET ROLE regress_ddl_owner1;
CREATE TABLE ddl_a.owned_f (id int, v int, note text);
CREATE TABLE ddl_a.owned_t (id int, v int, note text);
SELECT register_versioned_table('ddl_a.owned_f', '{id}', '{v}');
SELECT register_versioned_table('ddl_a.owned_t', '{id}', '{v}', strategy => 'table');
GRANT INSERT ON ddl_a.owned_f, ddl_a.owned_t TO regress_ddl_writer;
RESET ROLE;
CREATE VIEW ddl_owners AS
SELECT c.relname AS object, c.relowner::regrole AS owner FROM pg_class c
WHERE c.relnamespace = 'ddl_a'::regnamespace AND c.relname LIKE 'owned%' AND c.relkind IN ('r', 'v')
UNION ALL
SELECT p.proname, p.proowner::regrole FROM pg_proc p
WHERE p.pronamespace = 'ddl_a'::regnamespace AND p.proname LIKE 'owned%'
ORDER BY 1;
SELECT * FROM ddl_owners;
ALTER TABLE ddl_a.owned_f OWNER TO regress_ddl_owner2;
ALTER TABLE ddl_a.owned_t OWNER TO regress_ddl_owner2;
SELECT * FROM ddl_owners;
SET ROLE regress_ddl_writer;
INSERT INTO ddl_a.owned_f VALUES (1, 1, 'a'), (1, 2, 'b');
INSERT INTO ddl_a.owned_t VALUES (1, 1, 'a'), (1, 2, 'b');
RESET ROLE;
SELECT oracle_diff('ddl_a.owned_f_current', 'ddl_a.owned_f', 'id', 'v') AS flag_diff,
       check_versioned_table('ddl_a.owned_f') AS flag_check,
       oracle_diff('ddl_a.owned_t_current', 'ddl_a.owned_t', 'id', 'v') AS table_diff,
       check_versioned_table('ddl_a.owned_t') AS table_check;
SET ROLE regress_ddl_owner1;
SELECT expect_error($$SELECT * FROM ddl_a.owned_f$$);
SELECT expect_error($$SELECT * FROM ddl_a.owned_f_heads$$);
SELECT expect_error($$SELECT * FROM ddl_a.owned_t_current$$);
SELECT expect_error($$CREATE OR REPLACE VIEW ddl_a.owned_f_current AS SELECT 1 AS id$$);
SELECT expect_error($$CREATE OR REPLACE FUNCTION ddl_a.owned_f_revert(id int, v int) RETURNS void LANGUAGE sql AS 'SELECT'$$);
SELECT expect_error($$SELECT unregister_versioned_table('ddl_a.owned_f')$$);
RESET ROLE;
-- A derived object alone keeps the table's owner.
SELECT expect_error($$ALTER TABLE ddl_a.owned_f_heads OWNER TO regress_ddl_owner1$$);
SELECT expect_error($$ALTER VIEW ddl_a.owned_f_current OWNER TO regress_ddl_owner1$$);
SELECT * FROM ddl_owners;
SET ROLE regress_ddl_owner2;
SELECT unregister_versioned_table('ddl_a.owned_f');
SELECT unregister_versioned_table('ddl_a.owned_t');
RESET ROLE;

DROP VIEW ddl_owners;

-- A name whose object the owner dropped and another role took: nothing of
-- that role's is refused, moved or given away by DDL on the registered table.
SET ROLE regress_ddl_owner1;
CREATE TABLE ddl_a.lost (id int, v int);
SELECT register_versioned_table('ddl_a.lost', '{id}', '{v}');
DROP VIEW ddl_a.lost_current;
RESET ROLE;
SET ROLE regress_ddl_owner2;
CREATE TABLE ddl_a.lost_current (secret text);
RESET ROLE;
ALTER TABLE ddl_a.lost OWNER TO regress_ddl_writer;
ALTER TABLE ddl_a.lost RENAME TO lost2;
SELECT expect_error($$ALTER TABLE ddl_a.lost2 SET SCHEMA ddl_b$$);
SELECT c.relname, c.relnamespace::regnamespace AS schema, c.relowner::regrole AS owner
FROM pg_class c WHERE c.relname LIKE 'lost%' AND c.relkind IN ('r', 'v') ORDER BY 1;
SET ROLE regress_ddl_owner2;
ALTER TABLE ddl_a.lost_current OWNER TO regress_ddl_owner2;
ALTER TABLE ddl_a.lost_current RENAME TO mine;
RESET ROLE;
SELECT unregister_versioned_table('ddl_a.lost2');
SELECT c.relowner::regrole AS owner FROM pg_class c WHERE c.oid = 'ddl_a.mine'::regclass;
DROP TABLE ddl_a.owned_f, ddl_a.owned_t, ddl_a.doc, ddl_a.lost2, ddl_a.mine, ddl_b.f2, ddl_b.t2, ddl_b.td2, ddl_b.w2 CASCADE;
DROP SCHEMA ddl_a, ddl_b CASCADE;
DROP ROLE regress_ddl_owner1, regress_ddl_owner2, regress_ddl_writer, regress_ddl_reader;
