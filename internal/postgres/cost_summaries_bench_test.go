package postgres

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// TestCostReportsFullLedgerTimings measures the two benchmarked reports on
// a synthetic full ledger (100,000 assets on 50 models, ~500,000 entries
// over five years, 1,800 contracts covering ~166,000 asset links), through
// the summaries and the detailed path, and prints each one's median. It
// takes minutes, so it runs only with ITAM_COST_TIMINGS=1:
//
//	ITAM_COST_TIMINGS=1 go test -count=1 -run TestCostReportsFullLedgerTimings -v ./internal/postgres/
func TestCostReportsFullLedgerTimings(t *testing.T) {
	if os.Getenv("ITAM_COST_TIMINGS") != "1" {
		t.Skip("set ITAM_COST_TIMINGS=1 to build the full ledger and time the reports")
	}
	f := newFixture(t)
	o := f.a
	start := time.Now()
	f.exec(`INSERT INTO categories (org_id, name, kind) SELECT $1::uuid, 'Bench category ' || g, 'OTHER' FROM generate_series(1, 10) g`, o.id)
	f.exec(`INSERT INTO models (org_id, name, manufacturer_id, category_id)
		SELECT $1::uuid, 'Bench model ' || g, $2, (SELECT id FROM categories WHERE org_id = $1 AND name = 'Bench category ' || (1 + g % 10))
		FROM generate_series(1, 50) g`, o.id, o.manufacturer)
	f.exec(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id, purchase_price, purchase_currency, purchase_date)
		SELECT $1::uuid, 'B-' || g, (SELECT id FROM models WHERE org_id = $1 AND name = 'Bench model ' || (1 + g % 50)), $2, $3,
		       500 + g % 2000, CASE WHEN g % 10 = 0 THEN 'EUR' ELSE 'USD' END, current_date - (g % 1825)
		FROM generate_series(1, 100000) g`, o.id, o.manufacturer, o.team)
	t.Logf("100,000 assets (and their PURCHASE entries, one statement each) in %s", time.Since(start).Round(time.Second))
	f.exec(`CREATE TEMP TABLE bench_assets AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM assets WHERE org_id = $1`, o.id)
	// Another 348,000 entries on assets: maintenance, repairs, support.
	f.exec(`INSERT INTO cost_entries (org_id, asset_id, kind, entry_date, amount, currency)
		SELECT $1::uuid, b.id, (ARRAY['MAINTENANCE','REPAIR','SUPPORT','OTHER'])[1 + g % 4], current_date - (g::bigint * 7919 % 1825)::int, 20 + g % 500, CASE WHEN g % 7 = 0 THEN 'EUR' ELSE 'USD' END
		FROM generate_series(1, 348000) g JOIN bench_assets b ON b.n = 1 + g % 100000`, o.id)
	product := f.insertProduct(o, f.insertPublisher(o, "Bench"), "Bench suite")
	f.exec(`INSERT INTO licenses (org_id, product_id, name, license_model, seats) SELECT $1::uuid, $2, 'Bench ' || g, 'PER_USER', 100 FROM generate_series(1, 200) g`, o.id, product)
	f.exec(`INSERT INTO cost_entries (org_id, license_id, kind, entry_date, amount, currency)
		SELECT $1::uuid, l.id, 'SUBSCRIPTION', current_date - (g * 31 % 1825), 100 + g % 900, 'USD'
		FROM generate_series(1, 250) g, licenses l WHERE l.org_id = $1`, o.id)
	f.exec(`INSERT INTO contracts (org_id, kind, start_date, end_date)
		SELECT $1::uuid, 'SUPPORT', current_date - (g % 1825), current_date - (g % 1825) + 1095 FROM generate_series(1, 1800) g`, o.id)
	f.exec(`CREATE TEMP TABLE bench_contracts AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM contracts WHERE org_id = $1`, o.id)
	f.exec(`INSERT INTO contract_charges (org_id, contract_id, position, amount, currency, every)
		SELECT $1::uuid, id, 0, 50 + n % 1000, 'USD', (ARRAY['MONTH','QUARTER','YEAR'])[1 + n % 3] FROM bench_contracts`, o.id)
	// ~92 assets per contract: 166,000 links.
	f.exec(`INSERT INTO contract_assets (org_id, contract_id, asset_id)
		SELECT DISTINCT $1::uuid, c.id, b.id FROM generate_series(0, 165999) g
		JOIN bench_contracts c ON c.n = 1 + g % 1800 JOIN bench_assets b ON b.n = 1 + (g * 7 + g / 1800) % 100000`, o.id)
	f.exec(`INSERT INTO cost_entries (org_id, contract_id, kind, entry_date, amount, currency)
		SELECT $1::uuid, c.id, 'SUPPORT', current_date - (g * 13 % 1825), 300 + g % 700, 'USD'
		FROM generate_series(1, 2000) g JOIN bench_contracts c ON c.n = 1 + g % 1800`, o.id)
	f.exec(`VACUUM ANALYZE`) // as autovacuum leaves a loaded table: visibility map set for index-only scans
	var entries, links int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM cost_entries), (SELECT count(*) FROM contract_assets)`).Scan(&entries, &links))
	t.Logf("dataset: %d entries, %d contract links, built in %s", entries, links, time.Since(start).Round(time.Second))

	store := NewCostReportStore(f.db)
	ctx := as(o.id, itam.RoleAuditor, "auditor@test")
	today := itam.CalendarDay(time.Now())
	rollup := costs.ReportSpec{GroupBy: []costs.GroupBy{costs.GroupCategory}, From: today.AddDate(-1, 0, 1), To: today}
	spend := costs.ReportSpec{Every: costs.EveryMonth, From: today.AddDate(-5, 0, 1), To: today}
	median := func(ctx context.Context, run func(context.Context) (costs.Report, error)) time.Duration {
		var ds []time.Duration
		for range 15 {
			s := time.Now()
			_, err := run(ctx)
			require.NoError(t, err)
			ds = append(ds, time.Since(s))
		}
		slices.Sort(ds)
		return ds[len(ds)/2].Round(time.Millisecond)
	}
	if os.Getenv("ITAM_COST_TIMINGS_SQL") == "1" {
		for name, spec := range map[string]costs.ReportSpec{"rollup": rollup, "spend": spend} {
			spec, err := spec.Normalize()
			require.NoError(t, err)
			q := reportQuery{spec: spec, reader: itam.Principal{OrgID: o.id, Role: itam.RoleAuditor}, summary: true}
			first, last, _ := spec.WholeMonths()
			stmts := map[string]func() (string, *sqlArgs){
				"totals":    func() (string, *sqlArgs) { return q.monthTotalsSQL(first, last) },
				"contracts": q.contractEntriesSQL,
				"charges":   q.chargesSQL,
				"coverage":  q.coverageSummarySQL,
			}
			for i, part := range q.ledgerParts() {
				stmts[fmt.Sprint("edge", i)] = func() (string, *sqlArgs) { s, a, _ := part.entriesSQL(); return s, a }
			}
			// As the store runs them: no JIT, no parallel workers, 32 MB of
			// work_mem, as the application role under row-level security
			// (its org predicate is what lets the date indexes serve; as the
			// owner the edge months were sequential scans).
			conn, err := f.owner.Acquire(context.Background())
			require.NoError(t, err)
			defer conn.Release()
			_, err = conn.Exec(context.Background(), `SET jit = off; SET max_parallel_workers_per_gather = 0; SET work_mem = '32MB';
				SET ROLE itam_app; SELECT set_config('itam.org_id', '`+o.id.String()+`', false)`)
			require.NoError(t, err)
			for sn, stmt := range stmts {
				sql, args := stmt()
				var ds []time.Duration
				rowsN := 0
				for range 5 {
					s := time.Now()
					rows, err := conn.Query(context.Background(), sql, args.list...)
					require.NoError(t, err)
					rowsN = 0
					for rows.Next() {
						rowsN++
					}
					require.NoError(t, rows.Err())
					ds = append(ds, time.Since(s))
				}
				slices.Sort(ds)
				t.Logf("%s %s: %s, %d rows", name, sn, ds[2].Round(time.Millisecond), rowsN)
			}
		}
	}
	for _, r := range []struct {
		name string
		run  func(context.Context) (costs.Report, error)
	}{
		{"costRollup(groupBy: [CATEGORY]), 1 year", func(ctx context.Context) (costs.Report, error) { return store.CostRollup(ctx, rollup, nil) }},
		{"spendByPeriod(period: MONTH), 5 years", func(ctx context.Context) (costs.Report, error) { return store.SpendByPeriod(ctx, spend, nil) }},
	} {
		detailed := median(withDetailedOnly(ctx), r.run)
		summary := median(ctx, r.run)
		t.Logf("%s: p50 detailed %s, summaries %s", r.name, detailed, summary)
	}
}
