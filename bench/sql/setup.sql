-- Schema of the benchmark: the source rows every contender loads, one
-- function that builds any contender, and the tables the report reads.
-- psql variables: keys, versions, markets, parties.

CREATE EXTENSION current_view;
CREATE SCHEMA bench;

-- Fixed at set-up: history ends here, and pgbench's clock_timestamp()
-- versions are later, so a new version always wins (the common case).
CREATE TABLE bench.config AS SELECT now() AS t0, :keys::int AS keys, :versions::int AS versions;

-- 'versions' waves over all keys, in time order: the shape of a stream of
-- order updates.  seq orders the rows; load() turns it into a timestamp.
CREATE UNLOGGED TABLE bench.source AS
SELECT ((v - 1)::bigint * :keys + k - 1) AS seq,
       k::bigint AS id,
       (k % :markets)::int AS market_id,
       (k % :parties)::int AS party_id,
       (1 + k % 2)::smallint AS side,
       (1000 + (k * 7919 + v * 104729) % 100000)::bigint AS price,
       (1 + (k + v) % 100)::bigint AS size,
       ((k + v) % 100)::bigint AS remaining,
       (v % 4)::smallint AS status,
       'ref-' || k AS reference
FROM generate_series(1, :versions) v, generate_series(1, :keys) k
ORDER BY v, k;
VACUUM ANALYZE bench.source;

-- The history table every contender shares: an order book like Vega's.
-- Primary key (id, vega_time), as a real history table has.
CREATE FUNCTION bench.create_orders(schema_name name, partitions int)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    t0 timestamptz := (SELECT t0 FROM bench.config);
BEGIN
    EXECUTE format($sql$
        CREATE TABLE %I.orders (
            id bigint NOT NULL,
            vega_time timestamptz NOT NULL,
            market_id int NOT NULL,
            party_id int NOT NULL,
            side smallint NOT NULL,
            price bigint NOT NULL,
            size bigint NOT NULL,
            remaining bigint NOT NULL,
            status smallint NOT NULL,
            reference text NOT NULL,
            PRIMARY KEY (id, vega_time)) %s
        $sql$, schema_name, CASE WHEN partitions > 0 THEN 'PARTITION BY RANGE (vega_time)' ELSE '' END);
    -- Daily (24 h) ranges ending at t0; the first and last are open-ended
    -- so that history and new inserts (which go to the last) always fit.
    FOR i IN 1 .. partitions LOOP
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.orders FOR VALUES FROM (%s) TO (%s)',
                       schema_name, 'orders_' || i, schema_name,
                       CASE WHEN i = 1 THEN 'MINVALUE'
                            ELSE quote_literal(t0 - (partitions - i + 1) * interval '1 day') END,
                       CASE WHEN i = partitions THEN 'MAXVALUE'
                            ELSE quote_literal(t0 - (partitions - i) * interval '1 day') END);
    END LOOP;
END
$$;

-- Load the source rows into tbl, history spread evenly over the 'days'
-- before t0 (one partition's worth per day).
CREATE FUNCTION bench.load(tbl regclass, days int)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    t0 timestamptz := (SELECT t0 FROM bench.config);
    step interval := days * interval '1 day' / (SELECT keys::bigint * versions FROM bench.config);
BEGIN
    EXECUTE format($sql$
        INSERT INTO %s (id, vega_time, market_id, party_id, side, price, size, remaining, status, reference)
        SELECT id, $1 + seq * $2, market_id, party_id, side, price, size, remaining, status, reference
        FROM bench.source
        $sql$, tbl)
    USING t0 - days * interval '1 day', step;
END
$$;

-- Build one contender in its own schema, so that the same pgbench scripts
-- reach it through search_path: history table "orders" and, for readers,
-- "orders_current".
--   floor    plain history table, no trigger
--   latest   a plain table holding only the current rows (the read floor)
--   plpgsql  the Vega-like PL/pgSQL flag trigger (bench/baselines/)
--   hand_flag, hand_table, periods_sv: the same work without our triggers
--            (bench/baselines/hand_written.sql)
--   any other name: a current_view strategy ('view', 'flag', ...), with a
--   partial (market_id, vega_time DESC) index where the strategy stores rows.
CREATE FUNCTION bench.create_contender(schema_name name, contender text, partitions int, load boolean)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', schema_name);
    EXECUTE format('CREATE SCHEMA %I', schema_name);
    IF contender = 'latest' THEN
        PERFORM bench.create_orders(schema_name, 0);
        PERFORM bench.load(format('%I.orders', schema_name)::regclass, 1);
        EXECUTE format($sql$
            CREATE TABLE %1$I.orders_current (LIKE %1$I.orders, PRIMARY KEY (id));
            INSERT INTO %1$I.orders_current
                SELECT DISTINCT ON (id) * FROM %1$I.orders ORDER BY id, vega_time DESC;
            CREATE INDEX ON %1$I.orders_current (market_id, vega_time DESC);
            DROP TABLE %1$I.orders
            $sql$, schema_name);
        RETURN;
    END IF;
    PERFORM bench.create_orders(schema_name, partitions);
    IF load THEN
        PERFORM bench.load(format('%I.orders', schema_name)::regclass, greatest(partitions, 1));
    END IF;
    PERFORM bench.install(format('%I.orders', schema_name)::regclass, contender);
END
$$;

-- Turn a loaded (or empty) history table into the given contender.
CREATE FUNCTION bench.install(tbl regclass, contender text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    CASE contender
    WHEN 'floor' THEN
        NULL;
    WHEN 'plpgsql' THEN
        PERFORM bench.install_plpgsql_flag(tbl);
    WHEN 'hand_flag' THEN
        PERFORM bench.install_hand_flag(tbl);
    WHEN 'hand_table' THEN
        PERFORM bench.install_hand_table(tbl);
    WHEN 'periods_sv' THEN
        PERFORM bench.install_periods(tbl);
    ELSE
        PERFORM public.register_versioned_table(tbl, '{id}', '{vega_time}', strategy => contender,
            current_indexes => CASE WHEN contender = 'view' THEN '{}'
                                    ELSE '{"market_id, vega_time DESC"}' END::text[]);
    END CASE;
END
$$;

-- One row per measurement: a pgbench run (tps) or a timed statement (seconds).
CREATE TABLE bench.results (
    workload text NOT NULL,
    contender text NOT NULL,      -- with its partition count in W4, e.g. flag_p100
    round int NOT NULL,
    metric text NOT NULL CHECK (metric IN ('tps', 'seconds', 'instructions', 'wal_bytes')),
    value float8 NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp());

-- What each workload ran, for the report.
CREATE TABLE bench.workloads (
    workload text PRIMARY KEY,
    title text NOT NULL,
    command text NOT NULL,
    notes text NOT NULL DEFAULT '');
