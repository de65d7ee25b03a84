-- +goose Up
-- asset_counts (00036) and cost_month_totals (00016) are kept by statement
-- triggers, one grouped upsert per statement. An import commits 100,000
-- assets in statements of 5,000, and each statement has almost as many
-- distinct keys as rows: 104,000 counts and 87,000 month totals were
-- upserted for 28,000 and 18,000 keys in the end (about 4 s of the
-- commit). The import now adds its new assets and their PURCHASE entries
-- once, at the end of its transaction; the triggers stand aside for its
-- INSERT while it says so (itam.aggregates_deferred, transaction-local,
-- as itam.history_labelled in 00039).
--
-- What a row adds is written once, in the functions below, read by id:
-- the insert triggers call them for the statement's rows, the import for
-- its own. The INSERT branches of itam.asset_counts_apply and
-- itam.cost_month_totals_apply are no longer reached; their UPDATE and
-- DELETE branches are unchanged.

-- +goose StatementBegin
CREATE FUNCTION itam.asset_counts_add(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO asset_counts AS t (org_id, grain, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value)
  SELECT org_id, CASE GROUPING(status, model_id, location_id, owner_team_id, currency) WHEN 0 THEN 0 WHEN 6 THEN 1 WHEN 27 THEN 2 ELSE 3 END,
         coalesce(status, ''), coalesce(model_id, '00000000-0000-0000-0000-000000000000'),
         coalesce(location_id, '00000000-0000-0000-0000-000000000000'), coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000'),
         coalesce(currency, ''), count(*), count(purchase_price), coalesce(sum(purchase_price), 0)
    FROM (SELECT org_id, status::text AS status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
                 coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
                 coalesce(purchase_currency::text, '') AS currency, purchase_price
            FROM assets WHERE id = ANY(ids)) k
   GROUP BY org_id, GROUPING SETS ((status, model_id, location_id, owner_team_id, currency), (status, model_id, currency), (location_id), (owner_team_id))
   -- In key order, as 00036's upserts: concurrent writers never deadlock.
   ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (org_id, grain, status, model_id, location_id, owner_team_id, currency) DO UPDATE
    SET assets = t.assets + EXCLUDED.assets, priced = t.priced + EXCLUDED.priced,
        purchase_value = t.purchase_value + EXCLUDED.purchase_value;
$$;

CREATE FUNCTION itam.cost_month_totals_add(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO cost_month_totals AS t (org_id, month, model_id, kind, currency, amount, entries)
  SELECT org_id, date_trunc('month', entry_date)::date, coalesce(model_id, '00000000-0000-0000-0000-000000000000'), kind, currency, sum(amount), count(*)
    FROM cost_entries WHERE id = ANY(ids) AND contract_id IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (org_id, month, model_id, kind, currency) DO UPDATE
    SET amount = t.amount + EXCLUDED.amount, entries = t.entries + EXCLUDED.entries;
$$;

CREATE FUNCTION itam.asset_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM itam.asset_counts_add(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;

CREATE FUNCTION itam.cost_month_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM itam.cost_month_totals_add(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;
-- +goose StatementEnd

DROP TRIGGER assets_counts_insert ON assets;
CREATE TRIGGER assets_counts_insert AFTER INSERT ON assets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  WHEN (current_setting('itam.aggregates_deferred', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION itam.asset_counts_inserted();
DROP TRIGGER cost_entries_totals_insert ON cost_entries;
CREATE TRIGGER cost_entries_totals_insert AFTER INSERT ON cost_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  WHEN (current_setting('itam.aggregates_deferred', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION itam.cost_month_totals_inserted();
