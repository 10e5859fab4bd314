-- pgbench script: random out-of-order versions, updates and deletes on a
-- small hot key set, updates through the views, and parent document updates, in single-statement
-- transactions (READ COMMITTED: writers of a key wait for each other).
\set key random(0, 19)
\set ver random(1, 3000)
\set model random(1, 30)
\set make random(1, 5)
\set trimid random(1, 400)
\set op random(1, 16)
INSERT INTO events (id, v, payload, account) VALUES (:key, :ver, 'w', :ver % 7);
INSERT INTO ticks VALUES (:key, :ver % 1000, 'w');
INSERT INTO bulk VALUES (:key * 25, :ver + 20000, 'w');
\if :op = 1
DELETE FROM events WHERE id = :key AND v = (SELECT max(v) FROM events WHERE id = :key);
\elif :op = 2
UPDATE events SET v = :ver WHERE seq = (SELECT min(seq) FROM events WHERE id = :key);
\elif :op = 3
UPDATE ticks SET v = (:ver * 3) % 1000 WHERE ctid = (SELECT ctid FROM ticks_low WHERE id = :key LIMIT 1);
\elif :op = 4
DELETE FROM ticks WHERE id = :key AND v = (SELECT max(v) FROM ticks WHERE id = :key);
\elif :op = 5
UPDATE events SET id = (:key + 1) % 20 WHERE seq = (SELECT max(seq) FROM events WHERE id = :key);
\elif :op = 6
UPDATE model SET name = 'model' || :model || ' v' || :ver WHERE id = :model;
\elif :op = 7
UPDATE make SET name = 'make' || :make || ' r' || :ver WHERE id = :make;
\elif :op = 8
UPDATE trim SET model_id = :model WHERE id = :trimid;
\elif :op = 9
UPDATE model SET certified = NOT certified WHERE id = :model;
\elif :op = 10
INSERT INTO trim VALUES (:trimid, :model, 'trim' || :ver) ON CONFLICT (id) DO UPDATE SET name = excluded.name;
\elif :op = 11
DELETE FROM trim WHERE id = :trimid;
\elif :op = 12
UPDATE model SET make_id = :make WHERE id = :model;
\elif :op = 13
DELETE FROM bulk WHERE id = :key * 25 AND v = (SELECT max(v) FROM bulk WHERE id = :key * 25);
\elif :op = 14
UPDATE counters_current SET n = n + 1 WHERE id = :key % 5;
\elif :op = 15
UPDATE ticks_current SET note = 'view ' || :ver WHERE id = :key;
\endif
