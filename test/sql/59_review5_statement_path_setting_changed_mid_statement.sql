-- Review 5: a statement whose current_view.statement_path_min_rows changes
-- while it runs (a user's BEFORE trigger sets it) must decide its rows as the
-- row path does: of equal versions, the row inserted last is current.  Rows
-- deferred before the change must not be settled after rows of the same
-- statement that took the row path since.
SET client_min_messages = warning;
CREATE TABLE r5_tie (id int, v int, note text);
CREATE INDEX ON r5_tie (id, v);
SELECT register_versioned_table('r5_tie', '{id}', '{v}');
CREATE TABLE r5_tie_t (id int, v int, note text);
CREATE INDEX ON r5_tie_t (id, v);
SELECT register_versioned_table('r5_tie_t', '{id}', '{v}', strategy => 'table');
CREATE FUNCTION r5_flip() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.note = 'flip' THEN
        PERFORM set_config('current_view.statement_path_min_rows', '100000', true);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER a_flip BEFORE INSERT ON r5_tie FOR EACH ROW EXECUTE FUNCTION r5_flip();
CREATE TRIGGER a_flip BEFORE INSERT ON r5_tie_t FOR EACH ROW EXECUTE FUNCTION r5_flip();
-- The row path: the last of three equal versions is current.
INSERT INTO r5_tie VALUES (9, 1, 'first'), (9, 1, 'flip'), (9, 1, 'last');
SELECT 'row path' AS path, note FROM r5_tie_current WHERE id = 9;
-- The first row deferred, the next two on the row path.
BEGIN;
SET LOCAL current_view.statement_path_min_rows = 0;
INSERT INTO r5_tie VALUES (1, 1, 'first'), (1, 1, 'flip'), (1, 1, 'last');
COMMIT;
SELECT 'flag' AS strategy, note, (SELECT count(*) FROM r5_tie WHERE current AND id = 1) AS current_rows
FROM r5_tie_current WHERE id = 1;
BEGIN;
SET LOCAL current_view.statement_path_min_rows = 0;
INSERT INTO r5_tie_t VALUES (1, 1, 'first'), (1, 1, 'flip'), (1, 1, 'last');
COMMIT;
SELECT 'table' AS strategy, note FROM r5_tie_t_current WHERE id = 1;
SELECT check_versioned_table('r5_tie') AS flag_check, check_versioned_table('r5_tie_t') AS table_check;
DROP TABLE r5_tie, r5_tie_t;
DROP FUNCTION r5_flip();
