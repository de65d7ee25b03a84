-- +goose Up
-- Text search also finds assets by their model (name or model number),
-- manufacturer and category (name or kind): "Latitude", "MacBook" and
-- "laptop" found nothing, although an admin searches by exactly those.
--
-- The new branch stays index-backed: it matches the few rows of the small
-- catalog tables first (models, manufacturers, categories) and reaches the
-- assets of each matching model through one range of assets_org_model
-- (org_id, model_id); a category or manufacturer reaches its assets
-- through its models, since assets carry model_id (categories only through
-- models). The LATERAL ... OFFSET 0 keeps that shape: the function's plan
-- is generic (the pattern is unknown when it is planned), and the planner,
-- guessing that many models match, would otherwise hash-join a scan of
-- every asset of the organization even for "Latitude 7440".
-- Every branch filters on the caller's organization itself: the function
-- runs as the owner, outside RLS (see 00001), and must never return another
-- organization's ids even when called directly.
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
  UNION
  SELECT ma.id
    FROM models m
   CROSS JOIN LATERAL (SELECT a.id FROM assets a
                        WHERE a.org_id = itam.current_org() AND a.model_id = m.id OFFSET 0) ma
   WHERE m.org_id = itam.current_org()
     AND (m.name ILIKE p_pattern OR m.model_number ILIKE p_pattern
          OR m.manufacturer_id IN (SELECT x.id FROM manufacturers x
                                    WHERE x.org_id = itam.current_org() AND x.name ILIKE p_pattern)
          OR m.category_id IN (SELECT c.id FROM categories c
                                WHERE c.org_id = itam.current_org()
                                  AND (c.name ILIKE p_pattern OR c.kind::text ILIKE p_pattern)))
$$;
