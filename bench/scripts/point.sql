-- W5 (and 45% of W6): the current row of one key.
\set id random(1, :keys)
SELECT * FROM orders_current WHERE id = :id;
