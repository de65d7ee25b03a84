package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
)

// Runs and a planning run's saved rows are counted across pages, by action,
// in the caller's organization only.
func TestImportCounts(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := f.admin(f.a)
	run := f.newRun(f.a)
	f.newRun(f.a)
	require.NoError(t, f.store.ResetPlan(ctx, run.ID, []string{"Asset Tag"}, imports.Mapping{Columns: map[int]string{0: "assetTag"}}))
	require.NoError(t, f.store.SavePlanChunk(ctx, run.ID, []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "A-1", Values: map[string]string{"assetTag": "A-1"}},
		{Line: 3, Action: imports.ActionError, Key: "A-1", DuplicateOf: 2},
		{Line: 4, Action: imports.ActionCreate, Key: "A-2", Values: map[string]string{"assetTag": "A-2"}},
	}, 3))

	n, err := f.store.CountRuns(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	for _, tc := range []struct {
		actions []imports.Action
		want    int
	}{
		{nil, 3},
		{[]imports.Action{imports.ActionCreate}, 2},
		{[]imports.Action{imports.ActionError, imports.ActionUnchanged}, 1},
	} {
		n, err := f.store.CountRows(ctx, run.ID, imports.RowFilter{Actions: tc.actions})
		require.NoError(t, err)
		require.Equal(t, tc.want, n, tc.actions)
	}

	other := f.admin(f.b)
	n, err = f.store.CountRuns(other)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = f.store.CountRows(other, run.ID, imports.RowFilter{})
	require.NoError(t, err)
	require.Zero(t, n)
}
