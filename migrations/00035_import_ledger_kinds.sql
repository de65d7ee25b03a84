-- +goose Up
-- Imports of licenses, license seats and cost entries (internal/imports
-- LICENSES, LICENSE_SEATS, COST_ENTRIES): runs and saved mappings of those
-- kinds.
ALTER TABLE import_runs DROP CONSTRAINT import_runs_kind_check,
  ADD CONSTRAINT import_runs_kind_check
  CHECK (kind IN ('ASSETS', 'PEOPLE', 'LOCATIONS', 'MODELS', 'LICENSES', 'LICENSE_SEATS', 'COST_ENTRIES'));
ALTER TABLE import_mappings DROP CONSTRAINT import_mappings_kind_check,
  ADD CONSTRAINT import_mappings_kind_check
  CHECK (kind IN ('ASSETS', 'PEOPLE', 'LOCATIONS', 'MODELS', 'LICENSES', 'LICENSE_SEATS', 'COST_ENTRIES'));

-- +goose Down
SELECT 1;
