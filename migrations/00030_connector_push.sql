-- +goose Up
-- Write-back to ITSM connectors (issue 12): which fields a connector pushes,
-- the outbox a change fills in its own transaction, and what each ITSM
-- record is believed to hold (the last values pushed to or pulled from it)
-- with the last refused push.
ALTER TABLE connectors
  ADD COLUMN push_fields text[] NOT NULL DEFAULT '{}'
    CONSTRAINT connectors_push_fields_check
    CHECK (push_fields <@ ARRAY['ASSIGNEE','STATUS','LOCATION','ASSET_TAG','PURCHASE']::text[] AND cardinality(push_fields) <= 5),
  ADD COLUMN push_create boolean NOT NULL DEFAULT false;

-- One row per (connector, asset) with a push to enqueue: written by the
-- asset_history trigger below, read and emptied by the same transaction
-- before it commits (the server inserts the River jobs with InsertTx).
-- Rows left by a writer without a job client (a store test, the seed) are
-- taken by the next change of the same record.
CREATE TABLE connector_push_outbox (
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  connector_id uuid NOT NULL,
  asset_id     uuid NOT NULL,
  queued_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, connector_id, asset_id),
  FOREIGN KEY (org_id, connector_id) REFERENCES connectors (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id) ON DELETE CASCADE
);

-- What the ITSM record linked to an asset is believed to hold, per push
-- field (known: {"STATUS": "DEPLOYED", …}), and the last push it refused.
CREATE TABLE connector_push_state (
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  connector_id  uuid NOT NULL,
  asset_id      uuid NOT NULL,
  known         jsonb NOT NULL DEFAULT '{}',
  pushed_at     timestamptz,
  error_message text,
  error_status  int,
  error_fields  text[],
  error_at      timestamptz,
  PRIMARY KEY (org_id, connector_id, asset_id),
  FOREIGN KEY (org_id, connector_id) REFERENCES connectors (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id) ON DELETE CASCADE
);
CREATE INDEX connector_push_state_asset ON connector_push_state (org_id, asset_id);
CREATE INDEX connector_push_errors ON connector_push_state (org_id, connector_id, error_at DESC, asset_id DESC) WHERE error_at IS NOT NULL;

ALTER TABLE connector_push_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connector_push_outbox USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON connector_push_outbox TO itam_app;
ALTER TABLE connector_push_state ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connector_push_state USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON connector_push_state TO itam_app;

-- Every change of an asset writes asset_history (API, import, workflows,
-- syncs), so a trigger there queues the pushes of every present and future
-- path. A connector gets a push when its push_fields meet the changed
-- fields and it links the asset (or creates records), unless the change
-- came from that connector itself (the sync page sets itam.push_origin):
-- no echo. It raises a NOTICE so the server learns, without a round trip,
-- that this transaction has jobs to insert.
-- +goose StatementBegin
CREATE FUNCTION itam.queue_connector_pushes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  origin uuid := nullif(current_setting('itam.push_origin', true), '')::uuid;
  n int;
BEGIN
  -- Most organizations push nothing: one indexed probe, no diff parsing.
  IF NOT EXISTS (SELECT 1 FROM connectors c WHERE c.enabled AND (c.push_fields <> '{}' OR c.push_create)) THEN
    RETURN NULL;
  END IF;
  WITH changed AS (
    SELECT h.org_id, h.asset_id, array_agg(DISTINCT f.field) AS fields
      FROM new_rows h
      CROSS JOIN LATERAL jsonb_object_keys(h.changes) k(key)
      JOIN (VALUES ('assignedPersonId', 'ASSIGNEE'), ('status', 'STATUS'), ('locationId', 'LOCATION'), ('assetTag', 'ASSET_TAG'),
                   ('purchaseDate', 'PURCHASE'), ('purchasePrice', 'PURCHASE'), ('orderNumber', 'PURCHASE'), ('warrantyEnd', 'PURCHASE')
           ) f(key, field) ON f.key = k.key
     WHERE h.action <> 'DELETE'
     GROUP BY h.org_id, h.asset_id
  )
  INSERT INTO connector_push_outbox AS o (org_id, connector_id, asset_id)
  SELECT c.org_id, c.id, ch.asset_id
    FROM changed ch
    JOIN connectors c ON c.org_id = ch.org_id AND c.enabled AND c.push_fields && ch.fields
    -- A probe per changed asset (OFFSET 0: never pulled up into a join the
    -- planner could turn into a scan of every asset; see 00032).
    CROSS JOIN LATERAL (SELECT 1 FROM assets a WHERE a.org_id = ch.org_id AND a.id = ch.asset_id OFFSET 0) live
   WHERE c.id IS DISTINCT FROM origin
     AND (c.push_create OR EXISTS (SELECT 1 FROM asset_external_ids x
                                    WHERE x.org_id = c.org_id AND x.connector_id = c.id AND x.asset_id = ch.asset_id))
  ON CONFLICT (org_id, connector_id, asset_id) DO UPDATE SET queued_at = EXCLUDED.queued_at;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    RAISE NOTICE 'itam: connector pushes queued';
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER queue_connector_pushes AFTER INSERT ON asset_history
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.queue_connector_pushes();
