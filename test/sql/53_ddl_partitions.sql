-- Rule: dropping, detaching or attaching a partition of a registered table
-- gives every key it affects its correct current row from the rows that remain
-- (or no current row when none remains), within the DDL statement itself, for
-- strategies 'flag' and 'table'.  Each step is compared with a DISTINCT ON
-- oracle and check_versioned_table.

-- The same history for both strategies: keys 1-3 have their current row in
-- p2, key 4 has all its versions in p2, key 5 in p1 only.
CREATE FUNCTION make_parts(name text, strategy text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I (id int, v int, x text) PARTITION BY RANGE (v)', name);
    EXECUTE format('CREATE TABLE %1$I_p1 PARTITION OF %1$I FOR VALUES FROM (0) TO (10)', name);
    EXECUTE format('CREATE TABLE %1$I_p2 PARTITION OF %1$I FOR VALUES FROM (10) TO (20)', name);
    EXECUTE format('CREATE TABLE %1$I_p3 PARTITION OF %1$I FOR VALUES FROM (20) TO (30)', name);
    EXECUTE format($q$INSERT INTO %I VALUES (1, 1, 'a1'), (1, 11, 'a11'), (2, 2, 'b2'), (2, 5, 'b5'),
        (2, 12, 'b12'), (3, 3, 'c3'), (3, 13, 'c13'), (4, 14, 'd14'), (4, 15, 'd15'), (5, 5, 'e5'),
        (6, 25, 'f25'), (6, 6, 'f6')$q$, name);
    PERFORM register_versioned_table(name::regclass, '{id}', '{v}', strategy => strategy);
END
$$;

SELECT make_parts('pf', 'flag'), make_parts('pt', 'table');
SELECT versioned_state('pf'), versioned_state('pt');

-- DROP of a partition holding current rows: keys 1-3 fall back to p1, key 4
-- has no version left and no current row; other keys are untouched.
DROP TABLE pf_p2;
DROP TABLE pt_p2;
SELECT * FROM pf_current ORDER BY id;
SELECT * FROM pt_current ORDER BY id;
SELECT id, current_relation FROM pf_heads ORDER BY id;
SELECT versioned_state('pf'), versioned_state('pt');

-- The next insert of such a key works and is decided against what remains
-- (before the repair, 'flag' failed with 42703 on the dropped partition).
INSERT INTO pf VALUES (1, 7, 'a7'), (4, 8, 'd8'), (2, 4, 'b4');
INSERT INTO pt VALUES (1, 7, 'a7'), (4, 8, 'd8'), (2, 4, 'b4');
SELECT * FROM pf_current ORDER BY id;
SELECT * FROM pt_current ORDER BY id;
SELECT versioned_state('pf'), versioned_state('pt');

-- A dropped partition rolled back leaves everything as before.
BEGIN;
DROP TABLE pf_p3;
DROP TABLE pt_p3;
SELECT versioned_state('pf'), versioned_state('pt');
ROLLBACK;
SELECT * FROM pf_current WHERE id = 6;
SELECT * FROM pt_current WHERE id = 6;
SELECT versioned_state('pf'), versioned_state('pt');

-- DETACH of a partition holding a current row (key 6): the key falls back
-- to p1.  The detached table keeps its rows (and their old flags).
ALTER TABLE pf DETACH PARTITION pf_p3;
ALTER TABLE pt DETACH PARTITION pt_p3;
SELECT * FROM pf_current WHERE id = 6;
SELECT * FROM pt_current WHERE id = 6;
SELECT count(*) AS rows_kept FROM pf_p3;
SELECT versioned_state('pf'), versioned_state('pt');

-- DETACH ... CONCURRENTLY (two transactions) repairs the same way.
CREATE TABLE pf_p5 PARTITION OF pf FOR VALUES FROM (30) TO (40);
CREATE TABLE pt_p5 PARTITION OF pt FOR VALUES FROM (30) TO (40);
INSERT INTO pf VALUES (6, 35, 'f35');
INSERT INTO pt VALUES (6, 35, 'f35');
SELECT (SELECT x FROM pf_current WHERE id = 6) AS flag_before, (SELECT x FROM pt_current WHERE id = 6) AS table_before;
ALTER TABLE pf DETACH PARTITION pf_p5 CONCURRENTLY;
ALTER TABLE pt DETACH PARTITION pt_p5 CONCURRENTLY;
SELECT * FROM pf_current WHERE id = 6;
SELECT * FROM pt_current WHERE id = 6;
SELECT versioned_state('pf'), versioned_state('pt');
DROP TABLE pf_p5, pt_p5;

-- DETACH of an empty partition, and of one holding no current row.
CREATE TABLE pf_p4 PARTITION OF pf FOR VALUES FROM (40) TO (50);
CREATE TABLE pt_p4 PARTITION OF pt FOR VALUES FROM (40) TO (50);
ALTER TABLE pf DETACH PARTITION pf_p4;
ALTER TABLE pt DETACH PARTITION pt_p4;
INSERT INTO pf_p4 VALUES (5, 45, 'e45');
INSERT INTO pt_p4 VALUES (5, 45, 'e45');
SELECT versioned_state('pf'), versioned_state('pt');

-- ATTACH of a partition with rows: a newer version of key 5 (pf_p4), then
-- p3 again: a newer version of key 6 flagged from before, and a new key.
-- Rows older than the current ones stay history, whatever their flag.
ALTER TABLE pf ATTACH PARTITION pf_p4 FOR VALUES FROM (40) TO (50);
ALTER TABLE pt ATTACH PARTITION pt_p4 FOR VALUES FROM (40) TO (50);
SELECT * FROM pf_current WHERE id = 5;
SELECT * FROM pt_current WHERE id = 5;
INSERT INTO pf_p3 VALUES (7, 21, 'g21');
INSERT INTO pt_p3 VALUES (7, 21, 'g21');
ALTER TABLE pf ATTACH PARTITION pf_p3 FOR VALUES FROM (20) TO (30);
ALTER TABLE pt ATTACH PARTITION pt_p3 FOR VALUES FROM (20) TO (30);
SELECT * FROM pf_current ORDER BY id;
SELECT * FROM pt_current ORDER BY id;
SELECT versioned_state('pf'), versioned_state('pt');
CREATE TABLE pf_old (LIKE pf);
CREATE TABLE pt_old (LIKE pt);
INSERT INTO pf_old VALUES (1, -5, 'a-5', true), (8, -1, 'h-1', true), (8, -2, 'h-2', true);
INSERT INTO pt_old VALUES (1, -5, 'a-5'), (8, -1, 'h-1'), (8, -2, 'h-2');
ALTER TABLE pf ATTACH PARTITION pf_old FOR VALUES FROM (-10) TO (0);
ALTER TABLE pt ATTACH PARTITION pt_old FOR VALUES FROM (-10) TO (0);
SELECT * FROM pf_current WHERE id IN (1, 8) ORDER BY id;
SELECT * FROM pt_current WHERE id IN (1, 8) ORDER BY id;
SELECT tableoid::regclass, * FROM pf WHERE current AND id IN (1, 8) ORDER BY id;
SELECT versioned_state('pf'), versioned_state('pt');

-- Partitions in another schema, dropped by DROP SCHEMA ... CASCADE; a
-- sub-partitioned partition dropped with its leaves.
CREATE SCHEMA pf_archive;
CREATE TABLE pf_archive.p5 PARTITION OF pf FOR VALUES FROM (50) TO (60);
CREATE TABLE pf_archive.p6 PARTITION OF pt FOR VALUES FROM (50) TO (60);
INSERT INTO pf VALUES (5, 55, 'e55'), (9, 51, 'i51');
INSERT INTO pt VALUES (5, 55, 'e55'), (9, 51, 'i51');
DROP SCHEMA pf_archive CASCADE;
SELECT * FROM pf_current WHERE id IN (5, 9) ORDER BY id;
SELECT * FROM pt_current WHERE id IN (5, 9) ORDER BY id;
SELECT versioned_state('pf'), versioned_state('pt');
CREATE TABLE pf_p6 PARTITION OF pf FOR VALUES FROM (60) TO (80) PARTITION BY RANGE (v);
CREATE TABLE pf_p6a PARTITION OF pf_p6 FOR VALUES FROM (60) TO (70);
CREATE TABLE pf_p6b PARTITION OF pf_p6 FOR VALUES FROM (70) TO (80);
INSERT INTO pf VALUES (1, 61, 'a61'), (1, 71, 'a71'), (10, 65, 'j65');
DROP TABLE pf_p6;
SELECT * FROM pf_current WHERE id IN (1, 10) ORDER BY id;
SELECT versioned_state('pf');

-- Tombstones: a key whose remaining newest version is a tombstone leaves
-- the view; the 'table' current table keeps it as its current row.
CREATE TABLE acct (id int, v int, bal int, gone boolean NOT NULL DEFAULT false) PARTITION BY RANGE (v);
CREATE TABLE acct_p1 PARTITION OF acct FOR VALUES FROM (0) TO (10);
CREATE TABLE acct_p2 PARTITION OF acct FOR VALUES FROM (10) TO (20);
INSERT INTO acct VALUES (1, 1, 10, false), (1, 2, 0, true), (1, 11, 20, false), (2, 12, 5, false);
SELECT register_versioned_table('acct', '{id}', '{v}', strategy => 'table', deleted_column => 'gone');
DROP TABLE acct_p2;
SELECT * FROM acct_current;
SELECT * FROM acct_current_rows;
SELECT check_versioned_table('acct');

-- rebuild_versioned_table repairs strategy 'table' too: TRUNCATE of a single
-- partition is not followed (no trigger fires on the parent).
TRUNCATE pt_p1;
SELECT check_versioned_table('pt') > 0 AS broken;
SET client_min_messages = warning;  -- the progress notices show timings
CALL rebuild_versioned_table('pt', batch_size => 2);
RESET client_min_messages;
SELECT versioned_state('pt');
SELECT * FROM pt_current ORDER BY id;

-- Composite keys and versions, text keys with a collation.
CREATE TABLE trk (market text COLLATE "C", id int, day date, seq int, px numeric) PARTITION BY RANGE (day);
CREATE TABLE trk_d1 PARTITION OF trk FOR VALUES FROM ('2024-01-01') TO ('2024-01-02');
CREATE TABLE trk_d2 PARTITION OF trk FOR VALUES FROM ('2024-01-02') TO ('2024-01-03');
INSERT INTO trk VALUES ('m', 1, '2024-01-01', 1, 1.0), ('m', 1, '2024-01-02', 0, 1.1),
                       ('m', 2, '2024-01-01', 5, 2.0), ('m', 2, '2024-01-01', 6, 2.1),
                       ('n', 1, '2024-01-02', 3, 3.0);
CREATE TABLE trk_t (LIKE trk) PARTITION BY RANGE (day);
CREATE TABLE trk_t_d1 PARTITION OF trk_t FOR VALUES FROM ('2024-01-01') TO ('2024-01-02');
CREATE TABLE trk_t_d2 PARTITION OF trk_t FOR VALUES FROM ('2024-01-02') TO ('2024-01-03');
INSERT INTO trk_t SELECT * FROM trk;
SELECT register_versioned_table('trk', '{market, id}', '{day, seq}');
SELECT register_versioned_table('trk_t', '{market, id}', '{day, seq}', strategy => 'table');
ALTER TABLE trk DETACH PARTITION trk_d2;
ALTER TABLE trk_t DETACH PARTITION trk_t_d2;
SELECT * FROM trk_current ORDER BY market, id;
SELECT * FROM trk_t_current ORDER BY market, id;
SELECT oracle_diff('trk_current', 'trk', 'market, id', 'day, seq') AS flag_diff,
       oracle_diff('trk_t_current', 'trk_t', 'market, id', 'day, seq') AS table_diff,
       check_versioned_table('trk') AS flag_check, check_versioned_table('trk_t') AS table_check;
ALTER TABLE trk ATTACH PARTITION trk_d2 FOR VALUES FROM ('2024-01-02') TO ('2024-01-03');
ALTER TABLE trk_t ATTACH PARTITION trk_t_d2 FOR VALUES FROM ('2024-01-02') TO ('2024-01-03');
DROP TABLE trk_d1;
DROP TABLE trk_t_d1;
SELECT * FROM trk_current ORDER BY market, id;
SELECT * FROM trk_t_current ORDER BY market, id;
SELECT oracle_diff('trk_current', 'trk', 'market, id', 'day, seq') AS flag_diff,
       oracle_diff('trk_t_current', 'trk_t', 'market, id', 'day, seq') AS table_diff,
       check_versioned_table('trk') AS flag_check, check_versioned_table('trk_t') AS table_check;

-- Event triggers do not fire under session_replication_role = replica: a
-- write that meets the dropped partition says so, and a rebuild repairs.
CREATE TABLE trk_d3 PARTITION OF trk FOR VALUES FROM ('2024-01-03') TO ('2024-01-04');
INSERT INTO trk VALUES ('m', 1, '2024-01-03', 0, 1.3);
SET session_replication_role = replica;
DROP TABLE trk_d3;
RESET session_replication_role;
SELECT regexp_replace(expect_error($$INSERT INTO trk VALUES ('m', 1, '2024-01-02', 9, 1.4)$$),
                      'relation \d+', 'relation N') AS error;
SET client_min_messages = warning;
CALL rebuild_versioned_table('trk');
RESET client_min_messages;
INSERT INTO trk VALUES ('m', 1, '2024-01-02', 9, 1.4);
SELECT * FROM trk_current WHERE market = 'm' AND id = 1;
SELECT oracle_diff('trk_current', 'trk', 'market, id', 'day, seq') AS flag_diff,
       check_versioned_table('trk') AS flag_check;

-- Dropping the last partitions leaves no current row.
DROP TABLE pf_p1, pf_p3, pf_p4, pf_old;
DROP TABLE pt_p1, pt_p3, pt_p4, pt_old;
SELECT count(*) AS flag_current, (SELECT count(*) FROM pf_heads) AS heads,
       (SELECT count(*) FROM pt_current) AS table_current FROM pf_current;
SELECT versioned_state('pf'), versioned_state('pt');

-- A role that owns a partition but not the registered table cannot drop
-- the partition: its keys could not be recomputed.  Nothing changes.
CREATE ROLE regress_cv_part_owner;
CREATE TABLE pf_p7 PARTITION OF pf FOR VALUES FROM (80) TO (90);
INSERT INTO pf VALUES (1, 81, 'a81');
ALTER TABLE pf_p7 OWNER TO regress_cv_part_owner;
SET ROLE regress_cv_part_owner;
SELECT expect_error('DROP TABLE pf_p7');
RESET ROLE;
SELECT * FROM pf_current;
SELECT versioned_state('pf');
DROP TABLE pf_p7;
DROP ROLE regress_cv_part_owner;
