-- search() and search_headlines(): every option gives what the equivalent
-- raw SQL query over the search table gives.  Each rule compares the two
-- (EXCEPT ALL both ways: missing and extra rows, then the order), on the
-- vehicle data of 20_search_basic (make -> model (new or certified) -> trim).
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
    (12, 1, 'Corolla Cross', 'new', 2022),
    (20, 2, 'Civic', 'new', 2021), (21, 2, 'Accord', 'certified', 2017),
    (30, 3, 'Focus', 'new', 2019), (40, 3, 'Mustang', 'certified', 2016);
INSERT INTO trim VALUES
    (100, 10, 'LE sedan', '{fast,economy}', false, 20000),
    (101, 10, 'XSE hatchback', NULL, true, 25000),
    (102, 10, 'Hybrid', '{green}', false, 27000),
    (120, 12, 'L hybrid', '{green,suv}', true, 29000),
    (121, 12, 'XLE hybrid', '{green,suv,sunroof}', true, 33000),
    (200, 20, 'Sport', '{red,blue}', NULL, 24000),
    (201, 20, 'Sport hybrid', '{red}', NULL, 28000),
    (300, 30, 'Titanium', '{}', true, 22000),
    (400, 40, 'GT', '{v8}', false, 40000),
    (401, 40, 'EcoBoost', NULL, NULL, 30000);
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name,year}', '{A,b}');
SELECT register_search_document('trim', '{name,tags,awd}', document_column => 'doc');
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');

-- The raw query: the GIN match, ts_rank (or ts_rank_cd) with the given
-- weights and normalization, rank descending then the search columns.
CREATE FUNCTION raw_search(q tsquery, max_rows int DEFAULT 20, cd boolean DEFAULT false,
                           weights real[] DEFAULT NULL, norm int DEFAULT 0)
RETURNS TABLE (source_table regclass, source_key text, rank real, keys jsonb)
LANGUAGE sql AS $$
    SELECT CASE WHEN trim_id IS NOT NULL THEN 'trim'::regclass ELSE 'model'::regclass END,
           coalesce(trim_id, model_id)::text, r,
           jsonb_strip_nulls(jsonb_build_object('trim_id', trim_id, 'model_id', model_id,
                                                'make_id', make_id))
    FROM (SELECT s.*,
                 CASE WHEN cd AND weights IS NULL THEN ts_rank_cd(document, q, norm)
                      WHEN cd THEN ts_rank_cd(weights, document, q, norm)
                      WHEN weights IS NULL THEN ts_rank(document, q, norm)
                      ELSE ts_rank(weights, document, q, norm) END AS r
          FROM vehicle_search s WHERE document @@ q) s
    ORDER BY r DESC, trim_id, model_id, make_id LIMIT max_rows $$;

-- rows: how many the raw query gives; missing, extra: rows of one query
-- only; same_order: both list the same rows in the same order.
CREATE FUNCTION compare(got text, want text,
                        OUT rows bigint, OUT missing bigint, OUT extra bigint, OUT same_order boolean)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT count(*) FROM (%s) w', want) INTO rows;
    EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) d', want, got) INTO missing;
    EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) d', got, want) INTO extra;
    EXECUTE format('SELECT ARRAY(SELECT g::text FROM (%s) g) = ARRAY(SELECT w::text FROM (%s) w)',
                   got, want) INTO same_order;
END $$;

-- The SQLSTATE and message of a failing statement.
CREATE FUNCTION error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Query modes: websearch (the default), plain, phrase, raw (to_tsquery).
SELECT 'websearch is the default' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota hybrid')$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'toyota hybrid'))$$);
SELECT 'websearch: or, quotes, minus' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', '"corolla cross" or sport -red', mode => 'websearch')$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', '"corolla cross" or sport -red'))$$);
SELECT 'plain ands the words' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'hybrid green -suv', mode => 'plain')$$,
    $$SELECT * FROM raw_search(plainto_tsquery('english', 'hybrid green -suv'))$$);
SELECT 'phrase keeps the order' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'corolla cross', mode => 'phrase')$$,
    $$SELECT * FROM raw_search(phraseto_tsquery('english', 'corolla cross'))$$);
SELECT 'raw takes tsquery syntax' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota & !(hybrid | sedan) | ecob:*', mode => 'raw')$$,
    $$SELECT * FROM raw_search(to_tsquery('english', 'toyota & !(hybrid | sedan) | ecob:*'))$$);
SELECT * FROM search('vehicle_search', 'cross', mode => 'phrase');

-- Search as you type: the last word is a prefix, in every mode.
SELECT 'prefix: last word' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota hybr', prefix => true)$$,
    $$SELECT * FROM raw_search(to_tsquery('english', 'toyota & hybr:*'))$$);
SELECT 'prefix: phrase' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'corolla cr', mode => 'phrase', prefix => true)$$,
    $$SELECT * FROM raw_search(to_tsquery('english', 'corolla <-> cr:*'))$$);
SELECT 'prefix: one word' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'Mus', mode => 'plain', prefix => true)$$,
    $$SELECT * FROM raw_search(to_tsquery('english', 'mus:*'))$$);
