package graph

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph/generated"
)

func TestRefreshForecastComplexity(t *testing.T) {
	var c generated.ComplexityRoot
	setRefreshForecastComplexity(&c)
	n := func(v int) *int { return &v }
	const child = 10
	require.Equal(t, 1+child*9, c.Query.RefreshForecast(child, nil, nil), "the default: eight quarters and the overdue one")
	require.Equal(t, 1+child*41, c.Query.RefreshForecast(child, n(40), nil))
	require.Equal(t, 1+child*41, c.Query.RefreshForecast(child, n(1000), nil), "out of range is priced at the maximum")
	require.Equal(t, 1+child*2+FilterLeafCost, c.Query.RefreshForecast(child, n(1), search("x")), "the filter is paid like an assets connection's")
	require.Equal(t, 1+child*50, c.ForecastQuarter.Categories(child), "a quarter's categories as a page")
}
