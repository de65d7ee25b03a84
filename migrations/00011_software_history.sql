-- +goose Up
-- software_history records every change to a software publisher, product
-- or title rule (who, when, field by field), like license_history. It is
-- append-only and outlives the entity (no foreign key): an auditor still
-- sees how a deleted normalization rule read.
CREATE TABLE software_history (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  entity_type text NOT NULL CHECK (entity_type IN ('SoftwarePublisher', 'SoftwareProduct', 'SoftwareTitleRule')),
  entity_id   uuid NOT NULL,
  action      text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE', 'MOVE')),
  actor_kind  actor_kind NOT NULL,
  actor       text NOT NULL,
  changes     jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX software_history_entity ON software_history (org_id, entity_type, entity_id, id);
CREATE TRIGGER software_history_append_only BEFORE UPDATE OR DELETE ON software_history
  FOR EACH ROW EXECUTE FUNCTION itam.history_is_append_only();
ALTER TABLE software_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON software_history USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT ON software_history TO itam_app;
