-- Writes through <view_name> append versions; history is never rewritten.

-- Strategy 'table', integer versions (next_version defaults to v + 1).
CREATE TABLE stock (id int, v int, qty int, note text);
INSERT INTO stock VALUES (1, 1, 10, 'start'), (2, 1, 20, 'start');
SELECT register_versioned_table('stock', '{id}', '{v}', strategy => 'table');
SELECT next_version FROM current_view_internal.versioned_table_registry WHERE table_name = 'stock';
UPDATE stock_current SET qty = qty + 1, note = 'plus one' WHERE id = 1 RETURNING *;
UPDATE stock_current SET qty = qty * 2 RETURNING *;
-- An explicit newer version is kept; an older one is refused.
UPDATE stock_current SET v = 10, qty = 0 WHERE id = 2 RETURNING *;
SELECT expect_error($$UPDATE stock_current SET v = 5 WHERE id = 2$$);
SELECT expect_error($$UPDATE stock_current SET id = 3 WHERE id = 2$$);
SELECT expect_error($$UPDATE stock_current SET v = NULL WHERE id = 2$$);
-- INSERT appends a version (and reports no row of the current table).
INSERT INTO stock_current VALUES (3, 1, 30, 'via view'), (1, 9, 99, 'via view');
SELECT * FROM stock ORDER BY id, v;
SELECT * FROM stock_current ORDER BY id;
-- Without a deleted column, DELETE is refused.
SELECT expect_error($$DELETE FROM stock_current WHERE id = 1$$);
SELECT check_versioned_table('stock');

-- Strategy 'table' with a deleted column: DELETE appends a tombstone and the
-- key leaves the view; the table of current rows keeps the tombstone.
CREATE TABLE accounts (id int, at timestamptz, balance numeric,
                       deleted boolean NOT NULL DEFAULT false);
INSERT INTO accounts VALUES (1, '2024-01-01', 100), (2, '2024-01-01', 200);
SELECT register_versioned_table('accounts', '{id}', '{at}', strategy => 'table',
                                deleted_column => 'deleted');
SELECT next_version, current_table FROM current_view_internal.versioned_table_registry WHERE table_name = 'accounts';
SELECT pg_get_viewdef('accounts_current');
UPDATE accounts_current SET balance = balance - 1 WHERE id = 1;
-- DELETE reports the rows it removed from the view.
WITH deleted AS (DELETE FROM accounts_current WHERE id = 2 RETURNING id, balance)
SELECT * FROM deleted;
SELECT id, balance, deleted, at > '2024-01-01' AS new_version FROM accounts ORDER BY id, at;
SELECT id, balance FROM accounts_current ORDER BY id;
SELECT id, balance, deleted FROM accounts_current_rows ORDER BY id;
-- A late, older version of a deleted key stays history.
INSERT INTO accounts VALUES (2, '2023-12-31', 5);
SELECT id, balance FROM accounts_current ORDER BY id;
-- A newer live version brings it back.
INSERT INTO accounts VALUES (2, '2099-01-01', 7);
SELECT id, balance FROM accounts_current ORDER BY id;
SELECT check_versioned_table('accounts');

-- Strategy 'flag': UPDATE and DELETE through the view append versions too.
CREATE TABLE items (id int, v bigint, price numeric, gone boolean NOT NULL DEFAULT false);
INSERT INTO items VALUES (1, 1, 10), (2, 1, 20);
SELECT register_versioned_table('items', '{id}', '{v}', deleted_column => 'gone');
UPDATE items_current SET price = price + 5 WHERE id = 1 RETURNING *;
DELETE FROM items_current WHERE id = 2 RETURNING *;
INSERT INTO items_current (id, v, price) VALUES (3, 1, 30);
SELECT * FROM items ORDER BY id, v;
SELECT * FROM items_current ORDER BY id;
SELECT expect_error($$UPDATE items_current SET id = 9 WHERE id = 1$$);
SELECT check_versioned_table('items');
-- A direct UPDATE of the history table still corrects a row in place.
UPDATE items SET price = 16 WHERE id = 1 AND v = 2;
SELECT id, v, price, current FROM items WHERE id = 1 ORDER BY v;
-- One statement cannot write to the table and through its view.
SELECT expect_error($$WITH a AS (UPDATE items_current SET price = 0 WHERE id = 1 RETURNING 1)
                      UPDATE items SET price = 0 WHERE id = 3$$);
