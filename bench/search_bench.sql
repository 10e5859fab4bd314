-- Data set of the 2016 proof of concept: 9 makes, 1,000 models (750 new,
-- 250 certified), 13,000 trims.  Schema "maintained" has documents and a
-- search table kept by current_view; schema "plain" has the same tables
-- without triggers, a view computing documents at query time, and a copy of
-- the search table for the hand-written cascade.
CREATE EXTENSION IF NOT EXISTS current_view;
DROP SCHEMA IF EXISTS maintained CASCADE;
DROP SCHEMA IF EXISTS plain CASCADE;
CREATE SCHEMA maintained;
CREATE SCHEMA plain;

CREATE TABLE plain.make (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE plain.model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES plain.make,
                          name text NOT NULL, type text NOT NULL, year int);
CREATE TABLE plain.trim (id int PRIMARY KEY, model_id int NOT NULL REFERENCES plain.model,
                         name text NOT NULL, price numeric);
CREATE INDEX ON plain.model (make_id);
CREATE INDEX ON plain.trim (model_id);
INSERT INTO plain.make SELECT i, 'Make' || i || ' ' || md5(i::text) FROM generate_series(1, 9) i;
INSERT INTO plain.model SELECT i, 1 + i % 9, 'Model' || i || ' ' || left(md5('m' || i), 8),
                               CASE WHEN i <= 750 THEN 'new' ELSE 'certified' END, 2000 + i % 24
FROM generate_series(1, 1000) i;
INSERT INTO plain.trim SELECT i, 1 + i % 750, 'Trim' || i || ' ' || left(md5('t' || i), 6), 20000 + i
FROM generate_series(1, 13000) i;

CREATE TABLE maintained.make (LIKE plain.make INCLUDING ALL);
CREATE TABLE maintained.model (LIKE plain.model INCLUDING ALL,
                               FOREIGN KEY (make_id) REFERENCES maintained.make);
CREATE TABLE maintained.trim (LIKE plain.trim INCLUDING ALL,
                              FOREIGN KEY (model_id) REFERENCES maintained.model);
INSERT INTO maintained.make SELECT * FROM plain.make;
INSERT INTO maintained.model SELECT * FROM plain.model;
INSERT INTO maintained.trim SELECT * FROM plain.trim;
SELECT register_search_document('maintained.make', '{name}');
SELECT register_search_document('maintained.model', '{name,year}');
SELECT register_search_document('maintained.trim', '{name}');
SELECT add_search_source('maintained.vehicle_search', 'maintained.trim', '{model_id,make_id}');
SELECT add_search_source('maintained.vehicle_search', 'maintained.model', '{make_id}',
                         $$type = 'certified'$$);

-- Documents computed at query time.
CREATE VIEW plain.vehicle_view AS
    SELECT t.id AS trim_id, m.id AS model_id, k.id AS make_id,
           setweight(to_tsvector('english', t.name), 'A')
           || setweight(to_tsvector('english', m.name) || to_tsvector('english', coalesce(m.year::text, '')), 'B')
           || setweight(to_tsvector('english', k.name), 'C') AS document
    FROM plain.trim t JOIN plain.model m ON m.id = t.model_id JOIN plain.make k ON k.id = m.make_id
    UNION ALL
    SELECT NULL, m.id, k.id,
           setweight(to_tsvector('english', m.name) || to_tsvector('english', coalesce(m.year::text, '')), 'A')
           || setweight(to_tsvector('english', k.name), 'B')
    FROM plain.model m JOIN plain.make k ON k.id = m.make_id WHERE m.type = 'certified';

-- A search table refreshed by hand.
CREATE TABLE plain.vehicle_search AS SELECT * FROM plain.vehicle_view;
CREATE INDEX ON plain.vehicle_search USING gin (document);
CREATE INDEX ON plain.vehicle_search (trim_id);
CREATE INDEX ON plain.vehicle_search (model_id);
CREATE INDEX ON plain.vehicle_search (make_id);
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM maintained.vehicle_search) AS search_rows,
       (SELECT count(*) FROM maintained.vehicle_search WHERE make_id = 1) AS make_1_rows,
       check_search_table('maintained.vehicle_search') AS wrong_rows;
