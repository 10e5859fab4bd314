-- Rule 6: partitioned tables, partitions attached later, rows moving between
-- partitions, multi-column keys and versions.
CREATE TABLE trades (market text, id int, day date, seq int, px numeric)
    PARTITION BY RANGE (day);
CREATE TABLE trades_d1 PARTITION OF trades FOR VALUES FROM ('2024-01-01') TO ('2024-01-02');
CREATE TABLE trades_d2 PARTITION OF trades FOR VALUES FROM ('2024-01-02') TO ('2024-01-03');
INSERT INTO trades VALUES ('m', 1, '2024-01-01', 1, 1.0), ('m', 1, '2024-01-01', 2, 1.1),
                          ('m', 2, '2024-01-02', 1, 2.0), ('n', 1, '2024-01-02', 1, 3.0);
SELECT register_versioned_table('trades', '{market, id}', '{day, seq}');
SELECT tableoid::regclass, * FROM trades WHERE current ORDER BY market, id;
SELECT * FROM trades_heads ORDER BY market, id;

-- A newer version in another partition; an older one; a tie on both columns.
INSERT INTO trades VALUES ('m', 1, '2024-01-02', 0, 1.2), ('m', 2, '2024-01-01', 9, 2.1),
                          ('n', 1, '2024-01-02', 1, 3.1);
SELECT tableoid::regclass, * FROM trades WHERE current ORDER BY market, id;
SELECT * FROM trades_heads ORDER BY market, id;

-- A partition attached later gets the triggers and indexes.
CREATE TABLE trades_d3 (LIKE trades);
ALTER TABLE trades ATTACH PARTITION trades_d3 FOR VALUES FROM ('2024-01-03') TO ('2024-01-04');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'trades_d3'::regclass ORDER BY 1;
INSERT INTO trades VALUES ('m', 1, '2024-01-03', 0, 1.3), ('o', 1, '2024-01-03', 5, 9.9);
SELECT tableoid::regclass, * FROM trades WHERE current ORDER BY market, id;

-- UPDATE moving the current row to another partition keeps it current.
UPDATE trades SET day = '2024-01-01', seq = 100 WHERE market = 'o';
SELECT tableoid::regclass, * FROM trades WHERE market = 'o';
-- ... and moving the current row back in time promotes the next.
UPDATE trades SET day = '2024-01-01', seq = 0 WHERE market = 'm' AND id = 1 AND day = '2024-01-03';
SELECT tableoid::regclass, * FROM trades WHERE current ORDER BY market, id;
DELETE FROM trades WHERE market = 'm' AND id = 1 AND day = '2024-01-02';
SELECT tableoid::regclass, * FROM trades WHERE current ORDER BY market, id;
SELECT oracle_diff('trades_current', 'trades', 'market, id', 'day, seq');
SELECT check_versioned_table('trades');

-- Inserting through a partition directly works the same.
INSERT INTO trades_d2 VALUES ('m', 2, '2024-01-02', 50, 2.5);
SELECT tableoid::regclass, * FROM trades WHERE current AND market = 'm' AND id = 2;
SELECT check_versioned_table('trades');

-- One insert probes one partition of the history, not all of them (a new
-- session, so that no statistics of earlier statements are pending).
\c
BEGIN;
INSERT INTO trades VALUES ('m', 2, '2024-01-02', 51, 2.6);
SELECT relname, seq_scan + idx_scan AS scans FROM pg_stat_xact_user_tables
WHERE relname LIKE 'trades%' AND seq_scan + idx_scan > 0 ORDER BY relname;
COMMIT;
SELECT check_versioned_table('trades');
