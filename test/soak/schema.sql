-- Schema shared by the soak, crash and dump/restore tests (test/t/*.pl) and
-- by the long soak (test/soak/run.sh): versioned tables (plain, partitioned,
-- registered without backfill then rebuilt) and a search table over a
-- make -> model -> trim chain.  Run in a database with current_view.
CREATE TABLE events (id int NOT NULL, v int NOT NULL, seq bigserial, payload text, account int);
INSERT INTO events (id, v, payload, account)
SELECT i % 50, i, 'p' || i, i % 7 FROM generate_series(1, 2000) i;
SELECT register_versioned_table('events', '{id}', '{v,seq}', current_indexes => '{account}');

-- Partitioned by version range: an update of v may move a row across partitions.
CREATE TABLE ticks (id int NOT NULL, v int NOT NULL, note text) PARTITION BY RANGE (v);
CREATE TABLE ticks_low PARTITION OF ticks FOR VALUES FROM (MINVALUE) TO (500);
CREATE TABLE ticks_high PARTITION OF ticks FOR VALUES FROM (500) TO (MAXVALUE);
INSERT INTO ticks SELECT i % 40, (i * 7) % 1000, 'n' || i FROM generate_series(1, 2000) i;
SELECT register_versioned_table('ticks', '{id}', '{v}');

-- Written only through its view: each update appends one version and adds
-- one to n, so n equals the number of versions minus one unless an update
-- was lost.  The primary key includes the version.
CREATE TABLE counters (id int, v int, n int NOT NULL, PRIMARY KEY (id, v));
INSERT INTO counters SELECT i, 1, 0 FROM generate_series(0, 4) i;
SELECT register_versioned_table('counters', '{id}', '{v}');

-- A big live table registered without a long lock: no backfill; the tests
-- rebuild it in batches while writers run.
CREATE TABLE bulk (id int NOT NULL, v int NOT NULL, note text);
INSERT INTO bulk SELECT i % 500, i, 'b' || i FROM generate_series(1, 20000) i;
SELECT register_versioned_table('bulk', '{id}', '{v}', backfill => false);

CREATE TABLE make (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES make,
                    name text NOT NULL, certified boolean NOT NULL DEFAULT false);
CREATE TABLE trim (id int PRIMARY KEY, model_id int NOT NULL REFERENCES model ON DELETE CASCADE,
                   name text NOT NULL);
INSERT INTO make SELECT i, 'make' || i FROM generate_series(1, 5) i;
INSERT INTO model SELECT i, 1 + i % 5, 'model' || i, i % 3 = 0 FROM generate_series(1, 30) i;
INSERT INTO trim SELECT i, 1 + i % 30, 'trim' || i FROM generate_series(1, 300) i;
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name}');
SELECT register_search_document('trim', '{name}');
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', 'certified');
