-- INSERT ... ON CONFLICT: BEFORE triggers run before the conflict check, so a
-- row that claimed the current flag may then be skipped or turned into an
-- UPDATE of another row.  Every key must still have its current row.
CREATE TABLE feed (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('feed', '{id}', '{v}');
INSERT INTO feed VALUES (1, 1, 'a'), (1, 2, 'b');

-- Idempotent replays of the current version are skipped; it stays current.
INSERT INTO feed VALUES (1, 2, 'b again') ON CONFLICT DO NOTHING;
SELECT * FROM feed_current;
-- An upsert of the current version updates it in place.
INSERT INTO feed VALUES (1, 2, 'b fixed') ON CONFLICT (id, v) DO UPDATE SET note = excluded.note;
SELECT * FROM feed_current;
-- A batch mixing a new version and a replay.
INSERT INTO feed VALUES (1, 3, 'c'), (1, 2, 'dup'), (2, 1, 'new key') ON CONFLICT DO NOTHING;
SELECT * FROM feed_current ORDER BY id;

-- A newer version skipped because of another unique index: the key keeps
-- the row that was current (the new row had demoted it before the check).
CREATE UNIQUE INDEX feed_note ON feed (note);
INSERT INTO feed VALUES (1, 9, 'a') ON CONFLICT DO NOTHING;
SELECT * FROM feed_current ORDER BY id;
INSERT INTO feed VALUES (1, 9, 'a') ON CONFLICT (note) DO UPDATE SET note = 'a, renamed';
SELECT id, v, note, current FROM feed ORDER BY id, v;
-- ... also through a data-modifying WITH and inside a function.
WITH w AS (INSERT INTO feed VALUES (2, 5, 'b fixed') ON CONFLICT DO NOTHING RETURNING *)
SELECT count(*) AS inserted FROM w;
CREATE FUNCTION feed_replay() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feed VALUES (2, 6, 'c') ON CONFLICT DO NOTHING;
END
$$;
SELECT feed_replay();
SELECT * FROM feed_current ORDER BY id;
SELECT oracle_diff('feed_current', 'feed', 'id', 'v');
SELECT check_versioned_table('feed');

-- Cached statements follow the table through DDL: a new column, a rename.
ALTER TABLE feed ADD COLUMN extra int;
INSERT INTO feed (id, v, note, extra) VALUES (2, 7, 'after add column', 1);
ALTER TABLE feed RENAME TO feed_renamed;
INSERT INTO feed_renamed (id, v, note, extra) VALUES (2, 8, 'after rename', 2);
DELETE FROM feed_renamed WHERE v = 8;
SELECT id, v, note, extra FROM feed_renamed WHERE current ORDER BY id;
ALTER TABLE feed_renamed RENAME TO feed;
SELECT check_versioned_table('feed');
DROP FUNCTION feed_replay();
