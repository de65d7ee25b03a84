-- +goose Up
-- A sync keeps, on each link of a record to an asset, the fingerprint of
-- the record it last applied (reconcile.Snapshot.Fingerprint: the record,
-- what its names resolved to, the asset's id and version, the settings)
-- and when the record was last fully confirmed. A record brought again
-- whose fingerprint still matches changes nothing and is not reconciled
-- again; NULL: reconcile the next one.
ALTER TABLE asset_external_ids
  ADD COLUMN fingerprint bytea,
  ADD COLUMN fingerprint_at timestamptz;

-- +goose Down
SELECT 1;
