-- Composite versions (block time, sequence number): the default
-- next_version keeps the block and takes the next sequence number, the
-- as-of functions take a prefix of the version (the latest version within
-- it, inclusive), a null version argument is an error, and an as-of
-- filtered on the key plans as an index scan.  Every answer is compared
-- with a DISTINCT ON oracle over the history.
SET client_min_messages = warning;
CREATE TABLE blocks (id int, vega_time timestamptz, seq_num int, qty int,
                     PRIMARY KEY (id, vega_time, seq_num));
INSERT INTO blocks
SELECT i % 50, '2023-01-10'::timestamptz + (i / 50) * interval '1 day', i % 3, i
FROM generate_series(1, 1000) i;
SELECT register_versioned_table('blocks', '{id}', '{vega_time,seq_num}', strategy => 'table');
SELECT next_version FROM current_view_internal.versioned_table_registry WHERE table_name = 'blocks';

-- Writes through the view: same block, next sequence number, never a
-- unique violation, never wall-clock time.
UPDATE blocks_current SET qty = -1 WHERE id IN (1, 2);
UPDATE blocks_current SET qty = -2 WHERE id = 1;
SELECT id, vega_time, seq_num, qty FROM blocks WHERE id = 1 ORDER BY vega_time DESC, seq_num DESC LIMIT 3;
SELECT blocks_revert(1, (SELECT vega_time FROM blocks WHERE id = 1 AND qty = -1),
                     (SELECT seq_num FROM blocks WHERE id = 1 AND qty = -1));
SELECT id, vega_time, seq_num, qty FROM blocks_current WHERE id = 1;
-- The current table equals the oracle.
SELECT count(*) AS mismatches FROM (
    (SELECT * FROM blocks_current EXCEPT ALL
     SELECT * FROM (SELECT DISTINCT ON (id) * FROM blocks ORDER BY id, vega_time DESC, seq_num DESC) o)
    UNION ALL
    (SELECT * FROM (SELECT DISTINCT ON (id) * FROM blocks ORDER BY id, vega_time DESC, seq_num DESC) o
     EXCEPT ALL SELECT * FROM blocks_current)) d;

-- Prefix as-of: every block day and one between, inclusive, against the oracle.
CREATE FUNCTION blocks_oracle(t timestamptz) RETURNS SETOF blocks LANGUAGE sql AS $$
    SELECT DISTINCT ON (id) * FROM blocks WHERE vega_time <= t ORDER BY id, vega_time DESC, seq_num DESC
$$;
SELECT count(*) AS mismatches FROM generate_series('2023-01-09'::timestamptz, '2023-02-01', interval '12 hours') t,
LATERAL (
    (SELECT * FROM blocks_as_of(t) EXCEPT ALL SELECT * FROM blocks_oracle(t))
    UNION ALL
    (SELECT * FROM blocks_oracle(t) EXCEPT ALL SELECT * FROM blocks_as_of(t))) d;
SELECT count(*) AS mismatches FROM generate_series('2023-01-09'::timestamptz, '2023-02-01', interval '12 hours') t,
    generate_series(0, 49) k
WHERE (SELECT b FROM blocks_key_as_of(k, t) b) IS DISTINCT FROM
      (SELECT b FROM blocks_oracle(t) b WHERE b.id = k);
-- The whole version is inclusive too.
SELECT count(*) AS mismatches FROM (SELECT DISTINCT vega_time, seq_num FROM blocks) v,
LATERAL (
    (SELECT * FROM blocks_as_of(v.vega_time, v.seq_num) EXCEPT ALL
     SELECT * FROM (SELECT DISTINCT ON (id) * FROM blocks WHERE (vega_time, seq_num) <= (v.vega_time, v.seq_num)
                    ORDER BY id, vega_time DESC, seq_num DESC) o)
    UNION ALL
    (SELECT * FROM (SELECT DISTINCT ON (id) * FROM blocks WHERE (vega_time, seq_num) <= (v.vega_time, v.seq_num)
                    ORDER BY id, vega_time DESC, seq_num DESC) o
     EXCEPT ALL SELECT * FROM blocks_as_of(v.vega_time, v.seq_num))) d;

-- A null version argument is an error, not "strictly before".
\set VERBOSITY terse
SELECT * FROM blocks_as_of(NULL);
SELECT * FROM blocks_as_of('2023-01-15', NULL);
SELECT * FROM blocks_key_as_of(1, NULL);
\set VERBOSITY default

-- Filtered on the key, the as-of is an index scan of the primary key.
ANALYZE blocks;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM blocks_as_of('2023-01-15') WHERE id = 5;
RESET enable_seqscan;

-- A unique index without the key (a table-wide block sequence): no
-- default next_version (a clear 0A000 on a write), not a unique violation.
CREATE TABLE block_trades (id int, vega_time timestamptz, seq_num int, px int,
                     PRIMARY KEY (id, vega_time, seq_num), UNIQUE (vega_time, seq_num));
INSERT INTO block_trades VALUES (1, '2023-01-10', 0, 1), (2, '2023-01-10', 1, 2);
SELECT register_versioned_table('block_trades', '{id}', '{vega_time,seq_num}', strategy => 'table');
SELECT next_version FROM current_view_internal.versioned_table_registry WHERE table_name = 'block_trades';
\set VERBOSITY terse
UPDATE block_trades_current SET px = 3 WHERE id = 1;
\set VERBOSITY default

-- Renaming the sequence column keeps the default, under the new name.
ALTER TABLE blocks RENAME seq_num TO seq;
SELECT next_version FROM current_view_internal.versioned_table_registry WHERE table_name = 'blocks';
UPDATE blocks_current SET qty = -3 WHERE id = 3;
SELECT count(*) AS mismatches FROM (
    (SELECT * FROM blocks_current EXCEPT ALL
     SELECT * FROM (SELECT DISTINCT ON (id) * FROM blocks ORDER BY id, vega_time DESC, seq DESC) o)
    UNION ALL
    (SELECT * FROM (SELECT DISTINCT ON (id) * FROM blocks ORDER BY id, vega_time DESC, seq DESC) o
     EXCEPT ALL SELECT * FROM blocks_current)) d;
SELECT count(*) FROM blocks_as_of('2023-02-01');

SELECT unregister_versioned_table('block_trades');
SELECT unregister_versioned_table('blocks');
DROP FUNCTION blocks_oracle(timestamptz);
DROP TABLE blocks, block_trades;
