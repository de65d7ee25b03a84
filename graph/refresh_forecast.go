package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// Helpers of graph/refresh_forecast.resolvers.go (kept out of it: gqlgen
// moves non-resolver code out of resolver files when it regenerates).

// forecastQuarters is refreshForecast's horizon; an explicit null means the
// default, like an omitted argument.
func forecastQuarters(q *int) int {
	if q == nil {
		return costs.DefaultForecastQuarters
	}
	return *q
}

// primeForecastCategories loads the categories of every quarter in one
// batch when the query selects them: the rows' category resolvers then
// read the loader's cache, and the round trips do not depend on how the
// resolvers are scheduled against the loader's batching window.
func primeForecastCategories(ctx context.Context, f *costs.Forecast) error {
	sel := fieldSelection(ctx)
	if !sel.has("quarters", "categories", "category") && !sel.has("overdue", "categories", "category") {
		return nil
	}
	seen := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	quarters := f.Quarters
	if f.Overdue != nil {
		quarters = append([]costs.ForecastQuarter{*f.Overdue}, quarters...)
	}
	for _, q := range quarters {
		for _, c := range q.Categories {
			if !seen[c.CategoryID] {
				seen[c.CategoryID] = true
				ids = append(ids, c.CategoryID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := loaders.For(ctx).Category.LoadAll(ctx, ids)
	return err
}

// setRefreshForecastComplexity prices refreshForecast by what it returns:
// one row per quarter (and the overdue one), each listing categories,
// priced as a page of them (a quarter lists the categories whose assets
// end their life in it, at most the organization's categories); and by its
// filter, like an assets connection, since every condition runs per asset.
// An out-of-range horizon is priced at the maximum and refused by the
// store.
func setRefreshForecastComplexity(c *generated.ComplexityRoot) {
	c.Query.RefreshForecast = func(child int, quarters *int, filter *model.AssetFilter) int {
		n := forecastQuarters(quarters)
		if n < 1 || n > costs.MaxForecastQuarters {
			n = costs.MaxForecastQuarters
		}
		return addCost(addCost(1, mulCost(child, n+1)), FilterLeafCost*filterLeaves(filter, itam.MaxFilterLeaves+1))
	}
	c.ForecastQuarter.Categories = func(child int) int { return pageCost(child, nil, nil) }
}
