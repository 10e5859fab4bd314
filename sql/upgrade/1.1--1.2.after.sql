
-- After the functions of 1.2: registrations made before 1.2 get what a
-- registration of 1.2 makes, as a fresh install would have them.  Composite
-- versions without next_version get its default (their triggers made again
-- with it), and every registration's generated functions are made again
-- (prefix as-of functions, null version arguments refused), with their
-- privileges and owner.
DO $upgrade$
DECLARE
    reg current_view_internal.versioned_table_registry;
    old current_view_internal.versioned_table_registry;
    tbl regclass;
    fn regprocedure;
    sig text;
    -- Privileges of the old functions by signature: the functions made
    -- again are not in the same order (prefix as-of functions are new).
    acls jsonb;
    owner oid;
BEGIN
    FOR reg IN SELECT * FROM current_view_internal.versioned_table_registry LOOP
        old := reg;
        acls := '{}'::jsonb;
        tbl := format('%I.%I', reg.table_schema, reg.table_name)::regclass;
        owner := (SELECT relowner FROM pg_class WHERE oid = tbl);
        IF reg.next_version IS NULL AND cardinality(reg.version_columns) > 1 THEN
            reg.next_version := current_view_internal._check_history_options(tbl, reg.key_columns,
                reg.version_columns, reg.current_column, reg.deleted_column, NULL);
            IF reg.next_version IS NOT NULL THEN
                PERFORM current_view_internal._recreate_triggers(t, reg.version_columns[1],
                                                                 reg.version_columns[1], reg.next_version)
                FROM unnest(ARRAY[tbl, to_regclass(format('%I.%I', reg.table_schema, reg.view_name)),
                                  CASE WHEN reg.current_table IS NOT NULL
                                       THEN to_regclass(format('%I.%I', reg.table_schema, reg.current_table)) END]) t
                WHERE t IS NOT NULL GROUP BY t;
            END IF;
        END IF;
        FOREACH sig IN ARRAY reg.created_functions LOOP
            fn := to_regprocedure(sig);
            IF fn IS NOT NULL THEN
                acls := acls || jsonb_build_object(fn::text, (SELECT proacl::text FROM pg_proc WHERE oid = fn));
                EXECUTE format('DROP FUNCTION %s', fn);
            END IF;
        END LOOP;
        reg.created_functions := current_view_internal._create_history_functions(tbl, reg.key_columns,
            reg.version_columns, reg.strategy, reg.current_column, coalesce(reg.current_table, reg.view_name),
            reg.deleted_column, reg.next_version);
        FOR i IN 1 .. cardinality(reg.created_functions) LOOP
            fn := to_regprocedure(reg.created_functions[i]);
            -- Made by the extension's script, they would be its members.
            EXECUTE format('ALTER EXTENSION current_view DROP FUNCTION %s', fn);
            EXECUTE format('ALTER FUNCTION %s OWNER TO %I', fn, (SELECT rolname FROM pg_roles WHERE oid = owner));
            -- The registered signature is schema-qualified: _restore_grants
            -- resolves it under its own search_path, where fn::text might not
            -- be found.
            PERFORM current_view_internal._restore_grants('FUNCTION', reg.created_functions[i],
                                                          (acls->>(fn::text))::aclitem[]);
        END LOOP;
        IF reg IS DISTINCT FROM old THEN
            PERFORM current_view_internal._registry_delete(old);
            PERFORM current_view_internal._registry_insert(reg);
        END IF;
    END LOOP;
END
$upgrade$;
