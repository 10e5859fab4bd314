-- Review 5: the statement path keeps the best deferred row of each key in
-- memory until the statement ends.  A bulk load of new keys (one INSERT ...
-- SELECT of tens of millions of rows) must not need much more memory per
-- key than the key itself: the row path needs none, and PostgreSQL has no
-- limit that would stop a backend before the OOM killer does.  Measured
-- from an AFTER STATEMENT trigger, where the rows are still deferred: 20,000
-- narrow rows may take at most 300 bytes each (4 MB), of both strategies.
SET client_min_messages = warning;
CREATE TABLE r5_mem (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('r5_mem', '{id}', '{v}');
CREATE TABLE r5_mem_t (id int, v int, note text, PRIMARY KEY (id, v));
SELECT register_versioned_table('r5_mem_t', '{id}', '{v}', strategy => 'table');
CREATE TABLE r5_deferred_memory (tbl text, bytes bigint);
CREATE FUNCTION r5_measure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO r5_deferred_memory
    SELECT TG_TABLE_NAME, coalesce(sum(total_bytes), 0) FROM pg_backend_memory_contexts
    WHERE name LIKE 'current_view deferred%';
    RETURN NULL;
END
$$;
CREATE TRIGGER zz_measure AFTER INSERT ON r5_mem FOR EACH STATEMENT EXECUTE FUNCTION r5_measure();
CREATE TRIGGER zz_measure AFTER INSERT ON r5_mem_t FOR EACH STATEMENT EXECUTE FUNCTION r5_measure();
SET current_view.statement_path_min_rows = 0;
-- A bound below what 20,000 deferred rows would take.
SET current_view.statement_path_memory = '2MB';
INSERT INTO r5_mem SELECT g, 1, 'x' FROM generate_series(1, 20000) g;
INSERT INTO r5_mem_t SELECT g, 1, 'x' FROM generate_series(1, 20000) g;
RESET current_view.statement_path_min_rows;
RESET current_view.statement_path_memory;
-- The measure saw deferred rows (the path was taken), and few bytes per key.
SELECT tbl, bytes > 0 AS deferred, bytes / 20000 <= 300 AS at_most_300_bytes_per_key
FROM r5_deferred_memory ORDER BY tbl;
SELECT versioned_state('r5_mem') AS flag_state;
DROP TABLE r5_mem, r5_mem_t CASCADE;
DROP TABLE r5_deferred_memory;
DROP FUNCTION r5_measure();
