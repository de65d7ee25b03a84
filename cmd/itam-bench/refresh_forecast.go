package main

// The refresh forecast workload (issue 10): refreshForecast over the next
// eight quarters for the whole organization, against the floor of the same
// CostReportStore.RefreshForecast call made in-process plus the category
// names the server's loader fetches.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

const refreshForecastDoc = `query RefreshForecast {
  refreshForecast(quarters: 8) {
    overdue { year quarter count estimatedCost { amount currency }
      categories { category { name } count unpricedCount estimatedCost { amount currency } } }
    quarters { year quarter start end count estimatedCost { amount currency }
      categories { category { name } count unpricedCount estimatedCost { amount currency } } }
  }
}`

// refreshForecastWorkloads are the refresh forecast workloads.
func refreshForecastWorkloads() []workload {
	return []workload{{
		key: "refresh-forecast", title: "refreshForecast, 8 quarters", op: "RefreshForecast", doc: refreshForecastDoc,
		gen:      func(*rand.Rand, *samples) params { return params{} },
		vars:     func(params) map[string]any { return nil },
		floor:    floorRefreshForecast,
		serverFP: serverRefreshForecastFP,
	}}
}

// floorRefreshForecast is the server's two round trips straight through
// the stores: the forecast, then its categories' names.
func floorRefreshForecast(ctx context.Context, st stores, _ params, fp *[]string) error {
	f, err := st.forecast.RefreshForecast(ctx, 8, nil, time.Now())
	if err != nil {
		return err
	}
	quarters := f.Quarters
	if f.Overdue != nil {
		quarters = append([]costs.ForecastQuarter{*f.Overdue}, quarters...)
	}
	var ids []uuid.UUID
	for _, q := range quarters {
		for _, c := range q.Categories {
			ids = append(ids, c.CategoryID)
		}
	}
	var cats map[uuid.UUID]*itam.Category
	if len(ids) > 0 {
		if cats, err = st.models.CategoriesByIDs(ctx, ids); err != nil {
			return err
		}
	}
	if fp != nil {
		for _, q := range quarters {
			*fp = append(*fp, forecastFP(q.Year, q.Quarter, "", q.Count, 0, q.EstimatedCost))
			for _, c := range q.Categories {
				name := ""
				if cat := cats[c.CategoryID]; cat != nil {
					name = cat.Name
				}
				*fp = append(*fp, forecastFP(q.Year, q.Quarter, name, c.Count, c.UnpricedCount, c.EstimatedCost))
			}
		}
	}
	return nil
}

func forecastFP(year, quarter int, category string, count, unpriced int, cost []itam.Money) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d-Q%d|%s|%d|%d", year, quarter, category, count, unpriced)
	for _, m := range cost {
		fmt.Fprintf(&b, "|%s %s", normAmount(m.Amount.String()), m.Currency)
	}
	return b.String()
}

func serverRefreshForecastFP(data json.RawMessage) ([]string, error) {
	type money struct{ Amount, Currency string }
	type quarter struct {
		Year, Quarter, Count int
		EstimatedCost        []money
		Categories           []struct {
			Category      struct{ Name string }
			Count         int
			UnpricedCount int
			EstimatedCost []money
		}
	}
	var d struct {
		RefreshForecast struct {
			Overdue  *quarter
			Quarters []quarter
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	conv := func(ms []money) []itam.Money {
		out := make([]itam.Money, len(ms))
		for i, m := range ms {
			out[i].Currency = m.Currency
			_ = out[i].Amount.UnmarshalText([]byte(m.Amount))
		}
		return out
	}
	qs := d.RefreshForecast.Quarters
	if d.RefreshForecast.Overdue != nil {
		qs = append([]quarter{*d.RefreshForecast.Overdue}, qs...)
	}
	var out []string
	for _, q := range qs {
		out = append(out, forecastFP(q.Year, q.Quarter, "", q.Count, 0, conv(q.EstimatedCost)))
		for _, c := range q.Categories {
			out = append(out, forecastFP(q.Year, q.Quarter, c.Category.Name, c.Count, c.UnpricedCount, conv(c.EstimatedCost)))
		}
	}
	return out, nil
}
