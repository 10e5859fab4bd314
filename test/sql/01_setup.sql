-- Set-up shared by the tests that follow (pg_regress runs them in name order
-- in one database).
CREATE EXTENSION current_view;

-- The oracle: the rows of "shown" must be exactly one per key of "history",
-- with the greatest version (keys and versions are quoted column lists).
-- Returns the size of the symmetric difference, EXCEPT ALL both ways.
CREATE FUNCTION oracle_diff(shown regclass, history regclass, keys text, versions text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        WITH o AS (SELECT DISTINCT ON (%1$s) %1$s, %2$s FROM %3$s ORDER BY %1$s, %4$s),
             s AS (SELECT %1$s, %2$s FROM %5$s)
        SELECT (SELECT count(*) FROM (TABLE o EXCEPT ALL TABLE s) a)
             + (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE o) b)$q$,
        keys, versions, history, regexp_replace(versions, ',', ' DESC,', 'g') || ' DESC', shown)
    INTO n;
    RETURN n;
END
$$;

-- The state of a registered table with a <table>_current view over key id
-- and version v: its difference from the oracle and check_versioned_table.
CREATE FUNCTION versioned_state(tbl regclass) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN format('oracle diff %s, check %s',
                  oracle_diff(format('%s_current', tbl)::regclass, tbl, 'id', 'v'),
                  check_versioned_table(tbl));
END
$$;

-- Run a statement and show only its SQLSTATE and message, so that expected
-- output pins the error code.
CREATE FUNCTION expect_error(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
