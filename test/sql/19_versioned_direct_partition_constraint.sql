-- A demotion written directly must respect the partition constraint, as the
-- UPDATE it stands for does: on a table partitioned by its flag column, the
-- demoted row cannot stay in the partition of current rows.  PostgreSQL's
-- UPDATE ONLY of that partition fails; the direct path must not silently
-- write a row that partition pruning then hides.
CREATE TABLE by_flag (id int NOT NULL, v int NOT NULL, current boolean NOT NULL DEFAULT true)
    PARTITION BY LIST (current);
CREATE TABLE by_flag_current_rows PARTITION OF by_flag FOR VALUES IN (true);
CREATE TABLE by_flag_history_rows PARTITION OF by_flag FOR VALUES IN (false);
SELECT register_versioned_table('by_flag', '{id}', '{v}');
INSERT INTO by_flag VALUES (1, 1);
INSERT INTO by_flag VALUES (1, 2);
-- No row of the partition of current rows may be demoted.
SELECT count(*) AS misplaced FROM ONLY by_flag_current_rows WHERE NOT current;
-- What partition pruning shows agrees with what is stored.
SELECT (SELECT count(*) FROM by_flag WHERE NOT current) AS pruned_history,
       (SELECT count(*) FROM ONLY by_flag_current_rows WHERE NOT current)
     + (SELECT count(*) FROM ONLY by_flag_history_rows) AS stored_history;
SELECT check_versioned_table('by_flag');
DROP TABLE by_flag CASCADE;
