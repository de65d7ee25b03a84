-- +goose Up
-- Core inventory schema. Every tenant table carries org_id and is guarded by
-- row-level security keyed on the transaction-local setting itam.org_id, so a
-- bug in a query can never return another organization's rows.

-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itam_app') THEN
    CREATE ROLE itam_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
-- +goose StatementEnd

-- The migrating role must be able to SET ROLE itam_app when the server shares
-- its DATABASE_URL; superusers already can, GRANT makes ordinary owners able too.
-- +goose StatementBegin
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT itam_app TO %I', current_user);
  END IF;
END
$$;
-- +goose StatementEnd

CREATE SCHEMA IF NOT EXISTS itam;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- current_org is the one place the tenant setting is read; NULL (no rows) when unset.
CREATE FUNCTION itam.current_org() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('itam.org_id', true), '')::uuid $$;

CREATE TABLE organizations (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name             text NOT NULL CHECK (btrim(name) <> ''),
  asset_tag_prefix text NOT NULL DEFAULT 'A-' CHECK (length(asset_tag_prefix) <= 16),
  asset_tag_seq    bigint NOT NULL DEFAULT 0,
  default_currency char(3) NOT NULL DEFAULT 'USD',
  default_owner_team_id uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Resolving an org slug from a token happens before the tenant is known, so it
-- needs to see past RLS for exactly that one lookup.
CREATE FUNCTION itam.org_id_by_slug(p_slug text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT id FROM organizations WHERE slug = p_slug $$;

CREATE TABLE teams (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (btrim(name) <> ''),
  description text,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  UNIQUE (org_id, name)
);

ALTER TABLE organizations
  ADD CONSTRAINT organizations_default_owner_team_fk
  FOREIGN KEY (id, default_owner_team_id) REFERENCES teams(org_id, id) DEFERRABLE INITIALLY DEFERRED;

CREATE TYPE location_kind AS ENUM ('SITE', 'BUILDING', 'FLOOR', 'ROOM');

CREATE TABLE locations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  parent_id   uuid,
  kind        location_kind NOT NULL,
  name        text NOT NULL CHECK (btrim(name) <> ''),
  -- path is the chain of ids from the root, maintained by trigger, so
  -- "this location and everything below it" is one indexed predicate.
  path        uuid[] NOT NULL DEFAULT '{}',
  address_line1 text, address_line2 text, city text, region text, postal_code text,
  country     char(2),
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, parent_id) REFERENCES locations(org_id, id),
  UNIQUE NULLS NOT DISTINCT (org_id, parent_id, name)
);
CREATE INDEX locations_path_gin ON locations USING gin (path);

-- +goose StatementBegin
CREATE FUNCTION itam.locations_set_path() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE parent_path uuid[];
BEGIN
  IF NEW.parent_id IS NULL THEN
    NEW.path := ARRAY[NEW.id];
  ELSE
    SELECT path INTO parent_path FROM locations WHERE id = NEW.parent_id AND org_id = NEW.org_id;
    IF parent_path IS NULL THEN
      RAISE EXCEPTION 'parent location not found' USING ERRCODE = '23503';
    END IF;
    IF NEW.id = ANY(parent_path) THEN
      RAISE EXCEPTION 'location cannot be its own ancestor' USING ERRCODE = '23514', CONSTRAINT = 'locations_no_cycle';
    END IF;
    NEW.path := parent_path || NEW.id;
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER locations_path BEFORE INSERT OR UPDATE OF parent_id ON locations
  FOR EACH ROW EXECUTE FUNCTION itam.locations_set_path();

-- +goose StatementBegin
CREATE FUNCTION itam.locations_repath_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.path IS DISTINCT FROM OLD.path THEN
    UPDATE locations SET path = NEW.path || path[array_position(path, NEW.id) + 1:]
     WHERE org_id = NEW.org_id AND path @> ARRAY[NEW.id] AND id <> NEW.id;
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER locations_repath AFTER UPDATE OF parent_id ON locations
  FOR EACH ROW EXECUTE FUNCTION itam.locations_repath_children();

CREATE TYPE person_status AS ENUM ('ACTIVE', 'OFFBOARDED');

CREATE TABLE people (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name            text NOT NULL CHECK (btrim(name) <> ''),
  email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  -- Keys compared in queries are stored: under row-level security a
  -- condition may use an index only when it applies no non-leakproof
  -- function (such as lower()) to a column, so lower(email) = $1 would scan.
  email_key       text GENERATED ALWAYS AS (lower(email)) STORED,
  employee_number text,
  title           text,
  team_id         uuid,
  manager_id      uuid,
  location_id     uuid,
  status          person_status NOT NULL DEFAULT 'ACTIVE',
  start_date      date,
  end_date        date,
  version     integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, team_id) REFERENCES teams(org_id, id),
  FOREIGN KEY (org_id, manager_id) REFERENCES people(org_id, id),
  FOREIGN KEY (org_id, location_id) REFERENCES locations(org_id, id),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
  CHECK (manager_id IS DISTINCT FROM id)
);
-- Emails are unique per org regardless of case: MDMs and HR systems disagree on case.
CREATE UNIQUE INDEX people_org_email ON people (org_id, email_key);
CREATE UNIQUE INDEX people_org_employee_number ON people (org_id, employee_number) WHERE employee_number IS NOT NULL;
CREATE INDEX people_org_name ON people (org_id, name, id);

