package graph

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDepreciationComplexity: the lists of the depreciation slice are
// priced: a schedule as 60 periods per asset, profiles and their history
// by page size.
func TestDepreciationComplexity(t *testing.T) {
	es := executableSchema(&Resolver{})
	cost := func(query string) int {
		c, _ := operationCost(context.Background(), es, validated(t, query).Operations[0], nil)
		return c
	}
	base := cost("{assets(first:100){nodes{assetTag}}}")
	withSchedule := cost("{assets(first:100){nodes{assetTag depreciationSchedule{end}}}}")
	require.Equal(t, 100*(1+schedulePeriods*1), withSchedule-base, "one schedule costs 1 + 60 × its selection")

	profiles := func(first string) int {
		return cost("{depreciationProfiles(first:" + first + "){nodes{id history(first:10){nodes{action}}}}}")
	}
	// nodes{ id, history: 1 + 10 × nodes{action} } per profile.
	require.Equal(t, 1+50*(1+1+(1+10*(1+1))), profiles("50"), "profiles by page, each history by its page")
	require.Greater(t, profiles("500"), profiles("50"))
}
