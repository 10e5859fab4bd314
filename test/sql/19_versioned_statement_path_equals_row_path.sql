-- Multi-row statements are maintained set-based once their row count passes
-- current_view.statement_path_min_rows (statement_path.c), one by one before
-- that.  Both paths must leave the same current rows, ties included (among
-- equal versions, the row inserted last): the same writes go to one table per
-- strategy and path, rows one by one ('row'), all set-based ('set') and both
-- within a statement ('mixed': the first three rows one by one).
-- Tables partitioned by version too ('_part'), written through the parent
-- and into a partition directly.
CREATE FUNCTION sp_tables() RETURNS TABLE (tbl regclass, strategy text, min_rows int, partitioned boolean)
LANGUAGE sql AS $$
    SELECT format('sp_%s_%s%s', s, p, CASE WHEN part THEN '_part' END)::regclass, s, m, part
    FROM unnest('{flag,table}'::text[]) s,
         (VALUES ('row', 1000000), ('set', 0), ('mixed', 3)) AS paths (p, m),
         unnest('{false,true}'::boolean[]) part
$$;
DO $$
DECLARE
    s text;
    p text;
    t text;
BEGIN
    FOREACH s IN ARRAY '{flag,table}'::text[] LOOP
        FOREACH p IN ARRAY '{row,set,mixed}'::text[] LOOP
            t := format('sp_%s_%s', s, p);
            EXECUTE format('CREATE TABLE %I (id int NOT NULL, v int NOT NULL, note text NOT NULL, PRIMARY KEY (id, v, note))', t);
            EXECUTE format('CREATE TABLE %I (id int NOT NULL, v int NOT NULL, note text NOT NULL, PRIMARY KEY (id, v, note)) PARTITION BY RANGE (v)', t || '_part');
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (MINVALUE) TO (50)', t || '_part_lo', t || '_part');
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (50) TO (MAXVALUE)', t || '_part_hi', t || '_part');
            PERFORM register_versioned_table(t::regclass, '{id}', '{v}', strategy => s);
            PERFORM register_versioned_table((t || '_part')::regclass, '{id}', '{v}', strategy => s);
        END LOOP;
    END LOOP;
END
$$;

-- A user's trigger that inserts into the same table from inside a row
-- event: a whole nested statement runs in the middle of the outer one.
CREATE FUNCTION sp_echo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.note LIKE 'echo %' THEN
        EXECUTE format('INSERT INTO %s (id, v, note) VALUES ($1, $2, $3), ($1, $2, $4)', TG_RELID::regclass)
        USING NEW.id, NEW.v + 1, 'echoed ' || NEW.note, 'echoed again ' || NEW.note;
    END IF;
    RETURN NULL;
END
$$;

-- A user's trigger whose nested insert fails inside an exception block: the
-- outer statement's deferred rows, settled before the nested row, are settled
-- again after the rollback of that subtransaction.
CREATE FUNCTION sp_fail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.note LIKE 'fail %' THEN
        BEGIN
            EXECUTE format('INSERT INTO %s (id, v, note) VALUES ($1, $2, $3)', TG_RELID::regclass)
            USING NEW.id, NEW.v + 1, 'rolled back ' || NEW.note;
            RAISE EXCEPTION 'undo';
        EXCEPTION WHEN raise_exception THEN
            NULL;
        END;
    END IF;
    RETURN NULL;
END
$$;
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT tbl FROM sp_tables() LOOP
        EXECUTE format('CREATE TRIGGER sp_echo AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION sp_echo()', t);
        EXECUTE format('CREATE TRIGGER sp_fail AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION sp_fail()', t);
    END LOOP;
END
$$;

