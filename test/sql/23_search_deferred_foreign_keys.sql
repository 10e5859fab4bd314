-- Search rows with deferred foreign keys (as Django declares every one):
-- within a transaction a row may reference a parent that is inserted, or
-- given that key, only later.  By COMMIT every search row carries its
-- parents' keys and words, whatever the order of the writes.  Each step is
-- compared with an oracle computed from the source columns (EXCEPT ALL both
-- ways) and with check_search_table.
CREATE SCHEMA deferred;
SET search_path = deferred, public;
CREATE TABLE make (id int PRIMARY KEY, name text);
CREATE TABLE model (id int PRIMARY KEY,
                    make_id int NOT NULL REFERENCES make DEFERRABLE INITIALLY DEFERRED,
                    name text, certified boolean NOT NULL DEFAULT false);
CREATE TABLE trim (id int PRIMARY KEY,
                   model_id int NOT NULL REFERENCES model DEFERRABLE INITIALLY DEFERRED,
                   name text);
CREATE INDEX ON model (make_id);
CREATE INDEX ON trim (model_id);
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name}');
SELECT register_search_document('trim', '{name}');
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', 'certified');

CREATE VIEW vehicle_state AS
WITH want AS (
    SELECT t.id AS trim_id, m.id AS model_id, k.id AS make_id,
           setweight(to_tsvector(coalesce(t.name, '')), 'A') || setweight(to_tsvector(coalesce(m.name, '')), 'B')
           || setweight(to_tsvector(coalesce(k.name, '')), 'C') AS document
    FROM trim t LEFT JOIN model m ON m.id = t.model_id LEFT JOIN make k ON k.id = m.make_id
    UNION ALL
    SELECT NULL, m.id, k.id,
           setweight(to_tsvector(coalesce(m.name, '')), 'A') || setweight(to_tsvector(coalesce(k.name, '')), 'B')
    FROM model m LEFT JOIN make k ON k.id = m.make_id WHERE m.certified),
have AS (SELECT trim_id, model_id, make_id, document FROM vehicle_search)
SELECT (SELECT count(*) FROM ((TABLE want EXCEPT ALL TABLE have)
                              UNION ALL (TABLE have EXCEPT ALL TABLE want)) d) AS wrong_rows,
       check_search_table('vehicle_search') AS checked,
       (SELECT count(*) FROM vehicle_search) AS search_rows;

-- Children first: a trim, then its model, then the model's make.
BEGIN;
INSERT INTO trim VALUES (100, 10, 'LE');
INSERT INTO model VALUES (10, 1, 'Corolla');
INSERT INTO make VALUES (1, 'Toyota');
COMMIT;
SELECT * FROM vehicle_state;
SELECT make_id, document FROM vehicle_search WHERE trim_id = 100;

-- The same in one statement each, several children per parent, and a
-- certified model (a source of its own) before its make.
BEGIN;
INSERT INTO trim VALUES (200, 20, 'Sport'), (201, 20, 'Touring'), (210, 21, 'Base');
INSERT INTO model VALUES (20, 2, 'Civic', false), (21, 2, 'Accord', true);
INSERT INTO make VALUES (2, 'Honda');
COMMIT;
SELECT * FROM vehicle_state;

-- Re-parented to parents created later in the transaction.
BEGIN;
UPDATE trim SET model_id = 30 WHERE id = 201;
UPDATE model SET make_id = 3 WHERE id = 21;
INSERT INTO model VALUES (30, 3, 'Focus');
INSERT INTO make VALUES (3, 'Ford');
COMMIT;
SELECT * FROM vehicle_state;
SELECT trim_id, model_id, make_id FROM vehicle_search WHERE trim_id = 201 OR (model_id = 21 AND trim_id IS NULL);

-- A parent's key changes to a key that children referenced first; a parent
-- deleted and inserted again under the same key, with another name.
BEGIN;
UPDATE model SET make_id = 4 WHERE id = 30;
UPDATE make SET id = 4, name = 'Ford Motor' WHERE id = 3;
UPDATE model SET make_id = 4 WHERE id = 21;
DELETE FROM model WHERE id = 10;
INSERT INTO model VALUES (10, 1, 'Corolla Cross');
COMMIT;
SELECT * FROM vehicle_state;

-- A foreign key made deferrable after the triggers first ran: the next
-- parent insert adopts the children that came first.
CREATE TABLE note (id int PRIMARY KEY, trim_id int NOT NULL REFERENCES trim, body text);
SELECT register_search_document('note', '{body}');
SELECT add_search_source('note_search', 'note', '{trim_id}');
INSERT INTO note VALUES (1, 100, 'first');
ALTER TABLE note ALTER CONSTRAINT note_trim_id_fkey DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO note VALUES (2, 900, 'early');
INSERT INTO trim VALUES (900, 10, 'Hybrid');
COMMIT;
SELECT note_id, trim_id, document FROM note_search ORDER BY note_id;
SELECT check_search_table('note_search');
SELECT * FROM vehicle_state;

DROP VIEW vehicle_state;
SELECT drop_search_table('note_search');
SELECT drop_search_table('vehicle_search');
DROP TABLE note, trim, model, make;
DROP SCHEMA deferred;
RESET search_path;
