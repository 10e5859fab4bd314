-- Baselines: the work current_view does, written by hand, and what a user
-- would pick instead of strategy 'table' (periods' system versioning).
-- None has a trigger of ours; each keeps the same indexes as the strategy it
-- stands for, so that a new version costs the same physical work.  The
-- statements that write a new version are bench/scripts/insert_<name>.sql.

CREATE EXTENSION periods CASCADE;

-- hand_flag: the indexes of a registered 'flag' table (primary key (id,
-- vega_time), unique partial (id) WHERE current, the current index
-- (market_id, vega_time DESC) WHERE current), no heads table, no trigger.
-- On a partitioned table the key index cannot be unique (it lacks the
-- partition key), as with current_view.
CREATE FUNCTION bench.install_hand_flag(tbl regclass)
RETURNS void
LANGUAGE plpgsql
AS $install$
DECLARE
    nsp name := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = tbl);
    rel name := (SELECT relname FROM pg_class WHERE oid = tbl);
    partitioned boolean := (SELECT relkind = 'p' FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('ALTER TABLE %s ADD COLUMN current boolean NOT NULL DEFAULT false', tbl);
    EXECUTE format($sql$
        UPDATE %1$s t SET current = true
        FROM (SELECT DISTINCT ON (id) id, vega_time FROM %1$s ORDER BY id, vega_time DESC) w
        WHERE t.id = w.id AND t.vega_time = w.vega_time
        $sql$, tbl);
    EXECUTE format('CREATE %s INDEX ON %s (id) WHERE current',
                   CASE WHEN partitioned THEN '' ELSE 'UNIQUE' END, tbl);
    EXECUTE format('CREATE INDEX ON %s (market_id, vega_time DESC) WHERE current', tbl);
    EXECUTE format('CREATE VIEW %I.%I AS SELECT * FROM %s WHERE current',
                   nsp, rel || '_current', tbl);
END
$install$;

-- hand_table: the tables of a registered 'table' table: the history and a
-- current table <table>_current with primary key (id) and the current index
-- (market_id, vega_time DESC), no trigger.
CREATE FUNCTION bench.install_hand_table(tbl regclass)
RETURNS void
LANGUAGE plpgsql
AS $install$
DECLARE
    nsp name := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = tbl);
    rel name := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format($sql$
        CREATE TABLE %1$I.%2$I (LIKE %3$s, PRIMARY KEY (id));
        INSERT INTO %1$I.%2$I SELECT DISTINCT ON (id) * FROM %3$s ORDER BY id, vega_time DESC;
        CREATE INDEX ON %1$I.%2$I (market_id, vega_time DESC)
        $sql$, nsp, rel || '_current', tbl);
END
$install$;

-- periods_sv: system versioning (extension periods, whose own catalog is
-- the schema periods).  The table holds one row
-- per key, a new version is an UPDATE of it, and periods' trigger moves the
-- old row to <table>_history.  The loaded history goes there too, with an
-- index (id, vega_time) as every history table of the benchmark has; the
-- current rows keep the primary key (id) and the current index.
CREATE FUNCTION bench.install_periods(tbl regclass)
RETURNS void
LANGUAGE plpgsql
AS $install$
DECLARE
    nsp name := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = tbl);
    rel name := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('ALTER TABLE %s RENAME TO %I', tbl, rel || '_loaded');
    EXECUTE format($sql$
        CREATE TABLE %1$I.%2$I (LIKE %1$I.%3$I, PRIMARY KEY (id));
        INSERT INTO %1$I.%2$I SELECT DISTINCT ON (id) * FROM %1$I.%3$I ORDER BY id, vega_time DESC;
        CREATE INDEX ON %1$I.%2$I (market_id, vega_time DESC)
        $sql$, nsp, rel, rel || '_loaded');
    PERFORM periods.add_system_time_period(format('%I.%I', nsp, rel)::regclass);
    PERFORM periods.add_system_versioning(format('%I.%I', nsp, rel)::regclass);
    EXECUTE format($sql$
        INSERT INTO %1$I.%2$I
        SELECT l.*, l.vega_time, l.vega_time + interval '1 microsecond'
        FROM %1$I.%3$I l WHERE NOT EXISTS (
            SELECT FROM %1$I.%4$I c WHERE c.id = l.id AND c.vega_time = l.vega_time);
        CREATE INDEX ON %1$I.%2$I (id, vega_time);
        DROP TABLE %1$I.%3$I
        $sql$, nsp, rel || '_history', rel || '_loaded', rel);
END
$install$;
