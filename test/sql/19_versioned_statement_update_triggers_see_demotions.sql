-- Rule: a statement-level UPDATE trigger of the user's on a 'flag' table sees
-- the demotions as it did in 1.0, where every demotion was an UPDATE: such a
-- table keeps the SPI path, as one with a row UPDATE trigger does.
CREATE TABLE stmt_flag (id int NOT NULL, v int NOT NULL, note text);
SELECT register_versioned_table('stmt_flag', '{id}', '{v}');
CREATE TABLE stmt_calls (tbl text, op text);
CREATE FUNCTION count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stmt_calls VALUES (TG_TABLE_NAME, TG_OP);
    RETURN NULL;
END
$$;
CREATE TRIGGER count_statement AFTER UPDATE ON stmt_flag FOR EACH STATEMENT
    EXECUTE FUNCTION count_statement();
INSERT INTO stmt_flag VALUES (1, 1, 'a');
INSERT INTO stmt_flag VALUES (1, 2, 'b');   -- demotes (1, 1)
INSERT INTO stmt_flag VALUES (1, 0, 'c');   -- older: no demotion
SELECT count(*) > 0 AS statement_trigger_saw_the_demotion FROM stmt_calls;
SELECT id, v, note FROM stmt_flag_current;
SELECT check_versioned_table('stmt_flag');
DROP TABLE stmt_flag, stmt_calls CASCADE;
DROP FUNCTION count_statement();
