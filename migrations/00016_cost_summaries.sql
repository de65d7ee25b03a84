-- +goose Up
-- Cost reports over the whole ledger (500,000 entries, 166,000 contract
-- links) must answer within 150 ms: summing them row by row and joining
-- every entry to its asset took 230–430 ms. Two summaries, kept by
-- statement-level triggers (one pass per statement: the seed COPYs the
-- ledger in one), answer the reports that group by model or category or by
-- nothing; the store reads the ledger itself for the partial months at a
-- period's edges and for every other report.

-- The asset's model is copied onto its entries and contract links, so the
-- summaries know it without a join and still know it when an asset delete
-- cascades (the asset row is gone by the time the summary triggers run).
ALTER TABLE cost_entries ADD COLUMN model_id uuid;
ALTER TABLE contract_assets ADD COLUMN model_id uuid;

-- +goose StatementBegin
CREATE FUNCTION itam.asset_model_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.asset_id IS NULL THEN
    NEW.model_id := NULL;
  ELSE
    SELECT model_id INTO NEW.model_id FROM assets WHERE id = NEW.asset_id;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER cost_entries_model_insert BEFORE INSERT ON cost_entries
  FOR EACH ROW EXECUTE FUNCTION itam.asset_model_of_row();
CREATE TRIGGER cost_entries_model_update BEFORE UPDATE OF asset_id ON cost_entries
  FOR EACH ROW EXECUTE FUNCTION itam.asset_model_of_row();
CREATE TRIGGER contract_assets_model_insert BEFORE INSERT ON contract_assets
  FOR EACH ROW EXECUTE FUNCTION itam.asset_model_of_row();
CREATE TRIGGER contract_assets_model_update BEFORE UPDATE OF asset_id ON contract_assets
  FOR EACH ROW EXECUTE FUNCTION itam.asset_model_of_row();

-- +goose StatementBegin
CREATE FUNCTION itam.asset_model_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cost_entries SET model_id = NEW.model_id WHERE asset_id = NEW.id;
  UPDATE contract_assets SET model_id = NEW.model_id WHERE asset_id = NEW.id;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER assets_model_changed AFTER UPDATE OF model_id ON assets
  FOR EACH ROW WHEN (OLD.model_id IS DISTINCT FROM NEW.model_id) EXECUTE FUNCTION itam.asset_model_changed();

UPDATE cost_entries e SET model_id = a.model_id FROM assets a WHERE a.id = e.asset_id;
UPDATE contract_assets ca SET model_id = a.model_id FROM assets a WHERE a.id = ca.asset_id;

-- The ledger without contract entries (contracts' costs are shared among
-- their covered assets on read), summed by calendar month, model (the nil
-- uuid for license entries), kind and currency.
CREATE TABLE cost_month_totals (
  org_id   uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  month    date NOT NULL,
  model_id uuid NOT NULL,
  kind     text NOT NULL,
  currency char(3) NOT NULL,
  amount   numeric NOT NULL,
  entries  integer NOT NULL,
  PRIMARY KEY (org_id, month, model_id, kind, currency)
);

