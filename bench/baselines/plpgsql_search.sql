-- W8 baseline: a search table kept by PL/pgSQL row-level triggers, the way
-- the 2016 proof of concept did it.  When a parent's document changes, the
-- trigger loops over its children row by row and updates one search row per
-- iteration (issue 3 forbids exactly this in the extension: "never a loop per
-- child").  Expects the tables plpgsql.make, plpgsql.model, plpgsql.trim with
-- a search_document tsvector column each; creates plpgsql.vehicle_search.

CREATE TABLE plpgsql.vehicle_search (trim_id int, model_id int, make_id int, document tsvector);
CREATE INDEX ON plpgsql.vehicle_search USING gin (document);
CREATE INDEX ON plpgsql.vehicle_search (trim_id);
CREATE INDEX ON plpgsql.vehicle_search (model_id);
CREATE INDEX ON plpgsql.vehicle_search (make_id);

-- Documents (BEFORE row triggers, like tsvector_update_trigger, plus year).
CREATE FUNCTION plpgsql.make_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := to_tsvector('english', coalesce(NEW.name, ''));
    RETURN NEW;
END $$;
CREATE FUNCTION plpgsql.model_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := to_tsvector('english', coalesce(NEW.name, ''))
                           || to_tsvector('english', coalesce(NEW.year::text, ''));
    RETURN NEW;
END $$;
CREATE TRIGGER document BEFORE INSERT OR UPDATE ON plpgsql.make
    FOR EACH ROW EXECUTE FUNCTION plpgsql.make_document();
CREATE TRIGGER document BEFORE INSERT OR UPDATE ON plpgsql.model
    FOR EACH ROW EXECUTE FUNCTION plpgsql.model_document();
CREATE TRIGGER document BEFORE INSERT OR UPDATE ON plpgsql.trim
    FOR EACH ROW EXECUTE FUNCTION plpgsql.make_document();

-- Search rows.
CREATE FUNCTION plpgsql.trim_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m plpgsql.model; k plpgsql.make;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM plpgsql.vehicle_search WHERE trim_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT * INTO m FROM plpgsql.model WHERE id = NEW.model_id;
        SELECT * INTO k FROM plpgsql.make WHERE id = m.make_id;
        INSERT INTO plpgsql.vehicle_search
        VALUES (NEW.id, m.id, k.id, setweight(NEW.search_document, 'A')
                || setweight(m.search_document, 'B') || setweight(k.search_document, 'C'));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION plpgsql.model_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k plpgsql.make; t plpgsql.trim;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.search_document IS NOT DISTINCT FROM OLD.search_document
       AND NEW.make_id = OLD.make_id AND NEW.type = OLD.type THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM plpgsql.vehicle_search WHERE model_id = OLD.id AND trim_id IS NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT * INTO k FROM plpgsql.make WHERE id = NEW.make_id;
        IF NEW.type = 'certified' THEN
            INSERT INTO plpgsql.vehicle_search
            VALUES (NULL, NEW.id, k.id, setweight(NEW.search_document, 'A')
                    || setweight(k.search_document, 'B'));
        END IF;
        IF TG_OP = 'UPDATE' THEN
            -- The cascade: one UPDATE per child trim.
            FOR t IN SELECT * FROM plpgsql.trim WHERE model_id = NEW.id LOOP
                UPDATE plpgsql.vehicle_search
                SET model_id = NEW.id, make_id = k.id,
                    document = setweight(t.search_document, 'A')
                               || setweight(NEW.search_document, 'B') || setweight(k.search_document, 'C')
                WHERE trim_id = t.id;
            END LOOP;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION plpgsql.make_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m plpgsql.model; t plpgsql.trim;
BEGIN
    IF NEW.search_document IS NOT DISTINCT FROM OLD.search_document THEN
        RETURN NULL;
    END IF;
    -- The cascade: every model, then every trim of it, one UPDATE each.
    FOR m IN SELECT * FROM plpgsql.model WHERE make_id = NEW.id LOOP
        IF m.type = 'certified' THEN
            UPDATE plpgsql.vehicle_search
            SET document = setweight(m.search_document, 'A') || setweight(NEW.search_document, 'B')
            WHERE model_id = m.id AND trim_id IS NULL;
        END IF;
        FOR t IN SELECT * FROM plpgsql.trim WHERE model_id = m.id LOOP
            UPDATE plpgsql.vehicle_search
            SET document = setweight(t.search_document, 'A')
                           || setweight(m.search_document, 'B') || setweight(NEW.search_document, 'C')
            WHERE trim_id = t.id;
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER search AFTER INSERT OR UPDATE OR DELETE ON plpgsql.trim
    FOR EACH ROW EXECUTE FUNCTION plpgsql.trim_search();
CREATE TRIGGER search AFTER INSERT OR UPDATE OR DELETE ON plpgsql.model
    FOR EACH ROW EXECUTE FUNCTION plpgsql.model_search();
CREATE TRIGGER search AFTER UPDATE ON plpgsql.make
    FOR EACH ROW EXECUTE FUNCTION plpgsql.make_search();
