-- The current row is found and replaced directly (index probe, tuple lock,
-- update with index entries) unless the table has something an UPDATE would
-- have to run for it: CHECK constraints, stored generated columns, deferrable
-- unique or exclusion constraints, row UPDATE triggers other than ours (which
-- must see the flag changes).  Such tables keep the SPI path.  Both paths
-- give the same current rows.
CREATE TABLE direct_flag (id int NOT NULL, v int NOT NULL, note text);
CREATE TABLE spi_flag (id int NOT NULL, v int NOT NULL, note text CHECK (note <> 'forbidden'));
CREATE TABLE trig_flag (id int NOT NULL, v int NOT NULL, note text);
CREATE TABLE gen_flag (id int NOT NULL, v int NOT NULL, note text,
                       shout text GENERATED ALWAYS AS (upper(note)) STORED);
CREATE TABLE deferred_flag (id int NOT NULL, v int NOT NULL, note text,
                            UNIQUE (id, v) DEFERRABLE INITIALLY DEFERRED);
SELECT register_versioned_table(t, '{id}', '{v}')
FROM unnest('{direct_flag,spi_flag,trig_flag,gen_flag,deferred_flag}'::regclass[]) t;

CREATE TABLE demotions (tbl text, n int);
CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO demotions VALUES (TG_TABLE_NAME, 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER count_update AFTER UPDATE ON trig_flag FOR EACH ROW EXECUTE FUNCTION count_update();
CREATE TRIGGER count_update AFTER UPDATE ON spi_flag FOR EACH ROW EXECUTE FUNCTION count_update();

-- The same out-of-order versions, in single rows and in multi-row statements.
CREATE FUNCTION write_versions(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..60 LOOP
        EXECUTE format('INSERT INTO %s (id, v, note) VALUES ($1, $2, $3)', tbl)
        USING i % 7, (i * 37) % 50, 'n' || i;
    END LOOP;
    EXECUTE format('INSERT INTO %s (id, v, note) SELECT i %% 5, 100 + (i * 13) %% 40, $1 FROM generate_series(1, 40) i', tbl)
    USING 'bulk';
    EXECUTE format('DELETE FROM %s WHERE id = 3 AND v = (SELECT max(v) FROM %1$s WHERE id = 3)', tbl);
    EXECUTE format('UPDATE %s SET v = v + 1000 WHERE id = 4 AND v = (SELECT min(v) FROM %1$s WHERE id = 4)', tbl);
END
$$;
SELECT write_versions(t)
FROM unnest('{direct_flag,spi_flag,trig_flag,gen_flag,deferred_flag}'::regclass[]) t;

SELECT t AS tbl,
       (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %s', t), false, true, '')))[1]::text AS versions,
       oracle_diff(format('%s_current', t)::regclass, t, 'id', 'v') AS wrong_rows,
       check_versioned_table(t) AS check
FROM unnest('{direct_flag,spi_flag,trig_flag,gen_flag,deferred_flag}'::regclass[]) t;
-- The same current rows on every path.
SELECT count(*) AS differences FROM (
    (SELECT id, v, note FROM direct_flag_current EXCEPT ALL SELECT id, v, note FROM spi_flag_current)
    UNION ALL (SELECT id, v, note FROM spi_flag_current EXCEPT ALL SELECT id, v, note FROM direct_flag_current)
    UNION ALL (SELECT id, v, note FROM trig_flag_current EXCEPT ALL SELECT id, v, note FROM direct_flag_current)
    UNION ALL (SELECT id, v, note FROM gen_flag_current EXCEPT ALL SELECT id, v, note FROM direct_flag_current)
    UNION ALL (SELECT id, v, note FROM deferred_flag_current EXCEPT ALL SELECT id, v, note FROM direct_flag_current)) d;
-- A table with a user's UPDATE trigger takes the SPI path: its trigger sees
-- every demotion and promotion, as on a table that takes it for a CHECK.
SELECT tbl, sum(n) AS update_trigger_calls FROM demotions GROUP BY tbl ORDER BY tbl;

-- Strategy 'table': the current table is written directly unless it has a
-- CHECK constraint (added here by hand, as a user might).
CREATE TABLE direct_hist (id int NOT NULL, v int NOT NULL, note text);
CREATE TABLE spi_hist (id int NOT NULL, v int NOT NULL, note text);
SELECT register_versioned_table('direct_hist', '{id}', '{v}', strategy => 'table');
SELECT register_versioned_table('spi_hist', '{id}', '{v}', strategy => 'table');
ALTER TABLE spi_hist_current ADD CHECK (note IS DISTINCT FROM 'forbidden');
SELECT write_versions('direct_hist'), write_versions('spi_hist');
SELECT (SELECT count(*) FROM direct_hist) AS versions, (SELECT count(*) FROM spi_hist_current) AS keys,
       oracle_diff('direct_hist_current', 'direct_hist', 'id', 'v') AS direct_wrong,
       oracle_diff('spi_hist_current', 'spi_hist', 'id', 'v') AS spi_wrong,
       check_versioned_table('direct_hist') AS direct_check, check_versioned_table('spi_hist') AS spi_check;
SELECT count(*) AS differences FROM (
    (TABLE direct_hist_current EXCEPT ALL TABLE spi_hist_current)
    UNION ALL (TABLE spi_hist_current EXCEPT ALL TABLE direct_hist_current)) d;

DROP TABLE direct_flag, spi_flag, trig_flag, gen_flag, deferred_flag, demotions, direct_hist, spi_hist CASCADE;
DROP FUNCTION count_update(), write_versions(regclass);
