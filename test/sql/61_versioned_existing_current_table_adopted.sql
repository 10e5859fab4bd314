-- Strategy 'table' adopts an existing table named like its current table
-- when it has the columns a fresh registration would create and the
-- owner of the versioned table: its stale rows are replaced, missing keys
-- added (the DISTINCT ON oracle agrees), its own indexes kept; unregister
-- keeps it.  A table it cannot safely adopt is refused with nothing changed.
\set VERBOSITY terse
CREATE SCHEMA adopt;
CREATE TABLE adopt.prices (id int, v int, price numeric(8,2), note text DEFAULT 'none',
                           PRIMARY KEY (id, v));
INSERT INTO adopt.prices VALUES (1, 1, 10), (1, 2, 11), (2, 1, 20), (3, 1, 30), (3, 5, 35);
-- Kept by hand: key 1 stale, key 2 right, key 3 missing; no primary key yet.
CREATE TABLE adopt.prices_current (id int, v int, price numeric(8,2), note text DEFAULT 'none');
INSERT INTO adopt.prices_current VALUES (1, 1, 10, 'none'), (2, 1, 20, 'none');
CREATE INDEX prices_by_price ON adopt.prices_current (price);
CREATE VIEW adopt.cheap AS SELECT id FROM adopt.prices_current WHERE price < 15;
SELECT register_versioned_table('adopt.prices', '{id}', '{v}', strategy => 'table',
                                current_indexes => '{price, note}');
SELECT current_table, adopted_current_table, created_indexes FROM current_view_internal.versioned_table_registry
WHERE table_schema = 'adopt';
SELECT * FROM oracle_diff('adopt.prices_current', 'adopt.prices', 'id', 'v');
SELECT * FROM adopt.prices_current ORDER BY id;
SELECT * FROM adopt.cheap ORDER BY id;
-- The existing index identical to a current_indexes entry is kept, the other
-- entry's index created (unregister drops it), a primary key added.
SELECT indexrelid::regclass AS index, indisprimary FROM pg_index
WHERE indrelid = 'adopt.prices_current'::regclass ORDER BY 1::text COLLATE "C";
-- Maintained from now on, writes through it append versions.
INSERT INTO adopt.prices VALUES (2, 2, 21), (4, 1, 40);
UPDATE adopt.prices_current SET price = 12 WHERE id = 1;
DELETE FROM adopt.prices WHERE id = 3 AND v = 5;
SELECT * FROM oracle_diff('adopt.prices_current', 'adopt.prices', 'id', 'v');
SELECT check_versioned_table('adopt.prices');
-- Unregister keeps the adopted table, its rows, primary key and own index,
-- and drops the triggers and the index it created.
SELECT unregister_versioned_table('adopt.prices');
SELECT count(*) AS rows, (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'adopt.prices_current'::regclass) AS triggers
FROM adopt.prices_current;
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'adopt.prices_current'::regclass ORDER BY 1::text COLLATE "C";

-- With a deleted column the adopted table is <view_name>_rows, tombstones
-- included, and <view_name> the view of its live rows.
CREATE TABLE adopt.docs (id int, v int, body text, gone boolean NOT NULL DEFAULT false);
INSERT INTO adopt.docs VALUES (1, 1, 'a', false), (1, 2, NULL, true), (2, 1, 'b', false);
CREATE TABLE adopt.docs_current_rows (id int PRIMARY KEY, v int, body text, gone boolean NOT NULL DEFAULT false);
INSERT INTO adopt.docs_current_rows VALUES (1, 1, 'a', false);
SELECT register_versioned_table('adopt.docs', '{id}', '{v}', strategy => 'table', deleted_column => 'gone');
SELECT oracle_diff('adopt.docs_current_rows', 'adopt.docs', 'id', 'v') AS rows_diff,
       (SELECT string_agg(format('%s %s %s', id, v, body), ', ' ORDER BY id) FROM adopt.docs_current) AS live;
DELETE FROM adopt.docs_current WHERE id = 2;
SELECT oracle_diff('adopt.docs_current_rows', 'adopt.docs', 'id', 'v') AS rows_diff,
       (SELECT count(*) FROM adopt.docs_current) AS live, check_versioned_table('adopt.docs');
SELECT unregister_versioned_table('adopt.docs');
SELECT count(*) AS rows_kept, (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'adopt.docs_current_rows'::regclass) AS triggers,
       to_regclass('adopt.docs_current') AS view_left
FROM adopt.docs_current_rows;

