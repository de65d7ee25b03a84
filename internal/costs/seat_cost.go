package costs

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// Billing is how a license's seat cost is charged (licenses.BillingPeriod's
// values, repeated here so this package keeps no dependency on licenses).
type Billing string

const (
	BillOnce     Billing = "ONE_TIME"
	BillMonthly  Billing = "MONTHLY"
	BillAnnually Billing = "ANNUAL"
)

// SeatHolding is one license seat held (or once held) by an asset or a
// person, with the license's price inputs.
type SeatHolding struct {
	LicenseID uuid.UUID
	// SeatCost is the price of one seat; else TotalCost is split evenly
	// over Seats. Neither: the seat costs nothing we know of.
	SeatCost  *itam.Money
	TotalCost *itam.Money
	Seats     *int
	Billing   Billing
	// TermEnd is the license's last day: no recurring charge after it.
	TermEnd    *time.Time
	AssignedAt time.Time
	// ReclaimedAt nil: still held.
	ReclaimedAt *time.Time
}

// PerSeat is the price of one seat: SeatCost, else TotalCost ÷ Seats
// rounded to the currency's minor unit (half away from zero), else nil.
func (s SeatHolding) PerSeat() *itam.Money {
	switch {
	case s.SeatCost != nil:
		m := *s.SeatCost
		return &m
	case s.TotalCost != nil && s.Seats != nil && *s.Seats > 0:
		m := itam.Money{Amount: s.TotalCost.Amount.DivRound(decimal.NewFromInt(int64(*s.Seats)), itam.MinorUnits(s.TotalCost.Currency)), Currency: s.TotalCost.Currency}
		return &m
	}
	return nil
}

// SeatLines turns a held seat into dated SUBSCRIPTION lines within [from,
// to] — the one rule for what a seat costs over time:
//   - ONE_TIME: the seat's price once, on the day it was assigned;
//   - MONTHLY / ANNUAL: the price on the assignment day and every month
//     (year) after it (month ends clamped as in Expand), while the seat is
//     held (a charge falling due on the day it is reclaimed is not owed)
//     and the license's term lasts.
//
// A seat with no known price yields nothing.
func SeatLines(s SeatHolding, from, to time.Time) []Line {
	price := s.PerSeat()
	if price == nil {
		return nil
	}
	assigned := itam.CalendarDay(s.AssignedAt)
	var every Interval
	switch s.Billing {
	case BillMonthly:
		every = EveryMonth
	case BillAnnually:
		every = EveryYear
	default:
		from, to = itam.CalendarDay(from), itam.CalendarDay(to)
		if assigned.Before(from) || assigned.After(to) {
			return nil
		}
		return []Line{{Kind: KindSubscription, Date: assigned, Amount: *price, SourceID: s.LicenseID}}
	}
	var end *time.Time
	if s.ReclaimedAt != nil {
		e := itam.CalendarDay(*s.ReclaimedAt).AddDate(0, 0, -1)
		end = &e
	}
	if s.TermEnd != nil && (end == nil || itam.CalendarDay(*s.TermEnd).Before(*end)) {
		e := itam.CalendarDay(*s.TermEnd)
		end = &e
	}
	if end != nil && end.Before(assigned) {
		return nil
	}
	// The seat as a synthetic subscription contract, so recurring seats
	// fall due exactly like contract charges.
	c := Contract{ID: s.LicenseID, Kind: ContractSubscription, Start: assigned, End: end,
		Charges: []Charge{{Amount: *price, Every: every}}}
	return Expand(c, from, to)
}
