package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

func TestSyncSoftwareDiff(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	d := mac("1", "C02AAA111", "")
	d.Software = append(d.Software, connectors.Software{Title: "Chrome", Version: "1"})
	f.apply(f.a, jamf, d)
	a := f.assetBySerial(f.a, "C02AAA111")
	rows := func() map[string]string {
		out := map[string]string{}
		r, err := f.owner.Query(context.Background(), `SELECT app_key, coalesce(version, '-') FROM software_installations WHERE asset_id = $1 AND ended_at IS NULL`, a.ID)
		require.NoError(t, err)
		for r.Next() {
			var k, v string
			require.NoError(t, r.Scan(&k, &v))
			out[k] = v
		}
		return out
	}
	require.Equal(t, map[string]string{"com.tinyspeck.slackmacgap": "4.41", "zoom": "6.0", "chrome": "1"}, rows())
	// Slack upgraded, Zoom removed, Chrome unchanged, Figma added.
	d.Software = []connectors.Software{{Title: "Slack", Version: "4.42", Identifier: "com.tinyspeck.slackmacgap"}, {Title: "Chrome", Version: "1"}, {Title: "Figma", Version: ""}}
	f.apply(f.a, jamf, d)
	require.Equal(t, map[string]string{"com.tinyspeck.slackmacgap": "4.42", "chrome": "1", "figma": "-"}, rows())
	// Day-old rows are refreshed, by an unchanged record too once its
	// link was last confirmed over a day ago (two days pass here).
	_, err := f.owner.Exec(context.Background(), `UPDATE software_installations SET last_seen_at = now() - interval '2 days' WHERE asset_id = $1 AND app_key = 'chrome'`, a.ID)
	require.NoError(t, err)
	_, err = f.owner.Exec(context.Background(), `UPDATE asset_external_ids SET fingerprint_at = fingerprint_at - interval '2 days' WHERE asset_id = $1`, a.ID)
	require.NoError(t, err)
	f.apply(f.a, jamf, d)
	var fresh bool
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT last_seen_at > now() - interval '1 hour' FROM software_installations WHERE asset_id = $1 AND app_key = 'chrome'`, a.ID).Scan(&fresh))
	require.True(t, fresh)
	// No software sent: left alone.
	d.Software = nil
	f.apply(f.a, jamf, d)
	require.Len(t, rows(), 3)
	// Empty list sent: all ended, none deleted (installations are history).
	d.Software = []connectors.Software{}
	f.apply(f.a, jamf, d)
	require.Empty(t, rows())
	var ended int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM software_installations WHERE asset_id = $1 AND ended_at IS NOT NULL`, a.ID).Scan(&ended))
	require.Equal(t, 4, ended, "Zoom, then Slack, Chrome and Figma")
	// Reported again: current again, with its first sighting kept.
	d.Software = []connectors.Software{{Title: "Chrome", Version: "2"}}
	f.apply(f.a, jamf, d)
	require.Equal(t, map[string]string{"chrome": "2"}, rows())
}
