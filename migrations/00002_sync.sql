-- +goose Up
-- Sync engine: connectors, their runs, per-field provenance and conflicts,
-- stale device tracking and installed software. Same tenancy rules as the
-- core schema: org_id on every row, RLS on every table.

CREATE TYPE connector_kind AS ENUM ('JAMF_PRO', 'INTUNE', 'KANDJI', 'FLEET');

CREATE TABLE connectors (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind          connector_kind NOT NULL,
  name          text NOT NULL CHECK (btrim(name) <> ''),
  base_url      text,
  auth_url      text,
  -- credentials and webhook_secret are AES-GCM sealed; the key never
  -- reaches the database.
  credentials   bytea NOT NULL,
  webhook_secret bytea,
  options       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
  -- A schedule is an interval or a cron expression (or neither: manual only).
  schedule_interval interval CHECK (schedule_interval IS NULL OR schedule_interval >= interval '1 minute'),
  schedule_cron text,
  next_sync_at  timestamptz,
  enabled       boolean NOT NULL DEFAULT true,
  default_owner_team_id uuid,
  -- The connector whose user assignments are believed for owner/assignee.
  authoritative_for_people boolean NOT NULL DEFAULT false,
  stale_after_days integer NOT NULL DEFAULT 30 CHECK (stale_after_days BETWEEN 1 AND 3650),
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, default_owner_team_id) REFERENCES teams(org_id, id),
  CONSTRAINT connectors_one_schedule CHECK (schedule_interval IS NULL OR schedule_cron IS NULL)
);
CREATE UNIQUE INDEX connectors_org_name ON connectors (org_id, lower(name));
CREATE INDEX connectors_due ON connectors (next_sync_at) WHERE enabled;

CREATE TYPE sync_status AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED');
CREATE TYPE sync_mode AS ENUM ('FULL', 'INCREMENTAL');

CREATE TABLE sync_runs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  connector_id  uuid NOT NULL,
  mode          sync_mode NOT NULL,
  status        sync_status NOT NULL DEFAULT 'QUEUED',
  -- A targeted run (webhook) syncs one device.
  target_external_id text,
  trigger       text NOT NULL DEFAULT 'manual',
  queued_at     timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  -- cursor is the vendor cursor of the next page to fetch; committed with
  -- each page so a killed worker resumes there.
  cursor        text,
  since         timestamptz,
  pages_fetched integer NOT NULL DEFAULT 0,
  records_seen  integer NOT NULL DEFAULT 0,
  created_count integer NOT NULL DEFAULT 0,
  updated_count integer NOT NULL DEFAULT 0,
  unchanged_count integer NOT NULL DEFAULT 0,
  stale_marked_count integer NOT NULL DEFAULT 0,
  error_count   integer NOT NULL DEFAULT 0,
  -- At most 100 per-record messages; error_count has the full number.
  errors        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
  message       text,
  job_id        bigint,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, connector_id) REFERENCES connectors(org_id, id) ON DELETE CASCADE
);
CREATE INDEX sync_runs_connector ON sync_runs (org_id, connector_id, queued_at DESC, id DESC);

-- Links from assets to the records of each source.
ALTER TABLE asset_external_ids
  ADD COLUMN connector_id uuid,
  ADD COLUMN last_check_in timestamptz,
  -- missing_since is set when a full sync of the connector completed
  -- without seeing the record; stale_since when it stayed missing past the
  -- connector's stale_after_days. Seeing the record again clears both.
  ADD COLUMN missing_since timestamptz,
  ADD COLUMN stale_since timestamptz,
  ADD COLUMN last_run_id uuid,
  ADD FOREIGN KEY (org_id, connector_id) REFERENCES connectors(org_id, id) ON DELETE SET NULL (connector_id);
CREATE INDEX asset_external_ids_connector ON asset_external_ids (org_id, connector_id, last_run_id);
CREATE INDEX asset_external_ids_stale ON asset_external_ids (org_id, stale_since) WHERE stale_since IS NOT NULL;

-- Who last set each synced field, and whether a person locked it.
CREATE TABLE field_provenance (
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id    uuid NOT NULL,
  field       text NOT NULL,
  source      text NOT NULL,
  observed_at timestamptz NOT NULL,
  locked      boolean NOT NULL DEFAULT false,
  PRIMARY KEY (org_id, asset_id, field),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id) ON DELETE CASCADE
);

-- Which sources win for a field, per organization; absent rows fall back to
-- the defaults in internal/reconcile.
CREATE TABLE field_precedence (
  org_id  uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  field   text NOT NULL,
  sources text[] NOT NULL,
  PRIMARY KEY (org_id, field)
);

-- Disagreements between sources about one field of one asset.
CREATE TABLE sync_conflicts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id      uuid NOT NULL,
  field         text NOT NULL,
  kept_source   text NOT NULL,
  kept_value    jsonb,
  other_source  text NOT NULL,
  other_value   jsonb,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  UNIQUE (org_id, asset_id, field, other_source),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id) ON DELETE CASCADE
);

CREATE TABLE software_installations (
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id      uuid NOT NULL,
  source        text NOT NULL,
  -- app_key is the identifier when the vendor gives one, else the lowered title.
  app_key       text NOT NULL,
  title         text NOT NULL,
  version       text,
  identifier    text,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, asset_id, source, app_key),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id) ON DELETE CASCADE
);
CREATE INDEX software_installations_title ON software_installations (org_id, lower(title));

ALTER TABLE people ADD COLUMN discovered_by text;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['connectors','sync_runs','field_provenance','field_precedence','sync_conflicts','software_installations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO itam_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- The scheduler and webhooks find connectors before a tenant is known;
-- these functions reveal only what they need.
CREATE FUNCTION itam.due_connectors(p_now timestamptz, p_limit int)
RETURNS TABLE (org_id uuid, connector_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT org_id, id FROM connectors WHERE enabled AND next_sync_at <= p_now ORDER BY next_sync_at LIMIT p_limit $$;

CREATE FUNCTION itam.connector_org(p_connector uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT org_id FROM connectors WHERE id = p_connector $$;

CREATE FUNCTION itam.all_org_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT id FROM organizations $$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA itam TO itam_app;
