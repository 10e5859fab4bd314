-- Set-up shared by the tests that follow (pg_regress runs them in name order
-- in one database).
CREATE EXTENSION current_view;

-- The oracle, in general: the rows of "shown" must be exactly one per key of
-- "history", the one with the greatest version.  "shown" and "history" are
-- FROM items (a relation, a function call, a subquery with its alias); keys,
-- versions and cols are quoted column lists, the rows being compared on cols
-- (by default the keys and versions).  "upto", a condition on history rows,
-- keeps only the versions known at an as-of point; "live", a condition on
-- the newest row of a key, leaves out the keys whose newest version is a
-- tombstone.  Returns the size of the symmetric difference, EXCEPT ALL both
-- ways.
CREATE FUNCTION oracle_query_diff(shown text, history text, keys text, versions text,
                                  cols text DEFAULT NULL, upto text DEFAULT 'true',
                                  live text DEFAULT 'true')
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        WITH o AS (SELECT %1$s FROM (SELECT DISTINCT ON (%2$s) * FROM %3$s WHERE %4$s
                                     ORDER BY %2$s, %5$s) AS newest WHERE %6$s),
             s AS (SELECT %1$s FROM %7$s)
        SELECT (SELECT count(*) FROM (TABLE o EXCEPT ALL TABLE s) a)
             + (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE o) b)$q$,
        coalesce(cols, keys || ', ' || versions), keys, history, upto,
        regexp_replace(versions, ',', ' DESC,', 'g') || ' DESC', live, shown)
    INTO n;
    RETURN n;
END
$$;

-- The oracle of a view or current table over a history table, on keys and
-- versions.
CREATE FUNCTION oracle_diff(shown regclass, history regclass, keys text, versions text)
RETURNS bigint LANGUAGE sql AS $$
    SELECT oracle_query_diff(shown::text, history::text, keys, versions)
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
