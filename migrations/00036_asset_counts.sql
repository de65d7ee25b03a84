-- +goose Up
-- assetCounts counted the assets themselves on every request: on 100,000
-- assets 635 ms for the dashboard's count by category (~150 ms of
-- PostgreSQL CPU); the totals of nested asset connections (a location's
-- subtree, a team's assets) likewise. asset_counts holds the assets
-- counted by the dimensions an unfiltered assetCounts can group by, kept in
-- the same transaction as the writes by statement-level triggers: a bulk
-- insert (import, first sync, seed's COPY) pays one aggregate pass, not one
-- upsert per row. The store reads it when the question has no filter and
-- no visibility restriction, and counts the assets otherwise. Category
-- comes through the model when read, so a model moving to another category
-- needs no recount.
--
-- Each row counts the assets of one key at one grain, so a question reads
-- the fewest rows that answer it (100,000 seeded assets: ~15,000 keys at
-- grain 0, ~1,100 at grain 1, a row per location or team at grains 2 and 3):
--   0: status, model, location, owning team, currency (any grouping)
--   1: status, model, currency (by status, category, model or nothing)
--   2: location (a location's total)
--   3: owning team (a team's total)
-- A dimension a grain does not hold, and an absent location, owning team or
-- currency, is stored as the nil uuid or '', so the key is a plain primary
-- key (upserts and joins by equality).
CREATE TABLE asset_counts (
  org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  grain          smallint NOT NULL,
  status         text NOT NULL,
  model_id       uuid NOT NULL,
  location_id    uuid NOT NULL,
  owner_team_id  uuid NOT NULL,
  currency       text NOT NULL,
  assets         integer NOT NULL,
  -- How many of them have a purchase price: the live sum is NULL (no
  -- purchase value) when none has.
  priced         integer NOT NULL,
  purchase_value numeric NOT NULL,
  PRIMARY KEY (org_id, grain, status, model_id, location_id, owner_team_id, currency)
);

-- The rows move by each statement's net change per key, applied in key
-- order, so two transactions writing the same organization's assets lock
-- the rows they share in the same order (no deadlock) and add to each
-- other's counts (ON CONFLICT … DO UPDATE: nothing lost). An update's
-- gains and losses go through one upsert: a key losing assets exists (it
-- holds them, and their rows are locked by the updating statement), so
-- it is only ever updated, and every row is locked by that one ordered
-- statement; the rows it leaves with no asset are deleted after it.
-- Deletes never insert: when an organization's deletion cascades, its rows
-- here may be gone already. Static statements, one branch per operation
-- (PL/pgSQL plans a statement when first run, so a branch names only the
-- transition tables its operation has). Each statement's rows are summed
-- at every grain in one pass (GROUPING SETS; GROUPING's bits are the
-- dimensions a set leaves out: status 16, model 8, location 4, team 2,
-- currency 1).
-- +goose StatementBegin
CREATE FUNCTION itam.asset_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  emptied asset_counts[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO asset_counts AS t (org_id, grain, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value)
    SELECT org_id, CASE GROUPING(status, model_id, location_id, owner_team_id, currency) WHEN 0 THEN 0 WHEN 6 THEN 1 WHEN 27 THEN 2 ELSE 3 END,
           coalesce(status, ''), coalesce(model_id, '00000000-0000-0000-0000-000000000000'),
           coalesce(location_id, '00000000-0000-0000-0000-000000000000'), coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000'),
           coalesce(currency, ''), count(*), count(purchase_price), coalesce(sum(purchase_price), 0)
      FROM (SELECT org_id, status::text AS status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
                   coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
                   coalesce(purchase_currency::text, '') AS currency, purchase_price
              FROM new_rows) k
     GROUP BY org_id, GROUPING SETS ((status, model_id, location_id, owner_team_id, currency), (status, model_id, currency), (location_id), (owner_team_id))
     ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (org_id, grain, status, model_id, location_id, owner_team_id, currency) DO UPDATE
      SET assets = t.assets + EXCLUDED.assets, priced = t.priced + EXCLUDED.priced,
          purchase_value = t.purchase_value + EXCLUDED.purchase_value;
  ELSIF TG_OP = 'DELETE' THEN
    WITH d AS MATERIALIZED (
        SELECT org_id, CASE GROUPING(status, model_id, location_id, owner_team_id, currency) WHEN 0 THEN 0 WHEN 6 THEN 1 WHEN 27 THEN 2 ELSE 3 END AS grain,
               coalesce(status, '') AS status, coalesce(model_id, '00000000-0000-0000-0000-000000000000') AS model_id,
               coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
               coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id, coalesce(currency, '') AS currency,
               count(*)::int AS assets, count(purchase_price)::int AS priced, coalesce(sum(purchase_price), 0) AS purchase_value
          FROM (SELECT org_id, status::text AS status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
                       coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
                       coalesce(purchase_currency::text, '') AS currency, purchase_price
                  FROM old_rows) k
         GROUP BY org_id, GROUPING SETS ((status, model_id, location_id, owner_team_id, currency), (status, model_id, currency), (location_id), (owner_team_id))),
      locked AS MATERIALIZED (
        SELECT t.org_id, t.grain, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency,
               t.assets - d.assets AS left_assets, d.priced, d.purchase_value
          FROM asset_counts t JOIN d USING (org_id, grain, status, model_id, location_id, owner_team_id, currency)
         ORDER BY 1, 2, 3, 4, 5, 6, 7 FOR UPDATE OF t),
      gone AS (DELETE FROM asset_counts t USING locked l
        WHERE l.left_assets <= 0
          AND (t.org_id, t.grain, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency)
            = (l.org_id, l.grain, l.status, l.model_id, l.location_id, l.owner_team_id, l.currency))
    UPDATE asset_counts t SET assets = l.left_assets, priced = t.priced - l.priced, purchase_value = t.purchase_value - l.purchase_value
      FROM locked l
     WHERE l.left_assets > 0
       AND (t.org_id, t.grain, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency)
         = (l.org_id, l.grain, l.status, l.model_id, l.location_id, l.owner_team_id, l.currency);
  ELSE
    -- Most update statements change no counted column (a note, a sync's
    -- last-seen time): their net change is empty and nothing is locked.
    WITH d AS (
        SELECT org_id, CASE GROUPING(status, model_id, location_id, owner_team_id, currency) WHEN 0 THEN 0 WHEN 6 THEN 1 WHEN 27 THEN 2 ELSE 3 END AS grain,
               coalesce(status, '') AS status, coalesce(model_id, '00000000-0000-0000-0000-000000000000') AS model_id,
               coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
               coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id, coalesce(currency, '') AS currency,
               sum(n)::int AS assets, sum(p)::int AS priced, sum(v) AS purchase_value
          FROM (SELECT org_id, status::text AS status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
                       coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
                       coalesce(purchase_currency::text, '') AS currency,
                       1 AS n, (purchase_price IS NOT NULL)::int AS p, coalesce(purchase_price, 0) AS v
                  FROM new_rows
                UNION ALL
                SELECT org_id, status::text, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000'),
                       coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000'), coalesce(purchase_currency::text, ''),
                       -1, -(purchase_price IS NOT NULL)::int, -coalesce(purchase_price, 0)
                  FROM old_rows) k
         GROUP BY org_id, GROUPING SETS ((status, model_id, location_id, owner_team_id, currency), (status, model_id, currency), (location_id), (owner_team_id))
        HAVING sum(n) <> 0 OR sum(p) <> 0 OR sum(v) <> 0),
      moved AS (
        INSERT INTO asset_counts AS t (org_id, grain, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value)
        SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (org_id, grain, status, model_id, location_id, owner_team_id, currency) DO UPDATE
          SET assets = t.assets + EXCLUDED.assets, priced = t.priced + EXCLUDED.priced,
              purchase_value = t.purchase_value + EXCLUDED.purchase_value
        RETURNING t.*)
    SELECT array_agg(ROW(m.org_id, m.grain, m.status, m.model_id, m.location_id, m.owner_team_id, m.currency, m.assets, m.priced, m.purchase_value)::asset_counts)
      INTO emptied FROM moved m WHERE m.assets <= 0;
    -- A separate statement: the upsert's own statement cannot see the rows
    -- it changed. They are locked by this transaction already.
    IF emptied IS NOT NULL THEN
      DELETE FROM asset_counts t USING unnest(emptied) e
       WHERE (t.org_id, t.grain, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency)
           = (e.org_id, e.grain, e.status, e.model_id, e.location_id, e.owner_team_id, e.currency)
         AND t.assets <= 0;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER assets_counts_insert AFTER INSERT ON assets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.asset_counts_apply();
CREATE TRIGGER assets_counts_update AFTER UPDATE ON assets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.asset_counts_apply();
CREATE TRIGGER assets_counts_delete AFTER DELETE ON assets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.asset_counts_apply();

INSERT INTO asset_counts (org_id, grain, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value)
SELECT org_id, CASE GROUPING(status, model_id, location_id, owner_team_id, currency) WHEN 0 THEN 0 WHEN 6 THEN 1 WHEN 27 THEN 2 ELSE 3 END,
       coalesce(status, ''), coalesce(model_id, '00000000-0000-0000-0000-000000000000'),
       coalesce(location_id, '00000000-0000-0000-0000-000000000000'), coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000'),
       coalesce(currency, ''), count(*), count(purchase_price), coalesce(sum(purchase_price), 0)
  FROM (SELECT org_id, status::text AS status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
               coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
               coalesce(purchase_currency::text, '') AS currency, purchase_price
          FROM assets) k
 GROUP BY org_id, GROUPING SETS ((status, model_id, location_id, owner_team_id, currency), (status, model_id, currency), (location_id), (owner_team_id));

ALTER TABLE asset_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON asset_counts USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON asset_counts TO itam_app;

-- A location's assets in tag order: the store pages a location subtree's
-- assets location by location (LIMIT n+1 off this index each) and merges
-- them. It also serves everything (org_id, location_id) did.
CREATE INDEX assets_org_location_tag ON assets (org_id, location_id, asset_tag, id);
DROP INDEX assets_org_location;
ANALYZE asset_counts;
