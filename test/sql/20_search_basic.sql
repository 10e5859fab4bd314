-- Search documents and a cascaded search table: the vehicle example
-- (make -> model (new or certified) -> trim).  After every step the search
-- table and the document columns are compared with oracles computed from the
-- base columns (EXCEPT ALL both ways: no rows expected).
CREATE TYPE model_type AS ENUM ('new', 'certified');
CREATE TABLE make (id int PRIMARY KEY, name text);
CREATE TABLE model (
    id int PRIMARY KEY,
    make_id int NOT NULL REFERENCES make,
    name text,
    type model_type NOT NULL,
    year int);
CREATE TABLE trim (
    id bigint PRIMARY KEY,
    model_id int REFERENCES model ON DELETE CASCADE ON UPDATE CASCADE,
    name varchar(40),
    tags text[],
    awd boolean,
    price numeric);

INSERT INTO make VALUES (1, 'Toyota'), (2, 'Honda'), (3, 'Ford');
INSERT INTO model VALUES
    (10, 1, 'Corolla', 'new', 2020), (11, 1, 'Camry', 'certified', 2018),
    (20, 2, 'Civic', 'new', 2021), (21, 2, 'Accord', 'certified', 2017),
    (30, 3, 'Focus', 'new', 2019);
INSERT INTO trim VALUES
    (100, 10, 'LE sedan', '{fast,economy}', false, 20000),
    (101, 10, 'XSE hatchback', NULL, true, 25000),
    (200, 20, 'Sport', '{red,blue}', NULL, 24000),
    (300, 30, 'Titanium', '{}', true, 22000);

-- Documents: any column type through its text form (varchar, text[],
-- boolean, integer), with or without weights.
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name,year}', '{A,b}');
SELECT register_search_document('trim', '{name,tags,awd}', document_column => 'doc');
SELECT * FROM search_documents ORDER BY table_name;

-- The oracles.
CREATE FUNCTION make_doc(m make) RETURNS tsvector LANGUAGE sql AS $$
    SELECT to_tsvector('english', coalesce(m.name::text, '')) $$;
CREATE FUNCTION model_doc(m model) RETURNS tsvector LANGUAGE sql AS $$
    SELECT setweight(to_tsvector('english', coalesce(m.name::text, '')), 'A')
        || setweight(to_tsvector('english', coalesce(m.year::text, '')), 'B') $$;
CREATE FUNCTION trim_doc(t "trim") RETURNS tsvector LANGUAGE sql AS $$
    SELECT to_tsvector('english', coalesce(t.name::text, ''))
        || to_tsvector('english', coalesce(t.tags::text, ''))
        || to_tsvector('english', coalesce(t.awd::text, '')) $$;
CREATE VIEW wrong_documents AS
    SELECT 'make' AS tbl, id::bigint FROM make m WHERE search_document IS DISTINCT FROM make_doc(m)
    UNION ALL SELECT 'model', id FROM model m WHERE search_document IS DISTINCT FROM model_doc(m)
    UNION ALL SELECT 'trim', id FROM trim t WHERE doc IS DISTINCT FROM trim_doc(t);
SELECT * FROM wrong_documents;
SELECT doc FROM trim WHERE id = 100;

-- Every trim and every certified model is a vehicle.
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', $$type = 'certified'$$);
SELECT search_table, source_table, parents, filter, weights, chain, search_columns
FROM search_sources ORDER BY source_table;
\d vehicle_search

CREATE VIEW expected_vehicles AS
    SELECT t.id AS trim_id, m.id AS model_id, mk.id AS make_id,
           setweight(trim_doc(t), 'A') || setweight(model_doc(m), 'B')
               || setweight(make_doc(mk), 'C') AS document
    FROM trim t LEFT JOIN model m ON m.id = t.model_id LEFT JOIN make mk ON mk.id = m.make_id
    UNION ALL
    SELECT NULL, m.id, mk.id, setweight(model_doc(m), 'A') || setweight(make_doc(mk), 'B')
    FROM model m JOIN make mk ON mk.id = m.make_id
    WHERE m.type = 'certified';
CREATE VIEW vehicle_diff AS
    (SELECT 'missing' AS diff, * FROM
        (TABLE expected_vehicles
         EXCEPT ALL SELECT trim_id, model_id, make_id, document FROM vehicle_search) d)
    UNION ALL
    (SELECT 'extra', * FROM
        (SELECT trim_id, model_id, make_id, document FROM vehicle_search
         EXCEPT ALL TABLE expected_vehicles) d);
-- Everything that is wrong: no rows expected.
CREATE VIEW vehicle_check AS
    SELECT diff, trim_id, model_id, make_id FROM vehicle_diff
    UNION ALL SELECT 'wrong document of ' || tbl, id, NULL, NULL FROM wrong_documents;
SELECT * FROM vehicle_check;
SELECT count(*) FROM vehicle_search;
SELECT check_search_table('vehicle_search');

-- A trim inserted, updated, deleted.
INSERT INTO trim VALUES (102, 10, 'Hybrid', '{green}', false, 27000);
UPDATE trim SET name = 'LE plus sedan' WHERE id = 100;
DELETE FROM trim WHERE id = 300;
SELECT * FROM vehicle_check;

-- A model switches type (its search row appears, then disappears).
UPDATE model SET type = 'certified' WHERE id = 30;
SELECT model_id, make_id FROM vehicle_search WHERE trim_id IS NULL ORDER BY model_id;
UPDATE model SET type = 'new' WHERE id = 11;
SELECT model_id, make_id FROM vehicle_search WHERE trim_id IS NULL ORDER BY model_id;
SELECT * FROM vehicle_check;

