-- +goose Up
-- The serial number each source reports is kept on its link. A virtual
-- machine's serial is not hardware identity (clones share it), so it never
-- goes on the asset and was stored nowhere: searching for "VMware-56 4d …"
-- found nothing. Link serials are not unique, by design.

-- serial_key is upper(btrim(serial)) as the sync writes it (NULL for none or
-- a firmware placeholder); a plain column, not a generated one, so adding it
-- does not rewrite the table. Stored upper-cased for the same reason as
-- assets.serial_key: equality on it can use an index under RLS.
ALTER TABLE asset_external_ids ADD COLUMN serial_key text;
CREATE INDEX asset_external_ids_serial ON asset_external_ids (org_id, serial_key) WHERE serial_key IS NOT NULL;
CREATE INDEX asset_external_ids_serial_trgm ON asset_external_ids USING gin (serial_key gin_trgm_ops) WHERE serial_key IS NOT NULL;

-- Text search also matches link serials. Every branch filters on the
-- caller's organization itself: the function runs as the owner, outside
-- RLS, and must never return another organization's ids even when called
-- directly.
CREATE OR REPLACE FUNCTION itam.search_assets(p_pattern text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT a.id FROM assets a
   WHERE a.org_id = itam.current_org()
     AND (a.asset_tag || ' ' || coalesce(a.serial_number, '') || ' ' || coalesce(a.name, '')) ILIKE p_pattern
  UNION
  SELECT a.id FROM people p JOIN assets a ON a.assigned_person_id = p.id AND a.org_id = p.org_id
   WHERE p.org_id = itam.current_org() AND p.name ILIKE p_pattern
  UNION
  SELECT l.asset_id FROM asset_external_ids l
   WHERE l.org_id = itam.current_org() AND l.serial_key IS NOT NULL AND l.serial_key ILIKE p_pattern
$$;
