package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/software"
)

// TestRunSoftwareInstallStarter: `itam software install-starter` installs
// the starter rules once and queues their re-normalization job.
func TestRunSoftwareInstallStarter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "ITAM_JWT_SECRET": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	getenv := func(k string) string { return env[k] }
	require.NoError(t, run(ctx, []string{"seed", "--org", "acme"}, getenv, io.Discard, io.Discard))

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"software", "install-starter", "--org", "acme"}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), "installed the starter software rules into acme")
	out.Reset()
	require.NoError(t, run(ctx, []string{"software", "install-starter", "--org", "acme"}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), "already had")

	pool, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	defer pool.Close()
	var rules, jobs int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM software_title_rules WHERE starter`).Scan(&rules))
	_, _, starter := software.Starter()
	require.Equal(t, len(starter), rules)
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'software.normalize'`).Scan(&jobs))
	require.Equal(t, 1, jobs)

	require.Error(t, run(ctx, []string{"software", "install-starter", "--org", "nope"}, getenv, io.Discard, io.Discard))
	require.Error(t, run(ctx, []string{"software", "install-starter"}, getenv, io.Discard, io.Discard))
	require.Error(t, run(ctx, []string{"software"}, getenv, io.Discard, io.Discard))
}
