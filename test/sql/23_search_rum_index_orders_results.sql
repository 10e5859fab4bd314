-- Rule: set_search_index switches a search table's document index between
-- GIN and RUM, and search(..., ranking => 'rum') returns the matches in
-- the RUM index's order of relevance, the same rows as ranking them all by
-- RUM's score; without a RUM index, or without the rum extension, it fails
-- clearly and changes nothing.
SELECT NOT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'rum') AS no_rum \gset
\if :no_rum
\echo 'skipped: rum is not installed (Debian package postgresql-15-rum)'
\quit
\endif
CREATE TABLE brand (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE product (id int PRIMARY KEY, brand_id int NOT NULL REFERENCES brand, name text NOT NULL);
INSERT INTO brand SELECT i, 'brand' || i || ' maker' FROM generate_series(1, 5) i;
INSERT INTO product SELECT i, 1 + i % 5,
       'product' || i || repeat(' red', i % 4) || repeat(' blue', i % 3) || ' thing'
FROM generate_series(1, 300) i;
SELECT register_search_document('brand', '{name}');
SELECT register_search_document('product', '{name}');
SELECT add_search_source('product_search', 'product', '{brand_id}');

-- Without the extension: a clear error, the GIN index kept.
SELECT expect_error($$SELECT set_search_index('product_search', 'rum')$$);
SELECT expect_error($$SELECT * FROM search('product_search', 'red', ranking => 'rum')$$);
SELECT expect_error($$SELECT set_search_index('product_search', 'brin')$$);
SELECT indexdef FROM pg_indexes WHERE indexname = 'product_search_document';

CREATE SCHEMA rum_ext;
CREATE EXTENSION rum SCHEMA rum_ext;
SELECT set_search_index('product_search', 'rum');
SELECT indexdef FROM pg_indexes WHERE indexname = 'product_search_document';

-- The RUM order is RUM's score, descending: every match when unlimited,
-- and for the top 10 the 10 best scores (rows of equal score come in the
-- index's order).
CREATE FUNCTION rum_oracle(q text) RETURNS TABLE (product_id int, brand_id int, score real)
LANGUAGE sql AS $$
    SELECT product_id, brand_id, rum_ext.rum_ts_score(document, websearch_to_tsquery('english', q))
    FROM product_search WHERE document @@ websearch_to_tsquery('english', q)
$$;
SELECT q, (SELECT count(*) FROM (
              (SELECT (keys->>'product_id')::int, (keys->>'brand_id')::int, rank
               FROM search('product_search', q, NULL, ranking => 'rum')
               EXCEPT ALL SELECT * FROM rum_oracle(q))
              UNION ALL
              (SELECT * FROM rum_oracle(q)
               EXCEPT ALL SELECT (keys->>'product_id')::int, (keys->>'brand_id')::int, rank
               FROM search('product_search', q, NULL, ranking => 'rum'))) d) AS differences,
          (SELECT array_agg(rank ORDER BY rank DESC) FROM search('product_search', q, 10, ranking => 'rum'))
          = (SELECT array_agg(score ORDER BY score DESC) FROM (SELECT score FROM rum_oracle(q) ORDER BY score DESC LIMIT 10) o)
          AS top_10_scores
FROM unnest(ARRAY['red', 'red blue', 'thing', 'maker', 'product7']) q;
-- Scores never increase down the list.
SELECT bool_and(rank <= prev) AS ordered
FROM (SELECT rank, lag(rank, 1, 'Infinity') OVER (ORDER BY ord) AS prev
      FROM search('product_search', 'red blue', 50, ranking => 'rum') WITH ORDINALITY AS s(st, sk, rank, keys, ord)) r;
SELECT source_table, source_key FROM search('product_search', 'brand3', 1, ranking => 'rum');
-- What RUM's order cannot give.
SELECT expect_error($$SELECT * FROM search('product_search', 'red', ranking => 'rum', weights => '{0.1,0.2,0.4,1}')$$);
SELECT expect_error($$SELECT * FROM search('product_search', 'red', ranking => 'rum', normalization => 1)$$);
SELECT expect_error($$SELECT * FROM search('product_search', 'red', ranking => 'rum', after_rank => 0.1, after_keys => '{}')$$);
-- The other rankings still work with a RUM index (it answers @@ too).
SELECT count(*) FROM search('product_search', 'red', 1000);
-- Maintenance writes through the RUM index.
UPDATE product SET name = 'product1 green' WHERE id = 1;
SELECT source_key FROM search('product_search', 'green', ranking => 'rum');
SELECT check_search_table('product_search');

-- Back to GIN; a non-owner may not switch.
SELECT set_search_index('product_search', 'gin');
SELECT indexdef FROM pg_indexes WHERE indexname = 'product_search_document';
SELECT expect_error($$SELECT * FROM search('product_search', 'red', ranking => 'rum')$$);
CREATE ROLE rum_stranger;
SET ROLE rum_stranger;
SELECT expect_error($$SELECT set_search_index('product_search', 'rum')$$);
RESET ROLE;
DROP ROLE rum_stranger;

SELECT drop_search_table('product_search');
SELECT unregister_search_document('product');
SELECT unregister_search_document('brand');
DROP FUNCTION rum_oracle(text);
DROP TABLE product, brand;
DROP EXTENSION rum;
DROP SCHEMA rum_ext;
