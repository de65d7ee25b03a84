-- +goose Up
-- assetCounts and the totals of nested asset connections counted the
-- assets themselves on every request: on 100,000 assets 635 ms for the
-- dashboard's count by category (~150 ms of PostgreSQL CPU), 1.1 s for the
-- asset totals of 100 locations (each location counts its whole subtree,
-- so every asset was counted once per ancestor). asset_counts holds the
-- assets counted by every dimension an unfiltered assetCounts can group by
-- (category comes through the model, so a model moving to another
-- category needs no recount), kept in the same transaction as the writes
-- by statement-level triggers: a bulk insert (import, first sync, seed's
-- COPY) pays one aggregate pass, not one upsert per row. The store reads
-- it when the question has no filter and no visibility restriction, and
-- counts the assets otherwise.
--
-- Absent location, owning team or currency are stored as the nil uuid and
-- '' so the key is a plain primary key (upserts and joins by equality).
CREATE TABLE asset_counts (
  org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  status         asset_status NOT NULL,
  model_id       uuid NOT NULL,
  location_id    uuid NOT NULL,
  owner_team_id  uuid NOT NULL,
  currency       text NOT NULL,
  assets         integer NOT NULL,
  -- How many of them have a purchase price: the live sum is NULL (no
  -- purchase value) when none has.
  priced         integer NOT NULL,
  purchase_value numeric NOT NULL,
  PRIMARY KEY (org_id, status, model_id, location_id, owner_team_id, currency)
);
CREATE INDEX asset_counts_location ON asset_counts (org_id, location_id);
CREATE INDEX asset_counts_owner_team ON asset_counts (org_id, owner_team_id);

-- The rows move by each statement's net change per key, applied in key
-- order, so two transactions writing the same organization's assets lock
-- the rows they share in the same order (no deadlock) and add to each
-- other's counts (ON CONFLICT … DO UPDATE: nothing lost). An update's
-- gains and losses go through one upsert: a key losing assets exists (it
-- holds them, and their rows are locked by the updating statement), so
-- it is only ever updated, and every row is locked by that one ordered
-- statement; the rows it leaves with no asset are deleted after it. Deletes
-- never insert: when an organization's deletion cascades, its rows here
-- may be gone already. Static statements, one branch per operation
-- (PL/pgSQL plans a statement when first run, so a branch names only the
-- transition tables its operation has).
-- +goose StatementBegin
CREATE FUNCTION itam.asset_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  emptied asset_counts[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO asset_counts AS t (org_id, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value)
    SELECT org_id, status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000'),
           coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000'), coalesce(purchase_currency::text, ''),
           count(*), count(purchase_price), coalesce(sum(purchase_price), 0)
      FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (org_id, status, model_id, location_id, owner_team_id, currency) DO UPDATE
      SET assets = t.assets + EXCLUDED.assets, priced = t.priced + EXCLUDED.priced,
          purchase_value = t.purchase_value + EXCLUDED.purchase_value;
  ELSIF TG_OP = 'DELETE' THEN
    WITH d AS MATERIALIZED (
        SELECT org_id, status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
               coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
               coalesce(purchase_currency::text, '') AS currency,
               count(*)::int AS assets, count(purchase_price)::int AS priced, coalesce(sum(purchase_price), 0) AS purchase_value
          FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6),
      locked AS MATERIALIZED (
        SELECT t.org_id, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency,
               t.assets - d.assets AS left_assets, d.priced, d.purchase_value
          FROM asset_counts t JOIN d USING (org_id, status, model_id, location_id, owner_team_id, currency)
         ORDER BY 1, 2, 3, 4, 5, 6 FOR UPDATE OF t),
      gone AS (DELETE FROM asset_counts t USING locked l
        WHERE l.left_assets <= 0
          AND (t.org_id, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency)
            = (l.org_id, l.status, l.model_id, l.location_id, l.owner_team_id, l.currency))
    UPDATE asset_counts t SET assets = l.left_assets, priced = t.priced - l.priced, purchase_value = t.purchase_value - l.purchase_value
      FROM locked l
     WHERE l.left_assets > 0
       AND (t.org_id, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency)
         = (l.org_id, l.status, l.model_id, l.location_id, l.owner_team_id, l.currency);
  ELSE
    -- Most update statements change no counted column (a note, a sync's
    -- last-seen time): their net change is empty and nothing is locked.
    WITH d AS (
        SELECT org_id, status, model_id, location_id, owner_team_id, currency,
               sum(n)::int AS assets, sum(p)::int AS priced, sum(v) AS purchase_value
          FROM (SELECT org_id, status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
                       coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
                       coalesce(purchase_currency::text, '') AS currency,
                       1 AS n, (purchase_price IS NOT NULL)::int AS p, coalesce(purchase_price, 0) AS v
                  FROM new_rows
                UNION ALL
                SELECT org_id, status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000'),
                       coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000'), coalesce(purchase_currency::text, ''),
                       -1, -(purchase_price IS NOT NULL)::int, -coalesce(purchase_price, 0)
                  FROM old_rows) x
         GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(n) <> 0 OR sum(p) <> 0 OR sum(v) <> 0),
      moved AS (
        INSERT INTO asset_counts AS t (org_id, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value)
        SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (org_id, status, model_id, location_id, owner_team_id, currency) DO UPDATE
          SET assets = t.assets + EXCLUDED.assets, priced = t.priced + EXCLUDED.priced,
              purchase_value = t.purchase_value + EXCLUDED.purchase_value
        RETURNING t.*)
    SELECT array_agg(ROW(m.org_id, m.status, m.model_id, m.location_id, m.owner_team_id, m.currency, m.assets, m.priced, m.purchase_value)::asset_counts)
      INTO emptied FROM moved m WHERE m.assets <= 0;
    -- A separate statement: the upsert's own statement cannot see the rows
    -- it changed. They are locked by this transaction already.
    IF emptied IS NOT NULL THEN
      DELETE FROM asset_counts t USING unnest(emptied) e
       WHERE (t.org_id, t.status, t.model_id, t.location_id, t.owner_team_id, t.currency)
           = (e.org_id, e.status, e.model_id, e.location_id, e.owner_team_id, e.currency)
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

INSERT INTO asset_counts (org_id, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value)
SELECT org_id, status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000'),
       coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000'), coalesce(purchase_currency::text, ''),
       count(*), count(purchase_price), coalesce(sum(purchase_price), 0)
  FROM assets GROUP BY 1, 2, 3, 4, 5, 6;

ALTER TABLE asset_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON asset_counts USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON asset_counts TO itam_app;

-- A location's assets in tag order: the store pages a location subtree's
-- assets location by location (LIMIT n+1 off this index each) and merges
-- them. It also serves everything (org_id, location_id) did.
CREATE INDEX assets_org_location_tag ON assets (org_id, location_id, asset_tag, id);
DROP INDEX assets_org_location;
ANALYZE asset_counts;
