-- Rule: DDL on the columns of a registered table keeps it working or is
-- refused, for strategies 'flag', 'table' (with and without a deleted column)
-- and 'view': RENAME COLUMN of any column (key, version, flag, deleted, other),
-- ADD COLUMN (no default, constant, volatile), DROP COLUMN and ALTER COLUMN
-- ... TYPE.  After each, writes through the view, <table>_revert and plain
-- writes keep the current rows equal to the DISTINCT ON oracle, and no
-- history row changes: every version written copies every column of the
-- version it copies, including columns added after registration.
CREATE TABLE cf (id int, v int, x text, closed boolean NOT NULL DEFAULT false, PRIMARY KEY (id, v));
CREATE TABLE ct (LIKE cf INCLUDING ALL);
CREATE TABLE cd (LIKE cf INCLUDING ALL);
CREATE TABLE cw (LIKE cf INCLUDING ALL);
INSERT INTO cf SELECT k, v, format('k%s v%s', k, v) FROM generate_series(1, 6) k, generate_series(1, 2) v;
INSERT INTO ct SELECT * FROM cf;
INSERT INTO cd SELECT * FROM cf;
INSERT INTO cw SELECT * FROM cf;
SELECT register_versioned_table('cf', '{id}', '{v}', deleted_column => 'closed',
                                current_indexes => '{x, "(lower(x))"}');
SELECT register_versioned_table('ct', '{id}', '{v}', strategy => 'table');
SELECT register_versioned_table('cd', '{id}', '{v}', strategy => 'table', deleted_column => 'closed');
SELECT register_versioned_table('cw', '{id}', '{v}', strategy => 'view', deleted_column => 'closed');

-- The history as JSON rows, without the flag; a snapshot of it, and the
-- rows of the snapshot that are gone or changed.
CREATE TABLE snap (tbl regclass, row_json jsonb);
CREATE FUNCTION history_rows(tbl regclass) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format('SELECT to_jsonb(t) - ''current'' - ''is_current'' FROM %s t', tbl);
END
$$;
CREATE FUNCTION take_snapshot() RETURNS void LANGUAGE sql AS $$
    DELETE FROM snap;
    INSERT INTO snap SELECT t, history_rows(t) FROM unnest('{cf, ct, cd, cw}'::regclass[]) t;
$$;
-- Per table: the current rows against the oracle (keys whose newest version
-- is a tombstone leave the view), check_versioned_table, and the lost rows.
CREATE FUNCTION columns_state(k name, v name, deleted name) RETURNS TABLE (tbl regclass, state text)
LANGUAGE plpgsql AS $$
DECLARE
    oracle bigint;
BEGIN
    FOREACH tbl IN ARRAY '{cf, ct, cd, cw}'::regclass[] LOOP
        EXECUTE format($q$
            WITH o AS (SELECT %1$I, %2$I FROM (SELECT DISTINCT ON (%1$I) * FROM %3$s ORDER BY %1$I, %2$I DESC) h
                       WHERE %5$s),
                 s AS (SELECT %1$I, %2$I FROM %4$s)
            SELECT (SELECT count(*) FROM (TABLE o EXCEPT ALL TABLE s) a)
                 + (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE o) b)$q$,
            k, v, tbl, tbl::text || '_current',
            CASE WHEN tbl = 'ct'::regclass THEN 'true' ELSE format('NOT %I', deleted) END)
        INTO oracle;
        state := format('oracle diff %s, check %s, lost rows %s', oracle, check_versioned_table(tbl),
                        (SELECT count(*) FROM (SELECT row_json FROM snap s WHERE s.tbl = columns_state.tbl
                                               EXCEPT ALL SELECT history_rows(columns_state.tbl)) l));
        RETURN NEXT;
    END LOOP;
