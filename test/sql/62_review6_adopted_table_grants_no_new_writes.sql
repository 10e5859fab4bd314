-- Review: adopting a current table kept by hand makes writes to it append
-- versions to the history, as the table's owner.  A role that was granted
-- writes on the hand-kept table (the application's writer) but only SELECT
-- on the history would then append versions it could never insert, and its
-- TRUNCATE would empty the current table behind the history's back.
-- Expected: adoption is refused (55000, naming the grants) with nothing
-- changed while another role holds a privilege other than SELECT on the
-- table or one of its columns; once they are revoked it is adopted, and the
-- role's writes fail (42501) and append nothing.
\set VERBOSITY terse
CREATE ROLE regress_r6_writer;
CREATE TABLE r6g (id int, v int, a int, PRIMARY KEY (id, v));
INSERT INTO r6g VALUES (1, 1, 10), (2, 1, 20);
GRANT SELECT ON r6g TO regress_r6_writer;
CREATE TABLE r6g_current (id int, v int, a int);
INSERT INTO r6g_current VALUES (1, 1, 10);
GRANT ALL ON r6g_current TO regress_r6_writer;
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT register_versioned_table('r6g', '{id}', '{v}', strategy => 'table');
\set VERBOSITY terse
REVOKE ALL ON r6g_current FROM regress_r6_writer;
GRANT SELECT, TRUNCATE ON r6g_current TO PUBLIC;
SELECT expect_error($$SELECT register_versioned_table('r6g', '{id}', '{v}', strategy => 'table')$$);
REVOKE TRUNCATE ON r6g_current FROM PUBLIC;
GRANT UPDATE (a) ON r6g_current TO regress_r6_writer;
SELECT expect_error($$SELECT register_versioned_table('r6g', '{id}', '{v}', strategy => 'table')$$);
-- Nothing changed by the refusals.
SELECT count(*) AS registrations FROM current_view_internal.versioned_table_registry WHERE table_name = 'r6g';
SELECT (SELECT count(*) FROM r6g_current) AS current_rows,
       (SELECT count(*) FROM pg_index WHERE indrelid = 'r6g_current'::regclass) AS indexes,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('r6g'::regclass, 'r6g_current'::regclass)) AS triggers;
REVOKE UPDATE (a) ON r6g_current FROM regress_r6_writer;
GRANT SELECT ON r6g_current TO regress_r6_writer;
SELECT register_versioned_table('r6g', '{id}', '{v}', strategy => 'table');
SET ROLE regress_r6_writer;
SELECT left(expect_error($$UPDATE r6g_current SET a = 99 WHERE id = 1$$), 5) AS update_after;
SELECT left(expect_error($$INSERT INTO r6g_current VALUES (5, 1, 5)$$), 5) AS insert_after;
SELECT left(expect_error($$TRUNCATE r6g_current$$), 5) AS truncate_after;
SELECT count(*) AS readable FROM r6g_current;
RESET ROLE;
SELECT count(*) AS versions FROM r6g;
SELECT * FROM oracle_diff('r6g_current', 'r6g', 'id', 'v');
SELECT unregister_versioned_table('r6g');
DROP TABLE r6g, r6g_current;
DROP ROLE regress_r6_writer;
