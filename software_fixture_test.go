package main

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/relay"
)

// Fixtures the software catalog, title rule and license API tests share.

// openOwner opens the database at url as its owner (past RLS), closed when
// t ends, for what the API cannot write: installations come from syncs.
func openOwner(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// owner is openOwner on the API's database.
func (a *api) owner() *pgxpool.Pool {
	a.t.Helper()
	return openOwner(a.t, a.dbURL)
}

// insertProduct adds publisher and its product named product to org as
// the owner (for tests of what refers to products) and returns the
// product's id.
func insertProduct(t testing.TB, owner *pgxpool.Pool, org uuid.UUID, publisher, product string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, owner.QueryRow(context.Background(), `WITH p AS (INSERT INTO software_publishers (org_id, name) VALUES ($1, $2) RETURNING id)
		INSERT INTO software_products (org_id, publisher_id, name) SELECT $1, id, $3 FROM p RETURNING id`, org, publisher, product).Scan(&id))
	return id
}

// orgID is the caller's organization id.
func (a *api) orgID(tok string) uuid.UUID {
	a.t.Helper()
	_, id, ok := relay.Parse(str(a.ok(tok, `{ organization { id } }`, nil), "organization.id"))
	require.True(a.t, ok)
	return id
}

// uid decodes a global id.
func uid(t *testing.T, global string) uuid.UUID {
	t.Helper()
	_, id, ok := relay.Parse(global)
	require.True(t, ok, global)
	return id
}

// uuids decodes global ids.
func uuids(t *testing.T, globals []string) []uuid.UUID {
	t.Helper()
	out := make([]uuid.UUID, len(globals))
	for i, g := range globals {
		out[i] = uid(t, g)
	}
	return out
}
