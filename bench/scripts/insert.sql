-- W1, W4 (and 10% of W6): one new version of a random key.
\set id random(1, :keys)
\set market_id :id % :markets
\set party_id :id % :parties
\set side 1 + :id % 2
\set price random(1000, 100999)
INSERT INTO orders (id, vega_time, market_id, party_id, side, price, size, remaining, status, reference)
VALUES (:id, clock_timestamp(), :market_id, :party_id, :side, :price, 10, 10, 1, 'ref-' || :id);
