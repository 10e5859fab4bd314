-- DDL on the columns of registered tables: RENAME COLUMN, ADD COLUMN, DROP
-- COLUMN and ALTER COLUMN ... TYPE either keep the registration working
-- (the registry, the triggers' arguments, the view or current table and the
-- generated functions follow, within the command) or are refused, leaving
-- nothing changed.

-- 42P16 for a generated column that the triggers would have to read, or a
-- write through the view would have to set, before PostgreSQL computes it.
CREATE FUNCTION current_view_internal._require_written_column(att pg_catalog.pg_attribute, role text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF att.attgenerated <> '' THEN
        RAISE EXCEPTION '% column "%" of table % cannot be a generated column', role, att.attname,
            att.attrelid::regclass
            USING ERRCODE = 'invalid_table_definition',
                  DETAIL = 'The current row of a key is decided before PostgreSQL computes generated columns.',
                  HINT = 'Use a plain column, filled by the writer or by a BEFORE trigger.';
    END IF;
END
$$;

-- The query of <view_name>: for 'flag' the live flagged rows without the
-- flag, for 'view' the DISTINCT ON over the table, for 'table' with a
-- deleted column the live rows of the current table (rows).  The columns
-- hidden are about to be dropped.
CREATE FUNCTION current_view_internal._view_query(
    tbl regclass, strategy text, key_columns name[], version_columns name[],
    current_column name, deleted_column name, rows regclass DEFAULT NULL, hidden name[] DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key_list text := current_view_internal._column_list(key_columns);
    live_filter text := CASE WHEN deleted_column IS NOT NULL THEN format('NOT %I', deleted_column) END;
    columns text := (SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
                     WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped AND attname <> ALL (hidden)
                       AND attname IS DISTINCT FROM CASE WHEN strategy = 'flag' THEN current_column END);
BEGIN
    IF strategy = 'flag' THEN
        -- _load_library() folds to true when a statement on the view is
        -- planned, loading the library before the statement runs: the
        -- triggers must see an UPDATE through the view as one.
        RETURN format('SELECT %s FROM %s WHERE %s AND current_view_internal._load_library()',
                      columns, tbl, concat_ws(' AND ', quote_ident(current_column), live_filter));
    ELSIF strategy = 'view' THEN
        -- Keys whose current row is a tombstone leave the view.
        RETURN format(CASE WHEN live_filter IS NULL THEN 'SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s'
                           ELSE 'SELECT * FROM (SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s) v WHERE %s' END,
                      key_list, columns, tbl, key_list,
                      current_view_internal._column_list(version_columns, ' DESC'), live_filter);
    END IF;
    RETURN format('SELECT %s FROM %s WHERE %s', columns, rows, live_filter);
END
$$;

-- Drop the generated functions old_functions of a registration and make
-- them for reg again: owned by the table's owner, never members of the
-- extension (when made by its upgrade script), each with the privileges of
-- the old function of the same signature (functions new in the list, such as
-- prefix as-of functions, keep the default).  Returns their signatures.
CREATE FUNCTION current_view_internal._remake_history_functions(
    reg current_view_internal.versioned_table_registry, tbl regclass, old_functions text[])
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acls jsonb := '{}';
    sig text;
    fn regprocedure;
    made text[];
BEGIN
    FOREACH sig IN ARRAY old_functions LOOP
        fn := to_regprocedure(sig);
        IF fn IS NOT NULL THEN
            acls := acls || jsonb_build_object(fn::text, (SELECT proacl::text FROM pg_proc WHERE oid = fn));
            EXECUTE format('DROP FUNCTION %s', fn);
        END IF;
    END LOOP;
    made := current_view_internal._create_history_functions(tbl, reg.key_columns, reg.version_columns,
        reg.strategy, reg.current_column, coalesce(reg.current_table, reg.view_name),
        reg.deleted_column, reg.next_version);
    FOREACH sig IN ARRAY made LOOP
        fn := to_regprocedure(sig);
        IF EXISTS (SELECT 1 FROM pg_depend d
                   WHERE d.classid = 'pg_proc'::regclass AND d.objid = fn AND d.deptype = 'e') THEN
            EXECUTE format('ALTER EXTENSION current_view DROP FUNCTION %s', fn);
        END IF;
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', fn,
                       (SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = tbl));
        PERFORM current_view_internal._restore_grants('FUNCTION', sig, (acls->>(fn::text))::aclitem[]);
    END LOOP;
    RETURN made;
END
$$;

-- Give obj (of kind 'FUNCTION', 'TABLE') the privileges of acl; a NULL acl
-- is the default, which obj, created anew, has already.
CREATE FUNCTION current_view_internal._restore_grants(kind text, obj text, acl aclitem[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g record;
BEGIN
    IF acl IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('REVOKE ALL ON %s %s FROM PUBLIC', kind, obj);
    FOR g IN SELECT a.privilege_type, a.is_grantable,
                    CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee
             FROM aclexplode(acl) a LEFT JOIN pg_roles r ON r.oid = a.grantee LOOP
        EXECUTE format('GRANT %s ON %s %s TO %s%s', g.privilege_type, kind, obj, g.grantee,
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;

-- Drop the view v, returning what the view made again must keep: its
-- privileges and triggers (_follow_table gives it its owner).
CREATE FUNCTION current_view_internal._drop_view_keeping(v regclass)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kept jsonb := (SELECT jsonb_build_object(
                              'acl', c.relacl::text,
                              'triggers', to_jsonb(ARRAY(SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
                                                         WHERE t.tgrelid = v AND NOT t.tgisinternal
                                                         ORDER BY t.tgname)))
                   FROM pg_class c WHERE c.oid = v);
BEGIN
    EXECUTE format('DROP VIEW %s', v);
    RETURN kept;
END
$$;

-- Create the view schema.name as query with what _drop_view_keeping kept.
CREATE FUNCTION current_view_internal._create_view_keeping(schema name, name name, query text, kept jsonb)
RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v regclass;
    def text;
BEGIN
    EXECUTE format('CREATE VIEW %I.%I AS %s', schema, name, query);
    v := format('%I.%I', schema, name)::regclass;
    PERFORM current_view_internal._restore_grants('TABLE', v::text, (kept->>'acl')::aclitem[]);
    FOR def IN SELECT jsonb_array_elements_text(kept->'triggers') LOOP
        EXECUTE def;
    END LOOP;
    RETURN v;
END
$$;

-- Refuse to drop (what = 'drop') or retype (what = 'alter the type of') a
-- registered column.
CREATE FUNCTION current_view_internal._refuse_column_ddl(tbl regclass, col name, what text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'cannot % column "%" of versioned table %', what, col, tbl
        USING ERRCODE = CASE WHEN what = 'drop' THEN 'dependent_objects_still_exist' ELSE 'feature_not_supported' END,
              DETAIL = 'It is a key, version, current or deleted column of its registration.',
              HINT = format('Unregister the table, %s the column, then register the table again.', what);
END
$$;

-- Before an ALTER TABLE of tbl that drops or retypes columns (src/columns.c):
-- registered columns are refused; the view of 'flag' or 'view', which
-- PostgreSQL would not let them leave or change, is made again without
-- them (the end of the command puts a retyped one back).
CREATE FUNCTION current_view_internal._before_column_ddl(tbl regclass, dropped name[], retyped name[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.versioned_table_registry;
    registered name[];
    shown regclass;
    col name;
BEGIN
    BEGIN
        reg := current_view_internal._registration(tbl);
    EXCEPTION WHEN undefined_object THEN
        RETURN;
    END;
    registered := reg.key_columns || reg.version_columns || reg.current_column || reg.deleted_column;
    FOREACH col IN ARRAY dropped LOOP
        IF col = ANY (registered) THEN
            PERFORM current_view_internal._refuse_column_ddl(tbl, col, 'drop');
        END IF;
    END LOOP;
    FOREACH col IN ARRAY retyped LOOP
        IF col = ANY (registered) THEN
            PERFORM current_view_internal._refuse_column_ddl(tbl, col, 'alter the type of');
        END IF;
    END LOOP;
    shown := to_regclass(format('%I.%I', reg.table_schema, reg.view_name));
    IF reg.strategy NOT IN ('flag', 'view')
       OR NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = shown AND NOT attisdropped
                      AND attname = ANY (dropped || retyped)) THEN
        RETURN;
    END IF;
    PERFORM current_view_internal._require_owner(tbl);
    -- The command's own lock, taken before the view's.
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', tbl);
    PERFORM current_view_internal._create_view_keeping(reg.table_schema, reg.view_name,
        current_view_internal._view_query(tbl, reg.strategy, reg.key_columns, reg.version_columns,
                                          reg.current_column, reg.deleted_column, NULL, dropped || retyped),
        current_view_internal._drop_view_keeping(shown));
    PERFORM current_view_internal._follow_table(tbl, r.oid, r.oid) FROM pg_roles r WHERE r.rolname = current_user;
END
$$;

-- Create the triggers of the registration on rel again with the column
-- old_name renamed new_name in their arguments, and next_version instead of
-- theirs: the flag column and the key and version columns ('flag'
-- triggers); the flag, deleted, key and version columns (the others).
CREATE FUNCTION current_view_internal._recreate_triggers(rel regclass, old_name name, new_name name,
                                                         next_version text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trg record;
    columns int[];
    first_next int;
BEGIN
    FOR trg IN
        SELECT t.oid, t.tgfoid::regproc AS fn, current_view_internal._trigger_args(t.tgargs) AS args
        FROM pg_trigger t
        WHERE t.tgrelid = rel AND NOT t.tgisinternal AND t.tgparentid = 0
          AND t.tgfoid IN ('current_view_internal.current_view_write_trigger'::regproc,
                           'current_view_internal.current_view_table_trigger'::regproc,
                           'current_view_internal.current_view_flag_trigger'::regproc)
    LOOP
        IF trg.fn = 'current_view_internal.current_view_flag_trigger'::regproc THEN
            -- schema, heads, flag, number of keys, keys and versions
            columns := ARRAY[3] || ARRAY(SELECT generate_series(5, cardinality(trg.args)));
        ELSE
            -- schema, table, view, flag, deleted, numbers of keys and of
            -- versions, keys, versions, next_version
            first_next := 8 + trg.args[6]::int + trg.args[7]::int;
            columns := ARRAY[4, 5] || ARRAY(SELECT generate_series(8, first_next - 1));
            trg.args := trg.args[1:first_next - 1] || coalesce(next_version, '{}');
        END IF;
        FOREACH first_next IN ARRAY columns LOOP
            IF trg.args[first_next] = old_name THEN
                trg.args[first_next] := new_name;
            END IF;
        END LOOP;
        PERFORM current_view_internal._recreate_trigger(trg.oid, trg.args, format('the rename of column %I of %s', old_name, rel));
    END LOOP;
END
$$;

-- Follow the DDL that changed the columns of the registered table tbl;
-- renamed is the number of the column a RENAME COLUMN renamed, or NULL.
CREATE FUNCTION current_view_internal._follow_columns(tbl regclass, renamed smallint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old current_view_internal.versioned_table_registry := current_view_internal._registration(tbl);
    reg current_view_internal.versioned_table_registry := old;
    new_name name;
    old_name name;
    missing name[];
    shown regclass;
    cur regclass;
    col record;
    shown_name name;
    changed boolean := renamed IS NOT NULL;
    view_kept jsonb;
    view_columns text[];
    -- The columns a view or function shows: all but the flag.
    table_columns text[];
    refill name[] := '{}';
BEGIN
    -- Registered columns: renamed, or refused.
    SELECT coalesce(array_agg(DISTINCT c), '{}') INTO missing
    FROM unnest(old.key_columns || old.version_columns || old.current_column || old.deleted_column) c
    WHERE c IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tbl
                                        AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped);
    new_name := (SELECT attname FROM pg_attribute WHERE attrelid = tbl AND attnum = renamed);
    IF cardinality(missing) > 0 THEN
        IF new_name IS NULL OR cardinality(missing) > 1 THEN
            PERFORM current_view_internal._refuse_column_ddl(tbl, missing[1], 'drop');
        END IF;
        old_name := missing[1];
        reg.key_columns := array_replace(old.key_columns, old_name, new_name);
        reg.version_columns := array_replace(old.version_columns, old_name, new_name);
        reg.current_column := CASE WHEN old.current_column = old_name THEN new_name ELSE old.current_column END;
        reg.deleted_column := CASE WHEN old.deleted_column = old_name THEN new_name ELSE old.deleted_column END;
        IF old_name = ANY (old.version_columns) THEN
            -- The default next_version names the column; another one must
            -- still mean something under the new name.
            BEGIN
                reg.next_version := current_view_internal._check_history_options(tbl, reg.key_columns,
                    reg.version_columns, reg.current_column, reg.deleted_column,
                    CASE WHEN old.next_version = ARRAY[format('%I + 1', old_name)]
                              OR (cardinality(old.version_columns) > 1 AND old.next_version =
                                  current_view_internal._composite_next_version(old.version_columns)) THEN NULL
                         ELSE old.next_version END);
            EXCEPTION WHEN undefined_column THEN
                RAISE EXCEPTION 'cannot rename version column "%" of versioned table %', old_name, tbl
                    USING ERRCODE = 'feature_not_supported',
                          DETAIL = format('Its next_version %s names the column.', old.next_version),
                          HINT = 'Unregister the table, rename the column, then register the table again with next_version.';
            END;
        END IF;
    END IF;

    -- The relations whose columns are the table's: the current table, and
    -- the view.  Only the registration's own are (see _registered_relations):
    -- without them there is nothing to follow.
    SELECT c.oid INTO cur FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = old.table_schema AND c.relname = old.current_table AND c.relkind = 'r'
      AND c.relowner = (SELECT relowner FROM pg_class WHERE oid = tbl);
    SELECT c.oid INTO shown FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = old.table_schema AND c.relname = old.view_name
      AND c.relkind = CASE WHEN old.view_name = old.current_table THEN 'r' ELSE 'v' END
      AND c.relowner = (SELECT relowner FROM pg_class WHERE oid = tbl);
    IF shown IS NULL OR (old.current_table IS NOT NULL AND cur IS NULL) THEN
        RETURN;
    END IF;

    -- A renamed column: its name in the view or current table follows.
    IF new_name IS NOT NULL THEN
        SELECT a.attname INTO shown_name FROM pg_attribute a
        WHERE a.attrelid = coalesce(cur, shown) AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attname IS DISTINCT FROM CASE WHEN cur IS NULL THEN reg.current_column END
          AND NOT EXISTS (SELECT 1 FROM pg_attribute h WHERE h.attrelid = tbl AND h.attname = a.attname
                          AND h.attnum > 0 AND NOT h.attisdropped);
        IF FOUND THEN
            IF cur IS NOT NULL THEN
                EXECUTE format('ALTER TABLE %s RENAME COLUMN %I TO %I', cur, shown_name, new_name);
            END IF;
            IF shown IS DISTINCT FROM cur THEN
                EXECUTE format('ALTER VIEW %s RENAME COLUMN %I TO %I', shown, shown_name, new_name);
            END IF;
        END IF;
        IF old_name = ANY (old.key_columns) AND old.heads_table IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I.%I RENAME COLUMN %I TO %I', old.table_schema, old.heads_table,
                           old_name, new_name);
        END IF;
        -- Column lists name the new column; full index definitions (see
        -- _index_definition) stay as registered, their indexes follow.
        reg.current_indexes := ARRAY(
            SELECT CASE WHEN current_view_internal._is_index_definition(s.spec) THEN s.spec
                        ELSE (SELECT string_agg(format('%I%s', CASE WHEN p.column_name = coalesce(old_name, shown_name)
                                                                   THEN new_name ELSE p.column_name END,
                                                       CASE WHEN p.descending THEN ' DESC' ELSE '' END), ', ')
                              FROM current_view_internal._parse_column_list(s.spec) p) END
            FROM unnest(old.current_indexes) WITH ORDINALITY s(spec, i) ORDER BY s.i);
    END IF;

    table_columns := ARRAY(SELECT attname::text FROM pg_attribute
                           WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped
                             AND attname IS DISTINCT FROM reg.current_column ORDER BY attnum);
    IF cur IS NOT NULL THEN
        -- 'table': the current table has the table's columns, of its types,
        -- and the values of the history rows it holds.
        FOR col IN
            SELECT coalesce(h.attname, c.attname) AS name, h.attnum IS NULL AS dropped,
                   c.attnum IS NULL AS added,
                   format_type(h.atttypid, h.atttypmod) AS type_sql,
                   CASE WHEN h.attcollation <> 0 AND h.attcollation IS DISTINCT FROM c.attcollation
                          OR c.attnum IS NULL AND h.attcollation <> 0
                        THEN format(' COLLATE %I.%I', cn.nspname, co.collname) ELSE '' END AS collate_sql,
                   h.atthasdef OR h.attidentity <> '' OR h.attgenerated <> '' AS has_values,
                   h.attname = ANY (reg.key_columns || reg.version_columns || reg.deleted_column) AS registered
            FROM (SELECT * FROM pg_attribute WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped) h
            FULL JOIN (SELECT * FROM pg_attribute WHERE attrelid = cur AND attnum > 0 AND NOT attisdropped) c
              ON c.attname = h.attname
            LEFT JOIN pg_collation co ON co.oid = h.attcollation
            LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
            WHERE h.attnum IS NULL OR c.attnum IS NULL
               OR (h.atttypid, h.atttypmod, h.attcollation) IS DISTINCT FROM (c.atttypid, c.atttypmod, c.attcollation)
            ORDER BY h.attnum
        LOOP
            changed := true;
            IF col.registered THEN
                PERFORM current_view_internal._refuse_column_ddl(tbl, col.name, 'alter the type of');
            END IF;
            IF shown <> cur AND view_kept IS NULL AND NOT col.added THEN
                -- The view of the live rows depends on the columns: made again below.
                view_kept := current_view_internal._drop_view_keeping(shown);
            END IF;
            IF col.dropped THEN
                EXECUTE format('ALTER TABLE %s DROP COLUMN %I', cur, col.name);
                CONTINUE;
            END IF;
            IF col.added THEN
                EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s%s', cur, col.name, col.type_sql, col.collate_sql);
            ELSE
                EXECUTE format('ALTER TABLE %1$s ALTER COLUMN %2$I DROP NOT NULL, ALTER COLUMN %2$I TYPE %3$s%4$s USING NULL',
                               cur, col.name, col.type_sql, col.collate_sql);
            END IF;
            IF col.has_values OR NOT col.added THEN
                refill := refill || col.name;
            END IF;
        END LOOP;
        -- Inserts through the current table take the table's defaults.
        FOR col IN
            SELECT h.attname AS name, hd.expr AS want
            FROM pg_attribute h
            JOIN pg_attribute c ON c.attrelid = cur AND c.attname = h.attname
            LEFT JOIN LATERAL (SELECT pg_get_expr(adbin, adrelid) AS expr FROM pg_attrdef
                               WHERE adrelid = tbl AND adnum = h.attnum
                                 AND h.attgenerated = '' AND h.attidentity = '') hd ON true
            LEFT JOIN LATERAL (SELECT pg_get_expr(adbin, adrelid) AS expr FROM pg_attrdef
                               WHERE adrelid = cur AND adnum = c.attnum) cd ON true
            WHERE h.attrelid = tbl AND h.attnum > 0 AND NOT h.attisdropped
              AND hd.expr IS DISTINCT FROM cd.expr
        LOOP
            EXECUTE format('ALTER TABLE %s ALTER COLUMN %I %s', cur, col.name,
                           coalesce('SET DEFAULT ' || col.want, 'DROP DEFAULT'));
        END LOOP;
        IF cardinality(refill) > 0 THEN
            -- Each current row takes the values of its history row; the
            -- current table's triggers let the update through.
            PERFORM current_view_internal._allow_flag_writes(tbl);
            EXECUTE format('UPDATE %s c SET (%s) = ROW(%s) FROM %s h WHERE %s',
                           cur, current_view_internal._column_list(refill),
                           (SELECT string_agg(format('h.%I', r), ', ') FROM unnest(refill) r), tbl,
                           (SELECT string_agg(format('c.%1$I %2$s h.%1$I', u.c,
                                                     current_view_internal._btree_operator(a.atttypid, 3)), ' AND ')
                            FROM unnest(reg.key_columns || reg.version_columns) u(c)
                            JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c));
            PERFORM current_view_internal._end_flag_writes(tbl);
        END IF;
        FOR col IN SELECT attname FROM pg_attribute h
                   WHERE attrelid = tbl AND attname = ANY (refill) AND attnotnull LOOP
            EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', cur, col.attname);
        END LOOP;
        IF shown <> cur THEN
            IF view_kept IS NOT NULL THEN
                shown := current_view_internal._create_view_keeping(old.table_schema, old.view_name,
                    current_view_internal._view_query(tbl, reg.strategy, reg.key_columns,
                        reg.version_columns, reg.current_column, reg.deleted_column, cur),
                    view_kept);
            ELSIF changed THEN
                EXECUTE format('CREATE OR REPLACE VIEW %s AS %s', shown,
                               current_view_internal._view_query(tbl, reg.strategy, reg.key_columns,
                                   reg.version_columns, reg.current_column, reg.deleted_column, cur));
            END IF;
        END IF;
    ELSE
        -- 'flag', 'view': added and retyped columns join the view (the start
        -- of the command took dropped and retyped ones out), in their place.
        view_columns := ARRAY(SELECT attname::text FROM pg_attribute
                              WHERE attrelid = shown AND attnum > 0 AND NOT attisdropped ORDER BY attnum);
        IF view_columns <> table_columns THEN
            changed := true;
            IF view_columns = table_columns[1:cardinality(view_columns)] THEN
                EXECUTE format('CREATE OR REPLACE VIEW %s AS %s', shown,
                               current_view_internal._view_query(tbl, reg.strategy, reg.key_columns,
                                   reg.version_columns, reg.current_column, reg.deleted_column));
            ELSE
                shown := current_view_internal._create_view_keeping(old.table_schema, old.view_name,
                    current_view_internal._view_query(tbl, reg.strategy, reg.key_columns,
                        reg.version_columns, reg.current_column, reg.deleted_column),
                    current_view_internal._drop_view_keeping(shown));
            END IF;
        END IF;
    END IF;

    IF old_name IS NOT NULL THEN
        PERFORM current_view_internal._recreate_triggers(t, old_name, new_name, reg.next_version)
        FROM unnest(ARRAY[tbl, shown, cur]) t WHERE t IS NOT NULL GROUP BY t;
    END IF;

    -- The generated functions name and return the columns: made again when
    -- they may not match any more, with their owner and privileges.
    IF cardinality(old.created_functions) > 0 AND (changed OR
       (SELECT array_agg(u.n ORDER BY u.i) FILTER (WHERE u.m = 't')
        FROM pg_proc p, unnest(p.proargnames, p.proargmodes) WITH ORDINALITY u(n, m, i)
        WHERE p.oid = to_regprocedure(old.created_functions[1])) IS DISTINCT FROM table_columns) THEN
        reg.created_functions := current_view_internal._remake_history_functions(reg, tbl,
                                                                                 old.created_functions);
    END IF;
    IF reg IS DISTINCT FROM old THEN
        PERFORM current_view_internal._registry_delete(old);
        PERFORM current_view_internal._registry_insert(reg);
    END IF;
    -- What was made again, by the role running the command, gets the table's owner.
    PERFORM current_view_internal._follow_table(tbl, r.oid, r.oid) FROM pg_roles r WHERE r.rolname = current_user;
END
$$;

CREATE FUNCTION current_view_internal._follow_column_ddl()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cmd record;
BEGIN
    -- The commands that follow run ALTER TABLE on the table themselves.
    IF current_setting('current_view_ddl.following_columns', true) = 'on' THEN
        RETURN;
    END IF;
    PERFORM set_config('current_view_ddl.following_columns', 'on', false);
    FOR cmd IN
        SELECT d.objid::regclass AS tbl,
               max(d.objsubid) FILTER (WHERE d.object_type = 'table column')::smallint AS renamed
        FROM pg_event_trigger_ddl_commands() d
        JOIN pg_class c ON c.oid = d.objid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN current_view_internal.versioned_table_registry r
          ON r.table_schema = n.nspname AND r.table_name = c.relname
        WHERE d.command_tag = 'ALTER TABLE' AND d.classid = 'pg_class'::regclass
        GROUP BY d.objid
    LOOP
        PERFORM current_view_internal._follow_columns(cmd.tbl, cmd.renamed);
    END LOOP;
    PERFORM set_config('current_view_ddl.following_columns', '', false);
END
$$;

CREATE FUNCTION current_view_internal._before_column_ddl_command()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'current_view_before_column_ddl'
LANGUAGE C;

CREATE EVENT TRIGGER current_view_prepare_columns ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION current_view_internal._before_column_ddl_command();

CREATE EVENT TRIGGER current_view_follow_columns ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION current_view_internal._follow_column_ddl();
