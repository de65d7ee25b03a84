package graph

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithConflictAssetAddsWhatConflictsSelectOnTheirAsset(t *testing.T) {
	sel := selection{
		"name": {},
		"syncConflicts": {"field": {}, "asset": {
			"model":         {"manufacturer": {}},
			"syncConflicts": {"asset": {"owner": {}}},
		}},
	}
	got := withConflictAsset(sel)
	require.True(t, got.has("name"))
	require.True(t, got.has("model", "manufacturer"))
	require.True(t, got.has("owner"))
	require.False(t, sel.has("model"), "the selection it was given is left unchanged")

	plain := selection{"model": {}}
	require.Equal(t, plain, withConflictAsset(plain))
}

func TestMergeSelectionsIsDeep(t *testing.T) {
	// nodes { asset { model { name } } } edges { node { asset { category { name } } } }
	a := selection{"asset": {"model": {"name": {}}}}
	b := selection{"asset": {"category": {"name": {}}}}
	got := mergeSelections(a, b)
	require.True(t, got.has("asset", "model", "name"))
	require.True(t, got.has("asset", "category", "name"))
	require.False(t, a.has("asset", "category"))
}
