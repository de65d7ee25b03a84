-- +goose Up
-- The license position report keeps each product's counts (installed
-- devices, devices and users consuming, unattributed devices, assigned
-- seats) instead of recomputing a million installations per request.
-- Triggers record which products a write may have changed in
-- license_position_dirty; the next report claims those rows, recomputes
-- exactly those products (plus any without a row or whose row expired with
-- a license term) and upserts their counts, so the report is never stale
-- (internal/postgres/compliance_cache.go).

CREATE TABLE license_position_counts (
  org_id           uuid NOT NULL,
  product_id       uuid NOT NULL,
  installed        bigint NOT NULL,
  devices_consumed bigint NOT NULL,
  users_consumed   bigint NOT NULL,
  unattributed     bigint NOT NULL,
  assigned         bigint NOT NULL,
  -- The next date a license of the product becomes active or inactive:
  -- the counts depend on today's date and are recomputed from that day.
  valid_until      date,
  computed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, product_id),
  FOREIGN KEY (org_id, product_id) REFERENCES software_products(org_id, id) ON DELETE CASCADE
);

-- Insert-only (no unique constraint, no ON CONFLICT): a refresh claims the
-- rows its snapshot sees with DELETE … RETURNING, so a row a writer commits
-- later survives for the next refresh. No foreign keys: a row may outlive
-- its product (the refresh ignores it) and triggers fire inside an
-- organization's cascading delete.
CREATE TABLE license_position_dirty (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id     uuid NOT NULL,
  product_id uuid NOT NULL
);
CREATE INDEX license_position_dirty_org ON license_position_dirty (org_id);

ALTER TABLE license_position_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON license_position_counts USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
-- The report (read by AUDITOR too) refreshes the counts as bookkeeping.
GRANT SELECT, INSERT, UPDATE ON license_position_counts TO itam_app;
ALTER TABLE license_position_dirty ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON license_position_dirty USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, DELETE ON license_position_dirty TO itam_app;

-- The trigger functions are SECURITY INVOKER: they see and write only what
-- the writer may, and every row carries the org_id of the row that changed.
-- Statement-level with transition tables, so a sync page of hundreds of
-- rows costs one INSERT … SELECT DISTINCT; updates that change nothing the
-- position depends on insert nothing.

