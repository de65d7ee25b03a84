-- +goose Up
-- The organization-wide audit feed (auditEvents) also reads the purchase
-- order and offboarding histories: the same (org, at, id) and (org, actor,
-- at, id) indexes the other history tables got in 00025 keep a page an
-- index walk, and node_label names the new entity types.
CREATE INDEX purchase_order_history_at ON purchase_order_history (org_id, at, id);
CREATE INDEX purchase_order_history_actor_at ON purchase_order_history (org_id, actor, at, id);
CREATE INDEX offboarding_history_at ON offboarding_history (org_id, at, id);
CREATE INDEX offboarding_history_actor_at ON offboarding_history (org_id, actor, at, id);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION itam.node_label(typ text, ref uuid) RETURNS text LANGUAGE sql STABLE AS $$
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
    WHEN 'PurchaseOrder' THEN (SELECT order_number FROM purchase_orders WHERE id = ref)
    WHEN 'OffboardingChecklist' THEN (SELECT p.name FROM offboarding_checklists c JOIN people p ON p.id = c.person_id WHERE c.id = ref)
    WHEN 'AuditCampaign' THEN (SELECT name FROM audit_campaigns WHERE id = ref)
  END
$$;
-- +goose StatementEnd
