package costs

import (
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// Summarizable reports whether the ledger's monthly summaries (sums by
// month, model, kind and currency; contract coverage counted by model) can
// answer the report exactly: it groups by model and/or category or by
// nothing (the summaries know no other dimension), no asset filter or
// visibility restriction applies (filtered; they know no asset), and
// nothing is converted (conversion needs each entry's day).
func (s ReportSpec) Summarizable(filtered bool) bool {
	if filtered || s.Currency != "" {
		return false
	}
	for _, g := range s.GroupBy {
		if g != GroupModel && g != GroupCategory {
			return false
		}
	}
	return true
}

// WholeMonths returns the first day of the first and of the last calendar
// month lying entirely inside [From, To]; ok is false when there is none.
// The days of [From, To] outside them are the partial months the ledger
// itself answers.
func (s ReportSpec) WholeMonths() (first, last time.Time, ok bool) {
	from, to := itam.CalendarDay(s.From), itam.CalendarDay(s.To)
	first = PeriodStart(from, EveryMonth)
	if first.Before(from) {
		first = first.AddDate(0, 1, 0)
	}
	// The month after to's, minus one: to ends its month only if the next
	// day starts another.
	last = PeriodStart(to.AddDate(0, 0, 1), EveryMonth).AddDate(0, -1, 0)
	if last.Before(first) {
		return time.Time{}, time.Time{}, false
	}
	return first, last, true
}
