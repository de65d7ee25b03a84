-- +goose Up
-- When the shipped starter rule set (publishers, products, title rules;
-- internal/software.Starter) was installed into an organization. Set once:
-- an admin who deletes starter rules does not get them back at the next
-- server start.
ALTER TABLE organizations ADD COLUMN software_starter_installed_at timestamptz;
