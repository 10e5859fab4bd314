-- Strategy 'table': rule 1 of the versioned tables, kept in a separate table.
CREATE TABLE positions (id int, ts timestamptz, market_id int, qty int, note text,
                        PRIMARY KEY (id, ts));
INSERT INTO positions VALUES
    (1, '2024-01-01', 10, 1, 'a'), (1, '2024-01-03', 10, 3, 'c'), (1, '2024-01-02', 11, 2, 'b'),
    (2, '2024-01-05', 20, 5, 'e');
SELECT register_versioned_table('positions', '{id}', '{ts}', strategy => 'table',
                                current_indexes => ARRAY['market_id']);

-- The current table: same columns, primary key on the key, plain indexes;
-- triggers on the history table; nothing added to the history table but
-- the (key, version) index it already has as primary key.
SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
WHERE attrelid = 'positions_current'::regclass AND attnum > 0 ORDER BY attnum;
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid IN ('positions'::regclass, 'positions_current'::regclass) ORDER BY 1::text;
SELECT tgrelid::regclass, tgname, tgtype FROM pg_trigger
WHERE tgrelid IN ('positions'::regclass, 'positions_current'::regclass) ORDER BY 1::text, 2;
SELECT strategy, view_name FROM versioned_tables WHERE table_name = 'public.positions';

-- Backfill, then single-row, multi-row out of order, INSERT ... SELECT, COPY,
-- older versions, new keys.
SELECT * FROM positions_current ORDER BY id;
INSERT INTO positions VALUES (2, '2024-01-06', 21, 6, 'f');
INSERT INTO positions VALUES (1, '2024-01-10', 12, 10, 'j'), (1, '2024-01-08', 12, 8, 'h'),
                             (4, '2024-01-02', 40, 2, 'y'), (4, '2024-01-01', 40, 1, 'x');
INSERT INTO positions SELECT 3, '2024-01-01'::timestamptz + g * interval '1 hour', 30 + g, g, 'g'
FROM generate_series(5, 1, -1) g;
COPY positions (id, ts, market_id, qty, note) FROM stdin;
5	2024-02-01	50	1	new
5	2024-01-01	50	0	old
2	2024-01-04	20	4	older
\.
SELECT * FROM positions_current ORDER BY id;
SELECT oracle_diff('positions_current', 'positions', 'id', 'ts');
SELECT check_versioned_table('positions');

-- The index of current_indexes serves filters on the current rows.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM positions_current WHERE market_id = 12;
RESET enable_seqscan;

-- Ties: the row inserted last wins, in one statement or several.
CREATE TABLE ticks2 (k text, v int, payload text);
SELECT register_versioned_table('ticks2', '{k}', '{v}', strategy => 'table');
INSERT INTO ticks2 VALUES ('a', 1, 'first'), ('a', 1, 'second');
INSERT INTO ticks2 VALUES ('a', 1, 'third');
INSERT INTO ticks2 VALUES ('b', 2, 'x'), ('b', 1, 'y'), ('b', 2, 'z');
SELECT * FROM ticks2_current ORDER BY k;
-- Deleting a tied row that is not the current one keeps the current row;
-- deleting the current one promotes a remaining tie.
DELETE FROM ticks2 WHERE payload = 'second';
SELECT * FROM ticks2_current ORDER BY k;
DELETE FROM ticks2 WHERE payload = 'third';
SELECT * FROM ticks2_current ORDER BY k;
SELECT oracle_diff('ticks2_current', 'ticks2', 'k', 'v');
SELECT check_versioned_table('ticks2');

-- UPDATE of other columns follows into the current row, for the current
-- row only; key and version changes re-decide the old and the new key.
CREATE TABLE prices2 (sku text, version int, price numeric);
SELECT register_versioned_table('prices2', '{sku}', '{version}', strategy => 'table');
INSERT INTO prices2 VALUES ('a', 1, 10), ('a', 2, 11), ('a', 3, 12),
                           ('b', 1, 20), ('b', 2, 21), ('c', 1, 30);
UPDATE prices2 SET price = price + 1;
SELECT * FROM prices2_current ORDER BY sku;
UPDATE prices2 SET price = 0 WHERE sku = 'a' AND version = 1;
SELECT * FROM prices2_current ORDER BY sku;
UPDATE prices2 SET version = 9 WHERE sku = 'a' AND version = 1;
SELECT * FROM prices2_current WHERE sku = 'a';
UPDATE prices2 SET version = 0 WHERE sku = 'a' AND version = 9;
SELECT * FROM prices2_current WHERE sku = 'a';
UPDATE prices2 SET sku = 'c' WHERE sku = 'b' AND version = 2;
UPDATE prices2 SET sku = 'd' WHERE sku = 'c' AND version = 1;
SELECT * FROM prices2_current ORDER BY sku;
SELECT oracle_diff('prices2_current', 'prices2', 'sku', 'version');
-- DELETE promotes the next row; deleting all rows removes the key.
DELETE FROM prices2 WHERE sku = 'a' AND version = 3;
SELECT * FROM prices2_current WHERE sku = 'a';
DELETE FROM prices2 WHERE sku = 'a';
SELECT count(*) FROM prices2_current WHERE sku = 'a';
SELECT check_versioned_table('prices2');
-- Nulls in key or version columns are rejected.
SELECT expect_error($$INSERT INTO prices2 VALUES (NULL, 1, 1)$$);
SELECT expect_error($$UPDATE prices2 SET version = NULL$$);
-- TRUNCATE empties the current table too.
TRUNCATE prices2;
SELECT count(*) FROM prices2_current;
INSERT INTO prices2 VALUES ('a', 2, 1), ('a', 1, 0);
SELECT * FROM prices2_current;

