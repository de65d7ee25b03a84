-- +goose Up
-- Physical audits and the ghost-asset report.

-- How often a category's assets must be physically audited (null: never
-- required, so no next audit is due); when an asset was last seen by one.
ALTER TABLE categories ADD COLUMN audit_interval_months integer
  CONSTRAINT categories_audit_interval_months_check CHECK (audit_interval_months IS NULL OR audit_interval_months BETWEEN 1 AND 120);
ALTER TABLE assets ADD COLUMN last_audited_at timestamptz;

CREATE TYPE audit_campaign_status AS ENUM ('OPEN', 'CLOSED');

-- A campaign's scope (a location subtree and/or an asset filter) is
-- evaluated once, at creation, into its expected items: moves made while it
-- runs do not change what it expected. filter keeps the filter for the record.
CREATE TABLE audit_campaigns (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name            text NOT NULL CHECK (btrim(name) <> ''),
  location_id     uuid,
  filter          jsonb,
  due_date        date NOT NULL,
  status          audit_campaign_status NOT NULL DEFAULT 'OPEN',
  move_unexpected boolean,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text NOT NULL,
  closed_at       timestamptz,
  closed_by       text,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, location_id) REFERENCES locations(org_id, id) ON DELETE SET NULL (location_id),
  CONSTRAINT audit_campaigns_closed CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL AND closed_by IS NOT NULL))
);
CREATE INDEX audit_campaigns_org_created ON audit_campaigns (org_id, created_at, id);

-- One row per expected asset (made at creation) and per scan of anything
-- else: an asset the campaign did not expect, or a code no asset has.
-- Re-scanning updates the row. outcome is derived, so it can never
-- disagree with the row, and is indexed for items(outcome:) and the counts.
CREATE TABLE audit_campaign_items (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                 uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  campaign_id            uuid NOT NULL,
  asset_id               uuid,
  expected               boolean NOT NULL,
  -- The asset tag until scanned, then the code as scanned (trimmed).
  code                   text NOT NULL CHECK (btrim(code) <> ''),
  code_key               text GENERATED ALWAYS AS (lower(code)) STORED,
  -- Where the register had the asset: at creation for expected assets, at
  -- the scan for unexpected ones.
  registered_location_id uuid,
  scanned_at             timestamptz,
  scanned_by             text,
  scanned_location_id    uuid,
  condition              asset_condition,
  outcome                text GENERATED ALWAYS AS (CASE WHEN asset_id IS NULL THEN 'UNKNOWN' WHEN NOT expected THEN 'UNEXPECTED'
                                                        WHEN scanned_at IS NULL THEN 'MISSING' ELSE 'FOUND' END) STORED,
  FOREIGN KEY (org_id, campaign_id) REFERENCES audit_campaigns(org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, registered_location_id) REFERENCES locations(org_id, id) ON DELETE SET NULL (registered_location_id),
  FOREIGN KEY (org_id, scanned_location_id) REFERENCES locations(org_id, id) ON DELETE SET NULL (scanned_location_id),
  CONSTRAINT audit_campaign_items_expected_asset CHECK (asset_id IS NOT NULL OR NOT expected),
  CONSTRAINT audit_campaign_items_scanned CHECK (expected OR scanned_at IS NOT NULL),
  CONSTRAINT audit_campaign_items_scan_fields CHECK ((scanned_at IS NULL) = (scanned_by IS NULL))
);
-- asset_id first: it also serves the cascade when an asset is deleted.
CREATE UNIQUE INDEX audit_campaign_items_asset ON audit_campaign_items (asset_id, campaign_id) WHERE asset_id IS NOT NULL;
CREATE UNIQUE INDEX audit_campaign_items_unknown ON audit_campaign_items (campaign_id, code_key) WHERE asset_id IS NULL;
CREATE INDEX audit_campaign_items_page ON audit_campaign_items (campaign_id, code, id);
CREATE INDEX audit_campaign_items_outcome ON audit_campaign_items (campaign_id, outcome, code, id);

ALTER TABLE audit_campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_campaigns USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON audit_campaigns TO itam_app;
ALTER TABLE audit_campaign_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_campaign_items USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON audit_campaign_items TO itam_app;

