-- +goose Up
-- History actions for the checkout workflow: CHECKIN (checkinAsset: back to
-- stock with the condition it came back in) and ACCEPT (the assignee
-- confirmed receipt). ADD VALUE is allowed in goose's transaction; the new
-- values are first used by later transactions.
ALTER TYPE history_action ADD VALUE IF NOT EXISTS 'CHECKIN';
ALTER TYPE history_action ADD VALUE IF NOT EXISTS 'ACCEPT';

-- Asset.checkouts lists an asset's checkouts newest first, a page per asset.
CREATE INDEX asset_checkouts_asset ON asset_checkouts (org_id, asset_id, checked_out_at DESC, id DESC);
