-- Review 5: a registry row names the view, heads table and functions of a
-- registration by name.  Once their owner drops them (nothing stops her),
-- another role may create objects of those names in a shared schema.  The
-- superuser's DROP OWNED BY of the first role (removing a user), or DROP
-- EXTENSION ... CASCADE, must not drop the other role's objects, which
-- have another owner than the registered table had.
SET client_min_messages = warning;
CREATE ROLE regress_r5_leaver;
CREATE ROLE regress_r5_stayer;
CREATE SCHEMA r5_shared;
GRANT CREATE, USAGE ON SCHEMA r5_shared TO regress_r5_leaver, regress_r5_stayer;
SET ROLE regress_r5_leaver;
CREATE TABLE r5_shared.t (id int, v int, PRIMARY KEY (id, v));
SELECT register_versioned_table('r5_shared.t', '{id}', '{v}');
DROP VIEW r5_shared.t_current;
DROP TABLE r5_shared.t_heads;
DROP FUNCTION r5_shared.t_as_of(integer);
RESET ROLE;
SET ROLE regress_r5_stayer;
CREATE TABLE r5_shared.t_heads (important text);
INSERT INTO r5_shared.t_heads VALUES ('stayer''s data');
CREATE VIEW r5_shared.t_current AS SELECT * FROM r5_shared.t_heads;
CREATE FUNCTION r5_shared.t_as_of(integer) RETURNS int LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
-- The superuser removes the leaving role's objects.
DROP OWNED BY regress_r5_leaver;
SELECT to_regclass('r5_shared.t') IS NULL AS leavers_table_gone,
       to_regclass('r5_shared.t_heads') IS NOT NULL AS stayers_table_kept,
       to_regclass('r5_shared.t_current') IS NOT NULL AS stayers_view_kept,
       to_regprocedure('r5_shared.t_as_of(integer)') IS NOT NULL AS stayers_function_kept;
SELECT count(*) AS registrations_left FROM current_view_internal.versioned_table_registry
WHERE table_schema = 'r5_shared';
DROP SCHEMA r5_shared CASCADE;
DROP ROLE regress_r5_leaver;
DROP ROLE regress_r5_stayer;
