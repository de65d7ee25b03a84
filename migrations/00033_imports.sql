-- +goose Up
-- Spreadsheet imports (internal/imports): a run keeps its uploaded file, the
-- dry run's plan per row, the references the rows name and the commit's
-- cursor, so the commit applies exactly what the dry run reported and a
-- killed commit resumes from where it stopped. Saved column mappings are per
-- organization and kind.

CREATE TABLE import_runs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('ASSETS', 'PEOPLE', 'LOCATIONS', 'MODELS')),
  status        text NOT NULL DEFAULT 'PLANNING'
                CHECK (status IN ('PLANNING', 'READY', 'COMMITTING', 'COMMITTED', 'STALE', 'FAILED')),
  file_name     text NOT NULL,
  file_size     bigint NOT NULL CHECK (file_size >= 0),
  options       jsonb NOT NULL DEFAULT '{}',
  mapping       jsonb NOT NULL DEFAULT '{}',
  headers       jsonb NOT NULL DEFAULT '[]',
  rows_total    integer NOT NULL DEFAULT 0,
  rows_done     integer NOT NULL DEFAULT 0,
  totals        jsonb NOT NULL DEFAULT '{}',
  skip_invalid  boolean NOT NULL DEFAULT false,
  -- commit_cursor is the last line a commit applied (0: none).
  commit_cursor integer NOT NULL DEFAULT 0,
  error         text,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  planned_at    timestamptz,
  committed_at  timestamptz,
  version       integer NOT NULL DEFAULT 1,
  UNIQUE (org_id, id)
);
-- runs: newest first, keyset on (created_at, id).
CREATE INDEX import_runs_org_created ON import_runs (org_id, created_at DESC, id DESC);

-- The uploaded file in chunks of at most 1 MB, so neither the upload nor a
-- reader ever holds a 50 MB value.
CREATE TABLE import_files (
  org_id  uuid NOT NULL,
  run_id  uuid NOT NULL,
  seq     integer NOT NULL,
  bytes   bytea NOT NULL CHECK (octet_length(bytes) <= 1048576),
  PRIMARY KEY (run_id, seq),
  FOREIGN KEY (org_id, run_id) REFERENCES import_runs(org_id, id) ON DELETE CASCADE
);
CREATE INDEX import_files_org ON import_files (org_id);

-- The dry run's decision per data row; payload holds values, kept, errors
-- and duplicate_of (imports.RowPlan).
CREATE TABLE import_rows (
  org_id         uuid NOT NULL,
  run_id         uuid NOT NULL,
  line           integer NOT NULL,
  action         text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'UNCHANGED', 'ERROR')),
  key            text,
  target_id      uuid,
  target_version integer,
  payload        jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, line),
  FOREIGN KEY (org_id, run_id) REFERENCES import_runs(org_id, id) ON DELETE CASCADE
);
-- the report filtered by action, in line order.
CREATE INDEX import_rows_action ON import_rows (run_id, action, line);
CREATE INDEX import_rows_org ON import_rows (org_id);

-- Records the rows name by name: matched (payload.id set) or created by
-- the commit's first chunk, which records the new record in created_id
-- (payload stays the dry run's report) for the chunks after it.
CREATE TABLE import_references (
  org_id     uuid NOT NULL,
  run_id     uuid NOT NULL,
  kind       text NOT NULL,
  name_key   text NOT NULL,
  parent     text NOT NULL DEFAULT '',
  payload    jsonb NOT NULL,
  created_id uuid,
  PRIMARY KEY (run_id, kind, parent, name_key),
  FOREIGN KEY (org_id, run_id) REFERENCES import_runs(org_id, id) ON DELETE CASCADE
);
CREATE INDEX import_references_org ON import_references (org_id);

CREATE TABLE import_mappings (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('ASSETS', 'PEOPLE', 'LOCATIONS', 'MODELS')),
  name       text NOT NULL CHECK (btrim(name) <> ''),
  headers    jsonb NOT NULL DEFAULT '{}',
  options    jsonb NOT NULL DEFAULT '{}',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version    integer NOT NULL DEFAULT 1,
  UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX import_mappings_org_kind_name ON import_mappings (org_id, kind, lower(name));

ALTER TABLE import_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_runs USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON import_runs TO itam_app;
ALTER TABLE import_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_files USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON import_files TO itam_app;
ALTER TABLE import_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_rows USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON import_rows TO itam_app;
ALTER TABLE import_references ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_references USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON import_references TO itam_app;
ALTER TABLE import_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_mappings USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()));
GRANT SELECT, INSERT, UPDATE, DELETE ON import_mappings TO itam_app;

-- +goose Down
-- Forward-only (see migrations.go).
