package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// CostRollup returns the costs of [spec.From, spec.To] grouped by
// spec.GroupBy (costRollup), for the assets matching f (nil: every cost,
// also those on licenses and on contracts covering no asset).
func (s *CostReportStore) CostRollup(ctx context.Context, spec costs.ReportSpec, f *itam.AssetFilter) (costs.Report, error) {
	spec.Every = ""
	return s.report(ctx, spec, f)
}

// SpendByPeriod is CostRollup bucketed by spec.Every (spendByPeriod).
func (s *CostReportStore) SpendByPeriod(ctx context.Context, spec costs.ReportSpec, f *itam.AssetFilter) (costs.Report, error) {
	if spec.Every == "" {
		return costs.Report{}, itam.Invalid("period", "a period is a MONTH, QUARTER or YEAR")
	}
	return s.report(ctx, spec, f)
}

// report reads everything a report needs in one round trip: the ledger
// summed by SQL (by group, kind, currency and bucket, or day where it is
// converted), the contracts with charges in the period, the contracts' own
// entries and how their covered assets fall into groups. The domain then
// expands and shares the contract charges and builds the report.
func (s *CostReportStore) report(ctx context.Context, spec costs.ReportSpec, f *itam.AssetFilter) (costs.Report, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return costs.Report{}, err
	}
	if spec, err = spec.Normalize(); err != nil {
		return costs.Report{}, err
	}
	q := reportQuery{spec: spec, filter: f, reader: p}
	// Rendered once up front so a bad filter fails before any query.
	if _, _, err := q.filterArgs(); err != nil {
		return costs.Report{}, err
	}
	q.summary = spec.Summarizable(q.filtered()) && !detailedOnly(ctx)
	var (
		build     *costs.ReportBuilder
		contracts = map[uuid.UUID]*costs.Contract{}
		order     []uuid.UUID // contracts in a stable order
		own       = map[uuid.UUID][]costs.ReportLine{}
		covered   = map[uuid.UUID][]costs.Covered{}
		rates     costs.Rates
		qerr      error
	)
	// Rates come first in the batch; the builder starts with the first
	// ledger row, so SQL rows are summed as they arrive, never held.
	builder := func() *costs.ReportBuilder {
		if build == nil {
			build = costs.NewReportBuilder(spec, rates)
		}
		return build
	}
	contract := func(id uuid.UUID) *costs.Contract {
		c, ok := contracts[id]
		if !ok {
			c = &costs.Contract{ID: id}
			contracts[id] = c
			order = append(order, id)
		}
		return c
	}
	queue := func(b *pgx.Batch, sql string, args *sqlArgs, scan func(pgx.CollectableRow) error) {
		b.Queue(sql, args.list...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				if err := scan(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	}
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		b.Queue(reportSettingsSQL)
		if spec.Currency != "" {
			queue(b, allRatesSQL, &sqlArgs{}, func(r pgx.CollectableRow) error {
				rate, err := scanRate(r)
				rates = append(rates, rate)
				return err
			})
		}
		addLine := func(r pgx.CollectableRow) error {
			l, err := scanReportLine(r)
			if err != nil {
				return err
			}
			return builder().Add(l)
		}
		// The ledger itself over the period, or over the partial months
		// at its edges when the summaries answer the whole ones.
		for _, part := range q.ledgerParts() {
			sql, args, err := part.entriesSQL()
			if err != nil {
				qerr = err
				return
			}
			queue(b, sql, args, addLine)
			if part.needsLicenses() {
				sql, args := part.licenseEntriesSQL()
				queue(b, sql, args, addLine)
			}
		}
		if first, last, ok := spec.WholeMonths(); q.summary && ok {
			sql, args := q.monthTotalsSQL(first, last)
			queue(b, sql, args, addLine)
		}
		sql, args := q.contractEntriesSQL()
		queue(b, sql, args, func(r pgx.CollectableRow) error {
			var id uuid.UUID
			var entrySupplier, contractSupplier *uuid.UUID
			var l costs.ReportLine
			if err := r.Scan(&id, &entrySupplier, &contractSupplier, &l.Kind, &l.Amount.Currency, &l.Date, &l.Amount.Amount); err != nil {
				return err
			}
			l.Key.Supplier = costs.ContractEntrySupplier(orNil(entrySupplier), orNil(contractSupplier))
			contract(id)
			own[id] = append(own[id], l)
			return nil
		})
		sql, args = q.chargesSQL()
		queue(b, sql, args, func(r pgx.CollectableRow) error {
			var id uuid.UUID
			var c costs.Contract
			var ch costs.Charge
			if err := r.Scan(&id, &c.Kind, &c.SupplierID, &c.Start, &c.End,
				&ch.Amount.Amount, &ch.Amount.Currency, &ch.Every, &ch.Start, &ch.End); err != nil {
				return err
			}
			x := contract(id)
			x.Kind, x.SupplierID, x.Start, x.End = c.Kind, c.SupplierID, c.Start, c.End
			x.Charges = append(x.Charges, ch)
			return nil
		})
		if q.needsCoverage() {
			sql, args, err := q.coverageSQL()
			if q.summary {
				sql, args = q.coverageSummarySQL()
			}
			if err != nil {
				qerr = err
				return
			}
			queue(b, sql, args, func(r pgx.CollectableRow) error {
				var id uuid.UUID
				var c costs.Covered
				var key groupKeyScan
				var matches bool
				if err := r.Scan(&id, &key.model, &key.category, &key.team, &key.location, &key.ownerPerson, &key.ownerTeam, &matches, &c.Assets); err != nil {
					return err
				}
				c.Key, c.Excluded = key.key(), !matches
				covered[id] = append(covered[id], c)
				return nil
			})
		}
	})
	if qerr != nil {
		return costs.Report{}, qerr
	}
	if err != nil {
		return costs.Report{}, err
	}
	filtered := q.filtered()
	for _, id := range order {
		c := contracts[id]
		cl := own[id]
		if len(c.Charges) > 0 {
			cl = append(spec.ContractLines(*c), cl...)
		}
		for _, l := range spec.ShareContract(cl, covered[id], filtered) {
			if err := builder().Add(l); err != nil {
				return costs.Report{}, err
			}
		}
	}
	return builder().Report(), nil
}

