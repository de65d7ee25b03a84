package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
)

func search(s string) *model.AssetFilter {
	return &model.AssetFilter{Search: graphql.OmittableOf(&s)}
}

func and(fs ...*model.AssetFilter) *model.AssetFilter {
	return &model.AssetFilter{And: graphql.OmittableOf(fs)}
}

func TestFilterLeaves(t *testing.T) {
	yes := true
	both := search("x")
	both.Unassigned = graphql.OmittableOf(&yes)
	chain := search("x")
	for range 3000 {
		chain = &model.AssetFilter{Not: graphql.OmittableOf(chain)}
	}
	wide := make([]*model.AssetFilter, 10_000)
	for i := range wide {
		wide[i] = &model.AssetFilter{}
	}
	for _, tc := range []struct {
		name string
		in   *model.AssetFilter
		want int
	}{
		{"none", nil, 0},
		{"empty object", &model.AssetFilter{}, 1},
		{"two conditions", both, 2},
		{"and of three", and(search("a"), both), 3},
		{"deep chain", chain, 1},
		{"wide list stops past the limit", and(wide...), itam.MaxFilterLeaves + 2},
	} {
		require.Equal(t, tc.want, filterLeaves(tc.in, itam.MaxFilterLeaves+1), tc.name)
	}
	one := 1
	require.Equal(t, pageCost(1, &one, nil)+2*FilterLeafCost, assetsCost(1, &one, nil, both))
}
