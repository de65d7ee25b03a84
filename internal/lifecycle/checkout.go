package lifecycle

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// AssignRequest is what assignAsset asks for: who or where takes the asset,
// and the terms of the checkout it opens.
type AssignRequest struct {
	To itam.Assignee
	// Reassign allows handing on an asset someone else holds.
	Reassign bool
	// LocationID, when set, is where the asset goes instead of its holder's
	// location.
	LocationID *uuid.UUID
	// ExpectedReturn is the day the asset is due back (a calendar day, UTC).
	ExpectedReturn *time.Time
	// RequireAcceptance asks the person to confirm receipt
	// (acceptAssetAssignment); only a person can.
	RequireAcceptance bool
}

// AssignFacts is what the store read for Assign: today's date, the current
// holder's display name (for the refusal) and the new person's location.
type AssignFacts struct {
	Today          time.Time
	Holder         string
	PersonLocation *uuid.UUID
}

// checkTerms checks the checkout terms: a due date not before today (the
// organization's day is UTC's), acceptance only by a person.
func (r AssignRequest) checkTerms(today time.Time) error {
	if r.ExpectedReturn != nil && itam.CalendarDay(*r.ExpectedReturn).Before(itam.CalendarDay(today)) {
		return itam.Invalid("expectedReturnDate", "expected return date %s is before today (%s, UTC)",
			r.ExpectedReturn.Format(time.DateOnly), today.UTC().Format(time.DateOnly))
	}
	if r.RequireAcceptance && r.To.PersonID == nil {
		return itam.Invalid("requireAcceptance", "only a person can accept an assignment; assign it to a person or leave requireAcceptance false")
	}
	return nil
}

// Checkout is one period an asset spent checked out to a person or a
// location: opened by assigning, closed (ReturnedAt) when it comes back.
// An asset has at most one open checkout, its current holder's.
type Checkout struct {
	ID                 uuid.UUID
	AssetID            uuid.UUID
	PersonID           *uuid.UUID
	LocationID         *uuid.UUID
	CheckedOutAt       time.Time
	CheckedOutBy       string
	ExpectedReturnDate *time.Time
	RequiresAcceptance bool
	AcceptedAt         *time.Time
	AcceptedBy         *string
	ReturnedAt         *time.Time
	ReturnedBy         *string
	ReturnCondition    *itam.Condition
	ReturnNotes        *string
}

// DaysOverdue is how many days past its expected return date an open
// checkout is on today (UTC calendar days); 0 when it is not due yet, has
// no date, or was returned.
func (c Checkout) DaysOverdue(today time.Time) int {
	if c.ReturnedAt != nil || c.ExpectedReturnDate == nil {
		return 0
	}
	days := int(itam.CalendarDay(today.UTC()).Sub(itam.CalendarDay(*c.ExpectedReturnDate)).Hours() / 24)
	return max(0, days)
}

// CheckinRequest is what checkinAsset records about the return.
type CheckinRequest struct {
	Condition itam.Condition
	// LocationID is where the asset now is; nil keeps its location.
	LocationID *uuid.UUID
	Notes      *string
}

// Checkin returns a DEPLOYED asset to IN_STOCK: the assignee is dropped
// (its checkout closes), the condition it came back in recorded, and it
// moves to the location given. An asset IN_REPAIR is checked in with a
// transition to IN_STOCK; one LOST or STOLEN with unassignAsset.
func Checkin(a itam.Asset, req CheckinRequest) (Change, error) {
	if !assigned(a) {
		return Change{}, itam.Invalid("assetId", "asset %s is not checked out to anyone", a.AssetTag)
	}
	if a.Status != itam.StatusDeployed {
		return Change{}, itam.Invalid("assetId", "asset %s is %s, not DEPLOYED: use transitionAsset to IN_STOCK (from IN_REPAIR) or unassignAsset", a.AssetTag, a.Status)
	}
	if !itam.ValidCondition(req.Condition) {
		return Change{}, itam.Invalid("condition", "unknown condition %q", req.Condition)
	}
	a.Status, a.Condition = itam.StatusInStock, req.Condition
	a.AssignedPersonID, a.AssignedLocationID = nil, nil
	if req.LocationID != nil {
		a.LocationID = req.LocationID
	}
	return Change{Asset: a, Action: itam.HistoryCheckin}, nil
}

// Accept decides whether caller (the person record of who is asking; nil
// when they have none) may confirm receipt of the asset checked out in c
// (nil: the asset is not checked out). Only the person it is checked out to
// may: anyone else, whatever their role, is FORBIDDEN. For them, accepting
// a checkout that asks for no acceptance, or one already accepted, is
// BAD_USER_INPUT.
func Accept(c *Checkout, caller *uuid.UUID) error {
	if c == nil || c.PersonID == nil || caller == nil || *c.PersonID != *caller {
		return itam.Forbidden("only the person an asset is assigned to may accept the assignment")
	}
	if !c.RequiresAcceptance {
		return itam.Invalid("assetId", "this assignment does not ask for acceptance: nothing to accept")
	}
	if c.AcceptedAt != nil {
		return itam.Invalid("assetId", "this assignment was already accepted on %s", c.AcceptedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// OverdueFilter narrows the overdue report (overdueCheckouts).
type OverdueFilter struct {
	// Assignees: checkouts to any of these people or locations.
	Assignees []uuid.UUID
	// MinDaysOverdue: at least this many days late (1–36500; nil: 1).
	MinDaysOverdue *int
}

// DueBefore checks f and returns the day a checkout must be due on or
// before to be reported on today (UTC): MinDaysOverdue days before today.
func (f OverdueFilter) DueBefore(today time.Time) (time.Time, error) {
	days := 1
	if f.MinDaysOverdue != nil {
		if *f.MinDaysOverdue < 1 || *f.MinDaysOverdue > 36500 {
			return time.Time{}, itam.Invalid("filter.minDaysOverdue", "must be between 1 and 36500, got %d", *f.MinDaysOverdue)
		}
		days = *f.MinDaysOverdue
	}
	return itam.CalendarDay(today.UTC()).AddDate(0, 0, -days), nil
}
