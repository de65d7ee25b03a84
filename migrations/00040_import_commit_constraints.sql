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
-- A cost entry has exactly one target (cost_entries_one_target): an
-- asset, a license or a contract, each referenced by (org_id, id) with
-- ON DELETE CASCADE, and each referencing organizations the same way.
ALTER TABLE cost_entries DROP CONSTRAINT cost_entries_org_id_fkey;

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

-- field_provenance's remaining key, to assets, becomes a check per
-- statement. The 100,000-row import writes about 870,000 provenance rows,
-- 9 per asset: as a foreign key, 870,000 checks, each a query with its
-- own executor (about 3 s of the commit). Per statement it is one join
-- over the distinct assets the rows name, 9 times fewer probes in one
-- executor. It does what the key did:
--   * a row must name an asset of its organization, else the statement
--     fails with foreign_key_violation (23503) and the key's name;
--   * the asset is locked FOR KEY SHARE, as the key's check locks it, so
--     it cannot be deleted until the writer's transaction ends;
--   * deleting assets deletes their provenance (ON DELETE CASCADE), in
--     one statement per statement;
--   * an asset's (org_id, id) never changes (ON UPDATE NO ACTION): nothing
--     changes it, and a trigger refuses it.
-- Every writer runs READ COMMITTED, so the cascade's DELETE, a new
-- statement, sees provenance committed while it waited for the lock.
ALTER TABLE field_provenance DROP CONSTRAINT field_provenance_org_id_asset_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION itam.field_provenance_assets_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  named int;
  locked int;
  gone record;
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    -- A row re-pointed at another asset (nothing does it today).
    PERFORM 1 FROM assets a WHERE a.org_id = NEW.org_id AND a.id = NEW.asset_id FOR KEY SHARE OF a;
    IF NOT FOUND THEN
      SELECT NEW.org_id, NEW.asset_id INTO gone;
    END IF;
  ELSE
    SELECT count(*) INTO named FROM (SELECT DISTINCT org_id, asset_id FROM new_rows) n;
    PERFORM 1 FROM assets a JOIN (SELECT DISTINCT org_id, asset_id FROM new_rows) n ON a.org_id = n.org_id AND a.id = n.asset_id
      ORDER BY a.id FOR KEY SHARE OF a;
    GET DIAGNOSTICS locked = ROW_COUNT;
    IF locked < named THEN
      SELECT n.org_id, n.asset_id INTO gone FROM new_rows n
       WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.org_id = n.org_id AND a.id = n.asset_id) LIMIT 1;
    END IF;
  END IF;
  IF gone IS NOT NULL THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'insert or update on table "field_provenance" violates foreign key constraint "field_provenance_org_id_asset_id_fkey"',
      DETAIL = format('Key (org_id, asset_id)=(%s, %s) is not present in table "assets".', gone.org_id, gone.asset_id),
      CONSTRAINT = 'field_provenance_org_id_asset_id_fkey', TABLE = 'field_provenance', SCHEMA = 'public';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.field_provenance_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM field_provenance p USING old_rows o WHERE p.org_id = o.org_id AND p.asset_id = o.id;
  RETURN NULL;
END $$;

CREATE FUNCTION itam.asset_key_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE foreign_key_violation USING MESSAGE = format('update on table "assets" changes the key of asset %s, which never changes', OLD.id),
    TABLE = 'assets', SCHEMA = 'public';
END $$;
-- +goose StatementEnd

CREATE TRIGGER field_provenance_assets_insert AFTER INSERT ON field_provenance
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.field_provenance_assets_exist();
CREATE TRIGGER field_provenance_assets_update AFTER UPDATE OF org_id, asset_id ON field_provenance
  FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.asset_id IS DISTINCT FROM NEW.asset_id)
  EXECUTE FUNCTION itam.field_provenance_assets_exist();
CREATE TRIGGER field_provenance_cascade AFTER DELETE ON assets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION itam.field_provenance_cascade();
-- AFTER: a change row-level security refuses is refused by it first.
CREATE TRIGGER asset_key_is_fixed AFTER UPDATE OF org_id, id ON assets
  FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION itam.asset_key_is_fixed();
