-- Review: the triggers maintain the current table with INSERT ... ON
-- CONFLICT on the key, which cannot use a deferrable unique index as its
-- arbiter.  A hand-kept table with a DEFERRABLE primary key (or another
-- deferrable unique constraint on the key) was adopted, and from then on
-- every insert of a version failed.  Expected: such a table is refused
-- (55000) with nothing changed; with an immediate primary key it is adopted
-- and inserts of versions keep it equal to the DISTINCT ON oracle.
\set VERBOSITY terse
CREATE TABLE r6d (id int, v int, a text, PRIMARY KEY (id, v));
INSERT INTO r6d VALUES (1, 1, 'x'), (1, 2, 'y'), (2, 1, 'z');
CREATE TABLE r6d_current (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED, v int, a text);
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT register_versioned_table('r6d', '{id}', '{v}', strategy => 'table');
\set VERBOSITY terse
ALTER TABLE r6d_current DROP CONSTRAINT r6d_current_pkey;
ALTER TABLE r6d_current ADD UNIQUE (id) DEFERRABLE;
SELECT expect_error($$SELECT register_versioned_table('r6d', '{id}', '{v}', strategy => 'table')$$);
SELECT count(*) AS registrations FROM current_view_internal.versioned_table_registry WHERE table_name = 'r6d';
SELECT (SELECT count(*) FROM r6d_current) AS current_rows,
       (SELECT count(*) FROM pg_index WHERE indrelid = 'r6d_current'::regclass) AS indexes,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('r6d'::regclass, 'r6d_current'::regclass) AND NOT tgisinternal) AS triggers;
ALTER TABLE r6d_current DROP CONSTRAINT r6d_current_id_key;
ALTER TABLE r6d_current ADD PRIMARY KEY (id);
SELECT register_versioned_table('r6d', '{id}', '{v}', strategy => 'table');
BEGIN;
INSERT INTO r6d VALUES (3, 1, 'n');
INSERT INTO r6d VALUES (3, 2, 'm');
COMMIT;
INSERT INTO r6d VALUES (4, 1, 'n'), (4, 2, 'm'), (1, 3, 'w');
SELECT * FROM oracle_diff('r6d_current', 'r6d', 'id', 'v');
SELECT check_versioned_table('r6d');
SELECT unregister_versioned_table('r6d');
DROP TABLE r6d, r6d_current;
