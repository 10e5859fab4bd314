-- Rule 7: identifiers with spaces, quotes, capitals and SQL metacharacters,
-- and triggers independent of search_path.
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Odd ""Table""; DROP TABLE x" (
    "Key Col" text, "ver$ion" int, "Market-Id" int, "select" text);
INSERT INTO "My Schema"."Odd ""Table""; DROP TABLE x" VALUES ('a', 1, 1, 'x'), ('a', 2, 1, 'y');
SELECT register_versioned_table('"My Schema"."Odd ""Table""; DROP TABLE x"',
                                '{"Key Col"}', '{ver$ion}',
                                current_column => 'Is Current',
                                view_name => 'Current View',
                                current_indexes => '{"\"Market-Id\", \"select\" DESC"}');
SELECT * FROM "My Schema"."Current View";
SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE nspname = 'My Schema' ORDER BY 1;
SELECT * FROM versioned_tables WHERE table_name LIKE '"My Schema"%';

-- Look-alike objects in an earlier schema, and an empty search_path: an
-- equality operator that matches everything and tables named like ours.
CREATE SCHEMA evil;
CREATE FUNCTION evil.always(int, int) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = evil.always);
CREATE FUNCTION evil.always_text(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.always_text);
CREATE TABLE evil.orders_heads (id int, current_relation regclass);
CREATE TABLE evil.orders (id int, ts timestamptz, market_id int, qty int, current boolean);
SET search_path = evil, public;
INSERT INTO public.orders VALUES (1, '2030-01-01', 10, 99), (2, '2020-01-01', 20, 0);
UPDATE "My Schema"."Odd ""Table""; DROP TABLE x" SET "ver$ion" = 5 WHERE "ver$ion" = 1;
SET search_path = '';
INSERT INTO "My Schema"."Odd ""Table""; DROP TABLE x" VALUES ('b', 1, 2, 'z'), ('a', 3, 1, 'w');
DELETE FROM public.orders WHERE id = 1 AND qty = 99;
RESET search_path;
SELECT count(*) AS evil_rows FROM evil.orders_heads;
SELECT public.oracle_diff('orders_current', 'orders', 'id', 'ts');
SELECT check_versioned_table('orders');
SELECT "Key Col", "ver$ion", "select" FROM "My Schema"."Current View" ORDER BY 1;
SELECT oracle_diff('"My Schema"."Current View"', '"My Schema"."Odd ""Table""; DROP TABLE x"',
                   '"Key Col"', '"ver$ion"');
SELECT check_versioned_table('"My Schema"."Odd ""Table""; DROP TABLE x"');
SELECT unregister_versioned_table('"My Schema"."Odd ""Table""; DROP TABLE x"');
SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE nspname = 'My Schema' ORDER BY 1;
DROP SCHEMA evil CASCADE;
DROP SCHEMA "My Schema" CASCADE;
