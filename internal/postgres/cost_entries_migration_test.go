package postgres

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/pgtest"
)

// TestMigrationTurnsPurchasePricesIntoEntries: an asset priced before
// migration 00012 gets its PURCHASE entry when the migration runs (the
// INSERT at its end), dated by its purchase date, else the day it was
// created; an asset without a price gets none. The database is migrated to
// 00011 first, with goose over the same SQL files the server embeds.
func TestMigrationTurnsPurchasePricesIntoEntries(t *testing.T) {
	t.Parallel()
	// Migration 00001 creates the cluster-wide role itam_app unless it
	// exists; run concurrently with the test template's own migration (a
	// fresh cluster, as in CI), both saw no role and one failed on the
	// duplicate. A test database first means the template, and so the role,
	// exist before this test migrates its own.
	pgtest.NewURL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	require.NoError(t, err)
	defer admin.Close(ctx)
	name := "ledger_mig_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0") // template0: nobody connects to it
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(pgtest.AdminURL())
	require.NoError(t, err)
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	defer db.Close()

	files := fstest.MapFS{}
	entries, err := os.ReadDir("../../migrations")
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			b, err := os.ReadFile("../../migrations/" + e.Name())
			require.NoError(t, err)
			files[e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 11)
	require.NoError(t, err)

	// Before 00012: an organization with a priced, a dated-and-priced and an
	// unpriced asset.
	var org, priced, dated, unpriced uuid.UUID
	require.NoError(t, db.QueryRowContext(ctx, `INSERT INTO organizations (slug, name) VALUES ('mig', 'Mig') RETURNING id`).Scan(&org))
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := db.ExecContext(ctx, q, args...)
		require.NoError(t, err, q)
	}
	exec(`INSERT INTO teams (org_id, name) VALUES ($1, 'IT')`, org)
	exec(`INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Dell')`, org)
	exec(`INSERT INTO categories (org_id, name, kind) VALUES ($1, 'Laptops', 'LAPTOP')`, org)
	exec(`INSERT INTO models (org_id, name, manufacturer_id, category_id)
		SELECT $1, 'Latitude', m.id, c.id FROM manufacturers m, categories c WHERE m.org_id = $1 AND c.org_id = $1`, org)
	asset := func(tag string, price, currency, date any) uuid.UUID {
		var id uuid.UUID
		require.NoError(t, db.QueryRowContext(ctx, `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id,
			purchase_price, purchase_currency, purchase_date, created_at)
			SELECT $1, $2, m.id, m.manufacturer_id, t.id, $3, $4, $5, '2024-06-30 23:30:00+00'
			FROM models m, teams t WHERE m.org_id = $1 AND t.org_id = $1 RETURNING id`, org, tag, price, currency, date).Scan(&id))
		return id
	}
	priced = asset("A-1", "1299.9900", "USD", nil)
	dated = asset("A-2", "12.345", "BHD", "2023-02-03")
	unpriced = asset("A-3", nil, nil, nil)

	_, err = p.Up(ctx)
	require.NoError(t, err)

	type entry struct {
		kind, currency, date string
		amount               decimal.Decimal
	}
	read := func(id uuid.UUID) []entry {
		rows, err := db.QueryContext(ctx, `SELECT kind, amount, currency, entry_date::text FROM cost_entries WHERE asset_id = $1`, id)
		require.NoError(t, err)
		defer rows.Close()
		var out []entry
		for rows.Next() {
			var e entry
			require.NoError(t, rows.Scan(&e.kind, &e.amount, &e.currency, &e.date))
			out = append(out, e)
		}
		require.NoError(t, rows.Err())
		return out
	}
	got := read(priced)
	require.Len(t, got, 1)
	require.Equal(t, "PURCHASE", got[0].kind)
	require.True(t, decimal.RequireFromString("1299.99").Equal(got[0].amount), "%s", got[0].amount)
	require.Equal(t, "USD", got[0].currency)
	require.Equal(t, "2024-06-30", got[0].date, "no purchase date: the day it was created (UTC)")
	got = read(dated)
	require.Len(t, got, 1)
	require.True(t, decimal.RequireFromString("12.345").Equal(got[0].amount), "%s", got[0].amount)
	require.Equal(t, "BHD", got[0].currency)
	require.Equal(t, "2023-02-03", got[0].date)
	require.Empty(t, read(unpriced), "an asset without a price has no entry")
}
