-- W8: the 2016 search test (issues 3 and 4).  Data set of the 2016 proof of
-- concept: 9 makes, 1,000 models (750 new, 250 certified), 13,000 trims, the
-- same rows in three schemas:
--   plain       no documents, no triggers; plain.vehicle_view computes the
--               documents at query time; plain.vehicle_search is a copy kept
--               by hand (the "hand-written set-based UPDATE" of issue 3);
--   maintained  current_view: register_search_document + add_search_source;
--   plpgsql     PL/pgSQL row-loop cascade triggers (bench/baselines/plpgsql_search.sql);
--   byhand      the tables of maintained with their documents and search
--               table, no triggers: the "hand-written same work" of issue 14
--               (one writable CTE updates a trim, its document and its
--               search row).
-- bench.w8_ops lists every timed operation; bench.w8_run(schema, round, check)
-- runs a schema's operations, each in a subtransaction rolled back afterwards
-- (every contender and round starts from the same rows), and records the
-- milliseconds in bench.results.
-- psql variable view_queries: how many of the 1,000 series queries run on the
-- view (each costs a full document computation); the total is extrapolated.
\o /dev/null
CREATE EXTENSION IF NOT EXISTS current_view;
DROP SCHEMA IF EXISTS maintained CASCADE;
DROP SCHEMA IF EXISTS plain CASCADE;
DROP SCHEMA IF EXISTS plpgsql CASCADE;
DROP SCHEMA IF EXISTS byhand CASCADE;
CREATE SCHEMA maintained;
CREATE SCHEMA byhand;
CREATE SCHEMA plain;
CREATE SCHEMA plpgsql;

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

-- The same tables, documents and search rows, without triggers.
CREATE TABLE byhand.make (LIKE maintained.make INCLUDING ALL);
CREATE TABLE byhand.model (LIKE maintained.model INCLUDING ALL,
                           FOREIGN KEY (make_id) REFERENCES byhand.make);
CREATE TABLE byhand.trim (LIKE maintained.trim INCLUDING ALL,
                          FOREIGN KEY (model_id) REFERENCES byhand.model);
CREATE TABLE byhand.vehicle_search (LIKE maintained.vehicle_search INCLUDING ALL);
INSERT INTO byhand.make SELECT * FROM maintained.make;
INSERT INTO byhand.model SELECT * FROM maintained.model;
INSERT INTO byhand.trim SELECT * FROM maintained.trim;
INSERT INTO byhand.vehicle_search SELECT * FROM maintained.vehicle_search;

CREATE TABLE plpgsql.make (LIKE plain.make INCLUDING ALL, search_document tsvector);
CREATE TABLE plpgsql.model (LIKE plain.model INCLUDING ALL, search_document tsvector,
                            FOREIGN KEY (make_id) REFERENCES plpgsql.make);
CREATE TABLE plpgsql.trim (LIKE plain.trim INCLUDING ALL, search_document tsvector,
                           FOREIGN KEY (model_id) REFERENCES plpgsql.model);
\ir ../baselines/plpgsql_search.sql
INSERT INTO plpgsql.make SELECT * FROM plain.make;
INSERT INTO plpgsql.model SELECT * FROM plain.model;
INSERT INTO plpgsql.trim SELECT * FROM plain.trim;

-- Documents computed at query time, over any of the three schemas (the
-- oracle of the PL/pgSQL search table, too).
CREATE FUNCTION bench.w8_view(schema name) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE format($$
    CREATE VIEW %1$I.vehicle_view AS
    SELECT t.id AS trim_id, m.id AS model_id, k.id AS make_id,
           setweight(to_tsvector('english', t.name), 'A')
           || setweight(to_tsvector('english', m.name) || to_tsvector('english', coalesce(m.year::text, '')), 'B')
           || setweight(to_tsvector('english', k.name), 'C') AS document
    FROM %1$I.trim t JOIN %1$I.model m ON m.id = t.model_id JOIN %1$I.make k ON k.id = m.make_id
    UNION ALL
    SELECT NULL, m.id, k.id,
           setweight(to_tsvector('english', m.name) || to_tsvector('english', coalesce(m.year::text, '')), 'A')
           || setweight(to_tsvector('english', k.name), 'B')
    FROM %1$I.model m JOIN %1$I.make k ON k.id = m.make_id WHERE m.type = 'certified'$$, schema);
