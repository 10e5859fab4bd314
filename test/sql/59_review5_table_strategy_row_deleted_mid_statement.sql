-- Review 5: strategy 'table' decides an inserted row in its AFTER trigger,
-- which fires at the end of the statement.  A row that a trigger of the user
-- deletes before then (here a BEFORE trigger of a later row of the same
-- statement) must not become current: the current table would show a row
-- that is not in the history.  Both paths (row by row, and set-based).
SET client_min_messages = warning;
CREATE TABLE r5_del (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('r5_del', '{id}', '{v}', strategy => 'table');
CREATE TABLE r5_del_f (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('r5_del_f', '{id}', '{v}');
CREATE FUNCTION r5_delete_newest_of_7() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.note = 'x' THEN
        EXECUTE format('DELETE FROM %I.%I WHERE id = 7 AND v = (SELECT max(v) FROM %I.%I WHERE id = 7)',
                       TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_TABLE_SCHEMA, TG_TABLE_NAME);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER b_delete BEFORE INSERT ON r5_del FOR EACH ROW EXECUTE FUNCTION r5_delete_newest_of_7();
CREATE TRIGGER b_delete BEFORE INSERT ON r5_del_f FOR EACH ROW EXECUTE FUNCTION r5_delete_newest_of_7();
INSERT INTO r5_del VALUES (7, 1, 'a'), (7, 2, 'b');
INSERT INTO r5_del_f VALUES (7, 1, 'a'), (7, 2, 'b');
-- (7, 3) is inserted, then deleted by the trigger of (5, 12): 7's newest is 1.
INSERT INTO r5_del VALUES (5, 11, 'y'), (7, 3, 'c'), (5, 12, 'x');
INSERT INTO r5_del_f VALUES (5, 11, 'y'), (7, 3, 'c'), (5, 12, 'x');
SELECT 'table' AS strategy, id, v, note FROM r5_del_current ORDER BY id;
SELECT 'flag' AS strategy, id, v, note FROM r5_del_f_current ORDER BY id;
SELECT oracle_diff('r5_del_current', 'r5_del', 'id', 'v') AS table_diff, check_versioned_table('r5_del') AS table_check,
       oracle_diff('r5_del_f_current', 'r5_del_f', 'id', 'v') AS flag_diff, check_versioned_table('r5_del_f') AS flag_check;
-- The same on the statement path.
TRUNCATE r5_del, r5_del_f;
INSERT INTO r5_del VALUES (7, 1, 'a'), (7, 2, 'b');
INSERT INTO r5_del_f VALUES (7, 1, 'a'), (7, 2, 'b');
SET current_view.statement_path_min_rows = 0;
INSERT INTO r5_del VALUES (5, 11, 'y'), (7, 3, 'c'), (5, 12, 'x');
INSERT INTO r5_del_f VALUES (5, 11, 'y'), (7, 3, 'c'), (5, 12, 'x');
RESET current_view.statement_path_min_rows;
SELECT oracle_diff('r5_del_current', 'r5_del', 'id', 'v') AS table_diff, check_versioned_table('r5_del') AS table_check,
       oracle_diff('r5_del_f_current', 'r5_del_f', 'id', 'v') AS flag_diff, check_versioned_table('r5_del_f') AS flag_check;
DROP TABLE r5_del, r5_del_f CASCADE;
DROP FUNCTION r5_delete_newest_of_7();
