#!/usr/bin/env bash
# `make demo`: the same question asked of a DISTINCT ON view and of
# current_view, side by side, on a 1M-row versioned table.  Runs against the
# throwaway cluster that test/run.sh started (PGHOST, PGPORT, PGUSER set).
set -euo pipefail
KEYS=${DEMO_KEYS:-100000}
VERSIONS=${DEMO_VERSIONS:-10}
psql_run() { "${PG_BINDIR:-/usr/lib/postgresql/15/bin}/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "==> loading $((KEYS * VERSIONS)) rows: $KEYS orders x $VERSIONS versions each"
psql_run -v keys="$KEYS" -v versions="$VERSIONS" <<'SQL'
CREATE EXTENSION current_view;
CREATE TABLE orders (
    id bigint NOT NULL,
    vega_time timestamptz NOT NULL,
    market_id int NOT NULL,
    party_id int NOT NULL,
    price numeric NOT NULL,
    size int NOT NULL,
    PRIMARY KEY (id, vega_time));
-- Versions of one order arrive over time; each version may move it to
-- another market.
INSERT INTO orders
SELECT k, timestamptz '2024-01-01' + v * interval '1 minute' + k * interval '1 ms',
       (k * 7 + v) % 1000, k % 5000, 100 + (k + v) % 50, 1 + v
FROM generate_series(1, :keys) k, generate_series(1, :versions) v;
ANALYZE orders;
-- The usual answer: a DISTINCT ON view.
CREATE VIEW orders_distinct_on AS
    SELECT DISTINCT ON (id) * FROM orders ORDER BY id, vega_time DESC;
SQL

echo "==> register_versioned_table('orders', '{id}', '{vega_time}', current_indexes => '{market_id, party_id}')"
psql_run <<'SQL'
\timing on
SELECT register_versioned_table('orders', '{id}', '{vega_time}',
                                current_indexes => '{market_id, party_id}');
\timing off
ANALYZE orders;
SQL

echo "==> the current orders of market 42, both ways (best of 5 runs each)"
psql_run <<'SQL'
CREATE FUNCTION pg_temp.best_ms(query text, runs int DEFAULT 5) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    best numeric;
    t0 timestamptz;
BEGIN
    FOR i IN 1 .. runs LOOP
        t0 := clock_timestamp();
        EXECUTE query;
        best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
    RETURN round(best, 3);
END
$$;
WITH timings AS (
    SELECT 'DISTINCT ON view' AS contender,
           pg_temp.best_ms('SELECT * FROM orders_distinct_on WHERE market_id = 42') AS ms,
           (SELECT count(*) FROM orders_distinct_on WHERE market_id = 42) AS rows_returned
    UNION ALL
    SELECT 'current_view (flag)',
           pg_temp.best_ms('SELECT * FROM orders_current WHERE market_id = 42'),
           (SELECT count(*) FROM orders_current WHERE market_id = 42))
SELECT contender, rows_returned, ms,
       round(max(ms) OVER () / ms, 1) AS times_faster_than_slowest
FROM timings;

\echo 'Same rows both ways (EXCEPT ALL in each direction, both must be 0):'
SELECT (SELECT count(*) FROM (SELECT * FROM orders_distinct_on WHERE market_id = 42
                              EXCEPT ALL SELECT * FROM orders_current WHERE market_id = 42) a) AS only_in_distinct_on,
       (SELECT count(*) FROM (SELECT * FROM orders_current WHERE market_id = 42
                              EXCEPT ALL SELECT * FROM orders_distinct_on WHERE market_id = 42) b) AS only_in_current_view;

\echo 'The plans: the DISTINCT ON view sorts the whole history; current_view reads a partial index.'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM orders_distinct_on WHERE market_id = 42;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM orders_current WHERE market_id = 42;

\echo 'A new version of order 7 moves it to market 42; an older, late version of order 8 does not count.'
INSERT INTO orders VALUES (7, now(), 42, 1, 99, 1),
                          (8, timestamptz '2000-01-01', 42, 1, 99, 1);
SELECT id, vega_time, market_id FROM orders_current WHERE id IN (7, 8) ORDER BY id;
SELECT check_versioned_table('orders') AS keys_with_a_wrong_current_row;
SQL
echo "==> demo done"