SELECT count(*) AS zero_prices FROM items WHERE price = 0;
-- ... even when a DELETE through the view comes with them.
SELECT expect_error($$WITH d AS (DELETE FROM items_current WHERE id = 3 RETURNING 1),
                           w AS (UPDATE items SET price = 0 WHERE id = 2 RETURNING 1)
                      UPDATE items_current SET price = 0 WHERE id = 1$$);
SELECT count(*) AS zero_prices FROM items WHERE price = 0;

-- 'flag' updates through the view keep the previous contents as a new
-- history row once the current row holds the new version: a unique index on
-- (key, version) accepts it.
CREATE TABLE bins (id int, v int, qty int, PRIMARY KEY (id, v));
INSERT INTO bins VALUES (1, 1, 10), (2, 1, 20);
SELECT register_versioned_table('bins', '{id}', '{v}');
UPDATE bins_current SET qty = qty - 1 RETURNING *;
UPDATE bins_current SET qty = qty - 1, v = 7 WHERE id = 2 RETURNING *;
SELECT id, v, qty, current FROM bins ORDER BY id, v;
SELECT check_versioned_table('bins');
-- ON CONFLICT DO UPDATE through the view: the current row gets a new
-- version; an older version is refused rather than rewritten (PostgreSQL
-- checks that the conflicting row is visible through the view).
INSERT INTO bins_current VALUES (1, 2, 0) ON CONFLICT (id, v) DO UPDATE SET qty = 100 RETURNING *;
SELECT expect_error($$INSERT INTO bins_current VALUES (1, 1, 0) ON CONFLICT (id, v) DO UPDATE SET qty = 100$$);
SELECT id, v, qty, current FROM bins WHERE id = 1 ORDER BY v;
-- A next version equal to the current one would not be newer: refused.
SELECT unregister_versioned_table('bins');
SELECT register_versioned_table('bins', '{id}', '{v}', next_version => '{v}');
SELECT expect_error($$UPDATE bins_current SET qty = 0 WHERE id = 1$$);
SELECT count(*) AS versions FROM bins;
-- An append-only table takes updates through its view, not directly.
SELECT unregister_versioned_table('bins');
SELECT register_versioned_table('bins', '{id}', '{v}', append_only => true);
UPDATE bins_current SET qty = 99 WHERE id = 1 RETURNING *;
SELECT expect_error($$UPDATE bins SET qty = 0 WHERE id = 1 AND current$$);
SELECT id, v, qty, current FROM bins WHERE id = 1 ORDER BY v;
-- The first statement of a session, inside a function: the planner loads
-- the library through the view, so the update still appends a version.
CREATE FUNCTION refill(n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE bins_current SET qty = qty + n WHERE id = 1;
END
$$;
\c
SELECT refill(1);
SELECT id, v, qty, current FROM bins WHERE id = 1 ORDER BY v;
SELECT check_versioned_table('bins');
-- Tables referenced by foreign keys: the in-place advance would move the
-- references to the new version, so UPDATE through the view is refused.
CREATE TABLE fares (id int, v int, amount int, PRIMARY KEY (id, v));
INSERT INTO fares VALUES (1, 1, 10);
SELECT register_versioned_table('fares', '{id}', '{v}');
CREATE TABLE bookings (fare_id int, fare_v int, FOREIGN KEY (fare_id, fare_v) REFERENCES fares);
INSERT INTO bookings VALUES (1, 1);
SELECT expect_error($$UPDATE fares_current SET amount = 11 WHERE id = 1$$);
INSERT INTO fares VALUES (1, 2, 11);
SELECT id, v, amount FROM fares_current;
-- Locking rows through the view is no write through it.
UPDATE fares SET amount = 12 WHERE current AND id IN (SELECT id FROM fares_current FOR UPDATE);
SELECT id, v, amount, current FROM fares ORDER BY v;
DROP TABLE bookings;

-- A BEFORE trigger of the user's may cancel an advance; the row it left
-- alone stays protected by append_only.
CREATE TABLE vaults (id int, v int, qty int);
INSERT INTO vaults VALUES (1, 1, 10);
SELECT register_versioned_table('vaults', '{id}', '{v}', append_only => true);
CREATE FUNCTION skip_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE WHEN NEW.qty = OLD.qty THEN NULL ELSE NEW END;
END
$$;
CREATE TRIGGER skip_unchanged BEFORE UPDATE ON vaults FOR EACH ROW EXECUTE FUNCTION skip_unchanged();
BEGIN;
UPDATE vaults_current SET qty = 10 WHERE id = 1;
SELECT expect_error($$UPDATE vaults SET qty = 999 WHERE id = 1$$);
COMMIT;
SELECT * FROM vaults;

-- A trigger of the user's that clears the flag cannot hide an advance.
CREATE TABLE flags_off (id int, v int, qty int);
INSERT INTO flags_off VALUES (1, 1, 10);
SELECT register_versioned_table('flags_off', '{id}', '{v}');
CREATE FUNCTION clear_flag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.current := false;
    RETURN NEW;
END
$$;
CREATE TRIGGER a_clear_flag BEFORE UPDATE ON flags_off FOR EACH ROW EXECUTE FUNCTION clear_flag();
SELECT expect_error($$UPDATE flags_off_current SET qty = 11$$);
SELECT * FROM flags_off;
DROP TABLE flags_off CASCADE;

-- Renames: the registration follows the table, and a view of the user's
-- over the table keeps working; renaming the registered view is refused
-- (51_ddl_rename_and_owner_keep_working).
CREATE VIEW vaults_all AS SELECT * FROM vaults;
ALTER TABLE vaults RENAME TO vaults_renamed;
DROP TRIGGER skip_unchanged ON vaults_renamed;
SELECT expect_error($$UPDATE vaults_all SET qty = 5 WHERE id = 1$$);
SELECT expect_error($$ALTER VIEW vaults_current RENAME TO vaults_view$$);
SELECT * FROM vaults_renamed;

-- A registration made by an earlier build (its view trigger named no view)
-- asks to be registered again.
CREATE TABLE legacy (id int, v int, qty int);
SELECT register_versioned_table('legacy', '{id}', '{v}');
DROP TRIGGER current_view_write ON legacy_current;
CREATE TRIGGER current_view_write INSTEAD OF UPDATE ON legacy_current FOR EACH ROW
    EXECUTE FUNCTION current_view_internal.current_view_write_trigger('public', 'legacy', '', 'current', '', '1', '1', 'id', 'v');
INSERT INTO legacy VALUES (1, 1, 10);
SELECT expect_error($$UPDATE legacy_current SET qty = 11$$);
DROP TABLE legacy CASCADE;

-- Without a deleted column, DELETE through the view is refused.
SELECT expect_error($$DELETE FROM orders_current WHERE id = 1$$);

-- A version type with no default next_version: UPDATE asks for it.
CREATE TABLE labels (id int, v text, body text);
INSERT INTO labels VALUES (1, 'a', 'x');
SELECT register_versioned_table('labels', '{id}', '{v}', strategy => 'table');
SELECT expect_error($$UPDATE labels_current SET body = 'y'$$);
UPDATE labels_current SET v = 'b', body = 'y';
SELECT * FROM labels_current;
SELECT unregister_versioned_table('labels');
-- ... or is registered with one: an expression over the version columns.
SELECT register_versioned_table('labels', '{id}', '{v}', strategy => 'table',
                                next_version => ARRAY[$$v || '+'$$]);
UPDATE labels_current SET body = 'z';
SELECT * FROM labels ORDER BY v;

-- Bad options.
CREATE TABLE opts (id int, v int, flagged text, ok boolean);
SELECT expect_error($$SELECT register_versioned_table('opts', '{id}', '{v}', deleted_column => 'nope')$$);
SELECT expect_error($$SELECT register_versioned_table('opts', '{id}', '{v}', deleted_column => 'flagged')$$);
SELECT expect_error($$SELECT register_versioned_table('opts', '{id}', '{v}', current_column => 'ok', deleted_column => 'ok')$$);
SELECT expect_error($$SELECT register_versioned_table('opts', '{id}', '{v}', next_version => '{}')$$);
SELECT expect_error($$SELECT register_versioned_table('opts', '{id}', '{v}', next_version => ARRAY['v +'])$$);
SELECT expect_error($$SELECT register_versioned_table('opts', '{id}', '{v}', next_version => ARRAY['nope + 1'])$$);
SELECT count(*) FROM versioned_tables WHERE table_name = 'public.opts';
