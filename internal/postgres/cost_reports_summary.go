package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/itam-dev/itam/internal/costs"
)

// The summaries (migration 00016): cost_month_totals sums the ledger
// without contract entries by month, model (the nil uuid for licenses),
// kind and currency; contract_model_counts counts each contract's covered
// assets by model. Triggers keep both; a report that groups by model
// and/or category or by nothing, unfiltered and unconverted, reads them for
// the whole months of its period and the ledger for the rest.

type detailedOnlyKey struct{}

// withDetailedOnly makes the reports of ctx skip the summaries: the tests
// compare both paths on the same data.
func withDetailedOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, detailedOnlyKey{}, true)
}

func detailedOnly(ctx context.Context) bool {
	v, _ := ctx.Value(detailedOnlyKey{}).(bool)
	return v
}

// ledgerParts are the queries reading the ledger itself: the whole period,
// or, when the summaries answer its whole months, the partial months
// before and after them (none when the period is whole months).
func (q reportQuery) ledgerParts() []reportQuery {
	first, last, ok := q.spec.WholeMonths()
	if !q.summary || !ok {
		return []reportQuery{q}
	}
	var parts []reportQuery
	if q.spec.From.Before(first) {
		p := q
		p.lo, p.hi = q.spec.From, first.AddDate(0, 0, -1)
		parts = append(parts, p)
	}
	if end := last.AddDate(0, 1, -1); end.Before(q.spec.To) {
		p := q
		p.lo, p.hi = end.AddDate(0, 0, 1), q.spec.To
		parts = append(parts, p)
	}
	return parts
}

// ledgerPeriod adds the period's start (what roll-ups and the first
// bucket start at) and the ledger statement's bounds to args.
func (q reportQuery) ledgerPeriod(args *sqlArgs) (origin, from, to string) {
	if q.lo.IsZero() {
		origin, to = q.period(args)
		return origin, origin, to
	}
	return args.add(q.spec.From) + "::date", args.add(q.lo) + "::date", args.add(q.hi) + "::date"
}

// monthTotalsSQL sums the summary's months [first, last] (month starts)
// like entriesSQL and licenseEntriesSQL sum the ledger: each month's row
// is dated its first day, which the builder buckets like any day of it.
func (q reportQuery) monthTotalsSQL(first, last time.Time) (string, *sqlArgs) {
	args := &sqlArgs{}
	model, category, join := "NULL::uuid", "NULL::uuid", ""
	if q.spec.Grouped(costs.GroupModel) {
		model = "nullif(t.model_id, '00000000-0000-0000-0000-000000000000')"
	}
	if q.spec.Grouped(costs.GroupCategory) {
		// Left: license rows (the nil model) have no category.
		category, join = "m.category_id", " LEFT JOIN models m ON m.id = t.model_id"
	}
	return fmt.Sprintf(`SELECT %[1]s, %[2]s, NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, t.kind, t.currency::text, t.month, sum(t.amount)
		FROM cost_month_totals t%[3]s
		WHERE t.month BETWEEN %[4]s::date AND %[5]s::date
		GROUP BY 1, 2, t.kind, t.currency, t.month`, model, category, join, args.add(first), args.add(last)), args
}

// coverageSummarySQL is coverageSQL over contract_model_counts: every
// covered asset matches (no filter), the dimensions are the model's. A
// (contract, model) pair is one row (the primary key), so the rows are
// grouped once, by the report's dimensions: aggregating them by pair first
// hashed 65,000 groups for nothing and spilled to disk.
func (q reportQuery) coverageSummarySQL() (string, *sqlArgs) {
	args := &sqlArgs{}
	from, to := q.period(args)
	model, category, join := "NULL::uuid", "NULL::uuid", ""
	if q.spec.Grouped(costs.GroupModel) {
		model = "cm.model_id"
	}
	if q.spec.Grouped(costs.GroupCategory) {
		category, join = "m.category_id", " JOIN models m ON m.id = cm.model_id"
	}
	return fmt.Sprintf(`SELECT cm.contract_id, %[1]s, %[2]s, NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, TRUE, sum(cm.assets)::int
		FROM contract_model_counts cm%[5]s
		WHERE cm.contract_id IN (
			SELECT c.id FROM contracts c WHERE c.start_date <= %[4]s AND (c.end_date IS NULL OR c.end_date >= %[3]s)
			UNION SELECT e.contract_id FROM cost_entries e WHERE e.entry_date BETWEEN %[3]s AND %[4]s AND e.contract_id IS NOT NULL)
		GROUP BY 1, 2, 3`, model, category, from, to, join), args
}
