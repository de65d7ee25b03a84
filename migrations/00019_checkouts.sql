-- +goose Up
-- Checkouts: each time an asset is checked out (assigned) it gets one row,
-- closed when it comes back. The asset's assigned_* columns still say who
-- holds it now; this table says since when, until when it is expected back,
-- whether the holder has confirmed receipt, and how it came back. Offboarding
-- and the overdue report read open rows; notifications read due dates.
CREATE TABLE asset_checkouts (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id               uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id             uuid NOT NULL,
  person_id            uuid,
  location_id          uuid,
  checked_out_at       timestamptz NOT NULL DEFAULT now(),
  -- The trigger below cannot know the caller; the store that assigns
  -- overwrites 'system' in the same transaction.
  checked_out_by       text NOT NULL DEFAULT 'system',
  expected_return_date date,
  requires_acceptance  boolean NOT NULL DEFAULT false,
  accepted_at          timestamptz,
  accepted_by          text,
  returned_at          timestamptz,
  returned_by          text,
  return_condition     text CHECK (return_condition IS NULL OR return_condition IN ('NEW', 'GOOD', 'FAIR', 'POOR', 'BROKEN')),
  return_notes         text,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
  FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id),
  CONSTRAINT asset_checkouts_one_holder CHECK ((person_id IS NULL) <> (location_id IS NULL)),
  CONSTRAINT asset_checkouts_accepted CHECK (accepted_at IS NULL OR requires_acceptance),
  CONSTRAINT asset_checkouts_returned CHECK ((returned_at IS NULL) = (returned_by IS NULL))
);
-- One open checkout per asset: the asset's current holder.
CREATE UNIQUE INDEX asset_checkouts_open ON asset_checkouts (org_id, asset_id) WHERE returned_at IS NULL;
CREATE INDEX asset_checkouts_due ON asset_checkouts (org_id, expected_return_date) WHERE returned_at IS NULL AND expected_return_date IS NOT NULL;
CREATE INDEX asset_checkouts_person ON asset_checkouts (org_id, person_id) WHERE returned_at IS NULL AND person_id IS NOT NULL;

ALTER TABLE asset_checkouts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON asset_checkouts USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON asset_checkouts TO itam_app;

-- Every writer (the API, a sync, an import, the seed) changes the holder
-- through assets.assigned_*, so a trigger keeps the open checkout in step:
-- a new holder closes the open row and opens one; no holder closes it. What
-- only the API knows (who, the expected return, the condition it came back
-- in) the store writes into the row in the same transaction.
-- +goose StatementBegin
CREATE FUNCTION itam.asset_checkout_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.assigned_person_id IS NOT DISTINCT FROM OLD.assigned_person_id
     AND NEW.assigned_location_id IS NOT DISTINCT FROM OLD.assigned_location_id THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    UPDATE asset_checkouts SET returned_at = now(), returned_by = 'system'
    WHERE org_id = NEW.org_id AND asset_id = NEW.id AND returned_at IS NULL;
  END IF;
  IF NEW.assigned_person_id IS NOT NULL OR NEW.assigned_location_id IS NOT NULL THEN
    INSERT INTO asset_checkouts (org_id, asset_id, person_id, location_id)
    VALUES (NEW.org_id, NEW.id, NEW.assigned_person_id, NEW.assigned_location_id);
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER assets_checkout AFTER INSERT OR UPDATE OF assigned_person_id, assigned_location_id ON assets
  FOR EACH ROW EXECUTE FUNCTION itam.asset_checkout_sync();

-- Assets assigned before this migration get an open checkout so that every
-- holder has one (checked out when the asset was last updated, our best guess).
INSERT INTO asset_checkouts (org_id, asset_id, person_id, location_id, checked_out_at, checked_out_by)
SELECT org_id, id, assigned_person_id, assigned_location_id, updated_at, 'system'
FROM assets WHERE assigned_person_id IS NOT NULL OR assigned_location_id IS NOT NULL;
