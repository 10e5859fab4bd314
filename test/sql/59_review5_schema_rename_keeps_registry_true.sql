-- Review 5: ALTER SCHEMA ... RENAME TO of a schema holding a registered
-- table must keep the registration working (or be refused): a registry row
-- left behind under the old schema name is matched by name later, so that a
-- DROP TABLE of another role's table that takes the old name drops that
-- role's objects with the dropper's rights (here a superuser's).
SET client_min_messages = warning;
CREATE ROLE regress_r5_alice;
CREATE ROLE regress_r5_bob;
DO $$BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_r5_alice', current_database()); END$$;
CREATE SCHEMA r5_rep AUTHORIZATION regress_r5_alice;
SET ROLE regress_r5_alice;
CREATE TABLE r5_rep.orders (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('r5_rep.orders', '{id}', '{v}');
INSERT INTO r5_rep.orders VALUES (1, 1, 'a'), (1, 2, 'b');
-- The owner of the schema renames it: the command is refused, or the
-- registration follows.
SELECT expect_error('ALTER SCHEMA r5_rep RENAME TO r5_rep_old') AS rename;
SELECT CASE WHEN to_regnamespace('r5_rep_old') IS NULL THEN 'refused'
            WHEN EXISTS (SELECT 1 FROM versioned_tables WHERE table_name = 'r5_rep_old.orders')
            THEN 'followed' ELSE 'broken' END AS registration;
SELECT table_schema, table_name FROM current_view_internal.versioned_table_registry
WHERE table_name = 'orders' AND table_schema NOT IN (SELECT nspname FROM pg_namespace);
-- Refused, the registration keeps working where it was.
INSERT INTO r5_rep.orders VALUES (1, 3, 'c'), (2, 1, 'x');
SELECT versioned_state('r5_rep.orders') AS state;
RESET ROLE;
-- Clean up.
DROP SCHEMA r5_rep CASCADE;
DROP SCHEMA IF EXISTS r5_rep_old CASCADE;
DO $$BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_r5_alice', current_database()); END$$;
DROP ROLE regress_r5_alice;
DROP ROLE regress_r5_bob;
