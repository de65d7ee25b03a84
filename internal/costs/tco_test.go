package costs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// finAssetCosts is one laptop's costs around 2025: ledger entries in USD,
// EUR and JPY (one before the year), a support contract shared by three
// assets from June, and a license seat billed in USD (one line after the
// year).
func finAssetCosts(t *testing.T) ([]costs.Entry, []costs.Line, []costs.Line) {
	asset := uuid.New()
	entry := func(kind costs.EntryKind, day time.Time, amount, cur string) costs.Entry {
		return costs.Entry{ID: uuid.New(), AssetID: &asset, Kind: kind, Date: day, Amount: finMoney(amount, cur)}
	}
	entries := []costs.Entry{
		entry(costs.KindPurchase, finDay(2025, 1, 10), "1000.00", "USD"),
		entry(costs.KindRepair, finDay(2025, 3, 5), "150", "EUR"),
		entry(costs.KindRepair, finDay(2025, 8, 1), "50", "EUR"),
		entry(costs.KindMaintenance, finDay(2024, 12, 31), "80", "USD"), // before the period
		entry(costs.KindOther, finDay(2025, 12, 31), "3000", "JPY"),     // last day: in
	}
	for _, e := range entries {
		require.NoError(t, e.Validate())
	}
	support := costs.Contract{ID: uuid.New(), Kind: costs.ContractSupport, Start: finDay(2025, 6, 1),
		Charges: []costs.Charge{{Amount: finMoney("30.00", "EUR"), Every: costs.EveryMonth}}}
	require.NoError(t, support.Validate())
	contractLines := costs.ShareLines(costs.Expand(support, finDay(2025, 1, 1), finDay(2025, 12, 31)), 1, 3) // 7 × 10 EUR
	seat := uuid.New()
	seats := []costs.Line{
		{Kind: costs.KindSubscription, Date: finDay(2025, 1, 1), Amount: finMoney("12", "USD"), SourceID: seat},
		{Kind: costs.KindSubscription, Date: finDay(2026, 1, 1), Amount: finMoney("12", "USD"), SourceID: seat},
	}
	return entries, contractLines, seats
}

func finRequireTotals(t *testing.T, want []itam.Money, got costs.Totals) {
	t.Helper()
	require.Len(t, got, len(want), "%v", got)
	for i := range want {
		finRequireMoney(t, want[i], got[i])
	}
}

func TestTCO(t *testing.T) {
	entries, contractLines, seats := finAssetCosts(t)
	tests := []struct {
		name     string
		from, to time.Time
		byKind   map[costs.EntryKind][]itam.Money
		total    []itam.Money
	}{
		{
			name: "a year, mixed currencies kept apart",
			from: finDay(2025, 1, 1), to: finDay(2025, 12, 31),
			byKind: map[costs.EntryKind][]itam.Money{
				costs.KindPurchase:     {finMoney("1000", "USD")},
				costs.KindRepair:       {finMoney("200", "EUR")},
				costs.KindSupport:      {finMoney("70", "EUR")},
				costs.KindSubscription: {finMoney("12", "USD")},
				costs.KindOther:        {finMoney("3000", "JPY")},
			},
			total: []itam.Money{finMoney("270", "EUR"), finMoney("3000", "JPY"), finMoney("1012", "USD")},
		},
		{
			name: "one quarter",
			from: finDay(2025, 7, 1), to: finDay(2025, 9, 30),
			byKind: map[costs.EntryKind][]itam.Money{
				costs.KindRepair:  {finMoney("50", "EUR")},
				costs.KindSupport: {finMoney("30", "EUR")},
			},
			total: []itam.Money{finMoney("80", "EUR")},
		},
		{
			name: "boundaries are inclusive days",
			from: finDay(2024, 12, 31), to: finDay(2025, 1, 1),
			byKind: map[costs.EntryKind][]itam.Money{
				costs.KindMaintenance:  {finMoney("80", "USD")},
				costs.KindSubscription: {finMoney("12", "USD")},
			},
			total: []itam.Money{finMoney("92", "USD")},
		},
		{name: "nothing in the period", from: finDay(2020, 1, 1), to: finDay(2020, 12, 31), byKind: map[costs.EntryKind][]itam.Money{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := costs.TCO(entries, contractLines, seats, tt.from, tt.to)
			require.Len(t, got.ByKind, len(tt.byKind))
			for kind, want := range tt.byKind {
				finRequireTotals(t, want, got.ByKind[kind])
			}
			finRequireTotals(t, tt.total, got.Total)
			require.Nil(t, got.Rates)
		})
	}
}