END
$$;
-- Writes of every kind, through the views (UPDATE, DELETE, INSERT), by
-- <table>_revert and to the tables themselves.
CREATE FUNCTION columns_writes(k name, v name, x name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY '{cf, ct, cd, cw}'::text[] LOOP
        IF tbl <> 'cw' THEN
            EXECUTE format('UPDATE %1$I SET %2$I = %2$I || '' updated'' WHERE %3$I = 1', tbl || '_current', x, k);
            EXECUTE format('INSERT INTO %1$I (%2$I, %3$I, %4$I) VALUES (100 + (SELECT count(*) FROM %5$I), 1, ''inserted'')',
                           tbl || '_current', k, v, x, tbl);
        END IF;
        IF tbl <> 'ct' AND tbl <> 'cw' THEN
            EXECUTE format('DELETE FROM %I WHERE %I = 2', tbl || '_current', k);
        END IF;
        EXECUTE format('SELECT %I(3, 1)', tbl || '_revert');
        EXECUTE format('INSERT INTO %1$I (%2$I, %3$I, %4$I) SELECT %2$I, max(%3$I) + 1, ''plain'' FROM %1$I WHERE %2$I = 4 GROUP BY 1',
                       tbl, k, v, x);
    END LOOP;
END
$$;

-- RENAME COLUMN of a column that is not registered.
ALTER TABLE cf RENAME COLUMN x TO note;
ALTER TABLE ct RENAME COLUMN x TO note;
ALTER TABLE cd RENAME COLUMN x TO note;
ALTER TABLE cw RENAME COLUMN x TO note;
SELECT take_snapshot();
SELECT columns_writes('id', 'v', 'note');
SELECT * FROM columns_state('id', 'v', 'closed');
SELECT attname FROM pg_attribute WHERE attrelid = 'ct_current'::regclass AND attnum = 3;
-- The indexes follow; current_indexes names the new column in column lists
-- (index definitions stay as registered).
SELECT current_indexes FROM versioned_tables WHERE table_name = 'public.cf';
SELECT indexdef FROM pg_indexes WHERE tablename = 'cf' AND indexname LIKE 'cf_current_%' ORDER BY 1;

-- RENAME COLUMN of the key and of the version: the registry, the triggers,
-- the heads table, the view or current table and the functions follow, and
-- the default next_version names the new version column.
ALTER TABLE cf ENABLE ALWAYS TRIGGER zz_current_view_insert;   -- as on a subscriber
ALTER TABLE cf RENAME COLUMN id TO item;
ALTER TABLE ct RENAME COLUMN id TO item;
ALTER TABLE cd RENAME COLUMN id TO item;
ALTER TABLE cw RENAME COLUMN id TO item;
ALTER TABLE cf RENAME COLUMN v TO rev;
ALTER TABLE ct RENAME COLUMN v TO rev;
ALTER TABLE cd RENAME COLUMN v TO rev;
ALTER TABLE cw RENAME COLUMN v TO rev;
SELECT table_name, key_columns, version_columns FROM versioned_tables
WHERE table_name IN ('public.cf', 'public.ct', 'public.cd', 'public.cw') ORDER BY 1;
SELECT r.next_version FROM current_view_internal.versioned_table_registry r WHERE table_name = 'cf';
SELECT attname FROM pg_attribute WHERE attrelid = 'cf_heads'::regclass AND attnum = 1;
SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'cf'::regclass AND tgname = 'zz_current_view_insert';
SELECT p.oid::regprocedure, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
WHERE p.proname IN ('cf_revert', 'ct_key_as_of') ORDER BY 1::text;
SELECT take_snapshot();
SELECT columns_writes('item', 'rev', 'note');
SELECT * FROM columns_state('item', 'rev', 'closed');
SELECT item, rev, note FROM cf_current WHERE item = 1;
SELECT * FROM ct_key_as_of(item => 1, rev => 2);

-- RENAME COLUMN of the flag and of the deleted column.
ALTER TABLE cf RENAME COLUMN current TO is_current;
ALTER TABLE cf RENAME COLUMN closed TO gone;
ALTER TABLE cd RENAME COLUMN closed TO gone;
ALTER TABLE cw RENAME COLUMN closed TO gone;
ALTER TABLE ct RENAME COLUMN closed TO gone;   -- not registered with 'ct'
SELECT table_name, current_column FROM versioned_tables WHERE table_name = 'public.cf';
SELECT take_snapshot();
SELECT columns_writes('item', 'rev', 'note');
SELECT * FROM columns_state('item', 'rev', 'gone');
SELECT item, rev, gone, is_current FROM cf WHERE item = 2 ORDER BY rev;

-- A next_version of one's own that names the version column: the rename is
-- refused, and nothing changes.
CREATE TABLE cn (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('cn', '{id}', '{v}', next_version => '{v + 10}');
SELECT expect_error('ALTER TABLE cn RENAME COLUMN v TO w');
SELECT version_columns, next_version FROM current_view_internal.versioned_table_registry WHERE table_name = 'cn';
SELECT attname FROM pg_attribute WHERE attrelid = 'cn'::regclass AND attnum = 2;

-- ADD COLUMN with a volatile default: every history row gets its own value,
-- which the current table holds too, and every version written copies the
-- value of the version it copies (not NULL, not a new value).
CREATE SEQUENCE cseq;
ALTER TABLE cf ADD COLUMN serial_no bigint DEFAULT nextval('cseq');
ALTER TABLE ct ADD COLUMN serial_no bigint DEFAULT nextval('cseq');
ALTER TABLE cd ADD COLUMN serial_no bigint DEFAULT nextval('cseq');
ALTER TABLE cw ADD COLUMN serial_no bigint DEFAULT nextval('cseq');
SELECT take_snapshot();
CREATE TEMP TABLE before_writes AS
SELECT 'cf' AS tbl, item, serial_no FROM cf_current UNION ALL SELECT 'ct', item, serial_no FROM ct_current
UNION ALL SELECT 'cd', item, serial_no FROM cd_current UNION ALL SELECT 'cw', item, serial_no FROM cw_current;
SELECT columns_writes('item', 'rev', 'note');
SELECT * FROM columns_state('item', 'rev', 'gone');
-- Key 1 (updated through the view) and key 3 (reverted to its first version).
SELECT b.tbl, b.item, b.serial_no = a.serial_no AS update_copied_value
FROM before_writes b
JOIN (SELECT 'cf' AS tbl, item, serial_no FROM cf_current UNION ALL SELECT 'ct', item, serial_no FROM ct_current
      UNION ALL SELECT 'cd', item, serial_no FROM cd_current) a USING (tbl, item)
WHERE b.item = 1 ORDER BY 1;
SELECT 'cf' AS tbl, (SELECT serial_no FROM cf WHERE item = 3 ORDER BY rev DESC LIMIT 1)
                  = (SELECT serial_no FROM cf WHERE item = 3 AND rev = 1) AS revert_copied_value
UNION ALL SELECT 'ct', (SELECT serial_no FROM ct WHERE item = 3 ORDER BY rev DESC LIMIT 1)
                     = (SELECT serial_no FROM ct WHERE item = 3 AND rev = 1)
UNION ALL SELECT 'cw', (SELECT serial_no FROM cw WHERE item = 3 ORDER BY rev DESC LIMIT 1)
                     = (SELECT serial_no FROM cw WHERE item = 3 AND rev = 1);
-- A tombstone carries its last live version's value.
DELETE FROM cf_current WHERE item = 5;
DELETE FROM cd_current WHERE item = 5;
SELECT tbl, s[2] = s[3] AS tombstone_copied_value, g AS tombstones
FROM (SELECT 'cf' AS tbl, array_agg(serial_no ORDER BY rev) AS s, array_agg(gone ORDER BY rev) AS g
      FROM cf WHERE item = 5
      UNION ALL SELECT 'cd', array_agg(serial_no ORDER BY rev), array_agg(gone ORDER BY rev) FROM cd WHERE item = 5) t;
SELECT * FROM columns_state('item', 'rev', 'gone');
SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
WHERE adrelid = 'ct_current'::regclass AND adnum = (SELECT attnum FROM pg_attribute
                                                    WHERE attrelid = 'ct_current'::regclass AND attname = 'serial_no');

-- ADD COLUMN without a default and with a constant NOT NULL one, in one command.
ALTER TABLE cf ADD COLUMN memo text, ADD COLUMN qty int NOT NULL DEFAULT 5;
ALTER TABLE ct ADD COLUMN memo text, ADD COLUMN qty int NOT NULL DEFAULT 5;
ALTER TABLE cd ADD COLUMN memo text, ADD COLUMN qty int NOT NULL DEFAULT 5;
ALTER TABLE cw ADD COLUMN memo text, ADD COLUMN qty int NOT NULL DEFAULT 5;
UPDATE cf SET memo = 'memo ' || rev WHERE item = 1;
UPDATE ct SET memo = 'memo ' || rev WHERE item = 1;
UPDATE cd SET memo = 'memo ' || rev WHERE item = 1;
SELECT take_snapshot();
SELECT columns_writes('item', 'rev', 'note');
SELECT * FROM columns_state('item', 'rev', 'gone');
SELECT memo, qty FROM ct_current WHERE item = 1;
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'cd_current_rows'::regclass AND attname = 'qty';
-- A default set or dropped later applies to inserts through the current table too.
ALTER TABLE ct ALTER COLUMN qty SET DEFAULT 9;
INSERT INTO ct_current (item, rev, note) VALUES (900, 1, 'default set');
ALTER TABLE ct ALTER COLUMN serial_no DROP DEFAULT;
INSERT INTO ct_current (item, rev, note) VALUES (901, 1, 'default dropped');
SELECT item, qty, serial_no IS NOT NULL AS has_serial_no FROM ct WHERE item >= 900 ORDER BY item;

-- DROP COLUMN of a column that is not registered: the current table, the
-- views (made again without it, with their privileges and triggers) and the
-- functions follow.  A view of one's own on the view stops it (2BP01).
CREATE ROLE regress_cv_columns_reader;
GRANT SELECT ON cf_current, cw_current TO regress_cv_columns_reader;
CREATE VIEW cf_mine AS SELECT item, memo FROM cf_current;
SELECT expect_error('ALTER TABLE cf DROP COLUMN memo');
DROP VIEW cf_mine;
SELECT take_snapshot();
ALTER TABLE cf DROP COLUMN memo;
ALTER TABLE ct DROP COLUMN memo;
ALTER TABLE cd DROP COLUMN memo;
ALTER TABLE cw DROP COLUMN memo;
UPDATE snap SET row_json = row_json - 'memo';
SELECT count(*) FROM pg_attribute WHERE attrelid IN ('cf_current'::regclass, 'ct_current'::regclass, 'cd_current_rows'::regclass,
                                                     'cd_current'::regclass, 'cw_current'::regclass)
                                    AND attname = 'memo' AND NOT attisdropped;
SELECT has_table_privilege('regress_cv_columns_reader', 'cf_current', 'SELECT') AS flag_view_granted,
       has_table_privilege('regress_cv_columns_reader', 'cw_current', 'SELECT') AS view_granted,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'cf_current'::regclass) AS flag_view_triggers;
SELECT pg_get_function_result('cf_as_of'::regproc) !~ 'memo' AS functions_follow;
REVOKE ALL ON cf_current, cw_current FROM regress_cv_columns_reader;
DROP ROLE regress_cv_columns_reader;
SELECT columns_writes('item', 'rev', 'note');
SELECT * FROM columns_state('item', 'rev', 'gone');

-- DROP COLUMN of a registered column: refused, nothing dropped.
SELECT expect_error('ALTER TABLE ct DROP COLUMN rev');
SELECT expect_error('ALTER TABLE cd DROP COLUMN gone');
SELECT expect_error('ALTER TABLE ct DROP COLUMN item CASCADE');
SET client_min_messages = warning;
SELECT expect_error('ALTER TABLE cf DROP COLUMN is_current CASCADE');
RESET client_min_messages;
SELECT expect_error('ALTER TABLE cw DROP COLUMN rev');
SELECT count(*) FROM pg_attribute WHERE attrelid = 'ct'::regclass AND attname IN ('item', 'rev') AND NOT attisdropped;
SELECT to_regclass('cf_current') IS NOT NULL AS view_kept;

-- ALTER COLUMN ... TYPE of a column that is not registered: the current
-- table follows, with the history's values; the views (made again, the
-- column in its place) and the functions too.
CREATE ROLE regress_cv_columns_reader;
GRANT SELECT ON cf_current, cw_current TO regress_cv_columns_reader;
ALTER TABLE ct ALTER COLUMN qty TYPE numeric;
ALTER TABLE cd ALTER COLUMN qty TYPE text USING 'qty ' || qty;
ALTER TABLE cf ALTER COLUMN qty TYPE bigint, ALTER COLUMN note TYPE varchar(100);
ALTER TABLE cw ALTER COLUMN qty TYPE text USING 'qty ' || qty, ALTER COLUMN note TYPE varchar(100);
SELECT attrelid::regclass, array_agg(format('%s %s', attname, format_type(atttypid, atttypmod)) ORDER BY attnum)
FROM pg_attribute
WHERE attrelid IN ('cf_current'::regclass, 'ct_current'::regclass, 'cd_current_rows'::regclass, 'cd_current'::regclass,
                   'cw_current'::regclass) AND attnum > 0 AND NOT attisdropped
