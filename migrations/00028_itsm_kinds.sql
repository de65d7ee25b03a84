-- +goose Up
-- The ITSM connector kinds (issue 12). Adding enum values is forward-only
-- and cannot be used in this same transaction; nothing here uses them.
ALTER TYPE connector_kind ADD VALUE IF NOT EXISTS 'SERVICENOW';
ALTER TYPE connector_kind ADD VALUE IF NOT EXISTS 'JSM_ASSETS';
ALTER TYPE connector_kind ADD VALUE IF NOT EXISTS 'FRESHSERVICE';
