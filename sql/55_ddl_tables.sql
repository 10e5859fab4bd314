
-- Table-level DDL on registered tables: each command either keeps the
-- registration working or is refused before it changes anything.
--
-- RENAME TO and SET SCHEMA of a registered versioned table keep it working:
-- at the end of the command its registration takes the new name, its view,
-- heads and current tables move with it to the new schema, the triggers that
-- name it are created again with the new names, and its generated functions
-- are created again under the new name (with the old ones' grants).  The
-- other relations a registration names (views, heads and current tables,
-- indexes, search tables and their sources) are named in trigger arguments
-- and registry rows of other registrations: renaming or moving them is
-- refused, with a hint.  Inheritance (non-declarative) is refused both ways.
-- The derived tables follow the owner and the persistence of their table; a
-- change of either on a derived table alone is refused.  DROP EXTENSION is
-- refused while tables are registered; with CASCADE it first unregisters
-- everything, so that nothing is left behind.
--
-- The event triggers run with the rights of the role running the command,
-- reference relations by OID and quote every name they put into SQL.

-- Every relation the registries name that exists, by OID: what it is to its
-- registration, the registered table (or search table) it belongs to, and
-- whether it has that table's owner.  Only such a relation is treated as the
-- registration's: a registry row names objects by name, and once its own
-- object is dropped the name may be taken by another role's object, which
-- nothing here may then refuse, move, alter or give away.
CREATE FUNCTION current_view_internal._registered_relations()
RETURNS TABLE (rel regclass, role text, registered regclass, is_owned boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH named (rel_schema, rel_name, role, reg_schema, reg_name) AS (
        SELECT r.table_schema, o.name, o.role, r.table_schema, r.table_name
        FROM current_view_internal.versioned_table_registry r
        CROSS JOIN LATERAL (VALUES (r.table_name, 'versioned table'), (r.view_name, 'view'),
                                   (r.heads_table, 'heads table'), (r.current_table, 'current table')
                            UNION ALL
                            SELECT i, 'index' FROM unnest(r.created_indexes) i) o (name, role)
        UNION ALL
        SELECT table_schema, table_name, 'search document table', table_schema, table_name
        FROM current_view_internal.search_document_registry
        UNION ALL
        SELECT s.search_schema, s.search_table, 'search table', s.search_schema, s.search_table
        FROM current_view_internal.search_source_registry s
        UNION ALL
        SELECT u.sch, u.tab, CASE WHEN u.i = 1 THEN 'search source' ELSE 'search chain table' END,
               s.search_schema, s.search_table
        FROM current_view_internal.search_source_registry s
        CROSS JOIN LATERAL unnest(s.chain_schemas, s.chain_tables) WITH ORDINALITY u (sch, tab, i))
    SELECT c.oid::regclass, n.role, rc.oid::regclass, c.relowner = rc.relowner
    FROM named n
    JOIN pg_namespace s ON s.nspname = n.rel_schema
    JOIN pg_class c ON c.relnamespace = s.oid AND c.relname = n.rel_name
    LEFT JOIN pg_namespace rs ON rs.nspname = n.reg_schema
    LEFT JOIN pg_class rc ON rc.relnamespace = rs.oid AND rc.relname = n.reg_name
$$;

-- Raise 0A000 unless tbl may be registered as what ('versioned table',
-- 'search source', 'search document table'): a temporary table would
-- outlive its registration, a table with inheritance parents or children
-- has rows its triggers never see, and a derived table that a crash does
-- not empty with its table (unlogged partitions, unlogged search sources)
-- would keep rows the table lost.
CREATE FUNCTION current_view_internal._require_registrable(tbl regclass, what text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT relpersistence FROM pg_class WHERE oid = tbl) = 't' THEN
        RAISE EXCEPTION 'temporary table % cannot be registered as a %', tbl, what
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Register a permanent or unlogged table.';
    END IF;
    IF what = 'search document table' THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
               WHERE (i.inhrelid = tbl OR i.inhparent = tbl) AND p.relkind <> 'p') THEN
        RAISE EXCEPTION 'table % cannot be registered as a % because it has inheritance parents or children',
            tbl, what
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Use declarative partitioning (PARTITION BY, PARTITION OF).';
    END IF;
    IF what = 'search source' AND (SELECT relpersistence FROM pg_class WHERE oid = tbl) = 'u' THEN
        RAISE EXCEPTION 'unlogged table % cannot be registered as a %', tbl, what
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'A crash would empty the table but not the search table, which holds rows of other tables too.';
    END IF;
    IF what = 'versioned table' AND EXISTS (
        SELECT 1 FROM pg_partition_tree(tbl) p JOIN pg_class c ON c.oid = p.relid
        WHERE p.level > 0 AND c.relpersistence = 'u') THEN
        RAISE EXCEPTION 'partitioned table % cannot be registered as a % because it has unlogged partitions',
            tbl, what
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'Its heads or current table is logged: a crash would empty a partition but not it.';
    END IF;
END
$$;

-- Called by the ddl_command_start event trigger (src/ddl.c) for a command
-- about to rename rel or move it to another schema ('rename', 'set schema'),
-- make rel a child of other ('inherit') or give a new table the parent rel
-- ('inherits'), change rel's persistence ('set logged', 'set unlogged') or
-- its owner ('owner').  Raises 0A000 where the command would break a
-- registration.  A registered versioned table about to be renamed or moved is
-- remembered with its name, one about to change owners with its owner, for
-- _follow_table_ddl (in session settings, as in 50_partitions.sql: they roll
-- back with the command).
CREATE FUNCTION current_view_internal._check_table_ddl(action text, rel regclass, other regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF action IN ('rename', 'set schema') THEN
        -- A versioned table that is also a search source is named by the search registry.
        SELECT * INTO r FROM current_view_internal._registered_relations() x WHERE x.rel = $2 AND x.is_owned
        ORDER BY x.role = 'versioned table' LIMIT 1;
        IF r.role = 'versioned table' THEN
            PERFORM set_config('current_view_ddl.renamed',
                               (coalesce(nullif(current_setting('current_view_ddl.renamed', true), ''), '[]')::jsonb
                                || (SELECT jsonb_build_array(jsonb_build_array(c.oid::bigint, n.nspname, c.relname))
                                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                    WHERE c.oid = $2))::text,
                               false);
        ELSIF FOUND THEN
            RAISE EXCEPTION 'cannot % % because it is the % of registration %',
                CASE action WHEN 'rename' THEN 'rename' ELSE 'move' END, rel, r.role,
                coalesce(r.registered::text, '(a table that no longer exists)')
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'The registration and its triggers name it.',
                      HINT = CASE WHEN r.role LIKE 'search%'
                                  THEN 'Drop the search table (drop_search_table), run the command, and add the sources again.'
                                  ELSE format('Rename or move %s instead: what it created follows it. Or unregister it (unregister_versioned_table), run the command, and register it again: the rows of the table stay.',
                                              coalesce(r.registered::text, 'the table')) END;
        END IF;
    ELSIF action IN ('inherit', 'inherits') THEN
        SELECT * INTO r FROM current_view_internal._registered_relations() x
        WHERE x.rel IN ($2, $3) AND x.is_owned
          AND x.role IN ('versioned table', 'search source', 'search chain table')
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'table % cannot take part in table inheritance because it is a % of registration %',
                r.rel, r.role, r.registered
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'Rows of an inheritance child would bypass the triggers of its parent.',
                      HINT = 'Use declarative partitioning (PARTITION BY, PARTITION OF).';
        END IF;
    ELSIF action IN ('set logged', 'set unlogged') THEN
        SELECT * INTO r FROM current_view_internal._registered_relations() x
        WHERE x.rel = $2 AND x.is_owned
          AND ((x.role IN ('heads table', 'current table')
                -- The change that makes it follow its table is allowed (_follow_table).
                AND (SELECT relpersistence FROM pg_class WHERE oid = x.registered)
                    <> CASE action WHEN 'set logged' THEN 'p' ELSE 'u' END)
               OR x.role = 'search table'
               OR (action = 'set unlogged' AND x.role IN ('search source', 'search chain table')))
        LIMIT 1;
        IF NOT FOUND THEN
            -- A partition of a registered table.
            SELECT x.rel, 'partition' AS role, x.registered INTO r FROM current_view_internal._registered_relations() x
            WHERE action = 'set unlogged' AND x.role = 'versioned table' AND x.rel <> $2
              AND x.rel IN (SELECT relid FROM pg_partition_ancestors($2))
            LIMIT 1;
        END IF;
        IF FOUND THEN
            RAISE EXCEPTION 'cannot change the persistence of % because it is the % of registration %',
                rel, r.role, r.registered
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'Derived tables follow the persistence of their versioned table; search tables and their sources, and partitioned versioned tables, are logged.',
                      HINT = CASE WHEN r.role IN ('heads table', 'current table')
                                  THEN format('Change the persistence of %s: its derived tables follow.', r.registered)
                                  ELSE 'Keep it logged.' END;
        END IF;
    ELSIF action = 'owner' THEN
        SELECT * INTO r FROM current_view_internal._registered_relations() x
        WHERE x.rel = $2 AND x.is_owned AND x.role IN ('versioned table', 'view', 'heads table', 'current table')
        ORDER BY x.role = 'versioned table' DESC LIMIT 1;
        IF r.role = 'versioned table' THEN
            PERFORM set_config('current_view_ddl.owners',
                               (coalesce(nullif(current_setting('current_view_ddl.owners', true), ''), '[]')::jsonb
                                || jsonb_build_array(jsonb_build_array(
                                       $2::oid::bigint, (SELECT relowner FROM pg_class WHERE oid = $2)::bigint)))::text,
                               false);
        ELSIF FOUND THEN
            RAISE EXCEPTION 'cannot change the owner of % because it is the % of registration %',
                rel, r.role, r.registered
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'The triggers write it as the owner of the registered table.',
                      HINT = format('Change the owner of %s: what it created follows.', r.registered);
        END IF;
    END IF;
END
$$;

-- Give the heads and current tables of versioned table tbl its
-- persistence, and the derived relations owned by relations_from and the
-- generated functions owned by functions_from its owner: the triggers run as
-- the table's owner, and a crash must empty the derived tables of an
-- unlogged table with it.  Only what has tbl's owner or the given one is
-- touched (see _registered_relations).  Each relation changes in one command.
CREATE FUNCTION current_view_internal._follow_table(tbl regclass, relations_from oid, functions_from oid)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
    t pg_class;
    owner_name text;
    d record;
    fn regprocedure;
    sig text;
BEGIN
    SELECT * INTO t FROM pg_class WHERE oid = tbl;
    owner_name := (SELECT quote_ident(rolname) FROM pg_roles WHERE oid = t.relowner);
    FOR d IN
        SELECT DISTINCT c.oid::regclass AS rel, c.relkind, c.relowner, c.relpersistence
        FROM current_view_internal._registered_relations() x JOIN pg_class c ON c.oid = x.rel
        WHERE x.registered = tbl AND x.role IN ('view', 'heads table', 'current table')
          AND (c.relowner = t.relowner OR c.relowner = relations_from)
    LOOP
        CONTINUE WHEN d.relowner = t.relowner AND (d.relkind = 'v' OR d.relpersistence = t.relpersistence
                                                   OR t.relkind = 'p');
        EXECUTE format('ALTER %s %s %s', CASE WHEN d.relkind = 'v' THEN 'VIEW' ELSE 'TABLE' END, d.rel,
                       concat_ws(', ',
                           CASE WHEN d.relkind <> 'v' AND t.relkind <> 'p' AND d.relpersistence <> t.relpersistence
                                THEN CASE WHEN t.relpersistence = 'u' THEN 'SET UNLOGGED' ELSE 'SET LOGGED' END END,
                           CASE WHEN d.relowner <> t.relowner THEN 'OWNER TO ' || owner_name END));
    END LOOP;
    -- Signatures are looked up, never run as SQL text.
    FOREACH sig IN ARRAY reg.created_functions LOOP
        fn := to_regprocedure(sig);
        IF fn IS NOT NULL AND (SELECT proowner FROM pg_proc WHERE oid = fn) = functions_from
           AND functions_from <> t.relowner THEN
            EXECUTE format('ALTER FUNCTION %s OWNER TO %s', fn, owner_name);
        END IF;
    END LOOP;
END
$$;

-- The arguments of a trigger (pg_trigger.tgargs, each ended by a zero byte).
CREATE FUNCTION current_view_internal._trigger_args(tgargs bytea)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    args text[] := '{}';
    rest bytea := tgargs;
    stop integer;
BEGIN
    LOOP
        stop := position('\x00'::bytea IN rest);
        EXIT WHEN stop = 0;
        args := args || convert_from(substring(rest FROM 1 FOR stop - 1), current_setting('server_encoding'));
        rest := substring(rest FROM stop + 1);
    END LOOP;
    RETURN args;
END
$$;

-- "EXECUTE FUNCTION current_view_internal.fn('a', ...)", as pg_get_triggerdef
-- ends the definition of a trigger of fn with these arguments.
CREATE FUNCTION current_view_internal._trigger_call(fn regproc, args text[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('EXECUTE FUNCTION current_view_internal.%I(%s)', (SELECT proname FROM pg_proc WHERE oid = fn),
                  coalesce(string_agg('''' || CASE WHEN current_setting('standard_conforming_strings') = 'on'
                                                   THEN replace(a, '''', '''''')
                                                   ELSE replace(replace(a, '\', '\\'), '''', '''''') END || '''',
                                      ', ' ORDER BY i), ''))
    FROM unnest(args) WITH ORDINALITY u(a, i)
$$;

-- Create trigger t again with the arguments args, from its own definition
-- with only the arguments changed (a definition that does not end with its
-- call is refused: following is the change named what), enabled as it was.
CREATE FUNCTION current_view_internal._recreate_trigger(t oid, args text[], what text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trg record;
    old_call text;
BEGIN
    SELECT tgname, tgrelid::regclass AS rel, tgfoid::regproc AS fn, tgenabled,
           current_view_internal._trigger_args(tgargs) AS args, pg_get_triggerdef(oid) AS def
    INTO trg FROM pg_trigger WHERE oid = t;
    old_call := current_view_internal._trigger_call(trg.fn, trg.args);
    IF right(trg.def, length(old_call)) <> old_call THEN
        RAISE EXCEPTION 'cannot follow % because trigger % on % has an unexpected definition',
            what, trg.tgname, trg.rel
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Unregister the table, run the command, and register it again.';
    END IF;
    EXECUTE format('DROP TRIGGER %I ON %s', trg.tgname, trg.rel);
    EXECUTE left(trg.def, length(trg.def) - length(old_call)) || current_view_internal._trigger_call(trg.fn, args);
    IF trg.tgenabled <> 'O' THEN
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', trg.rel,
                       CASE trg.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'
                                          ELSE 'ENABLE ALWAYS' END, trg.tgname);
    END IF;
END
$$;

-- At the end of a command that renamed or moved registered versioned table
-- tbl, formerly old_schema.old_name: the registration (and an unfinished
-- rebuild's progress) takes the new name, the view, heads and current tables
-- move to the new schema, the triggers that name the table are created again
-- with the new names, and the generated functions under the new name.
CREATE FUNCTION current_view_internal._follow_rename(tbl regclass, old_schema name, old_name name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry;
    progress current_view_internal.rebuild_progress_registry;
    new_schema name;
    new_name name;
    d record;
    trg record;
    args text[];
    old_functions pg_proc[];
    fn regprocedure;
    g record;
BEGIN
    SELECT n.nspname, c.relname INTO new_schema, new_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    SELECT r.* INTO reg FROM current_view_internal.versioned_table_registry r
    WHERE r.table_schema = old_schema AND r.table_name = old_name;
    -- Nothing to follow unless the old name is gone (the setting is the session's).
    IF NOT FOUND OR EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = old_schema AND c.relname = old_name) THEN
        RETURN;
    END IF;
    -- The old row goes first: its name no longer resolves, and the commands
    -- below move what it names.
    PERFORM current_view_internal._registry_delete(reg);
    FOR progress IN SELECT * FROM current_view_internal.rebuild_progress_registry p
                    WHERE p.kind = 'versioned' AND p.table_schema = old_schema AND p.table_name = old_name LOOP
        PERFORM current_view_internal._registry_delete(progress);
        progress.table_schema := new_schema;
        progress.table_name := new_name;
        PERFORM current_view_internal._registry_insert(progress);
    END LOOP;

    IF new_schema <> old_schema THEN
        FOR d IN SELECT DISTINCT c.oid::regclass AS rel, c.relkind
                 FROM unnest(ARRAY[reg.view_name, reg.heads_table, reg.current_table]) o(name)
                 JOIN pg_namespace n ON n.nspname = old_schema
                 JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = o.name
                 WHERE c.relowner = (SELECT relowner FROM pg_class WHERE oid = tbl) LOOP
            EXECUTE format('ALTER %s %s SET SCHEMA %I', CASE WHEN d.relkind = 'v' THEN 'VIEW' ELSE 'TABLE' END,
                           d.rel, new_schema);
        END LOOP;
    END IF;

    -- The triggers of the table, its view and its current table whose
    -- arguments name the table: its schema and name first (history
    -- triggers), or the heads table's schema ('flag' triggers).  Each is
    -- created again from its own definition with only the arguments changed;
    -- a definition that does not end with its call is refused.
    FOR trg IN
        SELECT t.oid, t.tgfoid::regproc AS fn, current_view_internal._trigger_args(t.tgargs) AS args
        FROM pg_trigger t
        WHERE (t.tgrelid = tbl
               OR t.tgrelid IN (SELECT c.oid FROM unnest(ARRAY[reg.view_name, reg.current_table]) o(name)
                                JOIN pg_namespace n ON n.nspname = new_schema
                                JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = o.name
                                WHERE c.relowner = (SELECT relowner FROM pg_class WHERE oid = tbl)))
          AND NOT t.tgisinternal AND t.tgparentid = 0
          AND t.tgfoid IN ('current_view_internal.current_view_write_trigger'::regproc,
                           'current_view_internal.current_view_table_trigger'::regproc,
                           'current_view_internal.current_view_flag_trigger'::regproc)
    LOOP
        args := trg.args;
        IF trg.fn = 'current_view_internal.current_view_flag_trigger'::regproc THEN
            CONTINUE WHEN args[1] IS DISTINCT FROM old_schema::text;
            args[1] := new_schema;
        ELSE
            CONTINUE WHEN (args[1], args[2]) IS DISTINCT FROM (old_schema::text, old_name::text);
            args[1] := new_schema;
            args[2] := new_name;
        END IF;
        PERFORM current_view_internal._recreate_trigger(trg.oid, args, format('the rename of %s', tbl));
    END LOOP;

    -- The generated functions embed the table's name: created again under
    -- the new one, with the grants of the old ones.
    SELECT array_agg(p ORDER BY u.i) INTO old_functions
    FROM unnest(reg.created_functions) WITH ORDINALITY u(sig, i)
    JOIN pg_proc p ON p.oid = to_regprocedure(u.sig)
    WHERE p.proowner = (SELECT relowner FROM pg_class WHERE oid = tbl);
    FOR i IN 1 .. coalesce(cardinality(old_functions), 0) LOOP
        EXECUTE format('DROP FUNCTION %s', old_functions[i].oid::regprocedure);
    END LOOP;
    reg.table_schema := new_schema;
    reg.table_name := new_name;
    reg.created_functions := current_view_internal._create_history_functions(
        tbl, reg.key_columns, reg.version_columns, reg.strategy, reg.current_column,
        coalesce(reg.current_table, reg.view_name), reg.deleted_column, reg.next_version);
    PERFORM current_view_internal._registry_insert(reg);
    PERFORM current_view_internal._follow_table(tbl, NULL, r.oid) FROM pg_roles r WHERE r.rolname = current_user;
    FOR i IN 1 .. least(coalesce(cardinality(old_functions), 0), cardinality(reg.created_functions)) LOOP
        CONTINUE WHEN old_functions[i].proacl IS NULL;
        fn := to_regprocedure(reg.created_functions[i]);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
        FOR g IN SELECT a.grantee, a.is_grantable FROM aclexplode(old_functions[i].proacl) a
                 WHERE a.grantee <> old_functions[i].proowner LOOP
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s%s', fn,
                           CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                                ELSE quote_ident((SELECT rolname FROM pg_roles WHERE oid = g.grantee)) END,
                           CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
    END LOOP;
END
$$;

-- After ALTER TABLE, ALTER VIEW, ALTER INDEX and CREATE TABLE: a registered
-- table renamed or moved keeps its registration (_follow_rename); the
-- derived objects of a registered table follow its persistence, and its
-- owner when it changed; an unlogged partition added to a registered table
-- makes the command fail.
CREATE FUNCTION current_view_internal._follow_table_ddl()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    renamed jsonb := coalesce(nullif(current_setting('current_view_ddl.renamed', true), ''), '[]')::jsonb;
    owners jsonb := coalesce(nullif(current_setting('current_view_ddl.owners', true), ''), '[]')::jsonb;
    r record;
    previous_owner oid;
BEGIN
    IF jsonb_array_length(renamed) > 0 THEN
        PERFORM set_config('current_view_ddl.renamed', '[]', false);
        FOR r IN SELECT (e->>0)::oid::regclass AS rel, e->>1 AS old_schema, e->>2 AS old_name
                 FROM jsonb_array_elements(renamed) e LOOP
            PERFORM current_view_internal._follow_rename(r.rel, r.old_schema, r.old_name);
        END LOOP;
    END IF;
    IF jsonb_array_length(owners) > 0 THEN
        PERFORM set_config('current_view_ddl.owners', '[]', false);
    END IF;
    FOR r IN
        SELECT DISTINCT x.rel
        FROM pg_event_trigger_ddl_commands() cmd
        JOIN current_view_internal._registered_relations() x
          ON x.rel = cmd.objid OR x.rel IN (SELECT relid FROM pg_partition_ancestors(cmd.objid))
        WHERE cmd.classid = 'pg_class'::regclass AND x.role = 'versioned table'
    LOOP
        IF EXISTS (SELECT 1 FROM pg_class t
                   JOIN pg_partition_tree(r.rel) p ON p.level > 0
                   JOIN pg_class c ON c.oid = p.relid
                   WHERE t.oid = r.rel AND t.relkind = 'p' AND c.relpersistence = 'u') THEN
            RAISE EXCEPTION 'registered partitioned table % cannot have unlogged partitions', r.rel
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'Its heads or current table is logged: a crash would empty a partition but not it.';
        END IF;
        previous_owner := (SELECT (e->>1)::oid FROM jsonb_array_elements(owners) e
                           WHERE (e->>0)::oid = r.rel LIMIT 1);
        PERFORM current_view_internal._follow_table(r.rel, previous_owner, previous_owner);
    END LOOP;
END
$$;

-- DROP EXTENSION current_view (src/ddl.c, before the command runs): refused
-- while tables are registered, as the triggers, views, heads, current and
-- search tables and functions the registrations created would be left half
-- (the triggers and some views go with the extension, the rest stays and
-- blocks registering again).  With CASCADE, every registration is undone
-- first; the registered tables and their rows stay.
CREATE FUNCTION current_view_internal._drop_registrations(cascade boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_versioned bigint := (SELECT count(*) FROM current_view_internal.versioned_table_registry);
    n_search bigint := (SELECT count(DISTINCT (search_schema, search_table))
                        FROM current_view_internal.search_source_registry);
    n_documents bigint := (SELECT count(*) FROM current_view_internal.search_document_registry);
    reg record;
BEGIN
    IF n_versioned + n_search + n_documents = 0 THEN
        RETURN;
    END IF;
    IF NOT cascade THEN
        RAISE EXCEPTION 'cannot drop extension current_view because tables are registered'
            USING ERRCODE = 'dependent_objects_still_exist',
                  DETAIL = format('%s versioned tables, %s search tables and %s search documents are registered.',
                                  n_versioned, n_search, n_documents),
                  HINT = 'Unregister them, or use DROP EXTENSION ... CASCADE to undo every registration: the registered tables and their rows stay.';
    END IF;
    FOR reg IN SELECT DISTINCT search_schema, search_table FROM current_view_internal.search_source_registry LOOP
        PERFORM @extschema@.drop_search_table(format('%I.%I', reg.search_schema, reg.search_table));
    END LOOP;
    FOR reg IN SELECT x.rel FROM current_view_internal._registered_relations() x
               WHERE x.role = 'search document table' LOOP
        PERFORM @extschema@.unregister_search_document(reg.rel);
    END LOOP;
    FOR reg IN SELECT r AS row, c.oid::regclass AS rel
               FROM current_view_internal.versioned_table_registry r
               LEFT JOIN (pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace)
                 ON n.nspname = r.table_schema AND c.relname = r.table_name LOOP
        IF reg.rel IS NULL THEN
            -- Renamed under 1.0: what it created is dropped like a dropped table's.
            PERFORM current_view_internal._drop_history_objects(reg.row, NULL);
        ELSE
            PERFORM @extschema@.unregister_versioned_table(reg.rel);
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION current_view_internal._table_ddl_start()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'current_view_table_ddl_start'
LANGUAGE C;

-- Called by the ddl_command_start event trigger (src/ddl.c) before
-- ALTER SCHEMA ... RENAME: registrations name their schema, so a schema
-- holding a registered table, search table, search source or document table
-- is not renamed (0A000).  Moving each table with ALTER TABLE ... SET SCHEMA
-- is followed.
CREATE FUNCTION current_view_internal._check_schema_rename(schema name)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    registered text;
BEGIN
    SELECT string_agg(DISTINCT format('%I.%I', s, t), ', ') INTO registered
    FROM (SELECT table_schema, table_name FROM current_view_internal.versioned_table_registry
          UNION ALL SELECT table_schema, table_name FROM current_view_internal.search_document_registry
          UNION ALL SELECT source_schema, source_table FROM current_view_internal.search_source_registry
          UNION ALL SELECT search_schema, search_table FROM current_view_internal.search_source_registry) r(s, t)
    WHERE s = schema;
    IF registered IS NOT NULL THEN
        RAISE EXCEPTION 'cannot rename schema % because registrations name it: %', quote_ident(schema), registered
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Move the tables with ALTER TABLE ... SET SCHEMA, which is followed, or unregister them, rename the schema, and register them again.';
    END IF;
END
$$;

CREATE EVENT TRIGGER current_view_table_ddl_start ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'ALTER VIEW', 'ALTER INDEX', 'ALTER SEQUENCE', 'ALTER MATERIALIZED VIEW',
                 'ALTER FOREIGN TABLE', 'CREATE TABLE', 'DROP EXTENSION', 'ALTER SCHEMA')
    EXECUTE FUNCTION current_view_internal._table_ddl_start();

CREATE EVENT TRIGGER current_view_follow_table_ddl ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'ALTER VIEW', 'ALTER INDEX', 'CREATE TABLE')
    EXECUTE FUNCTION current_view_internal._follow_table_ddl();