GROUP BY 1 ORDER BY 1::text;
SELECT pg_get_function_result('cw_as_of'::regproc);
SELECT has_table_privilege('regress_cv_columns_reader', 'cf_current', 'SELECT') AS flag_view_granted,
       has_table_privilege('regress_cv_columns_reader', 'cw_current', 'SELECT') AS view_granted,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'cf_current'::regclass) AS flag_view_triggers;
REVOKE ALL ON cf_current, cw_current FROM regress_cv_columns_reader;
DROP ROLE regress_cv_columns_reader;
SELECT take_snapshot();
SELECT columns_writes('item', 'rev', 'note');
SELECT * FROM columns_state('item', 'rev', 'gone');
SELECT DISTINCT qty FROM cd_current ORDER BY 1;
SELECT DISTINCT qty FROM cw_current ORDER BY 1;

-- ALTER COLUMN ... TYPE of a registered column: refused with a hint.
SELECT expect_error('ALTER TABLE ct ALTER COLUMN item TYPE bigint');
SELECT expect_error('ALTER TABLE cf ALTER COLUMN rev TYPE bigint');
SELECT expect_error('ALTER TABLE cw ALTER COLUMN item TYPE bigint');
SELECT expect_error('ALTER TABLE ct ALTER COLUMN rev TYPE bigint');
SELECT expect_error('ALTER TABLE cd ALTER COLUMN gone DROP DEFAULT, ALTER COLUMN gone TYPE int USING gone::int');

