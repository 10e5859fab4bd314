-- Batched, resumable rebuilds (rebuild_versioned_table, rebuild_search_table).
-- Progress NOTICEs carry deterministic row counts; their rates and time left
-- are in DETAIL, hidden here by VERBOSITY terse and tested separately.
\set VERBOSITY terse

-- A big live table registered without backfill: nothing is current until
-- the rebuild has passed its keys.
CREATE TABLE reb (id int, sub text, v int, note text);
INSERT INTO reb SELECT i % 500, 'k' || (i % 3), i / 500, 'n' || i FROM generate_series(1, 6000) i;
SELECT register_versioned_table('reb', '{id,sub}', '{v}', backfill => false);
SELECT count(*) AS current_before FROM reb_current;
SELECT check_versioned_table('reb') > 0 AS wrong_before;
CALL rebuild_versioned_table('reb', batch_size => 1000);
SELECT check_versioned_table('reb');
SELECT oracle_diff('reb_current', 'reb', 'id, sub', 'v');
SELECT count(*) AS heads FROM reb_heads;
SELECT count(*) AS unfinished FROM rebuilds;

-- A key written before its batch (an older version, which wrongly wins
-- until the rebuild reaches it) is right afterwards; a batch never splits a
-- key, even when batch_size is smaller than the key's number of rows.
CREATE TABLE reb_small (id int, v int);
INSERT INTO reb_small SELECT i % 3, i FROM generate_series(1, 12) i;
SELECT register_versioned_table('reb_small', '{id}', '{v}', backfill => false);
INSERT INTO reb_small VALUES (1, 0);
SELECT * FROM reb_small_current ORDER BY id;
CALL rebuild_versioned_table('reb_small', 1);
SELECT * FROM reb_small_current ORDER BY id;
SELECT check_versioned_table('reb_small');

-- Rows with tied versions: the rebuild keeps the row already current.
INSERT INTO reb VALUES (900, 'a', 1, 'first'), (900, 'a', 1, 'second');
SELECT note FROM reb_current WHERE id = 900;
CALL rebuild_versioned_table('reb', 2000);
SELECT note FROM reb_current WHERE id = 900;

-- A rebuild repairs any damage: flags, heads rows pointing nowhere, missing
-- heads rows (made here by the owner with the triggers disabled).
ALTER TABLE reb DISABLE TRIGGER USER;
UPDATE reb SET current = false WHERE id BETWEEN 10 AND 25;
UPDATE reb SET current = true WHERE id BETWEEN 21 AND 25 AND v = 0;
DELETE FROM reb_heads WHERE id BETWEEN 30 AND 40;
INSERT INTO reb_heads VALUES (12345, 'zz', 'reb');
ALTER TABLE reb ENABLE TRIGGER USER;
SELECT check_versioned_table('reb') > 0 AS damaged;
CALL rebuild_versioned_table('reb', 2500);
SELECT check_versioned_table('reb');
SELECT count(*) FROM reb_heads WHERE id = 12345;

-- Resumable: an error in the middle (a user trigger failing on key 300)
-- leaves the batches before it committed and recorded; the next CALL starts
-- after them.
ALTER TABLE reb DISABLE TRIGGER USER;
UPDATE reb SET current = false;
TRUNCATE reb_heads;
ALTER TABLE reb ENABLE TRIGGER USER;
CREATE FUNCTION fail_on_300() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 300 THEN
        RAISE EXCEPTION 'injected failure on key 300';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER fail_on_300 BEFORE UPDATE ON reb FOR EACH ROW EXECUTE FUNCTION fail_on_300();
CALL rebuild_versioned_table('reb', 1000);
SELECT kind, table_name, last_key, rows_done FROM rebuilds;
-- Keys up to the recorded one are done, the others not yet.
SELECT count(*) FILTER (WHERE (id, sub) <= (249, 'k2')) AS done_keys,
       count(*) FILTER (WHERE (id, sub) > (249, 'k2')) AS later_keys
FROM reb_current;
DROP TRIGGER fail_on_300 ON reb;
CALL rebuild_versioned_table('reb', 1000);
SELECT check_versioned_table('reb');
SELECT count(*) AS unfinished FROM rebuilds;
-- restart => true starts over even if a rebuild was interrupted.
ALTER TABLE reb DISABLE TRIGGER zz_current_view_before_update;
UPDATE reb SET current = false WHERE id = 300;
ALTER TABLE reb ENABLE TRIGGER zz_current_view_before_update;
CREATE TRIGGER fail_on_300 BEFORE UPDATE ON reb FOR EACH ROW EXECUTE FUNCTION fail_on_300();
CALL rebuild_versioned_table('reb', 1000);
SELECT last_key FROM rebuilds;
DROP TRIGGER fail_on_300 ON reb;
CALL rebuild_versioned_table('reb', 4000, restart => true);
SELECT check_versioned_table('reb');

