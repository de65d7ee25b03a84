-- +goose Up
-- Offboarding: offboardPerson marks a person OFFBOARDED and opens a
-- checklist of everything they hold (assets, loans, license seats). Items
-- close when the thing comes back (the check-in and reclaim paths close
-- them in their own transaction) or are written off with a reason; the
-- checklist completes when every item is closed.
CREATE TABLE offboarding_checklists (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  person_id      uuid NOT NULL,
  effective_date date NOT NULL,
  status         text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'COMPLETED')),
  opened_at      timestamptz NOT NULL DEFAULT now(),
  opened_by      text NOT NULL,
  completed_at   timestamptz,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
  CONSTRAINT offboarding_checklists_completed CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL))
);
-- One open checklist per person: the backstop for two concurrent offboardings.
CREATE UNIQUE INDEX offboarding_checklists_open ON offboarding_checklists (org_id, person_id) WHERE status = 'OPEN';
-- Person.offboarding (the latest) and the list filtered by person.
CREATE INDEX offboarding_checklists_person ON offboarding_checklists (org_id, person_id, opened_at, id);
-- offboardingChecklists: newest first.
CREATE INDEX offboarding_checklists_opened ON offboarding_checklists (org_id, opened_at, id);

CREATE TABLE offboarding_items (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id               uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  checklist_id         uuid NOT NULL,
  position             integer NOT NULL,
  kind                 text NOT NULL CHECK (kind IN ('ASSET', 'LICENSE_SEAT', 'CHECKOUT')),
  state                text NOT NULL DEFAULT 'TO_RETURN' CHECK (state IN ('TO_RETURN', 'RETURNED', 'RECLAIMED', 'WRITTEN_OFF')),
  -- No foreign keys: an item outlives the asset (deleted as entered by
  -- mistake) or the seat (its license deleted); the API shows null then.
  asset_id             uuid,
  seat_id              uuid,
  expected_return_date date,
  reason               text,
  closed_at            timestamptz,
  closed_by            text,
  UNIQUE (org_id, id),
  UNIQUE (checklist_id, position),
  FOREIGN KEY (org_id, checklist_id) REFERENCES offboarding_checklists (org_id, id) ON DELETE CASCADE,
  CONSTRAINT offboarding_items_one_thing CHECK ((asset_id IS NULL) <> (seat_id IS NULL)),
  CONSTRAINT offboarding_items_closed CHECK ((state = 'TO_RETURN') = (closed_at IS NULL) AND (closed_at IS NULL) = (closed_by IS NULL)),
  CONSTRAINT offboarding_items_reason CHECK ((state = 'WRITTEN_OFF') = (reason IS NOT NULL))
);
-- The hooks find the open item of a returned asset or a reclaimed seat.
CREATE INDEX offboarding_items_asset ON offboarding_items (org_id, asset_id) WHERE asset_id IS NOT NULL;
CREATE INDEX offboarding_items_seat ON offboarding_items (org_id, seat_id) WHERE seat_id IS NOT NULL;

-- offboarding_history is append-only like asset_history: every checklist
-- opened, item closed and checklist completed, with who and when. People
-- have no history table, so the person's change (status, end date) is
-- recorded here with the checklist that made it.
CREATE TABLE offboarding_history (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  checklist_id uuid NOT NULL,
  person_id    uuid NOT NULL,
  item_id      uuid,
  action       text NOT NULL CHECK (action IN ('OPEN', 'CLOSE_ITEM', 'COMPLETE')),
  actor_kind   actor_kind NOT NULL,
  actor        text NOT NULL,
  changes      jsonb NOT NULL DEFAULT '{}',
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offboarding_history_checklist ON offboarding_history (org_id, checklist_id, id);
CREATE TRIGGER offboarding_history_append_only BEFORE UPDATE OR DELETE ON offboarding_history
  FOR EACH ROW EXECUTE FUNCTION itam.history_is_append_only();

ALTER TABLE offboarding_checklists ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON offboarding_checklists USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON offboarding_checklists TO itam_app;
ALTER TABLE offboarding_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON offboarding_items USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON offboarding_items TO itam_app;
ALTER TABLE offboarding_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON offboarding_history USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT ON offboarding_history TO itam_app;