-- Privileges on the view of the live rows and on the functions, which are
-- made again, are kept.
CREATE ROLE regress_cv_columns_reader;
GRANT SELECT ON cd_current TO regress_cv_columns_reader;
REVOKE EXECUTE ON FUNCTION cd_revert(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cd_revert(int, int) TO regress_cv_columns_reader;
ALTER TABLE cd ALTER COLUMN qty TYPE varchar(20);
ALTER TABLE cd RENAME COLUMN item TO id;
SELECT has_table_privilege('regress_cv_columns_reader', 'cd_current', 'SELECT') AS view_granted,
       has_function_privilege('regress_cv_columns_reader', 'cd_revert(int, int)', 'EXECUTE') AS revert_granted,
       has_function_privilege('public', 'cd_revert(int, int)', 'EXECUTE') AS revert_public;
SELECT check_versioned_table('cd');
REVOKE ALL ON cd_current FROM regress_cv_columns_reader;
REVOKE ALL ON FUNCTION cd_revert(int, int) FROM regress_cv_columns_reader;
DROP ROLE regress_cv_columns_reader;

-- With event triggers off, the current table cannot follow: writes through
-- the view refuse to read values with the wrong type, or to copy versions
-- without a column, instead of crashing or losing values.
CREATE TABLE cr (id int, v int, x int, PRIMARY KEY (id, v));
INSERT INTO cr VALUES (1, 1, 10);
SELECT register_versioned_table('cr', '{id}', '{v}', strategy => 'table');
SET session_replication_role = replica;
ALTER TABLE cr ALTER COLUMN x TYPE text;
RESET session_replication_role;
SELECT expect_error($$UPDATE cr_current SET v = 2 WHERE id = 1$$);
SELECT expect_error($$INSERT INTO cr VALUES (1, 3, 'x')$$);
SET session_replication_role = replica;
ALTER TABLE cr ALTER COLUMN x TYPE int USING x::int, ADD COLUMN y int DEFAULT 7;
RESET session_replication_role;
SELECT expect_error($$UPDATE cr_current SET v = 2 WHERE id = 1$$);
SELECT * FROM cr;

-- Identity and stored generated columns: a version written through the view
-- or by _revert gets the next value of a GENERATED ALWAYS identity (as an
-- INSERT would), keeps a BY DEFAULT one, and PostgreSQL computes its
-- generated columns; the versions copied keep every value.
CREATE TABLE gf (row_id bigint GENERATED ALWAYS AS IDENTITY, id int, v int, x int,
                 twice int GENERATED ALWAYS AS (x * 2) STORED,
                 tag int GENERATED BY DEFAULT AS IDENTITY (START 100),
                 closed boolean NOT NULL DEFAULT false, PRIMARY KEY (id, v));
CREATE TABLE gt (LIKE gf INCLUDING ALL);
INSERT INTO gf (id, v, x) VALUES (1, 1, 10), (2, 1, 20), (3, 1, 30);
INSERT INTO gt (id, v, x) VALUES (1, 1, 10), (2, 1, 20), (3, 1, 30);
SELECT register_versioned_table('gf', '{id}', '{v}', deleted_column => 'closed');
SELECT register_versioned_table('gt', '{id}', '{v}', strategy => 'table', deleted_column => 'closed');
CREATE TEMP TABLE gsnap AS SELECT 'gf' AS tbl, row_id, id, v, x, twice, tag, closed FROM gf
                           UNION ALL SELECT 'gt', row_id, id, v, x, twice, tag, closed FROM gt;
UPDATE gf_current SET x = 11 WHERE id = 1;
UPDATE gt_current SET x = 11 WHERE id = 1;
DELETE FROM gf_current WHERE id = 2;
DELETE FROM gt_current WHERE id = 2;
SELECT gf_revert(1, 1), gt_revert(1, 1);
INSERT INTO gt_current (id, v, x) VALUES (4, 1, 40);
INSERT INTO gt_current (id, v, x, tag) VALUES (5, 1, 50, 500);
SELECT id, v, x, twice, tag, closed, row_id > 3 AS new_row_id FROM gf ORDER BY id, v;
SELECT id, v, x, twice, tag, closed, row_id > 3 AS new_row_id FROM gt ORDER BY id, v;
SELECT count(*) AS lost_rows FROM (SELECT * FROM gsnap EXCEPT ALL
    (SELECT 'gf', row_id, id, v, x, twice, tag, closed FROM gf
     UNION ALL SELECT 'gt', row_id, id, v, x, twice, tag, closed FROM gt)) l;
SELECT count(DISTINCT row_id) = count(*) AS row_ids_distinct FROM gf;
SELECT check_versioned_table('gf'), check_versioned_table('gt');
SELECT oracle_diff('gt_current_rows', 'gt', 'id', 'v');

-- Generated columns as key, version or deleted column: refused at
-- registration (their values do not exist yet when the triggers decide).
CREATE TABLE gk (id int GENERATED ALWAYS AS (x + 1) STORED, v int, x int, d boolean GENERATED ALWAYS AS (x < 0) STORED);
SELECT expect_error($$SELECT register_versioned_table('gk', '{id}', '{v}')$$);
SELECT expect_error($$SELECT register_versioned_table('gk', '{v}', '{id}', strategy => 'table')$$);
SELECT expect_error($$SELECT register_versioned_table('gk', '{v}', '{x}', deleted_column => 'd')$$);
SELECT count(*) FROM current_view_internal.versioned_table_registry WHERE table_name = 'gk';

-- A version that a BEFORE INSERT trigger of the history table skips cannot
-- be the current row: the write through the view fails (09000).
CREATE TABLE cs (id int, v int, x int, PRIMARY KEY (id, v));
INSERT INTO cs VALUES (1, 1, 1);
SELECT register_versioned_table('cs', '{id}', '{v}', strategy => 'table');
CREATE FUNCTION cs_skip() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE WHEN NEW.x = 99 THEN NULL ELSE NEW END;
END
$$;
CREATE TRIGGER a_skip BEFORE INSERT ON cs FOR EACH ROW EXECUTE FUNCTION cs_skip();
SELECT expect_error('UPDATE cs_current SET x = 99 WHERE id = 1');
SELECT check_versioned_table('cs'), (SELECT x FROM cs_current);

SET client_min_messages = warning;
DROP TABLE cf, ct, cd, cw, cn, cr, cs, gf, gt, gk, snap CASCADE;
RESET client_min_messages;
DROP SEQUENCE cseq;
SELECT count(*) FROM current_view_internal.versioned_table_registry
WHERE table_name IN ('cf', 'ct', 'cd', 'cw', 'cn', 'cr', 'gf', 'gt');
DROP FUNCTION history_rows(regclass), take_snapshot(), columns_state(name, name, name),
              columns_writes(name, name, name), cs_skip();
