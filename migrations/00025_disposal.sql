-- +goose Up
-- Disposal with sanitization, and history readers can resolve.

-- Whether a category's devices carry storage (disks, flash): such an asset
-- cannot reach DISPOSED without a sanitization record. The column default
-- is false for writers that do not say (raw SQL, old seeds); the API
-- defaults it from the kind (itam.KindCarriesStorage), and categories that
-- exist today get the same rule here.
ALTER TABLE categories ADD COLUMN has_storage boolean NOT NULL DEFAULT false;
UPDATE categories SET has_storage = true WHERE kind IN ('LAPTOP', 'DESKTOP', 'SERVER', 'PHONE', 'TABLET');

-- sanitization_records: how an asset's media were sanitized before it left
-- (NIST SP 800-88: CLEAR, PURGE, DESTROY), written in the transaction that
-- disposes of it. One per asset (DISPOSED is terminal); never changed.
CREATE TABLE sanitization_records (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id              uuid NOT NULL,
  method                text NOT NULL CHECK (method IN ('CLEAR', 'PURGE', 'DESTROY')),
  performed_at          timestamptz NOT NULL,
  verified_by           text NOT NULL CHECK (btrim(verified_by) <> ''),
  tool                  text,
  certificate_reference text,
  recorded_by           text NOT NULL,
  recorded_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  UNIQUE (org_id, asset_id),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id) ON DELETE CASCADE
);
ALTER TABLE sanitization_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sanitization_records USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT ON sanitization_records TO itam_app;

-- disposals(filter: {from, to}) and the certificate export read disposed
-- assets by disposal date.
CREATE INDEX assets_disposal_date ON assets (org_id, disposal_date, id) WHERE disposal_date IS NOT NULL;

-- auditEvents reads every history table newest first, each by
-- (at DESC, id DESC) within the organization, optionally for one actor:
-- one index range per table and page.
CREATE INDEX asset_history_at ON asset_history (org_id, at, id);
CREATE INDEX asset_history_actor_at ON asset_history (org_id, actor, at, id);
CREATE INDEX license_history_at ON license_history (org_id, at, id);
CREATE INDEX license_history_actor_at ON license_history (org_id, actor, at, id);
CREATE INDEX software_history_at ON software_history (org_id, at, id);
CREATE INDEX software_history_actor_at ON software_history (org_id, actor, at, id);
CREATE INDEX cost_history_at ON cost_history (org_id, at, id);
CREATE INDEX cost_history_actor_at ON cost_history (org_id, actor, at, id);

