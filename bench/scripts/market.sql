-- W3 (and 45% of W6): the current rows of one market, a column outside the key.
\set market random(0, :markets - 1)
SELECT * FROM orders_current WHERE market_id = :market;