-- A trim moves to another model (of another make).
UPDATE trim SET model_id = 21 WHERE id = 101;
SELECT trim_id, model_id, make_id FROM vehicle_search WHERE trim_id = 101;
SELECT * FROM vehicle_check;

-- A make renamed: one statement cascades to every vehicle below it.
UPDATE make SET name = 'Toyota Motor' WHERE id = 1;
SELECT trim_id, model_id, document FROM vehicle_search WHERE make_id = 1 ORDER BY 1, 2;
SELECT * FROM vehicle_check;

-- A model moves to another make, and is renamed, in one statement.
UPDATE model SET make_id = 3, name = 'Corolla Cross' WHERE id = 10;
SELECT * FROM vehicle_check;

-- Several rows per statement, keys changed (cascading through ON UPDATE
-- CASCADE), a null parent, deletes cascading through foreign keys.
UPDATE trim SET tags = tags || '{sale}'::text[], awd = NOT awd;
UPDATE model SET id = 12 WHERE id = 10;
UPDATE trim SET id = id + 1000 WHERE id = 102;
UPDATE trim SET model_id = NULL WHERE id = 200;
SELECT * FROM vehicle_check;
DELETE FROM model WHERE id = 12;
SELECT * FROM vehicle_check;
INSERT INTO model VALUES (40, 3, 'Mustang', 'certified', 2016);
INSERT INTO trim VALUES (400, 40, 'GT', '{v8}', false, 40000), (401, 40, 'EcoBoost', NULL, NULL, 30000);
SELECT * FROM vehicle_check;

-- UPDATE without a changed source value does not rebuild the document: the
-- text search configuration changes behind the document's back, and only a
-- real change of a source column shows it.
CREATE TEXT SEARCH CONFIGURATION cv_test_cfg (COPY = simple);
CREATE TABLE note (id int PRIMARY KEY, body text, stars int);
INSERT INTO note VALUES (1, 'Running dogs', 1);
SELECT register_search_document('note', '{body}', config => 'cv_test_cfg');
ALTER TEXT SEARCH CONFIGURATION cv_test_cfg ALTER MAPPING FOR asciiword WITH english_stem;
UPDATE note SET body = body;
UPDATE note SET body = 'Running dogs', stars = 2;
SELECT search_document FROM note;
UPDATE note SET body = 'Running dogs!';
SELECT search_document FROM note;
-- Writing the document column itself gets it recomputed.
UPDATE note SET search_document = 'forged';
SELECT search_document FROM note;

-- The search row is not rewritten when no watched column changed.
SELECT xmin AS xmin_before FROM vehicle_search WHERE trim_id = 101 \gset
UPDATE trim SET price = price + 1, name = name WHERE id = 101;
SELECT xmin = :'xmin_before' AS search_row_untouched FROM vehicle_search WHERE trim_id = 101;
UPDATE trim SET name = 'XSE' WHERE id = 101;
SELECT xmin = :'xmin_before' AS search_row_untouched FROM vehicle_search WHERE trim_id = 101;

-- Weights of a source: null keeps the documents as stored.
SELECT add_search_source('model_search', 'model', '{make_id}', weights => '{NULL,d}');
SELECT document = (SELECT m.search_document || setweight(mk.search_document, 'D')
                   FROM model m JOIN make mk ON mk.id = m.make_id WHERE m.id = s.model_id) AS ok
FROM model_search s ORDER BY model_id;
UPDATE make SET name = 'Ford Motor' WHERE id = 3;
SELECT count(*) FROM model_search s
WHERE document IS DISTINCT FROM (SELECT m.search_document || setweight(mk.search_document, 'D')
                                 FROM model m JOIN make mk ON mk.id = m.make_id WHERE m.id = s.model_id);
SELECT check_search_table('model_search'), check_search_table('vehicle_search');

-- Ranked search.
SELECT * FROM search('vehicle_search', 'ford');
SELECT * FROM search('vehicle_search', 'mustang gt', 1);
SELECT * FROM search('vehicle_search', 'ford -mustang');

-- The checks do catch a wrong search row.
UPDATE vehicle_search SET document = '' WHERE trim_id = 400;
SELECT * FROM vehicle_check;
SELECT check_search_table('vehicle_search');

-- TRUNCATE of a source empties its rows only.
TRUNCATE trim;
SELECT * FROM vehicle_check;
SELECT count(*) FROM vehicle_search;

-- Dropping a search table removes its triggers; unregistering a document
-- removes the column it added.
SELECT drop_search_table('model_search');
SELECT to_regclass('model_search');
SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'search_model_search%';
SELECT unregister_search_document('note');
SELECT attname FROM pg_attribute WHERE attrelid = 'note'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
DROP VIEW vehicle_check, vehicle_diff, expected_vehicles, wrong_documents;
SELECT drop_search_table('public.vehicle_search');
SELECT unregister_search_document('trim');
SELECT attname FROM pg_attribute WHERE attrelid = 'trim'::regclass AND attname = 'doc';
SELECT * FROM search_sources;
SELECT table_name FROM search_documents ORDER BY 1;

DROP TABLE trim, model, make, note CASCADE;
SELECT * FROM search_documents;
DROP TYPE model_type;
DROP TEXT SEARCH CONFIGURATION cv_test_cfg;