// reportSettingsSQL tunes the rest of the batch's implicit transaction:
// a report's statements cost enough to trigger JIT compilation, which takes
// longer (over 100 ms) than they run, and parallel workers made them slower
// on 2 cores (a year by category: 440 ms in parallel, 260 ms without, on
// 500,000 entries), the server's other requests wanting the cores too.
//
// work_mem: a year's coverage by category hashes tens of thousands of
// (contract, group) pairs, a few MB more than the 4 MB default, which
// spilled the hash to disk; the setting is local to the report's
// transaction.
const reportSettingsSQL = `SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),
	set_config('work_mem', '32MB', true)`

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// groupKeyScan receives a group's dimension columns (NULL when null or not
// grouped by).
type groupKeyScan struct {
	model, category, team, location, ownerPerson, ownerTeam, supplier *uuid.UUID
}

func (k groupKeyScan) key() costs.GroupKey {
	return costs.GroupKey{Model: orNil(k.model), Category: orNil(k.category), Team: orNil(k.team), Location: orNil(k.location),
		OwnerPerson: orNil(k.ownerPerson), OwnerTeam: orNil(k.ownerTeam), Supplier: orNil(k.supplier)}
}

// scanReportLine reads the columns every ledger statement ends with: the
// seven dimensions, kind, currency, day and sum.
func scanReportLine(r pgx.CollectableRow) (costs.ReportLine, error) {
	var k groupKeyScan
	var l costs.ReportLine
	err := r.Scan(&k.model, &k.category, &k.team, &k.location, &k.ownerPerson, &k.ownerTeam, &k.supplier,
		&l.Kind, &l.Amount.Currency, &l.Date, &l.Amount.Amount)
	l.Key = k.key()
	return l, err
}

