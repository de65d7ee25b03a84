package costs

import (
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// Where an expected end of life comes from, most authoritative first.
const (
	EndOfLifeExplicit   = "EXPLICIT"    // set on the asset
	EndOfLifeLease      = "LEASE_END"   // the end of the lease it is on
	EndOfLifeUsefulLife = "USEFUL_LIFE" // placed in service + useful life
)

// ExpectedEndOfLife is when an asset is expected to need replacing, and
// why: an end of life set on the asset wins (someone decided it), then the
// end of its lease (it goes back to the lessor), then the day it was placed
// in service plus its useful life in months (month-end days clamped as in
// Expand: Aug 31 + 6 months = Feb 28/29). Nil and "" when none is known
// (no date, or a useful life below one month).
func ExpectedEndOfLife(explicit, leaseEnd, inService *time.Time, usefulLifeMonths *int) (*time.Time, string) {
	switch {
	case explicit != nil:
		d := itam.CalendarDay(*explicit)
		return &d, EndOfLifeExplicit
	case leaseEnd != nil:
		d := itam.CalendarDay(*leaseEnd)
		return &d, EndOfLifeLease
	case inService != nil && usefulLifeMonths != nil && *usefulLifeMonths > 0:
		d := itam.AddMonths(itam.CalendarDay(*inService), *usefulLifeMonths)
		return &d, EndOfLifeUsefulLife
	}
	return nil, ""
}

// Quarter is the calendar quarter (1–4) t's day falls in.
func Quarter(t time.Time) (year, q int) {
	return t.Year(), (int(t.Month())-1)/3 + 1
}

// QuarterStart is the first day of a calendar quarter (q outside 1–4 rolls
// into the neighbouring years, so QuarterStart(y, q+1) always follows).
func QuarterStart(year, q int) time.Time {
	return itam.AddMonths(time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC), (q-1)*3)
}

// ReplacementCost is what replacing an asset is estimated to cost: its
// model's latest purchase price when the model has been bought, else the
// average price in its category (the caller's figure over the last two
// years), else unknown (nil). The result is a copy.
func ReplacementCost(latestModelPrice, categoryAverage *itam.Money) *itam.Money {
	for _, m := range []*itam.Money{latestModelPrice, categoryAverage} {
		if m != nil {
			c := *m
			return &c
		}
	}
	return nil
}
