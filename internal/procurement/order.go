package procurement

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// LineInput is one line as a caller sends it.
type LineInput struct {
	ModelID   uuid.UUID
	Quantity  int
	UnitPrice itam.Money
}

// Input creates an order.
type Input struct {
	SupplierID       uuid.UUID
	OrderNumber      string
	OrderDate        time.Time
	ExpectedDelivery *time.Time
	Currency         string
	Notes            *string
	Lines            []LineInput
}

// NewOrder validates in and returns the DRAFT order to store: text
// trimmed, the currency canonical, dates as calendar days, lines numbered
// from 0. Every refusal is BAD_USER_INPUT naming its field
// (lines[2].unitPrice.currency). That the supplier and models exist is the
// store's to check.
func NewOrder(in Input) (Order, error) {
	o := Order{SupplierID: in.SupplierID, OrderNumber: in.OrderNumber, OrderDate: in.OrderDate,
		ExpectedDelivery: in.ExpectedDelivery, Currency: in.Currency, Notes: in.Notes, Status: StatusDraft}
	o.Lines = make([]Line, len(in.Lines))
	for i, l := range in.Lines {
		o.Lines[i] = Line{Position: i, ModelID: l.ModelID, Quantity: l.Quantity, UnitPrice: l.UnitPrice.Amount}
	}
	return o.normalize(in.Lines)
}

// normalize checks o (and, when given, the lines as sent, whose currencies
// must be the order's) and returns it in canonical form.
func (o Order) normalize(lines []LineInput) (Order, error) {
	o.OrderNumber = strings.TrimSpace(o.OrderNumber)
	if o.OrderNumber == "" {
		return Order{}, itam.Invalid("orderNumber", "order number is required")
	}
	if err := itam.CheckText("orderNumber", o.OrderNumber, MaxNumberLen); err != nil {
		return Order{}, err
	}
	if o.SupplierID == uuid.Nil {
		return Order{}, itam.Invalid("supplierId", "supplier is required")
	}
	if o.OrderDate.IsZero() {
		return Order{}, itam.Invalid("orderDate", "order date is required")
	}
	o.OrderDate = itam.CalendarDay(o.OrderDate)
	o.ExpectedDelivery = itam.CalendarDayPtr(o.ExpectedDelivery)
	if o.ExpectedDelivery != nil && o.ExpectedDelivery.Before(o.OrderDate) {
		return Order{}, itam.Invalid("expectedDelivery", "expected delivery cannot be before the order date")
	}
	cur, err := itam.ParseCurrency(o.Currency)
	if err != nil {
		return Order{}, itam.Invalid("currency", "%q is not an ISO 4217 currency code", o.Currency)
	}
	o.Currency = cur
	o.Notes = itam.Trimmed(o.Notes)
	if o.Notes != nil {
		if *o.Notes == "" {
			o.Notes = nil
		} else if err := itam.CheckText("notes", *o.Notes, MaxNotesLen); err != nil {
			return Order{}, err
		}
	}
	if len(o.Lines) == 0 {
		return Order{}, itam.Invalid("lines", "an order has at least one line")
	}
	if len(o.Lines) > MaxLines {
		return Order{}, itam.Invalid("lines", "an order has at most %d lines, got %d", MaxLines, len(o.Lines))
	}
	units := 0
	for i := range o.Lines {
		l := &o.Lines[i]
		field := indexed("lines", i)
		if l.ModelID == uuid.Nil {
			return Order{}, itam.Invalid(field+".modelId", "model is required")
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return Order{}, itam.Invalid(field+".quantity", "quantity must be between 1 and %d, got %d", MaxQuantity, l.Quantity)
		}
		price := itam.Money{Amount: l.UnitPrice, Currency: o.Currency}
		if lines != nil {
			price.Currency = lines[i].UnitPrice.Currency
		}
		if err := itam.ValidateMoney(price, field+".unitPrice"); err != nil {
			return Order{}, err
		}
		if c, _ := itam.ParseCurrency(price.Currency); c != o.Currency {
			return Order{}, itam.Invalid(field+".unitPrice.currency", "unit price is in %s but the order is in %s", c, o.Currency)
		}
		l.Position, l.Currency = i, o.Currency
		units += l.Quantity
	}
	if units > MaxUnits {
		return Order{}, itam.Invalid("lines", "an order has at most %d units over all lines (approving creates one asset each), got %d", MaxUnits, units)
	}
	return o, nil
}

// Patch changes a DRAFT order; nil fields stay, Lines (when not nil)
// replace every line.
type Patch struct {
	ID               uuid.UUID
	Version          int
	SupplierID       *uuid.UUID
	OrderNumber      *string
	OrderDate        *time.Time
	ExpectedDelivery itam.Optional[time.Time]
	Currency         *string
	Notes            itam.Optional[string]
	Lines            *[]LineInput
}

// Apply returns cur with the patch applied, validated like NewOrder. Only
// a DRAFT order may change: once approved, its assets carry its terms.
// When the currency changes the lines must be sent again in it.
func (p Patch) Apply(cur Order) (Order, error) {
	if cur.Status != StatusDraft {
		return Order{}, itam.Invalid("id", "order %s is %s: only a DRAFT order can be edited", cur.OrderNumber, cur.Status)
	}
	next := cur
	next.Lines = append([]Line(nil), cur.Lines...)
	if p.SupplierID != nil {
		next.SupplierID = *p.SupplierID
	}
	if p.OrderNumber != nil {
		next.OrderNumber = *p.OrderNumber
	}
	if p.OrderDate != nil {
		next.OrderDate = *p.OrderDate
	}
	if p.ExpectedDelivery.Set {
		next.ExpectedDelivery = p.ExpectedDelivery.Value
	}
	if p.Currency != nil {
		next.Currency = *p.Currency
	}
	if p.Notes.Set {
		next.Notes = p.Notes.Value
	}
	var lines []LineInput
	if p.Lines != nil {
		lines = *p.Lines
		next.Lines = make([]Line, len(lines))
		for i, l := range lines {
			next.Lines[i] = Line{Position: i, ModelID: l.ModelID, Quantity: l.Quantity, UnitPrice: l.UnitPrice.Amount}
		}
	} else if p.Currency != nil {
		if c, err := itam.ParseCurrency(*p.Currency); err == nil && c != cur.Currency {
			return Order{}, itam.Invalid("lines", "changing the currency from %s to %s needs the lines again, priced in %s", cur.Currency, c, c)
		}
	}
	return next.normalize(lines)
}

// Approve checks that o may be approved: only a DRAFT. Approving creates
// one ORDERED asset per unit (the store's to write).
func Approve(o Order) error {
	if o.Status != StatusDraft {
		return itam.Invalid("id", "order %s is %s: only a DRAFT order can be approved", o.OrderNumber, o.Status)
	}
	return nil
}

// Cancel checks that o may be cancelled: a DRAFT, or an APPROVED order of
// which nothing has arrived (its ORDERED assets go with it). Once a unit
// is received the order stands; what never comes is written off asset by
// asset (transitionAsset to LOST, say).
func Cancel(o Order) error {
	switch o.Status {
	case StatusDraft:
		return nil
	case StatusApproved:
		if _, received := o.Counts(); received == 0 {
			return nil
		}
	}
	return itam.Invalid("id", "order %s is %s: only a DRAFT order, or an APPROVED one of which nothing was received, can be cancelled", o.OrderNumber, o.Status)
}

func indexed(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