-- The last sign of life of every asset: the latest of its creation, a
-- connector seeing it (external ids' last_seen_at, connector history), a
-- person changing it (USER history) and an audit scan. Kept one row per
-- asset so the ghost-asset report is an index range over (org, at) instead
-- of a max() over history and external ids of every asset. A table beside
-- assets rather than a column on it: writing it never bumps an asset's
-- version nor fires the assets triggers (license positions, checkouts).
CREATE TYPE sign_of_life_source AS ENUM ('CONNECTOR', 'AUDIT', 'USER', 'CREATED');
CREATE TABLE asset_signs_of_life (
  org_id   uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id uuid NOT NULL,
  at       timestamptz NOT NULL,
  source   sign_of_life_source NOT NULL,
  PRIMARY KEY (org_id, asset_id),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id) ON DELETE CASCADE
);
CREATE INDEX asset_signs_of_life_at ON asset_signs_of_life (org_id, at, asset_id);
ALTER TABLE asset_signs_of_life ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON asset_signs_of_life USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON asset_signs_of_life TO itam_app;

-- Statement-level triggers (one upsert per statement, whatever its size: a
-- sync touching 10,000 external ids costs one statement, not 10,000). A
-- sign only ever moves forward in time.
-- +goose StatementBegin
CREATE FUNCTION itam.sign_of_life_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO asset_signs_of_life (org_id, asset_id, at, source)
  SELECT org_id, id, created_at, 'CREATED' FROM new_rows
  ON CONFLICT (org_id, asset_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.sign_of_life_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO asset_signs_of_life AS s (org_id, asset_id, at, source)
  SELECT DISTINCT ON (h.org_id, h.asset_id) h.org_id, h.asset_id, h.at,
         (CASE WHEN h.actor_kind = 'CONNECTOR' THEN 'CONNECTOR' WHEN h.source = 'audit' THEN 'AUDIT'
               WHEN h.action = 'CREATE' THEN 'CREATED' ELSE 'USER' END)::sign_of_life_source
    FROM new_rows h
    JOIN assets a ON a.org_id = h.org_id AND a.id = h.asset_id -- a deletion's entry has no asset left
   WHERE h.actor_kind IN ('USER', 'CONNECTOR')
   ORDER BY h.org_id, h.asset_id, h.at DESC
  ON CONFLICT (org_id, asset_id) DO UPDATE SET at = EXCLUDED.at, source = EXCLUDED.source WHERE EXCLUDED.at >= s.at;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.sign_of_life_external_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO asset_signs_of_life AS s (org_id, asset_id, at, source)
  SELECT org_id, asset_id, max(last_seen_at), 'CONNECTOR' FROM new_rows
   WHERE last_seen_at IS NOT NULL
   GROUP BY org_id, asset_id
  ON CONFLICT (org_id, asset_id) DO UPDATE SET at = EXCLUDED.at, source = EXCLUDED.source WHERE EXCLUDED.at > s.at;
  RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER sign_of_life_insert AFTER INSERT ON assets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.sign_of_life_created();
CREATE TRIGGER sign_of_life_insert AFTER INSERT ON asset_history
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.sign_of_life_history();
CREATE TRIGGER sign_of_life_insert AFTER INSERT ON asset_external_ids
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.sign_of_life_external_ids();
CREATE TRIGGER sign_of_life_update AFTER UPDATE ON asset_external_ids
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.sign_of_life_external_ids();

-- Existing assets: the latest of what is already recorded.
INSERT INTO asset_signs_of_life (org_id, asset_id, at, source)
SELECT DISTINCT ON (org_id, asset_id) org_id, asset_id, at, source FROM (
  SELECT org_id, id AS asset_id, created_at AS at, 'CREATED'::sign_of_life_source AS source, 3 AS rank FROM assets
  UNION ALL
  SELECT org_id, asset_id, last_seen_at, 'CONNECTOR', 0 FROM asset_external_ids WHERE last_seen_at IS NOT NULL
  UNION ALL
  SELECT h.org_id, h.asset_id, h.at, CASE WHEN h.actor_kind = 'CONNECTOR' THEN 'CONNECTOR' WHEN h.action = 'CREATE' THEN 'CREATED' ELSE 'USER' END::sign_of_life_source, 1
    FROM asset_history h JOIN assets a ON a.org_id = h.org_id AND a.id = h.asset_id
   WHERE h.actor_kind IN ('USER', 'CONNECTOR')
) signs
ORDER BY org_id, asset_id, at DESC, rank;
