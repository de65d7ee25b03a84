package costs

import "time"

// Money is counted in calendar days (itam.CalendarDay): a cost is incurred
// on a day, a contract runs from one day to another.

// monthsLater is the day n calendar months after t with the day of month
// clamped to the target month's length (Jan 31 + 1 month = Feb 28, or 29 in
// a leap year), unlike time.AddDate, which normalizes Feb 31 into March.
func monthsLater(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	// Day 1 of the target month never overflows; time.Date normalizes the
	// month number (13 → next January, 0 → last December).
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// monthsBetween counts whole calendar months from a to b by month number
// only (days ignored); a lower bound helper for skipping ahead.
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}