-- Refusals: each leaves the table and the registry as they were.
CREATE FUNCTION adopt.snapshot(t regclass) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(' | ',
        (SELECT string_agg(format('%s %s %s', attname, format_type(atttypid, atttypmod), attnotnull), ', ' ORDER BY attnum)
         FROM pg_attribute WHERE attrelid = t AND attnum > 0 AND NOT attisdropped),
        (SELECT string_agg(indexrelid::regclass::text, ', ' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = t),
        (SELECT string_agg(tgname, ', ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid IN (t, 'adopt.prices'::regclass)),
        (SELECT count(*)::text FROM current_view_internal.versioned_table_registry WHERE table_schema = 'adopt'),
        (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = t))
$$;
CREATE FUNCTION adopt.refused(setup text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before text;
    before_rows text;
    rows_now text;
    code text;
BEGIN
    DROP TABLE IF EXISTS adopt.prices_current CASCADE;
    CREATE TABLE adopt.prices_current (id int PRIMARY KEY, v int, price numeric(8,2), note text DEFAULT 'none');
    INSERT INTO adopt.prices_current VALUES (1, 1, 10, 'none');
    EXECUTE setup;
    before := adopt.snapshot('adopt.prices_current');
    SELECT string_agg(t::text, ',' ORDER BY t::text) INTO before_rows FROM adopt.prices_current t;
    BEGIN
        PERFORM register_versioned_table('adopt.prices', '{id}', '{v}', strategy => 'table');
        code := 'adopted';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, rows_now = PG_EXCEPTION_DETAIL;
        code := code || ': ' || coalesce(nullif(rows_now, ''), SQLERRM);
    END;
    IF before IS DISTINCT FROM adopt.snapshot('adopt.prices_current')
       OR before_rows IS DISTINCT FROM (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM adopt.prices_current t) THEN
        RETURN code || ' but changed: ' || adopt.snapshot('adopt.prices_current');
    END IF;
    RETURN code;
END
$$;
CREATE ROLE regress_adopt_other;
SET client_min_messages = warning;
SELECT s.what, adopt.refused(s.setup) AS sqlstate FROM (VALUES
    ('other owner', 'ALTER TABLE adopt.prices_current OWNER TO regress_adopt_other'),
    ('column missing', 'ALTER TABLE adopt.prices_current DROP COLUMN note'),
    ('column order', 'ALTER TABLE adopt.prices_current DROP COLUMN v; ALTER TABLE adopt.prices_current ADD COLUMN v int'),
    ('extra column', 'ALTER TABLE adopt.prices_current ADD COLUMN extra int'),
    ('type', 'ALTER TABLE adopt.prices_current ALTER COLUMN price TYPE numeric(9,2)'),
    ('collation', 'ALTER TABLE adopt.prices_current ALTER COLUMN note TYPE text COLLATE "C"'),
    ('other default', 'ALTER TABLE adopt.prices_current ALTER COLUMN note SET DEFAULT ''x'''),
    ('not null', 'ALTER TABLE adopt.prices_current ALTER COLUMN price SET NOT NULL'),
    ('trigger', 'CREATE TRIGGER t BEFORE INSERT ON adopt.prices_current FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()'),
    ('rule', 'CREATE RULE r AS ON DELETE TO adopt.prices_current DO INSTEAD NOTHING'),
    ('inherited', 'CREATE TABLE adopt.child () INHERITS (adopt.prices_current)'),
    ('unlogged', 'ALTER TABLE adopt.prices_current SET UNLOGGED'),
    ('check', 'ALTER TABLE adopt.prices_current ADD CHECK (price > 0)'),
    ('referenced', 'CREATE TABLE adopt.orders (id int REFERENCES adopt.prices_current)'),
    ('forced RLS', 'ALTER TABLE adopt.prices_current FORCE ROW LEVEL SECURITY'),
    ('other primary key', 'ALTER TABLE adopt.prices_current DROP CONSTRAINT prices_current_pkey; ALTER TABLE adopt.prices_current ADD PRIMARY KEY (v)'),
    ('duplicate keys', 'ALTER TABLE adopt.prices_current DROP CONSTRAINT prices_current_pkey; INSERT INTO adopt.prices_current VALUES (1, 2, 11)'),
    ('key without history', 'INSERT INTO adopt.prices_current VALUES (99, 1, 1)'),
    ('a view', 'DROP TABLE adopt.prices_current; CREATE VIEW adopt.prices_current AS SELECT * FROM adopt.prices')
) s(what, setup);
RESET client_min_messages;
-- A view under the current table's name is no table to adopt (42P07).
CREATE VIEW adopt.cheap AS SELECT 1 AS id;
SELECT left(expect_error($$SELECT register_versioned_table('adopt.prices', '{id}', '{v}', strategy => 'table', view_name => 'cheap')$$), 5) AS view_not_table;
SET client_min_messages = warning;
DROP SCHEMA adopt CASCADE;
RESET client_min_messages;
DROP ROLE regress_adopt_other;
