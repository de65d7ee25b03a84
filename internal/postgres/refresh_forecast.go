package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// forecastInactive are the statuses an asset needs no replacement in: it
// is already gone.
const forecastInactive = `('RETIRED', 'DISPOSED', 'LOST', 'STOLEN')`

// endOfLifeCTE is what every asset of a model shares, computed once per
// model (49 rows, not 100,000): its category, its own useful life, and the
// useful life of the profile it inherits when the asset names none
// (costs.EffectiveProfile: model → category → organization default).
const endOfLifeCTE = `model_life AS MATERIALIZED (
	SELECT m.id, m.category_id, m.useful_life_months AS life, dp.useful_life_months AS profile_life
	  FROM models m
	  JOIN categories cat ON cat.id = m.category_id
	  JOIN organizations o ON o.id = m.org_id
	  LEFT JOIN depreciation_profiles dp
	         ON dp.id = coalesce(m.depreciation_profile_id, cat.depreciation_profile_id, o.default_depreciation_profile_id)
)`

// endOfLifeFrom joins what an asset's expected end of life is computed from
// (alias a): its model's model_life m, its own profile adp, and the latest
// end of the LEASE contracts covering it, lease.end_date
// (costs.LeaseEnd). The lease ends are aggregated once, from the leases
// down their coverage (a few contracts, an index range each), not by
// scanning every contract's coverage or probing per asset.
const endOfLifeFrom = `assets a
	JOIN model_life m ON m.id = a.model_id
	LEFT JOIN depreciation_profiles adp ON adp.id = a.depreciation_profile_id
	LEFT JOIN (SELECT ca.asset_id, max(c.end_date) AS end_date
	             FROM contracts c
	            CROSS JOIN LATERAL (SELECT x.asset_id FROM contract_assets x WHERE x.contract_id = c.id OFFSET 0) ca
	            WHERE c.kind = 'LEASE' AND c.end_date IS NOT NULL
	            GROUP BY ca.asset_id) lease ON lease.asset_id = a.id`

// endOfLifeSQL is costs.ExpectedEndOfLife over endOfLifeFrom: the explicit
// end of life, else the lease end, else costs.InServiceDay +
// costs.LifeMonths. PostgreSQL's date + interval clamps month ends as the
// domain does (Aug 31 + 6 months = Feb 28); TestEndOfLifeSQLAgrees holds
// the two together.
const endOfLifeSQL = `coalesce(a.end_of_life, lease.end_date,
	(coalesce(a.in_service_date, a.purchase_date) + make_interval(months => coalesce(m.life, adp.useful_life_months, m.profile_life)))::date)`

// forecastSQL is the one aggregate behind refreshForecast. Groups are per
// quarter, category and model: the model carries the price its
// replacement is estimated from, and costs.BuildForecast applies the
// replacement rule and sums the models into their category. The prices
// are looked up for the grouped models and categories only:
//   - model_price: the model's latest purchase (newest purchase date, ties
//     by the greatest id), whatever its status now: one probe per model
//     into assets_model_latest_purchase (migration 00017);
//   - category_avg: the average purchase price of the category over the two
//     years to today in the currency most of those purchases used (ties by
//     code), so an average never mixes currencies and the estimate is in
//     the currency the category is usually bought in.
//
// %s is the filter (over alias a); $1 is the end of the window, $2 today.
// Ends of life before the window are kept, by quarter: they are overdue.
const forecastSQL = `WITH ` + endOfLifeCTE + `, eol AS (
	SELECT m.category_id, a.model_id, ` + endOfLifeSQL + ` AS day
	  FROM ` + endOfLifeFrom + `
	 WHERE a.status NOT IN ` + forecastInactive + ` AND %s
), grouped AS (
	SELECT date_trunc('quarter', day::timestamp)::date AS quarter, category_id, model_id, count(*) AS n
	  FROM eol WHERE day < $1::date
	 GROUP BY 1, 2, 3
), model_price AS (
	SELECT mp.model_id, p.purchase_price, p.purchase_currency
	  FROM (SELECT DISTINCT model_id FROM grouped) mp
	  CROSS JOIN LATERAL (SELECT x.purchase_price, x.purchase_currency FROM assets x
	                       WHERE x.model_id = mp.model_id AND x.purchase_price IS NOT NULL
	                       ORDER BY x.purchase_date DESC NULLS LAST, x.id DESC LIMIT 1) p
), category_avg AS (
	SELECT DISTINCT ON (m.category_id) m.category_id, x.purchase_currency, avg(x.purchase_price) AS average
	  FROM assets x JOIN models m ON m.id = x.model_id
	 WHERE x.purchase_price IS NOT NULL
	   AND x.purchase_date > ($2::date - interval '2 years') AND x.purchase_date <= $2::date
	   AND m.category_id IN (SELECT g.category_id FROM grouped g
	                          WHERE NOT EXISTS (SELECT 1 FROM model_price p WHERE p.model_id = g.model_id))
	 GROUP BY m.category_id, x.purchase_currency
	 ORDER BY m.category_id, count(*) DESC, x.purchase_currency
)
SELECT g.quarter, g.category_id, g.n, p.purchase_price, p.purchase_currency, c.average, c.purchase_currency
  FROM grouped g
  LEFT JOIN model_price p ON p.model_id = g.model_id
  LEFT JOIN category_avg c ON c.category_id = g.category_id`

// RefreshForecast returns the active assets matching f that reach their
// expected end of life in each of the quarters quarters from today's
// (1–40), and those already past it, with counts and estimated
// replacement costs per category. Money readers only.
func (s *CostReportStore) RefreshForecast(ctx context.Context, quarters int, f *itam.AssetFilter, today time.Time) (costs.Forecast, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return costs.Forecast{}, err
	}
	if err := costs.ValidateForecastQuarters(quarters); err != nil {
		return costs.Forecast{}, err
	}
	_, end := costs.ForecastWindow(today, quarters)
	args := &sqlArgs{list: []any{end, itam.CalendarDay(today)}}
	cond := "TRUE"
	if f != nil {
		if cond, err = assetFilterSQL(f, args, "filter"); err != nil {
			return costs.Forecast{}, err
		}
	}
	var groups []costs.ForecastGroup
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		// The estimate of the per-model price lookups crosses the JIT
		// threshold, and compiling costs seconds where the query takes
		// tens of milliseconds.
		b.Queue(`SELECT set_config('jit', 'off', true)`)
		queueRows(b, fmt.Sprintf(forecastSQL, cond), args.list, scanForecastGroup, func(g costs.ForecastGroup) { groups = append(groups, g) })
	})
	if err != nil {
		return costs.Forecast{}, err
	}
	return costs.BuildForecast(today, quarters, groups), nil
}

func scanForecastGroup(r pgx.CollectableRow) (costs.ForecastGroup, error) {
	var g costs.ForecastGroup
	var modelPrice, average decimal.NullDecimal
	var modelCur, avgCur *string
	if err := r.Scan(&g.QuarterStart, &g.CategoryID, &g.Count, &modelPrice, &modelCur, &average, &avgCur); err != nil {
		return g, err
	}
	g.ModelPrice = forecastMoney(modelPrice, modelCur)
	g.CategoryAverage = forecastMoney(average, avgCur)
	return g, nil
}

func forecastMoney(d decimal.NullDecimal, currency *string) *itam.Money {
	if !d.Valid || currency == nil {
		return nil
	}
	return &itam.Money{Amount: d.Decimal, Currency: strings.TrimSpace(*currency)}
}
