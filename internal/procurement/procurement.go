// Package procurement holds purchase orders as data and pure functions:
// what a valid order is, which status it may move to (approve, receive,
// cancel), and what receiving a line asks for. Stores load an order, call
// these, and save what they decided; the assets an order brings in move
// through internal/lifecycle like every other asset.
//
//	DRAFT → APPROVED → PARTIALLY_RECEIVED → RECEIVED
//	DRAFT | APPROVED (nothing received yet) → CANCELLED
package procurement

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// Status is where a purchase order stands.
type Status string

const (
	// StatusDraft is an order being prepared: it may still change and has
	// no assets yet.
	StatusDraft Status = "DRAFT"
	// StatusApproved is an order placed: one ORDERED asset per unit exists.
	StatusApproved Status = "APPROVED"
	// StatusPartiallyReceived: some units, not all, have arrived.
	StatusPartiallyReceived Status = "PARTIALLY_RECEIVED"
	// StatusReceived: every unit of every line has arrived (terminal).
	StatusReceived Status = "RECEIVED"
	// StatusCancelled: the order was withdrawn before anything arrived
	// (terminal); its ORDERED assets are deleted.
	StatusCancelled Status = "CANCELLED"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusDraft, StatusApproved, StatusPartiallyReceived, StatusReceived, StatusCancelled}

// Bounds of an order. A line's quantity is the number of assets approving
// creates, so both bound the work of one approval.
const (
	MaxLines    = 100
	MaxQuantity = 1000
	// MaxUnits bounds the units of one order over all its lines: one
	// approval creates that many assets in one transaction.
	MaxUnits     = 5_000
	MaxNumberLen = 100
	MaxNotesLen  = 10_000
)

// Order is a purchase order with its lines (in position order).
type Order struct {
	ID               uuid.UUID
	SupplierID       uuid.UUID
	OrderNumber      string
	OrderDate        time.Time
	ExpectedDelivery *time.Time
	Currency         string
	Status           Status
	Notes            *string
	Lines            []Line
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ApprovedAt       *time.Time
	ApprovedBy       *string
	CancelledAt      *time.Time
	CancelledBy      *string
}

// Line is one model ordered in a quantity at a unit price (in the order's
// currency); Received counts the units that have arrived.
type Line struct {
	ID        uuid.UUID
	OrderID   uuid.UUID
	Position  int
	ModelID   uuid.UUID
	Quantity  int
	UnitPrice decimal.Decimal
	Currency  string // the order's
	Received  int
}

// Remaining is how many units of the line are still to arrive.
func (l Line) Remaining() int { return l.Quantity - l.Received }

// Total is the line's quantity × unit price.
func (l Line) Total() decimal.Decimal { return l.UnitPrice.Mul(decimal.NewFromInt(int64(l.Quantity))) }

// Price is the line's unit price in the order's currency.
func (l Line) Price() itam.Money { return itam.Money{Amount: l.UnitPrice, Currency: l.Currency} }

// LineTotal is Total as money.
func (l Line) LineTotal() itam.Money { return itam.Money{Amount: l.Total(), Currency: l.Currency} }

// Total is the sum of the order's lines, in its currency.
func (o Order) Total() itam.Money {
	sum := decimal.Zero
	for _, l := range o.Lines {
		sum = sum.Add(l.Total())
	}
	return itam.Money{Amount: sum, Currency: o.Currency}
}

// Counts returns how many units the order expects and how many arrived.
func (o Order) Counts() (expected, received int) {
	for _, l := range o.Lines {
		expected += l.Quantity
		received += l.Received
	}
	return expected, received
}

// Filter narrows the purchase order list.
type Filter struct {
	Statuses      []Status
	SupplierID    *uuid.UUID
	Search        *string // part of the order number or notes
	OrderedAfter  *time.Time
	OrderedBefore *time.Time
}

// Validate refuses unknown statuses and an inverted date range.
func (f Filter) Validate() error {
	if err := itam.CheckList("filter.status", len(f.Statuses)); err != nil {
		return err
	}
	for i, s := range f.Statuses {
		if !validStatus(s) {
			return itam.Invalid(indexed("filter.status", i), "unknown status %q", s)
		}
	}
	if f.OrderedAfter != nil && f.OrderedBefore != nil && f.OrderedBefore.Before(*f.OrderedAfter) {
		return itam.Invalid("filter.orderedBefore", "orderedBefore is before orderedAfter")
	}
	return itam.CheckSearch("filter.search", f.Search)
}

func validStatus(s Status) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// RequireRead allows reading purchase orders to ADMIN, MANAGER and
// AUDITOR: they are money, which an EMPLOYEE never sees.
func RequireRead(ctx context.Context) (itam.Principal, error) { return itam.RequireCosts(ctx) }

// RequireWrite allows creating, approving, receiving and cancelling
// orders to ADMIN and MANAGER, who keep the inventory.
func RequireWrite(ctx context.Context) (itam.Principal, error) { return itam.RequireWrite(ctx) }

// HistoryAction is the kind of change a history entry records.
type HistoryAction string

const (
	HistoryCreate  HistoryAction = "CREATE"
	HistoryUpdate  HistoryAction = "UPDATE"
	HistoryApprove HistoryAction = "APPROVE"
	HistoryReceive HistoryAction = "RECEIVE"
	HistoryCancel  HistoryAction = "CANCEL"
)

// HistoryEntry is one append-only record of a change to an order.
type HistoryEntry struct {
	ID        int64
	OrderID   uuid.UUID
	Action    HistoryAction
	ActorKind itam.ActorKind
	Actor     string
	Changes   []itam.FieldChange
	At        time.Time
}

// NotFoundField is a NOT_FOUND naming the input field that referred to
// what (supplierId, lines[1].modelId): an unknown id or another
// organization's, deliberately the same.
func NotFoundField(field, what string) error {
	return &itam.Error{Code: itam.CodeNotFound, Field: field, Message: what + " not found"}
}
