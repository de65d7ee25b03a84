package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
)

// fixture is a migrated database with two organizations, each holding the
// reference rows an asset needs, created as the owner role (outside RLS)
// so the store under test is the only code path exercised.
type fixture struct {
	t      *testing.T
	owner  *pgxpool.Pool
	db     *DB
	assets *AssetStore
	a, b   orgFixture
}

type orgFixture struct {
	id                   uuid.UUID
	team, team2          uuid.UUID
	manufacturer, mfr2   uuid.UUID
	laptops, phones      uuid.UUID // categories
	laptop, phone, mac   uuid.UUID // models; mac is by mfr2
	alice, bob, carol    uuid.UUID // people; carol is offboarded
	site, building, room uuid.UUID
	supplier             uuid.UUID
}

// openTestDB opens a fresh migrated database as the application (db, under
// row-level security) and as its owner (not subject to it, for seeding,
// counting and snapshots). Both close when the test ends.
func openTestDB(t *testing.T, opts ...Option) (*DB, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(owner.Close)
	db, err := Open(ctx, url, nil, opts...)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	return db, owner
}

// as is a caller of org with role, as a verified token would make them.
func as(org uuid.UUID, role itam.Role, subject string) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{Subject: subject, OrgID: org, Role: role})
}

// requireCode checks err is an *itam.Error with code on field.
func requireCode(t *testing.T, err error, code itam.Code, field string) {
	t.Helper()
	require.Error(t, err)
	var e *itam.Error
	require.True(t, errors.As(err, &e), "want an *itam.Error, got %T: %v", err, err)
	require.Equal(t, code, e.Code, "error: %v", err)
	require.Equal(t, field, e.Field, "error: %v", err)
}

// ids lists the ids of items, in order.
func ids[T any](items []T, id func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, owner := openTestDB(t)
	f := &fixture{t: t, owner: owner, db: db, assets: NewAssetStore(db)}
	f.a = f.makeOrg("alpha")
	f.b = f.makeOrg("bravo")
	return f
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	_, err := f.owner.Exec(context.Background(), sql, args...)
	require.NoError(f.t, err)
}

func (f *fixture) id(sql string, args ...any) uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	require.NoError(f.t, f.owner.QueryRow(context.Background(), sql, args...).Scan(&id))
	return id
}

func (f *fixture) makeOrg(slug string) orgFixture {
	var o orgFixture
	o.id = f.id(`INSERT INTO organizations (slug, name) VALUES ($1, $1) RETURNING id`, slug)
	o.team = f.id(`INSERT INTO teams (org_id, name) VALUES ($1, 'IT') RETURNING id`, o.id)
	o.team2 = f.id(`INSERT INTO teams (org_id, name) VALUES ($1, 'Sales') RETURNING id`, o.id)
	f.exec(`UPDATE organizations SET default_owner_team_id = $2 WHERE id = $1`, o.id, o.team)
	o.manufacturer = f.id(`INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Dell') RETURNING id`, o.id)
	o.mfr2 = f.id(`INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Apple') RETURNING id`, o.id)
	o.laptops = f.id(`INSERT INTO categories (org_id, name, kind, field_definitions) VALUES ($1, 'Laptops', 'LAPTOP',
		'[{"key":"ram_gb","label":"RAM (GB)","type":"NUMBER","required":false},{"key":"os","label":"OS","type":"ENUM","required":false,"options":["macOS","Windows","Linux"]}]') RETURNING id`, o.id)
	o.phones = f.id(`INSERT INTO categories (org_id, name, kind, field_definitions) VALUES ($1, 'Phones', 'PHONE',
		'[{"key":"imei","label":"IMEI","type":"TEXT","required":true}]') RETURNING id`, o.id)
	o.laptop = f.id(`INSERT INTO models (org_id, name, manufacturer_id, category_id) VALUES ($1, 'Latitude 7440', $2, $3) RETURNING id`, o.id, o.manufacturer, o.laptops)
	o.phone = f.id(`INSERT INTO models (org_id, name, manufacturer_id, category_id) VALUES ($1, 'Pixel', $2, $3) RETURNING id`, o.id, o.manufacturer, o.phones)
	o.mac = f.id(`INSERT INTO models (org_id, name, manufacturer_id, category_id) VALUES ($1, 'MacBook Pro', $2, $3) RETURNING id`, o.id, o.mfr2, o.laptops)
	o.site = f.id(`INSERT INTO locations (org_id, kind, name) VALUES ($1, 'SITE', 'Berlin') RETURNING id`, o.id)
	o.building = f.id(`INSERT INTO locations (org_id, kind, name, parent_id) VALUES ($1, 'BUILDING', 'HQ', $2) RETURNING id`, o.id, o.site)
	o.room = f.id(`INSERT INTO locations (org_id, kind, name, parent_id) VALUES ($1, 'ROOM', 'Server room', $2) RETURNING id`, o.id, o.building)
	o.alice = f.id(`INSERT INTO people (org_id, name, email, team_id) VALUES ($1, 'Alice Archer', 'alice@`+slug+`.test', $2) RETURNING id`, o.id, o.team)
	o.bob = f.id(`INSERT INTO people (org_id, name, email, team_id) VALUES ($1, 'Bob Baker', 'Bob@`+slug+`.test', $2) RETURNING id`, o.id, o.team2)
	o.carol = f.id(`INSERT INTO people (org_id, name, email, status, end_date) VALUES ($1, 'Carol Cole', 'carol@`+slug+`.test', 'OFFBOARDED', '2025-01-01') RETURNING id`, o.id)
	o.supplier = f.id(`INSERT INTO suppliers (org_id, name) VALUES ($1, 'CDW') RETURNING id`, o.id)
	return o
}

