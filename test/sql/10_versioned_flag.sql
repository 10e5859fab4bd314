-- Strategy 'flag': rule 1 and 2 of the versioned-table issue.
CREATE TABLE orders (id int, ts timestamptz, market_id int, qty int,
                     PRIMARY KEY (id, ts));
-- History before registration, with an out-of-order version and a tie.
INSERT INTO orders VALUES
    (1, '2024-01-01', 10, 1), (1, '2024-01-03', 10, 3), (1, '2024-01-02', 11, 2),
    (2, '2024-01-05', 20, 5),
    (3, '2024-01-01', 30, 7);
SELECT register_versioned_table('orders', '{id}', '{ts}',
                                current_indexes => ARRAY['market_id', '"qty" DESC']);

-- Objects created: flag column, heads table, partial indexes, view, triggers.
SELECT attname, format_type(atttypid, atttypmod), attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE attrelid = 'orders'::regclass AND attname = 'current';
SELECT indexrelid::regclass, indisunique, pg_get_indexdef(indexrelid)
FROM pg_index WHERE indrelid = 'orders'::regclass ORDER BY 1::text;
SELECT tgname, tgtype FROM pg_trigger WHERE tgrelid = 'orders'::regclass ORDER BY tgname;
SELECT pg_get_viewdef('orders_current');
SELECT * FROM versioned_tables;

-- Backfill picked the greatest version per key.
SELECT id, ts, current FROM orders ORDER BY id, ts;
SELECT oracle_diff('orders_current', 'orders', 'id', 'ts');

-- Single-row, multi-row (several versions of one key, out of order), INSERT
-- ... SELECT, COPY, a version older than the current one, a new key.
INSERT INTO orders VALUES (2, '2024-01-06', 21, 6);
INSERT INTO orders VALUES (1, '2024-01-10', 12, 10), (1, '2024-01-08', 12, 8),
                          (4, '2024-01-02', 40, 2), (4, '2024-01-01', 40, 1);
INSERT INTO orders SELECT 3, '2024-01-01'::timestamptz + g * interval '1 hour', 30 + g, g
FROM generate_series(5, 1, -1) g;
COPY orders (id, ts, market_id, qty) FROM stdin;
5	2024-02-01	50	1
5	2024-01-01	50	0
2	2024-01-04	20	4
\.
SELECT id, ts, market_id, qty, current FROM orders ORDER BY id, ts;
SELECT oracle_diff('orders_current', 'orders', 'id', 'ts');
SELECT check_versioned_table('orders');

-- The current value supplied by a writer is ignored on INSERT.
INSERT INTO orders (id, ts, market_id, qty, current) VALUES (5, '2023-01-01', 50, 0, true);
SELECT count(*) FILTER (WHERE current) AS currents FROM orders WHERE id = 5;

-- Ties: among equal versions the row inserted last wins, in one statement or
-- in several.
CREATE TABLE ticks (k text, v int, payload text);
SELECT register_versioned_table('ticks', '{k}', '{v}');
INSERT INTO ticks VALUES ('a', 1, 'first'), ('a', 1, 'second');
INSERT INTO ticks VALUES ('a', 1, 'third');
INSERT INTO ticks VALUES ('b', 2, 'x'), ('b', 1, 'y'), ('b', 2, 'z');
SELECT * FROM ticks_current ORDER BY k;
SELECT oracle_diff('ticks_current', 'ticks', 'k', 'v');

-- Filter by a non-key column goes through the partial index.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM orders_current WHERE market_id = 12;
RESET enable_seqscan;
SELECT id, ts, qty FROM orders_current WHERE market_id = 12;
