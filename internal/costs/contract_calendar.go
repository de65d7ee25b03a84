package costs

import "time"

// Money is counted in calendar days (itam.CalendarDay): a cost is incurred
// on a day, a contract runs from one day to another.

// monthsBetween counts whole calendar months from a to b by month number
// only (days ignored); a lower bound helper for skipping ahead.
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}