// reportQuery renders a report's statements.
type reportQuery struct {
	spec   costs.ReportSpec
	filter *itam.AssetFilter
	reader itam.Principal
	// summary: the summaries answer the whole months and the coverage
	// (costs.ReportSpec.Summarizable).
	summary bool
	// lo, hi narrow the ledger statements (entriesSQL,
	// licenseEntriesSQL) to part of the period; zero: all of it.
	lo, hi time.Time
}

// filterArgs starts a statement's arguments with the asset filter's (the
// filter's placeholders come first) and returns its condition over alias a
// ("" when there is none).
func (q reportQuery) filterArgs() (string, *sqlArgs, error) {
	args := &sqlArgs{}
	conds := visibility(q.reader, args)
	if q.filter != nil {
		c, err := assetFilterSQL(q.filter, args, "filter")
		if err != nil {
			return "", nil, err
		}
		if c != "TRUE" {
			conds = append(conds, c)
		}
	}
	return strings.Join(conds, " AND "), args, nil
}

// filtered: only costs on matching assets count.
func (q reportQuery) filtered() bool {
	c, _, _ := q.filterArgs()
	return c != ""
}

// needsJoin: ledger rows must be attributed to their asset's groups or
// checked against the filter.
func (q reportQuery) needsJoin() bool { return q.spec.AssetDims() || q.filtered() }

// needsLicenses: license entries count unless a filter restricts the
// report to assets (and the simple statement already read them).
func (q reportQuery) needsLicenses() bool { return q.needsJoin() && !q.filtered() }

// needsCoverage: contract costs must be split among groups of assets.
func (q reportQuery) needsCoverage() bool { return q.needsJoin() }

// period adds the period's bounds to args.
func (q reportQuery) period(args *sqlArgs) (from, to string) {
	return args.add(q.spec.From) + "::date", args.add(q.spec.To) + "::date"
}

// dayKey renders costs.ReportSpec.DayKey over e.entry_date and e.currency,
// so SQL sums each bucket's amounts in one row unless they are converted:
// the column to select and what to group by (pos, the column's position,
// when that is the column itself).
func (q reportQuery) dayKey(args *sqlArgs, from string, pos int) (sel, group string) {
	if q.spec.Currency != "" {
		bucket := from
		if q.spec.Every != "" {
			bucket = fmt.Sprintf("greatest(%s::date, %s)", q.trunc(), from)
		}
		return fmt.Sprintf("CASE WHEN e.currency = %s THEN %s ELSE e.entry_date END", args.add(q.spec.Currency), bucket), fmt.Sprint(pos)
	}
	if q.spec.Every == "" {
		return from, fmt.Sprint(pos)
	}
	// Grouped by the bare date_trunc, the first period clamped to from
	// after: a third cheaper per row than grouping by the clamped value.
	return fmt.Sprintf("greatest(%s::date, %s)", q.trunc(), from), q.trunc()
}

// trunc is the period's start of e.entry_date; on timestamp, not
// timestamptz: no time zone work per row.
func (q reportQuery) trunc() string {
	unit := map[costs.Interval]string{costs.EveryMonth: "month", costs.EveryQuarter: "quarter", costs.EveryYear: "year"}[q.spec.Every]
	return fmt.Sprintf("date_trunc('%s', e.entry_date::timestamp)", unit)
}

// assetCols are the asset columns the grouped dimensions need; coverageSQL
// aggregates by them first: grouping by model before joining models for
// the category groups the big join by few, narrow columns (a third faster
// on 100,000 assets than grouping by the category directly).
func (q reportQuery) assetCols() []string {
	var cols []string
	if q.spec.Grouped(costs.GroupModel) || q.spec.Grouped(costs.GroupCategory) {
		cols = append(cols, "model_id")
	}
	if q.spec.Grouped(costs.GroupTeam) || q.spec.Grouped(costs.GroupOwner) {
		cols = append(cols, "owner_team_id")
	}
	if q.spec.Grouped(costs.GroupOwner) {
		cols = append(cols, "owner_person_id")
	}
	if q.spec.Grouped(costs.GroupLocation) {
		cols = append(cols, "location_id")
	}
	return cols
}