END $f$;
SELECT bench.w8_view('plain'), bench.w8_view('plpgsql'), bench.w8_view('byhand');

-- A search table refreshed by hand.
CREATE TABLE plain.vehicle_search AS SELECT * FROM plain.vehicle_view;
CREATE INDEX ON plain.vehicle_search USING gin (document);
CREATE INDEX ON plain.vehicle_search (trim_id);
CREATE INDEX ON plain.vehicle_search (model_id);
CREATE INDEX ON plain.vehicle_search (make_id);

-- The operations.  stmts run in order, repeats times (with $1 = 1, 2, ...
-- when they use it); the measure is the mean per repetition times scale.
CREATE TABLE bench.w8_ops (
    ord int NOT NULL,
    schema name NOT NULL,
    contender text NOT NULL,
    op text NOT NULL,
    stmts text[] NOT NULL,
    repeats int NOT NULL,
    scale int NOT NULL DEFAULT 1,
    check_sql text);

CREATE FUNCTION bench.w8_contender(schema name) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE schema WHEN 'maintained' THEN 'current_view' WHEN 'byhand' THEN 'hand' ELSE schema END
$$;

-- w8_op(ord, op, statement with %1$I for the schema, repeats)
CREATE FUNCTION bench.w8_op(ord int, op text, stmt text, repeats int) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO bench.w8_ops (ord, schema, contender, op, stmts, repeats, check_sql)
    SELECT ord, s, bench.w8_contender(s), op, ARRAY[format(stmt, s)], repeats,
           CASE s WHEN 'maintained' THEN $c$SELECT check_search_table('maintained.vehicle_search')$c$
                  WHEN 'plpgsql' THEN $c$SELECT count(*) FROM ((TABLE plpgsql.vehicle_search EXCEPT ALL
                      TABLE plpgsql.vehicle_view) UNION ALL (TABLE plpgsql.vehicle_view EXCEPT ALL
                      TABLE plpgsql.vehicle_search)) d$c$ END
    FROM unnest('{plain,maintained,plpgsql}'::name[]) s
$$;

