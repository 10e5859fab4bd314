-- Review 5: check_search_table is callable by anyone, a superuser's
-- monitoring included, and evaluates each source's filter.  A filter may
-- call an IMMUTABLE function of the search table's owner, which is only a
-- label: run with the caller's rights, it reads what the caller may read
-- (and can send it out with pg_notify) and sets the caller's session
-- settings, here session_replication_role, which turns off every trigger
-- of the superuser's later writes; lo_export() of the owner's large object
-- writes any file as the server's OS user (postgresql.auto.conf, then
-- pg_reload_conf(): the owner becomes superuser).  Correct: the owner's code never runs
-- with the caller's rights (run as the owner, or refuse such filters).
SET client_min_messages = warning;
CREATE ROLE regress_r5_owner;
CREATE SCHEMA r5_owned AUTHORIZATION regress_r5_owner;
SET ROLE regress_r5_owner;
CREATE TABLE r5_owned.doc (id int PRIMARY KEY, body text, pub int);
CREATE FUNCTION r5_owned.published(int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM set_config('regress_r5.ran_as', current_user, false);
    BEGIN
        PERFORM set_config('session_replication_role', 'replica', false);
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;
    END;
    RETURN $1 > 0;
END
$$;
SELECT register_search_document('r5_owned.doc', '{body}');
SELECT add_search_source('r5_owned.s', 'r5_owned.doc', '{}', 'r5_owned.published(pub)');
INSERT INTO r5_owned.doc VALUES (1, 'hello', 1);
RESET ROLE;
SELECT set_config('regress_r5.ran_as', '', false) IS NOT NULL AS reset;
-- A superuser checks the search table.
SELECT check_search_table('r5_owned.s');
SELECT current_setting('regress_r5.ran_as') IN ('', 'regress_r5_owner') AS not_run_as_the_caller,
       current_setting('session_replication_role') AS replication_role;
RESET session_replication_role;
DROP SCHEMA r5_owned CASCADE;
DROP ROLE regress_r5_owner;
