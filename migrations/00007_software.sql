-- +goose Up
-- Software asset management: a catalog of publishers and products, ordered
-- normalization rules that resolve reported installations to products,
-- licenses with sealed keys, seats, and append-only license history. Same
-- tenancy rules as the core schema: org_id on every row, RLS on every table.

CREATE TABLE software_publishers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (btrim(name) <> ''),
  website     text,
  -- starter: created from the shipped starter rule set (internal/software).
  starter     boolean NOT NULL DEFAULT false,
  seeded      boolean NOT NULL DEFAULT false,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX software_publishers_org_name ON software_publishers (org_id, lower(name));

CREATE TABLE software_products (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  publisher_id uuid NOT NULL,
  name         text NOT NULL CHECK (btrim(name) <> ''),
  -- Known editions ("Standard", "Professional Plus"); rules and licenses
  -- name them.
  editions     text[] NOT NULL DEFAULT '{}',
  notes        text,
  starter      boolean NOT NULL DEFAULT false,
  seeded       boolean NOT NULL DEFAULT false,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, publisher_id) REFERENCES software_publishers(org_id, id)
);
CREATE UNIQUE INDEX software_products_org_publisher_name ON software_products (org_id, publisher_id, lower(name));
CREATE INDEX software_products_org_name ON software_products (org_id, lower(name), id);

CREATE TYPE software_match_kind AS ENUM ('EXACT', 'PREFIX', 'REGEX', 'IDENTIFIER');

CREATE TABLE software_title_rules (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  -- 1-based order; the first matching rule wins. Deferrable so a reorder
  -- can shift a block of positions in one statement.
  position        integer NOT NULL CHECK (position >= 1),
  kind            software_match_kind NOT NULL,
  pattern         text NOT NULL CHECK (btrim(pattern) <> ''),
  product_id      uuid NOT NULL,
  edition         text,
  version_pattern text,
  starter         boolean NOT NULL DEFAULT false,
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  CONSTRAINT software_title_rules_position UNIQUE (org_id, position) DEFERRABLE INITIALLY IMMEDIATE,
  FOREIGN KEY (org_id, product_id) REFERENCES software_products(org_id, id)
);

-- A re-normalization of an organization's installations after its rules
-- changed, run by a River job; the row is its progress.
CREATE TYPE software_normalization_state AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED');

CREATE TABLE software_normalization_runs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  state        software_normalization_state NOT NULL DEFAULT 'QUEUED',
  reason       text NOT NULL,
  actor        text NOT NULL,
  -- Distinct titles to resolve, done so far, and installations changed.
  titles_total integer NOT NULL DEFAULT 0,
  titles_done  integer NOT NULL DEFAULT 0,
  installations_changed bigint NOT NULL DEFAULT 0,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  UNIQUE (org_id, id)
);
CREATE INDEX software_normalization_runs_org ON software_normalization_runs (org_id, created_at DESC, id);

-- Installations resolve to a product (or stay unmatched), and end instead
-- of disappearing when a source stops reporting them.
ALTER TABLE software_installations
  ADD COLUMN product_id uuid,
  ADD COLUMN rule_id uuid,
  ADD COLUMN edition text,
  ADD COLUMN normalized_version text,
  ADD COLUMN ended_at timestamptz,
  ADD FOREIGN KEY (org_id, product_id) REFERENCES software_products(org_id, id) ON DELETE SET NULL (product_id),
  ADD FOREIGN KEY (org_id, rule_id) REFERENCES software_title_rules(org_id, id) ON DELETE SET NULL (rule_id);
CREATE INDEX software_installations_product ON software_installations (org_id, product_id, asset_id) WHERE ended_at IS NULL;
CREATE INDEX software_installations_unmatched ON software_installations (org_id, lower(title)) WHERE product_id IS NULL AND ended_at IS NULL;

CREATE TYPE license_model AS ENUM ('PER_DEVICE', 'PER_USER', 'CONCURRENT', 'SITE', 'SUBSCRIPTION');
CREATE TYPE billing_period AS ENUM ('ONE_TIME', 'MONTHLY', 'ANNUAL');

