-- +goose Up
-- A source that pages by offset can skip a device when records shift
-- mid-run (issue 12): its links are marked missing only after two
-- consecutive full syncs did not see them. missed_full_syncs counts the
-- consecutive complete full syncs that missed a link (reset whenever a run
-- sees it); missed_run_id is the last run counted, so a full sync whose end
-- is retried counts once.
ALTER TABLE asset_external_ids
  ADD COLUMN missed_full_syncs int NOT NULL DEFAULT 0 CHECK (missed_full_syncs >= 0),
  ADD COLUMN missed_run_id uuid;
