package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

// TestSyncFingerprintSkipsOnlyUnchangedRecords: a record brought again
// unchanged is not reconciled (the probe: provenance deleted behind the
// sync's back is not written again), while a changed record, a changed
// precedence, a changed asset or a changed assignee's status make the next
// sync reconcile it as before.
func TestSyncFingerprintSkipsOnlyUnchangedRecords(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	ctx := context.Background()
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	provenance := func(serial string) int {
		var n int
		require.NoError(t, f.owner.QueryRow(ctx, `SELECT count(*) FROM field_provenance p JOIN assets a ON a.id = p.asset_id
			WHERE a.serial_number = $1`, serial).Scan(&n))
		return n
	}
	dropProvenance := func(serial string) {
		f.exec(`DELETE FROM field_provenance WHERE asset_id = (SELECT id FROM assets WHERE serial_number = $1)`, serial)
	}
	for i, tc := range []struct {
		name      string
		change    func(d *connectors.Device, serial string)
		reconcile bool
		updated   int
	}{
		{"nothing changed", func(*connectors.Device, string) {}, false, 0},
		{"only the check-in time changed", func(d *connectors.Device, _ string) {
			later := d.LastCheckIn.Add(time.Hour)
			d.LastCheckIn = &later
		}, false, 0},
		{"the record changed", func(d *connectors.Device, _ string) { d.Name = "Renamed in Jamf" }, true, 1},
		{"its software changed", func(d *connectors.Device, _ string) {
			d.Software = append(d.Software, connectors.Software{Title: "Figma", Version: "1"})
		}, true, 0},
		{"the precedence changed", func(*connectors.Device, string) {
			f.exec(`INSERT INTO field_precedence (org_id, field, sources) VALUES ($1, 'purchaseDate', ARRAY['JAMF_PRO','manual'])`, f.a.id)
		}, true, 0},
		{"someone changed the asset", func(_ *connectors.Device, serial string) {
			f.exec(`UPDATE assets SET version = version + 1 WHERE serial_number = $1`, serial)
		}, true, 0},
		{"the assignee left", func(*connectors.Device, string) {
			f.exec(`UPDATE people SET status = 'OFFBOARDED' WHERE id = $1`, f.a.bob)
		}, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serial := fmt.Sprintf("C02FP%04d", i)
			d := mac(fmt.Sprintf("fp-%d", i), serial, "bob@alpha.test")
			require.Equal(t, 1, f.apply(f.a, jamf, d).Created)
			dropProvenance(serial)
			res := f.apply(f.a, jamf, d)
			require.Equal(t, PageResult{Unchanged: 1}, res)
			require.Zero(t, provenance(serial), "an unchanged record is not reconciled")

			tc.change(&d, serial)
			res = f.apply(f.a, jamf, d)
			require.Empty(t, res.Errors)
			require.Equal(t, tc.updated, res.Updated)
			require.Equal(t, tc.updated == 0, res.Unchanged == 1)
			if tc.reconcile {
				require.NotZero(t, provenance(serial), "the record is reconciled again")
			} else {
				require.Zero(t, provenance(serial))
			}
			var checkIn time.Time
			require.NoError(t, f.owner.QueryRow(ctx, `SELECT last_check_in FROM asset_external_ids WHERE external_id = $1`, d.ExternalID).Scan(&checkIn))
			require.True(t, checkIn.Equal(*d.LastCheckIn), "every record's link is written")
			if tc.updated > 0 {
				a := f.assetBySerial(f.a, serial)
				require.Equal(t, "Renamed in Jamf", *a.Name)
			}
		})
	}
}

// TestSyncFingerprintDailyConfirmation: an unchanged record last fully
// confirmed over a day ago sees again the conflicts its last
// reconciliation raised, and nothing else, as reconciling it would.
func TestSyncFingerprintDailyConfirmation(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	ctx := context.Background()
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	d := mac("daily", "C02DAILY1", "")
	f.apply(f.a, jamf, d)
	a := f.assetBySerial(f.a, "C02DAILY1")
	// A person renames it (locking the name): the next sync records a conflict.
	_, err := f.assets.UpdateAsset(f.admin(f.a), itam.AssetPatch{ID: a.ID, Version: a.Version, Name: itam.Some("Kept")})
	require.NoError(t, err)
	f.apply(f.a, jamf, d)
	// An old conflict of another field the record no longer disputes.
	f.exec(`INSERT INTO sync_conflicts (org_id, asset_id, field, kept_source, kept_value, other_source, other_value, last_seen_at)
		VALUES ($1, $2, 'warrantyEnd', 'manual', 'null', $3, 'null', now() - interval '10 days')`, f.a.id, a.ID, jamf.Source())
	// Two days pass.
	for _, q := range []string{
		`UPDATE asset_external_ids SET fingerprint_at = fingerprint_at - interval '2 days' WHERE asset_id = $1`,
		`UPDATE field_provenance SET observed_at = observed_at - interval '2 days' WHERE asset_id = $1`,
		`UPDATE sync_conflicts SET last_seen_at = last_seen_at - interval '2 days' WHERE asset_id = $1 AND field = 'name'`,
	} {
		f.exec(q, a.ID)
	}
	res := f.apply(f.a, jamf, d)
	require.Equal(t, PageResult{Unchanged: 1}, res)
	fresh := func(sql string) map[string]bool {
		out := map[string]bool{}
		rows, err := f.owner.Query(ctx, sql, a.ID)
		require.NoError(t, err)
		for rows.Next() {
			var k string
			var ok bool
			require.NoError(t, rows.Scan(&k, &ok))
			out[k] = ok
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, map[string]bool{"serialNumber": false, "modelId": false, "name": false},
		fresh(`SELECT field, observed_at > now() - interval '1 hour' FROM field_provenance WHERE asset_id = $1`),
		"a source keeping its own values writes no provenance, reconciled or not")
	require.Equal(t, map[string]bool{"name": true, "warrantyEnd": false},
		fresh(`SELECT field, last_seen_at > now() - interval '1 hour' FROM sync_conflicts WHERE asset_id = $1`),
		"the conflict the record still raises is seen again; the old one is not")
	require.Equal(t, map[string]bool{"daily": true},
		fresh(`SELECT external_id, fingerprint_at > now() - interval '1 hour' FROM asset_external_ids WHERE asset_id = $1`))
}
