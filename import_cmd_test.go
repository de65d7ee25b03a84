package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/pgtest"
)

// TestRunImport: `itam import` against a database with no server running:
// the dry run reports every error row and writes nothing; --commit is
// refused (exit 1) while rows have errors; --commit --skip-invalid applies
// exactly the valid rows and lists the skipped ones; --map maps a header
// the automatic match does not know. Output is plain lines (not a
// terminal).
func TestRunImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "ITAM_JWT_SECRET": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	getenv := func(k string) string { return env[k] }
	require.NoError(t, run(ctx, []string{"seed", "--org", "acme"}, getenv, io.Discard, io.Discard))
	pool, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	defer pool.Close()
	assets := func() int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM assets`).Scan(&n))
		return n
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "inventory.csv")
	require.NoError(t, os.WriteFile(file, []byte(
		"Asset Tag,Serial No.,Asset Name,Model,Manufacturer,Category,Status,Purchase Date,Purchase Cost,Shoe Size\n"+
			"T-1,SN1,Laptop 1,Latitude 5440,Dell,Laptop,IN_STOCK,31/12/2024,\"$1,299.00\",42\n"+
			"T-2,SN2,Laptop 2,Latitude 5440,Dell,Laptop,IN_STOCK,31/13/2024,\"$1,299.00\",43\n"+
			"T-3,SN3,Laptop 3,ThinkPad X1,Lenovo,Laptop,IN_STOCK,2024-01-05,\"$999.50\",44\n"+
			"T-4,SN4,Laptop 4,ThinkPad X1,Lenovo,Laptop,IN_STOCK,2024-01-05,,45\n"+
			"T-1,SN5,Laptop 5,ThinkPad X1,Lenovo,Laptop,IN_STOCK,2024-01-05,,46\n"), 0o600))

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"import", file, "--org", "acme"}, getenv, &out, io.Discard))
	report := out.String()
	require.NotContains(t, report, "\r", "plain lines when stdout is not a terminal")
	require.Contains(t, report, `"Serial No." → serialNumber`)
	require.Contains(t, report, `"Shoe Size": not imported`)
	require.Contains(t, report, "5 rows: 3 to create, 0 to update, 0 unchanged, 2 with errors (1 repeat an earlier row's key)")
	require.Contains(t, report, `line 3, column "Purchase Date": `)
	require.Contains(t, report, "31/13/2024")
	require.Regexp(t, `line 6\b.*\b2\b`, report, "the duplicate names the line it repeats")
	require.Contains(t, report, "models: 0 matched, 2 to create")
	require.Contains(t, report, "dry run only: nothing was written")
	require.Zero(t, assets(), "a dry run writes nothing")

	out.Reset()
	err = run(ctx, []string{"import", "--org", "acme", file, "--commit"}, getenv, &out, io.Discard)
	require.ErrorContains(t, err, "commit refused: the dry run found 2 rows with errors (lines 3, 6)")
	require.Contains(t, out.String(), `line 3, column "Purchase Date": `, "the refusal comes with the error rows")
	require.Zero(t, assets())

	out.Reset()
	require.NoError(t, run(ctx, []string{"import", file, "--org", "acme", "--commit", "--skip-invalid"}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), "committed: 3 created, 0 updated, 0 unchanged; skipped 2 rows with errors (lines 3, 6)")
	require.Equal(t, 3, assets())
	var tags string
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(asset_tag, ',' ORDER BY asset_tag) FROM assets`).Scan(&tags))
	require.Equal(t, "T-1,T-3,T-4", tags)

	// A header only mapping.json names, and a column it leaves out.
	other := filepath.Join(dir, "inventar.csv")
	require.NoError(t, os.WriteFile(other, []byte("Inventar-Nr;Seriennummer;Modell;Hersteller;Kategorie;Status\nT-9;SN9;Latitude 5440;Dell;Laptop;IN_STOCK\n"), 0o600))
	mapping := filepath.Join(dir, "mapping.json")
	require.NoError(t, os.WriteFile(mapping, []byte(`{"Inventar-Nr": "assetTag", "seriennummer": "serialNumber", "Modell": "model",
		"Hersteller": "manufacturer", "Kategorie": "category", "Status": ""}`), 0o600))
	out.Reset()
	require.NoError(t, run(ctx, []string{"import", other, "--org", "acme", "--map", mapping, "--commit"}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), `"Inventar-Nr" → assetTag`)
	require.Contains(t, out.String(), `"Status": not imported`)
	require.Contains(t, out.String(), "committed: 1 created")
	require.Equal(t, 4, assets())

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", file, "--org", "nope"}, `no organization "nope"`},
		{[]string{"import", "--org", "acme"}, "name one FILE"},
		{[]string{"import", file}, "--org is required"},
		{[]string{"import", file, "--org", "acme", "--skip-invalid"}, "--skip-invalid goes with --commit"},
		{[]string{"import", file, "--org", "acme", "--kind", "cars"}, "not an import kind"},
		{[]string{"import", file, "--org", "acme", "--date-order", "YMD"}, "--date-order is DMY or MDY"},
		{[]string{"import", other, "--org", "acme", "--map", mapping + ".missing"}, "--map"},
		{[]string{"import", file, "--org", "acme", "--map", mapping}, `--map names "Hersteller", which is not a column of the file`},
	} {
		err := run(ctx, tc.args, getenv, io.Discard, io.Discard)
		require.ErrorContains(t, err, tc.want, "%v", tc.args)
	}
	require.Equal(t, 4, assets())
}

// TestImportProgress: on anything but a terminal, progress is one plain
// line per change; the bar is drawn in place only on a terminal.
func TestImportProgress(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgress(&out)
	require.False(t, p.tty)
	p.show(imports.StatusPlanning, 2000, 0)
	p.show(imports.StatusPlanning, 2000, 0)
	p.show(imports.StatusPlanning, 4000, 0)
	p.done()
	p.show(imports.StatusCommitting, 500, 4000)
	p.done()
	require.Equal(t, "dry run: 2000 rows\ndry run: 4000 rows\ncommit: 500 / 4000 rows\n", out.String())

	out.Reset()
	bar := &importProgress{w: &out, tty: true}
	bar.show(imports.StatusCommitting, 1000, 4000)
	bar.show(imports.StatusCommitting, 4000, 4000)
	bar.done()
	require.Equal(t, "\r["+strings.Repeat("█", 7)+strings.Repeat("·", 23)+"] commit: 1000 / 4000 rows\033[K"+
		"\r["+strings.Repeat("█", 30)+"] commit: 4000 / 4000 rows\033[K\n", out.String())
}
