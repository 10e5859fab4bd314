-- Review: maintenance of another role's registered table by a superuser
-- (a rebuild, or DDL that the partition repair turns into writes: DROP or
-- DETACH of a partition, as pg_partman's retention does) must not run the
-- table owner's code with the superuser's rights.  The repair and the
-- rebuild write the flag column as the role running them, so every index
-- expression of the table, such as a current_indexes entry
-- '(owner_schema.f(a))' with f IMMUTABLE, runs as the superuser, outside
-- any security-restricted operation, where PostgreSQL runs index
-- expressions of REINDEX, VACUUM, ANALYZE or REFRESH as the table's owner.
-- Here f calls a volatile function of the owner's that makes it superuser.
-- Expected: the owner never becomes superuser.
\set VERBOSITY terse
CREATE ROLE regress_review_tenant;
CREATE SCHEMA review_tenant AUTHORIZATION regress_review_tenant;
SET ROLE regress_review_tenant;
CREATE FUNCTION review_tenant.escalate() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'ALTER ROLE regress_review_tenant SUPERUSER';
    RETURN 1;
END $$;
CREATE FUNCTION review_tenant.f(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF current_setting('is_superuser') = 'on' THEN
        PERFORM review_tenant.escalate();
    END IF;
    RETURN $1;
END $$;
CREATE TABLE review_tenant.t (id int, v int, a int) PARTITION BY RANGE (v);
CREATE TABLE review_tenant.t1 PARTITION OF review_tenant.t FOR VALUES FROM (0) TO (10);
CREATE TABLE review_tenant.t2 PARTITION OF review_tenant.t FOR VALUES FROM (10) TO (20);
CREATE TABLE review_tenant.t3 PARTITION OF review_tenant.t FOR VALUES FROM (20) TO (30);
INSERT INTO review_tenant.t VALUES (1, 1, 1), (1, 11, 2), (2, 2, 3), (2, 21, 4);
SELECT register_versioned_table('review_tenant.t', '{id}', '{v}',
                                current_indexes => ARRAY['(review_tenant.f(a))']);
CREATE TABLE review_tenant.u (id int, v int, a int);
INSERT INTO review_tenant.u VALUES (1, 1, 1), (1, 2, 2);
SELECT register_versioned_table('review_tenant.u', '{id}', '{v}', backfill => false,
                                current_indexes => ARRAY['(review_tenant.f(a))']);
RESET ROLE;

-- A superuser detaches a partition (its current rows leave; the repair
-- makes the previous versions current).
ALTER TABLE review_tenant.t DETACH PARTITION review_tenant.t2;
SELECT rolsuper AS owner_is_superuser FROM pg_roles WHERE rolname = 'regress_review_tenant';
ALTER ROLE regress_review_tenant NOSUPERUSER;
-- ... drops one.
DROP TABLE review_tenant.t3;
SELECT rolsuper AS owner_is_superuser FROM pg_roles WHERE rolname = 'regress_review_tenant';
ALTER ROLE regress_review_tenant NOSUPERUSER;
-- ... rebuilds a table registered without backfill.
CALL rebuild_versioned_table('review_tenant.u');
SELECT rolsuper AS owner_is_superuser FROM pg_roles WHERE rolname = 'regress_review_tenant';
ALTER ROLE regress_review_tenant NOSUPERUSER;

SET client_min_messages = warning;
SELECT unregister_versioned_table('review_tenant.t');
SELECT unregister_versioned_table('review_tenant.u');
DROP SCHEMA review_tenant CASCADE;
RESET client_min_messages;
DROP ROLE regress_review_tenant;