-- append_only.
CREATE TABLE events2 (id int, seq bigint, body text);
SELECT register_versioned_table('events2', '{id}', '{seq}', strategy => 'table', append_only => true);
INSERT INTO events2 VALUES (1, 1, 'a'), (1, 2, 'b'), (1, 0, 'z');
SELECT expect_error($$UPDATE events2 SET body = 'x'$$);
SELECT expect_error($$DELETE FROM events2 WHERE seq = 2$$);
SELECT * FROM events2_current;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'events2'::regclass ORDER BY 1;

-- Partitioned history, partitions attached later, rows moving between
-- partitions, multi-column keys and versions.
CREATE TABLE trades2 (market text, id int, day date, seq int, px numeric)
    PARTITION BY RANGE (day);
CREATE TABLE trades2_d1 PARTITION OF trades2 FOR VALUES FROM ('2024-01-01') TO ('2024-01-02');
CREATE TABLE trades2_d2 PARTITION OF trades2 FOR VALUES FROM ('2024-01-02') TO ('2024-01-03');
INSERT INTO trades2 VALUES ('m', 1, '2024-01-01', 1, 1.0), ('m', 1, '2024-01-01', 2, 1.1),
                           ('m', 2, '2024-01-02', 1, 2.0), ('n', 1, '2024-01-02', 1, 3.0);
SELECT register_versioned_table('trades2', '{market, id}', '{day, seq}', strategy => 'table');
INSERT INTO trades2 VALUES ('m', 1, '2024-01-02', 0, 1.2), ('m', 2, '2024-01-01', 9, 2.1),
                           ('n', 1, '2024-01-02', 1, 3.1);
SELECT * FROM trades2_current ORDER BY market, id;
CREATE TABLE trades2_d3 (LIKE trades2);
ALTER TABLE trades2 ATTACH PARTITION trades2_d3 FOR VALUES FROM ('2024-01-03') TO ('2024-01-04');
INSERT INTO trades2_d3 VALUES ('m', 1, '2024-01-03', 0, 1.3), ('o', 1, '2024-01-03', 5, 9.9);
UPDATE trades2 SET day = '2024-01-01', seq = 100 WHERE market = 'o';
UPDATE trades2 SET day = '2024-01-01', seq = 0 WHERE market = 'm' AND id = 1 AND day = '2024-01-03';
SELECT * FROM trades2_current ORDER BY market, id;
DELETE FROM trades2 WHERE market = 'm' AND id = 1 AND day = '2024-01-02';
SELECT * FROM trades2_current ORDER BY market, id;
SELECT oracle_diff('trades2_current', 'trades2', 'market, id', 'day, seq');
SELECT check_versioned_table('trades2');
-- One insert touches one partition of the history: none, in fact.
\c
BEGIN;
INSERT INTO trades2 VALUES ('m', 2, '2024-01-02', 51, 2.6);
SELECT relname, seq_scan + idx_scan AS scans FROM pg_stat_xact_user_tables
WHERE relname LIKE 'trades2%' AND seq_scan + idx_scan > 0 ORDER BY relname;
COMMIT;

-- check_versioned_table finds a current table gone wrong.
ALTER TABLE positions_current DISABLE TRIGGER current_view_write;
UPDATE positions_current SET qty = -1 WHERE id = 1;
DELETE FROM positions_current WHERE id = 2;
ALTER TABLE positions_current ENABLE TRIGGER current_view_write;
SELECT check_versioned_table('positions');

-- Weird identifiers and a hostile search_path.
CREATE SCHEMA "Hist Schema";
CREATE TABLE "Hist Schema"."Odd ""T""; x" ("Key Col" text, "ver$ion" int, "select" text);
SELECT register_versioned_table('"Hist Schema"."Odd ""T""; x"', '{"Key Col"}', '{ver$ion}',
                                strategy => 'table', view_name => 'Cur View');
CREATE SCHEMA evil2;
CREATE FUNCTION evil2.always(int, int) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil2.> (LEFTARG = int, RIGHTARG = int, FUNCTION = evil2.always);
CREATE OPERATOR evil2.= (LEFTARG = int, RIGHTARG = int, FUNCTION = evil2.always);
SET search_path = evil2, public;
INSERT INTO "Hist Schema"."Odd ""T""; x" VALUES ('a', 2, 'two'), ('a', 1, 'one'), ('b', 1, 'b');
SET search_path = '';
INSERT INTO "Hist Schema"."Odd ""T""; x" VALUES ('a', 3, 'three'), ('b', 0, 'zero');
DELETE FROM "Hist Schema"."Odd ""T""; x" WHERE "ver$ion" = 3;
RESET search_path;
SELECT * FROM "Hist Schema"."Cur View" ORDER BY 1;
SELECT check_versioned_table('"Hist Schema"."Odd ""T""; x"');

-- Unregistering drops the current table, the triggers and the functions.
SELECT unregister_versioned_table('"Hist Schema"."Odd ""T""; x"');
SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE nspname = 'Hist Schema' ORDER BY 1;
SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE nspname = 'Hist Schema';
DROP SCHEMA evil2 CASCADE;
DROP SCHEMA "Hist Schema" CASCADE;
-- Dropping the history table drops its current table.
DROP TABLE ticks2;
SELECT to_regclass('ticks2_current'), to_regprocedure('ticks2_as_of(int)');