-- itam.history_ref_type is the type a history change's field refers to
-- (as itam.RefTypes maps them; a test keeps the two equal), or NULL.
-- +goose StatementBegin
CREATE FUNCTION itam.history_ref_type(field text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN field IN ('assignedPersonId', 'ownerPersonId', 'personId', 'managerId') THEN 'Person'
    WHEN field IN ('assignedLocationId', 'locationId', 'parentId') THEN 'Location'
    WHEN field IN ('ownerTeamId', 'teamId') THEN 'Team'
    WHEN field = 'modelId' THEN 'Model'
    WHEN field = 'manufacturerId' THEN 'Manufacturer'
    WHEN field = 'categoryId' THEN 'Category'
    WHEN field = 'supplierId' THEN 'Supplier'
    WHEN field = 'depreciationProfileId' THEN 'DepreciationProfile'
    WHEN field = 'assetId' THEN 'Asset'
    WHEN field = 'licenseId' THEN 'License'
    WHEN field = 'contractId' THEN 'Contract'
    WHEN field = 'productId' THEN 'SoftwareProduct'
    WHEN field = 'publisherId' THEN 'SoftwarePublisher'
  END
$$;
-- +goose StatementEnd

-- itam.node_label is a record's display label (a name, an asset's tag, a
-- contract's number …) by its type name, or NULL when it does not exist
-- (or RLS hides it).
-- +goose StatementBegin
CREATE FUNCTION itam.node_label(typ text, ref uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE typ
    WHEN 'Person' THEN (SELECT name FROM people WHERE id = ref)
    WHEN 'Location' THEN (SELECT name FROM locations WHERE id = ref)
    WHEN 'Team' THEN (SELECT name FROM teams WHERE id = ref)
    WHEN 'Model' THEN (SELECT name FROM models WHERE id = ref)
    WHEN 'Manufacturer' THEN (SELECT name FROM manufacturers WHERE id = ref)
    WHEN 'Category' THEN (SELECT name FROM categories WHERE id = ref)
    WHEN 'Supplier' THEN (SELECT name FROM suppliers WHERE id = ref)
    WHEN 'DepreciationProfile' THEN (SELECT name FROM depreciation_profiles WHERE id = ref)
    WHEN 'Asset' THEN (SELECT asset_tag FROM assets WHERE id = ref)
    WHEN 'License' THEN (SELECT coalesce(l.name, p.name) FROM licenses l LEFT JOIN software_products p ON p.id = l.product_id WHERE l.id = ref)
    WHEN 'Contract' THEN (SELECT coalesce(number, kind) FROM contracts WHERE id = ref)
    WHEN 'SoftwareProduct' THEN (SELECT name FROM software_products WHERE id = ref)
    WHEN 'SoftwarePublisher' THEN (SELECT name FROM software_publishers WHERE id = ref)
    WHEN 'SoftwareTitleRule' THEN (SELECT pattern FROM software_title_rules WHERE id = ref)
    WHEN 'CostEntry' THEN (SELECT kind || ' ' || entry_date::text FROM cost_entries WHERE id = ref)
  END
$$;
-- +goose StatementEnd

-- itam.labelled_changes sets, on each reference of a history changes
-- column, the label of what each side points at ("fromLabel"/"toLabel") as
-- the referent is now, keeping the one recorded (by the trigger below) when
-- it has been deleted. Readers select it instead of the raw column, so a
-- page of history gets its labels in the statement that reads it: no
-- query per change, none per page.
-- +goose StatementBegin
CREATE FUNCTION itam.labelled_changes(changes jsonb) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  v jsonb;
  typ text;
  side text;
  raw text;
  label text;
  labelled jsonb := changes;
BEGIN
  IF changes IS NULL OR changes = '{}'::jsonb THEN
    RETURN changes;
  END IF;
  FOR k, v IN SELECT * FROM jsonb_each(changes) LOOP
    typ := itam.history_ref_type(k);
    CONTINUE WHEN typ IS NULL OR jsonb_typeof(v) <> 'object';
    FOREACH side IN ARRAY ARRAY['from', 'to'] LOOP
      raw := v ->> side;
      CONTINUE WHEN raw IS NULL OR raw !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
      label := itam.node_label(typ, raw::uuid);
      IF label IS NOT NULL THEN
        v := v || jsonb_build_object(side || 'Label', label);
      END IF;
    END LOOP;
    labelled := labelled || jsonb_build_object(k, v);
  END LOOP;
  RETURN labelled;
END $$;
-- +goose StatementEnd

-- Every history row records, next to each reference it changes, the label
-- the referent had then ({"from", "to", "fromLabel", "toLabel"}): readers
-- resolve labels at read time, and fall back to these when the referent has
-- since been deleted. A trigger, so every writer (API, sync, seed) does it.
-- +goose StatementBegin
CREATE FUNCTION itam.label_history_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.changes := itam.labelled_changes(NEW.changes);
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER asset_history_labels BEFORE INSERT ON asset_history FOR EACH ROW EXECUTE FUNCTION itam.label_history_changes();
CREATE TRIGGER license_history_labels BEFORE INSERT ON license_history FOR EACH ROW EXECUTE FUNCTION itam.label_history_changes();
CREATE TRIGGER software_history_labels BEFORE INSERT ON software_history FOR EACH ROW EXECUTE FUNCTION itam.label_history_changes();
CREATE TRIGGER cost_history_labels BEFORE INSERT ON cost_history FOR EACH ROW EXECUTE FUNCTION itam.label_history_changes();
