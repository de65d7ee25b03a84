package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// summaryFixture is an organization with a ledger spread over five years:
// entries on assets of three models in two categories and on a license,
// contracts with monthly charges and entries of their own covering some of
// the assets.
type summaryFixture struct {
	*fixture
	o      orgFixture
	assets []uuid.UUID
	rnd    *rand.Rand
}

func newSummaryFixture(t *testing.T) *summaryFixture {
	t.Helper()
	t.Parallel()
	f := &summaryFixture{fixture: newFixture(t), rnd: rand.New(rand.NewPCG(10, 16))}
	f.o = f.a
	models := []uuid.UUID{f.o.laptop, f.o.phone, f.o.mac}
	for i := range 12 {
		f.assets = append(f.assets, f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id)
			SELECT $1, $2, m.id, m.manufacturer_id, $4 FROM models m WHERE m.id = $3 RETURNING id`,
			f.o.id, fmt.Sprintf("SUM-%02d", i), models[i%len(models)], f.o.team))
	}
	product := f.insertProduct(f.o, f.insertPublisher(f.o, "Adobe"), "Acrobat")
	license := f.id(`INSERT INTO licenses (org_id, product_id, name, license_model, seats) VALUES ($1, $2, 'Acrobat', 'PER_USER', 10) RETURNING id`, f.o.id, product)
	kinds := []string{"PURCHASE", "MAINTENANCE", "REPAIR", "SUPPORT", "OTHER"}
	for range 300 {
		target, col := f.assets[f.rnd.IntN(len(f.assets))], "asset_id"
		kind := kinds[1+f.rnd.IntN(len(kinds)-1)]
		if f.rnd.IntN(5) == 0 {
			target, col, kind = license, "license_id", "SUBSCRIPTION"
		}
		f.exec(`INSERT INTO cost_entries (org_id, `+col+`, kind, entry_date, amount, currency) VALUES ($1, $2, $3, $4, $5, $6)`,
			f.o.id, target, kind, f.day(), f.amount(), []string{"USD", "EUR"}[f.rnd.IntN(2)])
	}
	for i := range 3 {
		c := f.id(`INSERT INTO contracts (org_id, kind, start_date, end_date) VALUES ($1, 'SUPPORT', $2, $3) RETURNING id`,
			f.o.id, date(2023+i, time.Month(2+i), 10+i), date(2027, time.Month(3+i), 20))
		f.exec(`INSERT INTO contract_charges (org_id, contract_id, position, amount, currency, every) VALUES ($1, $2, 0, $3, 'USD', $4)`,
			f.o.id, c, f.amount(), []string{"MONTH", "QUARTER", "YEAR"}[i])
		for j, a := range f.assets {
			if (j+i)%3 != 0 {
				f.exec(`INSERT INTO contract_assets (org_id, contract_id, asset_id) VALUES ($1, $2, $3)`, f.o.id, c, a)
			}
		}
		for range 5 {
			f.exec(`INSERT INTO cost_entries (org_id, contract_id, kind, entry_date, amount, currency) VALUES ($1, $2, 'SUPPORT', $3, $4, 'USD')`,
				f.o.id, c, f.day(), f.amount())
		}
	}
	return f
}

// day is a random day of 2023–2027.
func (f *summaryFixture) day() time.Time { return date(2023, 1, 1).AddDate(0, 0, f.rnd.IntN(5*365)) }

// amount is a random amount with cents.
func (f *summaryFixture) amount() string {
	return fmt.Sprintf("%d.%02d", 1+f.rnd.IntN(5000), f.rnd.IntN(100))
}

// asApp runs sql as the application under row-level security, committed:
// the triggers must work for the API's role too.
func (f *summaryFixture) asAppExec(sql string, args ...any) {
	f.t.Helper()
	ctx := context.Background()
	tx, err := f.db.Pool.Begin(ctx)
	require.NoError(f.t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SELECT set_config('itam.org_id', $1, true)`, f.o.id.String())
	require.NoError(f.t, err)
	_, err = tx.Exec(ctx, sql, args...)
	require.NoError(f.t, err)
	require.NoError(f.t, tx.Commit(ctx))
}

