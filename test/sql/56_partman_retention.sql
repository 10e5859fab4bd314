-- Rule: history partitioned by day and managed by pg_partman keeps right
-- current rows while partman's maintenance creates new partitions and its
-- retention drops ('flag') or detaches ('table') old ones.  Versions are
-- placed relative to now(), so that the test does not depend on the date.
SELECT NOT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_partman') AS no_partman \gset
\if :no_partman
\echo 'skipped: pg_partman is not installed (Debian package postgresql-15-partman)'
\quit
\endif
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;

CREATE FUNCTION pm_state(tbl regclass, versions text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN format('oracle diff %s, check %s',
                  oracle_diff(format('%s_current', tbl)::regclass, tbl, 'id', versions),
                  check_versioned_table(tbl));
END
$$;

-- 'flag' with a (time, sequence) version, registered after partman made the
-- partitions; 'table' registered first, so that partman attaches every
-- partition to a registered table.
CREATE TABLE pm_flag (id int NOT NULL, vt timestamptz NOT NULL, seq int NOT NULL, x text)
    PARTITION BY RANGE (vt);
SELECT partman.create_parent('public.pm_flag', 'vt', 'native', 'daily', p_premake => 2,
                             p_start_partition => (now() - interval '6 days')::date::text);
SELECT register_versioned_table('pm_flag', '{id}', '{vt, seq}');
CREATE TABLE pm_table (id int NOT NULL, vt timestamptz NOT NULL, x text) PARTITION BY RANGE (vt);
SELECT register_versioned_table('pm_table', '{id}', '{vt}', strategy => 'table');
SELECT partman.create_parent('public.pm_table', 'vt', 'native', 'daily', p_premake => 2,
                             p_start_partition => (now() - interval '6 days')::date::text);

-- Keys 1-40 have a version five days old; 1-20 a newer one from an hour
-- ago; 21-25 also one from 2000 (partman's default partition); 31-35 one
-- two days ahead.
CREATE FUNCTION pm_load(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    seq text := CASE WHEN tbl = 'pm_flag'::regclass THEN '0, ' ELSE '' END;
BEGIN
    EXECUTE format($q$INSERT INTO %1$s SELECT k, now() - interval '5 days' - k * interval '1 s', %2$s'old' FROM generate_series(1, 40) k;
        INSERT INTO %1$s SELECT k, now() - interval '1 hour', %2$s'new' FROM generate_series(1, 20) k;
        INSERT INTO %1$s SELECT k, '2000-01-01', %2$s'ancient' FROM generate_series(21, 25) k;
        INSERT INTO %1$s SELECT k, now() + interval '2 days', %2$s'ahead' FROM generate_series(31, 35) k$q$,
        tbl, seq);
END
$$;
SELECT pm_load('pm_flag'), pm_load('pm_table');
SELECT pm_state('pm_flag', 'vt, seq'), pm_state('pm_table', 'vt');

-- Maintenance creates partitions ahead of the newest data; versions written
-- into them are decided as any others.
CREATE TEMP TABLE pm_leaves AS
SELECT t, (SELECT count(*) FROM pg_partition_tree(t) WHERE isleaf) AS n
FROM unnest('{pm_flag, pm_table}'::regclass[]) t;
SELECT partman.run_maintenance();
SELECT l.t, (SELECT count(*) FROM pg_partition_tree(l.t) WHERE isleaf) > l.n AS partitions_created
FROM pm_leaves l ORDER BY 1;
INSERT INTO pm_flag SELECT k, now() + interval '3 days', 0, 'later' FROM generate_series(1, 5) k;
INSERT INTO pm_table SELECT k, now() + interval '3 days', 'later' FROM generate_series(1, 5) k;
SELECT count(*) AS in_default FROM pm_flag_default WHERE vt > now();
SELECT pm_state('pm_flag', 'vt, seq'), pm_state('pm_table', 'vt');

-- Retention of three days: partman drops the old partitions of pm_flag and
-- detaches those of pm_table.  Keys 26-30 and 36-40 had no other version
-- and leave; 21-25 fall back to their version of 2000.
UPDATE partman.part_config SET retention = '3 days', retention_keep_table = false
WHERE parent_table = 'public.pm_flag';
UPDATE partman.part_config SET retention = '3 days', retention_keep_table = true
WHERE parent_table = 'public.pm_table';
SELECT partman.run_maintenance();
SELECT count(*) AS old_rows_left FROM pm_flag WHERE x = 'old';
SELECT count(*) > 0 AS partitions_detached FROM pg_class c
WHERE c.relname LIKE 'pm_table_p%' AND c.relkind = 'r' AND NOT c.relispartition;
SELECT x, count(*), min(id), max(id) FROM pm_flag_current GROUP BY x ORDER BY x;
SELECT x, count(*), min(id), max(id) FROM pm_table_current GROUP BY x ORDER BY x;
SELECT count(*) AS heads_naming_dropped FROM pm_flag_heads h
WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = h.current_relation);
SELECT pm_state('pm_flag', 'vt, seq'), pm_state('pm_table', 'vt');

-- Writes after retention: a key that left comes back, an older version
-- stays history, a newer one wins.
INSERT INTO pm_flag VALUES (30, now(), 0, 'back'), (21, '1999-01-01', 0, 'older'), (22, now(), 0, 'back');
INSERT INTO pm_table VALUES (30, now(), 'back'), (21, '1999-01-01', 'older'), (22, now(), 'back');
SELECT id, x FROM pm_flag_current WHERE id IN (21, 22, 30) ORDER BY id;
SELECT id, x FROM pm_table_current WHERE id IN (21, 22, 30) ORDER BY id;
SELECT pm_state('pm_flag', 'vt, seq'), pm_state('pm_table', 'vt');
