package syncjob

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	fs "github.com/itam-dev/itam/connectors/freshservice/freshservicetest"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
)

// A FRESHSERVICE connector created like any other syncs its assets through
// the real engine: one asset and one link per record, a monitor without a
// serial kept by its tag, paging to the end; an unchanged re-sync changes
// nothing.
func TestFreshserviceFullSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	srv := fs.New(t, fs.Options{Generated: 5})
	srv.AddAsset(fs.Asset{AssetTypeID: fs.TypeMonitor, Name: "Monitor 7", AssetTag: "IT-MON-7",
		TypeFields: map[string]any{"product": fs.ProductMonitor, "asset_state": "In Stock"}})
	c, _, err := connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "FRESHSERVICE", Name: "Freshservice", BaseURL: &srv.URL,
		Credentials: map[string]string{"apiKey": fs.DefaultAPIKey},
		Options:     map[string]any{"pageSize": 4},
	})
	require.NoError(t, err)
	e.start()

	// Bad vendor options are refused when the connector is saved.
	_, _, err = connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "FRESHSERVICE", Name: "Bad map", BaseURL: &srv.URL,
		Credentials: map[string]string{"apiKey": fs.DefaultAPIKey},
		Options:     map[string]any{"statusMap": map[string]any{"In Use": "USED"}},
	})
	var ie *itam.Error
	require.ErrorAs(t, err, &ie)
	require.Equal(t, itam.CodeInvalid, ie.Code)
	require.Equal(t, "options.statusMap", ie.Field)

	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, run.Status, deref(run.Message))
	require.Equal(t, 6, run.RecordsSeen)
	// Two pages of assets (the run's page count also holds the people
	// pages where the engine reads the directory first).
	require.Len(t, srv.RequestsTo(http.MethodGet, "/api/v2/assets"), 2)
	require.Equal(t, 6, e.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1`, c.ID))
	require.Equal(t, 6, e.count(`SELECT count(*) FROM assets`))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM assets WHERE serial_number = 'FSN0000004' AND asset_tag = 'FS-000004'`))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM assets WHERE asset_tag = 'IT-MON-7' AND serial_number IS NULL`))

	again := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, again.Status, deref(again.Message))
	require.Zero(t, again.Created)
	require.Zero(t, again.Updated)
	require.NotContains(t, e.logs.String(), fs.DefaultAPIKey)
}
