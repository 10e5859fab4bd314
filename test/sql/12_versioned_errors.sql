-- Rule 7: every error, each changing nothing.
CREATE TABLE err (id int, v int, note text, flag_text text);
INSERT INTO err VALUES (1, 1, 'x', 'y');

SELECT expect_error($$SELECT register_versioned_table('err', '{nope}', '{v}')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{nope}')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}', strategy => 'magic')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}', current_indexes => '{nope}')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}', current_indexes => '{"note; DROP TABLE err"}')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}', current_indexes => '{note) WHERE (true}')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}', current_column => 'flag_text')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}', current_column => 'v')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{id}')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{}', '{v}')$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}', append_only => NULL)$$);
CREATE VIEW err_view AS SELECT * FROM err;
SELECT expect_error($$SELECT register_versioned_table('err_view', '{id}', '{v}')$$);
DROP VIEW err_view;
SELECT expect_error($$SELECT unregister_versioned_table('err')$$);
SELECT expect_error($$SELECT check_versioned_table('err')$$);

-- A type without btree ordering cannot be a version.
CREATE TABLE err_json (id int, v json);
SELECT expect_error($$SELECT register_versioned_table('err_json', '{id}', '{v}')$$);

-- Nulls in key or version columns: at registration, and at write time.
INSERT INTO err VALUES (NULL, 2, 'null key');
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}')$$);
DELETE FROM err WHERE id IS NULL;
SELECT register_versioned_table('err', '{id}', '{v}');
SELECT expect_error($$INSERT INTO err VALUES (NULL, 1)$$);
SELECT expect_error($$INSERT INTO err VALUES (1, NULL)$$);
SELECT expect_error($$UPDATE err SET v = NULL$$);
SELECT expect_error($$SELECT register_versioned_table('err', '{id}', '{v}')$$);

-- Nothing half-done: the failed calls above left no objects behind.
SELECT count(*) AS registrations FROM versioned_tables WHERE table_name = 'public.err';
SELECT relname FROM pg_class WHERE relname LIKE 'err%' ORDER BY 1;
SELECT * FROM err ORDER BY id, v;

-- A role that does not own the table can neither register nor unregister it,
-- nor delete its registration directly (PUBLIC may only read the registry).
CREATE ROLE regress_cv_intruder;
CREATE TABLE owned (id int, v int);
GRANT SELECT, INSERT ON owned, err TO regress_cv_intruder;
SET ROLE regress_cv_intruder;
SELECT expect_error($$SELECT register_versioned_table('owned', '{id}', '{v}')$$);
SELECT expect_error($$SELECT unregister_versioned_table('err')$$);
SELECT expect_error($$DELETE FROM current_view_internal.versioned_table_registry$$);
SELECT count(*) FROM current_view_internal.versioned_table_registry WHERE table_name = 'err';
-- ... but a role with only INSERT can write, and the triggers work.
INSERT INTO err VALUES (1, 5, 'by intruder');
RESET ROLE;
SELECT id, v, note FROM err_current;
SELECT check_versioned_table('err');

-- Unregistering removes every object it created and the flag column.
SELECT unregister_versioned_table('err');
SELECT relname FROM pg_class WHERE relname LIKE 'err%' ORDER BY 1;
SELECT attname FROM pg_attribute WHERE attrelid = 'err'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'err'::regclass;
-- A pre-existing flag column is kept, and re-registration recomputes it.
ALTER TABLE err ADD COLUMN current boolean NOT NULL DEFAULT true;
SELECT register_versioned_table('err', '{id}', '{v}');
SELECT id, v, current FROM err ORDER BY id, v;
SELECT unregister_versioned_table('err');
SELECT attname FROM pg_attribute WHERE attrelid = 'err'::regclass AND attname = 'current';

-- Dropping a registered table forgets its registration and its heads.
CREATE TABLE doomed (id int, v int);
SELECT register_versioned_table('doomed', '{id}', '{v}');
DROP TABLE doomed CASCADE;
SELECT count(*) FROM versioned_tables WHERE table_name = 'public.doomed';
SELECT to_regclass('doomed_heads');
DROP OWNED BY regress_cv_intruder;
DROP ROLE regress_cv_intruder;
