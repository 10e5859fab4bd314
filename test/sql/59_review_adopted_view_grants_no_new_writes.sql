-- Review: adopting a view keeps its grants (CREATE OR REPLACE VIEW), and the
-- registration's view is writable where the hand-written DISTINCT ON view
-- was not.  So a role that was granted ALL on the read-only view (GRANT ALL
-- ON ALL TABLES IN SCHEMA, say) and only SELECT on the table can append
-- versions to the table once the view is adopted.  Expected: adoption gives
-- no role a write it could not do before (its writes fail with 42501 and
-- append nothing).
\set VERBOSITY terse
CREATE ROLE regress_review_analyst;
CREATE TABLE review_ledger (id int, v int, amount int, PRIMARY KEY (id, v));
INSERT INTO review_ledger VALUES (1, 1, 10);
CREATE VIEW review_ledger_current AS
SELECT DISTINCT ON (id) id, v, amount FROM review_ledger ORDER BY id, v DESC;
GRANT ALL ON review_ledger_current TO regress_review_analyst;
GRANT SELECT ON review_ledger TO regress_review_analyst;
SET ROLE regress_review_analyst;
SELECT left(expect_error($$INSERT INTO review_ledger_current VALUES (1, 2, 999)$$), 5) AS before_adoption;
RESET ROLE;
SELECT register_versioned_table('review_ledger', '{id}', '{v}');
SET ROLE regress_review_analyst;
SELECT left(expect_error($$INSERT INTO review_ledger_current VALUES (1, 2, 999)$$), 5) AS insert_after;
SELECT left(expect_error($$UPDATE review_ledger_current SET amount = 0 WHERE id = 1$$), 5) AS update_after;
RESET ROLE;
SELECT count(*) AS versions FROM review_ledger;
SELECT unregister_versioned_table('review_ledger');
DROP TABLE review_ledger;
DROP ROLE regress_review_analyst;
