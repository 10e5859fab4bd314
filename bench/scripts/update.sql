-- W9: UPDATE of one key's current row through orders_current, on a hot set
-- of :hot keys so that concurrent clients often update the same key.  With
-- current_view each UPDATE appends a version; on the latest-only table it
-- changes the row in place.  pgbench stops at the first error: a finished
-- run means no update failed (and none was lost: see test/t/003_soak.pl).
\set id random(1, :hot)
UPDATE orders_current SET remaining = remaining - 1 WHERE id = :id;
