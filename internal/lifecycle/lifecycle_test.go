package lifecycle_test

import (
	"testing"

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
	rep: {stk, lst, stl},
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
		{"deploy needs an assignee", stk, dep, false, "without an assignee"},
		{"deploy with an assignee", stk, dep, true, ""},
		{"check in", dep, stk, true, ""},
		{"send to repair", dep, rep, true, ""},
		{"back from repair", rep, stk, false, ""},
		{"found again", stl, stk, false, ""},
		{"retire from stock", stk, ret, false, ""},
		{"retire while assigned", stk, ret, true, "while it is assigned"},
		{"retire a deployed asset", dep, ret, true, "cannot move an asset from DEPLOYED to RETIRED"},
		{"dispose goes through disposeAsset", ret, dis, false, "use disposeAsset"},
		{"disposed is terminal", dis, stk, false, "cannot move an asset from DISPOSED to IN_STOCK"},
		{"same status", stk, stk, false, "already IN_STOCK"},
		{"unknown target", stk, "BROKEN", false, `unknown status "BROKEN"`},
		{"skip receiving", ord, dep, true, "cannot move an asset from ORDERED to DEPLOYED"},
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

func TestAfterAssign(t *testing.T) {
	t.Parallel()
	for _, from := range all {
		got, err := lifecycle.AfterAssign(from)
		if from == dep || contains(allowed[from], dep) {
			require.NoError(t, err, from)
			require.Equal(t, dep, got)
			continue
		}
		require.Error(t, err, from)
		require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
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