CREATE TABLE manufacturers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (btrim(name) <> ''),
  website     text,
  support_url text,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX manufacturers_org_name ON manufacturers (org_id, lower(name));

CREATE TYPE category_kind AS ENUM ('LAPTOP', 'DESKTOP', 'SERVER', 'PHONE', 'TABLET', 'MONITOR', 'NETWORK', 'PERIPHERAL', 'OTHER', 'CUSTOM');

CREATE TABLE categories (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (btrim(name) <> ''),
  kind        category_kind NOT NULL,
  -- field_definitions: [{key, label, type: TEXT|NUMBER|DATE|BOOLEAN|ENUM, required, options}]
  field_definitions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(field_definitions) = 'array'),
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX categories_org_name ON categories (org_id, lower(name));

CREATE TABLE models (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name            text NOT NULL CHECK (btrim(name) <> ''),
  manufacturer_id uuid NOT NULL,
  category_id     uuid NOT NULL,
  model_number    text,
  useful_life_months integer CHECK (useful_life_months IS NULL OR useful_life_months BETWEEN 1 AND 600),
  version     integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, manufacturer_id) REFERENCES manufacturers(org_id, id),
  FOREIGN KEY (org_id, category_id) REFERENCES categories(org_id, id)
);
CREATE UNIQUE INDEX models_org_manufacturer_name ON models (org_id, manufacturer_id, lower(name));

CREATE TABLE suppliers (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (btrim(name) <> ''),
  contact_name  text,
  email         text,
  phone         text,
  website       text,
  version     integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX suppliers_org_name ON suppliers (org_id, lower(name));

CREATE TYPE asset_status AS ENUM ('ORDERED', 'IN_STOCK', 'DEPLOYED', 'IN_REPAIR', 'LOST', 'STOLEN', 'RETIRED', 'DISPOSED');
CREATE TYPE asset_condition AS ENUM ('NEW', 'GOOD', 'FAIR', 'POOR', 'BROKEN');
CREATE TYPE disposal_method AS ENUM ('RECYCLED', 'RESOLD', 'DONATED', 'DESTROYED', 'RETURNED_TO_LESSOR');

CREATE TABLE assets (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id             uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_tag          text NOT NULL CHECK (btrim(asset_tag) <> ''),
  serial_number      text CHECK (serial_number IS NULL OR btrim(serial_number) <> ''),
  -- Stored match keys; see people.email_key for why.
  asset_tag_key      text GENERATED ALWAYS AS (lower(asset_tag)) STORED,
  serial_key         text GENERATED ALWAYS AS (upper(serial_number)) STORED,
  name               text,
  model_id           uuid NOT NULL,
  -- manufacturer_id is copied from the model so serial uniqueness per
  -- manufacturer is a plain unique index.
  manufacturer_id    uuid NOT NULL,
  status             asset_status NOT NULL DEFAULT 'IN_STOCK',
  condition          asset_condition NOT NULL DEFAULT 'GOOD',
  assigned_person_id   uuid,
  assigned_location_id uuid,
  owner_person_id    uuid,
  owner_team_id      uuid,
  location_id        uuid,
  purchase_date      date,
  purchase_price     numeric(18,4) CHECK (purchase_price IS NULL OR purchase_price >= 0),
  purchase_currency  char(3),
  supplier_id        uuid,
  order_number       text,
  invoice_number     text,
  warranty_end       date,
  end_of_life        date,
  notes              text,
  custom_fields      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object'),
  disposal_date      date,
  disposal_method    disposal_method,
  disposal_certificate text,
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, model_id) REFERENCES models(org_id, id),
  FOREIGN KEY (org_id, manufacturer_id) REFERENCES manufacturers(org_id, id),
  FOREIGN KEY (org_id, assigned_person_id) REFERENCES people(org_id, id),
  FOREIGN KEY (org_id, assigned_location_id) REFERENCES locations(org_id, id),
  FOREIGN KEY (org_id, owner_person_id) REFERENCES people(org_id, id),
  FOREIGN KEY (org_id, owner_team_id) REFERENCES teams(org_id, id),
  FOREIGN KEY (org_id, location_id) REFERENCES locations(org_id, id),
  FOREIGN KEY (org_id, supplier_id) REFERENCES suppliers(org_id, id),
  CONSTRAINT assets_single_assignee CHECK (assigned_person_id IS NULL OR assigned_location_id IS NULL),
  CONSTRAINT assets_one_owner CHECK ((owner_person_id IS NULL) <> (owner_team_id IS NULL)),
  CONSTRAINT assets_price_currency CHECK ((purchase_price IS NULL) = (purchase_currency IS NULL)),
  CONSTRAINT assets_disposed_fields CHECK (status <> 'DISPOSED' OR (disposal_date IS NOT NULL AND disposal_method IS NOT NULL)),
  CONSTRAINT assets_retired_unassigned CHECK (status NOT IN ('RETIRED', 'DISPOSED') OR (assigned_person_id IS NULL AND assigned_location_id IS NULL))
);
CREATE UNIQUE INDEX assets_org_tag ON assets (org_id, asset_tag_key);
CREATE UNIQUE INDEX assets_org_manufacturer_serial ON assets (org_id, manufacturer_id, serial_key) WHERE serial_key IS NOT NULL;
CREATE INDEX assets_org_serial ON assets (org_id, serial_key) WHERE serial_key IS NOT NULL;
CREATE INDEX assets_org_created ON assets (org_id, created_at, id);
CREATE INDEX assets_org_tag_order ON assets (org_id, asset_tag, id);
CREATE INDEX assets_org_status ON assets (org_id, status);
CREATE INDEX assets_org_model ON assets (org_id, model_id);
CREATE INDEX assets_org_assigned_person ON assets (org_id, assigned_person_id) WHERE assigned_person_id IS NOT NULL;
CREATE INDEX assets_org_owner_team ON assets (org_id, owner_team_id);
CREATE INDEX assets_org_location ON assets (org_id, location_id);
CREATE INDEX assets_org_warranty ON assets (org_id, warranty_end);
CREATE INDEX assets_search_trgm ON assets USING gin ((asset_tag || ' ' || coalesce(serial_number, '') || ' ' || coalesce(name, '')) gin_trgm_ops);
CREATE INDEX people_name_trgm ON people USING gin (name gin_trgm_ops);
CREATE INDEX assets_custom_fields ON assets USING gin (custom_fields jsonb_path_ops);

