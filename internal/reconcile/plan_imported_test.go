package reconcile_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// TestPlanNewRecordStatusAndHolder: an asset created from a service
// desk's record never holds a state the lifecycle forbids. IN_STOCK and
// ORDERED assets have no holder anywhere else in itam (createAsset refuses
// ORDERED with an assignee, a move to IN_STOCK checks the asset in), yet
// service desks often keep assigned_to on in-stock records.
func TestPlanNewRecordStatusAndHolder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status     string
		wantStatus itam.AssetStatus
		held       bool
		// owned: the source holds the status's provenance (only when the
		// record's own status was taken, else later syncs would each
		// report a conflict against a status the source never set).
		owned bool
	}{
		{"IN_STOCK", itam.StatusInStock, false, true}, // checked in, as a move to IN_STOCK would
		{"ORDERED", itam.StatusDeployed, true, false}, // refused: the holder stands, as on an update
		{"RETIRED", itam.StatusRetired, false, true},
		{"IN_REPAIR", itam.StatusInRepair, true, true},
		{"DEPLOYED", itam.StatusDeployed, true, true},
	}
	for _, tc := range cases {
		p := newPage(t)
		d := mac("1", "C02A")
		d.UserEmail, d.Status = "ann@example.com", tc.status
		plan := reconcile.Plan(p.snap, []reconcile.Device{d})
		require.Len(t, plan.Changes, 1, tc.status)
		a := plan.Changes[0].After
		require.Equal(t, tc.wantStatus, a.Status, tc.status)
		require.Equal(t, tc.held, a.AssignedPersonID != nil, tc.status)
		require.Equal(t, tc.owned, slices.Contains(plan.Changes[0].Provenance, reconcile.FieldStatus), tc.status)
	}
}
