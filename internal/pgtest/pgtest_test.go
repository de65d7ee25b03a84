package pgtest_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(t.Context()) })
	return conn
}

func TestNewURLGivesSeparateMigratedDatabases(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b := connect(t, pgtest.NewURL(t)), connect(t, pgtest.NewURL(t))

	var nameA, nameB string
	require.NoError(t, a.QueryRow(ctx, "SELECT current_database()").Scan(&nameA))
	require.NoError(t, b.QueryRow(ctx, "SELECT current_database()").Scan(&nameB))
	require.NotEqual(t, nameA, nameB)

	var assets *string
	require.NoError(t, a.QueryRow(ctx, "SELECT to_regclass('public.assets')::text").Scan(&assets))
	require.NotNil(t, assets, "table assets should exist")

	// Migrations ran as an ordinary owner, as in production.
	var super, createRole bool
	require.NoError(t, a.QueryRow(ctx,
		"SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").Scan(&super, &createRole))
	require.False(t, super)
	require.True(t, createRole)

	// The server's role must be subject to row-level security.
	var bypassRLS bool
	require.NoError(t, a.QueryRow(ctx,
		"SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'itam_app'").Scan(&super, &bypassRLS))
	require.False(t, super)
	require.False(t, bypassRLS)
}

func TestAdminURLIsSuperuser(t *testing.T) {
	t.Parallel()
	var super bool
	require.NoError(t, connect(t, pgtest.AdminURL()).QueryRow(t.Context(),
		"SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super))
	require.True(t, super)
}
