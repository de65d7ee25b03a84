-- +goose Up
-- A 100,000-row import commit writes about 870,000 provenance rows and a
-- checkout and a sign of life per asset; every row paid a foreign-key
-- check per constraint, the largest single cost of the commit.
--
-- These rows' organization was checked twice: once against organizations
-- and once, with the asset, against assets (org_id, id), whose own org_id
-- references organizations. The second check implies the first, and both
-- cascade on delete (an organization's assets go with it, and these rows
-- with their asset), so the first adds a check per row and nothing else.
ALTER TABLE field_provenance DROP CONSTRAINT field_provenance_org_id_fkey;
ALTER TABLE asset_checkouts DROP CONSTRAINT asset_checkouts_org_id_fkey;
ALTER TABLE asset_signs_of_life DROP CONSTRAINT asset_signs_of_life_org_id_fkey;

-- assets_forecast (00017) has the same key, (org_id, status), with more
-- columns included: a lookup by status can use it, and an insert no
-- longer maintains both.
DROP INDEX assets_org_status;

-- A new asset's sign of life is its creation. No ON CONFLICT (as 00039
-- did for PURCHASE entries): an asset this statement inserts has no sign
-- yet (a sign needs its asset), and the clause made each row a
-- speculative insertion.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION itam.sign_of_life_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO asset_signs_of_life (org_id, asset_id, at, source)
  SELECT org_id, id, created_at, 'CREATED' FROM new_rows;
  RETURN NULL;
END $$;
-- +goose StatementEnd
