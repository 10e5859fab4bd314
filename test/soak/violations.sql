-- Every way the maintained objects can be wrong, as one number: 0 when
-- healthy.  check_versioned_table compares each view with its DISTINCT ON
-- oracle (and the heads table with the flags); check_search_table compares
-- each search table with its rows recomputed from the base tables; the
-- documents are compared with their definition; a counter updated only
-- through its view must have counted every version.
SELECT (SELECT coalesce(sum(check_versioned_table(table_name::regclass)), 0) FROM versioned_tables)
     + (SELECT coalesce(sum(check_search_table(search_table::regclass)), 0)
        FROM (SELECT DISTINCT search_table FROM search_sources) s)
     + (SELECT count(*) FROM make WHERE search_document IS DISTINCT FROM to_tsvector('english', name))
     + (SELECT count(*) FROM model WHERE search_document IS DISTINCT FROM to_tsvector('english', name))
     + (SELECT count(*) FROM trim WHERE search_document IS DISTINCT FROM to_tsvector('english', name))
     + (SELECT count(*) FROM (SELECT id FROM events_current GROUP BY id HAVING count(*) > 1) d)
     + (SELECT count(*) FROM (SELECT id FROM ticks_current GROUP BY id HAVING count(*) > 1) d)
     + (SELECT count(*) FROM counters_current c
        WHERE c.n <> (SELECT count(*) - 1 FROM counters h WHERE h.id = c.id))
  AS violations;
