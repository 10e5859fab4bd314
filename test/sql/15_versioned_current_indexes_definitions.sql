-- current_indexes entries are index definitions (what follows CREATE INDEX ON
-- table): each is parsed and validated, never spliced into SQL; each form
-- makes the index it says, with the predicate of current rows added for
-- 'flag' and on the current table for 'table', plain and partitioned.  A bad
-- entry changes nothing; an existing identical index is adopted, not
-- duplicated, and unregister keeps it.

CREATE FUNCTION index_definitions(tbl regclass) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = tbl
    ORDER BY pg_get_indexdef(indexrelid)
$$;
-- What a failed registration could have left on a table.
CREATE FUNCTION leftovers(tbl regclass) RETURNS text LANGUAGE sql AS $$
    SELECT format('indexes %s, triggers %s, registrations %s, flag column %s, current relation %s',
        (SELECT count(*) FROM pg_index WHERE indrelid = tbl),
        (SELECT count(*) FROM pg_trigger WHERE tgrelid = tbl AND NOT tgisinternal),
        (SELECT count(*) FROM current_view_internal.versioned_table_registry r
         WHERE format('%I.%I', r.table_schema, r.table_name)::regclass = tbl),
        (SELECT count(*) FROM pg_attribute WHERE attrelid = tbl AND attname = 'current'),
        (SELECT count(*) FROM pg_class WHERE relname IN (tbl::text || '_current', tbl::text || '_heads')))
$$;

