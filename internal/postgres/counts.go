package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

var groupExprs = map[itam.AssetGroupBy]string{
	itam.GroupByStatus:    "a.status::text",
	itam.GroupByCategory:  "m.category_id::text",
	itam.GroupByLocation:  "a.location_id::text",
	itam.GroupByOwnerTeam: "a.owner_team_id::text",
	itam.GroupByModel:     "a.model_id::text",
	// The assignee's dimensions go through the assigned person (ap, joined
	// only when grouped by one of them): a location assignee is where the
	// asset is; a person's is where they are.
	itam.GroupByAssigneeTeam:     "ap.team_id::text",
	itam.GroupByAssigneeLocation: "coalesce(a.assigned_location_id, ap.location_id)::text",
}

// AssetCounts groups the assets matching f by the given dimensions and
// returns each group's count and purchase value summed per currency (values
// in different currencies are never added together). Groups come ordered by
// count, largest first. Needs cost visibility.
func (s *AssetStore) AssetCounts(ctx context.Context, groupBy []itam.AssetGroupBy, f *itam.AssetFilter) ([]itam.AssetCountGroup, error) {
	if _, err := itam.RequireCosts(ctx); err != nil {
		return nil, err
	}
	p, where, args, err := s.where(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := itam.CheckGrouping(groupBy); err != nil {
		return nil, err
	}
	sql, params := liveCountsSQL(groupBy, where), args.list
	if len(where) == 0 && precomputed(groupBy) {
		// Unfiltered, and the caller sees every asset.
		sql, params = countsFromTotalsSQL(groupBy), nil
	}
	type row struct {
		dims     []*string
		currency *string
		n        int
		sum      decimal.NullDecimal
	}
	rows, err := query(ctx, s.db, p.OrgID, sql, params, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.dims, &x.currency, &x.n, &x.sum)
	})
	if err != nil {
		return nil, err
	}
	var out []itam.AssetCountGroup
	index := map[string]int{}
	for _, r := range rows {
		key := fmt.Sprint(derefAll(r.dims))
		i, ok := index[key]
		if !ok {
			g := itam.AssetCountGroup{}
			for j, d := range groupBy {
				setGroupKey(&g, d, r.dims[j])
			}
			out = append(out, g)
			i = len(out) - 1
			index[key] = i
		}
		out[i].Count += r.n
		if r.currency != nil && r.sum.Valid {
			out[i].PurchaseValue = append(out[i].PurchaseValue, itam.Money{Amount: r.sum.Decimal, Currency: *r.currency})
		}
	}
	sortGroups(out)
	return out, nil
}

// liveCountsSQL counts the assets themselves: for a filter, a caller who
// sees only some assets, or a dimension asset_counts does not hold.
func liveCountsSQL(groupBy []itam.AssetGroupBy, where []string) string {
	exprs := make([]string, len(groupBy))
	for i, g := range groupBy {
		exprs[i] = groupExprs[g]
	}
	from := "assets a"
	if slices.Contains(groupBy, itam.GroupByCategory) {
		from = "assets a JOIN models m ON m.id = a.model_id"
	}
	from += assigneeJoin(groupBy)
	if len(where) == 0 {
		where = []string{"TRUE"}
	}
	dims := "ARRAY[]::text[]"
	group := "a.purchase_currency"
	if len(exprs) > 0 {
		dims = "ARRAY[" + strings.Join(exprs, ", ") + "]"
		group = strings.Join(exprs, ", ") + ", a.purchase_currency"
	}
	return fmt.Sprintf(`SELECT %s, a.purchase_currency, count(*), sum(a.purchase_price) FROM %s WHERE %s GROUP BY %s`,
		dims, from, strings.Join(where, " AND "), group)
}

// totals are groupExprs over asset_counts (c), which the database keeps
// in the same transaction as every asset write (migration 00036): reading
// its few hundred or thousand rows replaces counting every asset. column
// is what asset_counts holds for the dimension; coarse says grain 1
// (status, model, currency) holds it too. Absent locations and teams are
// stored as the nil uuid.
var totals = map[itam.AssetGroupBy]struct {
	column, expr string
	coarse       bool
}{
	itam.GroupByStatus:    {"status", "c.status", true},
	itam.GroupByCategory:  {"model_id", "m.category_id::text", true},
	itam.GroupByLocation:  {"location_id", "nullif(c.location_id, '00000000-0000-0000-0000-000000000000')::text", false},
	itam.GroupByOwnerTeam: {"owner_team_id", "nullif(c.owner_team_id, '00000000-0000-0000-0000-000000000000')::text", false},
	itam.GroupByModel:     {"model_id", "c.model_id::text", true},
}

