-- A seeded random driver of writes to the vehicle chain (make -> model ->
-- trim, plus certified models as a source of their own): inserts, updates of
-- document columns, deletes, re-parents, key changes (ON UPDATE CASCADE),
-- type switches (the filter), TRUNCATE, single- and multi-row statements,
-- and transactions with deferred foreign keys that write children before
-- their parents.  After every transaction the search table is compared with
-- an oracle recomputed from the source columns (EXCEPT ALL both ways) and
-- with check_search_table: no wrong row, ever.
CREATE SCHEMA rnd;
SET search_path = rnd, public;
CREATE TABLE make (id int PRIMARY KEY, name text);
CREATE TABLE model (id int PRIMARY KEY,
                    make_id int NOT NULL REFERENCES make ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE,
                    name text, year int, certified boolean NOT NULL DEFAULT false,
                    era text GENERATED ALWAYS AS ('y' || (year / 10)::text) STORED);
CREATE TABLE trim (id int PRIMARY KEY,
                   model_id int NOT NULL REFERENCES model ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE,
                   name text, tags text[]);
CREATE INDEX ON model (make_id);
CREATE INDEX ON trim (model_id);
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name,era}', '{A,B}');
SELECT register_search_document('trim', '{name,tags}');
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', 'certified');

-- The oracle, from the source columns alone.
CREATE FUNCTION make_words(k make) RETURNS tsvector LANGUAGE sql AS
$$ SELECT to_tsvector(coalesce(k.name, '')) $$;
CREATE FUNCTION model_words(m model) RETURNS tsvector LANGUAGE sql AS
$$ SELECT setweight(to_tsvector(coalesce(m.name, '')), 'A') || setweight(to_tsvector(coalesce(m.era, '')), 'B') $$;
CREATE FUNCTION trim_words(t "trim") RETURNS tsvector LANGUAGE sql AS
$$ SELECT to_tsvector(coalesce(t.name, '')) || to_tsvector(coalesce(t.tags::text, '')) $$;
CREATE VIEW wrong_rows AS
WITH want AS (
    SELECT t.id AS trim_id, m.id AS model_id, k.id AS make_id,
           setweight(trim_words(t), 'A') || setweight(coalesce(model_words(m), ''), 'B')
           || setweight(coalesce(make_words(k), ''), 'C') AS document
    FROM trim t LEFT JOIN model m ON m.id = t.model_id LEFT JOIN make k ON k.id = m.make_id
    UNION ALL
    SELECT NULL, m.id, k.id, setweight(model_words(m), 'A') || setweight(coalesce(make_words(k), ''), 'B')
    FROM model m LEFT JOIN make k ON k.id = m.make_id WHERE m.certified),
have AS (SELECT trim_id, model_id, make_id, document FROM vehicle_search)
SELECT count(*) AS n FROM ((TABLE want EXCEPT ALL TABLE have) UNION ALL (TABLE have EXCEPT ALL TABLE want)) d;

CREATE TABLE run (batch int, deferred boolean, operations int, search_rows bigint, wrong bigint, checked bigint);

-- The id of the n-th row (0-based, by id) of a table, n drawn at random;
-- NULL for an empty table.
CREATE FUNCTION pick(tbl regclass) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    id int;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', tbl) INTO n;
    EXECUTE format('SELECT id FROM %s ORDER BY id OFFSET $1 LIMIT 1', tbl)
        INTO id USING floor(random() * n)::bigint;
    RETURN id;
END
$$;
CREATE FUNCTION word() RETURNS text LANGUAGE sql AS $$
    SELECT (ARRAY['sedan', 'hybrid', 'sport', 'touring', 'coupe', 'wagon', 'diesel', 'turbo',
                  'luxury', 'base', 'red', 'blue'])[1 + floor(random() * 12)::int]
$$;

CREATE PROCEDURE drive(batches int, seed float8) LANGUAGE plpgsql AS $$
DECLARE
    next_id int := 100000;
    deferred boolean;
    ops int;
    op int;
    a int;
    b int;