SELECT bench.w8_op(1, 'update_make_1', $$UPDATE %1$I.make SET name = 'Make' || id || ' renamed' WHERE id = $1$$, 3),
       bench.w8_op(2, 'update_make_9', $$UPDATE %1$I.make SET name = 'Make' || id || ' renamed' WHERE id <= 9$$, 1),
       bench.w8_op(3, 'update_model_1', $$UPDATE %1$I.model SET name = name || ' renamed' WHERE id = $1$$, 50),
       bench.w8_op(4, 'update_model_100', $$UPDATE %1$I.model SET name = name || ' renamed' WHERE id <= 100$$, 1),
       bench.w8_op(5, 'update_model_1000', $$UPDATE %1$I.model SET name = name || ' renamed' WHERE id <= 1000$$, 1),
       bench.w8_op(6, 'update_trim_1', $$UPDATE %1$I.trim SET name = name || ' renamed' WHERE id = $1$$, 200),
       bench.w8_op(7, 'update_trim_100', $$UPDATE %1$I.trim SET name = name || ' renamed' WHERE id <= 100$$, 1),
       bench.w8_op(8, 'update_trim_10000', $$UPDATE %1$I.trim SET name = name || ' renamed' WHERE id <= 10000$$, 1),
       bench.w8_op(9, 'insert_trim_1', $$INSERT INTO %1$I.trim (id, model_id, name, price) VALUES (100000 + $1, 1 + $1 %% 750, 'New trim ' || $1, 1)$$, 200),
       bench.w8_op(10, 'insert_trim_100', $$INSERT INTO %1$I.trim (id, model_id, name, price) SELECT 100000 + i, 1 + i %% 750, 'New trim ' || i, 1 FROM generate_series(1, 100) i$$, 1),
       bench.w8_op(11, 'insert_trim_10000', $$INSERT INTO %1$I.trim (id, model_id, name, price) SELECT 100000 + i, 1 + i %% 750, 'New trim ' || i, 1 FROM generate_series(1, 10000) i$$, 1),
       bench.w8_op(12, 'delete_trim_1', $$DELETE FROM %1$I.trim WHERE id = $1$$, 200),
       bench.w8_op(13, 'delete_trim_100', $$DELETE FROM %1$I.trim WHERE id <= 100$$, 1),
       bench.w8_op(14, 'delete_trim_10000', $$DELETE FROM %1$I.trim WHERE id <= 10000$$, 1),
       -- Certified models (no trims): each is a search row of its own.
       bench.w8_op(15, 'insert_model_1', $$INSERT INTO %1$I.model (id, make_id, name, type, year) VALUES (10000 + $1, 1 + $1 %% 9, 'New model ' || $1, 'certified', 2016)$$, 50),
       bench.w8_op(16, 'insert_model_100', $$INSERT INTO %1$I.model (id, make_id, name, type, year) SELECT 10000 + i, 1 + i %% 9, 'New model ' || i, 'certified', 2016 FROM generate_series(1, 100) i$$, 1),
       bench.w8_op(17, 'insert_model_1000', $$INSERT INTO %1$I.model (id, make_id, name, type, year) SELECT 10000 + i, 1 + i %% 9, 'New model ' || i, 'certified', 2016 FROM generate_series(1, 1000) i$$, 1),
       bench.w8_op(18, 'delete_model_1', $$DELETE FROM %1$I.model WHERE id = 750 + $1$$, 50),
       bench.w8_op(19, 'delete_model_100', $$DELETE FROM %1$I.model WHERE id > 900$$, 1),
       bench.w8_op(20, 'delete_model_250', $$DELETE FROM %1$I.model WHERE id > 750$$, 1);

-- Searches, first in each round: rolled-back writes leave entries in the
-- GIN pending list that every later search would scan.  The same SQL over
-- the view (plain) and the two search tables.
INSERT INTO bench.w8_ops (ord, schema, contender, op, stmts, repeats, scale)
SELECT o.ord - 10, s, bench.w8_contender(s), o.op,
       ARRAY[format($$SELECT trim_id, model_id, make_id, ts_rank(document, q) r
                      FROM %I.%I, websearch_to_tsquery('english', %s) q
                      WHERE document @@ q ORDER BY r DESC LIMIT 20$$,
                    s, CASE s WHEN 'plain' THEN 'vehicle_view' ELSE 'vehicle_search' END, o.query)],
       CASE WHEN s <> 'plain' THEN o.repeats WHEN o.op = 'search_series_1000' THEN :view_queries ELSE 5 END,
       CASE WHEN o.op = 'search_series_1000' THEN 1000 ELSE 1 END
FROM unnest('{plain,maintained,plpgsql}'::name[]) s,
     (VALUES (1, 'search_simple', $$'model17'$$, 200),
             (2, 'search_complex', $$'model17 or model42 or make3 -trim1207'$$, 50),
             (3, 'search_series_1000', $$'model' || $1$$, 1000)) o(ord, op, query, repeats);

-- Issue 3's make rename reference: the make, then one hand-written
-- set-based UPDATE of its search rows.
INSERT INTO bench.w8_ops (ord, schema, contender, op, stmts, repeats) VALUES
(1, 'plain', 'hand', 'update_make_1',
 ARRAY[$$UPDATE plain.make SET name = 'Make' || id || ' renamed' WHERE id = $1$$,
       $$UPDATE plain.vehicle_search v SET document = w.document FROM plain.vehicle_view w
         WHERE v.make_id = $1 AND w.make_id = $1 AND v.model_id = w.model_id
           AND v.trim_id IS NOT DISTINCT FROM w.trim_id$$], 3);

