-- Rule: VACUUM FULL and CLUSTER of a registered table (every row moves to a
-- new place, the table keeps its OID) change no current row, and the writes
-- that follow keep them right: 'flag' plain and partitioned, 'table' with
-- its current table rewritten too.
CREATE TABLE rw_flag (id int, v int, x text, PRIMARY KEY (id, v));
CREATE TABLE rw_part (id int, v int, x text, PRIMARY KEY (id, v)) PARTITION BY RANGE (v);
CREATE TABLE rw_part_1 PARTITION OF rw_part FOR VALUES FROM (MINVALUE) TO (50);
CREATE TABLE rw_part_2 PARTITION OF rw_part FOR VALUES FROM (50) TO (MAXVALUE);
CREATE TABLE rw_table (id int, v int, x text, PRIMARY KEY (id, v));
INSERT INTO rw_flag SELECT i % 20, i, 'x' || i FROM generate_series(1, 100) i;
INSERT INTO rw_part SELECT * FROM rw_flag;
INSERT INTO rw_table SELECT * FROM rw_flag;
SELECT register_versioned_table('rw_flag', '{id}', '{v}');
SELECT register_versioned_table('rw_part', '{id}', '{v}');
SELECT register_versioned_table('rw_table', '{id}', '{v}', strategy => 'table');
-- Dead rows, so that the rewrite moves the live ones.
DELETE FROM rw_flag WHERE v % 3 = 0;
DELETE FROM rw_part WHERE v % 3 = 0;
DELETE FROM rw_table WHERE v % 3 = 0;
CREATE TEMP TABLE rw_before AS SELECT ctid AS row_id FROM rw_flag WHERE current;

VACUUM FULL rw_flag;
VACUUM FULL rw_part;
VACUUM FULL rw_table, rw_table_current;
SELECT count(*) > 0 AS current_rows_moved
FROM rw_before b WHERE NOT EXISTS (SELECT 1 FROM rw_flag f WHERE f.ctid = b.row_id AND f.current);
SELECT versioned_state('rw_flag'), versioned_state('rw_part'), versioned_state('rw_table');

CLUSTER rw_flag USING rw_flag_pkey;
CLUSTER rw_part_2 USING rw_part_2_pkey;
CLUSTER rw_table USING rw_table_pkey;
CLUSTER rw_table_current USING rw_table_current_pkey;
SELECT versioned_state('rw_flag'), versioned_state('rw_part'), versioned_state('rw_table');

-- Writes after the rewrites: newer, older and tied versions, deletes of the
-- current row, key and version updates, and updates through the views.
CREATE FUNCTION rw_writes(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$
        INSERT INTO %1$s VALUES (1, 200, 'newer'), (2, 3, 'older'), (30, 1, 'new key');
        DELETE FROM %1$s WHERE id = 3 AND v = (SELECT max(v) FROM %1$s WHERE id = 3);
        UPDATE %1$s SET v = 300 WHERE id = 4 AND v = 4;
        UPDATE %1$s SET id = 31 WHERE id = 5 AND v = 5;
        UPDATE %1$s_current SET x = 'through view', v = 400 WHERE id = 6$q$, tbl);
END
$$;
SELECT rw_writes('rw_flag'), rw_writes('rw_part'), rw_writes('rw_table');
SELECT id, v, x FROM rw_flag_current WHERE id IN (1, 2, 3, 4, 5, 6, 30, 31) ORDER BY id;
SELECT versioned_state('rw_flag'), versioned_state('rw_part'), versioned_state('rw_table');
SELECT (SELECT array_agg(ROW(id, v, x) ORDER BY id) FROM rw_flag_current)
     = (SELECT array_agg(ROW(id, v, x) ORDER BY id) FROM rw_part_current) AS flag_equals_partitioned,
       (SELECT array_agg(ROW(id, v, x) ORDER BY id) FROM rw_flag_current)
     = (SELECT array_agg(ROW(id, v, x) ORDER BY id) FROM rw_table_current) AS flag_equals_table;