-- Each batch reads its key range through the (key, version) index: the
-- batch bound and every statement of a middle batch are index range scans.
CREATE TABLE reb_big (id int, v int);
INSERT INTO reb_big SELECT i % 20000, i / 20000 FROM generate_series(1, 100000) i;
SELECT register_versioned_table('reb_big', '{id}', '{v}');
ANALYZE reb_big;
-- The bounds of a batch, in the binary form of the key's type.
CREATE FUNCTION explain_batch(stmt text, lower bytea[] DEFAULT ARRAY[current_view_internal._key_bytes(100)],
                              upper bytea[] DEFAULT ARRAY[current_view_internal._key_bytes(199)])
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || stmt USING lower, upper LOOP
        RETURN NEXT line;
    END LOOP;
END $$;
SELECT s.step,
       count(*) FILTER (WHERE e.line ~ 'Seq Scan') AS seq_scans,
       bool_or(e.line ~ 'Index Cond: \(\(id > 100\) AND \(id <= 199\)\)') AS key_range_index_scan
FROM current_view_internal._versioned_batch_sql('reb_big', true, true) s, explain_batch(s.statement) e(line)
GROUP BY s.step ORDER BY s.step;
-- The bound of a batch, as _batch_upper_key writes it.
SELECT line FROM explain_batch(
    'SELECT ARRAY[current_view_internal._key_bytes(t.id)], ARRAY[t.id::text] FROM reb_big t WHERE true AND ROW(t.id) OPERATOR(pg_catalog.>) ROW(current_view_internal._key_value($1[1], NULL::integer)) ORDER BY t.id OFFSET 999 LIMIT 1')
    e(line) WHERE line ~ '(Scan|Cond)';

-- Partitioned tables, multi-column keys of several types, weird names.
CREATE TABLE "Reb Part" ("Key" text, "when" date, v int, "Ver""sion" int) PARTITION BY RANGE ("when");
CREATE TABLE "Reb Part 1" PARTITION OF "Reb Part" FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE "Reb Part 2" PARTITION OF "Reb Part" FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
INSERT INTO "Reb Part" SELECT 'k''' || (i % 37), date '2020-06-01' + (i % 400), i % 5, i % 11
FROM generate_series(1, 2000) i;
SELECT register_versioned_table('"Reb Part"', '{Key,when}', '{"Ver\"sion",v}', backfill => false);
CALL rebuild_versioned_table('"Reb Part"', 300);
SELECT check_versioned_table('"Reb Part"');
SELECT oracle_diff('"Reb Part_current"', '"Reb Part"', '"Key", "when"', '"Ver""sion", v');

-- Errors.
SELECT expect_error($$CALL rebuild_versioned_table('reb', 0)$$);
SELECT expect_error($$CALL rebuild_versioned_table('reb', NULL)$$);
CREATE TABLE reb_unreg (id int, v int);
SELECT expect_error($$CALL rebuild_versioned_table('reb_unreg')$$);
CREATE TABLE reb_view (id int, v int);
SELECT register_versioned_table('reb_view', '{id}', '{v}', strategy => 'view');
SELECT expect_error($$CALL rebuild_versioned_table('reb_view')$$);
SELECT count(*) AS unfinished FROM rebuilds;
-- Batches commit: a rebuild cannot run inside a transaction block.
BEGIN;
CALL rebuild_versioned_table('reb', 1000);
ROLLBACK;
SELECT count(*) AS unfinished FROM rebuilds;

-- The progress detail: rate and estimated time left.
SELECT current_view_internal._rebuild_progress_detail(2500, 1000, 2.0, 10000);
SELECT current_view_internal._rebuild_progress_detail(12000, 1000, 2.0, 10000);
SELECT current_view_internal._rebuild_progress_detail(2500, 1000, 2.0, NULL);

