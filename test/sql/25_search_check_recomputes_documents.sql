-- check_search_table recomputes every document from its columns: it counts
-- a stored document that is not what its columns give, and search rows built
-- from such a document, which a comparison with the stored documents misses.
CREATE TABLE chk_make (id int PRIMARY KEY, name text);
CREATE TABLE chk_model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES chk_make, name text, tags text[]);
SELECT register_search_document('chk_make', '{name}');
SELECT register_search_document('chk_model', '{name,tags}', '{A,NULL}');
INSERT INTO chk_make VALUES (1, 'Toyota'), (2, 'Honda');
INSERT INTO chk_model VALUES (10, 1, 'Corolla', '{hybrid}'), (11, 1, 'Camry', NULL), (20, 2, 'Civic', '{}');
SELECT add_search_source('chk_search', 'chk_model', '{make_id}');
SELECT check_search_table('chk_search');
SET client_min_messages = warning;   -- rebuilds report their timings
-- Change a stored document behind the triggers' back (as a replication
-- apply worker could), then check.
CREATE FUNCTION tamper(tbl regclass, row_id int) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('session_replication_role', 'replica', true);
    EXECUTE format('UPDATE %s SET search_document = ''tampered'' WHERE id = $1', tbl) USING row_id;
    PERFORM set_config('session_replication_role', 'origin', true);
    RETURN check_search_table('chk_search');
END
$$;

-- A stored document tampered: the search rows are still right, the document
-- is not.
SELECT tamper('chk_model', 11);
-- A rebuild copies the stored documents: the search row is now as wrong as
-- the document, and counted (one missing row, one extra).
CALL rebuild_search_table('chk_search');
SELECT check_search_table('chk_search');
-- Writing the document column rebuilds it; the triggers refresh the row.
UPDATE chk_model SET search_document = NULL WHERE id = 11;
SELECT check_search_table('chk_search');

-- A parent's stored document tampered: counted once for the make, and the
-- search rows of its models once the rebuild copied it.
SELECT tamper('chk_make', 1);
CALL rebuild_search_table('chk_search');
SELECT check_search_table('chk_search');
-- An UPDATE that changes no source column keeps the document; writing the
-- document column rebuilds it, and the cascade refreshes the models' rows.
UPDATE chk_make SET name = name WHERE id = 1;
SELECT check_search_table('chk_search');
UPDATE chk_make SET search_document = NULL WHERE id = 1;
SELECT check_search_table('chk_search');

-- A search row's document tampered directly: one missing row, one extra.
UPDATE chk_search SET document = document || 'extra' WHERE chk_model_id = 20;
SELECT check_search_table('chk_search');
CALL rebuild_search_table('chk_search');
SELECT check_search_table('chk_search');

RESET client_min_messages;
DROP FUNCTION tamper(regclass, int);
SELECT drop_search_table('chk_search');
DROP TABLE chk_model, chk_make;
