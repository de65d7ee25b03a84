package costs

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// ContractKind is what a contract pays for.
type ContractKind string

const (
	ContractSupport           ContractKind = "SUPPORT"
	ContractMaintenance       ContractKind = "MAINTENANCE"
	ContractWarrantyExtension ContractKind = "WARRANTY_EXTENSION"
	ContractLease             ContractKind = "LEASE"
	ContractSubscription      ContractKind = "SUBSCRIPTION"
)

// Valid reports whether k is a known contract kind.
func (k ContractKind) Valid() bool {
	switch k {
	case ContractSupport, ContractMaintenance, ContractWarrantyExtension, ContractLease, ContractSubscription:
		return true
	}
	return false
}

// EntryKind is the ledger kind a contract's charges count as in totals. A
// warranty extension pays for keeping hardware repaired, so it counts as
// MAINTENANCE; the other kinds map one to one.
func (k ContractKind) EntryKind() EntryKind {
	switch k {
	case ContractSupport:
		return KindSupport
	case ContractMaintenance, ContractWarrantyExtension:
		return KindMaintenance
	case ContractLease:
		return KindLease
	case ContractSubscription:
		return KindSubscription
	}
	return KindOther
}

// Interval is how often a recurring charge falls due.
type Interval string

const (
	EveryMonth   Interval = "MONTH"
	EveryQuarter Interval = "QUARTER"
	EveryYear    Interval = "YEAR"
)

// Months is the interval's length in calendar months (0 when unknown).
func (i Interval) Months() int {
	switch i {
	case EveryMonth:
		return 1
	case EveryQuarter:
		return 3
	case EveryYear:
		return 12
	}
	return 0
}

// Valid reports whether i is a known interval.
func (i Interval) Valid() bool { return i.Months() > 0 }

// Charge is an amount a contract costs every interval. Start (default: the
// contract's start) is the first due date; End (default: the contract's
// end, or never) is the last day a charge can fall due. Both are inclusive
// calendar days.
type Charge struct {
	Amount itam.Money
	Every  Interval
	Start  *time.Time
	End    *time.Time
}

