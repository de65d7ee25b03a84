-- +goose Up
-- Money: depreciation profiles, the cost ledger, contracts with recurring
-- charges, exchange rates and their history. Amounts are numeric(18,4) like
-- assets.purchase_price: four places hold every ISO 4217 minor unit (BHD
-- has three), and the domain rounds to the currency's own.

CREATE TABLE depreciation_profiles (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id             uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name               text NOT NULL CHECK (btrim(name) <> ''),
  method             text NOT NULL CHECK (method IN ('STRAIGHT_LINE', 'DECLINING_BALANCE', 'DOUBLE_DECLINING_BALANCE', 'SUM_OF_YEARS_DIGITS')),
  useful_life_months integer NOT NULL CHECK (useful_life_months BETWEEN 1 AND 600),
  salvage_value      numeric(18,4) CHECK (salvage_value IS NULL OR salvage_value >= 0),
  salvage_currency   char(3),
  salvage_percent    numeric(9,6) CHECK (salvage_percent IS NULL OR (salvage_percent >= 0 AND salvage_percent < 100)),
  rate               numeric(9,6) CHECK (rate IS NULL OR rate > 0),
  convention         text NOT NULL CHECK (convention IN ('ANNUAL', 'MONTHLY')),
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  CONSTRAINT depreciation_profiles_salvage_currency CHECK ((salvage_value IS NULL) = (salvage_currency IS NULL)),
  CONSTRAINT depreciation_profiles_one_salvage CHECK (salvage_value IS NULL OR salvage_percent IS NULL)
);
CREATE UNIQUE INDEX depreciation_profiles_org_name ON depreciation_profiles (org_id, lower(name));

-- Where a profile applies: the asset's own, else its model's, else its
-- category's, else the organization's default. A profile in use cannot be
-- deleted (NO ACTION): the store names what still points at it.
ALTER TABLE organizations ADD COLUMN default_depreciation_profile_id uuid,
  ADD CONSTRAINT organizations_default_depreciation_profile
  FOREIGN KEY (id, default_depreciation_profile_id) REFERENCES depreciation_profiles (org_id, id);
ALTER TABLE categories ADD COLUMN depreciation_profile_id uuid,
  ADD CONSTRAINT categories_depreciation_profile
  FOREIGN KEY (org_id, depreciation_profile_id) REFERENCES depreciation_profiles (org_id, id);
ALTER TABLE models ADD COLUMN depreciation_profile_id uuid,
  ADD CONSTRAINT models_depreciation_profile
  FOREIGN KEY (org_id, depreciation_profile_id) REFERENCES depreciation_profiles (org_id, id);
-- in_service_date: null means the purchase date.
ALTER TABLE assets ADD COLUMN depreciation_profile_id uuid,
  ADD COLUMN in_service_date date,
  ADD CONSTRAINT assets_depreciation_profile
  FOREIGN KEY (org_id, depreciation_profile_id) REFERENCES depreciation_profiles (org_id, id);
CREATE INDEX categories_depreciation_profile ON categories (org_id, depreciation_profile_id) WHERE depreciation_profile_id IS NOT NULL;
CREATE INDEX models_depreciation_profile ON models (org_id, depreciation_profile_id) WHERE depreciation_profile_id IS NOT NULL;
CREATE INDEX assets_depreciation_profile ON assets (org_id, depreciation_profile_id) WHERE depreciation_profile_id IS NOT NULL;

CREATE TABLE contracts (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('SUPPORT', 'MAINTENANCE', 'WARRANTY_EXTENSION', 'LEASE', 'SUBSCRIPTION')),
  supplier_id  uuid,
  number       text,
  start_date   date NOT NULL,
  end_date     date,
  renewal_date date,
  notice_date  date,
  notes        text,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, supplier_id) REFERENCES suppliers (org_id, id),
  CONSTRAINT contracts_end_after_start CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX contracts_org_start ON contracts (org_id, start_date, id);
CREATE INDEX contracts_supplier ON contracts (org_id, supplier_id) WHERE supplier_id IS NOT NULL;

