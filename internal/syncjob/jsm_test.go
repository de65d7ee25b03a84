package syncjob

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors/jsm/jsmtest"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
)

// A JSM_ASSETS connector syncs through the real engine: created like any
// connector, its Computers and a monitor without a serial become assets
// linked to their Assets objects, the monitor keeping its Assets tag.
func TestJSMAssetsSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.start()
	srv := jsmtest.New(t, jsmtest.Options{Generated: 120})
	monitor := srv.Add(jsmtest.TypeMonitors, jsmtest.Record{"Name": "MON-1", "Asset Tag": "IT-M1", "Model": "U2723QE", "Manufacturer": "Dell"})
	url := srv.URL
	c, _, err := connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "JSM_ASSETS", Name: "Assets", BaseURL: &url,
		Credentials: map[string]string{"email": srv.Email(), "apiToken": srv.APIToken()},
		Options:     map[string]any{"assetsApiUrl": srv.URL, "pageSize": 50},
	})
	require.NoError(t, err)

	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, run.Status, deref(run.Message))
	// Three AQL pages of Computers (the run's page count also holds the
	// people phase's pages, one empty page when no people type is set).
	require.Len(t, srv.RequestsTo(http.MethodPost, "/object/aql"), 3)
	require.Equal(t, 120, run.RecordsSeen)
	require.Equal(t, 120, e.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1`, c.ID))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM assets WHERE serial_number = 'GSN0000007' AND asset_tag = 'GT-000007'`))

	// A second connector over the monitors: no serial, the tag identifies it.
	c2, _, err := connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "JSM_ASSETS", Name: "Assets monitors", BaseURL: &url,
		Credentials: map[string]string{"email": srv.Email(), "apiToken": srv.APIToken()},
		Options:     map[string]any{"assetsApiUrl": srv.URL, "objectType": "Monitors"},
	})
	require.NoError(t, err)
	run = e.wait(e.sync(c2, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, run.Status, deref(run.Message))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1 AND external_id = $2`, c2.ID, monitor))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM assets WHERE serial_number IS NULL AND asset_tag = 'IT-M1'`))
}
