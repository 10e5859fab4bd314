-- A table analyzed while tiny and then bulk-loaded in one statement keeps
-- finding current rows through indexes: current rows and heads rows are
-- found through their unique indexes without plans, and the prepared
-- statements that remain are made again as the table and its heads table
-- grow.  Loading three times the rows into a twin table costs (almost) no
-- more sequential scans, where a plan made for ten rows and kept would scan
-- the table (or its heads table) once per row.  For 'flag' (plain and
-- partitioned, with current rows moving to another partition) and 'table'.
CREATE FUNCTION tiny_then_bulk(name text, strategy text, partitioned boolean, nrows int)
RETURNS TABLE (relation text, seq_scans bigint) LANGUAGE plpgsql AS $$
BEGIN
    IF partitioned THEN
        EXECUTE format('CREATE TABLE %I (id int NOT NULL, v int NOT NULL, note text) PARTITION BY RANGE (v)', name);
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (MINVALUE) TO (10000)', name || '_1', name);
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (10000) TO (MAXVALUE)', name || '_2', name);
    ELSE
        EXECUTE format('CREATE TABLE %I (id int NOT NULL, v int NOT NULL, note text)', name);
    END IF;
    PERFORM register_versioned_table(name::regclass, '{id}', '{v}', strategy => strategy);
    EXECUTE format('INSERT INTO %I SELECT i, 0, %L FROM generate_series(1, 10) i', name, 'tiny');
    EXECUTE format('ANALYZE %I', name);
    EXECUTE format('ANALYZE %I', name || CASE strategy WHEN 'flag' THEN '_heads' ELSE '_current' END);
    PERFORM pg_stat_clear_snapshot();
    CREATE TEMP TABLE IF NOT EXISTS scans_before AS SELECT relname, seq_scan FROM pg_stat_xact_user_tables WITH NO DATA;
    TRUNCATE scans_before;
    INSERT INTO scans_before SELECT relname, seq_scan FROM pg_stat_xact_user_tables;
    EXECUTE format('INSERT INTO %I SELECT i %% 1500, i, %L FROM generate_series(1, %s) i', name, 'bulk', nrows);
    RETURN QUERY
    SELECT substr(s.relname, length(name) + 1), s.seq_scan - coalesce(b.seq_scan, 0)
    FROM pg_stat_xact_user_tables s LEFT JOIN scans_before b USING (relname)
    WHERE s.relname LIKE name || '%';
END
$$;

BEGIN;
CREATE TEMP TABLE scans AS
SELECT strategy, partitioned, nrows, relation, seq_scans
FROM (VALUES ('flag', false), ('flag', true), ('table', false)) s(strategy, partitioned),
     (VALUES (10000), (30000)) n(nrows),
     LATERAL tiny_then_bulk(format('tiny_%s_%s_%s', strategy, partitioned, nrows), strategy, partitioned, nrows);
SELECT strategy, partitioned, relation,
       max(seq_scans) FILTER (WHERE nrows = 30000) - max(seq_scans) FILTER (WHERE nrows = 10000) < 20
         AS three_times_the_rows_no_more_seq_scans
FROM scans GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
COMMIT;
SELECT format('tiny_%s_%s_%s', strategy, partitioned, nrows) AS tbl,
       oracle_diff(format('tiny_%s_%s_%s_current', strategy, partitioned, nrows)::regclass,
                   format('tiny_%s_%s_%s', strategy, partitioned, nrows)::regclass, 'id', 'v') AS wrong_rows
FROM (VALUES ('flag', false), ('flag', true), ('table', false)) s(strategy, partitioned),
     (VALUES (10000), (30000)) n(nrows)
ORDER BY 1;
DROP FUNCTION tiny_then_bulk(text, text, boolean, int);
DROP TABLE tiny_flag_f_10000, tiny_flag_f_30000, tiny_flag_t_10000, tiny_flag_t_30000,
           tiny_table_f_10000, tiny_table_f_30000 CASCADE;
