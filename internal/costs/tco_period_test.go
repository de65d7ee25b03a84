package costs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func TestPeriodStart(t *testing.T) {
	at := time.Date(2025, 8, 31, 23, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)) // still August 31 for the caller
	require.Equal(t, finDay(2025, 8, 1), costs.PeriodStart(at, costs.EveryMonth))
	require.Equal(t, finDay(2025, 7, 1), costs.PeriodStart(at, costs.EveryQuarter))
	require.Equal(t, finDay(2025, 1, 1), costs.PeriodStart(at, costs.EveryYear))
	require.Equal(t, finDay(2024, 10, 1), costs.PeriodStart(finDay(2024, 12, 31), costs.EveryQuarter))
}

func TestSpendByPeriod(t *testing.T) {
	line := func(day time.Time, amount, cur string) costs.Line {
		return costs.Line{Kind: costs.KindOther, Date: day, Amount: finMoney(amount, cur)}
	}
	lines := []costs.Line{
		line(finDay(2024, 12, 31), "1", "EUR"), // before the window
		line(finDay(2025, 1, 15), "10", "EUR"),
		line(finDay(2025, 3, 31), "5", "USD"),
		line(finDay(2025, 3, 31), "2.5", "EUR"),
		line(finDay(2025, 7, 1), "1000", "JPY"),
		line(finDay(2025, 11, 20), "1", "EUR"), // after the window
	}
	tests := []struct {
		name     string
		every    costs.Interval
		from, to time.Time
		want     []costs.PeriodTotals
	}{
		{
			name: "quarters, an empty one listed", every: costs.EveryQuarter, from: finDay(2025, 1, 1), to: finDay(2025, 9, 30),
			want: []costs.PeriodTotals{
				{Start: finDay(2025, 1, 1), End: finDay(2025, 3, 31), Total: costs.Sum(finMoney("12.5", "EUR"), finMoney("5", "USD"))},
				{Start: finDay(2025, 4, 1), End: finDay(2025, 6, 30)},
				{Start: finDay(2025, 7, 1), End: finDay(2025, 9, 30), Total: costs.Sum(finMoney("1000", "JPY"))},
			},
		},
		{
			name: "months from mid-month: calendar bounds, window-bound lines", every: costs.EveryMonth, from: finDay(2025, 1, 20), to: finDay(2025, 3, 31),
			want: []costs.PeriodTotals{
				{Start: finDay(2025, 1, 1), End: finDay(2025, 1, 31)}, // the Jan 15 line is before the window
				{Start: finDay(2025, 2, 1), End: finDay(2025, 2, 28)},
				{Start: finDay(2025, 3, 1), End: finDay(2025, 3, 31), Total: costs.Sum(finMoney("5", "USD"), finMoney("2.5", "EUR"))},
			},
		},
		{
			name: "years", every: costs.EveryYear, from: finDay(2024, 1, 1), to: finDay(2025, 12, 31),
			want: []costs.PeriodTotals{
				{Start: finDay(2024, 1, 1), End: finDay(2024, 12, 31), Total: costs.Sum(finMoney("1", "EUR"))},
				{Start: finDay(2025, 1, 1), End: finDay(2025, 12, 31),
					Total: costs.Sum(finMoney("13.5", "EUR"), finMoney("5", "USD"), finMoney("1000", "JPY"))},
			},
		},
		{name: "to before from", every: costs.EveryMonth, from: finDay(2025, 2, 1), to: finDay(2025, 1, 1)},
		{name: "unknown interval", every: "WEEK", from: finDay(2025, 1, 1), to: finDay(2025, 12, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := costs.SpendByPeriod(lines, tt.every, tt.from, tt.to)
			require.Len(t, got, len(tt.want))
			for i, want := range tt.want {
				require.Equal(t, want.Start, got[i].Start, "period %d", i)
				require.Equal(t, want.End, got[i].End, "period %d", i)
				finRequireTotals(t, []itam.Money(want.Total), got[i].Total)
			}
		})
	}
}
