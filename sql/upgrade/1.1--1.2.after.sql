
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
BEGIN
    FOR reg IN SELECT * FROM current_view_internal.versioned_table_registry LOOP
        old := reg;
        tbl := format('%I.%I', reg.table_schema, reg.table_name)::regclass;
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
        -- A function that a user's view or function depends on cannot be
        -- dropped: that registration keeps its functions of 1.1 (no prefix
        -- as-of functions, null arguments as before), rather than fail the
        -- update.
        IF EXISTS (SELECT 1 FROM unnest(reg.created_functions) f(sig), pg_depend d
                   WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = to_regprocedure(f.sig)
                     AND d.deptype = 'n') THEN
            RAISE WARNING 'the functions generated for % are kept as they were', tbl
                USING DETAIL = 'Other objects depend on them.',
                      HINT = 'Drop those objects, then unregister and register the table again to get the functions of 1.2.';
        ELSE
            reg.created_functions := current_view_internal._remake_history_functions(reg, tbl,
                                                                                     old.created_functions);
        END IF;
        IF reg IS DISTINCT FROM old THEN
            PERFORM current_view_internal._registry_delete(old);
            PERFORM current_view_internal._registry_insert(reg);
        END IF;
    END LOOP;
END
$upgrade$;
