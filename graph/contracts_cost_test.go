package graph

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// Contracts' connections cost their selection times their page size plus
// each filter condition; the per-asset money fields cost a default page
// (contracts) or their selection plus TCOCost (totalCostOfOwnership).
func TestContractCosts(t *testing.T) {
	es := executableSchema(&Resolver{})
	cost := func(query string) int {
		c, _ := operationCost(context.Background(), es, validated(t, query).Operations[0], nil)
		return c
	}
	for _, c := range []struct {
		query string
		want  int
	}{
		{"{contracts(first:10){nodes{id}}}", 1 + 10*2},
		{`{contracts(first:10, filter:{kinds:[LEASE], search:"x"}){nodes{id}}}`, 1 + 10*2 + 2*FilterLeafCost},
		{"{contracts(first:2){nodes{coveredAssets(first:3){nodes{assetTag}}}}}", 1 + 2*(1+1+3*2)},
		{"{contracts(first:2){nodes{coveredLicenses(first:3){nodes{id}}}}}", 1 + 2*(1+1+3*2)},
		{"{contracts(first:2){nodes{history(first:3){nodes{action}}}}}", 1 + 2*(1+1+3*2)},
		{`{contracts(first:2){nodes{costLines(from:"2024-01-01", to:"2024-12-31"){date}}}}`, 1 + 2*(1+1+itam.DefaultPageSize*1)},
		{"{assets(first:2){nodes{contracts{id}}}}", 1 + 2*(1+1+itam.DefaultPageSize*1)},
		{"{assets(first:2){nodes{totalCostOfOwnership{to}}}}", 1 + 2*(1+1+TCOCost)},
		{"{assets(first:2){nodes{expectedEndOfLife}}}", 1 + 2*(1+1)},
	} {
		require.Equal(t, c.want, cost(c.query), c.query)
	}
	require.Greater(t, cost("{assets(first:500){nodes{contracts{coveredAssets(first:500){nodes{assetTag}}}}}}"), MaxComplexity)
}
