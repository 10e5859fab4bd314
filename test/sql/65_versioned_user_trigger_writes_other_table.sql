-- Maintenance of one registered table switches off nothing of another: a
-- user trigger that the maintenance of table A fires, and that writes the
-- registered table B, is checked and maintained as any write to B.

-- 'flag': demoting A's current row updates A, which fires the owner's
-- AFTER UPDATE trigger; it writes B.
CREATE TABLE wa (id int, v int, x text, PRIMARY KEY (id, v));
CREATE TABLE wb (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('wa', '{id}', '{v}');
SELECT register_versioned_table('wb', '{id}', '{v}');
INSERT INTO wb VALUES (1, 1, 'b1'), (1, 2, 'b2');
CREATE TABLE wa_action (sql text);
CREATE FUNCTION wa_writes_wb() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE (SELECT sql FROM wa_action);
    RETURN NULL;
END $$;
CREATE TRIGGER wa_writes_wb AFTER UPDATE ON wa FOR EACH ROW EXECUTE FUNCTION wa_writes_wb();

-- The flag of B, forged from inside A's maintenance: refused, as outside.
INSERT INTO wa_action VALUES ('UPDATE wb SET current = NOT current WHERE id = 1');
INSERT INTO wa VALUES (1, 1, 'a1');
SELECT expect_error($$INSERT INTO wa VALUES (1, 2, 'a2')$$);
SELECT versioned_state('wa'), versioned_state('wb');

-- B's version changed from inside A's maintenance: B's current row follows.
UPDATE wa_action SET sql = 'UPDATE wb SET v = 5 WHERE id = 1 AND v = 1';
INSERT INTO wa VALUES (1, 3, 'a3');
SELECT id, v, x, current FROM wb ORDER BY id, v;
SELECT versioned_state('wa'), versioned_state('wb');

-- B's rows written through its view from inside A's maintenance.
UPDATE wa_action SET sql = $$UPDATE wb_current SET x = 'via view' WHERE id = 1$$;
INSERT INTO wa VALUES (1, 4, 'a4');
SELECT id, x FROM wb_current ORDER BY id;
SELECT versioned_state('wa'), versioned_state('wb');

-- The same on the statement path.
SET current_view.statement_path_min_rows = 1;
UPDATE wa_action SET sql = 'INSERT INTO wb SELECT 2, max(v) + 1 FROM wb';
INSERT INTO wa SELECT 1, g FROM generate_series(10, 12) g;
SELECT versioned_state('wa'), versioned_state('wb');
UPDATE wa_action SET sql = 'UPDATE wb SET current = true WHERE NOT current';
SELECT expect_error($$INSERT INTO wa SELECT 1, g FROM generate_series(20, 22) g$$);
SELECT versioned_state('wa'), versioned_state('wb');
RESET current_view.statement_path_min_rows;

-- An append-only B stays append-only inside A's maintenance.
CREATE TABLE wc (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('wc', '{id}', '{v}', append_only => true);
INSERT INTO wc VALUES (1, 1, 'c1');
UPDATE wa_action SET sql = $$UPDATE wc SET x = 'changed'$$;
SELECT expect_error($$INSERT INTO wa VALUES (1, 30, 'a30')$$);
SELECT x FROM wc;
SELECT versioned_state('wa'), versioned_state('wc');

-- 'table': A's current table written by A's maintenance fires the owner's
-- trigger there, which writes B's current table or B's history.
CREATE TABLE ta (id int, v int, x text, PRIMARY KEY (id, v));
CREATE TABLE tb (id int, v int, x text, PRIMARY KEY (id, v));
SELECT register_versioned_table('ta', '{id}', '{v}', strategy => 'table');
SELECT register_versioned_table('tb', '{id}', '{v}', strategy => 'table');
INSERT INTO tb VALUES (1, 1, 'b1');
CREATE TRIGGER ta_writes_tb AFTER INSERT OR UPDATE ON ta_current FOR EACH ROW EXECUTE FUNCTION wa_writes_wb();
-- A direct write to B's current table is a write through B (a new version).
UPDATE wa_action SET sql = $$UPDATE tb_current SET x = 'from ta' WHERE id = 1$$;
INSERT INTO ta VALUES (1, 1, 'a1');
SELECT id, x FROM tb_current;
SELECT versioned_state('ta'), versioned_state('tb');
-- A version appended to B's history while A's current table is written.
UPDATE wa_action SET sql = $$INSERT INTO tb VALUES (1, 9, 'tb9')$$;
INSERT INTO ta VALUES (1, 2, 'a2');
SELECT id, v, x FROM tb_current;
SELECT versioned_state('ta'), versioned_state('tb');
-- An update through A's current table appends A's version (the history
-- trigger of A is skipped for it), whose owner trigger appends to B.
DROP TRIGGER ta_writes_tb ON ta_current;
CREATE TRIGGER ta_hist_writes_tb AFTER INSERT ON ta FOR EACH ROW EXECUTE FUNCTION wa_writes_wb();
UPDATE wa_action SET sql = $$INSERT INTO tb SELECT 2, coalesce(max(v), 0) + 1, 'tb' FROM tb WHERE id = 2$$;
UPDATE ta_current SET x = 'advanced', v = 3 WHERE id = 1;
SELECT id, v, x FROM tb_current ORDER BY id;
SELECT versioned_state('ta'), versioned_state('tb');
SELECT * FROM tb ORDER BY id, v;

-- INSERT ... ON CONFLICT run by a trigger inside maintenance: a newer row
-- that the conflict check skips gives the flag back when it ends.
CREATE TABLE wd (id int, v int, x text UNIQUE, PRIMARY KEY (id, v));
SELECT register_versioned_table('wd', '{id}', '{v}');
INSERT INTO wd VALUES (3, 1, 'k1');
UPDATE wa_action SET sql = $$INSERT INTO wd VALUES (3, 2, 'k1') ON CONFLICT (x) DO NOTHING$$;
INSERT INTO wa VALUES (1, 40, 'a40');
SELECT id, v, x, current FROM wd ORDER BY id, v;
SELECT versioned_state('wa'), versioned_state('wd');