-- The writes, each statement run on every table with its path's setting.
CREATE FUNCTION sp_write(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM sp_tables() LOOP
        PERFORM set_config('current_view.statement_path_min_rows', r.min_rows::text, true);
        EXECUTE format(stmt, r.tbl);
    END LOOP;
END
$$;

CREATE FUNCTION sp_write_partition(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM sp_tables() WHERE partitioned LOOP
        PERFORM set_config('current_view.statement_path_min_rows', r.min_rows::text, true);
        EXECUTE format(stmt, r.tbl::text || '_hi');
    END LOOP;
END
$$;

-- Out-of-order versions with ties (i and i + 253 give the same key and version).
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT i %% 11, (i * 7) %% 23, 'select ' || i FROM generate_series(1, 300) i$$);
-- Multi-row VALUES, ties within the statement and with the current rows.
SELECT sp_write($$INSERT INTO %s (id, v, note) VALUES (1, 22, 'values a'), (1, 22, 'values b'), (2, 0, 'values c'),
                                         (3, 30, 'values d'), (3, 30, 'values e'), (3, 29, 'values f')$$);
-- COPY, from inside a function as from a client.
SELECT sp_write($$COPY %s (id, v, note) FROM PROGRAM 'awk ''BEGIN { for (i = 1; i <= 200; i++) printf "%%d\t%%d\tcopy %%d\n", i %% 13, (i * 5) %% 31, i }'''$$);
-- Nested statements from the user's trigger, between rows of the outer one.
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT i %% 5, 40 + i %% 3, 'echo ' || i FROM generate_series(1, 12) i$$);
-- ON CONFLICT DO NOTHING skips rows that exist (an equal version does not
-- replace the current row under ON CONFLICT, on either path).
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT i %% 11, (i * 7) %% 23, 'select ' || i FROM generate_series(250, 320) i
                  ON CONFLICT DO NOTHING$$);
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT i, 100 + i, 'new key ' || i FROM generate_series(20, 30) i
                  UNION ALL SELECT 20, 200, 'select 1' ON CONFLICT DO NOTHING$$);
-- Into a partition directly, keys whose current rows are in the other one.
SELECT sp_write_partition($$INSERT INTO %s (id, v, note) SELECT i %% 11, 55 + i %% 4, 'partition ' || i FROM generate_series(1, 30) i$$);

-- A statement that fails half-way, and one rolled back to a savepoint,
-- leave no trace; the deferred rows before them stay decided.
SELECT sp_write($$DO 'BEGIN INSERT INTO %s (id, v, note) SELECT i %% 7, 50 + i, ''aborted '' || (10 / (20 - i)) FROM generate_series(1, 30) i;
                      EXCEPTION WHEN division_by_zero THEN NULL; END'$$);
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT 4 + i %% 4, 95 + i %% 3, CASE WHEN i %% 5 = 0 THEN 'fail ' ELSE 'ok ' END || i
                  FROM generate_series(1, 20) i$$);
BEGIN;
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT i %% 6, 60 + i %% 4, 'kept ' || i FROM generate_series(1, 40) i$$);
SAVEPOINT before_failure;
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT i %% 6, 70, 'rolled back ' || i FROM generate_series(1, 40) i$$);
ROLLBACK TO SAVEPOINT before_failure;
SELECT sp_write($$INSERT INTO %s (id, v, note) SELECT i %% 6, 61 + i %% 4, 'after rollback ' || i FROM generate_series(1, 40) i$$);
COMMIT;

