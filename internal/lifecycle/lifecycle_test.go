package lifecycle_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// Short names keep the expected matrix readable as a table.
const (
	ord = itam.StatusOrdered
	stk = itam.StatusInStock
	dep = itam.StatusDeployed
	rep = itam.StatusInRepair
	lst = itam.StatusLost
	stl = itam.StatusStolen
	ret = itam.StatusRetired
	dis = itam.StatusDisposed
)

var all = []itam.AssetStatus{ord, stk, dep, rep, lst, stl, ret, dis}

// allowed is the lifecycle as the README states it, written out by hand so
// the test does not use the table under test as its own oracle: a changed
// edge in Edges fails here.
var allowed = map[itam.AssetStatus][]itam.AssetStatus{
	ord: {stk, lst, stl},
	stk: {dep, rep, lst, stl, ret},
	dep: {stk, rep, lst, stl},
	rep: {dep, stk, lst, stl},
	lst: {stk},
	stl: {stk},
	ret: {dis},
	dis: {},
}

func contains(list []itam.AssetStatus, s itam.AssetStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAllowedMatchesTheDocumentedLifecycle(t *testing.T) {
	t.Parallel()
	require.Len(t, lifecycle.Edges, len(all), "every status has a row, and no other")
	for _, from := range all {
		for _, to := range all {
			require.Equal(t, contains(allowed[from], to), lifecycle.Allowed(from, to), "%s → %s", from, to)
		}
	}
	require.False(t, lifecycle.Allowed("BROKEN", stk))
	require.False(t, lifecycle.Allowed(stk, "BROKEN"))
}

func TestValid(t *testing.T) {
	t.Parallel()
	for _, s := range all {
		require.True(t, lifecycle.Valid(s), s)
	}
	for _, s := range []itam.AssetStatus{"", "in_stock", "BROKEN"} {
		require.False(t, lifecycle.Valid(s), s)
	}
}

func TestTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to itam.AssetStatus
		assigned bool
		wantErr  string // substring of the message; empty: allowed
	}{
		{"receive an order", ord, stk, false, ""},
		{"order lost in transit", ord, lst, false, ""},
		{"deploy needs an assignee", stk, dep, false, "cannot move an asset from IN_STOCK to DEPLOYED without an assignee: allowed from IN_STOCK: IN_REPAIR, LOST, STOLEN, RETIRED; assign it instead"},
		{"deploy with an assignee", stk, dep, true, ""},
		{"check in", dep, stk, true, ""},
		{"send to repair", dep, rep, true, ""},
		{"back from repair to the holder", rep, dep, true, ""},
		{"back from repair without a holder", rep, dep, false, "without an assignee: allowed from IN_REPAIR: IN_STOCK, LOST, STOLEN; assign it instead"},
		{"back from repair to stock", rep, stk, true, ""},
		{"found again", stl, stk, false, ""},
		{"retire from stock", stk, ret, false, ""},
		{"retire while assigned", stk, ret, true, "cannot move an asset from IN_STOCK to RETIRED while it is assigned: allowed from IN_STOCK: DEPLOYED, IN_REPAIR, LOST, STOLEN; unassign it first"},
		{"retire a deployed asset", dep, ret, true, "cannot move an asset from DEPLOYED to RETIRED: allowed from DEPLOYED: IN_STOCK, IN_REPAIR, LOST, STOLEN; unassign it first"},
		{"retire a deployed asset nobody holds", dep, ret, false, "allowed from DEPLOYED: IN_STOCK, IN_REPAIR, LOST, STOLEN; move it to IN_STOCK first"},
		{"retire a lost asset", lst, ret, false, "allowed from LOST: IN_STOCK; move it to IN_STOCK first"},
		{"dispose goes through disposeAsset", ret, dis, false, "cannot move an asset from RETIRED to DISPOSED with transitionAsset: allowed from RETIRED: none; use disposeAsset"},
		{"dispose from stock", stk, dis, false, "retire it (from IN_STOCK), then use disposeAsset"},
		{"disposed is terminal", dis, stk, false, "cannot move an asset from DISPOSED to IN_STOCK: allowed from DISPOSED: none; a disposed asset stays disposed"},
		{"same status", stk, stk, false, "already IN_STOCK"},
		{"unknown target", stk, "BROKEN", false, `unknown status "BROKEN"`},
		{"skip receiving", ord, dep, true, "cannot move an asset from ORDERED to DEPLOYED: allowed from ORDERED: IN_STOCK, LOST, STOLEN; receive it (IN_STOCK) first, then assign it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := lifecycle.Transition(tt.from, tt.to, tt.assigned)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			var e *itam.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, itam.CodeInvalid, e.Code)
			require.Equal(t, "status", e.Field)
			require.Contains(t, e.Message, tt.wantErr)
		})
	}
}

