-- Stored generated columns as document sources: PostgreSQL computes them
-- after the BEFORE triggers, yet the document has their new value on INSERT
-- and on UPDATE, and so do the search rows built from it.
CREATE TABLE gen_make (id int PRIMARY KEY, name text,
                       label text GENERATED ALWAYS AS (upper(name) || ' motors') STORED);
CREATE TABLE gen_model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES gen_make, name text,
                        year int, era text GENERATED ALWAYS AS ('year' || (year / 10 * 10)::text) STORED);
SELECT register_search_document('gen_make', '{label}');
SELECT register_search_document('gen_model', '{name,era}', '{A,B}');
INSERT INTO gen_make (id, name) VALUES (1, 'toyota');
INSERT INTO gen_model (id, make_id, name, year) VALUES (10, 1, 'corolla', 1995);
SELECT add_search_source('gen_search', 'gen_model', '{make_id}');

-- The documents, against the columns as stored after generation.
CREATE VIEW gen_state AS
SELECT (SELECT count(*) FROM gen_make
        WHERE search_document IS DISTINCT FROM to_tsvector(coalesce(label, ''))) AS wrong_make_docs,
       (SELECT count(*) FROM gen_model
        WHERE search_document IS DISTINCT FROM setweight(to_tsvector(coalesce(name, '')), 'A')
                                              || setweight(to_tsvector(coalesce(era, '')), 'B')) AS wrong_model_docs,
       check_search_table('gen_search') AS checked;
SELECT search_document FROM gen_model;
SELECT * FROM gen_state;

-- UPDATE of a base column: the generated column's new value.
UPDATE gen_model SET year = 2004 WHERE id = 10;
UPDATE gen_make SET name = 'lexus' WHERE id = 1;
SELECT era, search_document FROM gen_model;
SELECT document FROM gen_search;
SELECT * FROM gen_state;
-- An UPDATE that changes neither the base columns nor the generated value
-- leaves the document as it is (a year of the same decade).
UPDATE gen_model SET year = 2007 WHERE id = 10;
SELECT era, search_document FROM gen_model;
-- Rows inserted after a BEFORE trigger of the user's changed a base column.
CREATE FUNCTION gen_model_default_year() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.year := coalesce(NEW.year, 1960);
    RETURN NEW;
END
$$;
CREATE TRIGGER gen_model_default_year BEFORE INSERT OR UPDATE ON gen_model
    FOR EACH ROW EXECUTE FUNCTION gen_model_default_year();
INSERT INTO gen_model (id, make_id, name) VALUES (11, 1, 'crown');
UPDATE gen_model SET year = NULL WHERE id = 10;
SELECT id, era, search_document FROM gen_model ORDER BY id;
SELECT * FROM gen_state;

-- A generated column cannot be the document column.
CREATE TABLE gen_doc (id int PRIMARY KEY, name text,
                      doc tsvector GENERATED ALWAYS AS (to_tsvector('english', name)) STORED);
SELECT expect_error($$SELECT register_search_document('gen_doc', '{name}', document_column => 'doc')$$);

DROP VIEW gen_state;
SELECT drop_search_table('gen_search');
DROP TABLE gen_doc, gen_model, gen_make;
DROP FUNCTION gen_model_default_year();
