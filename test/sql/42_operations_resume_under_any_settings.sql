-- A rebuild resumed in a session with other DateStyle, TimeZone and
-- IntervalStyle settings starts after the same key as the one it stopped
-- at: progress stores keys in binary form, not as text whose meaning depends
-- on the settings (a timestamptz written as "09/01/2024" under DMY was read
-- back as September 1st under MDY, and the rebuild reported "rebuilt" with
-- wrong current rows).  Text keys resume in their column's collation.
-- Each table is compared with its DISTINCT ON oracle after the resume.
\set VERBOSITY terse

-- Fails the rebuild of a session that set cv_test.fail (the trigger's WHEN
-- clause places the failure after the first batches).
CREATE FUNCTION resume_fail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('cv_test.fail', true) = 'on' THEN
        RAISE EXCEPTION 'rebuild failed on purpose';
    END IF;
    RETURN NEW;
END $$;

-- A timestamptz and an interval key: 500 keys of 10 rows each.
CREATE TABLE resume_ts (at timestamptz NOT NULL, span interval NOT NULL, v int NOT NULL);
INSERT INTO resume_ts
SELECT timestamptz '2024-01-01 00:00+00' + (i % 500) * interval '2 hours',
       interval '-1 day -2 hours -3 minutes' * (i % 2), i
FROM generate_series(1, 5000) i;
SELECT register_versioned_table('resume_ts', '{at,span}', '{v}', backfill => false);
CREATE TRIGGER resume_fail BEFORE UPDATE ON resume_ts FOR EACH ROW
    WHEN (NEW.at >= timestamptz '2024-01-10 00:00+00') EXECUTE FUNCTION resume_fail();

SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Kolkata';
SET IntervalStyle = 'sql_standard';
SET cv_test.fail = on;
CALL rebuild_versioned_table('resume_ts', 1000);
SELECT last_key, rows_done FROM rebuilds;
RESET cv_test.fail;
SET DateStyle = 'ISO, MDY';
SET TimeZone = 'America/New_York';
SET IntervalStyle = 'postgres';
CALL rebuild_versioned_table('resume_ts', 1000);
SELECT check_versioned_table('resume_ts');
SELECT oracle_diff('resume_ts_current', 'resume_ts', 'at, span', 'v');
SELECT count(*) AS unfinished FROM rebuilds;

-- Once more, stopped later and resumed under German and Postgres styles.
ALTER TABLE resume_ts DISABLE TRIGGER resume_fail;
SELECT unregister_versioned_table('resume_ts');
SELECT register_versioned_table('resume_ts', '{at,span}', '{v}', backfill => false);
ALTER TABLE resume_ts ENABLE TRIGGER resume_fail;
SET DateStyle = 'German';
SET TimeZone = 'Pacific/Chatham';
SET cv_test.fail = on;
CALL rebuild_versioned_table('resume_ts', 700);
SELECT last_key, rows_done FROM rebuilds;
RESET cv_test.fail;
SET DateStyle = 'Postgres, YMD';
SET TimeZone = 'UTC';
SET IntervalStyle = 'iso_8601';
CALL rebuild_versioned_table('resume_ts', 700);
SELECT check_versioned_table('resume_ts');
SELECT oracle_diff('resume_ts_current', 'resume_ts', 'at, span', 'v');
RESET DateStyle;
RESET TimeZone;
RESET IntervalStyle;

-- A text key in a collation whose order is not the bytes' ("B" sorts after
-- "a" here and before it in "C"): the batches and the resume follow it.
CREATE TABLE resume_text (name text COLLATE "de-x-icu" NOT NULL, v int NOT NULL);
INSERT INTO resume_text
SELECT (ARRAY['a', 'B', 'c', 'É', 'e', 'Z', 'ä', 'b'])[i % 8 + 1] || (i % 40), i
FROM generate_series(1, 2000) i;
SELECT register_versioned_table('resume_text', '{name}', '{v}', backfill => false);
CREATE TRIGGER resume_fail BEFORE UPDATE ON resume_text FOR EACH ROW
    WHEN (NEW.name >= 'c') EXECUTE FUNCTION resume_fail();
SET cv_test.fail = on;
CALL rebuild_versioned_table('resume_text', 300);
SELECT last_key, rows_done FROM rebuilds;
RESET cv_test.fail;
CALL rebuild_versioned_table('resume_text', 300);
SELECT check_versioned_table('resume_text');
SELECT oracle_diff('resume_text_current', 'resume_text', 'name', 'v');
SELECT count(*) AS unfinished FROM rebuilds;
