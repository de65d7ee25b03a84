// The cost ledger, contracts and their recurring charges, exchange rates,
// total cost of ownership and end-of-life forecasts: types and pure rules
// only; storage and the SQL aggregates live in internal/postgres. (The
// package comment is profile.go's, written with depreciation.)

package costs

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// EntryKind classifies a cost, so totals can be broken down the way finance
// reads them (what was bought, what keeps it running, what it took to end).
type EntryKind string

const (
	KindPurchase     EntryKind = "PURCHASE"
	KindMaintenance  EntryKind = "MAINTENANCE"
	KindRepair       EntryKind = "REPAIR"
	KindSupport      EntryKind = "SUPPORT"
	KindSubscription EntryKind = "SUBSCRIPTION"
	KindLease        EntryKind = "LEASE"
	KindDisposal     EntryKind = "DISPOSAL"
	KindOther        EntryKind = "OTHER"
)

// EntryKinds lists every kind in the order reports show them.
var EntryKinds = []EntryKind{
	KindPurchase, KindMaintenance, KindRepair, KindSupport,
	KindSubscription, KindLease, KindDisposal, KindOther,
}

// Valid reports whether k is a known kind.
func (k EntryKind) Valid() bool {
	switch k {
	case KindPurchase, KindMaintenance, KindRepair, KindSupport,
		KindSubscription, KindLease, KindDisposal, KindOther:
		return true
	}
	return false
}

// MaxReferenceLength bounds short labels: an invoice reference, a contract
// number. Free text (notes) gets itam.MaxTextLength.
const MaxReferenceLength = 255

// Entry is one cost in the ledger, booked against exactly one asset,
// license or contract. An asset's purchase price is its PURCHASE entry.
type Entry struct {
	ID         uuid.UUID
	AssetID    *uuid.UUID
	LicenseID  *uuid.UUID
	ContractID *uuid.UUID
	Kind       EntryKind
	// Date is the calendar day the cost was incurred (invoice date); its
	// time of day is ignored.
	Date             time.Time
	Amount           itam.Money
	SupplierID       *uuid.UUID
	InvoiceReference *string
	Notes            *string
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Validate checks the rules every stored entry satisfies and names the
// input field at fault: exactly one target (assetId), a known kind, a date,
// a non-negative amount in an ISO 4217 currency (amount.amount,
// amount.currency; refunds are not negative costs but their own entries'
// business, so a negative amount is refused rather than netted silently),
// and bounded text.
func (e Entry) Validate() error {
	targets := 0
	for _, id := range []*uuid.UUID{e.AssetID, e.LicenseID, e.ContractID} {
		if id != nil {
			targets++
		}
	}
	if targets != 1 {
		return itam.Invalid("assetId", "a cost is booked against exactly one asset, license or contract")
	}
	if !e.Kind.Valid() {
		return itam.Invalid("kind", "unknown cost kind %q", e.Kind)
	}
	if e.Date.IsZero() {
		return itam.Invalid("date", "a cost needs a date")
	}
	if err := itam.ValidateMoney(e.Amount, "amount"); err != nil {
		return err
	}
	if e.InvoiceReference != nil {
		if err := itam.CheckText("invoiceReference", *e.InvoiceReference, MaxReferenceLength); err != nil {
			return err
		}
	}
	if e.Notes != nil {
		if err := itam.CheckText("notes", *e.Notes, 0); err != nil {
			return err
		}
	}
	return nil
}

// Normalize validates e and returns a copy with its currency in canonical
// (upper-case) form, its date reduced to the calendar day and blank text
// cleared, which is what stores save.
func (e Entry) Normalize() (Entry, error) {
	if err := e.Validate(); err != nil {
		return Entry{}, err
	}
	e.Amount.Currency, _ = itam.ParseCurrency(e.Amount.Currency)
	e.Date = itam.CalendarDay(e.Date)
	e.InvoiceReference = itam.Trimmed(e.InvoiceReference)
	e.Notes = itam.Trimmed(e.Notes)
	return e, nil
}

// Line returns the entry as a dated cost line, the common shape totals are
// computed over.
func (e Entry) Line() Line {
	return Line{Kind: e.Kind, Date: itam.CalendarDay(e.Date), Amount: e.Amount, SourceID: e.ID}
}
