-- register_versioned_table adopts the view an application already has under
-- view_name: replaced in place when its columns allow (views built on it and
-- its grants stay), dropped and created when nothing depends on it, refused
-- otherwise with nothing half-done.
CREATE ROLE adopt_reader;
CREATE TABLE quotes (id int, at timestamptz, price numeric, PRIMARY KEY (id, at));
INSERT INTO quotes SELECT i % 10, '2024-01-01'::timestamptz + i * interval '1 minute', i
FROM generate_series(1, 100) i;

-- The hand-written view: same columns, a view on top of it, a grant.
CREATE VIEW quotes_current AS
SELECT DISTINCT ON (id) id, at, price FROM quotes ORDER BY id, at DESC;
CREATE VIEW expensive_quotes AS SELECT id, price FROM quotes_current WHERE price > 95;
GRANT SELECT ON quotes_current TO adopt_reader;
SELECT register_versioned_table('quotes', '{id}', '{at}');
SELECT pg_get_viewdef('quotes_current') LIKE '%(quotes.current AND current_view_internal._load_library())%' AS replaced_by_flag_view;
SELECT has_table_privilege('adopt_reader', 'quotes_current', 'SELECT') AS grant_kept;
SELECT * FROM expensive_quotes ORDER BY id;
INSERT INTO quotes VALUES (1, '2030-01-01', 1000);
SELECT * FROM expensive_quotes ORDER BY id;
SELECT oracle_diff('quotes_current', 'quotes', 'id', 'at');
-- Writes through the adopted view append versions.
UPDATE quotes_current SET price = 7 WHERE id = 2;
SELECT count(*) AS versions_of_2 FROM quotes WHERE id = 2;
SELECT oracle_diff('quotes_current', 'quotes', 'id', 'at');
DROP VIEW expensive_quotes;
SELECT unregister_versioned_table('quotes');

-- Other columns, nothing depending on it (unregister dropped the view): dropped and created.
CREATE VIEW quotes_current AS SELECT id, 'old'::text AS note FROM quotes;
SELECT register_versioned_table('quotes', '{id}', '{at}', strategy => 'view');
SELECT attname FROM pg_attribute WHERE attrelid = 'quotes_current'::regclass AND attnum > 0 ORDER BY attnum;
SELECT oracle_diff('quotes_current', 'quotes', 'id', 'at');
SELECT unregister_versioned_table('quotes');

-- Other columns and a dependant: refused, nothing half-done.
CREATE VIEW quotes_current AS SELECT id, 'old'::text AS note FROM quotes;
CREATE VIEW quote_notes AS SELECT note FROM quotes_current;
CREATE TEMP TABLE before_refusal AS
SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'quotes'::regclass) AS triggers,
       (SELECT count(*) FROM pg_index WHERE indrelid = 'quotes'::regclass) AS indexes,
       (SELECT count(*) FROM versioned_tables) AS registrations,
       pg_get_viewdef('quotes_current') AS definition;
SELECT expect_error($$SELECT register_versioned_table('quotes', '{id}', '{at}')$$);
SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'quotes'::regclass) = triggers AND
       (SELECT count(*) FROM pg_index WHERE indrelid = 'quotes'::regclass) = indexes AND
       (SELECT count(*) FROM versioned_tables) = registrations AND
       pg_get_viewdef('quotes_current') = definition AS nothing_half_done
FROM before_refusal;

-- A view with a trigger of its own: refused.
DROP VIEW quote_notes;
CREATE OR REPLACE FUNCTION no_write() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER no_write INSTEAD OF INSERT ON quotes_current FOR EACH ROW EXECUTE FUNCTION no_write();
SELECT expect_error($$SELECT register_versioned_table('quotes', '{id}', '{at}')$$);
DROP VIEW quotes_current;

-- Not a view, or the view of another registration: refused.
CREATE TABLE quotes_current (id int);
SELECT expect_error($$SELECT register_versioned_table('quotes', '{id}', '{at}')$$);
DROP TABLE quotes_current;
CREATE TABLE other_quotes (LIKE quotes);
SELECT register_versioned_table('other_quotes', '{id}', '{at}', strategy => 'view');
SELECT expect_error($$SELECT register_versioned_table('quotes', '{id}', '{at}', view_name => 'other_quotes_current')$$);
SELECT pg_get_viewdef('other_quotes_current') LIKE '%other_quotes%' AS other_view_untouched;

-- A view of another role: PostgreSQL's ownership check refuses it.
CREATE ROLE adopt_owner;
GRANT CREATE, USAGE ON SCHEMA public TO adopt_owner;
CREATE TABLE owned_quotes (LIKE quotes);
ALTER TABLE owned_quotes OWNER TO adopt_owner;
CREATE VIEW owned_quotes_current AS SELECT DISTINCT ON (id) id, at, price FROM quotes ORDER BY id, at DESC;
SET ROLE adopt_owner;
SELECT expect_error($$SELECT register_versioned_table('owned_quotes', '{id}', '{at}')$$);
RESET ROLE;
SELECT pg_get_viewdef('owned_quotes_current') LIKE '%DISTINCT ON%' AS foreign_view_untouched;

-- Strategy 'table' with a deleted column adopts its view the same way.
CREATE TABLE items (id int, v int, deleted boolean NOT NULL DEFAULT false, PRIMARY KEY (id, v));
INSERT INTO items SELECT i % 5, i, i % 7 = 3 FROM generate_series(1, 40) i;
CREATE VIEW items_current AS SELECT DISTINCT ON (id) id, v, deleted FROM items ORDER BY id, v DESC;
CREATE VIEW items_ids AS SELECT id FROM items_current;
SELECT register_versioned_table('items', '{id}', '{v}', strategy => 'table', deleted_column => 'deleted');
SELECT count(*) FROM items_ids;
SELECT count(*) = (SELECT count(*) FROM (SELECT DISTINCT ON (id) * FROM items ORDER BY id, v DESC) o WHERE NOT deleted)
    AS live_rows_match FROM items_current;

DROP VIEW items_ids;
SELECT unregister_versioned_table('items');
SELECT unregister_versioned_table('other_quotes');
DROP VIEW owned_quotes_current;
DROP TABLE quotes, other_quotes, items, owned_quotes;
DROP FUNCTION no_write();
REVOKE CREATE, USAGE ON SCHEMA public FROM adopt_owner;
DROP ROLE adopt_reader, adopt_owner;
