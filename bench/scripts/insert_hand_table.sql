-- W1, W4 for hand_table: insert.sql's new version, and the key's row of the
-- current table written by hand in the same statement.
\set id random(1, :keys)
\set market_id :id % :markets
\set party_id :id % :parties
\set side 1 + :id % 2
\set price random(1000, 100999)
WITH h AS (INSERT INTO orders (id, vega_time, market_id, party_id, side, price, size, remaining, status, reference) VALUES (:id, clock_timestamp(), :market_id, :party_id, :side, :price, 10, 10, 1, 'ref-' || :id) RETURNING *) INSERT INTO orders_current SELECT * FROM h ON CONFLICT (id) DO UPDATE SET vega_time = EXCLUDED.vega_time, market_id = EXCLUDED.market_id, party_id = EXCLUDED.party_id, side = EXCLUDED.side, price = EXCLUDED.price, size = EXCLUDED.size, remaining = EXCLUDED.remaining, status = EXCLUDED.status, reference = EXCLUDED.reference WHERE orders_current.vega_time <= EXCLUDED.vega_time;
