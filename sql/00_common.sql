-- current_view: install script, assembled from sql/*.sql in name order.
\echo Use "CREATE EXTENSION current_view" to load this file. \quit

-- Every function of the extension runs with search_path = pg_catalog, pg_temp
-- and names everything else schema-qualified (CVE-2018-1058).

-- The public API lives in the extension's schema; trigger functions, helpers
-- and the registry live here, out of the user's schema.  Plain CREATE SCHEMA:
-- a schema of that name made beforehand by anyone makes installation fail
-- instead of being taken over (CVE-2022-2625).
CREATE SCHEMA current_view_internal;
COMMENT ON SCHEMA current_view_internal IS 'internal objects of the current_view extension';
-- Registration functions run as their caller and create triggers that name
-- the trigger functions here.
GRANT USAGE ON SCHEMA current_view_internal TO PUBLIC;

-- Raise 42809 unless tbl is a table, 42501 unless the caller owns it
-- (directly or through a role).
CREATE FUNCTION current_view_internal._require_owner(tbl regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = tbl) NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', tbl USING ERRCODE = 'wrong_object_type';
    END IF;
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = tbl), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- The only writers of the registry tables (see src/registry.c): insert a
-- row, or delete the row with a row's primary key, after checking that the
-- caller owns the tables it names (deleting is also allowed once one of them
-- is gone); PUBLIC may only read the registry.
CREATE FUNCTION current_view_internal._registry_insert(new_row anyelement)
RETURNS void
AS 'MODULE_PATHNAME', 'current_view_registry_insert'
LANGUAGE C;

CREATE FUNCTION current_view_internal._registry_delete(old_row anyelement)
RETURNS bigint
AS 'MODULE_PATHNAME', 'current_view_registry_delete'
LANGUAGE C;

-- Run a statement that the extension's maintenance (rebuilds, partition
-- repairs) built for tbl, with the parameters as $1, $2, ..., as the owner of
-- tbl in a security-restricted operation, as PostgreSQL runs REINDEX: its
-- writes run the index expressions and triggers of the owner's tables, which
-- must not run with the rights of the (super)user running the maintenance.
-- Refused (42501) to a caller without the privileges of the owner; returns
-- the rows processed.
CREATE FUNCTION current_view_internal._execute_as_owner(tbl regclass, statement text, VARIADIC params "any")
RETURNS bigint
AS 'MODULE_PATHNAME', 'current_view_execute_as_owner'
LANGUAGE C;

-- OPERATOR(schema.op) of a strategy (1 <, 2 <=, 3 =, 4 >=, 5 >) of the type's
-- default btree class, for generated SQL that must not depend on search_path.
CREATE FUNCTION current_view_internal._btree_operator(typ regtype, strategy integer)
RETURNS text
AS 'MODULE_PATHNAME', 'current_view_btree_operator'
LANGUAGE C STRICT STABLE;

-- Split an index column list such as 'party_id, "Created At" DESC' into its
-- columns (unquoted names folded to lower case, as SQL does) and directions.
CREATE FUNCTION current_view_internal._parse_column_list(list text)
RETURNS TABLE (column_name name, descending boolean)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rest text := list;
    m text[];
BEGIN
    LOOP
        m := regexp_match(rest,
            '^\s*("(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)(?:\s+(asc|desc))?\s*(?:,|$)(.*)$',
            'i');
        IF m IS NULL THEN
            RAISE EXCEPTION 'invalid column list "%"', list
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Write column names separated by commas, each optionally followed by ASC or DESC.';
        END IF;
        column_name := CASE WHEN left(m[1], 1) = '"'
                            THEN replace(substr(m[1], 2, length(m[1]) - 2), '""', '"')
                            ELSE lower(m[1]) END;
        descending := lower(coalesce(m[2], 'asc')) = 'desc';
        RETURN NEXT;
        rest := m[3];
        EXIT WHEN rest ~ '^\s*$';
    END LOOP;
END
$$;

-- The longest beginning of s, cut on a character boundary, of at most
-- bytes bytes.
CREATE FUNCTION current_view_internal._clip(s text, bytes integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    clipped text := s;
BEGIN
    WHILE octet_length(clipped) > greatest(bytes, 0) LOOP
        clipped := left(clipped, -1);
    END LOOP;
    RETURN clipped;
END
$$;

-- A name built from a base and a suffix that fits in NAMEDATALEN: when it
-- must be shortened, the base (then, if it is too long itself, the suffix)
-- is cut on a character boundary, by bytes so that multibyte names keep
-- their suffix, and followed by a short hash of both, so that bases with a
-- common beginning keep distinct names.
CREATE FUNCTION current_view_internal._object_name(base name, suffix text)
RETURNS name
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN octet_length(base || '_' || suffix) <= 63 THEN (base || '_' || suffix)::name
                ELSE (current_view_internal._clip(base, 53 - octet_length(current_view_internal._clip(suffix, 53)))
                      || '_' || left(md5(base || '_' || suffix), 8) || '_'
                      || current_view_internal._clip(suffix, 53))::name END
$$;

-- Always true.  The view of a 'flag' table calls it in its WHERE clause: the
-- planner folds the call, which loads the library before a statement on the
-- view starts running, so that the library sees that statement (an UPDATE
-- through the view appends a version; see src/statements.c).
CREATE FUNCTION current_view_internal._load_library()
RETURNS boolean
AS 'MODULE_PATHNAME', 'current_view_load_library'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
