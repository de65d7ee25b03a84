-- +goose Up
-- A page of assets in any AssetOrderField order is an index range: each
-- index below holds (org_id, the sort key, id), exactly the keyset order
-- the list query asks for (internal/postgres/assets.go, assetSorts), so the
-- page reads its 101 rows in order and stops, both directions (a backward
-- scan serves DESC), and a cursor's row comparison (key, id) > ($k, $id) is
-- the start of the range rather than a filter: page 51 costs what page 1
-- costs. Before, every order but tag and creation time sorted all 100,000
-- rows of the organization for each page (about 4,800 buffers).
--
-- The keys are stored columns, not expression indexes, because of
-- row-level security: a condition may run inside the index scan, ahead of
-- the policy, only if everything it calls is leakproof. coalesce() and the
-- enum comparisons are not, so (coalesce(purchase_date, ...), id) > (...)
-- stayed a filter over every row before the cursor (5,000 heap rows at
-- page 51); a plain column compared with date_gt, text_gt, int2gt and
-- uuid_gt is leakproof. Nullable columns sort through their key as before
-- (NULL names and serials as '', missing dates as 'infinity': last when
-- ascending); the status key is the lifecycle order of the enum, as the
-- schema documents STATUS (it sorted alphabetically before).
ALTER TABLE assets
  ADD COLUMN sort_name text GENERATED ALWAYS AS (coalesce(name, '')) STORED,
  ADD COLUMN sort_serial text GENERATED ALWAYS AS (coalesce(serial_number, '')) STORED,
  ADD COLUMN sort_purchase_date date GENERATED ALWAYS AS (coalesce(purchase_date, 'infinity'::date)) STORED,
  ADD COLUMN sort_warranty_end date GENERATED ALWAYS AS (coalesce(warranty_end, 'infinity'::date)) STORED,
  -- Must list itam.AssetStatuses in its order (a test compares them).
  ADD COLUMN sort_status smallint GENERATED ALWAYS AS (CASE status
    WHEN 'ORDERED' THEN 0 WHEN 'IN_STOCK' THEN 1 WHEN 'DEPLOYED' THEN 2 WHEN 'IN_REPAIR' THEN 3
    WHEN 'LOST' THEN 4 WHEN 'STOLEN' THEN 5 WHEN 'RETIRED' THEN 6 WHEN 'DISPOSED' THEN 7 END) STORED;

CREATE INDEX assets_org_updated ON assets (org_id, updated_at, id);
CREATE INDEX assets_org_sort_name ON assets (org_id, sort_name, id);
CREATE INDEX assets_org_sort_serial ON assets (org_id, sort_serial, id);
CREATE INDEX assets_org_sort_purchase_date ON assets (org_id, sort_purchase_date, id);
CREATE INDEX assets_org_sort_status ON assets (org_id, sort_status, id);

-- This one replaces (org_id, warranty_end) rather than adding to it: the
-- warrantyExpiresBefore filter and the WARRANTY_ENDING notification scan
-- compare sort_warranty_end, which a finite range treats as warranty_end
-- ('infinity' is never inside it).
CREATE INDEX assets_org_sort_warranty_end ON assets (org_id, sort_warranty_end, id);
DROP INDEX IF EXISTS assets_org_warranty;

-- Search: the function's statement is planned on every call with the
-- pattern unknown, and its guess for the catalog branch (every asset of
-- every model that might match, ~120,000 cost units) passes jit_above_cost,
-- so each search compiled its expressions with LLVM first: 250–340 ms of a
-- search that then ran in a few milliseconds (the 300 ms p99 of workload
-- 2; on a busy machine the p50 too). Its queries are index lookups that
-- JIT cannot speed up.
ALTER FUNCTION itam.search_assets(text) SET jit = off;
