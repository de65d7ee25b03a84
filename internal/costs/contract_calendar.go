package costs

import "time"

// Money is counted in calendar days: a cost is incurred on a day, a
// contract runs from one day to another. These helpers reduce times to
// that day so a time of day or a zone never moves a cost across a period
// boundary.

// calendarDay is t's year, month and day (in t's own location) as UTC
// midnight.
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func dayPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := calendarDay(*t)
	return &d
}

// monthsLater is the day n calendar months after t with the day of month
// clamped to the target month's length (Jan 31 + 1 month = Feb 28, or 29 in
// a leap year), unlike time.AddDate, which normalizes Feb 31 into March.
func monthsLater(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + n
	ty, tm := y+floorDiv(total, 12), time.Month(floorMod(total, 12)+1)
	if last := daysIn(ty, tm); d > last {
		d = last
	}
	return time.Date(ty, tm, d, 0, 0, 0, 0, time.UTC)
}

// monthsBetween counts whole calendar months from a to b by month number
// only (days ignored); a lower bound helper for skipping ahead.
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }
