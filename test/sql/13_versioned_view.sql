-- Strategy 'view': the DISTINCT ON baseline, switched with one call.
CREATE TABLE readings (sensor int, at timestamptz, value float8);
INSERT INTO readings SELECT s, '2024-01-01'::timestamptz + (h * interval '1 hour'), s * 100 + h
FROM generate_series(1, 3) s, generate_series(1, 5) h;
SELECT register_versioned_table('readings', '{sensor}', '{at}', strategy => 'view');
SELECT pg_get_viewdef('readings_current');
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid = 'readings'::regclass;
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'readings'::regclass;
SELECT * FROM readings_current ORDER BY sensor;
INSERT INTO readings VALUES (1, '2025-01-01', -1);
SELECT * FROM readings_current WHERE sensor = 1;
SELECT check_versioned_table('readings');
SELECT oracle_diff('readings_current', 'readings', 'sensor', 'at');
SELECT expect_error($$SELECT register_versioned_table('readings', '{sensor}', '{at}', strategy => 'view', current_indexes => '{value}')$$);

-- Switch to 'flag' and back.
SELECT unregister_versioned_table('readings');
SELECT register_versioned_table('readings', '{sensor}', '{at}', strategy => 'flag');
SELECT * FROM readings_current ORDER BY sensor;
SELECT oracle_diff('readings_current', 'readings', 'sensor', 'at');
SELECT unregister_versioned_table('readings');
SELECT relname FROM pg_class WHERE relname LIKE 'readings%' ORDER BY 1;