// precomputed reports whether asset_counts holds every dimension of groupBy.
func precomputed(groupBy []itam.AssetGroupBy) bool {
	for _, g := range groupBy {
		if _, ok := totals[g]; !ok {
			return false
		}
	}
	return true
}

// countsFromTotalsSQL is liveCountsSQL's statement over asset_counts, with
// the same columns: a currency's sum is NULL when none of its assets has a
// price, as the live sum is. It reads the coarsest grain holding every
// dimension of groupBy; its rows are first summed by the columns the
// grouping reads (a hash over uuids), then grouped by the dimensions'
// text, which sorts only what is left.
func countsFromTotalsSQL(groupBy []itam.AssetGroupBy) string {
	cols := []string{"currency"}
	exprs := make([]string, len(groupBy))
	grain := 1
	for i, g := range groupBy {
		exprs[i] = totals[g].expr
		if !slices.Contains(cols, totals[g].column) {
			cols = append(cols, totals[g].column)
		}
		if !totals[g].coarse {
			grain = 0
		}
	}
	from := fmt.Sprintf(`(SELECT %[1]s, sum(assets) AS assets, sum(priced) AS priced, sum(purchase_value) AS purchase_value
		FROM asset_counts WHERE grain = %[2]d GROUP BY %[1]s) c`, strings.Join(cols, ", "), grain)
	if slices.Contains(groupBy, itam.GroupByCategory) {
		from += " JOIN models m ON m.id = c.model_id"
	}
	dims := "ARRAY[]::text[]"
	group := "c.currency"
	if len(exprs) > 0 {
		dims = "ARRAY[" + strings.Join(exprs, ", ") + "]"
		group = strings.Join(exprs, ", ") + ", c.currency"
	}
	return fmt.Sprintf(`SELECT %s, nullif(c.currency, ''), sum(c.assets), CASE WHEN sum(c.priced) > 0 THEN sum(c.purchase_value) END
		FROM %s GROUP BY %s`, dims, from, group)
}

// assigneeJoin is the join groupExprs' assignee dimensions read (the
// assigned person, ap), or nothing when no dimension needs it.
func assigneeJoin(groupBy []itam.AssetGroupBy) string {
	if slices.Contains(groupBy, itam.GroupByAssigneeTeam) || slices.Contains(groupBy, itam.GroupByAssigneeLocation) {
		return " LEFT JOIN people ap ON ap.id = a.assigned_person_id"
	}
	return ""
}

func derefAll(ss []*string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if s == nil {
			out[i] = "\x00"
		} else {
			out[i] = *s
		}
	}
	return out
}

func setGroupKey(g *itam.AssetCountGroup, d itam.AssetGroupBy, v *string) {
	if v == nil {
		return
	}
	if d == itam.GroupByStatus {
		st := itam.AssetStatus(*v)
		g.Status = &st
		return
	}
	id, err := uuid.Parse(*v)
	if err != nil {
		return
	}
	switch d {
	case itam.GroupByCategory:
		g.CategoryID = &id
	case itam.GroupByLocation:
		g.LocationID = &id
	case itam.GroupByOwnerTeam:
		g.OwnerTeamID = &id
	case itam.GroupByModel:
		g.ModelID = &id
	case itam.GroupByAssigneeTeam:
		g.AssigneeTeamID = &id
	case itam.GroupByAssigneeLocation:
		g.AssigneeLocationID = &id
	}
}

// sortGroups orders groups by count descending and each group's values by
// currency, so results are stable for dashboards and tests.
func sortGroups(gs []itam.AssetCountGroup) {
	slices.SortStableFunc(gs, func(a, b itam.AssetCountGroup) int { return b.Count - a.Count })
	for i := range gs {
		slices.SortFunc(gs[i].PurchaseValue, func(a, b itam.Money) int { return strings.Compare(a.Currency, b.Currency) })
	}
}
