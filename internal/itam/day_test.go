package itam_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestCalendarDay(t *testing.T) {
	t.Parallel()
	west := time.FixedZone("UTC-5", -5*3600)
	cases := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"UTC midnight stays", time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)},
		{"time of day dropped", time.Date(2025, 6, 30, 23, 59, 59, 9, time.UTC), time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)},
		{"the zone's own date, not UTC's", time.Date(2025, 6, 30, 23, 0, 0, 0, west), time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, itam.CalendarDay(tc.in))
			got := itam.CalendarDayPtr(&tc.in)
			require.NotNil(t, got)
			require.Equal(t, tc.want, *got)
		})
	}
	require.Nil(t, itam.CalendarDayPtr(nil))
}