-- Issue 14's single trim update by hand: the same work as the triggers (the
-- trim, its document as the document trigger computes it, its search row as
-- the search trigger computes it) in one statement, without triggers.
INSERT INTO bench.w8_ops (ord, schema, contender, op, stmts, repeats, check_sql) VALUES
(6, 'byhand', 'hand', 'update_trim_1',
 ARRAY[$$WITH t AS (
            UPDATE byhand.trim SET name = name || ' renamed',
                   search_document = to_tsvector('english', coalesce(name || ' renamed', ''))
            WHERE id = $1 RETURNING id, model_id, search_document)
          UPDATE byhand.vehicle_search v
          SET model_id = m.id, make_id = k.id,
              document = setweight(coalesce(t.search_document, ''), 'A')
                         || setweight(coalesce(m.search_document, ''), 'B')
                         || setweight(coalesce(k.search_document, ''), 'C')
          FROM t LEFT JOIN byhand.model m ON m.id = t.model_id
                 LEFT JOIN byhand.make k ON k.id = m.make_id
          WHERE v.trim_id = t.id$$], 200,
 $$SELECT count(*) FROM ((TABLE byhand.vehicle_search EXCEPT ALL TABLE byhand.vehicle_view)
   UNION ALL (TABLE byhand.vehicle_view EXCEPT ALL TABLE byhand.vehicle_search)) d$$);

-- ms of one operation, and (if check_sql) the wrong rows it left; always
-- rolled back.
CREATE FUNCTION bench.w8_time(stmts text[], repeats int, scale int, check_sql text,
                              OUT ms float8, OUT wrong bigint)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    s text;
BEGIN
    BEGIN
        t0 := clock_timestamp();
        FOR i IN 1..repeats LOOP
            FOREACH s IN ARRAY stmts LOOP
                IF strpos(s, '$1') > 0 THEN EXECUTE s USING i; ELSE EXECUTE s; END IF;
            END LOOP;
        END LOOP;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000 / repeats * scale;
        IF check_sql IS NOT NULL THEN
            EXECUTE check_sql INTO wrong;
        END IF;
        RAISE SQLSTATE 'W8RBK';
    EXCEPTION WHEN SQLSTATE 'W8RBK' THEN
        NULL;
    END;
END $$;

CREATE FUNCTION bench.w8_run(run_schema name, run_round int, checking boolean)
RETURNS TABLE (contender text, ms float8, wrong bigint)
LANGUAGE plpgsql AS $$
DECLARE
    o bench.w8_ops;
    r record;
BEGIN
    FOR o IN SELECT * FROM bench.w8_ops WHERE schema = run_schema ORDER BY ord, contender LOOP
        r := bench.w8_time(o.stmts, o.repeats, o.scale, CASE WHEN checking THEN o.check_sql END);
        contender := o.contender || ':' || o.op;
        ms := r.ms;
        wrong := r.wrong;
        INSERT INTO bench.results (workload, contender, round, metric, value)
        VALUES ('W8', contender, run_round, 'seconds', ms / 1000);
        RETURN NEXT;
    END LOOP;
END $$;

\o
VACUUM ANALYZE plain.make, plain.model, plain.trim, plain.vehicle_search,
    maintained.make, maintained.model, maintained.trim, maintained.vehicle_search,
    plpgsql.make, plpgsql.model, plpgsql.trim, plpgsql.vehicle_search,
    byhand.make, byhand.model, byhand.trim, byhand.vehicle_search;
SELECT (SELECT count(*) FROM maintained.vehicle_search) AS search_rows,
       (SELECT count(*) FROM maintained.vehicle_search WHERE make_id = 1) AS make_1_rows,
       check_search_table('maintained.vehicle_search') AS wrong_rows,
       (SELECT count(*) FROM plpgsql.vehicle_search) AS plpgsql_rows;
