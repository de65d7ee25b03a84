package postgres

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/intune"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
	"github.com/itam-dev/itam/internal/itam"
)

// End to end from the Intune fake: one device whose detected apps keep
// failing does not fail its page. The page applies (the device's other
// fields too), that device's software stays as it was, and the run records
// a per-record error naming it.
func TestSyncAppliesAPageWhoseDeviceSoftwareWasNotRead(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	c := f.connector(f.a, "INTUNE", "Intune", false)
	fake := intunetest.New(t, intunetest.Options{Devices: 5})
	src, err := intune.New(connectors.Config{BaseURL: fake.GraphURL, AuthURL: fake.LoginURL,
		Egress: connectors.AllowLoopback(), Credentials: fake.Credentials()})
	require.NoError(t, err)
	const victim = 3 // an HP with three apps
	serial := "CZC0000003"
	sync := func() (SyncTarget, PageResult) {
		p, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		require.NoError(t, err)
		require.True(t, p.Done)
		target := f.run(f.a, c)
		res, err := f.sync.ApplyPage(f.ctx(f.a, c), target, p.Devices, "")
		require.NoError(t, err)
		return target, res
	}
	installed := func() map[string]string {
		a := f.assetBySerial(f.a, serial)
		out := map[string]string{}
		rows, err := f.owner.Query(context.Background(), `SELECT app_key, coalesce(version, '-') FROM software_installations WHERE asset_id = $1 AND ended_at IS NULL`, a.ID)
		require.NoError(t, err)
		for rows.Next() {
			var k, v string
			require.NoError(t, rows.Scan(&k, &v))
			out[k] = v
		}
		return out
	}
	_, res := sync()
	require.Empty(t, res.Errors)
	before := installed()
	require.Len(t, before, 3)

	fake.SetDevice(victim, func(d *intunetest.ManagedDevice) { d.DeviceName = "KIOSK-RENAMED" })
	fake.FailApps(victim, 1000, http.StatusBadRequest, "")
	target, res := sync()
	require.Equal(t, 1, res.Updated, "the page applied: the rename landed")
	require.Equal(t, "KIOSK-RENAMED", *f.assetBySerial(f.a, serial).Name)
	require.Equal(t, before, installed(), "software kept, not emptied")
	require.Len(t, res.Errors, 1)
	require.Equal(t, intunetest.DeviceID(victim), res.Errors[0].ExternalID)
	require.Contains(t, res.Errors[0].Message, "software not read, kept as it was")

	var count int
	var kept []itam.SyncError
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT error_count, errors FROM sync_runs WHERE id = $1`, target.RunID).Scan(&count, &kept))
	require.Equal(t, 1, count)
	require.Equal(t, res.Errors, kept)
}
