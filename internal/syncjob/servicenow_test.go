package syncjob

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
)

// A SERVICENOW connector syncs through the real engine: every CI becomes
// one asset with its link (those without a serial matched by tag), and an
// unchanged re-sync changes nothing.
func TestServiceNowFullSyncThenUnchangedResync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.start()
	sn := servicenowtest.New(t, servicenowtest.Options{Records: 250, Users: 10})
	o := sn.Options()
	c, _, err := connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "SERVICENOW", Name: "ServiceNow", BaseURL: &sn.URL,
		Credentials: map[string]string{"clientId": o.ClientID, "clientSecret": o.ClientSecret},
		Options:     map[string]any{"pageSize": 100},
	})
	require.NoError(t, err)

	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, run.Status, deref(run.Message))
	// 3 pages of CIs; with the engine's people phase, 1 page of sys_user
	// (10 people) before them.
	require.Contains(t, [][2]int{{3, 250}, {4, 260}}, [2]int{run.PagesFetched, run.RecordsSeen})
	require.Equal(t, 250, e.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1`, c.ID))
	require.Equal(t, 250, e.count(`SELECT count(*) FROM assets`))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM assets WHERE asset_tag = 'P0000009' AND serial_number IS NULL`),
		"a CI without a serial is an asset known by its tag")
	history := e.count(`SELECT count(*) FROM asset_history`)

	again := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, again.Status, deref(again.Message))
	require.Zero(t, again.Created)
	require.Zero(t, again.Updated)
	require.Equal(t, history, e.count(`SELECT count(*) FROM asset_history`))
	require.NotContains(t, e.logs.String(), o.ClientSecret)
}