// Contract is an agreement with a supplier that covers assets and licenses
// and costs recurring charges. End nil is open-ended (rolling until
// cancelled). Dates are inclusive calendar days.
type Contract struct {
	ID          uuid.UUID
	Kind        ContractKind
	SupplierID  *uuid.UUID
	Number      *string
	Start       time.Time
	End         *time.Time
	RenewalDate *time.Time
	// NoticeDate is the last day to give notice before the contract renews.
	NoticeDate *time.Time
	AssetIDs   []uuid.UUID
	LicenseIDs []uuid.UUID
	Charges    []Charge
	Notes      *string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// MaxCharges bounds a contract's recurring charges: each is expanded on
// every read of a period.
const MaxCharges = 50

// Validate checks the rules every stored contract satisfies and names the
// input field at fault. Charges may not start before or after the contract;
// a charge ending after the contract is allowed (renewals move the
// contract's end) and simply stops with it.
func (c Contract) Validate() error {
	if !c.Kind.Valid() {
		return itam.Invalid("kind", "unknown contract kind %q", c.Kind)
	}
	if c.Start.IsZero() {
		return itam.Invalid("start", "a contract needs a start date")
	}
	start := itam.CalendarDay(c.Start)
	if c.End != nil && itam.CalendarDay(*c.End).Before(start) {
		return itam.Invalid("end", "a contract cannot end before it starts")
	}
	if c.RenewalDate != nil && itam.CalendarDay(*c.RenewalDate).Before(start) {
		return itam.Invalid("renewalDate", "a contract cannot renew before it starts")
	}
	if c.NoticeDate != nil {
		n := itam.CalendarDay(*c.NoticeDate)
		switch {
		case n.Before(start):
			return itam.Invalid("noticeDate", "the notice date cannot be before the contract starts")
		case c.End != nil && n.After(itam.CalendarDay(*c.End)):
			return itam.Invalid("noticeDate", "the notice date cannot be after the contract ends")
		case c.RenewalDate != nil && n.After(itam.CalendarDay(*c.RenewalDate)):
			return itam.Invalid("noticeDate", "the notice date cannot be after the renewal date")
		}
	}
	if c.Number != nil {
		if err := itam.CheckText("number", *c.Number, MaxReferenceLength); err != nil {
			return err
		}
	}
	if c.Notes != nil {
		if err := itam.CheckText("notes", *c.Notes, 0); err != nil {
			return err
		}
	}
	if err := uniqueIDs("assetIds", c.AssetIDs); err != nil {
		return err
	}
	if err := uniqueIDs("licenseIds", c.LicenseIDs); err != nil {
		return err
	}
	if len(c.Charges) > MaxCharges {
		return itam.Invalid("charges", "a contract has at most %d charges", MaxCharges)
	}
	for i, ch := range c.Charges {
		if err := ch.validate(fmt.Sprintf("charges[%d]", i), c); err != nil {
			return err
		}
	}
	return nil
}

func (ch Charge) validate(field string, c Contract) error {
	if err := itam.ValidateMoney(ch.Amount, field+".amount"); err != nil {
		return err
	}
	if !ch.Every.Valid() {
		return itam.Invalid(field+".every", "a charge recurs every MONTH, QUARTER or YEAR")
	}
	start := ch.first(c)
	if start.Before(itam.CalendarDay(c.Start)) || (c.End != nil && start.After(itam.CalendarDay(*c.End))) {
		return itam.Invalid(field+".start", "a charge starts within its contract")
	}
	if ch.End != nil && itam.CalendarDay(*ch.End).Before(start) {
		return itam.Invalid(field+".end", "a charge cannot end before it starts")
	}
	return nil
}

// Normalize validates c and returns a copy with canonical currencies and
// calendar-day dates, which is what stores save.
func (c Contract) Normalize() (Contract, error) {
	if err := c.Validate(); err != nil {
		return Contract{}, err
	}
	c.Start = itam.CalendarDay(c.Start)
	c.End = itam.CalendarDayPtr(c.End)
	c.RenewalDate = itam.CalendarDayPtr(c.RenewalDate)
	c.NoticeDate = itam.CalendarDayPtr(c.NoticeDate)
	c.Number = itam.Trimmed(c.Number)
	c.Notes = itam.Trimmed(c.Notes)
	charges := make([]Charge, len(c.Charges))
	for i, ch := range c.Charges {
		ch.Amount.Currency, _ = itam.ParseCurrency(ch.Amount.Currency)
		ch.Start, ch.End = itam.CalendarDayPtr(ch.Start), itam.CalendarDayPtr(ch.End)
		charges[i] = ch
	}
	c.Charges = charges
	return c, nil
}

func uniqueIDs(field string, ids []uuid.UUID) error {
	seen := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return itam.Invalid(field, "%s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// Line is one dated cost: a ledger entry, a contract charge falling due, or
// a license seat's share. Totals, TCO and spend reports are computed over
// lines, so every source of cost is summed the same way.
type Line struct {
	Kind   EntryKind
	Date   time.Time // calendar day, UTC midnight
	Amount itam.Money
	// SourceID is the entry, contract or license the line comes from.
	SourceID uuid.UUID
	// Charge is the index of the contract charge that fell due (0 otherwise).
	Charge int
}

// Expand returns the lines c's charges fall due on within [from, to]
// (inclusive calendar days), in date order then charge order. It is how
// recurring charges become costs: computed on read for any period, so no
// job ever writes future rows.
//
// A charge is due on its start date and every interval after, while the
// due date is within the contract and the charge's own dates. Due date k is
// start + k×interval months counted from the start, not from the previous
// due date, with the day clamped to the month's last day: a monthly charge
// starting Jan 31 is due Feb 28 (Feb 29 in a leap year), Mar 31, Apr 30, …
// and never drifts to the 28th. c is assumed valid (see Validate); a
// charge with an unknown interval yields nothing.
func Expand(c Contract, from, to time.Time) []Line {
	from, to = itam.CalendarDay(from), itam.CalendarDay(to)
	var lines []Line
	kind := c.Kind.EntryKind()
	for i, ch := range c.Charges {
		step := ch.Every.Months()
		if step == 0 {
			continue
		}
		first := ch.first(c)
		last := to
		if c.End != nil && itam.CalendarDay(*c.End).Before(last) {
			last = itam.CalendarDay(*c.End)
		}
		if ch.End != nil && itam.CalendarDay(*ch.End).Before(last) {
			last = itam.CalendarDay(*ch.End)
		}
		// Skip to just before the window rather than walking from a start
		// years back: the due date is a function of k alone.
		k := 0
		if from.After(first) {
			k = max(0, monthsBetween(first, from)/step-1)
		}
		for ; ; k++ {
			due := itam.AddMonths(first, k*step)
			if due.After(last) {
				break
			}
			if due.Before(from) {
				continue
			}
			lines = append(lines, Line{Kind: kind, Date: due, Amount: ch.Amount, SourceID: c.ID, Charge: i})
		}
	}
	sortLines(lines)
	return lines
}

// first is the charge's first due day: its own start, else the contract's.
func (ch Charge) first(c Contract) time.Time {
	if ch.Start != nil {
		return itam.CalendarDay(*ch.Start)
	}
	return itam.CalendarDay(c.Start)
}

// LeaseEnd is the latest end among c's LEASE contracts, which drives an
// asset's expected end of life; nil when none is leased with an end.
func LeaseEnd(cs []Contract) *time.Time {
	var end *time.Time
	for _, c := range cs {
		if c.Kind != ContractLease || c.End == nil {
			continue
		}
		if e := itam.CalendarDay(*c.End); end == nil || e.After(*end) {
			end = &e
		}
	}
	return end
}
