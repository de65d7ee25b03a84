-- +goose Up
-- Person links (issue 12): which record of which source's directory (an
-- ITSM's users) is which person, so a renamed email still matches and a
-- deactivation there finds the person here.
CREATE TABLE person_external_ids (
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  person_id    uuid NOT NULL,
  source       text NOT NULL CHECK (btrim(source) <> ''),
  external_id  text NOT NULL CHECK (btrim(external_id) <> ''),
  -- active is what the source last said, so a sync changes a person's
  -- status only when the source's answer changes (a person reactivated
  -- here by hand is not offboarded again by every sync).
  active       boolean NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, source, external_id),
  FOREIGN KEY (org_id, person_id) REFERENCES people(org_id, id) ON DELETE CASCADE
);
CREATE INDEX person_external_ids_person ON person_external_ids (org_id, person_id);

ALTER TABLE person_external_ids ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON person_external_ids USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON person_external_ids TO itam_app;