SELECT source_key FROM search('vehicle_search', 'toyota hybr', prefix => true);
SELECT count(*) AS without_prefix FROM search('vehicle_search', 'toyota hybr');

-- Ranking: ts_rank_cd, normalization, weights (D, C, B, A as ts_rank takes them).
SELECT 'ts_rank_cd' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota hybrid', ranking => 'ts_rank_cd')$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'toyota hybrid'), cd => true)$$);
SELECT 'normalization' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'hybrid', normalization => 1|4)$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'hybrid'), norm => 1|4)$$);
SELECT 'weights' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota or hybrid', weights => '{0.05,0.1,1,0.2}')$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'toyota or hybrid'), weights => '{0.05,0.1,1,0.2}')$$);
SELECT 'ts_rank_cd, weights, normalization' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota or hybrid', ranking => 'ts_rank_cd',
                           weights => '{0.05,0.1,1,0.2}', normalization => 32)$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'toyota or hybrid'), cd => true,
                               weights => '{0.05,0.1,1,0.2}', norm => 32)$$);
-- The weights change the order: with make words (C) weighing most, a
-- Toyota that is no hybrid (100) overtakes the Honda hybrid (201).
SELECT source_key, rank FROM search('vehicle_search', 'toyota or hybrid', 4);
SELECT source_key, rank FROM search('vehicle_search', 'toyota or hybrid', 4, weights => '{0,1,0,0.1}');

-- max_rows limits after ranking; NULL gives every row.
SELECT 'max_rows' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'green or ford', 2)$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'green or ford'), 2)$$);
SELECT 'max_rows null' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota or honda or ford', NULL)$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'toyota or honda or ford'), NULL)$$);
-- A configuration other than the document's.
SELECT 'config' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'hybrid or the', config => 'simple')$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('simple', 'hybrid or the'))$$);
SELECT (SELECT count(*) FROM search('vehicle_search', 'the hybrid')) AS english,
       (SELECT count(*) FROM search('vehicle_search', 'the hybrid', config => 'simple')) AS simple;

-- Keyset pagination: pages of 3 rows, each after the last row of the one
-- before, give the whole ranked list (with ties of rank) in order.
CREATE FUNCTION all_pages(query text, page int, ranking text DEFAULT 'ts_rank')
RETURNS TABLE (source_table regclass, source_key text, rank real, keys jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    after_r real;
    after_k jsonb;
    n int;
BEGIN
    LOOP
        n := 0;
        FOR source_table, source_key, rank, keys IN
            SELECT * FROM search('vehicle_search', query, page, ranking => ranking,
                                 after_rank => after_r, after_keys => after_k) LOOP
            after_r := rank;
            after_k := keys;
            n := n + 1;
            RETURN NEXT;
        END LOOP;
        EXIT WHEN n < page;
    END LOOP;
END $$;
SELECT 'keyset pages' AS rule, * FROM compare(
    $$SELECT * FROM all_pages('toyota or honda or ford or hybrid', 3)$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'toyota or honda or ford or hybrid'), NULL)$$);
SELECT 'keyset pages, ts_rank_cd' AS rule, * FROM compare(
    $$SELECT * FROM all_pages('hybrid or green or sport', 2, 'ts_rank_cd')$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'hybrid or green or sport'), NULL, cd => true)$$);
SELECT count(DISTINCT rank) AS ranks, count(*) AS results
FROM raw_search(websearch_to_tsquery('english', 'toyota or honda or ford or hybrid'), NULL);

-- Headlines over a column of the row's source table (or of the search
-- table), with ts_headline's options.
SELECT 'headline of the source row' AS rule, * FROM compare(
    $$SELECT * FROM search_headlines('vehicle_search', 'hybrid', 'name',
                                     headline_options => 'StartSel=<<, StopSel=>>')$$,
    $$SELECT r.*, ts_headline('english', t.name::text, websearch_to_tsquery('english', 'hybrid'),
                              'StartSel=<<, StopSel=>>')
      FROM raw_search(websearch_to_tsquery('english', 'hybrid')) r
      JOIN trim t ON t.id = r.source_key::bigint$$);
SELECT source_key, headline FROM search_headlines('vehicle_search', 'hybrid', 'name', 2);
SELECT 'headline of a search column' AS rule, * FROM compare(
    $$SELECT * FROM search_headlines('vehicle_search', 'ford', 'make_id', 1)$$,
    $$SELECT r.*, ts_headline('english', (r.keys->>'make_id'), websearch_to_tsquery('english', 'ford'))
      FROM raw_search(websearch_to_tsquery('english', 'ford'), 1) r$$);

-- A source added later is seen by the next call (its statement is rebuilt):
-- certified models, with their own headline column.
SELECT count(*) AS before_model_source FROM search('vehicle_search', 'accord');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', $$type = 'certified'$$);
SELECT * FROM search('vehicle_search', 'accord');
SELECT 'sources: trims and models' AS rule, * FROM compare(
    $$SELECT * FROM search('vehicle_search', 'toyota or mustang', NULL)$$,
    $$SELECT * FROM raw_search(websearch_to_tsquery('english', 'toyota or mustang'), NULL)$$);
