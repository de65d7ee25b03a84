package offboarding

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// MaxEffectiveDateDays bounds how far an offboarding's effective date may
// lie from today, either way: a year covers a late entry and a planned
// departure; anything further is a typo (2205 for 2025).
const MaxEffectiveDateDays = 366

// MaxReasonLength bounds a write-off reason, in characters.
const MaxReasonLength = 1000

// CheckEffectiveDate refuses an effective date more than
// MaxEffectiveDateDays from today (both calendar days).
func CheckEffectiveDate(effective, today time.Time) error {
	d, t := itam.CalendarDay(effective), itam.CalendarDay(today)
	if d.Before(t.AddDate(0, 0, -MaxEffectiveDateDays)) || d.After(t.AddDate(0, 0, MaxEffectiveDateDays)) {
		return itam.Invalid("effectiveDate", "the effective date must be within %d days of today (%s)", MaxEffectiveDateDays, t.Format(time.DateOnly))
	}
	return nil
}

// Person is what CheckOffboard needs to know about the person.
type Person struct {
	Status    itam.PersonStatus
	StartDate *time.Time
	// OpenChecklist is the person's OPEN checklist, if any.
	OpenChecklist *uuid.UUID
}

// CheckOffboard decides whether a person may be offboarded on effective.
// One already OFFBOARDED with an open checklist is refused (finish that
// one); one OFFBOARDED without one (by an update, an HR sync, or whose
// checklist completed) may be offboarded again: the new checklist lists
// what they hold now. The end date cannot precede the start date.
func CheckOffboard(p Person, effective, today time.Time) error {
	if err := CheckEffectiveDate(effective, today); err != nil {
		return err
	}
	if p.OpenChecklist != nil {
		return itam.Invalid("personId", "this person is already being offboarded: checklist %s is still open", p.OpenChecklist)
	}
	if p.StartDate != nil && itam.CalendarDay(effective).Before(itam.CalendarDay(*p.StartDate)) {
		return itam.Invalid("effectiveDate", "the effective date cannot be before the person's start date (%s)", p.StartDate.Format(time.DateOnly))
	}
	return nil
}

// HeldAsset is an asset assigned to the person when the checklist opens.
type HeldAsset struct {
	ID uuid.UUID
	// ExpectedReturnDate is its open checkout's, when it is on loan.
	ExpectedReturnDate *time.Time
}

// AssetKind is the one rule telling a loan from an assignment: an asset
// whose open checkout has an expected return date is a CHECKOUT (a loaner
// due back on that date); any other assigned asset is an ASSET.
func AssetKind(expectedReturn *time.Time) ItemKind {
	if expectedReturn != nil {
		return KindCheckout
	}
	return KindAsset
}

// NewChecklist is the checklist opened for a person on effective, listing
// one TO_RETURN item per asset and per seat they hold (assets first, in
// the order given). With nothing to list it is COMPLETED at once, at now.
func NewChecklist(person uuid.UUID, effective time.Time, assets []HeldAsset, seats []uuid.UUID, by string, now time.Time) Checklist {
	c := Checklist{PersonID: person, EffectiveDate: itam.CalendarDay(effective), Status: Open, OpenedAt: now, OpenedBy: by,
		Items: make([]*Item, 0, len(assets)+len(seats))}
	for _, a := range assets {
		id := a.ID
		c.Items = append(c.Items, &Item{Kind: AssetKind(a.ExpectedReturnDate), State: ToReturn, AssetID: &id,
			ExpectedReturnDate: itam.CalendarDayPtr(a.ExpectedReturnDate)})
	}
	for _, s := range seats {
		id := s
		c.Items = append(c.Items, &Item{Kind: KindLicenseSeat, State: ToReturn, SeatID: &id})
	}
	c.Complete(now)
	return c
}

// Done reports whether every item is closed; a checklist without items is.
func Done(items []*Item) bool {
	for _, it := range items {
		if it.State == ToReturn {
			return false
		}
	}
	return true
}

// Complete marks an OPEN checklist COMPLETED at now when every item is
// closed, and reports whether it did.
func (c *Checklist) Complete(now time.Time) bool {
	if c.Status != Open || !Done(c.Items) {
		return false
	}
	c.Status, c.CompletedAt = Completed, &now
	return true
}

// closes says which state each kind of item closes to when the thing
// comes back: an asset is returned (checked in), a seat reclaimed.
var closes = map[ItemKind]ItemState{KindAsset: Returned, KindCheckout: Returned, KindLicenseSeat: Reclaimed}

// CameBack closes an item because what it lists came back (an asset
// checked in, a seat reclaimed), at now by actor. Only a TO_RETURN item
// closes; one already closed is left as it is (false).
func CameBack(it *Item, actor string, now time.Time) bool {
	if it.State != ToReturn {
		return false
	}
	it.State, it.ClosedAt, it.ClosedBy = closes[it.Kind], &now, &actor
	return true
}

// WriteOff closes an item as WRITTEN_OFF with reason: it will not come
// back (lost, kept by agreement, broken beyond return). The reason is
// required (1–MaxReasonLength characters, trimmed) so the checklist
// explains itself; an item already closed is CONFLICT.
func WriteOff(it *Item, reason, actor string, now time.Time) error {
	if err := itam.CheckText("reason", reason, MaxReasonLength); err != nil {
		return err
	}
	r := itam.Trimmed(&reason)
	if r == nil {
		return itam.Invalid("reason", "a reason is required to write an item off")
	}
	if it.State != ToReturn {
		return itam.Conflict("itemId", "this item is already closed as %s", it.State)
	}
	it.State, it.Reason, it.ClosedAt, it.ClosedBy = WrittenOff, r, &now, &actor
	return nil
}
