-- The search data of bench/search_query.sh, bench/gin_fastupdate.sh and
-- bench/rum_vs_gin.sh: 100 makes, 10,000 models (a quarter certified),
-- :trims trims (default 190,000), one search table.
\if :{?trims}
\else
\set trims 190000
\endif
CREATE EXTENSION current_view;
CREATE TABLE make (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES make, name text NOT NULL,
                    type text NOT NULL, year int);
CREATE TABLE trim (id int PRIMARY KEY, model_id int NOT NULL REFERENCES model, name text NOT NULL);
-- Words: make<i> in every row of a make (trims / 100), w<j> in trims / 1,000,
-- trim<k> in one.
INSERT INTO make SELECT i, 'Make' || i FROM generate_series(1, 100) i;
INSERT INTO model SELECT i, 1 + i % 100, 'Model' || i, CASE WHEN i % 4 = 0 THEN 'certified' ELSE 'new' END,
                         2000 + i % 24
FROM generate_series(1, 10000) i;
INSERT INTO trim SELECT i, 1 + i % 10000,
                        format('Trim%s w%s w%s', i, 1 + i::bigint * 7919 % 2000, 1 + i::bigint * 104729 % 1999)
FROM generate_series(1, :trims) i;
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name,year}');
SELECT register_search_document('trim', '{name}');
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', $$type = 'certified'$$);
VACUUM ANALYZE vehicle_search;