-- Statements run by the client itself (the first of a session starts before
-- the library is loaded, and is settled before the next statement).
SET current_view.statement_path_min_rows = 0;
INSERT INTO sp_flag_set (id, v, note) SELECT i % 9, 80 + i % 5, 'client ' || i FROM generate_series(1, 50) i;
INSERT INTO sp_table_set (id, v, note) SELECT i % 9, 80 + i % 5, 'client ' || i FROM generate_series(1, 50) i;
COPY sp_flag_set (id, v, note) FROM stdin;
1	90	client copy a
1	90	client copy b
2	91	client copy c
\.
COPY sp_table_set (id, v, note) FROM stdin;
1	90	client copy a
1	90	client copy b
2	91	client copy c
\.
RESET current_view.statement_path_min_rows;
INSERT INTO sp_flag_row (id, v, note) SELECT i % 9, 80 + i % 5, 'client ' || i FROM generate_series(1, 50) i;
INSERT INTO sp_table_row (id, v, note) SELECT i % 9, 80 + i % 5, 'client ' || i FROM generate_series(1, 50) i;
INSERT INTO sp_flag_row (id, v, note) VALUES (1, 90, 'client copy a'), (1, 90, 'client copy b'), (2, 91, 'client copy c');
INSERT INTO sp_table_row (id, v, note) VALUES (1, 90, 'client copy a'), (1, 90, 'client copy b'), (2, 91, 'client copy c');
INSERT INTO sp_flag_mixed (id, v, note) SELECT id, v, note FROM sp_flag_row WHERE note LIKE 'client%' ORDER BY note ~ 'copy', ctid;
INSERT INTO sp_table_mixed (id, v, note) SELECT id, v, note FROM sp_table_row WHERE note LIKE 'client%' ORDER BY note ~ 'copy', ctid;

-- Every table matches the oracle and its checks; every path of a strategy
-- chose the same rows, ties included.
SELECT tbl, min_rows, versioned_state(tbl)
FROM sp_tables() ORDER BY strategy, partitioned, min_rows;
CREATE FUNCTION sp_current(tbl regclass) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format('SELECT format(''%%s %%s %%s'', id, v, note) FROM %s_current', tbl);
END
$$;
SELECT a.strategy, a.partitioned, a.min_rows, b.min_rows AS other_min_rows,
       (SELECT count(*) FROM ((SELECT sp_current(a.tbl) EXCEPT SELECT sp_current(b.tbl))
                              UNION ALL (SELECT sp_current(b.tbl) EXCEPT SELECT sp_current(a.tbl))) d) AS differences
FROM sp_tables() a JOIN sp_tables() b
     ON a.strategy = b.strategy AND a.partitioned = b.partitioned AND b.min_rows = 1000000 AND a.tbl <> b.tbl
ORDER BY a.strategy, a.partitioned, a.min_rows;
-- Ties went to the row inserted last (key 1: two rows of version 90 in one
-- COPY or VALUES).
SELECT tbl, c AS current_row FROM sp_tables(), LATERAL sp_current(tbl) c
WHERE c LIKE '1 %' ORDER BY tbl::text, c;

-- The set-based path writes once per key, not once per row: 10 versions of
-- 10 keys in time order update the 'flag' history (demotions, flags) and the
-- current table of 'table' this many times.
CREATE TABLE sp_count_flag (id int NOT NULL, v int NOT NULL, PRIMARY KEY (id, v));
CREATE TABLE sp_count_table (id int NOT NULL, v int NOT NULL, PRIMARY KEY (id, v));
SELECT register_versioned_table('sp_count_flag', '{id}', '{v}');
SELECT register_versioned_table('sp_count_table', '{id}', '{v}', strategy => 'table');
CREATE FUNCTION sp_count_writes(min_rows int) RETURNS TABLE (tbl name, updated bigint) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('current_view.statement_path_min_rows', min_rows::text, true);
    TRUNCATE sp_count_flag, sp_count_table;
    INSERT INTO sp_count_flag SELECT k, v FROM generate_series(1, 10) v, generate_series(1, 10) k ORDER BY v, k;
    INSERT INTO sp_count_table SELECT k, v FROM generate_series(1, 10) v, generate_series(1, 10) k ORDER BY v, k;
    RETURN QUERY SELECT relname, n_tup_upd FROM pg_stat_xact_user_tables
                 WHERE relname IN ('sp_count_flag', 'sp_count_table_current') ORDER BY relname;
END
$$;
BEGIN;
SELECT * FROM sp_count_writes(1000000);
ROLLBACK;
BEGIN;
SELECT * FROM sp_count_writes(0);
SELECT versioned_state('sp_count_flag'), versioned_state('sp_count_table');
ROLLBACK;
