package seed

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// exec runs statements as the application would: in the tenant's
// transaction, without naming the seeded column.
func exec(t *testing.T, pool *pgxpool.Pool, org uuid.UUID, stmts ...string) {
	t.Helper()
	require.NoError(t, pgx.BeginFunc(t.Context(), pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `SELECT set_config('itam.org_id', $1, true)`, org.String()); err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.Exec(t.Context(), s, org); err != nil {
				return err
			}
		}
		return nil
	}))
}

const (
	realPerson  = `INSERT INTO people (org_id, name, email) VALUES ($1, 'Real Person', 'real.person@customer.test')`
	realCatalog = `WITH m AS (INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Framework') RETURNING id),
	                     c AS (INSERT INTO categories (org_id, name, kind) VALUES ($1, 'Notebooks', 'LAPTOP') RETURNING id)
	                INSERT INTO models (org_id, name, manufacturer_id, category_id) SELECT $1, 'Laptop 13', m.id, c.id FROM m, c`
	realProduct = `WITH p AS (INSERT INTO software_publishers (org_id, name) VALUES ($1, 'Slack Technologies') RETURNING id)
	               INSERT INTO software_products (org_id, publisher_id, name) SELECT $1, p.id, 'Slack' FROM p`
	realLicense = `WITH l AS (INSERT INTO licenses (org_id, product_id, license_model, seats)
	                          SELECT $1, id, 'PER_USER', 10 FROM software_products WHERE org_id = $1 RETURNING id)
	               INSERT INTO license_seats (org_id, license_id, person_id, assigned_by)
	               SELECT $1, l.id, p.id, 'someone' FROM l, people p WHERE p.org_id = $1`
	// The shipped starter rule set's catalog is not the customer's data.
	starterProduct = `WITH p AS (INSERT INTO software_publishers (org_id, name, starter) VALUES ($1, 'Microsoft', true) RETURNING id)
	                  INSERT INTO software_products (org_id, publisher_id, name, starter) SELECT $1, p.id, 'Microsoft 365 Apps for enterprise', true FROM p`
	realAsset = `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id)
	             SELECT $1, 'FW-1', m.id, m.manufacturer_id, o.default_owner_team_id
	               FROM models m JOIN organizations o ON o.id = m.org_id WHERE m.org_id = $1`
)

// TestRunRefusesOrganizationsWithRealRecords: generated data is added only
// to organizations that hold nothing but generated data, unless forced; a
// refused run writes nothing.
func TestRunRefusesOrganizationsWithRealRecords(t *testing.T) {
	t.Parallel()
	pool := newPool(t)

	tests := []struct {
		name  string
		setup []string // statements creating real records in the org
		want  string   // what the refusal lists; empty: the run succeeds
	}{
		{name: "new organization"},
		{name: "a person from the API or a sync", setup: []string{realPerson}, want: "1 people"},
		{name: "an asset with its catalog", setup: []string{realCatalog, realAsset},
			want: "1 assets, 1 models, 1 manufacturers, 1 categories"},
		{name: "a location", setup: []string{`INSERT INTO locations (org_id, kind, name) VALUES ($1, 'SITE', 'HQ')`}, want: "1 locations"},
		{name: "a team", setup: []string{`INSERT INTO teams (org_id, name) VALUES ($1, 'Finance')`}, want: "1 teams"},
		{name: "a supplier", setup: []string{`INSERT INTO suppliers (org_id, name) VALUES ($1, 'CDW')`}, want: "1 suppliers"},
		{name: "a software product", setup: []string{realProduct}, want: "1 software_publishers, 1 software_products"},
		{name: "a license with a seat", setup: []string{realProduct, realPerson, realLicense},
			want: "1 people, 1 software_publishers, 1 software_products, 1 licenses, 1 license_seats"},
		{name: "the starter catalog", setup: []string{starterProduct}},
		{name: "a connector", setup: []string{`INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'JAMF_PRO', 'Jamf', '\x00')`},
			want: "1 connectors"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			slug := "org-" + string(rune('a'+i))
			org, _, err := EnsureOrg(ctx, pool, slug, "")
			require.NoError(t, err)
			exec(t, pool, org, tt.setup...)
			before := snapshot(t, pool, org)

			_, err = Run(ctx, pool, Options{OrgSlug: slug, Assets: 20, RandSeed: 3})
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			var ie *itam.Error
			require.True(t, errors.As(err, &ie), "%v", err)
			require.Equal(t, itam.CodeConflict, ie.Code)
			require.Equal(t, "force", ie.Field)
			require.Contains(t, ie.Message, "("+tt.want+",")
			require.Equal(t, before, snapshot(t, pool, org), "a refused run writes nothing")

			// --force adds it anyway.
			res, err := Run(ctx, pool, Options{OrgSlug: slug, Assets: 20, RandSeed: 3, Force: true})
			require.NoError(t, err)
			require.EqualValues(t, 20, res.Inserted.Assets)
		})
	}
}

