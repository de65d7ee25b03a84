package costs

import (
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// PeriodStart is the first day of the calendar MONTH, QUARTER or YEAR t's
// day falls in (quarters start in January, April, July, October).
func PeriodStart(t time.Time, every Interval) time.Time {
	d := itam.CalendarDay(t)
	switch every {
	case EveryQuarter:
		y, q := Quarter(d)
		return QuarterStart(y, q)
	case EveryYear:
		return time.Date(d.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// PeriodTotals is what was spent in one calendar period (Start and End
// inclusive days), per currency.
type PeriodTotals struct {
	Start, End time.Time
	Total      Totals
}

// SpendByPeriod sums lines into the consecutive calendar periods (months,
// quarters or years) that cover [from, to], in order. Every period is
// listed, an empty one with no totals, so a chart has no gaps; the first
// and last periods keep their calendar bounds but count only lines within
// [from, to]. An unknown interval or to before from gives nil.
func SpendByPeriod(lines []Line, every Interval, from, to time.Time) []PeriodTotals {
	from, to = itam.CalendarDay(from), itam.CalendarDay(to)
	if !every.Valid() || to.Before(from) {
		return nil
	}
	var out []PeriodTotals
	for s := PeriodStart(from, every); !s.After(to); s = itam.AddMonths(s, every.Months()) {
		out = append(out, PeriodTotals{Start: s, End: itam.AddMonths(s, every.Months()).AddDate(0, 0, -1)})
	}
	for _, l := range lines {
		d := itam.CalendarDay(l.Date)
		if d.Before(from) || d.After(to) {
			continue
		}
		// Periods are consecutive and of whole months, so the index is a
		// month count: no search per line.
		i := monthsBetween(out[0].Start, d) / every.Months()
		out[i].Total = out[i].Total.Add(l.Amount)
	}
	return out
}
