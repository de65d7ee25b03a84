package costs_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func TestValidateForecastQuarters(t *testing.T) {
	for _, tt := range []struct {
		n  int
		ok bool
	}{{0, false}, {-1, false}, {1, true}, {8, true}, {40, true}, {41, false}} {
		err := costs.ValidateForecastQuarters(tt.n)
		if tt.ok {
			require.NoError(t, err, tt.n)
		} else {
			finRequireInvalid(t, err, "quarters")
		}
	}
}

func TestForecastWindow(t *testing.T) {
	tests := []struct {
		today      time.Time
		n          int
		start, end time.Time
	}{
		{finDay(2026, 12, 5), 8, finDay(2026, 10, 1), finDay(2028, 10, 1)},
		{finDay(2026, 1, 1), 1, finDay(2026, 1, 1), finDay(2026, 4, 1)},
		{finDay(2026, 3, 31), 40, finDay(2026, 1, 1), finDay(2036, 1, 1)},
		{time.Date(2026, 6, 30, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)), 2, finDay(2026, 4, 1), finDay(2026, 10, 1)},
	}
	for _, tt := range tests {
		s, e := costs.ForecastWindow(tt.today, tt.n)
		require.Equal(t, tt.start, s, tt.today)
		require.Equal(t, tt.end, e, tt.today)
	}
}

func TestLifeMonthsAndInServiceDay(t *testing.T) {
	require.Equal(t, finPtr(36), costs.LifeMonths(finPtr(36), finPtr(60)), "the model's life wins")
	require.Equal(t, finPtr(60), costs.LifeMonths(nil, finPtr(60)), "else the profile's")
	require.Nil(t, costs.LifeMonths(nil, nil))
	require.Equal(t, finDayP(2025, 2, 1), costs.InServiceDay(finDayP(2025, 2, 1), finDayP(2025, 1, 1)), "in service wins")
	require.Equal(t, finDayP(2025, 1, 1), costs.InServiceDay(nil, finDayP(2025, 1, 1)), "else purchased")
	require.Nil(t, costs.InServiceDay(nil, nil))
}

func TestBuildForecast(t *testing.T) {
	laptops, phones := uuid.MustParse("00000000-0000-0000-0000-00000000000a"), uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	today := finDay(2026, 12, 5) // Q4 2026
	latest, avg := finMoney("1499.00", "EUR"), finMoney("333.3333", "USD")
	pound := finMoney("800", "GBP")
	groups := []costs.ForecastGroup{
		// This quarter: 2 at the model's price, 3 at the category's (rounded) average, 1 unpriced.
		{QuarterStart: finDay(2026, 10, 1), CategoryID: laptops, Count: 2, ModelPrice: &latest, CategoryAverage: &avg},
		{QuarterStart: finDay(2026, 10, 1), CategoryID: laptops, Count: 3, CategoryAverage: &avg},
		{QuarterStart: finDay(2026, 10, 1), CategoryID: phones, Count: 1},
		// Next year's Q2, two currencies never added together.
		{QuarterStart: finDay(2027, 4, 1), CategoryID: phones, Count: 4, ModelPrice: &pound},
		{QuarterStart: finDay(2027, 4, 1), CategoryID: laptops, Count: 1, ModelPrice: &latest},
		// Overdue, from two past quarters.
		{QuarterStart: finDay(2025, 7, 1), CategoryID: phones, Count: 1, ModelPrice: &pound},
		{QuarterStart: finDay(2026, 4, 1), CategoryID: phones, Count: 2, ModelPrice: &pound},
		// Past the window: ignored.
		{QuarterStart: finDay(2027, 10, 1), CategoryID: phones, Count: 9, ModelPrice: &pound},
	}
	f := costs.BuildForecast(today, 4, groups)

	require.Len(t, f.Quarters, 4)
	for i, want := range [][2]int{{2026, 4}, {2027, 1}, {2027, 2}, {2027, 3}} {
		q := f.Quarters[i]
		require.Equal(t, want, [2]int{q.Year, q.Quarter})
		require.Equal(t, costs.QuarterStart(want[0], want[1]), q.Start)
		require.Equal(t, costs.QuarterStart(want[0], want[1]+1).AddDate(0, 0, -1), q.End)
	}

	q := f.Quarters[0]
	require.Equal(t, 6, q.Count)
	finRequireTotals(t, []itam.Money{finMoney("2998.00", "EUR"), finMoney("999.99", "USD")}, q.EstimatedCost)
	require.Len(t, q.Categories, 2)
	require.Equal(t, laptops, q.Categories[0].CategoryID, "largest first")
	require.Equal(t, 5, q.Categories[0].Count)
	require.Equal(t, 0, q.Categories[0].UnpricedCount)
	finRequireTotals(t, []itam.Money{finMoney("2998.00", "EUR"), finMoney("999.99", "USD")}, q.Categories[0].EstimatedCost)
	require.Equal(t, costs.ForecastCategory{CategoryID: phones, Count: 1, UnpricedCount: 1}, q.Categories[1])

	require.Zero(t, f.Quarters[1].Count)
	require.Empty(t, f.Quarters[1].EstimatedCost)
	require.NotNil(t, f.Quarters[1].Categories, "an empty quarter lists no categories, not null")
	require.Empty(t, f.Quarters[1].Categories)

	q = f.Quarters[2]
	require.Equal(t, 5, q.Count)
	finRequireTotals(t, []itam.Money{finMoney("1499.00", "EUR"), finMoney("3200", "GBP")}, q.EstimatedCost)
	require.Equal(t, phones, q.Categories[0].CategoryID)
	require.Zero(t, f.Quarters[3].Count, "past the window is not counted anywhere")

	require.NotNil(t, f.Overdue)
	o := f.Overdue
	require.Equal(t, 3, o.Count)
	require.Equal(t, finDay(2025, 7, 1), o.Start, "from the oldest overdue quarter")
	require.Equal(t, finDay(2026, 9, 30), o.End, "to the day before this quarter")
	require.Equal(t, [2]int{2026, 3}, [2]int{o.Year, o.Quarter})
	finRequireTotals(t, []itam.Money{finMoney("2400", "GBP")}, o.EstimatedCost)

	require.Nil(t, costs.BuildForecast(today, 2, groups[:3]).Overdue, "no overdue bucket without overdue assets")
}

func TestBuildForecastRoundsThePriceToMinorUnits(t *testing.T) {
	cat := uuid.New()
	today := finDay(2026, 2, 1)
	for _, tt := range []struct {
		avg, want string
		currency  string
	}{
		{"1000.005", "3000.03", "USD"}, // 1000.01 × 3 (half away from zero), not 3000.015
		{"99999.5", "300000", "JPY"},   // no minor unit
		{"1.23456", "3.705", "BHD"},    // three
	} {
		avg := finMoney(tt.avg, tt.currency)
		f := costs.BuildForecast(today, 1, []costs.ForecastGroup{{QuarterStart: finDay(2026, 1, 1), CategoryID: cat, Count: 3, CategoryAverage: &avg}})
		finRequireTotals(t, []itam.Money{finMoney(tt.want, tt.currency)}, f.Quarters[0].EstimatedCost)
	}
}
