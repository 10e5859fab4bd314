-- Errors (each changing nothing), identifiers of any shape, search_path
-- independence, and writers with only INSERT/UPDATE privileges.
\set VERBOSITY sqlstate

CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Car ""Make""" ("Make ID" int PRIMARY KEY, "Full Name" text);
CREATE TABLE "My Schema"."car model" (
    "Model ID" int PRIMARY KEY,
    "Make Ref" int REFERENCES "My Schema"."Car ""Make""",
    "Label" text,
    "Kind" text,
    other_make int REFERENCES "My Schema"."Car ""Make""",
    loose int);
INSERT INTO "My Schema"."Car ""Make""" VALUES (1, 'Alfa Romeo'), (2, 'Škoda');
INSERT INTO "My Schema"."car model" VALUES (1, 1, 'Giulia Quadrifoglio', 'sedan', NULL, 1),
    (2, 2, 'Octavia Combi', 'wagon', NULL, 2);

-- 42703 unknown column, 22023 bad options, 42804 bad document column type,
-- 42704 unknown configuration, 42501 not the owner.
SELECT register_search_document('"My Schema"."Car ""Make"""', '{nope}');
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name"}', '{E}');
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name"}', '{A,B}');
SELECT register_search_document('"My Schema"."Car ""Make"""', '{}');
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name","Full Name"}');
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name"}', document_column => 'Full Name');
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name"}', document_column => 'Make ID');
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name"}', config => 'klingon');
CREATE ROLE regress_cv_search_other;
GRANT USAGE ON SCHEMA "My Schema" TO regress_cv_search_other;
SET ROLE regress_cv_search_other;
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name"}');
RESET ROLE;
-- Nothing changed.
SELECT count(*) FROM search_documents;
SELECT count(*) FROM pg_attribute WHERE attrelid = '"My Schema"."Car ""Make"""'::regclass AND attnum > 0;

\set VERBOSITY default
SELECT register_search_document('"My Schema"."Car ""Make"""', '{"Full Name"}', document_column => 'Search Doc', config => 'simple');
SELECT register_search_document('"My Schema"."car model"', '{"Label","Kind"}', '{A,NULL}', 'Search Doc', 'simple');
\set VERBOSITY sqlstate
-- 42710 registered twice.
SELECT register_search_document('"My Schema"."car model"', '{"Label"}');

-- Sources: 42703, 42830 not a foreign key, 55000 no document, 22023 bad
-- filters and weights, 42501 not the owner, 42710 twice, 42601 syntax.
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{nope}');
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{loose}');
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', weights => '{A,Z}');
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', weights => '{A}');
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$"Kind"$$);
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$nope = 1$$);
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$"Kind" = (SELECT 'x')$$);
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$true); DROP TABLE "My Schema"."car model"; SELECT (true$$);
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$true) FROM "My Schema"."Car ""Make""" --$$);
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$true) FROM pg_authid, "My Schema"."car model" WHERE (true$$);
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$random() > 0.5$$);
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}', $$count(*) > 0$$);
CREATE TABLE "My Schema".undocumented (id int PRIMARY KEY, model_id int REFERENCES "My Schema"."car model");
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema".undocumented', '{model_id}');
SET ROLE regress_cv_search_other;
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}');
RESET ROLE;
SELECT drop_search_table('"My Schema"."Car Search"');
SELECT unregister_search_document('"My Schema".undocumented');
-- Nothing changed.
SELECT count(*) FROM search_sources;
SELECT to_regclass('"My Schema"."Car Search"');

\set VERBOSITY default
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}',
                         $$"Kind" <> 'wagon' OR "Label" ~~ 'Octavia%'$$);
\set VERBOSITY sqlstate
SELECT add_search_source('"My Schema"."Car Search"', '"My Schema"."car model"', '{"Make Ref"}');
SELECT unregister_search_document('"My Schema"."Car ""Make"""');
SET ROLE regress_cv_search_other;
SELECT drop_search_table('"My Schema"."Car Search"');
RESET ROLE;
\set VERBOSITY default
SELECT search_table, source_table, parents, filter, chain, search_columns FROM search_sources;
\d "My Schema"."Car Search"

