-- Baseline: a hand-written PL/pgSQL flag trigger like Vega's datanode had
-- before March 2023 (see shared ANCHORS.md), so that current_view 'flag' is
-- measured against what users write themselves.
--
--   BEFORE INSERT: UPDATE <table> SET current = false WHERE current AND id = NEW.id;
--                  NEW.current := true;
--
-- Like Vega's, the new row always wins (no out-of-order versions, no ties).
-- Indexes: Vega had (id, current) and (market_id, vega_time DESC) WHERE
-- current; we give the baseline the partial (id) WHERE current instead of
-- (id, current): smaller, and the same shape current_view creates, so that
-- both flag contenders carry the same indexes.

-- Install the baseline on tbl (an "orders" history table of the benchmark):
-- flag column, current flags of the rows already there (one set-based
-- statement), partial indexes, trigger and the <table>_current view.
CREATE FUNCTION bench.install_plpgsql_flag(tbl regclass)
RETURNS void
LANGUAGE plpgsql
AS $install$
DECLARE
    nsp name := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = tbl);
    rel name := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('ALTER TABLE %s ADD COLUMN current boolean NOT NULL DEFAULT false', tbl);
    EXECUTE format($sql$
        UPDATE %1$s t SET current = true
        FROM (SELECT DISTINCT ON (id) id, vega_time FROM %1$s ORDER BY id, vega_time DESC) w
        WHERE t.id = w.id AND t.vega_time = w.vega_time
        $sql$, tbl);
    EXECUTE format('CREATE INDEX ON %s (id) WHERE current', tbl);
    EXECUTE format('CREATE INDEX ON %s (market_id, vega_time DESC) WHERE current', tbl);
    -- One function per table with its name written in, as Vega did: static
    -- SQL whose plan PL/pgSQL prepares once per session.
    EXECUTE format($sql$
        CREATE FUNCTION %1$I.%2$I() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            UPDATE %3$s SET current = false WHERE current AND id = NEW.id;
            NEW.current := true;
            RETURN NEW;
        END
        $body$
        $sql$, nsp, rel || '_set_current', tbl);
    EXECUTE format('CREATE TRIGGER set_current BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION %I.%I()',
                   tbl, nsp, rel || '_set_current');
    EXECUTE format('CREATE VIEW %I.%I AS SELECT * FROM %s WHERE current',
                   nsp, rel || '_current', tbl);
END
$install$;
