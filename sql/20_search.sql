
-- Search documents and search tables kept in step by triggers.

CREATE FUNCTION current_view_internal.current_view_document_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_document_trigger'
LANGUAGE C;

CREATE FUNCTION current_view_internal.current_view_search_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_search_trigger'
LANGUAGE C;

-- The deferred trigger of a search table, which recomputes at COMMIT a
-- search row that lacked an ancestor (a deferred foreign key whose parent
-- another transaction created), and the function (re)creating it according
-- to the table's sources (src/search_tables.c).
CREATE FUNCTION current_view_internal.current_view_search_recheck_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'current_view_search_recheck_trigger'
LANGUAGE C;

CREATE FUNCTION current_view_internal._search_refresh_recheck(search_schema name, search_table name)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_search_refresh_recheck'
LANGUAGE C STRICT;

-- Validate a source filter; return it deparsed (objects outside pg_catalog
-- qualified), which is what the triggers and the initial fill evaluate.
CREATE FUNCTION current_view_internal._search_filter(tbl regclass, filter text)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_search_filter'
LANGUAGE C STRICT;

-- The query computing every search row of a registered source.
CREATE FUNCTION current_view_internal._search_source_query(search_schema name, search_table name, source regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_search_source_query'
LANGUAGE C STRICT;

-- The same query with every document recomputed from its columns: the
-- oracle of check_search_table.
CREATE FUNCTION current_view_internal._search_oracle_query(search_schema name, search_table name, source regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_search_oracle_query'
LANGUAGE C STRICT;

-- The document of a registered table computed from its columns, over the
-- table named without an alias.
CREATE FUNCTION current_view_internal._search_document_sql(tbl regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_search_document_sql'
LANGUAGE C STRICT;

-- One row per table with a document column, by name (not OID).
CREATE TABLE current_view_internal.search_document_registry (
    table_schema name NOT NULL,
    table_name name NOT NULL,
    columns name[] NOT NULL,
    weights text[],
    document_column name NOT NULL,
    config_schema name NOT NULL,
    config_name name NOT NULL,
    added_document_column boolean NOT NULL,
    PRIMARY KEY (table_schema, table_name)
);
SELECT pg_catalog.pg_extension_config_dump('current_view_internal.search_document_registry', '');

-- One row per source of a search table, with its resolved chain: level 0 is
-- the source, level i+1 the table that parents[i] of level i references.
CREATE TABLE current_view_internal.search_source_registry (
    search_schema name NOT NULL,
    search_table name NOT NULL,
    position integer NOT NULL,
    source_schema name NOT NULL,
    source_table name NOT NULL,
    parents name[] NOT NULL,
    filter text,
    weights text[] NOT NULL,
    chain_schemas name[] NOT NULL,
    chain_tables name[] NOT NULL,
    key_columns name[] NOT NULL,
    document_columns name[] NOT NULL,
    search_columns name[] NOT NULL,
    created_search_table boolean NOT NULL,
    PRIMARY KEY (search_schema, search_table, source_schema, source_table)
);
SELECT pg_catalog.pg_extension_config_dump('current_view_internal.search_source_registry', '');

GRANT SELECT ON current_view_internal.search_document_registry TO PUBLIC;
GRANT SELECT ON current_view_internal.search_source_registry TO PUBLIC;

CREATE VIEW @extschema@.search_documents AS
SELECT format('%I.%I', table_schema, table_name) AS table_name,
       columns,
       weights,
       document_column,
       format('%I.%I', config_schema, config_name) AS config
FROM current_view_internal.search_document_registry;
GRANT SELECT ON @extschema@.search_documents TO PUBLIC;

CREATE VIEW @extschema@.search_sources AS
SELECT format('%I.%I', search_schema, search_table) AS search_table,
       format('%I.%I', source_schema, source_table) AS source_table,
       parents,
       filter,
       weights,
       (SELECT array_agg(format('%I.%I', s, t) ORDER BY i)
        FROM unnest(chain_schemas, chain_tables) WITH ORDINALITY AS u(s, t, i)) AS chain,
       search_columns
FROM current_view_internal.search_source_registry;
GRANT SELECT ON @extschema@.search_sources TO PUBLIC;

-- Raise 22023 unless weights is null or holds one letter A-D (or null) per
-- element of what; return them in upper case.
CREATE FUNCTION current_view_internal._search_weights(weights text[], expected integer, what text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF weights IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(weights) <> expected
       OR EXISTS (SELECT 1 FROM unnest(weights) w WHERE upper(w) NOT IN ('A', 'B', 'C', 'D')) THEN
        RAISE EXCEPTION 'invalid weights %', weights
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Give one weight per %s (%s in all), each A, B, C, D or null.', what, expected);
    END IF;
    RETURN upper(weights::text)::text[];
END
$$;

CREATE FUNCTION @extschema@.register_search_document(
    tbl regclass,
    columns name[],
    weights text[] DEFAULT NULL,
    document_column name DEFAULT 'search_document',
    config regconfig DEFAULT 'english')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel record;
    cfg record;
    col name;
    doc_type oid;
    trigger_args text;
BEGIN
    IF tbl IS NULL OR columns IS NULL OR document_column IS NULL OR config IS NULL THEN
        RAISE EXCEPTION 'only weights of register_search_document may be null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.relname, c.relkind, n.nspname INTO rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    PERFORM current_view_internal._require_owner(tbl);
    PERFORM current_view_internal._require_registrable(tbl, 'search document table');
    IF EXISTS (SELECT 1 FROM current_view_internal.search_document_registry r
               WHERE r.table_schema = rel.nspname AND r.table_name = rel.relname) THEN
        RAISE EXCEPTION 'table % already has a search document', tbl
            USING ERRCODE = 'duplicate_object',
                  HINT = 'Call unregister_search_document first to change it.';
    END IF;
    IF cardinality(columns) = 0 OR array_position(columns, NULL) IS NOT NULL
       OR (SELECT count(DISTINCT c) <> count(*) FROM unnest(columns) c)
       OR document_column = ANY (columns) THEN
        RAISE EXCEPTION 'columns must name distinct columns other than the document column, at least one'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH col IN ARRAY columns LOOP
        PERFORM current_view_internal._column(tbl, col, 'document source');
    END LOOP;
    weights := current_view_internal._search_weights(weights, cardinality(columns), 'column');
    SELECT atttypid INTO doc_type FROM pg_attribute
    WHERE attrelid = tbl AND attname = document_column AND attnum > 0 AND NOT attisdropped;
    IF doc_type IS NOT NULL AND doc_type <> 'tsvector'::regtype THEN
        RAISE EXCEPTION 'column "%" of table % must be of type tsvector to hold a search document',
            document_column, tbl
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = tbl AND attname = document_column
               AND attgenerated <> '') THEN
        RAISE EXCEPTION 'column "%" of table % is a generated column: it cannot hold a search document',
            document_column, tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT n.nspname, c.cfgname INTO cfg
    FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE c.oid = config;

    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', tbl);
    IF doc_type IS NULL THEN
        EXECUTE format('ALTER TABLE %s ADD COLUMN %I pg_catalog.tsvector', tbl, document_column);
    END IF;
    trigger_args := concat_ws(', ', quote_literal(document_column),
                              quote_literal(format('%I.%I', cfg.nspname, cfg.cfgname)),
                              (SELECT string_agg(quote_literal(c) || ', ' || quote_literal(coalesce(weights[i], '')),
                                                 ', ' ORDER BY i)
                               FROM unnest(columns) WITH ORDINALITY u(c, i)));
    -- Named to fire after the table's other BEFORE triggers, which may
    -- change the source columns.
    EXECUTE format('CREATE TRIGGER zz_current_view_document BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_document_trigger(%s)',
                   tbl, trigger_args);
    -- The trigger rebuilds a null document.
    EXECUTE format('UPDATE %s SET %I = NULL', tbl, document_column);

    PERFORM current_view_internal._registry_insert(ROW(
        rel.nspname, rel.relname, columns, weights, document_column, cfg.nspname, cfg.cfgname,
        doc_type IS NULL)::current_view_internal.search_document_registry);
END
$$;

CREATE FUNCTION @extschema@.unregister_search_document(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg current_view_internal.search_document_registry;
    used_by text;
BEGIN
    PERFORM current_view_internal._require_owner(tbl);
    SELECT r.* INTO reg
    FROM current_view_internal.search_document_registry r
    JOIN pg_class c ON c.relname = r.table_name
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.table_schema
    WHERE c.oid = tbl;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % has no search document', tbl
            USING ERRCODE = 'undefined_object';
    END IF;
    SELECT string_agg(DISTINCT format('%I.%I', s.search_schema, s.search_table), ', ') INTO used_by
    FROM current_view_internal.search_source_registry s
    CROSS JOIN LATERAL unnest(s.chain_schemas, s.chain_tables) u(sch, tab)
    WHERE u.sch = reg.table_schema AND u.tab = reg.table_name;
    IF used_by IS NOT NULL THEN
        RAISE EXCEPTION 'search document of table % is used by search table %', tbl, used_by
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Drop the search table first.';
    END IF;
    EXECUTE format('DROP TRIGGER zz_current_view_document ON %s', tbl);
    IF reg.added_document_column THEN
        EXECUTE format('ALTER TABLE %s DROP COLUMN %I', tbl, reg.document_column);
    END IF;
    PERFORM current_view_internal._registry_delete(reg);
END
$$;

-- The name of the triggers of a search table on the tables of its chains.
CREATE FUNCTION current_view_internal._search_trigger_name(search_schema name, search_table name)
RETURNS name
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT current_view_internal._object_name(('search_' || search_table)::name,
                                    left(md5(format('%I.%I', search_schema, search_table)), 8))
$$;

-- Create (again) the triggers of a search table on some tables, according to
-- the registered sources; drop them from tables no source uses any more.
-- Recreating them also resets the triggers' cached statements.
CREATE FUNCTION current_view_internal._search_refresh_triggers(search_schema name, search_table name,
                                                     tables regclass[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trg name := current_view_internal._search_trigger_name(search_schema, search_table);
    trg_truncate name := current_view_internal._object_name(trg, 'truncate');
    tbl regclass;
    old name;
    is_source boolean;
    in_chain boolean;
    args text := quote_literal(search_schema) || ', ' || quote_literal(search_table);
BEGIN
    FOREACH tbl IN ARRAY tables LOOP
        CONTINUE WHEN tbl IS NULL;
        -- Also by function and arguments: a name built by an earlier version may differ.
        FOR old IN SELECT tgname FROM pg_trigger
                   WHERE tgrelid = tbl
                     AND (tgname IN (trg, trg_truncate)
                          OR (tgfoid = 'current_view_internal.current_view_search_trigger'::regproc
                              AND current_view_internal._trigger_args(tgargs) = ARRAY[search_schema, search_table]::text[]))
        LOOP
            EXECUTE format('DROP TRIGGER %I ON %s', old, tbl);
        END LOOP;
        SELECT bool_or(u.i = 1), count(*) > 0 INTO is_source, in_chain
        FROM current_view_internal.search_source_registry s
        CROSS JOIN LATERAL unnest(s.chain_schemas, s.chain_tables) WITH ORDINALITY u(sch, tab, i)
        JOIN pg_class c ON c.relname = u.tab
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = u.sch
        WHERE s.search_schema = $1 AND s.search_table = $2 AND c.oid = tbl;
        CONTINUE WHEN NOT in_chain;
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION current_view_internal.current_view_search_trigger(%s)',
                       trg, CASE WHEN is_source THEN 'INSERT OR UPDATE OR DELETE' ELSE 'INSERT OR UPDATE' END,
                       tbl, args);
        IF is_source THEN
            EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION current_view_internal.current_view_search_trigger(%s)',
                           trg_truncate, tbl, args);
        END IF;
    END LOOP;
END
$$;

-- The single-column primary key of a table, or 22023.
CREATE FUNCTION current_view_internal._search_key(tbl regclass)
RETURNS pg_catalog.pg_attribute
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    att pg_attribute;
BEGIN
    SELECT a.* INTO att
    FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.conrelid = tbl AND c.contype = 'p' AND cardinality(c.conkey) = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % has no single-column primary key', tbl
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Search rows are keyed by the primary key of each table of the chain.';
    END IF;
    RETURN att;
END
$$;

-- Schema and name of a search table given as text; unqualified names are
-- looked up among registered search tables, or else taken in default_schema.
CREATE FUNCTION current_view_internal._search_table_name(search_table text, default_schema name,
                                               OUT search_schema name, OUT search_name name)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parts text[] := parse_ident(search_table);
    schemas name[];
BEGIN
    IF cardinality(parts) = 2 THEN
        search_schema := parts[1];
        search_name := parts[2];
        RETURN;
    ELSIF cardinality(parts) <> 1 THEN
        RAISE EXCEPTION 'invalid search table name "%"', search_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    search_name := parts[1];
    IF default_schema IS NOT NULL THEN
        search_schema := default_schema;
        RETURN;
    END IF;
    SELECT array_agg(DISTINCT r.search_schema) INTO schemas
    FROM current_view_internal.search_source_registry r WHERE r.search_table = parts[1];
    IF cardinality(schemas) > 1 THEN
        RAISE EXCEPTION 'search table name "%" is ambiguous', search_table
            USING ERRCODE = 'ambiguous_alias', HINT = 'Qualify it with its schema.';
    END IF;
    search_schema := schemas[1];
END
$$;

CREATE FUNCTION @extschema@.add_search_source(
    search_table text,
    source regclass,
    parents name[] DEFAULT '{}',
    filter text DEFAULT NULL,
    weights text[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src record;
    s_schema name;
    s_name name;
    existing boolean;
    qsearch text;
    cur regclass := source;
    nxt regclass;
    targets regclass[];
    parent name;
    att pg_attribute;
    key pg_attribute;
    rels regclass[] := '{}';
    schemas name[] := '{}';
    tables name[] := '{}';
    keys name[] := '{}';
    docs name[] := '{}';
    cols name[] := '{}';
    col_defs text[] := '{}';
    doc name;
    clash record;
    i integer;
    deparsed text;
BEGIN
    IF search_table IS NULL OR source IS NULL OR parents IS NULL THEN
        RAISE EXCEPTION 'only filter and weights of add_search_source may be null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.relname, c.relkind, n.nspname INTO src
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
    IF src.relkind <> 'r' THEN
        RAISE EXCEPTION '% is not a plain table', source USING ERRCODE = 'wrong_object_type';
    END IF;
    PERFORM current_view_internal._require_owner(source);
    SELECT * INTO s_schema, s_name FROM current_view_internal._search_table_name(search_table, src.nspname);
    qsearch := format('%I.%I', s_schema, s_name);
    existing := EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
                        WHERE r.search_schema = s_schema AND r.search_table = s_name);
    IF existing THEN
        PERFORM current_view_internal._require_owner(qsearch::regclass);
        IF EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
                   WHERE r.search_schema = s_schema AND r.search_table = s_name
                     AND r.source_schema = src.nspname AND r.source_table = src.relname) THEN
            RAISE EXCEPTION 'table % is already a source of search table %', source, qsearch
                USING ERRCODE = 'duplicate_object';
        END IF;
    ELSIF to_regclass(qsearch) IS NOT NULL THEN
        RAISE EXCEPTION 'relation % already exists', qsearch
            USING ERRCODE = 'duplicate_table',
                  HINT = 'add_search_source creates the search table on its first call.';
    END IF;
    IF array_position(parents, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'parents cannot contain nulls' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Walk the chain of foreign keys.
    i := 0;
    LOOP
        i := i + 1;
        IF cur = ANY (rels) THEN
            RAISE EXCEPTION 'the chain of source % reaches table % twice', source, cur
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM current_view_internal._require_owner(cur);
        PERFORM current_view_internal._require_registrable(cur, 'search source');
        key := current_view_internal._search_key(cur);
        SELECT r.document_column INTO doc
        FROM current_view_internal.search_document_registry r
        JOIN pg_class c ON c.relname = r.table_name
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.table_schema
        WHERE c.oid = cur;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'table % has no search document', cur
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Call register_search_document on every table of the chain first.';
        END IF;
        rels := rels || cur;
        SELECT n.nspname, c.relname INTO src FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = cur;
        schemas := schemas || src.nspname;
        tables := tables || src.relname;
        keys := keys || key.attname;
        docs := docs || doc;
        cols := cols || current_view_internal._object_name(src.relname, key.attname);
        col_defs := col_defs || format('%I %s', cols[i], format_type(key.atttypid, key.atttypmod));
        EXIT WHEN i > cardinality(parents);
        parent := parents[i];
        att := current_view_internal._column(cur, parent, 'parent');
        SELECT array_agg(DISTINCT f.confrelid::regclass) INTO targets
        FROM pg_constraint f
        JOIN pg_constraint p ON p.conrelid = f.confrelid AND p.contype = 'p' AND p.conkey = f.confkey
        WHERE f.conrelid = cur AND f.contype = 'f' AND f.conkey = ARRAY[att.attnum];
        IF cardinality(targets) IS DISTINCT FROM 1 THEN
            RAISE EXCEPTION 'column "%" of table % is not a foreign key to the primary key of one table', parent, cur
                USING ERRCODE = 'invalid_foreign_key',
                      DETAIL = 'Each parent must be a declared single-column foreign key referencing a primary key.';
        END IF;
        nxt := targets[1];
        IF (SELECT relkind FROM pg_class WHERE oid = nxt) <> 'r' THEN
            RAISE EXCEPTION '% is not a plain table', nxt USING ERRCODE = 'wrong_object_type';
        END IF;
        cur := nxt;
    END LOOP;
    IF (SELECT count(DISTINCT c) <> count(*) FROM unnest(cols) c) THEN
        RAISE EXCEPTION 'two tables of the chain of % give the same search column name', source
            USING ERRCODE = 'duplicate_column';
    END IF;
    weights := coalesce(current_view_internal._search_weights(weights, cardinality(rels), 'table of the chain'),
                        (SELECT array_agg(CASE WHEN g <= 4 THEN chr(64 + g) ELSE 'D' END ORDER BY g)
                         FROM generate_series(1, cardinality(rels)) g));

    -- A search column holds the key of one table only.
    SELECT u.col, format('%I.%I', u.sch, u.tab) AS other INTO clash
    FROM current_view_internal.search_source_registry r
    CROSS JOIN LATERAL unnest(r.search_columns, r.chain_schemas, r.chain_tables, r.key_columns)
        u(col, sch, tab, k)
    JOIN unnest(cols, schemas, tables, keys) v(col, sch, tab, k) ON v.col = u.col
    WHERE r.search_schema = s_schema AND r.search_table = s_name
      AND (u.sch, u.tab, u.k) IS DISTINCT FROM (v.sch, v.tab, v.k)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'column "%" of search table % already holds the key of table %', clash.col, qsearch, clash.other
            USING ERRCODE = 'duplicate_column';
    END IF;
    -- Rows of a source are told apart by their null columns: two sources
    -- cannot each be in the other's chain.
    IF EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
               WHERE r.search_schema = s_schema AND r.search_table = s_name
                 AND r.search_columns[1] = ANY (cols) AND cols[1] = ANY (r.search_columns)) THEN
        RAISE EXCEPTION 'the chains of % and of another source of % contain each other', source, qsearch
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF filter IS NOT NULL THEN
        deparsed := current_view_internal._search_filter(source, filter);
    END IF;

    -- Writers wait until the search rows are filled and the triggers exist.
    FOR i IN 1 .. cardinality(rels) LOOP
        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', rels[i]);
    END LOOP;
    IF NOT existing THEN
        EXECUTE format('CREATE TABLE %s (%s, document pg_catalog.tsvector NOT NULL)',
                       qsearch, array_to_string(col_defs, ', '));
        PERFORM current_view_internal._create_document_index(qsearch::regclass,
                    current_view_internal._object_name(s_name, 'document'), 'gin', NULL);
    END IF;
    FOR i IN 1 .. cardinality(cols) LOOP
        IF existing THEN
            CONTINUE WHEN EXISTS (SELECT 1 FROM pg_attribute
                                  WHERE attrelid = qsearch::regclass AND attname = cols[i]
                                    AND NOT attisdropped);
            EXECUTE format('ALTER TABLE %s ADD COLUMN %s', qsearch, col_defs[i]);
        END IF;
        EXECUTE format('CREATE INDEX %I ON %s (%I)', current_view_internal._object_name(s_name, cols[i]), qsearch, cols[i]);
    END LOOP;

    PERFORM current_view_internal._registry_insert(ROW(s_schema, s_name,
            coalesce((SELECT max(position) + 1 FROM current_view_internal.search_source_registry r
                      WHERE r.search_schema = s_schema AND r.search_table = s_name), 1),
            schemas[1], tables[1], parents, deparsed, weights, schemas, tables, keys, docs, cols,
            NOT existing)::current_view_internal.search_source_registry);
    EXECUTE format('INSERT INTO %s (%s, document) %s', qsearch, current_view_internal._column_list(cols),
                   current_view_internal._search_source_query(s_schema, s_name, source));
    PERFORM current_view_internal._search_refresh_triggers(s_schema, s_name, rels);
    PERFORM current_view_internal._search_refresh_recheck(s_schema, s_name);
    PERFORM current_view_internal._search_invalidate(qsearch::regclass);
END
$$;

-- The tables of all chains of a search table that still exist.
CREATE FUNCTION current_view_internal._search_chain_tables(search_schema name, search_table name)
RETURNS regclass[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(DISTINCT to_regclass(format('%I.%I', u.sch, u.tab))), '{}')
    FROM current_view_internal.search_source_registry r
    CROSS JOIN LATERAL unnest(r.chain_schemas, r.chain_tables) u(sch, tab)
    WHERE r.search_schema = $1 AND r.search_table = $2
$$;

CREATE FUNCTION @extschema@.drop_search_table(search_table text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s_schema name;
    s_name name;
    tables regclass[];
BEGIN
    IF search_table IS NULL THEN
        RAISE EXCEPTION 'search_table cannot be null' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO s_schema, s_name FROM current_view_internal._search_table_name(search_table, NULL);
    IF NOT EXISTS (SELECT 1 FROM current_view_internal.search_source_registry r
                   WHERE r.search_schema = s_schema AND r.search_table = s_name) THEN
        RAISE EXCEPTION 'search table "%" does not exist', search_table
            USING ERRCODE = 'undefined_table';
    END IF;
    PERFORM current_view_internal._require_owner(format('%I.%I', s_schema, s_name)::regclass);
    tables := current_view_internal._search_chain_tables(s_schema, s_name);
    PERFORM current_view_internal._registry_delete(r) FROM current_view_internal.search_source_registry r
    WHERE r.search_schema = s_schema AND r.search_table = s_name;
    PERFORM current_view_internal._search_refresh_triggers(s_schema, s_name, tables);
    EXECUTE format('DROP TABLE %I.%I', s_schema, s_name);
END
$$;

-- The document index of a search table.  GIN with a short pending list
-- (bench/studies/gin_fastupdate.md): most of fastupdate's gain for writes,
-- none of its cost for searches, which scan the pending list.  RUM with the
-- operator class of the rum extension in rum_schema.
CREATE FUNCTION current_view_internal._create_document_index(tbl regclass, index_name name, method text,
                                                            rum_schema name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF method = 'rum' THEN
        EXECUTE format('CREATE INDEX %I ON %s USING rum (document %I.rum_tsvector_ops)',
                       index_name, tbl, rum_schema);
    ELSE
        EXECUTE format('CREATE INDEX %I ON %s USING gin (document) WITH (gin_pending_list_limit = 256)',
                       index_name, tbl);
    END IF;
END
$$;

-- Rebuild the document index of a search table with GIN (the default) or
-- RUM, whose index returns rows in order of relevance: search(...,
-- ranking => 'rum') then stops after max_rows instead of ranking every
-- match (bench/studies/rum_vs_gin.md).  The new index is built before the
-- old one goes, with writers waiting (SHARE lock) and readers not.
CREATE FUNCTION @extschema@.set_search_index(search_table text, method text DEFAULT 'gin')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl regclass := current_view_internal._search_table_regclass(search_table);
    doc_attnum int2;
    old_index regclass;
    index_name name;
    rum_schema name;
    temporary_name name;
BEGIN
    IF method IS NULL OR method NOT IN ('gin', 'rum') THEN
        RAISE EXCEPTION 'invalid search index method "%"', method
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The methods are gin and rum.';
    END IF;
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of search table %', tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF method = 'rum' THEN
        SELECT n.nspname INTO rum_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'rum';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the rum extension is not installed in this database'
                USING ERRCODE = 'undefined_object',
                      HINT = 'Install the package postgresql-15-rum and run CREATE EXTENSION rum.';
        END IF;
    END IF;
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', tbl);
    SELECT attnum INTO doc_attnum FROM pg_attribute WHERE attrelid = tbl AND attname = 'document';
    SELECT i.indexrelid::regclass, c.relname INTO old_index, index_name
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
    WHERE i.indrelid = tbl AND i.indnatts = 1 AND i.indkey[0] = doc_attnum AND i.indpred IS NULL
      AND am.amname IN ('gin', 'rum')
    ORDER BY c.relname
    LIMIT 1;
    index_name := coalesce(index_name,
                           current_view_internal._object_name((SELECT relname FROM pg_class WHERE oid = tbl),
                                                              'document'));
    temporary_name := current_view_internal._object_name(index_name, 'new');
    PERFORM current_view_internal._create_document_index(tbl, temporary_name, method, rum_schema);
    IF old_index IS NOT NULL THEN
        EXECUTE format('DROP INDEX %s', old_index);
    END IF;
    EXECUTE format('ALTER INDEX %I.%I RENAME TO %I',
                   (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.oid = tbl), temporary_name, index_name);
END
$$;

-- The rows of search() and search_headlines(), as named types: a function
-- returning a named row type finds its columns in the type cache, where one
-- returning TABLE (...) rebuilds them from its pg_proc row at every call.
CREATE TYPE current_view_internal.search_result AS (source_table regclass, source_key text, rank real,
                                                    keys jsonb);
CREATE TYPE current_view_internal.search_headline_result AS (source_table regclass, source_key text,
                                                             rank real, keys jsonb, headline text);

-- Ranked full-text search of a search table (src/search_query.c): the
-- statement is prepared once per search table and shape of call, and runs
-- with the caller's rights.
CREATE FUNCTION @extschema@.search(search_table regclass, query text, max_rows integer DEFAULT 20,
                                   config regconfig DEFAULT NULL, mode text DEFAULT 'websearch',
                                   prefix boolean DEFAULT false, ranking text DEFAULT 'ts_rank',
                                   normalization integer DEFAULT 0, weights real[] DEFAULT NULL,
                                   after_rank real DEFAULT NULL, after_keys jsonb DEFAULT NULL)
RETURNS SETOF current_view_internal.search_result
AS 'MODULE_PATHNAME', 'current_view_search'
LANGUAGE C STABLE ROWS 20;

-- search() with a ts_headline of a column of each result's search row or
-- source row.
CREATE FUNCTION @extschema@.search_headlines(search_table regclass, query text, headline_column name,
                                             max_rows integer DEFAULT 20, config regconfig DEFAULT NULL,
                                             mode text DEFAULT 'websearch', prefix boolean DEFAULT false,
                                             ranking text DEFAULT 'ts_rank', normalization integer DEFAULT 0,
                                             weights real[] DEFAULT NULL, after_rank real DEFAULT NULL,
                                             after_keys jsonb DEFAULT NULL, headline_options text DEFAULT NULL)
RETURNS SETOF current_view_internal.search_headline_result
AS 'MODULE_PATHNAME', 'current_view_search_headlines'
LANGUAGE C STABLE ROWS 20;

-- Every session forgets the search() statements of a search table whose
-- sources changed.
CREATE FUNCTION current_view_internal._search_invalidate(search_table regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_search_invalidate'
LANGUAGE C STRICT;

-- The number of search rows that are missing, extra or wrong, with every
-- document recomputed from its columns, plus the number of rows of the
-- chains' tables whose stored document is not what its columns give: 0 when
-- healthy.
CREATE FUNCTION @extschema@.check_search_table(search_table regclass)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    wrong bigint := 0;
    n bigint;
BEGIN
    FOR r IN
        SELECT s.*, (SELECT array_agg(DISTINCT c) FROM current_view_internal.search_source_registry o,
                     unnest(o.search_columns) c
                     WHERE o.search_schema = s.search_schema AND o.search_table = s.search_table) AS all_columns
        FROM current_view_internal.search_source_registry s
        JOIN pg_class c ON c.relname = s.search_table
        JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = s.search_schema
        WHERE c.oid = $1
    LOOP
        -- The filters and documents are the owners' code: they run as the
        -- search table's owner, never with the caller's rights.
        n := current_view_internal._execute_as_owner(search_table, format(
            'WITH want AS (%s), have AS (SELECT %s, document FROM %s x WHERE x.%I IS NOT NULL%s)
             SELECT 1 FROM ((TABLE want EXCEPT ALL TABLE have)
                            UNION ALL (TABLE have EXCEPT ALL TABLE want)) d',
            current_view_internal._search_oracle_query(r.search_schema, r.search_table,
                                             format('%I.%I', r.source_schema, r.source_table)::regclass),
            current_view_internal._column_list(r.search_columns), search_table, r.search_columns[1],
            (SELECT coalesce(string_agg(format(' AND x.%I IS NULL', a), ''), '')
             FROM unnest(r.all_columns) a WHERE a <> ALL (r.search_columns))), NULL::integer);
        wrong := wrong + n;
    END LOOP;
    FOR r IN
        SELECT DISTINCT u.sch, u.tab, u.doc
        FROM current_view_internal.search_source_registry s
        JOIN pg_class c ON c.relname = s.search_table
        JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = s.search_schema
        CROSS JOIN LATERAL unnest(s.chain_schemas, s.chain_tables, s.document_columns) u(sch, tab, doc)
        WHERE c.oid = $1
    LOOP
        n := current_view_internal._execute_as_owner(format('%I.%I', r.sch, r.tab)::regclass,
                 format('SELECT 1 FROM ONLY %I.%I WHERE %I IS DISTINCT FROM %s',
                        r.sch, r.tab, r.doc,
                        current_view_internal._search_document_sql(format('%I.%I', r.sch, r.tab)::regclass)),
                 NULL::integer);
        wrong := wrong + n;
    END LOOP;
    RETURN wrong;
END
$$;

-- Forget the registrations of dropped tables: documents, search tables, and
-- sources whose chain lost a table (their rows stay in the search table).
-- Like _forget_dropped_tables, with the rights of the role dropping tables.
CREATE FUNCTION current_view_internal._forget_dropped_search_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dropped text[];
    st record;
BEGIN
    SELECT array_agg(format('%I.%I', d.schema_name, d.object_name)) INTO dropped
    FROM pg_event_trigger_dropped_objects() d
    WHERE d.object_type = 'table' AND NOT d.is_temporary;
    IF dropped IS NULL THEN
        RETURN;
    END IF;
    PERFORM current_view_internal._registry_delete(r) FROM current_view_internal.search_document_registry r
    WHERE format('%I.%I', r.table_schema, r.table_name) = ANY (dropped);
    FOR st IN
        SELECT r.search_schema, r.search_table,
               current_view_internal._search_chain_tables(r.search_schema, r.search_table) AS tables
        FROM current_view_internal.search_source_registry r
        WHERE format('%I.%I', r.search_schema, r.search_table) = ANY (dropped)
           OR EXISTS (SELECT 1 FROM unnest(r.chain_schemas, r.chain_tables) u(sch, tab)
                      WHERE format('%I.%I', u.sch, u.tab) = ANY (dropped))
        GROUP BY r.search_schema, r.search_table
    LOOP
        PERFORM current_view_internal._registry_delete(r) FROM current_view_internal.search_source_registry r
        WHERE r.search_schema = st.search_schema AND r.search_table = st.search_table
          AND (format('%I.%I', r.search_schema, r.search_table) = ANY (dropped)
               OR EXISTS (SELECT 1 FROM unnest(r.chain_schemas, r.chain_tables) u(sch, tab)
                          WHERE format('%I.%I', u.sch, u.tab) = ANY (dropped)));
        BEGIN
            PERFORM current_view_internal._search_refresh_triggers(st.search_schema, st.search_table, st.tables);
            PERFORM current_view_internal._search_refresh_recheck(st.search_schema, st.search_table);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'triggers of search table %.% were left behind: %',
                quote_ident(st.search_schema), quote_ident(st.search_table), SQLERRM;
        END;
    END LOOP;
END
$$;

CREATE EVENT TRIGGER current_view_forget_dropped_search_tables ON sql_drop
    EXECUTE FUNCTION current_view_internal._forget_dropped_search_tables();
