package postgres

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
)

// TestImportCommit100kRows saves a 100,000-row plan and commits it in one
// transaction, and logs how long each took: the store's share of the
// issue's 30-second budgets. It runs only with ITAM_IMPORT_100K=1 (or =N
// for an N-row plan, to see how the time scales): it takes minutes on a
// busy two-core machine, most of it in the per-row triggers every asset
// writer pays (history labels, purchase cost entries, checkouts).
func TestImportCommit100kRows(t *testing.T) {
	if os.Getenv("ITAM_IMPORT_100K") == "" {
		t.Skip("set ITAM_IMPORT_100K=1 to save and commit a 100,000-row plan")
	}
	n := imports.ChunkedCommitRows
	if v, err := strconv.Atoi(os.Getenv("ITAM_IMPORT_100K")); err == nil && v > 1 {
		n = v // a smaller plan, to see how the time scales
	}
	f := newImportFixture(t)
	o := f.a
	refs := []imports.Reference{
		{Kind: imports.RefManufacturer, Name: "Dell", NameKey: "dell", ID: refID(o.manufacturer), FirstLine: 2, Rows: n},
		{Kind: imports.RefModel, Name: "Latitude 7440", NameKey: "latitude 7440", Parent: "dell", ID: refID(o.laptop), FirstLine: 2, Rows: n},
		{Kind: imports.RefLocation, Name: "Berlin", NameKey: "berlin", ID: refID(o.site), FirstLine: 2, Rows: n},
		{Kind: imports.RefPerson, Name: "alice@alpha.test", NameKey: "alice@alpha.test", ID: refID(o.alice), FirstLine: 2, Rows: n},
	}
	rows := make([]imports.RowPlan, n)
	var totals imports.Totals
	for i := range rows {
		tag := fmt.Sprintf("P-%06d", i)
		rows[i] = imports.RowPlan{Line: i + 2, Action: imports.ActionCreate, Key: tag, Values: map[string]string{
			"assetTag": tag, "serialNumber": "SN" + tag, "name": "Laptop " + tag, "model": "Latitude 7440", "manufacturer": "Dell",
			"status": "DEPLOYED", "assignee": "alice@alpha.test", "location": "Berlin", "purchaseDate": "2024-01-31",
			"purchasePrice": "999.00", "purchaseCurrency": "EUR", "warrantyEnd": "2027-01-31"}}
		totals.Add(rows[i])
	}
	ctx := f.admin(o)
	run := f.newRun(o)
	start := time.Now()
	for i := 0; i < n; i += 5000 {
		end := min(i+5000, n)
		require.NoError(t, f.store.SavePlanChunk(ctx, run.ID, rows[i:end], end))
	}
	require.NoError(t, f.store.FinishPlan(ctx, run.ID, refs, totals))
	saved := time.Since(start)
	run, err := f.store.StartCommit(ctx, run.ID, false, nil)
	require.NoError(t, err)
	start = time.Now()
	done, err := f.store.CommitChunk(ctx, run.ID, 0)
	require.NoError(t, err)
	require.True(t, done)
	committed := time.Since(start)
	t.Logf("100,000 rows: plan saved in %v, committed in %v", saved, committed)
	require.Equal(t, n, f.count("assets", o.id), "every row is an asset")
}