-- A contract's covered assets counted by model.
CREATE TABLE contract_model_counts (
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  contract_id uuid NOT NULL,
  model_id    uuid NOT NULL,
  assets      integer NOT NULL,
  PRIMARY KEY (contract_id, model_id),
  FOREIGN KEY (org_id, contract_id) REFERENCES contracts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX contract_model_counts_org ON contract_model_counts (org_id, contract_id);

-- The summaries move by the statement's net change per key. Rows gaining
-- entries are upserted in key order (concurrent writers lock them in the
-- same order: no deadlock); rows losing entries are locked in key order,
-- then updated or, left with none, deleted; never inserted: when an
-- organization or contract delete cascades, the summary row may be gone
-- already. Static statements, one branch per operation (PL/pgSQL plans a
-- statement when first run, so a branch names only the transition tables
-- its operation has): their plans are cached, which matters when a row
-- trigger (the asset's PURCHASE entry) inserts one entry at a time.
-- +goose StatementBegin
CREATE FUNCTION itam.cost_month_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO cost_month_totals AS t (org_id, month, model_id, kind, currency, amount, entries)
    SELECT org_id, date_trunc('month', entry_date)::date, coalesce(model_id, '00000000-0000-0000-0000-000000000000'), kind, currency, sum(amount), count(*)
      FROM new_rows WHERE contract_id IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (org_id, month, model_id, kind, currency) DO UPDATE
      SET amount = t.amount + EXCLUDED.amount, entries = t.entries + EXCLUDED.entries;
  ELSIF TG_OP = 'DELETE' THEN
    WITH d AS MATERIALIZED (
        SELECT org_id, date_trunc('month', entry_date)::date AS month, coalesce(model_id, '00000000-0000-0000-0000-000000000000') AS model_id, kind, currency,
               -sum(amount) AS amount, -count(*)::int AS entries
          FROM old_rows WHERE contract_id IS NULL GROUP BY 1, 2, 3, 4, 5),
      locked AS MATERIALIZED (
        SELECT t.org_id, t.month, t.model_id, t.kind, t.currency, t.entries + d.entries AS left_entries, d.amount
          FROM cost_month_totals t JOIN d USING (org_id, month, model_id, kind, currency)
         ORDER BY 1, 2, 3, 4, 5 FOR UPDATE OF t),
      gone AS (DELETE FROM cost_month_totals t USING locked l
        WHERE l.left_entries <= 0 AND (t.org_id, t.month, t.model_id, t.kind, t.currency) = (l.org_id, l.month, l.model_id, l.kind, l.currency))
    UPDATE cost_month_totals t SET amount = t.amount + l.amount, entries = l.left_entries FROM locked l
     WHERE l.left_entries > 0 AND (t.org_id, t.month, t.model_id, t.kind, t.currency) = (l.org_id, l.month, l.model_id, l.kind, l.currency);
  ELSE
    -- The delta is computed twice (gains, then losses): cheaper than a
    -- temporary table for the few rows an update statement usually has.
    WITH d AS (SELECT org_id, month, model_id, kind, currency, sum(amount) AS amount, sum(n)::int AS entries
          FROM (SELECT org_id, date_trunc('month', entry_date)::date AS month, coalesce(model_id, '00000000-0000-0000-0000-000000000000') AS model_id, kind, currency, amount, 1 AS n
                  FROM new_rows WHERE contract_id IS NULL
                UNION ALL
                SELECT org_id, date_trunc('month', entry_date)::date, coalesce(model_id, '00000000-0000-0000-0000-000000000000'), kind, currency, -amount, -1
                  FROM old_rows WHERE contract_id IS NULL) x
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(amount) <> 0 OR sum(n) <> 0)
    INSERT INTO cost_month_totals AS t (org_id, month, model_id, kind, currency, amount, entries)
    SELECT * FROM d WHERE entries >= 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (org_id, month, model_id, kind, currency) DO UPDATE
      SET amount = t.amount + EXCLUDED.amount, entries = t.entries + EXCLUDED.entries;
    WITH d AS MATERIALIZED (SELECT org_id, month, model_id, kind, currency, sum(amount) AS amount, sum(n)::int AS entries
          FROM (SELECT org_id, date_trunc('month', entry_date)::date AS month, coalesce(model_id, '00000000-0000-0000-0000-000000000000') AS model_id, kind, currency, amount, 1 AS n
                  FROM new_rows WHERE contract_id IS NULL
                UNION ALL
                SELECT org_id, date_trunc('month', entry_date)::date, coalesce(model_id, '00000000-0000-0000-0000-000000000000'), kind, currency, -amount, -1
                  FROM old_rows WHERE contract_id IS NULL) x
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(amount) <> 0 OR sum(n) <> 0),
      locked AS MATERIALIZED (
        SELECT t.org_id, t.month, t.model_id, t.kind, t.currency, t.entries + d.entries AS left_entries, d.amount
          FROM cost_month_totals t JOIN d USING (org_id, month, model_id, kind, currency)
         WHERE d.entries < 0 ORDER BY 1, 2, 3, 4, 5 FOR UPDATE OF t),
      gone AS (DELETE FROM cost_month_totals t USING locked l
        WHERE l.left_entries <= 0 AND (t.org_id, t.month, t.model_id, t.kind, t.currency) = (l.org_id, l.month, l.model_id, l.kind, l.currency))
    UPDATE cost_month_totals t SET amount = t.amount + l.amount, entries = l.left_entries FROM locked l
     WHERE l.left_entries > 0 AND (t.org_id, t.month, t.model_id, t.kind, t.currency) = (l.org_id, l.month, l.model_id, l.kind, l.currency);
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER cost_entries_totals_insert AFTER INSERT ON cost_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.cost_month_totals_apply();
CREATE TRIGGER cost_entries_totals_update AFTER UPDATE ON cost_entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.cost_month_totals_apply();
CREATE TRIGGER cost_entries_totals_delete AFTER DELETE ON cost_entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.cost_month_totals_apply();

-- +goose StatementBegin
CREATE FUNCTION itam.contract_model_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO contract_model_counts AS t (org_id, contract_id, model_id, assets)
    SELECT org_id, contract_id, model_id, count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 2, 3
    ON CONFLICT (contract_id, model_id) DO UPDATE SET assets = t.assets + EXCLUDED.assets;
  ELSIF TG_OP = 'DELETE' THEN
    WITH d AS MATERIALIZED (SELECT org_id, contract_id, model_id, -count(*)::int AS assets FROM old_rows GROUP BY 1, 2, 3),
      locked AS MATERIALIZED (
        SELECT t.contract_id, t.model_id, t.assets + d.assets AS left_assets
          FROM contract_model_counts t JOIN d USING (contract_id, model_id)
         WHERE d.assets < 0 ORDER BY 1, 2 FOR UPDATE OF t),
      gone AS (DELETE FROM contract_model_counts t USING locked l
        WHERE l.left_assets <= 0 AND (t.contract_id, t.model_id) = (l.contract_id, l.model_id))
    UPDATE contract_model_counts t SET assets = l.left_assets FROM locked l
     WHERE l.left_assets > 0 AND (t.contract_id, t.model_id) = (l.contract_id, l.model_id);
  ELSE
    WITH d AS (SELECT org_id, contract_id, model_id, sum(n)::int AS assets
          FROM (SELECT org_id, contract_id, model_id, 1 AS n FROM new_rows
                UNION ALL SELECT org_id, contract_id, model_id, -1 FROM old_rows) x
         GROUP BY 1, 2, 3 HAVING sum(n) <> 0)
    INSERT INTO contract_model_counts AS t (org_id, contract_id, model_id, assets)
    SELECT * FROM d WHERE assets > 0 ORDER BY 2, 3
    ON CONFLICT (contract_id, model_id) DO UPDATE SET assets = t.assets + EXCLUDED.assets;
    WITH d AS MATERIALIZED (SELECT org_id, contract_id, model_id, sum(n)::int AS assets
          FROM (SELECT org_id, contract_id, model_id, 1 AS n FROM new_rows
                UNION ALL SELECT org_id, contract_id, model_id, -1 FROM old_rows) x
         GROUP BY 1, 2, 3 HAVING sum(n) <> 0),
      locked AS MATERIALIZED (
        SELECT t.contract_id, t.model_id, t.assets + d.assets AS left_assets
          FROM contract_model_counts t JOIN d USING (contract_id, model_id)
         WHERE d.assets < 0 ORDER BY 1, 2 FOR UPDATE OF t),
      gone AS (DELETE FROM contract_model_counts t USING locked l
        WHERE l.left_assets <= 0 AND (t.contract_id, t.model_id) = (l.contract_id, l.model_id))
    UPDATE contract_model_counts t SET assets = l.left_assets FROM locked l
     WHERE l.left_assets > 0 AND (t.contract_id, t.model_id) = (l.contract_id, l.model_id);
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER contract_assets_counts_insert AFTER INSERT ON contract_assets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.contract_model_counts_apply();
CREATE TRIGGER contract_assets_counts_update AFTER UPDATE ON contract_assets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.contract_model_counts_apply();
CREATE TRIGGER contract_assets_counts_delete AFTER DELETE ON contract_assets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.contract_model_counts_apply();

INSERT INTO cost_month_totals (org_id, month, model_id, kind, currency, amount, entries)
SELECT org_id, date_trunc('month', entry_date)::date, coalesce(model_id, '00000000-0000-0000-0000-000000000000'), kind, currency, sum(amount), count(*)
  FROM cost_entries WHERE contract_id IS NULL GROUP BY 1, 2, 3, 4, 5;
INSERT INTO contract_model_counts (org_id, contract_id, model_id, assets)
SELECT org_id, contract_id, model_id, count(*) FROM contract_assets GROUP BY 1, 2, 3;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cost_month_totals','contract_model_counts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO itam_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
