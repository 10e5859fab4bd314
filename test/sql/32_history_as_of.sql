-- As-of queries and revert, for each strategy.
CREATE TABLE ledger (id int, at timestamptz, amount numeric,
                     deleted boolean NOT NULL DEFAULT false);
INSERT INTO ledger VALUES
    (1, '2024-01-01', 10, false), (1, '2024-01-02', 11, false), (1, '2024-01-03', 12, false),
    (2, '2024-01-01', 20, false), (2, '2024-01-02', 20, true),
    (3, '2024-01-02', 30, false);
SELECT register_versioned_table('ledger', '{id}', '{at}', strategy => 'table',
                                deleted_column => 'deleted');

-- The whole table at a time: tombstoned keys are absent, keys not yet born too.
SELECT * FROM ledger_as_of('2024-01-01 12:00') ORDER BY id;
SELECT * FROM ledger_as_of('2024-01-02') ORDER BY id;
SELECT * FROM ledger_as_of('2023-01-01') ORDER BY id;
-- One key at a time, and its plan: an index probe of the history.
SELECT * FROM ledger_key_as_of(1, '2024-01-02 12:00');
SELECT * FROM ledger_key_as_of(2, '2024-01-02');
SELECT * FROM ledger_key_as_of(id => 1, at => '2024-01-03');
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM ledger_key_as_of(1, '2024-01-02 12:00');
RESET enable_seqscan;

-- Revert: undo an update (key 1 back to its first amount), then undo a
-- delete (key 2 back to its live version).  Each appends a new version.
SELECT ledger_revert(1, '2024-01-01');
SELECT ledger_revert(2, '2024-01-01');
SELECT id, amount, deleted, at > '2024-01-03' AS appended FROM ledger ORDER BY id, at;
SELECT id, amount FROM ledger_current ORDER BY id;
SELECT check_versioned_table('ledger');
SELECT expect_error($$SELECT ledger_revert(1, '1999-01-01')$$);
SELECT expect_error($$SELECT ledger_revert(42, '2024-01-01')$$);

-- 'flag' and 'view' strategies get the same functions; multi-column keys
-- and versions too.
CREATE TABLE fills (market text, id int, day date, seq int, px numeric);
INSERT INTO fills VALUES ('m', 1, '2024-01-01', 1, 1.0), ('m', 1, '2024-01-01', 2, 1.1),
                         ('m', 1, '2024-01-02', 0, 1.2), ('n', 1, '2024-01-02', 5, 2.0);
SELECT register_versioned_table('fills', '{market, id}', '{day, seq}',
                                next_version => ARRAY['day', 'seq + 1']);
SELECT * FROM fills_as_of('2024-01-01', 5) ORDER BY market;
SELECT * FROM fills_key_as_of('m', 1, '2024-01-01', 1);
SELECT fills_revert('m', 1, '2024-01-01', 1);
SELECT * FROM fills_current ORDER BY market;
SELECT check_versioned_table('fills');
SELECT unregister_versioned_table('fills');
SELECT register_versioned_table('fills', '{market, id}', '{day, seq}', strategy => 'view');
SELECT * FROM fills_key_as_of('m', 1, '2024-01-02', 0);
-- The default next_version of (day, seq): the same day, seq + 1.
SELECT fills_revert('m', 1, '2024-01-01', 2);
SELECT * FROM fills WHERE market = 'm' ORDER BY day DESC, seq DESC LIMIT 2;

-- The functions do not depend on search_path.
CREATE SCHEMA evil3;
CREATE FUNCTION evil3.always(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil3.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil3.always);
CREATE OPERATOR evil3.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil3.always);
SET search_path = evil3, public;
SELECT * FROM ledger_key_as_of(1, '2024-01-02 12:00');
RESET search_path;
DROP SCHEMA evil3 CASCADE;

-- A name taken already: registration fails and leaves nothing behind.
CREATE TABLE taken (id int, v int);
CREATE FUNCTION taken_as_of(v int) RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT expect_error($$SELECT register_versioned_table('taken', '{id}', '{v}', strategy => 'table')$$);
SELECT to_regclass('taken_current'), count(*) FROM versioned_tables WHERE table_name = 'public.taken';
