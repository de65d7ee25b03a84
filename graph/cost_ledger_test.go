package graph

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every connection of the ledger, its history and the exchange rates is
// priced by its page size; the costEntries filter adds FilterLeafCost per
// condition, like an asset filter.
func TestCostLedgerCosts(t *testing.T) {
	es := executableSchema(&Resolver{})
	for _, c := range []struct {
		query string
		want  int
	}{
		{"{costEntries(first:10){nodes{id}}}", 1 + 10*2},
		{`{costEntries(first:10, filter:{kinds:[REPAIR], from:"2025-01-01"}){nodes{id}}}`, 1 + 10*2 + 2*FilterLeafCost},
		{"{costEntries(first:2){nodes{history(first:3){nodes{action}}}}}", 1 + 2*(1+1+3*2)},
		{"{assets(first:2){nodes{costEntries(first:3){nodes{id}}}}}", 1 + 2*(1+1+3*2)},
		{"{licenses(first:2){nodes{costEntries(last:4){nodes{id}}}}}", 1 + 2*(1+1+4*2)},
		{`{costHistory(id:"x", first:4){nodes{action}}}`, 1 + 4*2},
		{"{exchangeRates(first:5){nodes{from}}}", 1 + 5*2},
		{"{exchangeRates(first:2){nodes{history(first:3){nodes{action}}}}}", 1 + 2*(1+1+3*2)},
	} {
		got, _ := operationCost(context.Background(), es, validated(t, c.query).Operations[0], nil)
		require.Equal(t, c.want, got, c.query)
	}
}