-- Search tables: rebuild every source in batches of its key.
CREATE TABLE reb_make (id int PRIMARY KEY, name text);
CREATE TABLE reb_model (id int PRIMARY KEY, make_id int REFERENCES reb_make, name text, certified boolean);
CREATE TABLE reb_trim (id bigint PRIMARY KEY, model_id int REFERENCES reb_model, name text);
INSERT INTO reb_make SELECT i, 'make ' || i FROM generate_series(1, 9) i;
INSERT INTO reb_model SELECT i, 1 + i % 9, 'model ' || i, i % 4 = 0 FROM generate_series(1, 200) i;
INSERT INTO reb_trim SELECT i, 1 + i % 200, 'trim ' || i FROM generate_series(1, 2000) i;
SELECT register_search_document('reb_make', '{name}');
SELECT register_search_document('reb_model', '{name}');
SELECT register_search_document('reb_trim', '{name}');
SELECT add_search_source('reb_search', 'reb_trim', '{model_id,make_id}');
SELECT add_search_source('reb_search', 'reb_model', '{make_id}', 'certified');
SELECT check_search_table('reb_search');
-- Damage the search table (missing, extra and stale rows), then rebuild.
DELETE FROM reb_search WHERE reb_trim_id % 7 = 0;
UPDATE reb_search SET document = 'stale' WHERE reb_model_id % 5 = 0;
INSERT INTO reb_search (reb_trim_id, document) VALUES (99999, 'extra');
SELECT check_search_table('reb_search') > 0 AS damaged;
CALL rebuild_search_table('reb_search', 600);
SELECT check_search_table('reb_search');
SELECT count(*) FROM reb_search;
-- Resumable: a failure while inserting search rows of trim 1500.
CREATE FUNCTION fail_on_1500() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.reb_trim_id = 1500 THEN
        RAISE EXCEPTION 'injected failure on trim 1500';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER fail_on_1500 BEFORE INSERT ON reb_search FOR EACH ROW EXECUTE FUNCTION fail_on_1500();
UPDATE reb_search SET document = 'stale';
CALL rebuild_search_table('reb_search', 600);
SELECT kind, table_name, source_position, last_key, rows_done FROM rebuilds;
SELECT count(*) FILTER (WHERE reb_trim_id <= 1200 AND document <> 'stale') AS rebuilt,
       count(*) FILTER (WHERE document = 'stale') AS stale
FROM reb_search;
DROP TRIGGER fail_on_1500 ON reb_search;
CALL rebuild_search_table('reb_search', 600);
SELECT check_search_table('reb_search');
SELECT count(*) AS unfinished FROM rebuilds;
-- Each batch's statements read the source by a range of its primary key.
ANALYZE reb_make, reb_model, reb_trim, reb_search;
-- (explain_batch gives the bounds 100 and 199; the small parent tables
-- may be read whole, once per batch, for a hash join.)
SELECT s.step,
       count(*) FILTER (WHERE e.line ~ 'Seq Scan on (reb_trim|reb_search)') AS seq_scans,
       bool_or(e.line ~ 'Index Cond: \(\((id|reb_trim_id) > ''100''::bigint\) AND \((id|reb_trim_id) <= ''199''::bigint\)\)') AS key_range_index_scan
FROM current_view_internal._search_batch_sql('reb_search', 1, true, true) s,
     explain_batch(s.statement, ARRAY[current_view_internal._key_bytes(100::bigint)],
                   ARRAY[current_view_internal._key_bytes(199::bigint)]) e(line)
GROUP BY s.step ORDER BY s.step;
SELECT statement FROM current_view_internal._search_batch_sql('reb_search', 2, false, true) WHERE step = 'delete';
SELECT expect_error($$CALL rebuild_search_table('no_such_search')$$);
SELECT expect_error($$CALL rebuild_search_table('reb_search', -1)$$);

-- Only the owner may rebuild, or touch the progress of a rebuild.
CREATE ROLE regress_cv_rebuilder;
GRANT SELECT, INSERT, UPDATE, DELETE ON reb, reb_search TO regress_cv_rebuilder;
SET ROLE regress_cv_rebuilder;
SELECT expect_error($$CALL rebuild_versioned_table('reb')$$);
SELECT expect_error($$CALL rebuild_search_table('reb_search')$$);
SELECT expect_error($$SELECT current_view_internal._allow_flag_writes('reb')$$);
SELECT expect_error($$INSERT INTO current_view_internal.rebuild_progress_registry VALUES ('versioned', 'public', 'reb', NULL, NULL, 0, now(), now(), 0, now())$$);
SELECT expect_error($$UPDATE reb SET current = false$$);
RESET ROLE;
SELECT check_versioned_table('reb');
REVOKE ALL ON reb, reb_search FROM regress_cv_rebuilder;
DROP ROLE regress_cv_rebuilder;
-- current_view_internal._allow_flag_writes lasts one transaction and one table only.
BEGIN;
SELECT current_view_internal._allow_flag_writes('reb');
SELECT expect_error($$UPDATE reb SET current = false WHERE id = 1$$);
SELECT expect_error($$UPDATE reb_big SET current = false WHERE id = 1$$);
ROLLBACK;
SELECT expect_error($$UPDATE reb SET current = false WHERE id = 1$$);
\set VERBOSITY default