BEGIN
    PERFORM setseed(seed);
    FOR batch IN 1 .. batches LOOP
        deferred := random() < 0.3;
        IF deferred THEN
            SET CONSTRAINTS ALL DEFERRED;
        END IF;
        ops := 1 + floor(random() * 6)::int;
        FOR i IN 1 .. ops LOOP
            op := floor(random() * 20)::int;
            next_id := next_id + 3;
            CASE
            WHEN op = 0 THEN
                INSERT INTO make VALUES (next_id, word() || ' motors');
            WHEN op IN (1, 2) THEN
                a := pick('make');
                IF a IS NOT NULL THEN
                    INSERT INTO model (id, make_id, name, year, certified)
                    VALUES (next_id, a, word(), 1990 + floor(random() * 30)::int, random() < 0.3);
                END IF;
            WHEN op IN (3, 4) THEN
                -- several trims in one statement
                a := pick('model');
                IF a IS NOT NULL THEN
                    INSERT INTO trim SELECT next_id + g, a, word(), ARRAY[word(), word()]
                    FROM generate_series(0, 2) g;
                END IF;
            WHEN op = 5 THEN
                a := pick('make');
                UPDATE make SET name = word() WHERE id = a;
            WHEN op = 6 THEN
                -- several makes in one statement
                a := floor(random() * 5)::int;
                UPDATE make SET name = name || ' ' || word() WHERE id % 5 = a;
            WHEN op = 7 THEN
                a := pick('model');
                UPDATE model SET name = word(), year = year + floor(random() * 15)::int WHERE id = a;
            WHEN op = 8 THEN
                a := pick('model');
                UPDATE model SET certified = NOT certified WHERE id = a;
            WHEN op = 9 THEN
                a := pick('trim');
                UPDATE trim SET name = word(), tags = tags || word() WHERE id = a;
            WHEN op = 10 THEN
                a := pick('trim');
                b := pick('model');
                UPDATE trim SET model_id = b WHERE id = a;
            WHEN op = 11 THEN
                a := pick('model');
                b := pick('make');
                UPDATE model SET make_id = b WHERE id = a;
            WHEN op = 12 THEN
                a := pick('make');
                UPDATE make SET id = next_id WHERE id = a;
            WHEN op = 13 THEN
                a := pick('model');
                UPDATE model SET id = next_id WHERE id = a;
            WHEN op = 14 THEN
                a := pick('trim');
                DELETE FROM trim WHERE id = a;
            WHEN op = 15 THEN
                a := pick('model');
                DELETE FROM model WHERE id = a;
            WHEN op = 16 AND random() < 0.3 THEN
                a := pick('make');
                    DELETE FROM make WHERE id = a;
            WHEN op = 17 AND NOT deferred AND random() < 0.15 THEN
                -- (not with deferred checks pending, which TRUNCATE refuses)
                IF random() < 0.5 THEN
                    TRUNCATE trim;
                ELSE
                    TRUNCATE make CASCADE;
                END IF;
            WHEN op IN (18, 19) AND deferred THEN
                -- children first: a trim, its new model, the model's new make;
                -- and an existing trim moved to the new model
                INSERT INTO trim VALUES (next_id, next_id + 1, word(), NULL);
                a := pick('trim');
                UPDATE trim SET model_id = next_id + 1 WHERE id = a;
                INSERT INTO model (id, make_id, name, year, certified)
                VALUES (next_id + 1, next_id + 2, word(), 2000, random() < 0.5);
                INSERT INTO make VALUES (next_id + 2, word());
            ELSE
                INSERT INTO make VALUES (next_id, word());
                INSERT INTO model (id, make_id, name, year) VALUES (next_id + 1, next_id, word(), 2010);
            END CASE;
        END LOOP;
        COMMIT;
        INSERT INTO run SELECT batch, deferred, ops, (SELECT count(*) FROM vehicle_search),
                               (SELECT n FROM wrong_rows), check_search_table('vehicle_search');
        COMMIT;
    END LOOP;
END
$$;

INSERT INTO make SELECT g, 'make ' || g FROM generate_series(1, 10) g;
INSERT INTO model (id, make_id, name, year, certified)
SELECT g, 1 + g % 10, 'model ' || g, 1990 + g % 30, g % 4 = 0 FROM generate_series(1, 40) g;
INSERT INTO trim SELECT g, 1 + g % 40, 'trim ' || g, ARRAY['tag' || g % 7] FROM generate_series(1, 150) g;
CALL drive(250, 0.25);

-- What ran, and the wrong rows found (0 expected everywhere).
SELECT count(*) AS batches, count(*) FILTER (WHERE deferred) AS deferred_batches,
       sum(operations) AS operations, min(search_rows) AS min_rows, max(search_rows) AS max_rows,
       sum(wrong) AS wrong_rows, sum(checked) AS checked
FROM run;
SELECT * FROM run WHERE wrong <> 0 OR checked <> 0 ORDER BY batch LIMIT 5;

DROP VIEW wrong_rows;
SELECT drop_search_table('rnd.vehicle_search');
DROP SCHEMA rnd CASCADE;
RESET search_path;
