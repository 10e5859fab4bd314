-- Names of 31 two-byte characters (the longest PostgreSQL keeps of the 33
-- the issue names): the derived names (view, heads and current tables,
-- indexes, functions) keep their suffixes, fit in NAMEDATALEN, are cut on a
-- character boundary, and stay distinct for tables whose names share their
-- beginning.
SELECT current_view_internal._object_name(repeat('ä', 31)::name, 'current') AS cut,
       octet_length(current_view_internal._object_name(repeat('ä', 31)::name, 'current')) AS bytes,
       current_view_internal._object_name('short'::name, 'current') AS kept;
-- Two tables of each strategy whose names share 30 characters.
CREATE TABLE "äääääääääääääääääääääääääääääää" (id int, v int, note text);
CREATE TABLE "ääääääääääääääääääääääääääääää1" (id int, v int, note text);
CREATE TABLE "ööööööööööööööööööööööööööööööö" (id int, v int, note text);
CREATE TABLE "öööööööööööööööööööööööööööööö1" (id int, v int, note text);
CREATE TABLE "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü" (id int, v int, note text);
CREATE TABLE "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüü1" (id int, v int, note text);
CREATE TABLE long_names (tbl regclass, strategy text);
INSERT INTO long_names
SELECT c.oid, CASE left(c.relname, 1) WHEN 'ä' THEN 'flag' WHEN 'ö' THEN 'table' ELSE 'view' END
FROM pg_class c WHERE c.relname ~ '^(ä|ö|ü)' AND c.relkind = 'r';
SELECT strategy, count(*) AS tables, max(length((SELECT relname FROM pg_class WHERE oid = tbl))) AS characters FROM long_names GROUP BY 1 ORDER BY 1;
INSERT INTO "äääääääääääääääääääääääääääääää" VALUES (1, 1, 'a'), (1, 2, 'b');
SELECT register_versioned_table(tbl, '{id}', '{v}', strategy => strategy,
                                current_indexes => CASE WHEN strategy = 'view' THEN '{}' ELSE '{note}' END::text[])
FROM long_names ORDER BY tbl::text;
-- Every derived object: its name keeps its suffix, and all names differ.
CREATE VIEW long_derived AS
SELECT c.relname AS name FROM pg_class c
WHERE c.relname ~ '^(ä|ö|ü)' AND c.relkind IN ('v', 'r', 'i') AND c.oid NOT IN (SELECT tbl FROM long_names)
UNION ALL
SELECT p.proname FROM pg_proc p WHERE p.proname ~ '^(ä|ö|ü)';
-- (The primary keys of heads and current tables are named by PostgreSQL.)
SELECT substring(name FROM '_[0-9a-f]{8}_(.+)$') AS suffix, count(*) AS objects,
       count(DISTINCT name) AS distinct_names, max(octet_length(name)) AS max_bytes
FROM long_derived GROUP BY 1 ORDER BY 1;
-- Writes, the view, as-of and check work for each of them.
INSERT INTO "äääääääääääääääääääääääääääääää" VALUES (1, 3, 'c'), (2, 1, 'd');
INSERT INTO "ääääääääääääääääääääääääääääää1" VALUES (1, 1, 'x');
INSERT INTO "ööööööööööööööööööööööööööööööö" VALUES (1, 1, 'a'), (1, 2, 'b');
INSERT INTO "öööööööööööööööööööööööööööööö1" VALUES (1, 1, 'x');
INSERT INTO "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü" VALUES (1, 1, 'a'), (1, 2, 'b');
INSERT INTO "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüü1" VALUES (1, 1, 'x');
SELECT l.strategy, oracle_diff(v.view_name::regclass, l.tbl, 'id', 'v') AS oracle_diff,
       check_versioned_table(l.tbl) AS check
FROM long_names l JOIN versioned_tables v ON v.table_name::regclass = l.tbl ORDER BY l.tbl::text;
SELECT unregister_versioned_table(tbl) FROM long_names;
SELECT count(*) AS left_behind FROM long_derived;
DROP VIEW long_derived;
DROP TABLE "äääääääääääääääääääääääääääääää", "ääääääääääääääääääääääääääääää1", "ööööööööööööööööööööööööööööööö", "öööööööööööööööööööööööööööööö1", "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü", "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüü1", long_names;

-- A search table with such a name: its triggers keep their suffixes, and
-- dropping it finds them by function and arguments too (as named by an
-- earlier version).
CREATE TABLE "ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß" (id int PRIMARY KEY, body text);
SELECT register_search_document('"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"', '{body}');
SELECT add_search_source('"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß_search"', '"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"');
SELECT tgname ~ '_truncate$' AS truncate_trigger, octet_length(tgname) <= 63 AS fits
FROM pg_trigger WHERE tgrelid = '"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"'::regclass AND tgname LIKE 'search%' ORDER BY 1;
INSERT INTO "ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß" VALUES (1, 'long names');
SELECT t.tgname AS old_name FROM pg_trigger t
WHERE t.tgrelid = '"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"'::regclass AND t.tgname LIKE 'search%' AND t.tgname NOT LIKE '%truncate' \gset
ALTER TRIGGER :"old_name" ON "ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß" RENAME TO search_named_by_an_earlier_version;
SELECT search_table, check_search_table(search_table::regclass) FROM search_sources WHERE source_table::regclass = '"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"'::regclass;
SELECT drop_search_table(search_table) FROM (SELECT DISTINCT search_table FROM search_sources
                                            WHERE source_table::regclass = '"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"'::regclass) s;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = '"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"'::regclass AND tgname LIKE 'search%';
SELECT unregister_search_document('"ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß"');
DROP TABLE "ßßßßßßßßßßßßßßßßßßßßßßßßßßßßßßß";