CREATE TABLE licenses (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id             uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  product_id         uuid NOT NULL,
  name               text,
  license_model      license_model NOT NULL,
  -- Empty: every edition / version of the product (upgrade and downgrade
  -- rights are expressed by listing the versions covered).
  editions           text[] NOT NULL DEFAULT '{}',
  versions           text[] NOT NULL DEFAULT '{}',
  seats              integer CHECK (seats IS NULL OR seats >= 0),
  term_start         date,
  term_end           date,
  renewal_date       date,
  auto_renew         boolean NOT NULL DEFAULT false,
  -- One of seat_cost / total_cost, in cost_currency.
  seat_cost          numeric(18,4) CHECK (seat_cost IS NULL OR seat_cost >= 0),
  total_cost         numeric(18,4) CHECK (total_cost IS NULL OR total_cost >= 0),
  cost_currency      char(3),
  billing_period     billing_period NOT NULL DEFAULT 'ONE_TIME',
  supplier_id        uuid,
  purchase_order     text,
  contract_reference text,
  -- AES-GCM sealed; the key never reaches the database.
  license_key        bytea,
  notes              text,
  seeded             boolean NOT NULL DEFAULT false,
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, product_id) REFERENCES software_products(org_id, id),
  FOREIGN KEY (org_id, supplier_id) REFERENCES suppliers(org_id, id),
  CONSTRAINT licenses_site_unlimited CHECK ((license_model = 'SITE') = (seats IS NULL)),
  CONSTRAINT licenses_one_cost CHECK (seat_cost IS NULL OR total_cost IS NULL),
  CONSTRAINT licenses_cost_currency CHECK ((seat_cost IS NULL AND total_cost IS NULL) = (cost_currency IS NULL)),
  CONSTRAINT licenses_term CHECK (term_end IS NULL OR term_start IS NULL OR term_end >= term_start)
);
CREATE INDEX licenses_org_product ON licenses (org_id, product_id);
CREATE INDEX licenses_org_term_end ON licenses (org_id, term_end);

CREATE TABLE license_seats (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  license_id    uuid NOT NULL,
  person_id     uuid,
  asset_id      uuid,
  assigned_at   timestamptz NOT NULL DEFAULT now(),
  assigned_by   text NOT NULL,
  reclaimed_at  timestamptz,
  reclaimed_by  text,
  reclaim_reason text,
  seeded        boolean NOT NULL DEFAULT false,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, license_id) REFERENCES licenses(org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, person_id) REFERENCES people(org_id, id),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id),
  CONSTRAINT license_seats_one_holder CHECK ((person_id IS NULL) <> (asset_id IS NULL)),
  CONSTRAINT license_seats_reclaimed CHECK ((reclaimed_at IS NULL) = (reclaimed_by IS NULL))
);
-- One active seat per holder and license.
CREATE UNIQUE INDEX license_seats_active_person ON license_seats (org_id, license_id, person_id) WHERE reclaimed_at IS NULL AND person_id IS NOT NULL;
CREATE UNIQUE INDEX license_seats_active_asset ON license_seats (org_id, license_id, asset_id) WHERE reclaimed_at IS NULL AND asset_id IS NOT NULL;
CREATE INDEX license_seats_license ON license_seats (org_id, license_id, assigned_at, id);
CREATE INDEX license_seats_person ON license_seats (org_id, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX license_seats_asset ON license_seats (org_id, asset_id) WHERE asset_id IS NOT NULL;

CREATE TYPE license_history_action AS ENUM ('CREATE', 'UPDATE', 'DELETE', 'ASSIGN_SEAT', 'RECLAIM_SEAT', 'KEY_READ');

-- license_history is append-only like asset_history, and outlives the
-- license (no foreign key): an auditor still sees a deleted license's story.
CREATE TABLE license_history (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  license_id  uuid NOT NULL,
  seat_id     uuid,
  action      license_history_action NOT NULL,
  actor_kind  actor_kind NOT NULL,
  actor       text NOT NULL,
  changes     jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX license_history_license ON license_history (org_id, license_id, id);
CREATE TRIGGER license_history_append_only BEFORE UPDATE OR DELETE ON license_history
  FOR EACH ROW EXECUTE FUNCTION itam.history_is_append_only();

-- Seats on devices that have not reported the software for this many days
-- are reclaim candidates.
ALTER TABLE organizations ADD COLUMN software_reclaim_after_days integer NOT NULL DEFAULT 90
  CHECK (software_reclaim_after_days BETWEEN 1 AND 3650);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['software_publishers','software_products','software_title_rules','software_normalization_runs','licenses','license_seats'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO itam_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
ALTER TABLE license_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON license_history USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT ON license_history TO itam_app;
