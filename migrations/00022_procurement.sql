-- +goose Up
-- Procurement: purchase orders with their lines, the assets approving an
-- order creates (ORDERED, one per unit, linked to their line) and the
-- order's history. The rules (statuses, validation, what receiving does)
-- are internal/procurement's; these tables only hold what it decided.
CREATE TABLE purchase_orders (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id            uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  supplier_id       uuid NOT NULL,
  order_number      text NOT NULL CHECK (btrim(order_number) <> ''),
  order_date        date NOT NULL,
  expected_delivery date,
  currency          char(3) NOT NULL,
  status            text NOT NULL DEFAULT 'DRAFT'
                    CHECK (status IN ('DRAFT', 'APPROVED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED')),
  notes             text,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  approved_at       timestamptz,
  approved_by       text,
  cancelled_at      timestamptz,
  cancelled_by      text,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, supplier_id) REFERENCES suppliers (org_id, id),
  CONSTRAINT purchase_orders_delivery_after_order CHECK (expected_delivery IS NULL OR expected_delivery >= order_date)
);
-- A supplier's order numbers are theirs: two suppliers may both send a
-- "PO-1001", one supplier's numbers are unique (case-insensitive).
CREATE UNIQUE INDEX purchase_orders_org_supplier_number ON purchase_orders (org_id, supplier_id, lower(order_number));
CREATE INDEX purchase_orders_org_date ON purchase_orders (org_id, order_date, id);
CREATE INDEX purchase_orders_org_status ON purchase_orders (org_id, status);

CREATE TABLE purchase_order_lines (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id            uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  purchase_order_id uuid NOT NULL,
  position          integer NOT NULL CHECK (position >= 0),
  model_id          uuid NOT NULL,
  quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price        numeric(18,4) NOT NULL CHECK (unit_price >= 0),
  received          integer NOT NULL DEFAULT 0,
  UNIQUE (org_id, id),
  UNIQUE (purchase_order_id, position),
  FOREIGN KEY (org_id, purchase_order_id) REFERENCES purchase_orders (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, model_id) REFERENCES models (org_id, id),
  CONSTRAINT purchase_order_lines_received CHECK (received BETWEEN 0 AND quantity)
);
CREATE INDEX purchase_order_lines_order ON purchase_order_lines (org_id, purchase_order_id, position);
CREATE INDEX purchase_order_lines_model ON purchase_order_lines (org_id, model_id);

-- The line an asset was ordered on: set when approving creates it, kept
-- after receiving, so an order lists what it brought in.
ALTER TABLE assets ADD COLUMN purchase_order_line_id uuid,
  ADD FOREIGN KEY (org_id, purchase_order_line_id) REFERENCES purchase_order_lines (org_id, id);
CREATE INDEX assets_org_purchase_order_line ON assets (org_id, purchase_order_line_id) WHERE purchase_order_line_id IS NOT NULL;

-- Every change to an order (create, update, approve, receive, cancel),
-- append-only, written in the transaction of the change.
CREATE TABLE purchase_order_history (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id            uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  purchase_order_id uuid NOT NULL,
  action            text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'APPROVE', 'RECEIVE', 'CANCEL')),
  actor_kind        actor_kind NOT NULL,
  actor             text NOT NULL,
  changes           jsonb NOT NULL DEFAULT '{}',
  at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_order_history_order ON purchase_order_history (org_id, purchase_order_id, id);
CREATE TRIGGER purchase_order_history_append_only BEFORE UPDATE OR DELETE ON purchase_order_history
  FOR EACH ROW EXECUTE FUNCTION itam.history_is_append_only();

ALTER TABLE purchase_orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON purchase_orders USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON purchase_orders TO itam_app;
ALTER TABLE purchase_order_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON purchase_order_lines USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON purchase_order_lines TO itam_app;
ALTER TABLE purchase_order_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON purchase_order_history USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT ON purchase_order_history TO itam_app;
