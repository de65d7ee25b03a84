package costs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func TestExpectedEndOfLife(t *testing.T) {
	explicit, lease, inService := finDayP(2027, 6, 30), finDayP(2028, 3, 31), finDayP(2024, 8, 31)
	tests := []struct {
		name                       string
		explicit, lease, inService *time.Time
		life                       *int
		want                       *time.Time
		source                     string
	}{
		{"explicit wins over everything", explicit, lease, inService, finPtr(36), explicit, costs.EndOfLifeExplicit},
		{"lease end over useful life", nil, lease, inService, finPtr(36), lease, costs.EndOfLifeLease},
		{"in service + useful life", nil, nil, finDayP(2024, 3, 15), finPtr(36), finDayP(2027, 3, 15), costs.EndOfLifeUsefulLife},
		{"month end clamped (Aug 31 + 6 → Feb 28)", nil, nil, inService, finPtr(6), finDayP(2025, 2, 28), costs.EndOfLifeUsefulLife},
		{"month end clamped in a leap year (Aug 31 + 18 → Feb 29)", nil, nil, finDayP(2026, 8, 31), finPtr(18), finDayP(2028, 2, 29), costs.EndOfLifeUsefulLife},
		{"useful life without a service date", nil, nil, nil, finPtr(36), nil, ""},
		{"service date without a useful life", nil, nil, inService, nil, nil, ""},
		{"useful life of 0 months", nil, nil, inService, finPtr(0), nil, ""},
		{"nothing known", nil, nil, nil, nil, nil, ""},
		{"the day as written", finPtr(time.Date(2027, 6, 30, 23, 0, 0, 0, time.FixedZone("UTC-5", -5*3600))), nil, nil, nil,
			explicit, costs.EndOfLifeExplicit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, source := costs.ExpectedEndOfLife(tt.explicit, tt.lease, tt.inService, tt.life)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.source, source)
		})
	}
}

func TestQuarter(t *testing.T) {
	tests := []struct {
		day     time.Time
		year, q int
	}{
		{finDay(2025, 1, 1), 2025, 1},
		{finDay(2025, 3, 31), 2025, 1},
		{finDay(2025, 4, 1), 2025, 2},
		{finDay(2025, 6, 30), 2025, 2},
		{finDay(2025, 7, 1), 2025, 3},
		{finDay(2025, 9, 30), 2025, 3},
		{finDay(2025, 10, 1), 2025, 4},
		{finDay(2025, 12, 31), 2025, 4},
		{finDay(2024, 2, 29), 2024, 1},
	}
	for _, tt := range tests {
		y, q := costs.Quarter(tt.day)
		require.Equal(t, [2]int{tt.year, tt.q}, [2]int{y, q}, tt.day.Format(time.DateOnly))
		require.Equal(t, tt.year, costs.QuarterStart(y, q).Year())
		require.False(t, costs.QuarterStart(y, q).After(tt.day))
		require.True(t, costs.QuarterStart(y, q+1).After(tt.day))
	}
	require.Equal(t, finDay(2026, 1, 1), costs.QuarterStart(2025, 5), "q past 4 rolls into the next year")
	require.Equal(t, finDay(2024, 10, 1), costs.QuarterStart(2025, 0), "q before 1 rolls into the previous year")
}

func TestReplacementCost(t *testing.T) {
	latest, average := finMoney("1499.00", "EUR"), finMoney("1320.5", "EUR")
	tests := []struct {
		name            string
		latest, average *itam.Money
		want            *itam.Money
	}{
		{"the model's latest price", &latest, &average, &latest},
		{"the category's average when the model was never bought", nil, &average, &average},
		{"unknown", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := costs.ReplacementCost(tt.latest, tt.average)
			require.Equal(t, tt.want, got)
			if got != nil {
				require.NotSame(t, tt.want, got, "a copy, so the caller's price cannot be changed through it")
			}
		})
	}
}
