-- +goose Up
-- Notifications: what the periodic scan found due (warranties, contracts and
-- license terms ending, overdue checkouts, failing syncs, stale devices, …),
-- shown as a feed and delivered to outgoing webhooks.

-- Per-organization windows of the scan; no row means the defaults.
CREATE TABLE notification_settings (
  org_id            uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  warranty_days     integer NOT NULL DEFAULT 30 CHECK (warranty_days BETWEEN 1 AND 365),
  contract_days     integer NOT NULL DEFAULT 60 CHECK (contract_days BETWEEN 1 AND 365),
  license_days      integer NOT NULL DEFAULT 60 CHECK (license_days BETWEEN 1 AND 365),
  stale_device_days integer NOT NULL DEFAULT 30 CHECK (stale_device_days BETWEEN 1 AND 365),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per subject and occurrence: dedup_key (kind, subject, due date)
-- is unique, so re-running the scan inserts nothing new. read_at is
-- organization-wide: whoever handles a notification handles it for all.
CREATE TABLE notifications (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('WARRANTY_ENDING', 'CONTRACT_ENDING', 'LICENSE_TERM_ENDING', 'CHECKOUT_OVERDUE',
                 'AUDIT_DUE', 'OFFBOARDING_OVERDUE', 'SYNC_FAILING', 'DEVICE_STALE')),
  subject_type text NOT NULL,
  subject_id   uuid NOT NULL,
  title        text NOT NULL,
  message      text NOT NULL,
  due_date     date,
  dedup_key    text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  read_at      timestamptz,
  read_by      text,
  UNIQUE (org_id, id),
  CONSTRAINT notifications_dedup UNIQUE (org_id, dedup_key)
);
CREATE INDEX notifications_feed ON notifications (org_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (org_id, created_at DESC) WHERE read_at IS NULL;

-- Outgoing webhooks. secret is AES-GCM sealed (internal/secretbox); the key
-- never reaches the database and no query returns it.
CREATE TABLE webhook_subscriptions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  url         text NOT NULL CHECK (btrim(url) <> ''),
  events      text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 8),
  format      text NOT NULL DEFAULT 'JSON' CHECK (format IN ('JSON', 'SLACK', 'TEAMS')),
  secret      bytea NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions (org_id) WHERE active;

-- Every delivery attempt, successful or not. job_id groups the attempts of
-- one delivery (one River job); state is SUCCEEDED, RETRYING (next_retry_at
-- set) or FAILED (given up, or the target refused for good).
CREATE TABLE webhook_deliveries (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  subscription_id uuid NOT NULL,
  notification_id uuid,
  event           text NOT NULL,
  job_id          bigint NOT NULL,
  attempt         integer NOT NULL CHECK (attempt >= 1),
  state           text NOT NULL CHECK (state IN ('SUCCEEDED', 'RETRYING', 'FAILED')),
  status_code     integer,
  error           text CHECK (error IS NULL OR length(error) <= 500),
  duration_ms     integer NOT NULL CHECK (duration_ms >= 0),
  at              timestamptz NOT NULL DEFAULT now(),
  next_retry_at   timestamptz,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, subscription_id) REFERENCES webhook_subscriptions (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, notification_id) REFERENCES notifications (org_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_feed ON webhook_deliveries (org_id, at DESC, id DESC);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (org_id, subscription_id, at DESC);
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id);

ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_settings USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE ON notification_settings TO itam_app;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE ON notifications TO itam_app;
ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_subscriptions USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_subscriptions TO itam_app;
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT ON webhook_deliveries TO itam_app;
