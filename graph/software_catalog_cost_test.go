package graph

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// The catalog's connections cost their selection times their page size,
// so 500 products with 500 installations each are refused before they run.
func TestSoftwareCatalogCost(t *testing.T) {
	es := executableSchema(&Resolver{})
	cost := func(query string) int {
		c, _ := operationCost(context.Background(), es, validated(t, query).Operations[0], nil)
		return c
	}
	for _, q := range []string{
		"{softwarePublishers(first:100){nodes{name}}}",
		"{softwareProducts(first:100){nodes{name}}}",
	} {
		require.Equal(t, 1+100*2, cost(q), q)
	}
	require.Equal(t, 1+10*(1+1+(1+20*2)), cost("{softwareProducts(first:10){nodes{name installations(first:20){nodes{title}}}}}"))
	require.Greater(t, cost("{softwareProducts(first:500){nodes{installations(first:500){nodes{title asset{assetTag}}}}}}"), MaxComplexity)
}