// inner renders the inner select list's leading columns: the asset
// columns (from alias a), then extra.
func (q reportQuery) inner(extra ...string) (list string, n int) {
	var out []string
	for _, c := range q.assetCols() {
		out = append(out, "a."+c+" AS "+c)
	}
	out = append(out, extra...)
	return strings.Join(out, ", "), len(out)
}

// dims renders the seven dimension columns over alias t's asset columns
// (and models m for the category): the grouped ones, NULL for the others
// (the domain projects again; NULLs keep SQL's groups few).
func (q reportQuery) dims(t, supplier string) string {
	col := func(g costs.GroupBy, expr string) string {
		if q.spec.Grouped(g) {
			return expr
		}
		return "NULL::uuid"
	}
	owner := func(expr string) string { return col(costs.GroupOwner, expr) }
	return strings.Join([]string{col(costs.GroupModel, t+".model_id"), col(costs.GroupCategory, "m.category_id"),
		col(costs.GroupTeam, t+".owner_team_id"), col(costs.GroupLocation, t+".location_id"),
		owner(t + ".owner_person_id"), owner(t + ".owner_team_id"), col(costs.GroupSupplier, supplier)}, ", ")
}

// modelsJoin joins the inner query's models when the category is asked.
func (q reportQuery) modelsJoin() string {
	if q.spec.Grouped(costs.GroupCategory) {
		return " JOIN models m ON m.id = x.model_id"
	}
	return ""
}

// positions renders "1, 2, …, n" for GROUP BY.
func positions(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(out, ", ")
}

// entriesSQL sums the ledger entries on assets (and, when nothing asks for
// an asset, on licenses too, in the same scan of the covering date index).
func (q reportQuery) entriesSQL() (string, *sqlArgs, error) {
	cond, args, err := q.filterArgs()
	if err != nil {
		return "", nil, err
	}
	origin, from, to := q.ledgerPeriod(args)
	day, group := q.dayKey(args, origin, 10)
	if !q.needsJoin() {
		sup := "NULL::uuid"
		if q.spec.Grouped(costs.GroupSupplier) {
			sup = "e.supplier_id"
		}
		return fmt.Sprintf(`SELECT NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, %[1]s, e.kind, e.currency::text, %[2]s, sum(e.amount)
			FROM cost_entries e WHERE e.entry_date BETWEEN %[3]s AND %[4]s AND e.contract_id IS NULL
			GROUP BY 7, e.kind, e.currency, %[5]s`, sup, day, from, to, group), args, nil
	}
	where := ""
	if cond != "" {
		where = " AND " + cond
	}
	join, alias := "JOIN assets a ON a.id = e.asset_id", "a"
	if q.summary {
		// Only the model is asked: the entry's copy of it, no asset read.
		join, alias = "", "e"
	}
	if q.spec.Grouped(costs.GroupCategory) {
		join += " JOIN models m ON m.id = " + alias + ".model_id"
	}
	// One level here: aggregated by model first (as coverageSQL is), the
	// per-month or per-day keys make PostgreSQL overestimate the groups and
	// sort on disk.
	return fmt.Sprintf(`SELECT %[1]s, e.kind, e.currency::text, %[2]s, sum(e.amount)
		FROM cost_entries e %[3]s
		WHERE e.entry_date BETWEEN %[4]s AND %[5]s AND e.asset_id IS NOT NULL%[6]s
		GROUP BY 1, 2, 3, 4, 5, 6, 7, e.kind, e.currency, %[7]s`, q.dims(alias, "e.supplier_id"), day, join, from, to, where, group), args, nil
}

