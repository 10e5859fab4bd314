-- Maintenance that another role runs on a registered table writes it as the
-- table's owner, in a security-restricted operation under search_path
-- pg_catalog, pg_temp, as PostgreSQL's REINDEX does, and settings changed by
-- the owner's code it runs do not stay in the session.  (The partition
-- repair and rebuild_versioned_table: 59_review_superuser_maintenance_runs_no_owner_code.)
\set VERBOSITY terse
CREATE ROLE regress_mt_owner;
CREATE ROLE regress_mt_writer;
CREATE ROLE regress_mt_other;
CREATE SCHEMA mt AUTHORIZATION regress_mt_owner;
GRANT USAGE ON SCHEMA mt TO regress_mt_writer, regress_mt_other;
SET ROLE regress_mt_owner;
CREATE FUNCTION mt.report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE '% of %: as %, search_path %', TG_OP, TG_TABLE_NAME, current_user,
        current_setting('search_path');
    RETURN NULL;
END $$;
CREATE TABLE mt.doc (id int PRIMARY KEY, name text);
INSERT INTO mt.doc VALUES (1, 'alpha'), (2, 'beta');
SELECT register_search_document('mt.doc', '{name}');
SELECT add_search_source('mt.s', 'mt.doc');
CREATE TRIGGER report AFTER INSERT OR DELETE ON mt.s
    FOR EACH STATEMENT EXECUTE FUNCTION mt.report();
RESET ROLE;

-- A superuser's rebuild of the search table writes it as its owner.
CALL rebuild_search_table('mt.s');
SELECT count(*) AS search_rows FROM mt.s;

-- Nobody runs a statement as a role whose privileges she does not have.
SET ROLE regress_mt_other;
SELECT expect_error($$SELECT current_view_internal._execute_as_owner('mt.doc', 'DELETE FROM mt.doc', 0)$$);
RESET ROLE;
SELECT count(*) AS doc_rows FROM mt.doc;

-- The triggers' own writes run the owner's index expressions as the owner;
-- a setting that such code changes does not stay in the writer's session.
-- f leaks for the row that the writer's insert demotes.
SET ROLE regress_mt_owner;
CREATE FUNCTION mt.leak() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'leaking as %', current_user;
    PERFORM set_config('search_path', 'leaked', false);
END $$;
CREATE FUNCTION mt.f(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF $1 = 99 THEN
        PERFORM mt.leak();
    END IF;
    RETURN $1;
END $$;
CREATE TABLE mt.v (id int, ver int, a int);
SELECT register_versioned_table('mt.v', '{id}', '{ver}');
INSERT INTO mt.v VALUES (1, 1, 99);
SET client_min_messages = warning;   -- the index build calls f(99) too
CREATE INDEX ON mt.v (mt.f(a));
RESET client_min_messages;
GRANT INSERT ON mt.v TO regress_mt_writer;
SET ROLE regress_mt_writer;
SET search_path = public;
INSERT INTO mt.v VALUES (1, 2, 5);
SHOW search_path;
RESET ROLE;
RESET search_path;
SELECT id, ver, a FROM mt.v_current;

SET client_min_messages = warning;
SELECT unregister_versioned_table('mt.v');
SELECT drop_search_table('mt.s');
DROP SCHEMA mt CASCADE;
RESET client_min_messages;
DROP ROLE regress_mt_owner;
DROP ROLE regress_mt_writer;
DROP ROLE regress_mt_other;
