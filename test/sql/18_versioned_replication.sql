-- Replication.  PostgreSQL refuses UPDATEs of a table that publishes them
-- without a usable replica identity, and the 'flag' triggers update the
-- previous current row on every insert that replaces it: registration refuses
-- such a table (55000, with the fix as hint), and a table published so later
-- fails at its first write with the same error, not with "cannot update".
-- On a logical replication subscriber (session_replication_role = replica)
-- whose triggers are ENABLE ALWAYS, the triggers decide the flags themselves.

-- CREATE PUBLICATION warns when wal_level is below logical.
SET client_min_messages = error;
CREATE TABLE pub_nokey (id int NOT NULL, v int NOT NULL, note text);
INSERT INTO pub_nokey VALUES (1, 1, 'a');
CREATE PUBLICATION pub_test FOR TABLE pub_nokey;
RESET client_min_messages;
-- The error's detail and hint, without the context (internal line numbers).
\set SHOW_CONTEXT never
SELECT expect_error($$SELECT register_versioned_table('pub_nokey', '{id}', '{v}')$$);
SELECT register_versioned_table('pub_nokey', '{id}', '{v}');
-- Nothing left behind.
SELECT count(*) AS registrations FROM versioned_tables WHERE table_name = 'pub_nokey';
SELECT attname FROM pg_attribute WHERE attrelid = 'pub_nokey'::regclass AND attnum > 0 ORDER BY attnum;

-- A publication that does not publish updates needs no replica identity.
ALTER PUBLICATION pub_test SET (publish = 'insert, delete, truncate');
SELECT register_versioned_table('pub_nokey', '{id}', '{v}');
INSERT INTO pub_nokey VALUES (1, 3, 'c'), (1, 2, 'b');

-- Published with updates after registration: every write to the table says
-- why and how to fix it, the first row of a key too.
ALTER PUBLICATION pub_test SET (publish = 'insert, update, delete, truncate');
SELECT expect_error($$INSERT INTO pub_nokey VALUES (1, 4, 'd')$$);
INSERT INTO pub_nokey VALUES (2, 1, 'first row of a key');
SELECT expect_error($$DELETE FROM pub_nokey WHERE v = 3$$);
-- TRUNCATE updates nothing.
BEGIN;
TRUNCATE pub_nokey;
ROLLBACK;
-- The fix named in the hint.
ALTER TABLE pub_nokey REPLICA IDENTITY FULL;
INSERT INTO pub_nokey VALUES (1, 4, 'd'), (2, 1, 'e');
SELECT id, v, note FROM pub_nokey_current ORDER BY id;
SELECT check_versioned_table('pub_nokey');
-- Losing the replica identity again.
ALTER TABLE pub_nokey REPLICA IDENTITY NOTHING;
SELECT expect_error($$INSERT INTO pub_nokey VALUES (1, 5, 'e')$$);
ALTER TABLE pub_nokey REPLICA IDENTITY DEFAULT;
SELECT expect_error($$INSERT INTO pub_nokey VALUES (1, 5, 'e')$$);
ALTER PUBLICATION pub_test DROP TABLE pub_nokey;
INSERT INTO pub_nokey VALUES (1, 5, 'e');
SELECT id, v, note FROM pub_nokey_current ORDER BY id;

-- Partitions: each needs its own replica identity; the error names the one
-- that lacks it, at registration and when a row lands in it.
CREATE TABLE pub_part (id int NOT NULL, v int NOT NULL) PARTITION BY RANGE (v);
CREATE TABLE pub_part_1 PARTITION OF pub_part FOR VALUES FROM (MINVALUE) TO (10);
CREATE TABLE pub_part_2 PARTITION OF pub_part FOR VALUES FROM (10) TO (100);
ALTER TABLE pub_part_1 REPLICA IDENTITY FULL;
ALTER PUBLICATION pub_test ADD TABLE pub_part;
SELECT expect_error($$SELECT register_versioned_table('pub_part', '{id}', '{v}')$$);
ALTER TABLE pub_part_2 REPLICA IDENTITY FULL;
SELECT register_versioned_table('pub_part', '{id}', '{v}');
CREATE TABLE pub_part_3 PARTITION OF pub_part FOR VALUES FROM (100) TO (200);
INSERT INTO pub_part VALUES (1, 1), (1, 20);
SELECT expect_error($$INSERT INTO pub_part VALUES (1, 150)$$);
ALTER TABLE pub_part_3 REPLICA IDENTITY FULL;
INSERT INTO pub_part VALUES (1, 150), (1, 2);
SELECT id, v FROM pub_part_current;
SELECT check_versioned_table('pub_part');

-- A column list must cover the replica identity (the flag column itself
-- need not be published).
CREATE TABLE pub_cols (id int, v int, note text, PRIMARY KEY (id, v));
SET client_min_messages = error;
CREATE PUBLICATION pub_cols_test FOR TABLE pub_cols (id, note);
RESET client_min_messages;
SELECT expect_error($$SELECT register_versioned_table('pub_cols', '{id}', '{v}')$$);
SELECT register_versioned_table('pub_cols', '{id}', '{v}');
ALTER PUBLICATION pub_cols_test SET TABLE pub_cols (id, v, note);
SELECT register_versioned_table('pub_cols', '{id}', '{v}');
INSERT INTO pub_cols VALUES (1, 2, 'b'), (1, 1, 'a'), (1, 3, 'c');
SELECT id, v, note FROM pub_cols_current;
DROP PUBLICATION pub_test;
DROP PUBLICATION pub_cols_test;

-- A subscriber whose triggers fire in the apply worker (ENABLE ALWAYS, see
-- README "Scaling out") receives the origin's rows with their flags, then the
-- origin's flag UPDATEs: it decides the flags itself instead of failing with
-- 428C9, and an append-only table takes the origin's updates.
CREATE TABLE rep (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('rep', '{id}', '{v}');
CREATE TABLE rep_ao (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('rep_ao', '{id}', '{v}', append_only => true);
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT tgrelid::regclass AS tbl, tgname FROM pg_trigger
             WHERE tgrelid IN ('rep'::regclass, 'rep_ao'::regclass) AND NOT tgisinternal
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
    END LOOP;
END
$$;
SET session_replication_role = replica;
INSERT INTO rep VALUES (1, 1, 'a', true), (1, 3, 'c', true), (1, 2, 'b', true);
UPDATE rep SET current = false WHERE v = 3;
UPDATE rep SET current = true WHERE v = 1;
UPDATE rep SET note = 'c2', current = false WHERE v = 3;
UPDATE rep SET v = 0 WHERE v = 2;
INSERT INTO rep_ao VALUES (1, 1, 'a', true), (1, 2, 'b', false);
UPDATE rep_ao SET current = false WHERE v = 1;
UPDATE rep_ao SET current = true WHERE v = 2;
RESET session_replication_role;
SELECT id, v, note, current FROM rep ORDER BY v;
SELECT id, v, note, current FROM rep_ao ORDER BY v;
SELECT check_versioned_table('rep'), check_versioned_table('rep_ao');
-- Outside replication the rules stand.
SELECT expect_error($$UPDATE rep SET current = false WHERE v = 3$$);
SELECT expect_error($$UPDATE rep_ao SET note = 'x'$$);

\set SHOW_CONTEXT errors
SET client_min_messages = warning;
DROP TABLE pub_nokey, pub_part, pub_cols, rep, rep_ao CASCADE;
RESET client_min_messages;
