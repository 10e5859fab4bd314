-- pgbench script of test/t/013_search_concurrent.pl: random writes to a small
-- hot search chain, in READ COMMITTED.
-- Keys of makes and models change sign (id or -id, so one row per number);
-- the rows created meanwhile take numbers from the sequence.  A parent is
-- looked up FOR KEY SHARE, which waits for a concurrent key change and reads
-- the new key (a plain subquery would read the old one, and fail the foreign
-- key).
\set make random(1, 5)
\set model random(1, 20)
\set trimid random(1, 200)
\set op random(0, 11)
\if :op = 0
UPDATE make SET id = -id WHERE id = :make OR id = -:make;
\elif :op = 1
UPDATE model SET id = -id WHERE id = :model OR id = -:model;
\elif :op = 2
BEGIN;
INSERT INTO make VALUES (nextval('ids'), 'new make ' || currval('ids'));
UPDATE model SET make_id = currval('ids') WHERE abs(id) = :model;
COMMIT;
\elif :op = 3
UPDATE model SET make_id = (SELECT id FROM make WHERE abs(id) = :make FOR KEY SHARE) WHERE abs(id) = :model;
\elif :op = 4
UPDATE make SET name = 'make' || :make || ' ' || :trimid WHERE abs(id) = :make;
\elif :op = 5
UPDATE model SET name = 'model' || :model || ' ' || :trimid WHERE abs(id) = :model;
\elif :op = 6
UPDATE model SET certified = NOT certified WHERE abs(id) = :model;
\elif :op = 7
UPDATE trim SET model_id = (SELECT id FROM model WHERE abs(id) = :model FOR KEY SHARE) WHERE id = :trimid;
\elif :op = 8
INSERT INTO trim SELECT :trimid, id, 'trim' || :trimid FROM model WHERE abs(id) = :model FOR KEY SHARE
ON CONFLICT (id) DO UPDATE SET name = excluded.name || ' again';
\elif :op = 9
DELETE FROM trim WHERE id = :trimid;
\elif :op = 10
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
SELECT nextval('ids') AS t, nextval('ids') AS m, nextval('ids') AS k \gset
INSERT INTO trim VALUES (:t, :m, 'early trim');
UPDATE trim SET model_id = :m WHERE id = :trimid;
INSERT INTO model VALUES (:m, :k, 'early model', :t % 2 = 0);
INSERT INTO make VALUES (:k, 'early make');
COMMIT;
\else
UPDATE trim SET name = 'trim' || :trimid || ' ' || :model WHERE id = :trimid;
\endif