CREATE TABLE asset_external_ids (
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id     uuid NOT NULL,
  source       text NOT NULL CHECK (btrim(source) <> ''),
  external_id  text NOT NULL CHECK (btrim(external_id) <> ''),
  last_seen_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, source, external_id),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id) ON DELETE CASCADE
);
CREATE INDEX asset_external_ids_asset ON asset_external_ids (org_id, asset_id);

CREATE TYPE history_action AS ENUM ('CREATE', 'UPDATE', 'ASSIGN', 'UNASSIGN', 'TRANSITION', 'DISPOSE', 'DELETE');
CREATE TYPE actor_kind AS ENUM ('USER', 'CONNECTOR', 'IMPORT', 'SYSTEM');

-- asset_history is append-only: itam_app may INSERT and SELECT only, and a
-- trigger refuses UPDATE/DELETE for everyone else too.
CREATE TABLE asset_history (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id    uuid NOT NULL,
  action      history_action NOT NULL,
  actor_kind  actor_kind NOT NULL,
  actor       text NOT NULL,
  source      text NOT NULL,
  changes     jsonb NOT NULL DEFAULT '{}',
  from_status asset_status,
  to_status   asset_status,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_history_asset ON asset_history (org_id, asset_id, id);

-- +goose StatementBegin
CREATE FUNCTION itam.history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'asset_history is append-only' USING ERRCODE = '42501';
END $$;
-- +goose StatementEnd
CREATE TRIGGER asset_history_append_only BEFORE UPDATE OR DELETE ON asset_history
  FOR EACH ROW EXECUTE FUNCTION itam.history_is_append_only();

-- Row-level security: one policy per tenant table. The server runs as
-- itam_app (not the owner), so every query it makes is filtered.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['teams','locations','people','manufacturers','categories','models','suppliers','assets','asset_external_ids','asset_history'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    -- (SELECT …) makes the setting an init plan, read once per query rather
    -- than once per row.
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT itam.current_org())) WITH CHECK (org_id = (SELECT itam.current_org()))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations USING (id = (SELECT itam.current_org())) WITH CHECK (id = (SELECT itam.current_org()));

-- Text search cannot use its trigram indexes under row-level security
-- (ILIKE is not leakproof), so it runs here, as the owner, filtering on the
-- caller's organization itself: it can only ever return that org's ids.
CREATE FUNCTION itam.search_assets(p_pattern text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT a.id FROM assets a
   WHERE a.org_id = itam.current_org()
     AND (a.asset_tag || ' ' || coalesce(a.serial_number, '') || ' ' || coalesce(a.name, '')) ILIKE p_pattern
  UNION
  SELECT a.id FROM people p JOIN assets a ON a.assigned_person_id = p.id AND a.org_id = p.org_id
   WHERE p.org_id = itam.current_org() AND p.name ILIKE p_pattern
$$;

GRANT USAGE ON SCHEMA itam TO itam_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA itam TO itam_app;
GRANT SELECT, UPDATE ON organizations TO itam_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON teams, locations, people, manufacturers, categories, models, suppliers, assets, asset_external_ids TO itam_app;
GRANT SELECT, INSERT ON asset_history TO itam_app;

