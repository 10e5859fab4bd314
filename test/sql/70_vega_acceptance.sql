-- Rule (acceptance, issue 15): a Vega-shaped datanode schema keeps right
-- current rows through everything its ingestion and retention do.  Orders
-- are versioned by (vega_time, seq_num) with strategy 'flag' and Vega's
-- orders_live partial index; positions and balances use strategy 'table';
-- all three are partitioned by day on vega_time, with a default partition.
-- The history arrives in a bulk INSERT ... SELECT (the statement path), late
-- versions (older than the current one, into older partitions), several
-- versions of an order in one block, single-row inserts; then the oldest
-- day is dropped (retention), versions are written through the views, and
-- as-of queries are asked at several points.  Every step is compared with
-- the DISTINCT ON oracle of 01_setup (oracle_query_diff, EXCEPT ALL both
-- ways, on every column) and with check_versioned_table.
SET TimeZone = 'UTC';
SET client_min_messages = warning;
CREATE SCHEMA vega;
SET search_path = vega, public;

-- Daily partitions from 2024-03-01 to 2024-03-08, and a default partition
-- (what pg_partman keeps) for versions outside them.
CREATE FUNCTION vega.daily_partitions(tbl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR d IN 0..7 LOOP
        EXECUTE format('CREATE TABLE vega.%I PARTITION OF vega.%I FOR VALUES FROM (%L) TO (%L)',
                       tbl || '_' || to_char(date '2024-03-01' + d, 'YYYYMMDD'), tbl,
                       date '2024-03-01' + d, date '2024-03-01' + d + 1);
    END LOOP;
    EXECUTE format('CREATE TABLE vega.%I PARTITION OF vega.%I DEFAULT', tbl || '_default', tbl);
END
$$;

CREATE TABLE orders (
    id bytea NOT NULL,
    market_id bytea NOT NULL,
    party_id bytea NOT NULL,
    side smallint NOT NULL,
    price numeric NOT NULL,
    size bigint NOT NULL,
    remaining bigint NOT NULL,
    time_in_force smallint NOT NULL,
    type smallint NOT NULL,
    status int NOT NULL,
    reference text,
    version int NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz,
    seq_num bigint NOT NULL,
    vega_time timestamptz NOT NULL,
    PRIMARY KEY (vega_time, seq_num, id)
) PARTITION BY RANGE (vega_time);
SELECT daily_partitions('orders');
CREATE TABLE positions (
    market_id bytea NOT NULL,
    party_id bytea NOT NULL,
    open_volume bigint NOT NULL,
    realised_pnl numeric NOT NULL,
    unrealised_pnl numeric NOT NULL,
    average_entry_price numeric NOT NULL,
    closed boolean NOT NULL DEFAULT false,
    vega_time timestamptz NOT NULL,
    PRIMARY KEY (party_id, market_id, vega_time)
) PARTITION BY RANGE (vega_time);
SELECT daily_partitions('positions');
CREATE TABLE balances (
    account_id bytea NOT NULL,
    balance numeric NOT NULL,
    tx_hash bytea,
    vega_time timestamptz NOT NULL,
    PRIMARY KEY (account_id, vega_time)
) PARTITION BY RANGE (vega_time);
SELECT daily_partitions('balances');

-- An order's next version through its view is the next sequence number of
-- the same block (the default for a composite version), a position's or
-- balance's the next second.
SELECT register_versioned_table('orders', '{id}', '{vega_time, seq_num}',
    current_indexes => ARRAY['(market_id, created_at DESC) WHERE status IN (1, 8)',
                             'party_id, created_at DESC', '(reference)']);
SELECT next_version FROM current_view_internal.versioned_table_registry WHERE table_schema = 'vega' AND table_name = 'orders';
SELECT register_versioned_table('positions', '{market_id, party_id}', '{vega_time}',
    strategy => 'table', deleted_column => 'closed',
    current_indexes => ARRAY['(party_id) WHERE open_volume <> 0'],
    next_version => ARRAY[$$vega_time + interval '1 second'$$]);
SELECT register_versioned_table('balances', '{account_id}', '{vega_time}',
    strategy => 'table', current_indexes => ARRAY['(account_id) INCLUDE (balance)'],
    next_version => ARRAY[$$vega_time + interval '1 second'$$]);
SELECT table_name, strategy, key_columns, version_columns, current_indexes
FROM versioned_tables WHERE table_name::text LIKE 'vega.%' ORDER BY 1;

-- The checks compare every column of a table but the flag.
CREATE FUNCTION vega.cols(tbl regclass) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
    WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped AND attname <> 'current'
$$;
SELECT vega.cols('orders');
-- The state of the three tables: each current relation against its oracle
-- (positions without the keys whose newest version closed them), and
-- check_versioned_table.
CREATE FUNCTION vega.state() RETURNS TABLE (tbl text, oracle_diff bigint, check_diff bigint, current_rows bigint)
LANGUAGE sql AS $$
    SELECT 'orders', oracle_query_diff('vega.orders_current', 'vega.orders', 'id', 'vega_time, seq_num',
                                       vega.cols('vega.orders')),
           check_versioned_table('vega.orders'), (SELECT count(*) FROM vega.orders_current)
    UNION ALL
    SELECT 'positions', oracle_query_diff('vega.positions_current', 'vega.positions', 'market_id, party_id',
                                          'vega_time', vega.cols('vega.positions'), live => 'NOT closed'),
           check_versioned_table('vega.positions'), (SELECT count(*) FROM vega.positions_current)
    UNION ALL
    SELECT 'balances', oracle_query_diff('vega.balances_current', 'vega.balances', 'account_id', 'vega_time',
                                         vega.cols('vega.balances')),
           check_versioned_table('vega.balances'), (SELECT count(*) FROM vega.balances_current)
$$;

-- The history of the orders.  Order k (1..3000) is created on day
-- 1 + k % 7 in market k % 6 by party k % 97 and has 1 + k % 4 versions,
-- 9 hours apart (so that some cross into the next day's partition), or, for
-- every fifth order, all in the block it was created in (same vega_time,
-- increasing seq_num: an order amended or filled in its own block).  Its
-- last version is active (1), filled (5), cancelled (3) or parked (8).
-- Orders 7, 77, ... (k % 77 = 0) also have a version from February (the
-- default partition), so that the drop of the first day leaves them one.
CREATE TABLE vega.order_history AS
SELECT int4send(k) AS id, int4send(k % 6) AS market_id, int4send(k % 97) AS party_id,
       (k % 2 + 1)::smallint AS side, 100 + k % 37 + n * 0.25 AS price, 10 + k % 13 AS size,
       greatest(10 + k % 13 - n + 1, 0) AS remaining, 1::smallint AS time_in_force, 2::smallint AS type,
       CASE WHEN n < last THEN 1 + 7 * (n % 2) ELSE (ARRAY[1, 5, 3, 8])[1 + k % 4] END AS status,
       'ref-' || k AS reference, n AS version, t0 AS created_at,
       CASE WHEN n > 1 THEN vt END AS updated_at, (k % 1000) * 10 + n AS seq_num, vt AS vega_time,
       k, n, last
FROM generate_series(1, 3000) k,
     LATERAL (SELECT timestamptz '2024-03-01' + (k % 7) * interval '1 day' + (k % 500) * interval '1 s' AS t0,
                     1 + k % 4 AS last) c,
     LATERAL generate_series(1, last) n,
     LATERAL (SELECT t0 + CASE WHEN k % 5 = 0 THEN interval '0' ELSE (n - 1) * interval '9 hours' END AS vt) v
UNION ALL
SELECT int4send(k), int4send(k % 6), int4send(k % 97), 1::smallint, 90, 10, 10, 1::smallint, 2::smallint,
       1, 'ref-' || k, 0, timestamptz '2024-02-15', NULL, k, timestamptz '2024-02-15', k, 0, 1
FROM generate_series(77, 3000, 77) k;
SELECT count(*) AS versions, count(DISTINCT id) AS orders,
       count(*) FILTER (WHERE vega_time < '2024-03-02') AS on_first_day,
       count(*) FILTER (WHERE vega_time < '2024-03-01') AS in_default
FROM vega.order_history;

-- Held back, to arrive late: in a second bulk statement, the first version
-- of the orders k % 10 = 3 (older than their current one, in an older
-- partition) and every version after the first of the orders k % 10 in
-- (1, 5, 7); one statement each, every version after the first of the
-- orders k % 10 = 9 (their newest first, then the older ones; some in one
-- block).
CREATE VIEW vega.late AS
SELECT *, k % 10 = 9 AS one_by_one FROM vega.order_history
WHERE (k % 10 = 3 AND n = 1 AND last > 1) OR (k % 10 IN (1, 5, 7, 9) AND n > 1);

-- The bulk load, in an order of its own: the statement path (a user's AFTER
-- STATEMENT trigger sees its rows still deferred).
CREATE TABLE vega.deferred_seen (tbl text, deferred boolean);
CREATE FUNCTION vega.see_deferred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO vega.deferred_seen
    SELECT TG_TABLE_NAME, EXISTS (SELECT FROM pg_backend_memory_contexts
                                  WHERE name LIKE 'current_view deferred%');
    RETURN NULL;
END
$$;
CREATE TRIGGER see_deferred AFTER INSERT ON orders FOR EACH STATEMENT EXECUTE FUNCTION see_deferred();
SELECT setseed(0.15);
INSERT INTO orders
SELECT id, market_id, party_id, side, price, size, remaining, time_in_force, type, status, reference,
       version, created_at, updated_at, seq_num, vega_time
FROM vega.order_history h
WHERE NOT EXISTS (SELECT FROM vega.late l WHERE l.id = h.id AND l.n = h.n)
ORDER BY random();
DROP TRIGGER see_deferred ON orders;
SELECT * FROM vega.deferred_seen;
SELECT * FROM vega.state() WHERE tbl = 'orders';

-- The late versions: a bulk statement (the statement path again, now
-- deciding against current rows), then one statement each.
TRUNCATE vega.deferred_seen;
CREATE TRIGGER see_deferred AFTER INSERT ON orders FOR EACH STATEMENT EXECUTE FUNCTION see_deferred();
INSERT INTO orders
SELECT id, market_id, party_id, side, price, size, remaining, time_in_force, type, status, reference,
       version, created_at, updated_at, seq_num, vega_time
FROM vega.late WHERE NOT one_by_one ORDER BY random();
DROP TRIGGER see_deferred ON orders;
SELECT *, (SELECT count(*) FROM vega.late WHERE NOT one_by_one) AS rows FROM vega.deferred_seen;
SELECT * FROM vega.state() WHERE tbl = 'orders';
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM vega.late WHERE one_by_one ORDER BY k, vega_time DESC, seq_num DESC LOOP
        INSERT INTO vega.orders
        VALUES (r.id, r.market_id, r.party_id, r.side, r.price, r.size, r.remaining, r.time_in_force,
                r.type, r.status, r.reference, r.version, r.created_at, r.updated_at, r.seq_num, r.vega_time);
    END LOOP;
END
$$;
-- Two more versions of order 20 in its last block, the later one first.
SELECT vega_time, seq_num, status FROM orders_current WHERE id = int4send(20);
INSERT INTO orders SELECT id, market_id, party_id, side, price, size, 0, time_in_force, type, 5, reference,
       version + 2, created_at, vega_time, seq_num + 2, vega_time FROM orders_current WHERE id = int4send(20);
INSERT INTO orders SELECT id, market_id, party_id, side, price, size, 1, time_in_force, type, 8, reference,
       version, created_at, vega_time, seq_num - 1, vega_time FROM orders_current WHERE id = int4send(20);
SELECT vega_time, seq_num, status FROM orders WHERE id = int4send(20) ORDER BY vega_time, seq_num;
SELECT vega_time, seq_num, status, remaining FROM orders_current WHERE id = int4send(20);
SELECT count(*) = (SELECT count(*) FROM vega.order_history) + 2 AS all_versions_in,
       count(*) FILTER (WHERE current) AS current_rows FROM orders;
SELECT * FROM vega.state() WHERE tbl = 'orders';

-- Positions: 6 markets x 97 parties, each with 1 + (m + p) % 5 versions 29
-- hours apart from its first day, and one from February when
-- (m * p) % 7 = 3, loaded in one statement, out of time order; those with
-- (m + p) % 13 = 0 end closed (a tombstone).  Balances: 400 accounts,
-- 1 + a % 6 versions each 31 hours apart, and one from February for every
-- ninth, loaded in one statement too.
TRUNCATE vega.deferred_seen;
CREATE TRIGGER see_deferred AFTER INSERT ON positions FOR EACH STATEMENT EXECUTE FUNCTION see_deferred();
CREATE TRIGGER see_deferred AFTER INSERT ON balances FOR EACH STATEMENT EXECUTE FUNCTION see_deferred();
INSERT INTO positions
SELECT int4send(m), int4send(p), (m * p + j) % 21 - 10, j * 1.5, (m - p) * 0.5, 100 + j,
       (m + p) % 13 = 0 AND j = 1 + (m + p) % 5,
       timestamptz '2024-03-01' + ((m + p * 3) % 60 + (j - 1) * 29) * interval '1 hour'
FROM generate_series(0, 5) m, generate_series(0, 96) p, generate_series(1, 1 + (m + p) % 5) j
UNION ALL
SELECT int4send(m), int4send(p), 1, 0, 0, 100, false, '2024-02-15'
FROM generate_series(0, 5) m, generate_series(0, 96) p WHERE (m * p) % 7 = 3
ORDER BY 3, 1, 2, 8;
INSERT INTO balances
SELECT int4send(1000 + a), a * 10 + j, sha256(int4send(a * 10 + j)),
       timestamptz '2024-03-01' + ((a * 7) % 40 + (j - 1) * 31) * interval '1 hour'
FROM generate_series(1, 400) a, generate_series(1, 1 + a % 6) j
UNION ALL
SELECT int4send(1000 + a), 0, NULL, '2024-02-15' FROM generate_series(9, 400, 9) a
ORDER BY 2 DESC, 1;
DROP TRIGGER see_deferred ON positions;
DROP TRIGGER see_deferred ON balances;
SELECT * FROM vega.deferred_seen ORDER BY tbl;
-- Late single versions: older ones (history only) and newer ones.
INSERT INTO positions VALUES (int4send(1), int4send(1), 99, 0, 0, 0, false, '2024-03-01 00:30');
INSERT INTO positions VALUES (int4send(1), int4send(2), 77, 0, 0, 0, false, '2024-03-08 23:00');
INSERT INTO positions VALUES (int4send(0), int4send(13), 5, 0, 0, 0, false, '2024-03-08 22:00');
-- Market 7's position of party 1: open in February, closed on the first
-- day (it comes back when that day is dropped).
INSERT INTO positions VALUES (int4send(7), int4send(1), 4, 0, 0, 0, true, '2024-03-01 06:00');
INSERT INTO positions VALUES (int4send(7), int4send(1), 4, 0, 0, 0, false, '2024-02-15');
INSERT INTO balances VALUES (int4send(1001), 1, NULL, '2024-03-01 00:10');
INSERT INTO balances VALUES (int4send(1002), 2, NULL, '2024-03-08 23:59');
SELECT open_volume, vega_time FROM positions_current
WHERE (market_id, party_id) IN ((int4send(1), int4send(1)), (int4send(1), int4send(2)), (int4send(0), int4send(13)),
                                (int4send(7), int4send(1)))
ORDER BY 1;
SELECT * FROM vega.state();

-- As-of queries at several points, against the oracle over the versions
-- known then: the whole table, and every key by itself.
-- Orders also by block alone (the prefix as-of functions: the latest
-- version of the block, inclusive).
CREATE FUNCTION vega.as_of_diffs(t timestamptz, s bigint) RETURNS TABLE (at text, orders bigint, order_keys bigint,
    orders_in_block bigint, order_keys_in_block bigint,
    positions bigint, position_keys bigint, balances bigint, balance_keys bigint)
LANGUAGE sql AS $$
    SELECT format('%s, %s', t, s),
           oracle_query_diff(format('vega.orders_as_of(%L, %s)', t, s), 'vega.orders', 'id', 'vega_time, seq_num',
                             vega.cols('vega.orders'), upto => format('(vega_time, seq_num) <= (%L, %s)', t, s)),
           oracle_query_diff(format('(SELECT k.* FROM (SELECT DISTINCT id FROM vega.orders) i,
                                      vega.orders_key_as_of(i.id, %L, %s) k) a', t, s),
                             'vega.orders', 'id', 'vega_time, seq_num',
                             vega.cols('vega.orders'), upto => format('(vega_time, seq_num) <= (%L, %s)', t, s)),
           oracle_query_diff(format('vega.orders_as_of(%L)', t), 'vega.orders', 'id', 'vega_time, seq_num',
                             vega.cols('vega.orders'), upto => format('vega_time <= %L', t)),
           oracle_query_diff(format('(SELECT k.* FROM (SELECT DISTINCT id FROM vega.orders) i,
                                      vega.orders_key_as_of(i.id, %L) k) a', t),
                             'vega.orders', 'id', 'vega_time, seq_num',
                             vega.cols('vega.orders'), upto => format('vega_time <= %L', t)),
           oracle_query_diff(format('vega.positions_as_of(%L)', t), 'vega.positions', 'market_id, party_id',
                             'vega_time', vega.cols('vega.positions'), upto => format('vega_time <= %L', t),
                             live => 'NOT closed'),
           oracle_query_diff(format('(SELECT k.* FROM (SELECT DISTINCT market_id, party_id FROM vega.positions) i,
                                      vega.positions_key_as_of(i.market_id, i.party_id, %L) k) a', t),
                             'vega.positions', 'market_id, party_id', 'vega_time', vega.cols('vega.positions'),
                             upto => format('vega_time <= %L', t), live => 'NOT closed'),
           oracle_query_diff(format('vega.balances_as_of(%L)', t), 'vega.balances', 'account_id', 'vega_time',
                             vega.cols('vega.balances'), upto => format('vega_time <= %L', t)),
           oracle_query_diff(format('(SELECT k.* FROM (SELECT DISTINCT account_id FROM vega.balances) i,
                                      vega.balances_key_as_of(i.account_id, %L) k) a', t),
                             'vega.balances', 'account_id', 'vega_time', vega.cols('vega.balances'),
                             upto => format('vega_time <= %L', t))
$$;
-- The points: before everything, in February, in the first day, within a
-- block of several versions (order 5's block: seq_num 52 of 51..52), later
-- days, after everything.
SELECT vega_time, seq_num FROM orders WHERE id = int4send(5) ORDER BY 1, 2;
SELECT d.* FROM (VALUES
    ('2024-01-01'::timestamptz, 0::bigint), ('2024-02-15', 1000), ('2024-03-01 12:00', 0),
    ('2024-03-06 00:00:05', 51), ('2024-03-06 00:00:05', 52), ('2024-03-04 09:00', 3000),
    ('2024-03-07 18:30', 0), ('2024-12-31', 0)) p(t, s), LATERAL as_of_diffs(p.t, p.s) d;
-- What the oracle checks is not empty: rows at those points.
SELECT (SELECT count(*) FROM orders_as_of('2024-03-01 12:00', 0)) AS orders_day1_noon,
       (SELECT count(*) FROM orders_as_of('2024-03-06 00:00:05', 51)) AS orders_in_block,
       (SELECT status FROM orders_key_as_of(int4send(5), '2024-03-06 00:00:05', 51)) AS order5_status_51,
       (SELECT status FROM orders_key_as_of(int4send(5), '2024-03-06 00:00:05', 52)) AS order5_status_52,
       (SELECT count(*) FROM positions_as_of('2024-03-04')) AS positions_mar4,
       (SELECT count(*) FROM balances_as_of('2024-03-04')) AS balances_mar4;

-- Vega's orders_live query on the view (market 3's live orders, newest
-- first): its plan, with sequential and bitmap scans off, reads the
-- partitions' indexes in their order; those indexes are the partitions' of
-- the registration's partial index; the query's rows against the oracle.
CREATE FUNCTION vega.live_orders_plan() RETURNS SETOF text LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off AS $$
BEGIN
    RETURN QUERY EXPLAIN (COSTS OFF)
        SELECT * FROM vega.orders_current WHERE market_id = int4send(3) AND status IN (1, 8)
        ORDER BY created_at DESC LIMIT 10;
END
$$;
CREATE FUNCTION vega.live_orders_index() RETURNS TABLE (parent_index text, partitions bigint, live_orders_diff bigint)
LANGUAGE sql AS $$
    SELECT pg_get_indexdef(i.inhparent), count(*),
           oracle_query_diff('(SELECT * FROM vega.orders_current WHERE market_id = int4send(3) AND status IN (1, 8)) l',
                             'vega.orders', 'id', 'vega_time, seq_num', vega.cols('vega.orders'),
                             live => 'market_id = int4send(3) AND status IN (1, 8)')
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE c.relname LIKE 'orders\_%\_market\_id\_created\_at\_idx' GROUP BY 1
$$;
ANALYZE orders, positions, balances;
SELECT * FROM live_orders_plan();
SELECT * FROM live_orders_index();
SELECT encode(id, 'hex') AS id, status, created_at FROM orders_current
WHERE market_id = int4send(3) AND status IN (1, 8) ORDER BY created_at DESC LIMIT 5;

-- Retention: the first day goes.  Orders created that day with every
-- version in it leave the current rows; those with a February version fall
-- back to it; those with a later version keep it.
-- The same for positions and balances (and a closed position comes back;
-- an empty current_on_day1 is a position closed before the drop).
CREATE VIEW vega.history_keys AS
SELECT 'orders' AS tbl, id AS key, vega_time, seq_num, false AS closed FROM orders
UNION ALL SELECT 'positions', market_id || party_id, vega_time, 0, closed FROM positions
UNION ALL SELECT 'balances', account_id, vega_time, 0, false FROM balances;
CREATE VIEW vega.current_keys AS
SELECT 'orders' AS tbl, id AS key, vega_time, seq_num FROM orders_current
UNION ALL SELECT 'positions', market_id || party_id, vega_time, 0 FROM positions_current
UNION ALL SELECT 'balances', account_id, vega_time, 0 FROM balances_current;
CREATE TABLE vega.before_drop AS
SELECT k.tbl, k.key, c.vega_time, c.seq_num, c.vega_time < '2024-03-02' AS current_on_day1,
       bool_or(h.vega_time < '2024-03-01') AS has_february,
       bool_or(h.vega_time >= '2024-03-02') AS has_later
FROM (SELECT DISTINCT tbl, key FROM vega.history_keys) k
LEFT JOIN vega.current_keys c USING (tbl, key) JOIN vega.history_keys h USING (tbl, key)
GROUP BY 1, 2, 3, 4;
SELECT tbl, current_on_day1, has_february, has_later, count(*) FROM vega.before_drop
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
DROP TABLE orders_20240301;
DROP TABLE positions_20240301;
DROP TABLE balances_20240301;
SELECT b.tbl, b.current_on_day1, b.has_february, b.has_later,
       count(*) AS keys, count(c.key) AS now_current,
       count(*) FILTER (WHERE c.vega_time < '2024-03-01') AS fell_back_to_february,
       count(*) FILTER (WHERE (c.vega_time, c.seq_num) = (b.vega_time, b.seq_num)) AS unchanged
FROM vega.before_drop b LEFT JOIN vega.current_keys c USING (tbl, key)
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
SELECT open_volume, vega_time FROM positions_current WHERE market_id = int4send(7);
SELECT * FROM vega.state();
-- Nothing refers to the dropped day any more.
SELECT count(*) AS heads_on_dropped_day FROM orders_heads
WHERE current_relation::text NOT IN (SELECT relid::text FROM pg_partition_tree('vega.orders'));

-- Late versions of the dropped day land in the default partition and are
-- decided like any others: newer than order 77's February version, one
-- becomes current; order 14, left without a version, gets one again; older
-- than order 8's current one (on the second day), one stays history.
INSERT INTO orders SELECT id, market_id, party_id, side, price, size, 3, time_in_force, type, 8, reference,
       version + 1, created_at, '2024-03-01 20:00', 1, '2024-03-01 20:00' FROM vega.order_history
WHERE id = int4send(77) AND n = 0;
INSERT INTO orders SELECT id, market_id, party_id, side, price, size, 3, time_in_force, type, 8, reference,
       0, created_at, NULL, 1, '2024-03-01 20:00' FROM vega.order_history
WHERE id = int4send(14) AND n = 1;
INSERT INTO orders SELECT id, market_id, party_id, side, price, size, 3, time_in_force, type, 8, reference,
       0, created_at, NULL, 1, '2024-03-01 20:00' FROM vega.order_history
WHERE id = int4send(8) AND n = 1;
SELECT encode(id, 'hex') AS id, tableoid::regclass AS partition, vega_time, seq_num, current FROM orders
WHERE id IN (int4send(77), int4send(14), int4send(8)) ORDER BY id, vega_time, seq_num;
SELECT * FROM vega.state();

-- Writes through the views.  Orders: party 5 cancels its live orders
-- (one UPDATE through the view appends a version per order, next seq_num
-- of the same block), an order is amended into a later block (explicit
-- version: the row moves to that day's partition), a new order is
-- inserted; an older version and a DELETE are refused.
SELECT count(*) AS live_orders_of_party_5 FROM orders_current WHERE party_id = int4send(5) AND status IN (1, 8);
CREATE TABLE vega.cancelled AS
SELECT id, vega_time, seq_num FROM orders_current WHERE party_id = int4send(5) AND status IN (1, 8);
UPDATE orders_current SET status = 3, remaining = 0, updated_at = vega_time, version = version + 1
WHERE party_id = int4send(5) AND status IN (1, 8);
SELECT count(*) AS appended_as_next_seq FROM vega.cancelled c JOIN orders_current o
    ON o.id = c.id AND o.vega_time = c.vega_time AND o.seq_num = c.seq_num + 1 AND o.status = 3;
SELECT count(*) AS previous_versions_kept FROM vega.cancelled c JOIN orders h
    ON h.id = c.id AND h.vega_time = c.vega_time AND h.seq_num = c.seq_num AND NOT h.current;
SELECT vega_time, seq_num, price FROM orders_current WHERE id = int4send(30);
UPDATE orders_current SET price = price + 1, vega_time = '2024-03-08 10:00', seq_num = 1, version = version + 1
WHERE id = int4send(30);
SELECT tableoid::regclass AS partition, vega_time, seq_num, price, current FROM orders
WHERE id = int4send(30) ORDER BY vega_time, seq_num;
INSERT INTO orders_current (id, market_id, party_id, side, price, size, remaining, time_in_force, type, status,
                            reference, version, created_at, updated_at, seq_num, vega_time)
VALUES (int4send(5000), int4send(3), int4send(5), 1, 101, 7, 7, 1, 2, 1, 'ref-5000', 1,
        '2024-03-08 12:00', NULL, 1, '2024-03-08 12:00');
SELECT expect_error($$UPDATE vega.orders_current SET vega_time = '2024-03-02', seq_num = 0 WHERE id = int4send(30)$$);
SELECT expect_error($$DELETE FROM vega.orders_current WHERE id = int4send(30)$$);
-- Positions: a position changes (next second), one is closed (a tombstone),
-- one is opened; balances: a transfer moves 5 between two accounts.
SELECT encode(market_id, 'hex') AS market, encode(party_id, 'hex') AS party, open_volume, vega_time
FROM positions_current WHERE party_id = int4send(40) ORDER BY 1;
UPDATE positions_current SET open_volume = open_volume + 1, realised_pnl = realised_pnl + 2
WHERE party_id = int4send(40) AND market_id IN (int4send(0), int4send(1));
DELETE FROM positions_current WHERE party_id = int4send(40) AND market_id = int4send(2);
INSERT INTO positions_current VALUES (int4send(9), int4send(40), 3, 0, 0, 50, false, '2024-03-08 12:00');
SELECT encode(market_id, 'hex') AS market, encode(party_id, 'hex') AS party, open_volume, vega_time
FROM positions_current WHERE party_id = int4send(40) ORDER BY 1;
SELECT count(*) AS versions_of_party_40, count(*) FILTER (WHERE closed) AS tombstones
FROM positions WHERE party_id = int4send(40) AND vega_time >= '2024-03-02';
SELECT encode(account_id, 'hex') AS account, balance, vega_time FROM balances_current
WHERE account_id IN (int4send(1010), int4send(1020)) ORDER BY 1;
UPDATE balances_current SET balance = balance + CASE WHEN account_id = int4send(1010) THEN -5 ELSE 5 END,
                            tx_hash = '\xabcd'
WHERE account_id IN (int4send(1010), int4send(1020));
INSERT INTO balances_current VALUES (int4send(2000), 0, NULL, '2024-03-08 12:00');
SELECT encode(account_id, 'hex') AS account, balance, tx_hash, vega_time FROM balances_current
WHERE account_id IN (int4send(1010), int4send(1020), int4send(2000)) ORDER BY 1;
SELECT expect_error($$DELETE FROM vega.balances_current WHERE account_id = int4send(1010)$$);
SELECT * FROM vega.state();

-- Bulk writes through the views: the parked orders are all unparked in
-- one UPDATE, positions are marked to market in one UPDATE, 1,500 orders
-- and 1,200 accounts arrive in one INSERT ... SELECT each, on the last day.
SELECT count(*) AS parked FROM orders_current WHERE status = 8;
SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM positions) AS positions \gset before_
UPDATE orders_current SET status = 1, version = version + 1, updated_at = vega_time WHERE status = 8;
SELECT count(*) FILTER (WHERE status = 8) AS parked, count(*) FILTER (WHERE status = 1) AS active,
       (SELECT count(*) FROM orders) - :before_orders AS versions_appended FROM orders_current;
UPDATE positions_current SET unrealised_pnl = unrealised_pnl * 2 + 1;
SELECT (SELECT count(*) FROM positions) - :before_positions AS versions_appended;
INSERT INTO orders_current (id, market_id, party_id, side, price, size, remaining, time_in_force, type, status,
                            reference, version, created_at, updated_at, seq_num, vega_time)
SELECT int4send(10000 + k), int4send(k % 6), int4send(k % 97), 1, 100 + k % 11, 5, 5, 1, 2, 1 + 7 * (k % 2),
       'bulk-' || k, 1, '2024-03-08 18:00', NULL, k, '2024-03-08 18:00'
FROM generate_series(1, 1500) k;
INSERT INTO balances_current SELECT int4send(3000 + a), a, NULL, '2024-03-08 18:00' FROM generate_series(1, 1200) a;
SELECT (SELECT count(*) FROM orders WHERE id BETWEEN int4send(10001) AND int4send(11500)) AS orders_appended,
       (SELECT count(*) FROM balances WHERE account_id BETWEEN int4send(3001) AND int4send(4200)) AS balances_appended;
SELECT * FROM vega.state();

-- As-of after the retention and the writes: the points again, and ones in
-- the dropped day (only the versions kept count).
SELECT d.* FROM (VALUES
    ('2024-02-15'::timestamptz, 1000::bigint), ('2024-03-01 12:00', 0), ('2024-03-01 20:00', 1),
    ('2024-03-06 00:00:05', 52), ('2024-03-08 10:00', 1), ('2024-12-31', 0)) p(t, s),
LATERAL as_of_diffs(p.t, p.s) d;
SELECT (SELECT count(*) FROM orders_as_of('2024-03-01 20:00', 1)) AS orders_kept_at_day1_evening,
       (SELECT price FROM orders_key_as_of(int4send(30), '2024-03-08 09:59', 0))
     < (SELECT price FROM orders_key_as_of(int4send(30), '2024-03-08 10:00', 1)) AS order30_amended,
       (SELECT count(*) FROM positions_key_as_of(int4send(2), int4send(40), '2024-12-31')) AS closed_position_as_of_now;

-- The live orders' index is still read (one partition fewer), and the end
-- state once more.
ANALYZE orders;
SELECT * FROM live_orders_plan();
SELECT * FROM live_orders_index();
SELECT * FROM vega.state();

RESET search_path;
DROP SCHEMA vega CASCADE;
SELECT count(*) AS registrations_left FROM versioned_tables WHERE table_name::text LIKE 'vega.%';
RESET client_min_messages;
RESET TimeZone;