func TestTCOIn(t *testing.T) {
	entries, contractLines, seats := finAssetCosts(t)

	// Each line at the rate of its own day: EUR→USD is 1.10 until June 30
	// and 1.20 from July 1; JPY comes back through the USD→JPY rate.
	got, err := costs.TCOIn(entries, contractLines, seats, finDay(2025, 1, 1), finDay(2025, 12, 31), finRates, "USD")
	require.NoError(t, err)
	want := map[costs.EntryKind]string{
		costs.KindPurchase:     "1000",
		costs.KindRepair:       "225",   // 150 × 1.10 + 50 × 1.20
		costs.KindSupport:      "83",    // June 10 × 1.10 + July–December 6 × 10 × 1.20
		costs.KindSubscription: "12",    // already USD
		costs.KindOther:        "19.98", // 3000 ÷ 150.123 = 19.9836…
	}
	require.Len(t, got.ByKind, len(want))
	for kind, amount := range want {
		finRequireTotals(t, []itam.Money{finMoney(amount, "USD")}, got.ByKind[kind])
	}
	finRequireTotals(t, []itam.Money{finMoney("1339.98", "USD")}, got.Total)
	require.Equal(t, []costs.Rate{finRates[0], finRates[1], finRates[2]}, got.Rates, "rates used, by pair then day")

	// No EUR→JPY rate: refused, naming the first line's pair and day.
	_, err = costs.TCOIn(entries, contractLines, seats, finDay(2025, 1, 1), finDay(2025, 12, 31), finRates, "JPY")
	finRequireInvalid(t, err, "reportingCurrency")
	require.Contains(t, err.Error(), "from EUR to JPY valid on 2025-03-05")

	// JPY to the yen, each line rounded: 1000 × 150.123 = 150123 and 12 × 150.123 = 1801.476 → 1801.
	got, err = costs.TCOIn(entries, nil, seats, finDay(2025, 1, 1), finDay(2025, 2, 1), finRates, "jpy")
	require.NoError(t, err)
	finRequireTotals(t, []itam.Money{finMoney("151924", "JPY")}, got.Total)
	require.Equal(t, []costs.Rate{finRates[2]}, got.Rates)

	// Nothing in the period is zero in the reporting currency, no rates used.
	got, err = costs.TCOIn(entries, contractLines, seats, finDay(2020, 1, 1), finDay(2020, 12, 31), nil, "BHD")
	require.NoError(t, err)
	finRequireTotals(t, []itam.Money{finMoney("0", "BHD")}, got.Total)
	require.Empty(t, got.ByKind)
	require.Empty(t, got.Rates)

	_, err = costs.TCOIn(entries, contractLines, seats, finDay(2025, 1, 1), finDay(2025, 12, 31), finRates, "XXXX")
	finRequireInvalid(t, err, "reportingCurrency")
}

func TestShare(t *testing.T) {
	tests := []struct {
		amount, currency string
		n                int
		want             []string
	}{
		{"100.00", "USD", 3, []string{"33.34", "33.33", "33.33"}},
		{"100", "JPY", 3, []string{"34", "33", "33"}},
		{"1.000", "BHD", 3, []string{"0.334", "0.333", "0.333"}},
		{"0.02", "EUR", 3, []string{"0.01", "0.01", "0"}},
		{"10.0001", "EUR", 3, []string{"3.3401", "3.33", "3.33"}}, // the ledger's 4th place stays with the first share
		{"99.99", "EUR", 1, []string{"99.99"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s / %d", tt.amount, tt.currency, tt.n), func(t *testing.T) {
			m := finMoney(tt.amount, tt.currency)
			sum := decimal.Zero
			for i, want := range tt.want {
				got := costs.Share(m, i, tt.n)
				finRequireMoney(t, finMoney(want, tt.currency), got)
				sum = sum.Add(got.Amount)
			}
			require.True(t, sum.Equal(m.Amount), "shares sum to %s, not %s", sum, m.Amount)
		})
	}
	// Out of range: the amount unchanged rather than a made-up share.
	finRequireMoney(t, finMoney("5", "USD"), costs.Share(finMoney("5", "USD"), 3, 3))
	finRequireMoney(t, finMoney("5", "USD"), costs.Share(finMoney("5", "USD"), 0, 0))
}
