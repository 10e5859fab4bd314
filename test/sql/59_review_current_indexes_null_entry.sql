-- Review: a null current_indexes entry is refused as the caller's mistake
-- (22004 naming current_indexes), before registration does any work, not by
-- an internal function.
\set VERBOSITY terse
CREATE TABLE review_null_entry (id int, v int, a int, PRIMARY KEY (id, v));
CREATE TEMP TABLE review_null_error AS
SELECT expect_error($$SELECT register_versioned_table('review_null_entry', '{id}', '{v}',
                                                      current_indexes => ARRAY['(a)', NULL])$$) AS e;
SELECT left(e, 5) AS sqlstate, e LIKE '%current_indexes%' AS names_current_indexes,
       e NOT LIKE '%\_create_index%' AS names_no_internal_function
FROM review_null_error;
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = 'review_null_entry'::regclass;
DROP TABLE review_null_entry, review_null_error;