// TestRunAddsToGeneratedOrganizations: seeding twice, with people or
// assigning to the generated ones, keeps working, and a real record in
// another organization does not matter.
func TestRunAddsToGeneratedOrganizations(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)
	other, _, err := EnsureOrg(ctx, pool, "other", "")
	require.NoError(t, err)
	exec(t, pool, other, realPerson)

	for _, opt := range []Options{
		{OrgSlug: "demo", Assets: 50, RandSeed: 1},
		{OrgSlug: "demo", Assets: 50, RandSeed: 1},
		{OrgSlug: "demo", Assets: 50, People: -1, RandSeed: 2},
		{OrgSlug: "demo"}, // only ensures the org
	} {
		_, err := Run(ctx, pool, opt)
		require.NoError(t, err, "%+v", opt)
	}
	org, _, err := EnsureOrg(ctx, pool, "demo", "")
	require.NoError(t, err)
	require.EqualValues(t, 150, count(t, pool, `SELECT count(*) FROM assets WHERE org_id = $1`, org))

	// Once the API adds a person, the next run is refused.
	exec(t, pool, org, realPerson)
	_, err = Run(ctx, pool, Options{OrgSlug: "demo", Assets: 1, People: -1})
	require.Equal(t, itam.CodeConflict, itam.ErrorCode(err))
}

// TestEveryGeneratedRowIsMarked keeps the guard in step with the schema and
// the generator: each table with a seeded column is checked, and a run
// leaves no unmarked row behind in a new organization.
func TestEveryGeneratedRowIsMarked(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)
	rows, err := pool.Query(ctx, `
		SELECT table_name::text FROM information_schema.columns
		 WHERE table_schema = 'public' AND column_name = 'seeded' ORDER BY 1`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	want := slices.Clone(realRecordTables)
	slices.Sort(want)
	require.Equal(t, want, tables)

	res, err := Run(ctx, pool, Options{OrgSlug: "demo", Assets: 200, RandSeed: 5})
	require.NoError(t, err)
	for _, table := range tables {
		require.Positive(t, count(t, pool, `SELECT count(*) FROM `+table+` WHERE org_id = $1`, res.OrgID), table)
		cond := "NOT seeded"
		if starterTables[table] { // the starter set the run installed is the product's, not generated
			cond += " AND NOT starter"
		}
		require.Zero(t, count(t, pool, `SELECT count(*) FROM `+table+` WHERE org_id = $1 AND `+cond, res.OrgID), table)
	}
}

// snapshot counts an organization's rows in every table a run writes.
func snapshot(t *testing.T, pool *pgxpool.Pool, org uuid.UUID) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range append(slices.Clone(realRecordTables), "asset_history", "software_installations", "license_history") {
		out[table] = count(t, pool, `SELECT count(*) FROM `+table+` WHERE org_id = $1`, org)
	}
	out["asset_tag_seq"] = count(t, pool, `SELECT asset_tag_seq FROM organizations WHERE id = $1`, org)
	return out
}
