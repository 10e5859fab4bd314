-- The search data of bench/search_query.sh and bench/gin_fastupdate.sh: 100 makes,
-- 10,000 models (a quarter certified), 190,000 trims, one search table.
CREATE EXTENSION current_view;
CREATE TABLE make (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES make, name text NOT NULL,
                    type text NOT NULL, year int);
CREATE TABLE trim (id int PRIMARY KEY, model_id int NOT NULL REFERENCES model, name text NOT NULL);
-- Words: make<i> in every row of a make (~1,900), w<j> in ~190 trims each,
-- trim<k> in one.
INSERT INTO make SELECT i, 'Make' || i FROM generate_series(1, 100) i;
INSERT INTO model SELECT i, 1 + i % 100, 'Model' || i, CASE WHEN i % 4 = 0 THEN 'certified' ELSE 'new' END,
                         2000 + i % 24
FROM generate_series(1, 10000) i;
INSERT INTO trim SELECT i, 1 + i % 10000,
                        format('Trim%s w%s w%s', i, 1 + i * 7919 % 2000, 1 + i::bigint * 104729 % 1999)
FROM generate_series(1, 190000) i;
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name,year}');
SELECT register_search_document('trim', '{name}');
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', $$type = 'certified'$$);
VACUUM ANALYZE vehicle_search;
