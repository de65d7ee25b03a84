-- +goose Up
-- The refresh forecast prices each model's replacement at its latest
-- purchase (newest purchase date, ties by the greatest id). Without this
-- index that is a sort of every priced asset of the model, some 2,000 rows
-- per model on 100,000 assets (three quarters of a second over the
-- models); with it, one index probe per model.
CREATE INDEX assets_model_latest_purchase ON assets (org_id, model_id, purchase_date DESC NULLS LAST, id DESC)
  WHERE purchase_price IS NOT NULL;

-- The forecast reads every active asset's end-of-life inputs. Covering
-- them lets PostgreSQL read this narrow index instead of the wide assets
-- rows (custom fields, notes): about 105 → 75 ms on 100,000 assets.
CREATE INDEX assets_forecast ON assets (org_id, status)
  INCLUDE (model_id, end_of_life, in_service_date, purchase_date, depreciation_profile_id, id);
