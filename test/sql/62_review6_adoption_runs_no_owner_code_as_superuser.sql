-- Review: a superuser (a DBA running a migration) registering another
-- role's table with strategy 'table' adopts the owner's existing current
-- table.  The backfill's DELETE and INSERT into it run its index
-- expressions and partial index predicates, which may call the owner's
-- functions: they must run as the table's owner in a security-restricted
-- operation (as REINDEX does), never with the superuser's rights.
-- Expected: the owner never becomes superuser, the adopted rows are right.
\set VERBOSITY terse
CREATE ROLE regress_r6_tenant;
CREATE SCHEMA r6 AUTHORIZATION regress_r6_tenant;
SET ROLE regress_r6_tenant;
CREATE FUNCTION r6.escalate() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'ALTER ROLE regress_r6_tenant SUPERUSER';
    RETURN 1;
END $$;
CREATE FUNCTION r6.f(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF current_setting('is_superuser') = 'on' THEN
        PERFORM r6.escalate();
    END IF;
    RETURN $1;
END $$;
CREATE TABLE r6.t (id int, v int, a int, PRIMARY KEY (id, v));
INSERT INTO r6.t VALUES (1, 1, 10), (1, 2, 11), (2, 1, 20);
CREATE TABLE r6.t_current (id int, v int, a int);
INSERT INTO r6.t_current VALUES (1, 1, 10);
CREATE INDEX t_current_f ON r6.t_current (r6.f(a));
CREATE TABLE r6.p (id int, v int, a int, PRIMARY KEY (id, v));
INSERT INTO r6.p VALUES (1, 1, 10), (2, 1, 20);
CREATE TABLE r6.p_current (id int PRIMARY KEY, v int, a int);
CREATE INDEX p_current_partial ON r6.p_current (a) WHERE r6.f(a) > 0;
RESET ROLE;

SELECT register_versioned_table('r6.t', '{id}', '{v}', strategy => 'table');
SELECT register_versioned_table('r6.p', '{id}', '{v}', strategy => 'table');
SELECT rolsuper AS tenant_is_superuser FROM pg_roles WHERE rolname = 'regress_r6_tenant';
SELECT * FROM oracle_diff('r6.t_current', 'r6.t', 'id', 'v');
SELECT * FROM oracle_diff('r6.p_current', 'r6.p', 'id', 'v');
SELECT check_versioned_table('r6.t'), check_versioned_table('r6.p');

SELECT unregister_versioned_table('r6.t');
SELECT unregister_versioned_table('r6.p');
DROP SCHEMA r6 CASCADE;
DROP ROLE regress_r6_tenant;
