package costs

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// EntryPatch changes a ledger entry. Nil Kind, Date and Amount leave them
// as they are (they cannot be cleared); an unset Optional leaves its field,
// a set one with a nil Value clears it. The target never changes: a cost
// booked against the wrong record is deleted and booked again, so each
// record's history tells its own story.
type EntryPatch struct {
	ID               uuid.UUID
	Version          int
	Kind             *EntryKind
	Date             *time.Time
	Amount           *itam.Money
	SupplierID       itam.Optional[uuid.UUID]
	InvoiceReference itam.Optional[string]
	Notes            itam.Optional[string]
}

// Apply returns cur changed by p, normalized and checked as a whole like a
// new entry (Entry.Normalize). cur is not modified.
func (p EntryPatch) Apply(cur Entry) (Entry, error) {
	e := cur
	if p.Kind != nil {
		e.Kind = *p.Kind
	}
	if p.Date != nil {
		e.Date = *p.Date
	}
	if p.Amount != nil {
		e.Amount = *p.Amount
	}
	itam.Patch(&e.SupplierID, p.SupplierID)
	itam.Patch(&e.InvoiceReference, p.InvoiceReference)
	itam.Patch(&e.Notes, p.Notes)
	return e.Normalize()
}

// EntryFields is what cost history records of an entry, by GraphQL input
// name (the unit of costs.Diff).
func EntryFields(e *Entry) map[string]any {
	return map[string]any{
		"assetId": e.AssetID, "licenseId": e.LicenseID, "contractId": e.ContractID, "kind": e.Kind,
		"date": itam.DateJSON(&e.Date), "amount": moneyJSON(e.Amount), "supplierId": e.SupplierID,
		"invoiceReference": e.InvoiceReference, "notes": e.Notes,
	}
}

// moneyJSON records an amount as text, so history keeps it exact.
func moneyJSON(m itam.Money) map[string]string {
	return map[string]string{"amount": m.Amount.String(), "currency": m.Currency}
}

// PurchaseChange is what a change of a ledger entry does to its asset's
// purchase price: the asset's price, currency and date ARE its PURCHASE
// entry, so an entry that is or becomes an asset's PURCHASE sets them, and
// one that stops being it (deleted, or given another kind) clears them.
type PurchaseChange struct {
	AssetID uuid.UUID
	// Price and Date are the asset's new purchase price and date; nil
	// clears both.
	Price *itam.Money
	Date  *time.Time
}

// PurchaseOf returns the change the move from before to after (before nil:
// a creation; after nil: a deletion) makes to an asset's purchase, and
// false when it touches none: entries of licenses and contracts, and
// entries of other kinds on both sides.
func PurchaseOf(before, after *Entry) (PurchaseChange, bool) {
	isPurchase := func(e *Entry) bool { return e != nil && e.AssetID != nil && e.Kind == KindPurchase }
	switch {
	case isPurchase(after):
		price, day := after.Amount, itam.CalendarDay(after.Date)
		return PurchaseChange{AssetID: *after.AssetID, Price: &price, Date: &day}, true
	case isPurchase(before):
		return PurchaseChange{AssetID: *before.AssetID}, true
	}
	return PurchaseChange{}, false
}

// MaxFilterKinds bounds CostEntryFilter.kinds: there are eight kinds, so
// more can only repeat them.
const MaxFilterKinds = 8

// EntryFilter narrows a ledger list; every condition combines with AND.
type EntryFilter struct {
	AssetID, LicenseID, ContractID, SupplierID *uuid.UUID
	Kinds                                      []EntryKind
	// From and To are calendar days, both included.
	From, To *time.Time
	// Search matches part of the invoice reference or notes.
	Search *string
}

// Validate bounds a filter before it reaches the database: at most
// MaxFilterKinds known kinds, a search of at most itam.MaxSearchLength
// characters, and a period that does not end before it starts. Fields are
// named as the filter argument's (filter.to).
func (f EntryFilter) Validate() error {
	if len(f.Kinds) > MaxFilterKinds {
		return itam.Invalid("filter.kinds", "at most %d kinds", MaxFilterKinds)
	}
	for _, k := range f.Kinds {
		if !k.Valid() {
			return itam.Invalid("filter.kinds", "unknown cost kind %q", k)
		}
	}
	if err := itam.CheckSearch("filter.search", f.Search); err != nil {
		return err
	}
	if f.From != nil && f.To != nil && itam.CalendarDay(*f.To).Before(itam.CalendarDay(*f.From)) {
		return itam.Invalid("filter.to", "the period ends before it starts")
	}
	return nil
}

// RateFields is what cost history records of an exchange rate.
func RateFields(r *Rate) map[string]any {
	return map[string]any{"from": r.From, "to": r.To, "rate": r.Rate.String(), "validFrom": itam.DateJSON(&r.ValidFrom)}
}

// RateKey names one stored rate: a pair from a day on. Normalize checks it
// like a rate (ISO codes, two currencies, a day) and returns it canonical.
func RateKey(from, to string, validFrom time.Time) (Rate, error) {
	return Rate{From: from, To: to, Rate: decimal.NewFromInt(1), ValidFrom: validFrom}.Normalize()
}

// RateFilter narrows the list of rates to a currency on either side.
type RateFilter struct {
	From, To *string
}

// Normalize returns f with canonical ISO codes; a code that is not one is
// BAD_USER_INPUT on filter.from or filter.to.
func (f RateFilter) Normalize() (RateFilter, error) {
	var out RateFilter
	for _, c := range []struct {
		in    *string
		out   **string
		field string
	}{{f.From, &out.From, "filter.from"}, {f.To, &out.To, "filter.to"}} {
		if c.in == nil {
			continue
		}
		code, err := itam.ParseCurrency(*c.in)
		if err != nil {
			return RateFilter{}, itam.Invalid(c.field, "%q is not an ISO 4217 currency code", *c.in)
		}
		*c.out = &code
	}
	return out, nil
}
