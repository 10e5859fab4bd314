-- Rule: the triggers decide every write made after a partition DDL or a
-- rebuild in the same transaction.  The partition repair and a rebuild batch
-- let the flag triggers pass rows through while they rewrite flags (and let
-- 'table' current rows be written directly); that must end with them, not
-- with the transaction, or a later insert is not decided, a direct flag
-- write is accepted, and an update through a 'table' view rewrites the
-- current row without appending a version.

CREATE TABLE lw_flag (id int, v int, x text) PARTITION BY RANGE (v);
CREATE TABLE lw_flag_p1 PARTITION OF lw_flag FOR VALUES FROM (0) TO (10);
CREATE TABLE lw_flag_p9 PARTITION OF lw_flag FOR VALUES FROM (90) TO (100);
SELECT register_versioned_table('lw_flag', '{id}', '{v}');
INSERT INTO lw_flag VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 95, 'c');

-- DROP of a partition holding a current row, then writes in the same
-- transaction: the newer version of key 1 is current, and the direct flag
-- write is refused as always (428C9).
BEGIN;
DROP TABLE lw_flag_p9;
INSERT INTO lw_flag VALUES (1, 5, 'newer'), (2, 0, 'older');
SELECT expect_error($$UPDATE lw_flag SET current = true WHERE id = 2 AND v = 0$$);
COMMIT;
SELECT id, v, x FROM lw_flag_current ORDER BY id;
SELECT versioned_state('lw_flag');

-- ATTACH of an empty partition (as pg_partman's partition_data_time does
-- before moving rows out of the default partition), then an insert into it.
BEGIN;
CREATE TABLE lw_flag_p2 (LIKE lw_flag INCLUDING DEFAULTS);
ALTER TABLE lw_flag ATTACH PARTITION lw_flag_p2 FOR VALUES FROM (10) TO (20);
INSERT INTO lw_flag_p2 (id, v, x) VALUES (1, 15, 'attached');
COMMIT;
SELECT id, v, x FROM lw_flag_current ORDER BY id;
SELECT versioned_state('lw_flag');

-- 'table': DETACH, then an update through the view appends a version.
CREATE TABLE lw_table (id int, v int, x text) PARTITION BY RANGE (v);
CREATE TABLE lw_table_p1 PARTITION OF lw_table FOR VALUES FROM (0) TO (10);
CREATE TABLE lw_table_p2 PARTITION OF lw_table FOR VALUES FROM (10) TO (20);
SELECT register_versioned_table('lw_table', '{id}', '{v}', strategy => 'table');
INSERT INTO lw_table VALUES (1, 1, 'a'), (2, 15, 'b');
BEGIN;
ALTER TABLE lw_table DETACH PARTITION lw_table_p2;
UPDATE lw_table_current SET x = 'via view' WHERE id = 1;
COMMIT;
SELECT id, v, x FROM lw_table ORDER BY id, v;
SELECT versioned_state('lw_table');

-- A rebuild CALLed in a transaction block (one batch, so no COMMIT inside),
-- then writes.
CREATE TABLE lw_rebuilt (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('lw_rebuilt', '{id}', '{v}');
INSERT INTO lw_rebuilt VALUES (1, 1, 'a');
BEGIN;
SET LOCAL client_min_messages = warning;
CALL rebuild_versioned_table('lw_rebuilt');
INSERT INTO lw_rebuilt VALUES (1, 2, 'newer');
SELECT expect_error($$UPDATE lw_rebuilt SET current = true WHERE v = 1$$);
COMMIT;
SELECT id, v, x FROM lw_rebuilt_current ORDER BY id;
SELECT versioned_state('lw_rebuilt');


-- A permission granted in a subtransaction that rolls back ends with it.
BEGIN;
SAVEPOINT s;
SELECT current_view_internal._allow_flag_writes('lw_rebuilt');
ROLLBACK TO s;
SELECT expect_error($$UPDATE lw_rebuilt SET current = true WHERE v = 1$$);
COMMIT;
SELECT versioned_state('lw_rebuilt');