SELECT 'headline: each source its own table' AS rule, * FROM compare(
    $$SELECT * FROM search_headlines('vehicle_search', 'camry or mustang', 'name', NULL)$$,
    $$SELECT r.*, ts_headline('english', coalesce(t.name::text, m.name),
                              websearch_to_tsquery('english', 'camry or mustang'))
      FROM raw_search(websearch_to_tsquery('english', 'camry or mustang'), NULL) r
      LEFT JOIN trim t ON r.source_table = 'trim'::regclass AND t.id = r.source_key::bigint
      LEFT JOIN model m ON r.source_table = 'model'::regclass AND m.id = r.source_key::int$$);
-- tags: a column of trim only; the model rows get no headline.
SELECT source_table, source_key, headline
FROM search_headlines('vehicle_search', 'camry or ford', 'tags', NULL) ORDER BY 1, 2;

-- search_path cannot redirect the statement: look-alike functions and
-- operators in a schema searched before pg_catalog.
CREATE SCHEMA evil;
CREATE FUNCTION evil.match(tsvector, tsquery) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.@@ (LEFTARG = tsvector, RIGHTARG = tsquery, FUNCTION = evil.match);
CREATE FUNCTION evil.ts_rank(real[], tsvector, tsquery, integer) RETURNS real LANGUAGE sql AS 'SELECT 1::real';
CREATE FUNCTION evil.jsonb_strip_nulls(jsonb) RETURNS jsonb LANGUAGE sql AS $$SELECT '{}'::jsonb$$;
CREATE TABLE results AS SELECT * FROM search('vehicle_search', 'toyota or ford', NULL);
SET search_path = evil, pg_catalog, public;
SELECT 'search_path' AS rule, * FROM public.compare(
    $$SELECT * FROM public.search('public.vehicle_search', 'toyota or ford', NULL)$$,
    $$SELECT * FROM public.results$$);
RESET search_path;
DROP SCHEMA evil CASCADE;

-- Keys of any type are written as to_jsonb writes them: uuid, text, date.
CREATE TABLE batch (day date PRIMARY KEY, note text);
CREATE TABLE tag (code text PRIMARY KEY, batch_day date REFERENCES batch, label text);
CREATE TABLE part (id uuid PRIMARY KEY, tag_code text REFERENCES tag, name text);
INSERT INTO batch VALUES ('2016-05-01', 'spring batch');
INSERT INTO tag VALUES ('brk', '2016-05-01', 'brakes'), ('whl', NULL, 'wheels');
INSERT INTO part VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'brk', 'front brake pad'),
                        ('b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22', 'whl', 'spring wheel'),
                        ('c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33', NULL, 'spring');
SELECT register_search_document('batch', '{note}');
SELECT register_search_document('tag', '{label}');
SELECT register_search_document('part', '{name}');
SELECT add_search_source('part_search', 'part', '{tag_code,batch_day}');
SELECT 'keys of other types' AS rule, * FROM compare(
    $$SELECT * FROM search('part_search', 'spring or brake', NULL)$$,
    $$SELECT 'part'::regclass, part_id::text, ts_rank(document, q),
             jsonb_strip_nulls(to_jsonb(s) - 'document')
      FROM part_search s, websearch_to_tsquery('english', 'spring or brake') q
      WHERE document @@ q ORDER BY 3 DESC, part_id, tag_code, batch_day$$);
SELECT keys FROM search('part_search', 'brake');
SELECT drop_search_table('part_search');
DROP TABLE part, tag, batch;

-- Errors: each with its SQLSTATE.
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', mode => 'fuzzy')$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', ranking => 'bm25')$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', weights => '{0.1,0.2,0.4}')$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', weights => '{0.1,0.2,0.4,NULL}')$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', weights => '{0.1,0.2,0.4,1.5}')$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', weights => '{{0.1,0.2},{0.4,1}}')$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', normalization => 64)$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', after_rank => 0.1)$$);
SELECT error_of($$SELECT * FROM search('vehicle_search', 'x', mode => NULL)$$);
SELECT error_of($$SELECT * FROM search_headlines('vehicle_search', 'x', 'nope')$$);
SELECT error_of($$SELECT * FROM search_headlines('vehicle_search', 'x', 'document')$$);
SELECT error_of($$SELECT * FROM search_headlines('vehicle_search', 'x', NULL)$$);
SELECT error_of($$SELECT * FROM search('make', 'x')$$);
SELECT error_of($$SELECT * FROM search(NULL, 'x')$$);
SELECT count(*) AS null_query_rows FROM search('vehicle_search', NULL);

SELECT drop_search_table('vehicle_search');
SELECT error_of($$SELECT * FROM search('make', 'toyota')$$);
DROP TABLE results;
DROP FUNCTION all_pages, raw_search, compare, error_of;
DROP TABLE trim, model, make CASCADE;
DROP TYPE model_type;
