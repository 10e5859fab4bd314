-- W1, W4 for hand_flag: insert.sql's new version with the demotion of the
-- key's current row written by hand, one statement.  The demoted count forces
-- the UPDATE to run before the INSERT (a data-modifying CTE nobody reads runs
-- after the main statement, and the unique (id) WHERE current would fail).
\set id random(1, :keys)
\set market_id :id % :markets
\set party_id :id % :parties
\set side 1 + :id % 2
\set price random(1000, 100999)
WITH d AS (UPDATE orders SET current = false WHERE id = :id AND current RETURNING 1) INSERT INTO orders (id, vega_time, market_id, party_id, side, price, size, remaining, status, reference, current) SELECT :id, clock_timestamp(), :market_id, :party_id, :side, :price, 10, 10, 1, 'ref-' || :id, true FROM (SELECT count(*) FROM d) AS demoted;
