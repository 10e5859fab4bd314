-- Review 5: strategy 'table' writes the current table from the inserted
-- row in its AFTER INSERT trigger.  An AFTER trigger of the user that fires
-- first (names sort before current_view_...) and updates the inserted row
-- (an audit stamp, say) must not leave the current table with the row as
-- it was before that update; the same trigger named zz_... works.
SET client_min_messages = warning;
CREATE TABLE r5_stamped (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('r5_stamped', '{id}', '{v}', strategy => 'table');
CREATE FUNCTION r5_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE r5_stamped SET note = note || ' stamped' WHERE id = NEW.id AND v = NEW.v;
    RETURN NULL;
END
$$;
CREATE TRIGGER a_stamp AFTER INSERT ON r5_stamped FOR EACH ROW EXECUTE FUNCTION r5_stamp();
INSERT INTO r5_stamped VALUES (1, 1, 'one'), (2, 1, 'two');
SELECT id, v, note FROM r5_stamped_current ORDER BY id;
SELECT check_versioned_table('r5_stamped') AS wrong_keys;
-- On the statement path too.
TRUNCATE r5_stamped;
SET current_view.statement_path_min_rows = 0;
INSERT INTO r5_stamped VALUES (1, 1, 'one'), (2, 1, 'two');
RESET current_view.statement_path_min_rows;
SELECT check_versioned_table('r5_stamped') AS wrong_keys;
DROP TABLE r5_stamped CASCADE;
DROP FUNCTION r5_stamp();
