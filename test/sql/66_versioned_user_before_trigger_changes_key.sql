-- A user's BEFORE trigger that changes the key or the version: the current
-- rows follow the tuple as stored, whatever the trigger's name sorts as.
CREATE TABLE bk (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('bk', '{id}', '{v}');
CREATE TABLE tk (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('tk', '{id}', '{v}', strategy => 'table');
-- It acts when x is set (not on current_view's own flag updates).
CREATE FUNCTION bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.x IS NOT DISTINCT FROM OLD.x THEN RETURN NEW; END IF;
    IF NEW.x = 'bump' THEN NEW.v := NEW.v + 100; END IF;
    IF NEW.x = 'rekey' THEN NEW.id := NEW.id + 10; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER a_bump BEFORE INSERT OR UPDATE ON bk FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER z_bump BEFORE INSERT OR UPDATE ON bk FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER a_bump BEFORE INSERT OR UPDATE ON tk FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER z_bump BEFORE INSERT OR UPDATE ON tk FOR EACH ROW EXECUTE FUNCTION bump_version();

-- Row path: BEFORE INSERT changes the version, then the key.
INSERT INTO bk VALUES (1, 1, 'a'), (1, 2, 'b');
INSERT INTO bk VALUES (1, 1, 'bump');
INSERT INTO bk VALUES (2, 5, 'rekey');
SELECT id, v, x, current FROM bk ORDER BY id, v;
SELECT versioned_state('bk');
INSERT INTO tk VALUES (1, 1, 'a'), (1, 2, 'b');
INSERT INTO tk VALUES (1, 1, 'bump');
INSERT INTO tk VALUES (2, 5, 'rekey');
SELECT versioned_state('tk');

-- An UPDATE of another column whose BEFORE trigger changes the version:
-- 'flag' maintains after UPDATE OF the key and version only, and refuses it.
SELECT expect_error($$UPDATE bk SET x = 'bump' WHERE id = 1 AND v = 2$$);
SELECT versioned_state('bk');
UPDATE tk SET x = 'bump' WHERE id = 1 AND v = 2;
SELECT versioned_state('tk');
SELECT expect_error($$UPDATE bk SET x = 'rekey' WHERE id = 1 AND v = 1$$);
-- Named in the SET list, the same change is maintained.
UPDATE bk SET x = 'bump', v = v WHERE id = 1 AND v = 2;
SELECT versioned_state('bk');
UPDATE bk SET x = 'rekey', id = id WHERE id = 1 AND v = 1;
SELECT versioned_state('bk');
UPDATE tk SET x = 'rekey' WHERE id = 1 AND v = 1;
SELECT versioned_state('tk');

-- Statement path.
SET current_view.statement_path_min_rows = 1;
INSERT INTO bk SELECT 3, g, CASE WHEN g = 1 THEN 'bump' ELSE 'y' END FROM generate_series(1, 5) g;
SELECT versioned_state('bk');
INSERT INTO tk SELECT 3, g, CASE WHEN g = 1 THEN 'bump' ELSE 'y' END FROM generate_series(1, 5) g;
SELECT versioned_state('tk');
SELECT expect_error($$UPDATE bk SET x = 'bump' WHERE id = 3 AND v IN (2, 3)$$);
UPDATE bk SET x = 'bump', v = v WHERE id = 3 AND v IN (2, 3);
SELECT versioned_state('bk');
UPDATE tk SET x = 'bump' WHERE id = 3 AND v IN (2, 3);
SELECT versioned_state('tk');
RESET current_view.statement_path_min_rows;

-- A BEFORE INSERT trigger that sorts after current_view's own.
CREATE TRIGGER zzzz_bump BEFORE INSERT ON bk FOR EACH ROW EXECUTE FUNCTION bump_version();
INSERT INTO bk VALUES (5, 1, 'a'), (5, 2, 'b');
INSERT INTO bk VALUES (5, 1, 'bump');
SELECT versioned_state('bk');
SELECT id, v, x, current FROM bk ORDER BY id, v;
SELECT * FROM tk_current ORDER BY id;

-- 'flag' on a partitioned table: the same refusal, and the same change
-- named in SET is maintained (within a partition: PostgreSQL refuses a
-- BEFORE trigger that moves the row to another one).
CREATE TABLE pk (id int, v int, x text, PRIMARY KEY (id, v)) PARTITION BY RANGE (v);
CREATE TABLE pk1 PARTITION OF pk FOR VALUES FROM (0) TO (100);
CREATE TABLE pk2 PARTITION OF pk FOR VALUES FROM (100) TO (1000);
SELECT register_versioned_table('pk', '{id}', '{v}');
CREATE OR REPLACE FUNCTION bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.x IS NOT DISTINCT FROM OLD.x THEN RETURN NEW; END IF;
    IF NEW.x = 'bump' THEN NEW.v := NEW.v + 10; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER a_bump BEFORE INSERT OR UPDATE ON pk FOR EACH ROW EXECUTE FUNCTION bump_version();
INSERT INTO pk VALUES (1, 1, 'a'), (1, 2, 'b'), (1, 3, 'bump');
SELECT expect_error($$UPDATE pk SET x = 'bump' WHERE id = 1 AND v = 1$$);
UPDATE pk SET x = 'bump', v = v WHERE id = 1 AND v = 2;
SELECT id, v, x, current FROM pk ORDER BY id, v;
SELECT versioned_state('pk');
SET current_view.statement_path_min_rows = 1;
INSERT INTO pk SELECT 2, g, CASE WHEN g = 2 THEN 'bump' ELSE 'y' END FROM generate_series(1, 4) g;
SELECT versioned_state('pk');
RESET current_view.statement_path_min_rows;

-- An UPDATE through the view issued by a user's BEFORE INSERT trigger: it
-- advances the current row (a version of its own), which the inserted row,
-- newer, then replaces; row path and statement path.
CREATE TABLE ve (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('ve', '{id}', '{v}');
CREATE TABLE vt (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('vt', '{id}', '{v}', strategy => 'table');
INSERT INTO ve VALUES (1, 1, 'a');
INSERT INTO vt VALUES (1, 1, 'a');
CREATE FUNCTION touch_view() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.x = 'touch' THEN
        EXECUTE format('UPDATE %I SET x = %L WHERE id = $1', TG_ARGV[0], 'touched') USING NEW.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER a_touch BEFORE INSERT ON ve FOR EACH ROW EXECUTE FUNCTION touch_view('ve_current');
CREATE TRIGGER a_touch BEFORE INSERT ON vt FOR EACH ROW EXECUTE FUNCTION touch_view('vt_current');
INSERT INTO ve VALUES (1, 5, 'touch');
INSERT INTO vt VALUES (1, 5, 'touch');
SELECT * FROM ve ORDER BY id, v;
SELECT * FROM vt ORDER BY id, v;
SELECT versioned_state('ve'), versioned_state('vt');
SET current_view.statement_path_min_rows = 1;
INSERT INTO ve VALUES (1, 10, 'touch'), (1, 11, 'y');
INSERT INTO vt VALUES (1, 10, 'touch'), (1, 11, 'y');
RESET current_view.statement_path_min_rows;
SELECT * FROM ve_current;
SELECT * FROM vt_current;
SELECT versioned_state('ve'), versioned_state('vt');
