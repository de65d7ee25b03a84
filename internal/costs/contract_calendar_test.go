package costs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestMonthsLater pins the calendar arithmetic that contracts, periods,
// forecasts and depreciation schedules share.
func TestMonthsLater(t *testing.T) {
	t.Parallel()
	utc := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	berlin := time.FixedZone("CET", 3600)
	cases := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"same day next month", utc(2024, 3, 15), 1, utc(2024, 4, 15)},
		{"31st clamps to Feb 29 in a leap year", utc(2024, 1, 31), 1, utc(2024, 2, 29)},
		{"31st clamps to Feb 28", utc(2023, 1, 31), 1, utc(2023, 2, 28)},
		{"crosses years", utc(2024, 11, 30), 3, utc(2025, 2, 28)},
		{"many years", utc(2024, 1, 15), 60, utc(2029, 1, 15)},
		{"backwards across a year", utc(2024, 1, 31), -2, utc(2023, 11, 30)},
		{"zero keeps the day", utc(2024, 5, 31), 0, utc(2024, 5, 31)},
		{"keeps the calendar date of another zone", time.Date(2024, 1, 31, 0, 30, 0, 0, berlin), 1, utc(2024, 2, 29)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, itam.AddMonths(tc.from, tc.n))
		})
	}
}