-- A contract's recurring charges, in the order given (position 0..49).
-- Expanded into dated lines on read (costs.Expand); nothing writes future
-- rows.
CREATE TABLE contract_charges (
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  contract_id uuid NOT NULL,
  position    integer NOT NULL CHECK (position BETWEEN 0 AND 49),
  amount      numeric(18,4) NOT NULL CHECK (amount >= 0),
  currency    char(3) NOT NULL,
  every       text NOT NULL CHECK (every IN ('MONTH', 'QUARTER', 'YEAR')),
  start_date  date,
  end_date    date,
  PRIMARY KEY (contract_id, position),
  FOREIGN KEY (org_id, contract_id) REFERENCES contracts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX contract_charges_org ON contract_charges (org_id, contract_id);

CREATE TABLE contract_assets (
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  contract_id uuid NOT NULL,
  asset_id    uuid NOT NULL,
  PRIMARY KEY (contract_id, asset_id),
  FOREIGN KEY (org_id, contract_id) REFERENCES contracts (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id) ON DELETE CASCADE
);
CREATE INDEX contract_assets_asset ON contract_assets (org_id, asset_id);

CREATE TABLE contract_licenses (
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  contract_id uuid NOT NULL,
  license_id  uuid NOT NULL,
  PRIMARY KEY (contract_id, license_id),
  FOREIGN KEY (org_id, contract_id) REFERENCES contracts (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, license_id) REFERENCES licenses (org_id, id) ON DELETE CASCADE
);
CREATE INDEX contract_licenses_license ON contract_licenses (org_id, license_id);

CREATE TABLE cost_entries (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id            uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id          uuid,
  license_id        uuid,
  contract_id       uuid,
  kind              text NOT NULL CHECK (kind IN ('PURCHASE', 'MAINTENANCE', 'REPAIR', 'SUPPORT', 'SUBSCRIPTION', 'LEASE', 'DISPOSAL', 'OTHER')),
  entry_date        date NOT NULL,
  amount            numeric(18,4) NOT NULL CHECK (amount >= 0),
  currency          char(3) NOT NULL,
  supplier_id       uuid,
  invoice_reference text,
  notes             text,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  CONSTRAINT cost_entries_one_target CHECK (num_nonnulls(asset_id, license_id, contract_id) = 1),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, license_id) REFERENCES licenses (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, contract_id) REFERENCES contracts (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, supplier_id) REFERENCES suppliers (org_id, id)
);
-- An asset's purchase price is its one PURCHASE entry.
CREATE UNIQUE INDEX cost_entries_one_purchase ON cost_entries (asset_id) WHERE kind = 'PURCHASE';
CREATE INDEX cost_entries_asset ON cost_entries (org_id, asset_id, entry_date) WHERE asset_id IS NOT NULL;
CREATE INDEX cost_entries_license ON cost_entries (org_id, license_id, entry_date) WHERE license_id IS NOT NULL;
CREATE INDEX cost_entries_contract ON cost_entries (org_id, contract_id, entry_date) WHERE contract_id IS NOT NULL;
-- Reports scan a date range and sum: covering, so they read the index only.
CREATE INDEX cost_entries_date ON cost_entries (org_id, entry_date) INCLUDE (kind, amount, currency, asset_id, contract_id, supplier_id);
CREATE INDEX cost_entries_keyset ON cost_entries (org_id, entry_date, id);

-- A rate says one unit of from_currency is worth rate units of
-- to_currency from valid_from until the pair's next rate. Admins enter
-- them; nothing is fetched.
CREATE TABLE exchange_rates (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  from_currency char(3) NOT NULL,
  to_currency   char(3) NOT NULL CHECK (to_currency <> from_currency),
  valid_from    date NOT NULL,
  rate          numeric(24,12) NOT NULL CHECK (rate > 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, from_currency, to_currency, valid_from)
);

-- cost_history records every change to a cost entry, contract,
-- depreciation profile or exchange rate, like software_history: append-only,
-- no foreign key, so an auditor still reads a deleted entry's story.
CREATE TABLE cost_history (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  entity_type text NOT NULL CHECK (entity_type IN ('CostEntry', 'Contract', 'DepreciationProfile', 'ExchangeRate')),
  entity_id   uuid NOT NULL,
  action      text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
  actor_kind  actor_kind NOT NULL,
  actor       text NOT NULL,
  changes     jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cost_history_entity ON cost_history (org_id, entity_id, id);
CREATE TRIGGER cost_history_append_only BEFORE UPDATE OR DELETE ON cost_history
  FOR EACH ROW EXECUTE FUNCTION itam.history_is_append_only();

-- An asset's purchase price and its PURCHASE entry are one fact kept in two
-- places: assets.purchase_* is what lists and filters read, the entry is
-- what the ledger sums. Every writer of assets (the API, sync, seed, import)
-- goes through this trigger, so they cannot drift; the cost-entry store
-- writes the other direction (an edited PURCHASE entry updates the asset,
-- with the asset's history and version) in the same transaction.
-- +goose StatementBegin
CREATE FUNCTION itam.asset_purchase_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.purchase_price IS NULL THEN
    DELETE FROM cost_entries WHERE asset_id = NEW.id AND kind = 'PURCHASE';
    RETURN NULL;
  END IF;
  INSERT INTO cost_entries (org_id, asset_id, kind, entry_date, amount, currency, supplier_id, invoice_reference)
  VALUES (NEW.org_id, NEW.id, 'PURCHASE', coalesce(NEW.purchase_date, (NEW.created_at AT TIME ZONE 'UTC')::date),
          NEW.purchase_price, NEW.purchase_currency, NEW.supplier_id, NEW.invoice_number)
  ON CONFLICT (asset_id) WHERE kind = 'PURCHASE' DO UPDATE
    SET amount = EXCLUDED.amount, currency = EXCLUDED.currency, entry_date = EXCLUDED.entry_date,
        version = cost_entries.version + 1, updated_at = now()
    WHERE (cost_entries.amount, cost_entries.currency, cost_entries.entry_date)
          IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.entry_date);
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER assets_purchase_entry_insert AFTER INSERT ON assets
  FOR EACH ROW WHEN (NEW.purchase_price IS NOT NULL) EXECUTE FUNCTION itam.asset_purchase_entry();
CREATE TRIGGER assets_purchase_entry_update AFTER UPDATE OF purchase_price, purchase_currency, purchase_date ON assets
  FOR EACH ROW WHEN ((OLD.purchase_price, OLD.purchase_currency, OLD.purchase_date)
                     IS DISTINCT FROM (NEW.purchase_price, NEW.purchase_currency, NEW.purchase_date))
  EXECUTE FUNCTION itam.asset_purchase_entry();

-- Existing purchase prices become PURCHASE entries.
INSERT INTO cost_entries (org_id, asset_id, kind, entry_date, amount, currency, supplier_id, invoice_reference)
SELECT org_id, id, 'PURCHASE', coalesce(purchase_date, (created_at AT TIME ZONE 'UTC')::date),
       purchase_price, purchase_currency, supplier_id, invoice_number
FROM assets WHERE purchase_price IS NOT NULL;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['depreciation_profiles','contracts','contract_charges','contract_assets','contract_licenses','cost_entries','exchange_rates'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO itam_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
ALTER TABLE cost_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cost_history USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT ON cost_history TO itam_app;
