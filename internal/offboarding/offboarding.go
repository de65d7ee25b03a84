// Package offboarding holds the rules of taking a person out of the
// organization: what their checklist lists, how each item closes, when the
// checklist is complete, and who may read or change it. It imports no
// database; internal/postgres loads and saves what these functions decide.
package offboarding

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Status is a checklist's: OPEN while anything is still to return,
// COMPLETED once every item is closed.
type Status string

const (
	Open      Status = "OPEN"
	Completed Status = "COMPLETED"
)

// ItemKind says what an item lists.
type ItemKind string

const (
	// KindAsset is an asset assigned to the person.
	KindAsset ItemKind = "ASSET"
	// KindLicenseSeat is a license seat the person holds.
	KindLicenseSeat ItemKind = "LICENSE_SEAT"
	// KindCheckout is an asset assigned to the person on loan: its open
	// checkout has an expected return date.
	KindCheckout ItemKind = "CHECKOUT"
)

// ItemState is where an item stands: TO_RETURN until it closes as
// RETURNED (an asset checked in), RECLAIMED (a seat taken back) or
// WRITTEN_OFF (given up on, with a reason).
type ItemState string

const (
	ToReturn   ItemState = "TO_RETURN"
	Returned   ItemState = "RETURNED"
	Reclaimed  ItemState = "RECLAIMED"
	WrittenOff ItemState = "WRITTEN_OFF"
)

// Checklist is one offboarding of one person.
type Checklist struct {
	ID            uuid.UUID
	PersonID      uuid.UUID
	EffectiveDate time.Time
	Status        Status
	OpenedAt      time.Time
	OpenedBy      string
	CompletedAt   *time.Time
	Items         []*Item
}

// Item is one thing the person must give back.
type Item struct {
	ID          uuid.UUID
	ChecklistID uuid.UUID
	Kind        ItemKind
	State       ItemState
	AssetID     *uuid.UUID
	SeatID      *uuid.UUID
	// ExpectedReturnDate is the loan's due date (CHECKOUT items).
	ExpectedReturnDate *time.Time
	Reason             *string
	ClosedAt           *time.Time
	ClosedBy           *string
}

// Exception is something an OFFBOARDED person still holds that no open
// checklist lists (and nobody wrote off): the register disagrees with the
// person having left.
type Exception struct {
	PersonID uuid.UUID
	Kind     ItemKind
	AssetID  *uuid.UUID
	SeatID   *uuid.UUID
	// Since is when the person got it (the checkout, the seat assignment).
	Since time.Time
}

// Filter selects checklists.
type Filter struct {
	// Open: true lists OPEN checklists, false COMPLETED ones, nil both.
	Open     *bool
	PersonID *uuid.UUID
}

// Input is offboardPerson's.
type Input struct {
	PersonID      uuid.UUID
	EffectiveDate time.Time
}

// WriteOffInput closes one item as WRITTEN_OFF.
type WriteOffInput struct {
	ChecklistID uuid.UUID
	ItemID      uuid.UUID
	Reason      string
}

// Who may do what. Checklists list what people hold and when they left:
// inventory staff read them (ADMIN, MANAGER, AUDITOR) and ADMIN and
// MANAGER change them. An EMPLOYEE is refused (FORBIDDEN): an active
// employee has nothing to return, and an offboarded one reads nothing.

// RequireRead returns the caller when they may read checklists and exceptions.
func RequireRead(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanReadAll() {
		return p, itam.Forbidden("role %s cannot read offboarding checklists", p.Role)
	}
	return p, nil
}

// RequireWrite returns the caller when they may offboard people and write
// items off.
func RequireWrite(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanWriteInventory() {
		return p, itam.Forbidden("role %s cannot offboard people", p.Role)
	}
	return p, nil
}