// licenseEntriesSQL sums the entries on licenses: every asset dimension
// null.
func (q reportQuery) licenseEntriesSQL() (string, *sqlArgs) {
	args := &sqlArgs{}
	origin, from, to := q.ledgerPeriod(args)
	day, group := q.dayKey(args, origin, 10)
	sup := "NULL::uuid"
	if q.spec.Grouped(costs.GroupSupplier) {
		sup = "e.supplier_id"
	}
	return fmt.Sprintf(`SELECT NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, NULL::uuid, %[1]s, e.kind, e.currency::text, %[2]s, sum(e.amount)
		FROM cost_entries e WHERE e.entry_date BETWEEN %[3]s AND %[4]s AND e.license_id IS NOT NULL
		GROUP BY 7, e.kind, e.currency, %[5]s`, sup, day, from, to, group), args
}

// contractEntriesSQL sums each contract's own entries, to be shared among
// its covered assets like its charges.
func (q reportQuery) contractEntriesSQL() (string, *sqlArgs) {
	args := &sqlArgs{}
	from, to := q.period(args)
	day, group := q.dayKey(args, from, 6)
	sup, csup := "NULL::uuid", "NULL::uuid"
	if q.spec.Grouped(costs.GroupSupplier) {
		sup, csup = "e.supplier_id", "c.supplier_id"
	}
	// Unshared (no asset dimension, no filter), a contract's entries count
	// whole wherever it is: summed over all contracts, as the nil one, a
	// few rows per bucket instead of one per contract and bucket.
	id := "e.contract_id"
	if !q.needsCoverage() {
		id = "'00000000-0000-0000-0000-000000000000'::uuid"
	}
	return fmt.Sprintf(`SELECT %[7]s, %[1]s, %[2]s, e.kind, e.currency::text, %[3]s, sum(e.amount)
		FROM cost_entries e JOIN contracts c ON c.id = e.contract_id
		WHERE e.entry_date BETWEEN %[4]s AND %[5]s AND e.contract_id IS NOT NULL
		GROUP BY 1, 2, 3, e.kind, e.currency, %[6]s ORDER BY 1`, sup, csup, day, from, to, group, id), args
}

// chargesSQL reads the charges that can fall due in the period, with their
// contracts.
func (q reportQuery) chargesSQL() (string, *sqlArgs) {
	args := &sqlArgs{}
	from, to := q.period(args)
	return fmt.Sprintf(`SELECT c.id, c.kind, c.supplier_id, c.start_date, c.end_date,
			ch.amount, ch.currency::text, ch.every, ch.start_date, ch.end_date
		FROM contracts c JOIN contract_charges ch ON ch.contract_id = c.id
		WHERE c.start_date <= %[2]s AND (c.end_date IS NULL OR c.end_date >= %[1]s)
		  AND coalesce(ch.start_date, c.start_date) <= %[2]s AND (ch.end_date IS NULL OR ch.end_date >= %[1]s)
		ORDER BY c.id, ch.position`, from, to), args
}

// coverageSQL counts each contract's covered assets per group (and whether
// they match the filter), for the contracts with costs in the period.
func (q reportQuery) coverageSQL() (string, *sqlArgs, error) {
	cond, args, err := q.filterArgs()
	if err != nil {
		return "", nil, err
	}
	from, to := q.period(args)
	matches := "TRUE"
	if cond != "" {
		matches = "coalesce((" + cond + "), false)"
	}
	dims := q.dims("x", "NULL::uuid")
	dims = dims[:strings.LastIndex(dims, ", ")] // the six asset dimensions
	list, n := q.inner("ca.contract_id", matches+" AS matches")
	return fmt.Sprintf(`SELECT x.contract_id, %[1]s, x.matches, sum(x.n)::int
		FROM (SELECT %[2]s, count(*) AS n
			FROM contract_assets ca JOIN assets a ON a.id = ca.asset_id
			WHERE ca.contract_id IN (
				SELECT c.id FROM contracts c WHERE c.start_date <= %[4]s AND (c.end_date IS NULL OR c.end_date >= %[3]s)
				UNION SELECT e.contract_id FROM cost_entries e WHERE e.entry_date BETWEEN %[3]s AND %[4]s AND e.contract_id IS NOT NULL)
			GROUP BY %[5]s) x%[6]s
		GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`, dims, list, from, to, positions(n), q.modelsJoin()), args, nil
}
