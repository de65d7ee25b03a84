package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// TestMarkMissingAfterConsecutiveFullSyncs: a key-paged source's device is
// marked missing by the first complete full sync that misses it; an
// offset-paged source's (connectors.OffsetPaging) only by the second in a
// row, any run seeing it in between starting the count again. Ending the
// same run twice counts it once.
func TestMarkMissingAfterConsecutiveFullSyncs(t *testing.T) {
	t.Parallel()
	// Each step is one complete full sync that sees "1" and, when seen2,
	// also "2"; want is whether "2" is marked missing after it.
	type step struct {
		seen2 bool
		want  bool
	}
	cases := []struct {
		name  string
		after int
		steps []step
	}{
		{"key paging: one miss marks", 1, []step{{seen2: false, want: true}}},
		{"offset paging: one miss does not mark", 2, []step{{seen2: false, want: false}}},
		{"offset paging: two consecutive misses mark", 2, []step{{false, false}, {false, true}}},
		{"offset paging: seen in between starts again", 2, []step{{false, false}, {true, false}, {false, false}, {false, true}}},
		{"key paging: seen again clears, next miss marks", 1, []step{{false, true}, {true, false}, {false, true}}},
	}
	f := newSyncFixture(t)
	for i, tc := range cases {
		c := f.connector(f.a, "KANDJI", tc.name, false)
		ctx := f.ctx(f.a, c)
		// The devices get per-case ids so the cases share one database.
		d1, d2 := mac(tc.name+"/1", "", ""), mac(tc.name+"/2", "", "")
		d1.AssetTag, d2.AssetTag = "A1-"+string(rune('a'+i)), "A2-"+string(rune('a'+i))
		f.apply(f.a, c, d1, d2)
		for j, s := range tc.steps {
			run := f.run(f.a, c)
			devs := []connectors.Device{d1}
			if s.seen2 {
				devs = append(devs, d2)
			}
			_, err := f.sync.ApplyPage(ctx, run, devs, "")
			require.NoError(t, err)
			n, err := f.sync.MarkMissing(ctx, run, tc.after)
			require.NoError(t, err)
			// A retried end of the same run (the worker died after
			// MarkMissing committed) must not count the miss twice.
			again, err := f.sync.MarkMissing(ctx, run, tc.after)
			require.NoError(t, err)
			require.Zero(t, again, "%s step %d: the same run counted twice", tc.name, j)

			var missing *time.Time
			require.NoError(t, f.owner.QueryRow(context.Background(),
				`SELECT missing_since FROM asset_external_ids WHERE external_id = $1`, d2.ExternalID).Scan(&missing))
			require.Equal(t, s.want, missing != nil, "%s step %d", tc.name, j)
			if s.want {
				require.Equal(t, 1, n, "%s step %d: the run counts the link it marked", tc.name, j)
			} else {
				require.Zero(t, n, "%s step %d", tc.name, j)
			}
			var stillSeen *time.Time
			require.NoError(t, f.owner.QueryRow(context.Background(),
				`SELECT missing_since FROM asset_external_ids WHERE external_id = $1`, d1.ExternalID).Scan(&stillSeen))
			require.Nil(t, stillSeen, "a device every run sees is never missing")
		}
	}
}
