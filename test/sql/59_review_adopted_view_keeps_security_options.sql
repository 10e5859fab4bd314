-- Review: adopting a view must not drop its security options.  CREATE OR
-- REPLACE VIEW replaces the view's reloptions with the new statement's (none),
-- so a hand-written view WITH (security_invoker = true) over a table with
-- row level security becomes a view with its owner's rights: a role that
-- saw its tenant's rows through it sees every tenant's.  Expected: the
-- options are kept (or the view refused), and the reader still sees only
-- its tenant.
\set VERBOSITY terse
CREATE ROLE regress_review_tenant_a;
CREATE TABLE review_orders (id int, v int, tenant text, PRIMARY KEY (id, v));
INSERT INTO review_orders VALUES (1, 1, 'a'), (2, 1, 'b');
ALTER TABLE review_orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY review_tenant_a ON review_orders TO regress_review_tenant_a USING (tenant = 'a');
GRANT SELECT ON review_orders TO regress_review_tenant_a;
CREATE VIEW review_orders_current WITH (security_invoker = true, security_barrier = true) AS
SELECT DISTINCT ON (id) id, v, tenant FROM review_orders ORDER BY id, v DESC;
GRANT SELECT ON review_orders_current TO regress_review_tenant_a;
SET ROLE regress_review_tenant_a;
SELECT id, tenant FROM review_orders_current ORDER BY id;
RESET ROLE;
SELECT expect_error($$SELECT register_versioned_table('review_orders', '{id}', '{v}')$$) AS registered;
SELECT reloptions FROM pg_class WHERE oid = 'review_orders_current'::regclass;
SET ROLE regress_review_tenant_a;
SELECT id, tenant FROM review_orders_current ORDER BY id;
RESET ROLE;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM versioned_tables WHERE table_name = 'public.review_orders') THEN
        PERFORM unregister_versioned_table('review_orders');
    END IF;
END $$;
DROP VIEW IF EXISTS review_orders_current;
DROP TABLE review_orders;
DROP ROLE regress_review_tenant_a;