// churn edits the ledger every way the summaries must follow: amounts,
// kinds, dates across months, entries moved to another asset, deletes,
// inserts of many rows in one statement, an asset changing model, an
// asset deleted (its entries and links cascade) and links removed.
func (f *summaryFixture) churn() {
	f.t.Helper()
	f.asAppExec(`UPDATE cost_entries SET amount = amount + 7.25 WHERE id IN (SELECT id FROM cost_entries WHERE asset_id IS NOT NULL ORDER BY id LIMIT 20)`)
	f.asAppExec(`UPDATE cost_entries SET kind = 'OTHER' WHERE id IN (SELECT id FROM cost_entries WHERE kind = 'REPAIR' ORDER BY id LIMIT 10)`)
	f.asAppExec(`UPDATE cost_entries SET entry_date = entry_date + 45 WHERE id IN (SELECT id FROM cost_entries ORDER BY id DESC LIMIT 25)`)
	f.asAppExec(`UPDATE cost_entries SET asset_id = $1 WHERE id IN (SELECT id FROM cost_entries WHERE asset_id = $2 ORDER BY id LIMIT 5)`, f.assets[1], f.assets[0])
	f.asAppExec(`DELETE FROM cost_entries WHERE id IN (SELECT id FROM cost_entries ORDER BY amount LIMIT 30)`)
	f.asAppExec(`INSERT INTO cost_entries (org_id, asset_id, kind, entry_date, amount, currency)
		SELECT $1, a.id, 'REPAIR', date '2024-01-01' + g, 10.5 + g, 'USD' FROM assets a, generate_series(0, 700, 35) g WHERE a.org_id = $1`, f.o.id)
	f.asAppExec(`UPDATE assets SET model_id = $1 WHERE id = $2`, f.o.mac, f.assets[1]) // a phone becomes a laptop
	f.asAppExec(`DELETE FROM contract_assets WHERE asset_id = $1`, f.assets[4])
	f.asAppExec(`DELETE FROM assets WHERE id = $1`, f.assets[2])
}

// costMonthTotalsDrift is how many of org's cost_month_totals rows differ
// from the ledger as it is now (missing, extra or different), read
// through q (a pool, or a transaction to see its own writes).
func costMonthTotalsDrift(t testing.TB, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, org uuid.UUID) int {
	t.Helper()
	const totals = `SELECT month, model_id, kind, currency, amount, entries FROM cost_month_totals WHERE org_id = $1`
	const live = `SELECT date_trunc('month', e.entry_date)::date, coalesce(a.model_id, '00000000-0000-0000-0000-000000000000'), e.kind, e.currency, sum(e.amount), count(*)::int
		   FROM cost_entries e LEFT JOIN assets a ON a.id = e.asset_id
		  WHERE e.org_id = $1 AND e.contract_id IS NULL GROUP BY 1, 2, 3, 4`
	var n int
	require.NoError(t, q.QueryRow(context.Background(),
		`SELECT count(*) FROM ((`+totals+` EXCEPT `+live+`) UNION ALL (`+live+` EXCEPT `+totals+`)) d`, org).Scan(&n))
	return n
}

// requireSummariesMatch checks both summaries equal what they summarize,
// computed from the ledger and the assets as they are now.
func (f *summaryFixture) requireSummariesMatch() {
	f.t.Helper()
	diff := func(a, b string) int {
		var n int
		require.NoError(f.t, f.owner.QueryRow(context.Background(),
			`SELECT count(*) FROM ((`+a+` EXCEPT `+b+`) UNION ALL (`+b+` EXCEPT `+a+`)) d`, f.o.id).Scan(&n))
		return n
	}
	require.Zero(f.t, costMonthTotalsDrift(f.t, f.owner, f.o.id), "cost_month_totals drifted from the ledger")
	require.Zero(f.t, diff(`SELECT contract_id, model_id, assets FROM contract_model_counts WHERE org_id = $1`,
		`SELECT ca.contract_id, a.model_id, count(*)::int FROM contract_assets ca JOIN assets a ON a.id = ca.asset_id
		  WHERE ca.org_id = $1 GROUP BY 1, 2`), "contract_model_counts drifted from contract_assets")
}

