-- What the report reads: targets, medians, labels.

-- A target: contender's median against reference's median.  Binding targets
-- are the issue's; the others show a baseline against the same reference.
CREATE TABLE bench.targets (
    workload text NOT NULL,
    contender text NOT NULL,
    reference text NOT NULL,
    op text NOT NULL CHECK (op IN ('>=', '<=')),
    threshold float8 NOT NULL,
    binding boolean,              -- NULL: no target, the ratio is shown for information
    note text NOT NULL);

-- Contender names carry the partition count in W4: flag_p100.
CREATE FUNCTION bench.base(contender text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT regexp_replace(contender, '_p\d+$', '') $$;
CREATE FUNCTION bench.partitions(contender text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT substring(contender FROM '_p(\d+)$')::int $$;

-- W8 names its measures CONTENDER:OPERATION, e.g. current_view:update_trim_1.
CREATE FUNCTION bench.w8_op_label(op text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE op
               WHEN 'search_simple' THEN 'search, simple (one word)'
               WHEN 'search_complex' THEN 'search, complex (OR, NOT)'
               WHEN 'search_series_1000' THEN 'search, 1,000 queries in series (total)'
               ELSE format('%s %s %s %s', initcap(split_part(op, '_', 1)), split_part(op, '_', 3),
                           split_part(op, '_', 2) || CASE WHEN split_part(op, '_', 3) = '1' THEN '' ELSE 's' END,
                           CASE WHEN split_part(op, '_', 3) = '1' THEN '(mean of single-row statements)'
                                ELSE '(one statement)' END) END
$$;
CREATE FUNCTION bench.w8_label(contender text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE split_part(contender, ':', 1)
               WHEN 'plain' THEN 'no triggers (view)'
               WHEN 'plpgsql' THEN 'PL/pgSQL row loop'
               WHEN 'hand' THEN 'by hand (set-based UPDATE)'
               ELSE split_part(contender, ':', 1) END
           || ', ' || regexp_replace(lower(bench.w8_op_label(split_part(contender, ':', 2))), ' \(.*\)$', '')
$$;

CREATE FUNCTION bench.label(contender text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN strpos(contender, ':') > 0 THEN bench.w8_label(contender) ELSE
           CASE bench.base(contender)
               WHEN 'floor' THEN 'plain table, no trigger (floor)'
               WHEN 'latest' THEN 'latest-only table'
               WHEN 'load' THEN 'loading the rows into a plain table'
               WHEN 'view' THEN 'DISTINCT ON view (current_view ''view'')'
               WHEN 'plpgsql' THEN 'PL/pgSQL flag trigger (Vega-like)'
               WHEN 'hand_flag' THEN 'hand-written ''flag'' work (one statement, no trigger)'
               WHEN 'hand_table' THEN 'hand-written ''table'' work (one statement, no trigger)'
               WHEN 'periods_sv' THEN 'periods system versioning (UPDATE, history trigger)'
               ELSE format('current_view ''%s''', bench.base(contender)) END
           || CASE WHEN bench.partitions(contender) = 1 THEN ', 1 partition'
                   WHEN bench.partitions(contender) > 1
                   THEN format(', %s partitions', bench.partitions(contender))
                   ELSE '' END END
$$;

-- Short labels for the charts.
CREATE FUNCTION bench.short_label(contender text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE bench.base(contender)
               WHEN 'floor' THEN 'no trigger'
               WHEN 'latest' THEN 'latest-only table'
               WHEN 'load' THEN 'load rows'
               WHEN 'view' THEN 'DISTINCT ON view'
               WHEN 'plpgsql' THEN 'PL/pgSQL flag'
               WHEN 'hand_flag' THEN 'hand-written flag'
               WHEN 'hand_table' THEN 'hand-written table'
               WHEN 'periods_sv' THEN 'periods'
               ELSE 'current_view ' || bench.base(contender) END
$$;

CREATE FUNCTION bench.rank(contender text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE bench.base(contender)
               WHEN 'floor' THEN 1 WHEN 'load' THEN 1 WHEN 'latest' THEN 2
               WHEN 'view' THEN 3 WHEN 'plpgsql' THEN 4 WHEN 'periods_sv' THEN 4
               WHEN 'hand_flag' THEN 5 WHEN 'hand_table' THEN 5 ELSE 6 END
$$;

CREATE VIEW bench.summary AS
SELECT workload, contender, metric,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median,
       string_agg(to_char(value, CASE metric WHEN 'seconds' THEN 'FM9999990.000'
                                             WHEN 'tps' THEN 'FM9999999990.0'
                                             ELSE 'FM9999999990' END), ', ' ORDER BY round) AS runs
FROM bench.results
GROUP BY workload, contender, metric;

CREATE VIEW bench.verdicts AS
SELECT t.workload, t.contender, t.reference, t.op, t.threshold, t.binding, t.note,
       c.median / nullif(r.median, 0) AS ratio,
       CASE WHEN t.op = '>=' THEN c.median / r.median >= t.threshold
            ELSE c.median / nullif(r.median, 0) <= t.threshold END AS met
FROM bench.targets t
JOIN bench.summary c ON c.workload = t.workload AND c.contender = t.contender
JOIN bench.summary r ON r.workload = t.workload AND r.contender = t.reference;