-- +goose StatementBegin
CREATE FUNCTION itam.position_dirty_installations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO license_position_dirty (org_id, product_id)
    SELECT DISTINCT n.org_id, n.product_id FROM new_rows n WHERE n.product_id IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO license_position_dirty (org_id, product_id)
    SELECT DISTINCT o.org_id, o.product_id FROM old_rows o WHERE o.product_id IS NOT NULL;
  ELSE
    -- Sync pages touch every installation they see (last_seen_at): only a
    -- changed product, a start or end, or a moved key matters.
    INSERT INTO license_position_dirty (org_id, product_id)
    SELECT DISTINCT x.org_id, x.product_id FROM (
      SELECT o.org_id AS o_org, o.product_id AS o_product, n.org_id AS n_org, n.product_id AS n_product
      FROM old_rows o FULL JOIN new_rows n
        ON n.org_id = o.org_id AND n.asset_id = o.asset_id AND n.source = o.source AND n.app_key = o.app_key
      WHERE o.org_id IS NULL OR n.org_id IS NULL
         OR o.product_id IS DISTINCT FROM n.product_id
         OR (o.ended_at IS NULL) <> (n.ended_at IS NULL)
    ) c
    CROSS JOIN LATERAL (VALUES (c.o_org, c.o_product), (c.n_org, c.n_product)) x(org_id, product_id)
    WHERE x.product_id IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.position_dirty_assets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Sync pages update assets on every page: only a device becoming active
  -- or inactive, or changing hands, matters.
  INSERT INTO license_position_dirty (org_id, product_id)
  WITH ch AS MATERIALIZED (
    SELECT n.org_id, n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.status IN ('RETIRED', 'DISPOSED')) <> (n.status IN ('RETIRED', 'DISPOSED'))
       OR o.assigned_person_id IS DISTINCT FROM n.assigned_person_id
  )
  SELECT DISTINCT x.org_id, x.product_id FROM (
    SELECT i.org_id, i.product_id FROM ch
    JOIN software_installations i ON i.org_id = ch.org_id AND i.asset_id = ch.id
    WHERE i.ended_at IS NULL AND i.product_id IS NOT NULL
    UNION ALL
    SELECT l.org_id, l.product_id FROM ch
    JOIN license_seats s ON s.org_id = ch.org_id AND s.asset_id = ch.id AND s.reclaimed_at IS NULL
    JOIN licenses l ON l.org_id = s.org_id AND l.id = s.license_id
  ) x;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.position_dirty_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO license_position_dirty (org_id, product_id)
  WITH ch AS MATERIALIZED (
    SELECT n.org_id, n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status IS DISTINCT FROM n.status
  )
  SELECT DISTINCT x.org_id, x.product_id FROM (
    SELECT i.org_id, i.product_id FROM ch
    JOIN assets a ON a.org_id = ch.org_id AND a.assigned_person_id = ch.id
    JOIN software_installations i ON i.org_id = a.org_id AND i.asset_id = a.id
    WHERE i.ended_at IS NULL AND i.product_id IS NOT NULL
    UNION ALL
    SELECT l.org_id, l.product_id FROM ch
    JOIN license_seats s ON s.org_id = ch.org_id AND s.person_id = ch.id AND s.reclaimed_at IS NULL
    JOIN licenses l ON l.org_id = s.org_id AND l.id = s.license_id
  ) x;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.position_dirty_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A seat deleted with its license finds no license here; the license's
  -- own trigger marks the product.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO license_position_dirty (org_id, product_id)
    SELECT DISTINCT l.org_id, l.product_id FROM new_rows s JOIN licenses l ON l.org_id = s.org_id AND l.id = s.license_id;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO license_position_dirty (org_id, product_id)
    SELECT DISTINCT l.org_id, l.product_id FROM old_rows s JOIN licenses l ON l.org_id = s.org_id AND l.id = s.license_id;
  ELSE
    INSERT INTO license_position_dirty (org_id, product_id)
    SELECT DISTINCT l.org_id, l.product_id
    FROM (SELECT org_id, license_id FROM old_rows UNION SELECT org_id, license_id FROM new_rows) s
    JOIN licenses l ON l.org_id = s.org_id AND l.id = s.license_id;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.position_dirty_licenses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO license_position_dirty (org_id, product_id) SELECT DISTINCT org_id, product_id FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO license_position_dirty (org_id, product_id) SELECT DISTINCT org_id, product_id FROM old_rows;
  ELSE
    INSERT INTO license_position_dirty (org_id, product_id)
    SELECT org_id, product_id FROM old_rows UNION SELECT org_id, product_id FROM new_rows;
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- PostgreSQL allows one event per trigger with transition tables.
CREATE TRIGGER position_dirty_insert AFTER INSERT ON software_installations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_installations();
CREATE TRIGGER position_dirty_update AFTER UPDATE ON software_installations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_installations();
CREATE TRIGGER position_dirty_delete AFTER DELETE ON software_installations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_installations();

CREATE TRIGGER position_dirty_update AFTER UPDATE ON assets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_assets();

CREATE TRIGGER position_dirty_update AFTER UPDATE ON people
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_people();

CREATE TRIGGER position_dirty_insert AFTER INSERT ON license_seats
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_seats();
CREATE TRIGGER position_dirty_update AFTER UPDATE ON license_seats
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_seats();
CREATE TRIGGER position_dirty_delete AFTER DELETE ON license_seats
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_seats();

CREATE TRIGGER position_dirty_insert AFTER INSERT ON licenses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_licenses();
CREATE TRIGGER position_dirty_update AFTER UPDATE ON licenses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_licenses();
CREATE TRIGGER position_dirty_delete AFTER DELETE ON licenses
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.position_dirty_licenses();

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA itam TO itam_app;