func TestCostSummariesFollowTheLedger(t *testing.T) {
	f := newSummaryFixture(t)
	require.Positive(t, f.count("cost_month_totals", f.o.id))
	require.Positive(t, f.count("contract_model_counts", f.o.id))
	f.requireSummariesMatch()
	f.churn()
	f.requireSummariesMatch()
	// Emptied, nothing is left over: no row at zero entries.
	f.asAppExec(`DELETE FROM cost_entries WHERE org_id = $1`, f.o.id)
	f.asAppExec(`DELETE FROM contract_assets WHERE org_id = $1`, f.o.id)
	require.Zero(t, f.count("cost_month_totals", f.o.id))
	require.Zero(t, f.count("contract_model_counts", f.o.id))
	// Deleting an organization cascades through its ledger and summaries.
	f.exec(`DELETE FROM organizations WHERE id = $1`, f.b.id)
}

// TestCostReportsSummaryPathEqualsDetailed runs each report that the
// summaries answer both ways, before and after the ledger changes.
func TestCostReportsSummaryPathEqualsDetailed(t *testing.T) {
	f := newSummaryFixture(t)
	store := NewCostReportStore(f.db)
	ctx := as(f.o.id, itam.RoleAuditor, "auditor@test")
	year := costs.ReportSpec{From: date(2025, 3, 15), To: date(2026, 3, 14)}
	five := costs.ReportSpec{From: date(2023, 1, 10), To: date(2027, 12, 20)}
	with := func(s costs.ReportSpec, every costs.Interval, gs ...costs.GroupBy) costs.ReportSpec {
		s.Every, s.GroupBy = every, gs
		return s
	}
	specs := map[string]costs.ReportSpec{
		"rollup by category":           with(year, "", costs.GroupCategory),
		"rollup by model":              with(year, "", costs.GroupModel),
		"rollup by model and category": with(year, "", costs.GroupModel, costs.GroupCategory),
		"rollup":                       with(year, ""),
		"rollup of whole months":       with(costs.ReportSpec{From: date(2024, 1, 1), To: date(2024, 12, 31)}, "", costs.GroupCategory),
		"rollup inside a month":        with(costs.ReportSpec{From: date(2025, 5, 2), To: date(2025, 5, 30)}, "", costs.GroupModel),
		"spend by month":               with(five, costs.EveryMonth),
		"spend by month and category":  with(five, costs.EveryMonth, costs.GroupCategory),
		"spend by quarter and model":   with(five, costs.EveryQuarter, costs.GroupModel),
		"spend by year":                with(five, costs.EveryYear, costs.GroupCategory),
	}
	run := func(name string, s costs.ReportSpec, ctx context.Context) costs.Report {
		var r costs.Report
		var err error
		if s.Every == "" {
			r, err = store.CostRollup(ctx, s, nil)
		} else {
			r, err = store.SpendByPeriod(ctx, s, nil)
		}
		require.NoError(t, err, name)
		return r
	}
	compare := func() {
		for name, s := range specs {
			require.True(t, s.Summarizable(false), name)
			detailed := run(name, s, withDetailedOnly(ctx))
			require.NotEmpty(t, detailed.Total, name)
			require.Equal(t, fmt.Sprint(detailed), fmt.Sprint(run(name, s, ctx)), name)
		}
	}
	compare()
	f.churn()
	compare()

	// The fast path does read the summaries: skewed, it differs.
	f.exec(`UPDATE cost_month_totals SET amount = amount + 1 WHERE org_id = $1 AND month = '2025-06-01'`, f.o.id)
	s := specs["rollup by category"]
	require.NotEqual(t, fmt.Sprint(run("detailed", s, withDetailedOnly(ctx))), fmt.Sprint(run("summary", s, ctx)))
}