// Every allowed edge is reachable through Transition with the right
// assignment state, except DISPOSED, which only disposeAsset reaches.
func TestTransitionAcceptsEveryAllowedEdge(t *testing.T) {
	t.Parallel()
	for from, tos := range allowed {
		for _, to := range tos {
			err := lifecycle.Transition(from, to, to == dep)
			if to == dis {
				require.Error(t, err)
				continue
			}
			require.NoError(t, err, "%s → %s", from, to)
		}
	}
}

// Assigning deploys from stock (or hands on a deployed asset); an asset in
// repair keeps its holder and is not assigned anew.
func TestAfterAssign(t *testing.T) {
	t.Parallel()
	for _, from := range all {
		got, err := lifecycle.AfterAssign(from)
		if from == dep || from == stk {
			require.NoError(t, err, from)
			require.Equal(t, dep, got)
			continue
		}
		require.Error(t, err, from)
		require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
		require.Contains(t, err.Error(), "cannot assign an asset that is "+string(from))
	}
	_, err := lifecycle.AfterAssign(rep)
	require.ErrorContains(t, err, "move it to DEPLOYED (back to its holder) or IN_STOCK")
}

// AllowedTargets is what transitionAsset would accept for the asset as it
// stands: every status, assigned or not, checked against Transition.
func TestAllowedTargets(t *testing.T) {
	t.Parallel()
	for _, from := range all {
		for _, who := range []*uuid.UUID{nil, person} {
			got := lifecycle.AllowedTargets(itam.Asset{Status: from, AssignedPersonID: who})
			var want []itam.AssetStatus
			for _, to := range all {
				if lifecycle.Transition(from, to, who != nil) == nil {
					want = append(want, to)
				}
			}
			require.ElementsMatch(t, want, got, "%s assigned=%v", from, who != nil)
			require.NotNil(t, got, "an empty list, never null")
		}
	}
	tests := []struct {
		name string
		a    itam.Asset
		want []itam.AssetStatus
	}{
		{"deployed", itam.Asset{Status: dep, AssignedPersonID: person}, []itam.AssetStatus{stk, rep, lst, stl}},
		{"in repair with its holder", itam.Asset{Status: rep, AssignedPersonID: person}, []itam.AssetStatus{dep, stk, lst, stl}},
		{"in repair without a holder", itam.Asset{Status: rep}, []itam.AssetStatus{stk, lst, stl}},
		{"in stock", itam.Asset{Status: stk}, []itam.AssetStatus{rep, lst, stl, ret}},
		{"retired: disposal is not a transition", itam.Asset{Status: ret}, []itam.AssetStatus{}},
		{"disposed", itam.Asset{Status: dis}, []itam.AssetStatus{}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, lifecycle.AllowedTargets(tt.a), tt.name)
	}
}

func TestAfterUnassign(t *testing.T) {
	t.Parallel()
	for _, from := range all {
		want := from
		if from == dep {
			want = stk
		}
		require.Equal(t, want, lifecycle.AfterUnassign(from), from)
	}
}

func TestInitialStatuses(t *testing.T) {
	t.Parallel()
	require.ElementsMatch(t, []itam.AssetStatus{ord, stk}, lifecycle.InitialStatuses)
}
