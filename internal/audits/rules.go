package audits

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Seen is one asset a campaign saw (FOUND or UNEXPECTED), with what the
// register says about it now, as closing reads them.
type Seen struct {
	AssetID           uuid.UUID
	Outcome           Outcome
	ScannedAt         time.Time
	ScannedLocationID *uuid.UUID
	ScannedCondition  *itam.Condition
	// The asset as registered now.
	Condition  itam.Condition
	LocationID *uuid.UUID
}

// AssetChange is what closing writes to one asset: always when it was last
// audited; a new condition when the scan recorded a different one; a new
// location when an UNEXPECTED asset is moved to where it was scanned.
type AssetChange struct {
	AssetID       uuid.UUID
	LastAuditedAt time.Time
	Condition     *itam.Condition // nil: unchanged
	LocationID    *uuid.UUID      // nil: unchanged
}

// Changed reports whether the change edits the asset's own fields (and so
// writes a history entry and a new version), beyond the audit date.
func (c AssetChange) Changed() bool { return c.Condition != nil || c.LocationID != nil }

// Close decides what closing a campaign changes: every seen asset records
// its scan as its last audit; a condition scanned differently from the
// register replaces it; with moveUnexpected, an UNEXPECTED asset scanned
// somewhere else than registered moves there. FOUND assets never move: they
// were expected within the scope, and a misplacement inside it shows as
// differing registered and scanned locations without rewriting the register.
func Close(seen []Seen, moveUnexpected bool) []AssetChange {
	out := make([]AssetChange, 0, len(seen))
	for _, s := range seen {
		ch := AssetChange{AssetID: s.AssetID, LastAuditedAt: s.ScannedAt}
		if s.ScannedCondition != nil && *s.ScannedCondition != s.Condition {
			c := *s.ScannedCondition
			ch.Condition = &c
		}
		if moveUnexpected && s.Outcome == OutcomeUnexpected && s.ScannedLocationID != nil &&
			(s.LocationID == nil || *s.LocationID != *s.ScannedLocationID) {
			l := *s.ScannedLocationID
			ch.LocationID = &l
		}
		out = append(out, ch)
	}
	return out
}

// MaxIntervalMonths bounds a category's audit interval (10 years).
const MaxIntervalMonths = 120

// CheckInterval validates a category's audit interval; nil means the
// category's assets need no audit.
func CheckInterval(field string, months *int) error {
	if months != nil && (*months < 1 || *months > MaxIntervalMonths) {
		return itam.Invalid(field, "audit interval must be between 1 and %d months", MaxIntervalMonths)
	}
	return nil
}

// NextAuditDue is the day an asset's next physical audit is due: its last
// audit plus its category's interval. An asset never audited counts from
// when it entered the organization: its purchase date, else the day it was
// recorded (an asset bought years before it was entered is overdue at
// once, which is what an auditor expects). nil when the category requires
// no audits, and for RETIRED and DISPOSED assets, which have left the
// register. Month ends clamp (Jan 31 + 1 month = Feb 28/29).
func NextAuditDue(status itam.AssetStatus, lastAudited *time.Time, purchaseDate *time.Time, createdAt time.Time, intervalMonths *int) *time.Time {
	if intervalMonths == nil || status == itam.StatusRetired || status == itam.StatusDisposed {
		return nil
	}
	from := createdAt
	switch {
	case lastAudited != nil:
		from = *lastAudited
	case purchaseDate != nil:
		from = *purchaseDate
	}
	d := itam.AddMonths(itam.CalendarDay(from.UTC()), *intervalMonths)
	return &d
}

// SignOfLifeSource is what last showed an asset exists.
type SignOfLifeSource string

const (
	SignConnector SignOfLifeSource = "CONNECTOR"
	SignAudit     SignOfLifeSource = "AUDIT"
	SignUser      SignOfLifeSource = "USER"
	SignCreated   SignOfLifeSource = "CREATED"
)

// Ghost is an asset active in the register that nothing has shown to exist
// for a while: a candidate for retirement.
type Ghost struct {
	AssetID        uuid.UUID
	LastSignOfLife time.Time
	Source         SignOfLifeSource
}

// MaxNotSeenForDays bounds the ghost report's threshold (10 years).
const MaxNotSeenForDays = 3650

// GhostCutoff is the instant before which an asset's last sign of life
// makes it a ghost: notSeenForDays (1–3650) before now.
func GhostCutoff(notSeenForDays int, now time.Time) (time.Time, error) {
	if notSeenForDays < 1 || notSeenForDays > MaxNotSeenForDays {
		return time.Time{}, itam.Invalid("notSeenForDays", "notSeenForDays must be between 1 and %d", MaxNotSeenForDays)
	}
	return now.AddDate(0, 0, -notSeenForDays), nil
}

// GoneStatuses are the statuses an asset is no ghost in: it already left
// the register.
var GoneStatuses = []itam.AssetStatus{itam.StatusRetired, itam.StatusDisposed}
