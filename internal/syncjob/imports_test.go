package syncjob

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/postgres"
)

// TestServerClientWorksImports: the River client `serve` runs (with
// connectors, and without them: NoSync) plans and commits import runs,
// so an import started through the API progresses with nothing else
// running.
func TestServerClientWorksImports(t *testing.T) {
	t.Parallel()
	for _, noSync := range []bool{false, true} {
		e := newEnv(t, 0)
		e.startWith(Options{NoSync: noSync})
		store := postgres.NewImportStore(e.deps.DB, postgres.RiverEnqueuer{Client: e.insert})
		csv := "Asset Tag,Serial No.,Model,Manufacturer,Category,Status\nT-1,SN1,Latitude 5440,Dell,Laptop,IN_STOCK\n"
		r, err := store.CreateRun(e.admin, &imports.Run{Kind: imports.KindAssets, FileName: "a.csv", FileSize: int64(len(csv))},
			strings.NewReader(csv))
		require.NoError(t, err)
		r = waitRun(t, store, e, r, imports.StatusPlanning)
		require.Equal(t, imports.StatusReady, r.Status, "%v", r.Error)
		_, err = store.StartCommit(e.admin, r.ID, false, &r.Version)
		require.NoError(t, err)
		r = waitRun(t, store, e, r, imports.StatusCommitting)
		require.Equal(t, imports.StatusCommitted, r.Status, "%v", r.Error)
		require.Equal(t, 1, e.count(`SELECT count(*) FROM assets WHERE asset_tag = 'T-1'`), "noSync %v", noSync)
	}
}

func waitRun(t *testing.T, store *postgres.ImportStore, e *env, r *imports.Run, while imports.RunStatus) *imports.Run {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := store.Run(e.admin, r.ID)
		require.NoError(t, err)
		if got.Status != while {
			return got
		}
		require.True(t, time.Now().Before(deadline), "run still %s", while)
		time.Sleep(20 * time.Millisecond)
	}
}
