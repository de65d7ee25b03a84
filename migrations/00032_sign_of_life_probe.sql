-- +goose Up
-- The history trigger of 00024 joined its transition table to assets; with
-- the statistics of a young table (a first sync of 50,000 records into an
-- empty organization: autovacuum has not analyzed assets yet) PostgreSQL
-- plans that join as a scan of every asset of the organization per
-- statement, and PL/pgSQL keeps that plan: a sync writing one history row
-- per statement got slower with every asset it created (1.5 ms per row at
-- 2,500 assets, 3 ms at 5,000). A LATERAL probe that cannot be pulled up
-- (OFFSET 0) is an index lookup per history row whatever the statistics say.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION itam.sign_of_life_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO asset_signs_of_life AS s (org_id, asset_id, at, source)
  SELECT DISTINCT ON (h.org_id, h.asset_id) h.org_id, h.asset_id, h.at,
         (CASE WHEN h.actor_kind = 'CONNECTOR' THEN 'CONNECTOR' WHEN h.source = 'audit' THEN 'AUDIT'
               WHEN h.action = 'CREATE' THEN 'CREATED' ELSE 'USER' END)::sign_of_life_source
    FROM new_rows h
    CROSS JOIN LATERAL (SELECT 1 FROM assets a WHERE a.org_id = h.org_id AND a.id = h.asset_id OFFSET 0) a -- a deletion's entry has no asset left
   WHERE h.actor_kind IN ('USER', 'CONNECTOR')
   ORDER BY h.org_id, h.asset_id, h.at DESC
  ON CONFLICT (org_id, asset_id) DO UPDATE SET at = EXCLUDED.at, source = EXCLUDED.source WHERE EXCLUDED.at >= s.at;
  RETURN NULL;
END $$;
-- +goose StatementEnd
