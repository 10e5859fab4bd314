-- History features: strategy 'table', writes through <view_name>, as-of
-- queries and revert.

CREATE FUNCTION current_view_internal.current_view_table_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_table_trigger'
LANGUAGE C;

CREATE FUNCTION current_view_internal.current_view_write_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_write_trigger'
LANGUAGE C;

-- "k1 = r1 AND k2 = r2 ..." for columns of tbl, in their types' btree order.
CREATE FUNCTION current_view_internal._equal_sql(tbl regclass, cols name[], rhs text[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(format('%I %s %s', u.c, current_view_internal._btree_operator(a.atttypid, 3), rhs[u.i]),
                      ' AND ' ORDER BY u.i)
    FROM unnest(cols) WITH ORDINALITY u(c, i)
    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c
$$;

-- "(v1, v2, ...) > (r1, r2, ...)", left to right, in each type's btree order.
CREATE FUNCTION current_view_internal._greater_sql(tbl regclass, cols name[], rhs text[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result text;
    typ oid;
BEGIN
    FOR i IN REVERSE cardinality(cols) .. 1 LOOP
        SELECT atttypid INTO typ FROM pg_attribute WHERE attrelid = tbl AND attname = cols[i];
        IF result IS NULL THEN
            result := format('(%I %s %s)', cols[i], current_view_internal._btree_operator(typ, 5), rhs[i]);
        ELSE
            result := format('(%1$I %2$s %4$s OR (%1$I %3$s %4$s AND %5$s))', cols[i],
                             current_view_internal._btree_operator(typ, 5), current_view_internal._btree_operator(typ, 3),
                             rhs[i], result);
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- "current_view_internal._require_version($first, fname, 'c1') AND ..." for
-- the version parameters of a generated as-of function.
CREATE FUNCTION current_view_internal._require_version_sql(cols name[], first int, fname text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(format('current_view_internal._require_version($%s, %L, %L)', first + u.i - 1, fname, u.c),
                      ' AND ' ORDER BY u.i)
    FROM unnest(cols) WITH ORDINALITY u(c, i)
$$;

-- "$first, $first+1, ..." for n parameters.
CREATE FUNCTION current_view_internal._params(first int, n int)
RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg('$' || g ORDER BY g), '{}') FROM generate_series(first, first + n - 1) g
$$;

-- True, or 22004 when an as-of argument is null: a null version has no
-- place in the version order (it would silently mean "strictly before").
-- IMMUTABLE, so that with a constant argument it is checked once, at plan
-- time, and the generated as-of functions stay inlinable.
CREATE FUNCTION current_view_internal._require_version(version anyelement, fname text, column_name text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF version IS NULL THEN
        RAISE EXCEPTION 'version argument "%" of % must not be null', column_name, fname
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass fewer version arguments for "the latest version within" a prefix of the version.';
    END IF;
    RETURN true;
END
$$;

-- The default next_version of several version columns: "v1, v2, ..., vn + 1".
CREATE FUNCTION current_view_internal._composite_next_version(version_columns name[])
RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT array_agg(CASE WHEN u.i < cardinality(version_columns) THEN format('%I', u.c)
                          ELSE format('%I + 1', u.c) END ORDER BY u.i)
    FROM unnest(version_columns) WITH ORDINALITY u(c, i)
$$;

-- Validate deleted_column and next_version; return next_version, or its
-- default: for a single integer, numeric or timestamp version column, and
-- for several version columns whose last is an integer or numeric (the
-- others kept, the last + 1: greater than the current row, which is the
-- key's greatest version, so it cannot collide with the key's versions).
CREATE FUNCTION current_view_internal._check_history_options(
    tbl regclass, key_columns name[], version_columns name[], flag_column name,
    deleted_column name, next_version text[])
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    att pg_attribute;
    version_type regtype;
BEGIN
    IF deleted_column IS NOT NULL THEN
        att := current_view_internal._column(tbl, deleted_column, 'deleted');
        IF att.atttypid <> 'boolean'::regtype THEN
            RAISE EXCEPTION 'deleted column "%" of table % must be of type boolean', deleted_column, tbl
                USING ERRCODE = 'datatype_mismatch';
        END IF;
        PERFORM current_view_internal._require_written_column(att, 'deleted');
        IF deleted_column = ANY (key_columns || version_columns) OR deleted_column = flag_column THEN
            RAISE EXCEPTION 'deleted_column must name a column other than the key, version and current columns'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    IF next_version IS NULL THEN
        IF cardinality(version_columns) = 1 THEN
            SELECT atttypid INTO version_type FROM pg_attribute
            WHERE attrelid = tbl AND attname = version_columns[1];
            next_version := CASE
                WHEN version_type IN ('smallint', 'integer', 'bigint', 'numeric')
                    THEN ARRAY[format('%I + 1', version_columns[1])]
                WHEN version_type = 'timestamptz'::regtype
                    THEN ARRAY['pg_catalog.clock_timestamp()']
                WHEN version_type = 'timestamp'::regtype
                    THEN ARRAY['pg_catalog.clock_timestamp()::pg_catalog.timestamp']
            END;
        ELSE
            SELECT atttypid INTO version_type FROM pg_attribute
            WHERE attrelid = tbl AND attname = version_columns[cardinality(version_columns)];
            -- A unique index without the key (say a table-wide (block,
            -- sequence)) could hold the next sequence number under another
            -- key: no default then, rather than a unique violation later.
            IF version_type IN ('smallint', 'integer', 'bigint', 'numeric') AND NOT EXISTS (
                SELECT FROM pg_index i
                WHERE i.indrelid = tbl AND i.indisunique
                  AND NOT (SELECT array_agg(attnum) FROM pg_attribute
                           WHERE attrelid = tbl AND attname = ANY (key_columns)) <@ i.indkey::int2[]) THEN
                next_version := current_view_internal._composite_next_version(version_columns);
            END IF;
        END IF;
        RETURN next_version;
    END IF;
    IF cardinality(next_version) IS DISTINCT FROM cardinality(version_columns)
       OR array_position(next_version, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'next_version must give one expression per version column'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Errors in the expressions show now rather than at the first UPDATE.
    EXECUTE format('SELECT %s FROM (SELECT %s) AS current_version',
                   (SELECT string_agg(format('(%s)::%s', e, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
                    FROM unnest(next_version, version_columns) WITH ORDINALITY u(e, c, i)
                    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c),
                   (SELECT string_agg(format('NULL::%s AS %I', format_type(a.atttypid, NULL), u.c), ', ' ORDER BY u.i)
                    FROM unnest(version_columns) WITH ORDINALITY u(c, i)
                    JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c));
    RETURN next_version;
END
$$;

-- Arguments of the triggers of current_table.c, in their order.
CREATE FUNCTION current_view_internal._history_trigger_args(
    table_schema name, table_name name, current_table name, flag_column name,
    deleted_column name, key_columns name[], version_columns name[], next_version text[])
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_literal(a), ', ' ORDER BY i)
    FROM unnest(ARRAY[table_schema, table_name, coalesce(current_table, ''), coalesce(flag_column, ''),
                      coalesce(deleted_column, ''), cardinality(key_columns)::text,
                      cardinality(version_columns)::text]
                || key_columns::text[] || version_columns::text[]
                || coalesce(next_version, '{}')) WITH ORDINALITY u(a, i)
$$;

-- Strategy 'table': create the current table, fill it in one set-based pass,
-- and create the triggers.  With a deleted column, the table keeps the
-- tombstones too (named <view_name>_rows) and <view_name> is a view of the
-- live rows.  index_specs are definitions of _index_definition.  Returns the
-- name of the current table.
CREATE FUNCTION current_view_internal._create_current_table(
    tbl regclass, key_columns name[], version_columns name[], view_name name,
    index_specs text[], append_only boolean, backfill boolean,
    deleted_column name, next_version text[])
RETURNS name
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    current_table name := CASE WHEN deleted_column IS NULL THEN view_name
                               ELSE current_view_internal._object_name(view_name, 'rows') END;
    qcurrent text;
    columns text := current_view_internal._visible_columns(tbl, NULL);
    key_list text := current_view_internal._column_list(key_columns);
    live_filter text := '';
    args text;
BEGIN
    SELECT c.relname, n.nspname, c.relowner INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    qcurrent := format('%I.%I', rel.nspname, current_table);
    IF deleted_column IS NOT NULL THEN
        live_filter := format(' WHERE NOT %I', deleted_column);
    END IF;
    IF to_regclass(qcurrent) IS NOT NULL THEN
        PERFORM current_view_internal._adopt_current_table(tbl, qcurrent::regclass, key_columns,
                                                           version_columns, backfill);
        backfill := false;
    ELSE
        EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS, PRIMARY KEY (%s))',
                       qcurrent, tbl, key_list);
        EXECUTE format('ALTER TABLE %s OWNER TO %I', qcurrent,
                       (SELECT rolname FROM pg_roles WHERE oid = rel.relowner));
    END IF;
    -- A repeated entry adopts the index of the first.
    FOR i IN 1 .. cardinality(index_specs) LOOP
        PERFORM current_view_internal._create_index(qcurrent::regclass, index_specs[i],
                    current_view_internal._object_name(rel.relname, 'current_' || i), false,
                    deleted_column, false);
    END LOOP;
    IF backfill THEN
        EXECUTE format('INSERT INTO %s (%s) SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s',
                       qcurrent, columns, key_list, columns, tbl, key_list,
                       current_view_internal._column_list(version_columns, ' DESC'));
    END IF;
    IF deleted_column IS NOT NULL THEN
        -- A simple view: its UPDATE and DELETE reach the table's triggers
        -- with the row locked and re-checked.
        PERFORM current_view_internal._create_or_adopt_view(tbl, rel.nspname, view_name,
                    current_view_internal._view_query(tbl, 'table', key_columns, version_columns,
                                                      NULL, deleted_column, qcurrent::regclass));
    END IF;

    args := current_view_internal._history_trigger_args(rel.nspname, rel.relname, current_table, NULL,
                                              deleted_column, key_columns, version_columns,
                                              next_version);
    EXECUTE format('CREATE TRIGGER current_view_insert AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                   tbl, args);
    EXECUTE format('CREATE TRIGGER current_view_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                   tbl, args);
    IF NOT append_only THEN
        EXECUTE format('CREATE TRIGGER current_view_after_update AFTER UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                       tbl, args);
        EXECUTE format('CREATE TRIGGER current_view_delete AFTER DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_table_trigger(%s)',
                       tbl, args);
    END IF;
    EXECUTE format('CREATE TRIGGER current_view_write BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%s)',
                   qcurrent, args);
    IF deleted_column IS NOT NULL THEN
        -- A deleted row's tombstone takes its place.
        EXECUTE format('CREATE TRIGGER current_view_tombstone AFTER DELETE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_write_trigger(%s)',
                       qcurrent, args);
    END IF;
    RETURN current_table;
END
$$;

-- Strategy 'table': adopt the existing table current (of the name the
-- current table would get) instead of creating it: a table an application
-- kept by hand.  Refused, before anything changes: a relation that is not
-- a plain table, or that is tbl, another registration's or an extension's
-- (42P07); a table of another owner than tbl's (42501, even for a
-- superuser: a table planted by someone else must not become the
-- registration's); columns other than those a fresh registration would
-- create: names and order (42P07), types, typmods and collations (42804);
-- generated or identity columns, other defaults, NOT NULL the history does
-- not have, triggers, rules, inheritance, partitions, another persistence,
-- CHECK, exclusion or foreign key constraints either way, FORCE ROW LEVEL
-- SECURITY, a deferrable primary key or unique constraint, privileges
-- other than SELECT granted to other roles (on the
-- table or its columns), a primary key on other columns, duplicate keys, and (with
-- backfill) rows of keys that have no current row in the history, which
-- the backfill would have to delete (55000).  Then it gets a primary key
-- on the key columns if it has none, and with backfill its rows are
-- replaced by the current rows.  Writers of it wait (EXCLUSIVE lock);
-- readers see its old rows until the registration commits.
CREATE FUNCTION current_view_internal._adopt_current_table(
    tbl regclass, current regclass, key_columns name[], version_columns name[], backfill boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur record;
    hist record;
    problem text;
    key_list text := current_view_internal._column_list(key_columns);
    columns text := current_view_internal._visible_columns(tbl, NULL);
    key_attnums int2[];
    pk int2[];
    n bigint;
    replaced bigint;
BEGIN
    SELECT c.oid, c.relkind, c.relowner, c.relpersistence, c.relforcerowsecurity, c.relhassubclass
    INTO cur FROM pg_class c WHERE c.oid = current;
    SELECT c.relowner, c.relpersistence INTO hist FROM pg_class c WHERE c.oid = tbl;
    IF cur.relkind <> 'r' THEN
        RAISE EXCEPTION 'relation % already exists and is not a plain table', current
            USING ERRCODE = 'duplicate_table',
                  HINT = 'Choose another view_name.';
    END IF;
    IF current = tbl
       OR EXISTS (SELECT 1 FROM current_view_internal._registered_relations() r WHERE r.rel = current)
       OR EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = current AND d.deptype = 'e') THEN
        RAISE EXCEPTION 'table % is the versioned table, or belongs to another registration or to an extension', current
            USING ERRCODE = 'duplicate_table',
                  HINT = 'Choose another view_name.';
    END IF;
    IF cur.relowner <> hist.relowner THEN
        RAISE EXCEPTION 'table % is owned by role %, not by the owner of %', current,
            cur.relowner::regrole, tbl
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only a table of the versioned table''s owner is adopted; ALTER TABLE ... OWNER TO that role first, or choose another view_name.';
    END IF;
    -- Its definition cannot change under the checks, nor its rows under the backfill.
    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', current);
    -- Its owner may have changed while the lock was awaited.
    IF (SELECT relowner FROM pg_class WHERE oid = current) <> cur.relowner THEN
        RAISE EXCEPTION 'table % changed owner during the registration', current
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Register again.';
    END IF;

    -- The columns of CREATE TABLE (LIKE tbl INCLUDING DEFAULTS).
    IF (SELECT array_agg(attname ORDER BY attnum) FROM pg_attribute
        WHERE attrelid = current AND attnum > 0 AND NOT attisdropped)
       IS DISTINCT FROM
       (SELECT array_agg(attname ORDER BY attnum) FROM pg_attribute
        WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped) THEN
        RAISE EXCEPTION 'table % already exists and its columns are not those of %', current, tbl
            USING ERRCODE = 'duplicate_table',
                  DETAIL = 'An existing table is adopted as the current table only with the same columns in the same order.',
                  HINT = 'Choose another view_name.';
    END IF;
    SELECT string_agg(format('%I is %s, not %s', c.attname,
                             format_type(c.atttypid, c.atttypmod) || coalesce(' COLLATE ' || cc.collname::text, ''),
                             format_type(h.atttypid, h.atttypmod) || coalesce(' COLLATE ' || hc.collname::text, '')),
                      '; ' ORDER BY c.attnum)
    INTO problem
    FROM pg_attribute c JOIN pg_attribute h ON h.attrelid = tbl AND h.attname = c.attname
    LEFT JOIN pg_collation cc ON cc.oid = nullif(c.attcollation, 0)
    LEFT JOIN pg_collation hc ON hc.oid = nullif(h.attcollation, 0)
    WHERE c.attrelid = current AND c.attnum > 0 AND NOT c.attisdropped
      AND (c.atttypid, c.atttypmod, c.attcollation) IS DISTINCT FROM (h.atttypid, h.atttypmod, h.attcollation);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'columns of table % differ in type from those of %', current, tbl
            USING ERRCODE = 'datatype_mismatch',
                  DETAIL = problem || '.';
    END IF;
    SELECT string_agg(format('column %I %s', c.attname,
                             CASE WHEN c.attgenerated <> '' THEN 'is generated'
                                  WHEN c.attidentity <> '' THEN 'is an identity column'
                                  WHEN c.attnotnull AND NOT h.attnotnull AND c.attname <> ALL (key_columns)
                                       THEN 'is NOT NULL'
                                  ELSE 'has another default' END),
                      '; ' ORDER BY c.attnum)
    INTO problem
    FROM pg_attribute c JOIN pg_attribute h ON h.attrelid = tbl AND h.attname = c.attname
    LEFT JOIN pg_attrdef cd ON cd.adrelid = c.attrelid AND cd.adnum = c.attnum
    LEFT JOIN pg_attrdef hd ON hd.adrelid = h.attrelid AND hd.adnum = h.attnum AND h.attgenerated = ''
    WHERE c.attrelid = current AND c.attnum > 0 AND NOT c.attisdropped
      AND (c.attgenerated <> '' OR c.attidentity <> ''
           OR (c.attnotnull AND NOT h.attnotnull AND c.attname <> ALL (key_columns))
           OR pg_get_expr(cd.adbin, cd.adrelid) IS DISTINCT FROM pg_get_expr(hd.adbin, hd.adrelid));
    SELECT concat_ws('; ', problem,
                     (SELECT 'triggers ' || string_agg(quote_ident(tgname), ', ' ORDER BY tgname)
                      FROM pg_trigger WHERE tgrelid = current AND NOT tgisinternal),
                     (SELECT 'rules ' || string_agg(quote_ident(rulename), ', ' ORDER BY rulename)
                      FROM pg_rewrite WHERE ev_class = current),
                     (SELECT 'inheritance' WHERE cur.relhassubclass
                        OR EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = current OR inhparent = current)),
                     (SELECT 'another persistence than ' || tbl::text WHERE cur.relpersistence <> hist.relpersistence),
                     (SELECT 'FORCE ROW LEVEL SECURITY' WHERE cur.relforcerowsecurity),
                     -- Writes to it append versions as the owner once it is
                     -- adopted, and TRUNCATE would empty it behind the
                     -- history's back: a grantee must not gain either.
                     (SELECT 'privileges of other roles: ' || string_agg(p, '; ' ORDER BY p)
                      FROM (SELECT format('%s to %s', string_agg(DISTINCT g.privilege_type, ', '),
                                          CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                                               ELSE quote_ident(pg_get_userbyid(g.grantee)) END) AS p
                            FROM (SELECT a.grantee, a.privilege_type
                                  FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = current
                                  UNION ALL
                                  SELECT a.grantee, a.privilege_type
                                  FROM pg_attribute t, aclexplode(t.attacl) a
                                  WHERE t.attrelid = current AND t.attnum > 0 AND NOT t.attisdropped) g
                            WHERE g.privilege_type <> 'SELECT' AND g.grantee <> cur.relowner
                            GROUP BY g.grantee) gp),
                     -- The triggers' INSERT ... ON CONFLICT cannot use a deferrable arbiter.
                     (SELECT 'deferrable unique indexes ' || string_agg(quote_ident(c.relname), ', ' ORDER BY c.relname)
                      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                      WHERE i.indrelid = current AND NOT i.indimmediate),
                     (SELECT 'constraints ' || string_agg(quote_ident(conname), ', ' ORDER BY conname)
                      FROM pg_constraint
                      WHERE (conrelid = current AND contype IN ('c', 'f', 'x'))
                         OR (confrelid = current AND contype = 'f')))
    INTO problem;
    IF problem = '' THEN
        problem := NULL;
    END IF;
    SELECT array_agg(a.attnum ORDER BY u.i) INTO key_attnums
    FROM unnest(key_columns) WITH ORDINALITY u(c, i)
    JOIN pg_attribute a ON a.attrelid = current AND a.attname = u.c;
    SELECT array_agg(k ORDER BY o) INTO pk
    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY u(k, o)
    WHERE i.indrelid = current AND i.indisprimary;
    IF pk IS NOT NULL AND pk IS DISTINCT FROM key_attnums THEN
        problem := concat_ws('; ', problem, 'a primary key on other columns than (' || key_list || ')');
    END IF;
    IF problem IS NULL AND pk IS NULL THEN
        EXECUTE format('SELECT count(*) FROM (SELECT FROM %s GROUP BY %s HAVING count(*) > 1) d',
                       current, key_list) INTO n;
        IF n > 0 THEN
            problem := format('%s keys with several rows', n);
        END IF;
    END IF;
    IF problem IS NULL AND backfill THEN
        -- Deleting rows of the application's silently is not adoption.
        EXECUTE format('SELECT count(*) FROM %s t WHERE NOT EXISTS (SELECT FROM %s h WHERE %s)',
                       current, tbl,
                       (SELECT string_agg(format('h.%1$I = t.%1$I', c), ' AND ') FROM unnest(key_columns) c))
        INTO n;
        IF n > 0 THEN
            RAISE EXCEPTION 'table % has % rows of keys without history in %', current, n, tbl
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'Adopting it would delete them.',
                      HINT = 'Delete those rows (or insert their history) first, or choose another view_name.';
        END IF;
    END IF;
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'table % cannot be adopted as the current table of %', current, tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'It has ' || problem || '.',
                  HINT = 'Change the table, or choose another view_name.';
    END IF;

    IF pk IS NULL THEN
        EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (%s)', current, key_list);
    END IF;
    IF backfill THEN
        -- Every row left is of a key with history: replace them all by the
        -- current rows, in one pass (a DELETE, not TRUNCATE: readers keep
        -- seeing the old rows until commit).  As the owner: the writes run
        -- the index expressions and predicates of the owner's table, which
        -- must not run with the rights of a superuser registering it
        -- (62_review6_adoption_runs_no_owner_code_as_superuser; $1 unused).
        replaced := current_view_internal._execute_as_owner(current,
                        format('DELETE FROM %s', current), 0);
        n := current_view_internal._execute_as_owner(current,
                 format('INSERT INTO %s (%s) SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s',
                        current, columns, key_list, columns, tbl, key_list,
                        current_view_internal._column_list(version_columns, ' DESC')), 0);
        RAISE NOTICE 'adopted table % as the current table of %: % rows replaced, % keys added',
            current, tbl, replaced, n - replaced;
    END IF;
END
$$;

-- The functions generated for a registered table: <table>_as_of(version),
-- <table>_key_as_of(key, version) and <table>_revert(key, version).
-- Returns their signatures.
CREATE FUNCTION current_view_internal._create_history_functions(
    tbl regclass, key_columns name[], version_columns name[], strategy text,
    flag_column name, current_rel name, deleted_column name, next_version text[])
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    nkeys int := cardinality(key_columns);
    nversions int := cardinality(version_columns);
    columns text := current_view_internal._visible_columns(tbl, flag_column);
    key_list text := current_view_internal._column_list(key_columns);
    version_desc text := current_view_internal._column_list(version_columns, ' DESC');
    result_columns text;
    key_params text;
    version_params text;
    live_filter text := '';
    lock_query text;
    append_sql text;
    copied text;
    copied_columns text;
    source_columns text;
    overriding text;
    signatures text[] := '{}';
    prefix_signatures text[] := '{}';
    k int;
    sig text;
    version_types text;
    fname name;
BEGIN
    SELECT c.relname, n.nspname INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
    INTO result_columns
    FROM pg_attribute
    WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped AND attname IS DISTINCT FROM flag_column;
    SELECT string_agg(format('%I %s', u.c, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
    INTO key_params
    FROM unnest(key_columns) WITH ORDINALITY u(c, i) JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;
    SELECT string_agg(format('%I %s', u.c, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
    INTO version_params
    FROM unnest(version_columns) WITH ORDINALITY u(c, i) JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;
    IF deleted_column IS NOT NULL THEN
        live_filter := format(' WHERE NOT %I', deleted_column);
    END IF;

    -- As-of queries: plain SQL with every operator schema-qualified, so that
    -- the planner can inline them (one key then is an index probe, and a
    -- filter on the key columns of _as_of reaches the DISTINCT ON) and
    -- search_path cannot change their meaning.  One pair for the whole
    -- version, then one for each shorter prefix of the version columns
    -- ("the latest version within it", inclusive); the whole version's come
    -- first in the signatures (renames keep grants by position).  A null
    -- version argument is an error (22004): the version order has no place
    -- for it.
    FOR k IN SELECT g FROM unnest(ARRAY[nversions] || ARRAY(SELECT generate_series(1, nversions - 1))) g LOOP
        SELECT string_agg(format('%I %s', u.c, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i),
               string_agg(format_type(a.atttypid, NULL), ', ' ORDER BY u.i)
        INTO version_params, version_types
        FROM unnest(version_columns[1:k]) WITH ORDINALITY u(c, i)
        JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;
        fname := current_view_internal._object_name(rel.relname, 'as_of');
        EXECUTE format($f$
            CREATE FUNCTION %1$I.%2$I(%3$s) RETURNS TABLE (%4$s) LANGUAGE sql STABLE AS $body$
                SELECT %5$s FROM (SELECT DISTINCT ON (%6$s) %5$s FROM %7$s
                                  WHERE %11$s AND NOT %8$s ORDER BY %6$s, %9$s) AS as_of%10$s
            $body$ $f$,
            rel.nspname, fname, version_params, result_columns, columns, key_list, tbl,
            current_view_internal._greater_sql(tbl, version_columns[1:k], current_view_internal._params(1, k)),
            version_desc, live_filter,
            current_view_internal._require_version_sql(version_columns[1:k], 1, format('%I.%I', rel.nspname, fname)));
        sig := format('%I.%I(%s)', rel.nspname, fname, version_types);
        IF k = nversions THEN signatures := signatures || sig; ELSE prefix_signatures := prefix_signatures || sig; END IF;

        fname := current_view_internal._object_name(rel.relname, 'key_as_of');
        EXECUTE format($f$
            CREATE FUNCTION %1$I.%2$I(%3$s, %4$s) RETURNS TABLE (%5$s) LANGUAGE sql STABLE AS $body$
                SELECT %6$s FROM (SELECT %6$s FROM %7$s WHERE %12$s AND %8$s AND NOT %9$s
                                  ORDER BY %10$s LIMIT 1) AS as_of%11$s
            $body$ $f$,
            rel.nspname, fname, key_params, version_params, result_columns, columns, tbl,
            current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
            current_view_internal._greater_sql(tbl, version_columns[1:k], current_view_internal._params(nkeys + 1, k)),
            version_desc, live_filter,
            current_view_internal._require_version_sql(version_columns[1:k], nkeys + 1, format('%I.%I', rel.nspname, fname)));
        sig := format('%I.%I(%s)', rel.nspname, fname,
                      (SELECT string_agg(format_type(atttypid, NULL), ', ' ORDER BY u.i)
                       FROM unnest(key_columns) WITH ORDINALITY u(c, i)
                       JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c) || ', ' || version_types);
        IF k = nversions THEN signatures := signatures || sig; ELSE prefix_signatures := prefix_signatures || sig; END IF;
    END LOOP;
    SELECT string_agg(format('%I %s', u.c, format_type(a.atttypid, NULL)), ', ' ORDER BY u.i)
    INTO version_params
    FROM unnest(version_columns) WITH ORDINALITY u(c, i) JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c;

    -- Revert: lock the key's current row (as writers of the key do), then
    -- append a copy of the requested version with the next version.
    lock_query := CASE strategy
        WHEN 'table' THEN format('SELECT %s FROM %I.%I WHERE %s FOR UPDATE',
                                 current_view_internal._column_list(version_columns), rel.nspname, current_rel,
                                 current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)))
        WHEN 'flag' THEN format('SELECT %s FROM %s WHERE %s AND %I FOR UPDATE',
                                current_view_internal._column_list(version_columns), tbl,
                                current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
                                flag_column)
        ELSE format('SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT 1 FOR UPDATE',
                    current_view_internal._column_list(version_columns), tbl,
                    current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
                    version_desc) END;
    IF next_version IS NULL THEN
        append_sql := format('RAISE EXCEPTION %L USING ERRCODE = %L, HINT = %L;',
                             'cannot compute the next version of ' || tbl::text, 'feature_not_supported',
                             'Register the versioned table with next_version.');
    ELSE
        -- The copy: the source's columns, with next_version over the
        -- current row's version in place of the versions.  PostgreSQL
        -- computes stored generated columns, and the identity of the new
        -- version where it is GENERATED ALWAYS (but for keys and versions).
        SELECT string_agg(CASE WHEN v.i IS NULL THEN format('source.%I', a.attname)
                               ELSE format('(%s)::%s', next_version[v.i], format_type(a.atttypid, NULL)) END,
                          ', ' ORDER BY a.attnum),
               string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum),
               string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) FILTER (WHERE v.i IS NULL),
               CASE WHEN bool_or(a.attidentity = 'a') THEN ' OVERRIDING SYSTEM VALUE' ELSE '' END
        INTO copied, copied_columns, source_columns, overriding
        FROM pg_attribute a
        LEFT JOIN unnest(version_columns) WITH ORDINALITY v(c, i) ON v.c = a.attname
        WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attname IS DISTINCT FROM flag_column AND a.attgenerated = ''
          AND (a.attidentity <> 'a' OR a.attname = ANY (key_columns || version_columns));
        append_sql := format($s$
            INSERT INTO %1$s (%2$s)%9$s
            SELECT %3$s FROM (SELECT %4$s FROM %1$s WHERE %5$s AND %6$s LIMIT 1) AS source,
                             (SELECT %7$s) AS current_version;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the version to revert to does not exist in %%', %8$L
                    USING ERRCODE = 'no_data_found';
            END IF;$s$,
            tbl, copied_columns, copied, coalesce(source_columns, 'NULL'),
            current_view_internal._equal_sql(tbl, key_columns, current_view_internal._params(1, nkeys)),
            current_view_internal._equal_sql(tbl, version_columns, current_view_internal._params(nkeys + 1, nversions)),
            (SELECT string_agg(format('_current.%1$I AS %1$I', c), ', ') FROM unnest(version_columns) c),
            tbl::text, overriding);
    END IF;
    fname := current_view_internal._object_name(rel.relname, 'revert');
    EXECUTE format($f$
        CREATE FUNCTION %1$I.%2$I(%3$s, %4$s) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp AS $body$
        #variable_conflict use_column
        DECLARE
            _current record;
        BEGIN
            %5$s INTO _current;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'key has no rows in %%', %6$L USING ERRCODE = 'no_data_found';
            END IF;
            %7$s
        END
        $body$ $f$,
        rel.nspname, fname, key_params, version_params, lock_query, tbl::text, append_sql);
    signatures := signatures || format('%I.%I(%s)', rel.nspname, fname,
                                       (SELECT string_agg(format_type(atttypid, NULL), ', ' ORDER BY u.i)
                                        FROM unnest(key_columns || version_columns) WITH ORDINALITY u(c, i)
                                        JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = u.c));
    RETURN signatures || prefix_signatures;
END
$$;

-- Drop what a registration created besides triggers and indexes on the
-- table itself: the view or current table, the heads table, the functions.
CREATE FUNCTION current_view_internal._drop_history_objects(reg current_view_internal.versioned_table_registry,
                                                           owner oid)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sig text;
    fn regprocedure;
    rel regclass;
BEGIN
    -- Quietly: after DROP TABLE ... CASCADE the view may be gone already.
    -- Only what owner owns: a name the registration freed may have passed to
    -- another role's object.
    IF reg.view_name IS DISTINCT FROM reg.current_table THEN
        rel := to_regclass(format('%I.%I', reg.table_schema, reg.view_name));
        IF rel IS NOT NULL AND (SELECT relowner FROM pg_class WHERE oid = rel) = owner THEN
            EXECUTE format('DROP VIEW %s', rel);
        END IF;
    END IF;
    -- An adopted current table was the application's: it stays, with the
    -- current rows and its primary key, without the triggers.
    IF reg.adopted_current_table THEN
        rel := to_regclass(format('%I.%I', reg.table_schema, reg.current_table));
        IF rel IS NOT NULL THEN
            EXECUTE format('DROP TRIGGER current_view_write ON %s', rel);
            IF reg.deleted_column IS NOT NULL THEN
                EXECUTE format('DROP TRIGGER current_view_tombstone ON %s', rel);
            END IF;
        END IF;
    END IF;
    FOREACH rel IN ARRAY ARRAY[CASE WHEN reg.current_table IS NOT NULL AND NOT reg.adopted_current_table
                                    THEN to_regclass(format('%I.%I', reg.table_schema, reg.current_table)) END,
                               CASE WHEN reg.heads_table IS NOT NULL
                                    THEN to_regclass(format('%I.%I', reg.table_schema, reg.heads_table)) END] LOOP
        IF rel IS NOT NULL AND (SELECT relowner FROM pg_class WHERE oid = rel) = owner THEN
            EXECUTE format('DROP TABLE %s', rel);
        END IF;
    END LOOP;
    -- Signatures are looked up, never run as SQL text.
    FOREACH sig IN ARRAY reg.created_functions LOOP
        fn := to_regprocedure(sig);
        IF fn IS NOT NULL AND (SELECT proowner FROM pg_proc WHERE oid = fn) = owner THEN
            EXECUTE format('DROP FUNCTION %s', fn);
        END IF;
    END LOOP;
END
$$;
