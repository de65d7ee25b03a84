package itam

import "time"

// CalendarDay is t's year, month and day (in t's own location) as UTC
// midnight. Terms, costs and rates are counted in calendar days, so a time
// of day or a zone never moves one across a period boundary.
func CalendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CalendarDayPtr is CalendarDay for an optional time; nil stays nil.
func CalendarDayPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := CalendarDay(*t)
	return &d
}
