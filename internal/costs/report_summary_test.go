package costs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReportSpecSummarizable(t *testing.T) {
	cases := []struct {
		name     string
		spec     ReportSpec
		filtered bool
		want     bool
	}{
		{"no grouping", ReportSpec{}, false, true},
		{"category", ReportSpec{GroupBy: []GroupBy{GroupCategory}}, false, true},
		{"model and category", ReportSpec{GroupBy: []GroupBy{GroupModel, GroupCategory}}, false, true},
		{"spend by month", ReportSpec{Every: EveryMonth, GroupBy: []GroupBy{GroupModel}}, false, true},
		{"filtered", ReportSpec{GroupBy: []GroupBy{GroupCategory}}, true, false},
		{"converted", ReportSpec{Currency: "EUR"}, false, false},
		{"team", ReportSpec{GroupBy: []GroupBy{GroupTeam}}, false, false},
		{"category and supplier", ReportSpec{GroupBy: []GroupBy{GroupCategory, GroupSupplier}}, false, false},
		{"location", ReportSpec{GroupBy: []GroupBy{GroupLocation}}, false, false},
		{"owner", ReportSpec{GroupBy: []GroupBy{GroupOwner}}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, c.spec.Summarizable(c.filtered))
		})
	}
}

func TestReportSpecWholeMonths(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name        string
		from, to    time.Time
		first, last time.Time
		ok          bool
	}{
		{"whole year", d(2025, 1, 1), d(2025, 12, 31), d(2025, 1, 1), d(2025, 12, 1), true},
		{"mid-month year", d(2025, 3, 15), d(2026, 3, 14), d(2025, 4, 1), d(2026, 2, 1), true},
		{"one whole month", d(2024, 2, 1), d(2024, 2, 29), d(2024, 2, 1), d(2024, 2, 1), true},
		{"february short of its leap day", d(2024, 2, 1), d(2024, 2, 28), time.Time{}, time.Time{}, false},
		{"inside one month", d(2025, 5, 2), d(2025, 5, 30), time.Time{}, time.Time{}, false},
		{"two partial months", d(2025, 5, 2), d(2025, 6, 30), d(2025, 6, 1), d(2025, 6, 1), true},
		{"one day", d(2025, 5, 31), d(2025, 5, 31), time.Time{}, time.Time{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first, last, ok := ReportSpec{From: c.from, To: c.to}.WholeMonths()
			require.Equal(t, c.ok, ok)
			require.Equal(t, c.first, first)
			require.Equal(t, c.last, last)
		})
	}
}
