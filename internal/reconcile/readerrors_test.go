package reconcile_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// A record its connector could only partly read still applies; what it
// could not read becomes a per-record error of the run.
func TestPlanAppliesPartlyReadRecords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		readErrors []string
		wantErrors []itam.SyncError
	}{
		{"fully read", nil, nil},
		{"software not read", []string{"software not read"}, []itam.SyncError{{ExternalID: "1", Message: "software not read"}}},
		{"two parts not read", []string{"a", "b"}, []itam.SyncError{{ExternalID: "1", Message: "a"}, {ExternalID: "1", Message: "b"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPage(t)
			d := mac("1", "C02A")
			d.ReadErrors = tc.readErrors
			repeated := d // a record repeated in the page counts, and errs, once
			plan := reconcile.Plan(p.snap, []reconcile.Device{d, repeated})
			require.Len(t, plan.Changes, 1, "the record applies")
			require.Equal(t, 1, plan.NewAssets)
			require.Equal(t, tc.wantErrors, plan.Errors)
		})
	}
}
