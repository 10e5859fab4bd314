-- Review: a view that registration adopts must already belong to the
-- registered table's owner.  A superuser (or a member of the view owner's
-- role) passes PostgreSQL's ownership check on any view, so CREATE OR
-- REPLACE VIEW alone lets registration adopt a view that another role
-- planted under view_name in a shared schema; that role keeps owning the
-- registration's view and can redefine it later (e.g. to call a function
-- of its own that makes it superuser when the superuser reads the view).
-- Expected: 42501, nothing changed.
\set VERBOSITY terse
CREATE ROLE regress_review_planter;
CREATE SCHEMA review_shared;
GRANT CREATE, USAGE ON SCHEMA review_shared TO regress_review_planter;
CREATE TABLE review_shared.payroll (id int, v int, salary int, PRIMARY KEY (id, v));
INSERT INTO review_shared.payroll VALUES (1, 1, 100);
SET ROLE regress_review_planter;
CREATE VIEW review_shared.payroll_current AS SELECT 1 AS id;
RESET ROLE;
SELECT left(expect_error($$SELECT register_versioned_table('review_shared.payroll', '{id}', '{v}')$$), 5)
    AS sqlstate;
SELECT pg_get_userbyid(relowner) AS view_owner, pg_get_viewdef(oid) AS definition
FROM pg_class WHERE oid = 'review_shared.payroll_current'::regclass;
SELECT count(*) AS registrations FROM versioned_tables WHERE table_name = 'review_shared.payroll';
-- Nothing of the registration was left behind.
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'review_shared.payroll'::regclass;
SELECT count(*) AS flag_columns FROM pg_attribute
WHERE attrelid = 'review_shared.payroll'::regclass AND attname = 'current';
SET client_min_messages = warning;
DROP SCHEMA review_shared CASCADE;
RESET client_min_messages;
DROP ROLE regress_review_planter;