-- The oracle for this search table.
CREATE VIEW "My Schema".car_check AS
WITH want AS (
    SELECT m."Model ID", k."Make ID",
           setweight(setweight(to_tsvector('simple', coalesce(m."Label", '')), 'A')
                     || to_tsvector('simple', coalesce(m."Kind", '')), 'A')
           || setweight(to_tsvector('simple', coalesce(k."Full Name", '')), 'B') AS document
    FROM "My Schema"."car model" m LEFT JOIN "My Schema"."Car ""Make""" k ON k."Make ID" = m."Make Ref"
    WHERE m."Kind" <> 'wagon' OR m."Label" LIKE 'Octavia%'),
have AS (SELECT "car model_Model ID", "Car ""Make""_Make ID", document FROM "My Schema"."Car Search")
(TABLE want EXCEPT ALL TABLE have) UNION ALL (TABLE have EXCEPT ALL TABLE want);
SELECT * FROM "My Schema".car_check;

-- Triggers do not depend on search_path: look-alike objects in a schema
-- searched before pg_catalog, and an empty search_path.
CREATE SCHEMA evil;
CREATE FUNCTION evil.to_tsvector(regconfig, text) RETURNS tsvector LANGUAGE sql
    AS $$ SELECT 'evil'::pg_catalog.tsvector $$;
CREATE FUNCTION evil.setweight(tsvector, "char") RETURNS tsvector LANGUAGE sql
    AS $$ SELECT 'evil'::pg_catalog.tsvector $$;
CREATE FUNCTION evil.int_eq(int, int) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
CREATE OPERATOR evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = evil.int_eq);
CREATE FUNCTION evil.text_ne(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
CREATE OPERATOR evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_ne);
CREATE TABLE evil."Car Search" ("car model_Model ID" int, "Car ""Make""_Make ID" int, document tsvector);
CREATE TABLE evil."car model" (LIKE "My Schema"."car model");
SET search_path = evil, "My Schema", pg_catalog, public;
INSERT INTO "car model" VALUES (3, 2, 'Superb', 'sedan', NULL, 3);
INSERT INTO "My Schema"."car model" VALUES (3, 2, 'Superb', 'sedan', NULL, 3);
UPDATE "My Schema"."Car ""Make""" SET "Full Name" = 'Skoda Auto' WHERE "Make ID" OPERATOR(pg_catalog.=) 2;
UPDATE "My Schema"."car model" SET "Kind" = 'wagon' WHERE "Model ID" OPERATOR(pg_catalog.=) 1;
SET search_path = '';
UPDATE "My Schema"."car model" SET "Kind" = 'coupe', "Make Ref" = 2 WHERE "Model ID" OPERATOR(pg_catalog.=) 1;
INSERT INTO "My Schema"."car model" VALUES (4, 1, 'Stelvio', 'suv', NULL, 4);
RESET search_path;
SELECT * FROM "My Schema".car_check;
SELECT count(*) FROM evil."Car Search";
SELECT "car model_Model ID", "Car ""Make""_Make ID", document FROM "My Schema"."Car Search" ORDER BY 1;

-- A role with only write privileges on the source table: maintenance runs
-- as the search table's owner.
GRANT INSERT, UPDATE ON "My Schema"."car model" TO regress_cv_search_other;
GRANT SELECT ("Model ID") ON "My Schema"."car model" TO regress_cv_search_other;
SET ROLE regress_cv_search_other;
INSERT INTO "My Schema"."car model" VALUES (5, 2, 'Kodiaq', 'suv', NULL, 5);
UPDATE "My Schema"."car model" SET "Label" = 'Kodiaq RS' WHERE "Model ID" = 5;
RESET ROLE;
SELECT * FROM "My Schema"."Car Search" WHERE "car model_Model ID" = 5;
SELECT * FROM "My Schema".car_check;

-- search() ranks across the search table.
SELECT * FROM search('"My Schema"."Car Search"', 'skoda');

DROP VIEW "My Schema".car_check;
SELECT drop_search_table('"Car Search"');
DROP SCHEMA evil CASCADE;
DROP SCHEMA "My Schema" CASCADE;
SELECT * FROM search_documents;
DROP OWNED BY regress_cv_search_other;
DROP ROLE regress_cv_search_other;