-- Rule 1: each form of entry, on a 'flag' table (Vega's orders).
-- Names in entries resolve with search_path = pg_catalog, pg_temp: functions
-- of other schemas are named with their schema.
CREATE FUNCTION cvi_norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$;
CREATE TABLE cvi_orders (id int, v int, market_id int, status int, created_at timestamptz,
                         reference text, PRIMARY KEY (id, v));
INSERT INTO cvi_orders
SELECT i % 300, i, i % 7, i % 9, timestamptz '2023-01-01 00:00+00' + i * interval '1 minute', 'Ref' || i % 50
FROM generate_series(1, 6000) i;
SELECT register_versioned_table('cvi_orders', '{id}', '{v}', current_indexes => ARRAY[
    '(market_id, created_at DESC) WHERE status IN (1, 8)',
    '(lower(reference))',
    '(created_at DESC NULLS LAST)',
    'USING brin (v)',
    '(market_id) INCLUDE (status)',
    'market_id, "status" DESC',
    '(reference text_pattern_ops)',
    '(reference COLLATE "C" DESC NULLS LAST, (status + 1)) WHERE created_at > ''2023-01-02 00:00+00'' AND status <> 0',
    '(public.cvi_norm(reference))']);
SELECT index_definitions('cvi_orders');
SELECT created_indexes, adopted_indexes FROM current_view_internal.versioned_table_registry
WHERE table_name = 'cvi_orders';
INSERT INTO cvi_orders SELECT id, v + 10000, 3, 8, created_at + interval '1 day', 'late' FROM cvi_orders WHERE id < 40;
DELETE FROM cvi_orders WHERE id = 7 AND v > 10000;
SELECT versioned_state('cvi_orders');

-- The planner answers Vega's query on the view from the predicate index,
-- in its order, with the rows of the oracle.
ANALYZE cvi_orders;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM cvi_orders_current WHERE market_id = 3 AND status IN (1, 8) ORDER BY created_at DESC LIMIT 5;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT (SELECT array_agg(id ORDER BY created_at DESC, id)
        FROM (SELECT * FROM cvi_orders_current WHERE market_id = 3 AND status IN (1, 8)) c)
     = (SELECT array_agg(id ORDER BY created_at DESC, id)
        FROM (SELECT DISTINCT ON (id) * FROM cvi_orders ORDER BY id, v DESC) o
        WHERE market_id = 3 AND status IN (1, 8)) AS same_rows_as_oracle;
SELECT unregister_versioned_table('cvi_orders');
SELECT index_definitions('cvi_orders');

-- Rule 2: a bad entry is refused with its SQLSTATE, alone or after good
-- ones, and leaves nothing: injections, subqueries, functions that are not
-- immutable, unknown columns and methods, other clauses of CREATE INDEX, and
-- an entry PostgreSQL itself refuses when the index is built.
CREATE TABLE cvi_err (id int, v int, note text);
INSERT INTO cvi_err VALUES (1, 1, 'a'), (1, 2, 'b');
SELECT entry, expect_error(format($$SELECT register_versioned_table('cvi_err', '{id}', '{v}', strategy => %L,
                                     current_indexes => ARRAY['(note)', %L])$$, strategy, entry))
FROM unnest(ARRAY['flag', 'table']) strategy,
     unnest(ARRAY[
        'note); DROP TABLE cvi_err; --',
        '(note); DROP TABLE cvi_err; --',
        '(note) WHERE v > 0) OR (true',
        '(note) WHERE note IN (SELECT note FROM cvi_err)',
        '((SELECT 1))',
        '(note) WHERE random() > 0.5',
        '(cvi_norm(note))',
        '((note || clock_timestamp()))',
        '((nope + 1))',
        '(nope)',
        '(note) INCLUDE (nope)',
        '(note) WHERE nope',
        '(cvi_err.note, other.note)',
        '(note) WITH (fillfactor = 50)',
        '(note) TABLESPACE pg_default',
        '(note) NULLS NOT DISTINCT',
        'USING nope (note)',
        'USING heap (note)',
        '(note nope_ops)',
        '(note',
        'USING brin (note DESC)']) WITH ORDINALITY e(entry, n)
ORDER BY strategy, n;
SELECT leftovers('cvi_err');
SELECT to_regclass('cvi_err_current') IS NULL AS no_current_relation;
-- The internal functions, callable by anyone, refuse other roles' tables
-- before locking or reading them.
CREATE ROLE regress_cv_index_stranger;
SET ROLE regress_cv_index_stranger;
SELECT expect_error($$SELECT current_view_internal._check_index_definition('cvi_err', '(note)')$$);
SELECT expect_error($$SELECT current_view_internal._create_index('cvi_err', '(note)', 'cvi_err_note', false, NULL, NULL)$$);
RESET ROLE;
DROP ROLE regress_cv_index_stranger;
SELECT leftovers('cvi_err');

-- Rule 3: an existing flag column and existing indexes identical to the
-- ones registration would create (the key index and entries, predicates
-- written in another order or as "= true") are adopted: no duplicate, the
-- registry says which, and unregister keeps them and the column.  Indexes
-- that differ (ordering, no predicate) are not adopted.
CREATE TABLE cvi_live (id int, v int, market_id int, status int, created_at timestamptz,
                       reference text, current boolean NOT NULL DEFAULT false, PRIMARY KEY (id, v));
-- The flags found mark each key's oldest row: registration decides them again.
INSERT INTO cvi_live SELECT i % 100, i, i % 7, i % 9, timestamptz '2023-01-01 00:00+00' + i * interval '1 minute',
                            'Ref' || i % 30, i <= 100
FROM generate_series(1, 2000) i;
CREATE UNIQUE INDEX cvi_live_by_key ON cvi_live (id) WHERE current;
CREATE INDEX cvi_live_open ON cvi_live (market_id, created_at DESC) WHERE status IN (1, 8) AND current = true;
CREATE INDEX cvi_live_open_asc ON cvi_live (market_id, created_at) WHERE current AND status IN (1, 8);
CREATE INDEX cvi_live_refs ON cvi_live (lower(reference)) WHERE current;
CREATE INDEX cvi_live_market ON cvi_live (market_id);
SELECT register_versioned_table('cvi_live', '{id}', '{v}', current_indexes => ARRAY[
    '(market_id, created_at DESC) WHERE status IN (1, 8)', '(lower(reference))', 'market_id',
    '(lower(reference))']);
SELECT index_definitions('cvi_live');
SELECT created_indexes, adopted_indexes FROM current_view_internal.versioned_table_registry
WHERE table_name = 'cvi_live';
SELECT versioned_state('cvi_live');
INSERT INTO cvi_live SELECT id, v + 5000, 3, 1, created_at, reference FROM cvi_live WHERE id < 10;
SELECT versioned_state('cvi_live');
SELECT unregister_versioned_table('cvi_live');
SELECT index_definitions('cvi_live');
SELECT count(*) AS flag_column_kept FROM pg_attribute WHERE attrelid = 'cvi_live'::regclass AND attname = 'current';

-- An existing column of the flag's name must be a plain boolean.
CREATE TABLE cvi_bad_flag (id int, v int, current int);
SELECT expect_error($$SELECT register_versioned_table('cvi_bad_flag', '{id}', '{v}')$$);
CREATE TABLE cvi_generated_flag (id int, v int, current boolean GENERATED ALWAYS AS (v > 0) STORED);
SELECT expect_error($$SELECT register_versioned_table('cvi_generated_flag', '{id}', '{v}')$$);
SELECT leftovers('cvi_bad_flag'), leftovers('cvi_generated_flag');

-- Rules 1 and 3 on a partitioned 'flag' table: indexes on the parent,
-- cloned to every partition, an identical parent index adopted.
CREATE TABLE cvi_part (id int, v int, market_id int, status int, created_at timestamptz,
                       current boolean NOT NULL DEFAULT false) PARTITION BY RANGE (v);
CREATE TABLE cvi_part_1 PARTITION OF cvi_part FOR VALUES FROM (0) TO (1000);
CREATE TABLE cvi_part_2 PARTITION OF cvi_part FOR VALUES FROM (1000) TO (2000);
INSERT INTO cvi_part SELECT i % 50, i, i % 7, i % 9, timestamptz '2023-01-01 00:00+00' + i * interval '1 hour'
FROM generate_series(1, 1999) i;
CREATE INDEX cvi_part_open ON cvi_part (market_id) WHERE current AND status IN (1, 8);
SELECT expect_error($$SELECT register_versioned_table('cvi_part', '{id}', '{v}',
                                current_indexes => ARRAY['(market_id)', 'USING brin (created_at DESC)'])$$);
SELECT leftovers('cvi_part'), (SELECT count(*) FROM pg_index WHERE indrelid = 'cvi_part_1'::regclass) AS partition_indexes;
SELECT register_versioned_table('cvi_part', '{id}', '{v}', current_indexes => ARRAY[
    '(market_id) WHERE status IN (1, 8)', 'USING brin (created_at)', '(created_at DESC NULLS LAST) INCLUDE (status)']);
SELECT index_definitions('cvi_part');
SELECT index_definitions('cvi_part_1');
SELECT created_indexes, adopted_indexes FROM current_view_internal.versioned_table_registry
WHERE table_name = 'cvi_part';
CREATE TABLE cvi_part_3 PARTITION OF cvi_part FOR VALUES FROM (2000) TO (3000);
SELECT count(*) AS partition_3_indexes FROM pg_index WHERE indrelid = 'cvi_part_3'::regclass;
INSERT INTO cvi_part SELECT id, v + 1000, 3, 8, created_at FROM cvi_part WHERE v >= 1000 AND id < 20;
SELECT versioned_state('cvi_part');
SELECT unregister_versioned_table('cvi_part');
SELECT index_definitions('cvi_part');

-- Rule 1 for 'table': the same definitions on the current table, with NOT
-- deleted added when there is a deleted column; from a plain and from a
-- partitioned history.  A repeated entry does not make a second index.
CREATE TABLE cvi_balances (id int, v int, account_id int, balance numeric, reference text, gone boolean NOT NULL DEFAULT false,
                           PRIMARY KEY (id, v));
INSERT INTO cvi_balances SELECT i % 40, i, i % 13, i * 10, 'Acc' || i % 11, false FROM generate_series(1, 400) i;
SELECT register_versioned_table('cvi_balances', '{id}', '{v}', strategy => 'table', deleted_column => 'gone',
    current_indexes => ARRAY['(account_id) INCLUDE (balance)', '(lower(reference)) WHERE balance > 0',
                             'USING hash (account_id)', 'account_id DESC', '(account_id) INCLUDE (balance)']);
SELECT index_definitions('cvi_balances_current_rows');
SELECT count(*) AS history_indexes FROM pg_index WHERE indrelid = 'cvi_balances'::regclass;
DELETE FROM cvi_balances_current WHERE id = 3;
INSERT INTO cvi_balances SELECT id, v + 1000, account_id, balance + 1, reference, false FROM cvi_balances WHERE id < 5;
SELECT versioned_state('cvi_balances');
ANALYZE cvi_balances_current_rows;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT balance FROM cvi_balances_current WHERE account_id = 4;
RESET enable_seqscan;
SELECT unregister_versioned_table('cvi_balances');
SELECT to_regclass('cvi_balances_current_rows') IS NULL AS current_table_dropped;

CREATE TABLE cvi_positions (id int, v int, market_id int, size numeric) PARTITION BY RANGE (v);
CREATE TABLE cvi_positions_1 PARTITION OF cvi_positions FOR VALUES FROM (0) TO (500);
CREATE TABLE cvi_positions_2 PARTITION OF cvi_positions FOR VALUES FROM (500) TO (1000);
INSERT INTO cvi_positions SELECT i % 30, i, i % 5, i FROM generate_series(1, 999) i;
SELECT expect_error($$SELECT register_versioned_table('cvi_positions', '{id}', '{v}', strategy => 'table',
                                current_indexes => ARRAY['(market_id)', 'USING brin (size DESC)'])$$);
SELECT leftovers('cvi_positions');
SELECT register_versioned_table('cvi_positions', '{id}', '{v}', strategy => 'table',
    current_indexes => ARRAY['(market_id, size DESC NULLS LAST) WHERE size > 100', '((size * 2))']);
SELECT index_definitions('cvi_positions_current');
UPDATE cvi_positions SET size = size + 1 WHERE id = 2;
SELECT versioned_state('cvi_positions');
SELECT unregister_versioned_table('cvi_positions');

DROP TABLE cvi_orders, cvi_err, cvi_live, cvi_bad_flag, cvi_generated_flag, cvi_part, cvi_balances, cvi_positions;
DROP FUNCTION index_definitions(regclass), leftovers(regclass), cvi_norm(text);
