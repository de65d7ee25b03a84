package postgres

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
)

// TestExportCount: Count counts what the export's filter selects in the
// caller's organization only, and stops at its limit (an XLSX export asks
// for a sheet's rows plus one, never for a full count).
func TestExportCount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for range 3 {
		f.newAsset(f.a, nil)
	}
	f.newAsset(f.a, func(in *itam.AssetInput) { in.Status = ptr(itam.StatusOrdered) })
	f.newAsset(f.b, nil) // another organization's
	store := NewExportStore(f.db)
	ordered, err := json.Marshal(&itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusOrdered}})
	require.NoError(t, err)
	for _, c := range []struct {
		name   string
		kind   exports.Kind
		filter []byte
		limit  int
		want   int
	}{
		{"every asset of the organization", exports.KindAssets, nil, 100, 4},
		{"the filter's assets", exports.KindAssets, ordered, 100, 1},
		{"stops at the limit", exports.KindAssets, []byte("null"), 2, 2},
		{"people", exports.KindPeople, nil, 100, f.count("people", f.a.id)},
	} {
		n, err := store.Count(f.admin(f.a), c.kind, c.filter, c.limit)
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, n, c.name)
	}
	_, err = store.Count(f.admin(f.a), exports.KindAssets, []byte(`{"StatusIn": 7}`), 10)
	requireCode(t, err, itam.CodeInvalid, "filter")
}
