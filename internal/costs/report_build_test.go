package costs_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func TestSplitByCounts(t *testing.T) {
	tests := []struct {
		name   string
		amount itam.Money
		counts []int
		want   []string
	}{
		{"even", finMoney("90.00", "USD"), []int{1, 2}, []string{"30", "60"}},
		// 100.00 over 3 assets is 33.34, 33.33, 33.33 (Share): item 0 is in
		// the first group.
		{"remainder to the first items", finMoney("100.00", "USD"), []int{2, 1}, []string{"66.67", "33.33"}},
		{"remainder crossing groups", finMoney("0.05", "USD"), []int{1, 2, 4}, []string{"0.01", "0.02", "0.02"}},
		{"more items than cents", finMoney("0.02", "EUR"), []int{3, 3}, []string{"0.02", "0"}},
		{"JPY has no minor unit", finMoney("1000", "JPY"), []int{1, 1, 1}, []string{"334", "333", "333"}},
		{"BHD has three", finMoney("10.000", "BHD"), []int{2, 1}, []string{"6.667", "3.333"}},
		{"finer digits go to the first share", finMoney("10.0050", "USD"), []int{1, 1}, []string{"5.0050", "5.00"}},
		{"empty groups get nothing", finMoney("10", "USD"), []int{0, 3, 0, 1}, []string{"0", "7.50", "0", "2.50"}},
		{"no items: all to the first", finMoney("10", "USD"), []int{0, 0}, []string{"10", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := costs.SplitByCounts(tt.amount, tt.counts)
			require.Len(t, got, len(tt.want))
			sum := decimal.Zero
			for i, w := range tt.want {
				finRequireMoney(t, finMoney(w, tt.amount.Currency), got[i])
				sum = sum.Add(got[i].Amount)
			}
			require.True(t, sum.Equal(tt.amount.Amount), "shares sum to %s, not %s", sum, tt.amount.Amount)
		})
	}
	require.Nil(t, costs.SplitByCounts(finMoney("1", "USD"), nil))
}

func TestReportSpecNormalize(t *testing.T) {
	from, to := finDay(2025, 1, 1), finDay(2025, 12, 31)
	tests := []struct {
		name  string
		spec  costs.ReportSpec
		field string
	}{
		{"ok", costs.ReportSpec{From: from, To: to, GroupBy: []costs.GroupBy{costs.GroupCategory, costs.GroupSupplier}, Currency: "usd"}, ""},
		{"to before from", costs.ReportSpec{From: to, To: from}, "to"},
		{"over ten years", costs.ReportSpec{From: from, To: from.AddDate(10, 1, 0)}, "to"},
		{"repeated groupBy", costs.ReportSpec{From: from, To: to, GroupBy: []costs.GroupBy{costs.GroupTeam, costs.GroupTeam}}, "groupBy"},
		{"four groupBy", costs.ReportSpec{From: from, To: to, GroupBy: []costs.GroupBy{costs.GroupTeam, costs.GroupModel, costs.GroupOwner, costs.GroupSupplier}}, "groupBy"},
		{"unknown currency", costs.ReportSpec{From: from, To: to, Currency: "XYZ"}, "reportingCurrency"},
		{"unknown period", costs.ReportSpec{From: from, To: to, Every: "WEEK"}, "period"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.spec.Normalize()
			if tt.field == "" {
				require.NoError(t, err)
				require.Equal(t, "USD", s.Currency)
				return
			}
			finRequireInvalid(t, err, tt.field)
		})
	}
}

var (
	repCatA = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	repCatB = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	repSup  = uuid.MustParse("00000000-0000-0000-0000-0000000000f1")
)

func repLine(key costs.GroupKey, kind costs.EntryKind, day time.Time, amount, cur string) costs.ReportLine {
	return costs.ReportLine{Key: key, Kind: kind, Date: day, Amount: finMoney(amount, cur)}
}

