package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/itam-dev/itam/internal/pgtest"
)

// TestRunExport: `itam export` writes one organization's list, filtered
// and with the columns asked for, as CSV on stdout or XLSX to a file.
func TestRunExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "ITAM_JWT_SECRET": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	getenv := func(k string) string { return env[k] }
	for _, org := range []string{"acme", "globex"} {
		require.NoError(t, run(ctx, []string{"seed", "--org", org, "--assets", "60", "--software-products", "-1", "--installs-per-asset", "-1", "--no-money"},
			getenv, io.Discard, io.Discard))
	}
	pool, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	defer pool.Close()
	tagsOf := func(where string) map[string]bool {
		rows, err := pool.Query(ctx, `SELECT a.asset_tag FROM assets a JOIN organizations o ON o.id = a.org_id WHERE o.slug = 'acme' `+where)
		require.NoError(t, err)
		out := map[string]bool{}
		for rows.Next() {
			var tag string
			require.NoError(t, rows.Scan(&tag))
			out[tag] = true
		}
		require.NoError(t, rows.Err())
		return out
	}
	exported := func(recs [][]string) map[string]bool {
		out := map[string]bool{}
		for _, r := range recs[1:] {
			out[r[0]] = true
		}
		return out
	}

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"export", "--org", "acme", "--format", "csv"}, getenv, &out, io.Discard))
	recs, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "assetTag", recs[0][0])
	require.Len(t, recs[0], 20, "every import field, costs included (the command reads as an AUDITOR)")
	require.Equal(t, tagsOf(""), exported(recs), "exactly acme's assets")

	out.Reset()
	require.NoError(t, run(ctx, []string{"export", "--org", "acme", "--kind", "assets", "--format", "csv", "--columns", "assetTag,STATUS",
		"--filter", `{"statusIn": ["DEPLOYED"]}`}, getenv, &out, io.Discard))
	recs, err = csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"assetTag", "status"}, recs[0])
	require.Equal(t, tagsOf("AND a.status = 'DEPLOYED'"), exported(recs))
	for _, r := range recs[1:] {
		require.Equal(t, "DEPLOYED", r[1])
	}

	file := filepath.Join(t.TempDir(), "people.xlsx")
	var msg bytes.Buffer
	require.NoError(t, run(ctx, []string{"export", "--org", "acme", "--kind", "people", "--format", "xlsx", "--out", file}, getenv, io.Discard, &msg))
	require.Contains(t, msg.String(), "exported ")
	f, err := excelize.OpenFile(file)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Export")
	require.NoError(t, err)
	var people int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM people p JOIN organizations o ON o.id = p.org_id WHERE o.slug = 'acme'`).Scan(&people))
	require.Len(t, rows, people+1)
	require.Equal(t, []string{"name", "email", "employeeNumber", "title", "team", "manager", "location", "status"}, rows[0])

	for _, bad := range [][]string{
		{"export", "--org", "acme"},
		{"export", "--org", "acme", "--format", "pdf"},
		{"export", "--org", "acme", "--format", "csv", "--kind", "seats"},
		{"export", "--org", "acme", "--format", "csv", "--filter", `{"stattus": ["DEPLOYED"]}`},
		{"export", "--org", "acme", "--format", "csv", "--columns", "colour"},
		{"export", "--org", "nope", "--format", "csv"},
	} {
		require.Error(t, run(ctx, bad, getenv, io.Discard, io.Discard), bad)
	}
}