// asApp runs fn in a transaction of the application role with org as the
// tenant, and rolls it back (a broken policy must not eat the fixture).
func (f *fixture) asApp(org uuid.UUID, fn func(tx pgx.Tx) error) error { return f.inAppTx(&org, fn) }

// inAppTx is asApp with the tenant optional: nil leaves it unset.
func (f *fixture) inAppTx(org *uuid.UUID, fn func(tx pgx.Tx) error) error {
	f.t.Helper()
	ctx := context.Background()
	tx, err := f.db.Pool.Begin(ctx)
	require.NoError(f.t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	var role string
	require.NoError(f.t, tx.QueryRow(ctx, `SELECT current_user`).Scan(&role))
	require.Equal(f.t, AppRole, role)
	if org != nil {
		_, err = tx.Exec(ctx, `SELECT set_config('itam.org_id', $1, true)`, org.String())
		require.NoError(f.t, err)
	}
	return fn(tx)
}

// insertPublisher adds a software publisher to o as the owner, for tests
// of what refers to the catalog.
func (f *fixture) insertPublisher(o orgFixture, name string) uuid.UUID {
	return f.id(`INSERT INTO software_publishers (org_id, name) VALUES ($1, $2) RETURNING id`, o.id, name)
}

// insertProduct adds a product of publisher to o as the owner.
func (f *fixture) insertProduct(o orgFixture, publisher uuid.UUID, name string) uuid.UUID {
	return f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, $3) RETURNING id`, o.id, publisher, name)
}

func (f *fixture) admin(o orgFixture) context.Context { return as(o.id, itam.RoleAdmin, "admin@test") }

// count returns the number of rows of table for org, read as the owner.
func (f *fixture) count(table string, org uuid.UUID) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.owner.QueryRow(context.Background(), fmt.Sprintf("SELECT count(*) FROM %s WHERE org_id = $1", pgx.Identifier{table}.Sanitize()), org).Scan(&n))
	return n
}

// newAsset creates an asset through the store with sensible defaults.
func (f *fixture) newAsset(o orgFixture, mutate func(*itam.AssetInput)) *itam.Asset {
	f.t.Helper()
	in := itam.AssetInput{ModelID: o.laptop}
	if mutate != nil {
		mutate(&in)
	}
	a, err := f.assets.CreateAsset(f.admin(o), in, nil)
	require.NoError(f.t, err)
	return a
}
