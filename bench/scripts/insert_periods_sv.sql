-- W1 for periods_sv: insert.sql's new version as an UPDATE of the key's row;
-- periods' trigger copies the old row into orders_history.
\set id random(1, :keys)
\set market_id :id % :markets
\set party_id :id % :parties
\set side 1 + :id % 2
\set price random(1000, 100999)
UPDATE orders SET vega_time = clock_timestamp(), market_id = :market_id, party_id = :party_id, side = :side, price = :price, size = 10, remaining = 10, status = 1, reference = 'ref-' || :id WHERE id = :id;