func TestBuildRollup(t *testing.T) {
	spec, err := costs.ReportSpec{From: finDay(2025, 1, 1), To: finDay(2025, 12, 31), GroupBy: []costs.GroupBy{costs.GroupCategory}}.Normalize()
	require.NoError(t, err)
	lines := []costs.ReportLine{
		repLine(costs.GroupKey{Category: repCatB, Supplier: repSup}, costs.KindRepair, finDay(2025, 3, 1), "10.50", "EUR"),
		repLine(costs.GroupKey{Category: repCatA}, costs.KindPurchase, finDay(2025, 2, 1), "1000", "USD"),
		repLine(costs.GroupKey{Category: repCatA}, costs.KindRepair, finDay(2025, 2, 1), "20", "eur"),
		repLine(costs.GroupKey{Category: repCatA}, costs.KindRepair, finDay(2025, 4, 1), "5", "EUR"),
		repLine(costs.GroupKey{}, costs.KindSubscription, finDay(2025, 6, 1), "7", "USD"),
		repLine(costs.GroupKey{Category: repCatA}, costs.KindRepair, finDay(2026, 1, 1), "999", "USD"), // after the period
	}
	r, err := costs.Build(spec, lines, nil)
	require.NoError(t, err)
	require.Len(t, r.Groups, 3)
	require.Equal(t, repCatA, r.Groups[0].Key.Category)
	require.Equal(t, repCatB, r.Groups[1].Key.Category)
	require.Equal(t, uuid.Nil, r.Groups[1].Key.Supplier, "not grouped by supplier")
	require.Equal(t, costs.GroupKey{}, r.Groups[2].Key, "null group last")
	a := r.Groups[0]
	require.Equal(t, []costs.EntryKind{costs.KindPurchase, costs.KindRepair}, []costs.EntryKind{a.ByKind[0].Kind, a.ByKind[1].Kind})
	finRequireTotals(t, []itam.Money{finMoney("25", "EUR")}, a.ByKind[1].Total)
	finRequireTotals(t, []itam.Money{finMoney("25", "EUR"), finMoney("1000", "USD")}, a.Total)
	finRequireTotals(t, []itam.Money{finMoney("35.50", "EUR"), finMoney("1007", "USD")}, r.Total)
	require.Empty(t, r.Rates)

	// Converted to USD at the rate valid on each line's date.
	rates := costs.Rates{
		{From: "EUR", To: "USD", Rate: decimal.RequireFromString("1.10"), ValidFrom: finDay(2025, 1, 1)},
		{From: "EUR", To: "USD", Rate: decimal.RequireFromString("1.20"), ValidFrom: finDay(2025, 3, 1)},
	}
	spec.Currency = "USD"
	r, err = costs.Build(spec, lines, rates)
	require.NoError(t, err)
	// 20 × 1.10 + 5 × 1.20 = 28; 10.50 × 1.20 = 12.60.
	finRequireTotals(t, []itam.Money{finMoney("1028", "USD")}, r.Groups[0].Total)
	finRequireTotals(t, []itam.Money{finMoney("12.60", "USD")}, r.Groups[1].Total)
	finRequireTotals(t, []itam.Money{finMoney("1047.60", "USD")}, r.Total)
	require.Len(t, r.Rates, 2)

	// A line before the first rate has none: refused, naming pair and day.
	_, err = costs.Build(spec, append(lines, repLine(costs.GroupKey{}, costs.KindOther, finDay(2025, 1, 1), "1", "GBP")), rates)
	finRequireInvalid(t, err, "reportingCurrency")
	require.ErrorContains(t, err, "GBP to USD valid on 2025-01-01")
}

func TestBuildSpend(t *testing.T) {
	lines := []costs.ReportLine{
		repLine(costs.GroupKey{Category: repCatA}, costs.KindRepair, finDay(2025, 1, 20), "10", "USD"),
		repLine(costs.GroupKey{Category: repCatB}, costs.KindRepair, finDay(2025, 1, 31), "5", "USD"),
		repLine(costs.GroupKey{Category: repCatA}, costs.KindRepair, finDay(2025, 3, 1), "1", "EUR"),
		repLine(costs.GroupKey{Category: repCatA}, costs.KindRepair, finDay(2025, 1, 10), "99", "USD"), // before from
	}
	tests := []struct {
		every  costs.Interval
		starts []time.Time
		totals []string // USD total per bucket, "" for none
	}{
		{costs.EveryMonth, []time.Time{finDay(2025, 1, 1), finDay(2025, 2, 1), finDay(2025, 3, 1)}, []string{"15", "", ""}},
		{costs.EveryQuarter, []time.Time{finDay(2025, 1, 1)}, []string{"15"}},
		{costs.EveryYear, []time.Time{finDay(2025, 1, 1)}, []string{"15"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.every), func(t *testing.T) {
			spec, err := costs.ReportSpec{From: finDay(2025, 1, 15), To: finDay(2025, 3, 10), Every: tt.every}.Normalize()
			require.NoError(t, err)
			r, err := costs.Build(spec, lines, nil)
			require.NoError(t, err)
			require.Len(t, r.Groups, len(tt.starts))
			for i, g := range r.Groups {
				require.Equal(t, tt.starts[i], g.Start)
				require.Equal(t, costs.PeriodStart(g.Start, tt.every).AddDate(0, tt.every.Months(), -1), g.End)
				var usd string
				for _, m := range g.Total {
					if m.Currency == "USD" {
						usd = m.Amount.String()
					}
				}
				require.Equal(t, tt.totals[i], usd)
			}
		})
	}
	// Grouped: only the periods and groups with spend, in period order.
	spec, err := costs.ReportSpec{From: finDay(2025, 1, 15), To: finDay(2025, 3, 10), Every: costs.EveryMonth,
		GroupBy: []costs.GroupBy{costs.GroupCategory}}.Normalize()
	require.NoError(t, err)
	r, err := costs.Build(spec, lines, nil)
	require.NoError(t, err)
	require.Len(t, r.Groups, 3)
	require.Equal(t, []uuid.UUID{repCatA, repCatB, repCatA}, []uuid.UUID{r.Groups[0].Key.Category, r.Groups[1].Key.Category, r.Groups[2].Key.Category})
	require.Equal(t, finDay(2025, 3, 1), r.Groups[2].Start)
}

