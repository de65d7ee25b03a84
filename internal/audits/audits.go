// Package audits holds the rules of physical audits and of the ghost-asset
// report: who may run and scan a campaign, what a scanned code is, what
// each item's outcome means, what closing a campaign changes, when an
// asset's next audit is due and how stale an asset must be to be a ghost.
// It imports no database: internal/postgres loads and saves what it decides.
package audits

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Status is where a campaign is: OPEN takes scans; CLOSED is final.
type Status string

const (
	StatusOpen   Status = "OPEN"
	StatusClosed Status = "CLOSED"
)

// Outcome is what the campaign learned about one item.
type Outcome string

const (
	// OutcomeFound: expected by the campaign and scanned.
	OutcomeFound Outcome = "FOUND"
	// OutcomeMissing: expected by the campaign, not scanned (yet).
	OutcomeMissing Outcome = "MISSING"
	// OutcomeUnexpected: a known asset the campaign did not expect, scanned.
	OutcomeUnexpected Outcome = "UNEXPECTED"
	// OutcomeUnknown: a scanned code no asset of the organization has.
	OutcomeUnknown Outcome = "UNKNOWN"
)

// Outcomes lists every outcome, in the order counts report them.
var Outcomes = []Outcome{OutcomeFound, OutcomeMissing, OutcomeUnexpected, OutcomeUnknown}

// ExpectedStatuses are the statuses an asset must have to be expected by a
// campaign: the ones where it is physically somewhere the organization
// controls. ORDERED assets have not arrived, LOST and STOLEN ones are known
// to be gone, RETIRED and DISPOSED ones have left the register; scanning
// one of those is UNEXPECTED, which is what an auditor wants to hear.
var ExpectedStatuses = []itam.AssetStatus{itam.StatusInStock, itam.StatusDeployed, itam.StatusInRepair}

// Campaign is one physical audit.
type Campaign struct {
	ID         uuid.UUID
	Name       string
	LocationID *uuid.UUID
	DueDate    time.Time
	Status     Status
	// MoveUnexpected is what closing chose (nil while OPEN).
	MoveUnexpected *bool
	CreatedAt      time.Time
	CreatedBy      string
	ClosedAt       *time.Time
	ClosedBy       *string
}

// CampaignInput creates a campaign. Its scope is the location's subtree
// (the location and every location below it) and/or the filter; at least
// one of them is required (an empty filter means every asset).
type CampaignInput struct {
	Name       string
	LocationID *uuid.UUID
	Filter     *itam.AssetFilter
	DueDate    time.Time
}

// Item is one expected asset or one scan of a campaign.
type Item struct {
	ID                   uuid.UUID
	CampaignID           uuid.UUID
	Outcome              Outcome
	Code                 string
	AssetID              *uuid.UUID
	RegisteredLocationID *uuid.UUID
	ScannedLocationID    *uuid.UUID
	ScannedAt            *time.Time
	ScannedBy            *string
	Condition            *itam.Condition
}

// Counts are a campaign's items per outcome.
type Counts struct {
	Found, Missing, Unexpected, Unknown int
}

// Total is every item.
func (c Counts) Total() int { return c.Found + c.Missing + c.Unexpected + c.Unknown }

// Add counts n items of outcome o.
func (c *Counts) Add(o Outcome, n int) {
	switch o {
	case OutcomeFound:
		c.Found += n
	case OutcomeMissing:
		c.Missing += n
	case OutcomeUnexpected:
		c.Unexpected += n
	case OutcomeUnknown:
		c.Unknown += n
	}
}

// Scan is one recordAuditScan.
type Scan struct {
	CampaignID uuid.UUID
	Code       string
	LocationID uuid.UUID
	Condition  *itam.Condition
}

// RequireManage returns the caller when they may create and close
// campaigns: ADMIN and MANAGER, who change inventory.
func RequireManage(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanWriteInventory() {
		return p, itam.Forbidden("role %s cannot create or close audit campaigns", p.Role)
	}
	return p, nil
}

// RequireScan returns the caller when they may record scans: ADMIN,
// MANAGER and AUDITOR. Auditors are who walk the floor with a scanner; a
// scan records what was seen and changes no asset until a MANAGER or ADMIN
// closes the campaign.
func RequireScan(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if p.Role != itam.RoleAdmin && p.Role != itam.RoleManager && p.Role != itam.RoleAuditor {
		return p, itam.Forbidden("role %s cannot record audit scans", p.Role)
	}
	return p, nil
}

// RequireRead returns the caller when they may read campaigns and the
// ghost-asset report: everyone but EMPLOYEE.
func RequireRead(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanReadAll() {
		return p, itam.Forbidden("role %s cannot read audits", p.Role)
	}
	return p, nil
}

// MaxCodeLength bounds a scanned code (tags and serials are far shorter).
const MaxCodeLength = 255

// Validate trims the campaign's name and checks its scope.
func (in *CampaignInput) Validate() error {
	name, err := itam.RequiredText("name", &in.Name)
	if err != nil {
		return err
	}
	if len([]rune(name)) > 200 {
		return itam.Invalid("name", "name is at most 200 characters")
	}
	in.Name = name
	if in.LocationID == nil && in.Filter == nil {
		return itam.Invalid("locationId", "give the campaign a scope: a location (with everything below it), a filter, or both")
	}
	if in.DueDate.IsZero() {
		return itam.Invalid("dueDate", "a due date is required")
	}
	in.DueDate = itam.CalendarDay(in.DueDate)
	return nil
}

// Validate trims the scanned code (scanners add whitespace and line ends)
// and checks the condition. The code is kept as scanned otherwise; it is
// matched to asset tags and serials regardless of case (CodeKey).
func (s *Scan) Validate() error {
	s.Code = strings.TrimSpace(s.Code)
	if s.Code == "" {
		return itam.Invalid("code", "code is empty")
	}
	if len([]rune(s.Code)) > MaxCodeLength {
		return itam.Invalid("code", "code is at most %d characters", MaxCodeLength)
	}
	if s.Condition != nil && !itam.ValidCondition(*s.Condition) {
		return itam.Invalid("condition", "unknown condition %q", *s.Condition)
	}
	return nil
}

// CheckOpen refuses to change a closed campaign.
func (c *Campaign) CheckOpen(field string) error {
	if c.Status != StatusOpen {
		return itam.Invalid(field, "audit campaign %q is closed", c.Name)
	}
	return nil
}

// Match is what a scanned code resolved to among the organization's assets.
type Match struct {
	AssetID    uuid.UUID
	LocationID *uuid.UUID
}

// Resolve picks the asset a code names: the asset whose tag it is, else the
// one whose serial it is. Tags are unique; a serial recorded for two
// manufacturers is ambiguous and refused (scan the tag instead) rather
// than guessed. No match is an UNKNOWN code (nil, nil).
func Resolve(code string, byTag, bySerial []Match) (*Match, error) {
	if len(byTag) > 0 {
		return &byTag[0], nil
	}
	switch len(bySerial) {
	case 0:
		return nil, nil
	case 1:
		return &bySerial[0], nil
	}
	return nil, itam.Invalid("code", "serial number %q is recorded for %d assets; scan the asset tag instead", code, len(bySerial))
}
