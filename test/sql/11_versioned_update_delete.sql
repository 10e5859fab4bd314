-- Rule 3: UPDATE and DELETE.
CREATE TABLE prices (sku text, version int, price numeric);
SELECT register_versioned_table('prices', '{sku}', '{version}');
INSERT INTO prices VALUES ('a', 1, 10), ('a', 2, 11), ('a', 3, 12),
                          ('b', 1, 20), ('b', 2, 21), ('c', 1, 30);

-- An UPDATE of other columns keeps the current row where it is.
UPDATE prices SET price = price + 1;
SELECT * FROM prices_current ORDER BY sku;

-- Writing the flag is rejected, even to the value it would have.
SELECT expect_error($$UPDATE prices SET current = NOT current WHERE sku = 'a'$$);
SELECT expect_error($$UPDATE prices SET current = true WHERE sku = 'a' AND version = 1$$);
UPDATE prices SET current = current WHERE sku = 'a';

-- Raising a version makes that row current; lowering the current row's
-- version promotes the next one.
UPDATE prices SET version = 9 WHERE sku = 'a' AND version = 1;
SELECT sku, version, current FROM prices WHERE sku = 'a' ORDER BY version;
UPDATE prices SET version = 0 WHERE sku = 'a' AND version = 9;
SELECT sku, version, current FROM prices WHERE sku = 'a' ORDER BY version;

-- Changing the key re-decides the old key and the new one.
UPDATE prices SET sku = 'c' WHERE sku = 'b' AND version = 2;
SELECT sku, version, current FROM prices WHERE sku IN ('b', 'c') ORDER BY sku, version;
UPDATE prices SET sku = 'd' WHERE sku = 'c' AND version = 1;
SELECT * FROM prices_current ORDER BY sku;
SELECT oracle_diff('prices_current', 'prices', 'sku', 'version');

-- DELETE of the current row promotes the next; of all rows, leaves no current.
DELETE FROM prices WHERE sku = 'a' AND version = 3;
SELECT sku, version, current FROM prices WHERE sku = 'a' ORDER BY version;
DELETE FROM prices WHERE sku = 'a';
SELECT count(*) AS a_rows, (SELECT count(*) FROM prices_current WHERE sku = 'a') AS a_current
FROM prices WHERE sku = 'a';
SELECT * FROM prices_heads ORDER BY sku;
-- Deleting a non-current row changes nothing.
INSERT INTO prices VALUES ('e', 1, 1), ('e', 2, 2);
DELETE FROM prices WHERE sku = 'e' AND version = 1;
SELECT * FROM prices_current ORDER BY sku;
SELECT oracle_diff('prices_current', 'prices', 'sku', 'version');
SELECT check_versioned_table('prices');

-- A key that comes back after being deleted starts again.
INSERT INTO prices VALUES ('a', 1, 100);
SELECT * FROM prices_current WHERE sku = 'a';

-- TRUNCATE empties the heads too; the table starts afresh.
TRUNCATE prices;
SELECT count(*) FROM prices_heads;
INSERT INTO prices VALUES ('a', 2, 1), ('a', 1, 0);
SELECT * FROM prices_current;
SELECT check_versioned_table('prices');

-- Rule 4: append_only rejects UPDATE and DELETE, changing nothing, and
-- allows INSERT and TRUNCATE.
CREATE TABLE events (id int, seq bigint, body text);
SELECT register_versioned_table('events', '{id}', '{seq}', append_only => true);
INSERT INTO events VALUES (1, 1, 'a'), (1, 2, 'b'), (1, 0, 'z');
SELECT expect_error($$UPDATE events SET body = 'x'$$);
SELECT expect_error($$DELETE FROM events WHERE seq = 2$$);
SELECT * FROM events ORDER BY seq;
TRUNCATE events;
INSERT INTO events VALUES (2, 5, 'c');
SELECT * FROM events_current;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass ORDER BY 1;