func TestShareContract(t *testing.T) {
	spec, err := costs.ReportSpec{From: finDay(2025, 1, 1), To: finDay(2025, 12, 31), GroupBy: []costs.GroupBy{costs.GroupCategory}}.Normalize()
	require.NoError(t, err)
	c := costs.Contract{ID: uuid.New(), Kind: costs.ContractSupport, SupplierID: &repSup, Start: finDay(2024, 11, 15), End: finDayP(2025, 2, 15),
		Charges: []costs.Charge{{Amount: finMoney("100.00", "USD"), Every: costs.EveryMonth}}}
	require.NoError(t, c.Validate())
	lines := spec.ContractLines(c)
	require.Len(t, lines, 2, "Jan 15 and Feb 15 (the last day) fall in 2025; Nov 15 and Dec 15 do not")
	covered := []costs.Covered{{Key: costs.GroupKey{Category: repCatB}, Assets: 1}, {Key: costs.GroupKey{Category: repCatA}, Assets: 2}}
	shares := spec.ShareContract(lines, covered, false)
	require.Len(t, shares, 2)
	// Summed first (200.00), split 2:1 in key order: A 133.34, B 66.66.
	require.Equal(t, repCatA, shares[0].Key.Category)
	require.Equal(t, repSup, shares[0].Key.Supplier)
	finRequireMoney(t, finMoney("133.34", "USD"), shares[0].Amount)
	finRequireMoney(t, finMoney("66.66", "USD"), shares[1].Amount)

	// Filtered: the excluded group's share is dropped, not redistributed.
	covered[1].Excluded = true
	shares = spec.ShareContract(lines, covered, true)
	require.Len(t, shares, 1)
	finRequireMoney(t, finMoney("66.66", "USD"), shares[0].Amount)

	// No covered asset: whole, with null asset dimensions; none when filtered.
	require.Equal(t, lines, spec.ShareContract(lines, nil, false))
	require.Empty(t, spec.ShareContract(lines, nil, true))

	// Not grouped by an asset dimension and unfiltered: nothing to split.
	sup, err := costs.ReportSpec{From: finDay(2025, 1, 1), To: finDay(2025, 12, 31), GroupBy: []costs.GroupBy{costs.GroupSupplier}}.Normalize()
	require.NoError(t, err)
	require.Equal(t, lines, sup.ShareContract(lines, covered, false))

	require.Equal(t, repSup, costs.ContractEntrySupplier(uuid.Nil, repSup))
	require.Equal(t, repCatA, costs.ContractEntrySupplier(repCatA, repSup))
}

// TestBuildConvertsLikeConvert: each converted line equals Rates.Convert's
// result, direct and inverse rates, at the rate valid on its day.
func TestBuildConvertsLikeConvert(t *testing.T) {
	rates := costs.Rates{
		{From: "EUR", To: "USD", Rate: decimal.RequireFromString("1.0837"), ValidFrom: finDay(2025, 1, 1)},
		{From: "USD", To: "EUR", Rate: decimal.RequireFromString("0.9123"), ValidFrom: finDay(2025, 5, 1)}, // newer, the other way
		{From: "USD", To: "JPY", Rate: decimal.RequireFromString("151.37"), ValidFrom: finDay(2025, 1, 1)},
		{From: "BHD", To: "USD", Rate: decimal.RequireFromString("2.6596"), ValidFrom: finDay(2025, 1, 1)},
	}
	tests := []struct {
		amount, cur, to string
		day             time.Time
	}{
		{"10.01", "EUR", "USD", finDay(2025, 2, 1)},
		{"10.01", "EUR", "USD", finDay(2025, 6, 1)}, // inverse of USD→EUR
		{"0.333", "eur", "USD", finDay(2025, 6, 1)},
		{"1234.5678", "USD", "JPY", finDay(2025, 3, 3)},
		{"1234", "JPY", "USD", finDay(2025, 3, 3)},
		{"7.125", "BHD", "USD", finDay(2025, 3, 3)},
		{"7.12", "USD", "BHD", finDay(2025, 3, 3)},
		{"5", "usd", "USD", finDay(2025, 3, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.amount+tt.cur+tt.to, func(t *testing.T) {
			spec, err := costs.ReportSpec{From: finDay(2025, 1, 1), To: finDay(2025, 12, 31), Currency: tt.to}.Normalize()
			require.NoError(t, err)
			want, _, err := rates.Convert(finMoney(tt.amount, tt.cur), tt.to, tt.day)
			require.NoError(t, err)
			r, err := costs.Build(spec, []costs.ReportLine{repLine(costs.GroupKey{}, costs.KindOther, tt.day, tt.amount, tt.cur)}, rates)
			require.NoError(t, err)
			finRequireTotals(t, []itam.Money{want}, r.Total)
		})
	}
}
