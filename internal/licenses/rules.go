package licenses

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// Bounds on a license's inputs. Editions and versions are short labels
// matched against installations, so they are short and few; a license key
// is whatever the vendor issued (some are certificate blobs), bounded so a
// sealed key stays small.
const (
	MaxCoverageItems  = 50
	MaxCoverageLength = 100
	MaxKeyLength      = 4096
	MaxLabelLength    = 255 // name, purchase order, contract reference
	MaxReasonLength   = 1000
	// MaxBulkItems bounds one bulk seat change: each item is a savepoint in
	// one transaction.
	MaxBulkItems = 500
)

// Valid reports whether m is a known model.
func (m Model) Valid() bool {
	switch m {
	case PerDevice, PerUser, Concurrent, Site, Subscription:
		return true
	}
	return false
}

// Valid reports whether b is a known billing period.
func (b BillingPeriod) Valid() bool {
	switch b {
	case OneTime, Monthly, Annual:
		return true
	}
	return false
}

// Holder is what a model's seats are assigned to.
type Holder string

const (
	HolderPerson Holder = "PERSON"
	HolderAsset  Holder = "ASSET"
)

// SeatHolder says what m's seats go to: devices for PER_DEVICE, people for
// the models that count people. SITE has no seats.
func (m Model) SeatHolder() (Holder, error) {
	switch m {
	case PerDevice:
		return HolderAsset, nil
	case PerUser, Concurrent, Subscription:
		return HolderPerson, nil
	}
	return "", itam.Invalid("licenseId", "a %s license has no seats to assign", m)
}

// Validate normalizes in (trimmed texts, de-duplicated editions and
// versions, canonical currencies, dates without time, ONE_TIME by default)
// and checks it; the first problem is BAD_USER_INPUT naming its field.
func (in *Input) Validate() error {
	l := License{
		ProductID: in.ProductID, Name: in.Name, Model: in.Model, Editions: in.Editions, Versions: in.Versions,
		Seats: in.Seats, TermStart: in.TermStart, TermEnd: in.TermEnd, RenewalDate: in.RenewalDate,
		SeatCost: in.SeatCost, TotalCost: in.TotalCost, BillingPeriod: OneTime, SupplierID: in.SupplierID,
		PurchaseOrder: in.PurchaseOrder, ContractReference: in.ContractReference, Notes: in.Notes,
	}
	if in.BillingPeriod != nil {
		l.BillingPeriod = *in.BillingPeriod
	}
	if in.AutoRenew != nil {
		l.AutoRenew = *in.AutoRenew
	}
	if err := l.Validate(); err != nil {
		return err
	}
	key, err := CheckKey(in.Key)
	if err != nil {
		return err
	}
	in.Name, in.Editions, in.Versions, in.Seats = l.Name, l.Editions, l.Versions, l.Seats
	in.TermStart, in.TermEnd, in.RenewalDate = l.TermStart, l.TermEnd, l.RenewalDate
	in.SeatCost, in.TotalCost, in.BillingPeriod, in.AutoRenew = l.SeatCost, l.TotalCost, &l.BillingPeriod, &l.AutoRenew
	in.PurchaseOrder, in.ContractReference, in.Notes, in.Key = l.PurchaseOrder, l.ContractReference, l.Notes, key
	return nil
}

// License returns the license in describes (call Validate first).
func (in *Input) License() License {
	l := License{
		ProductID: in.ProductID, Name: in.Name, Model: in.Model, Editions: in.Editions, Versions: in.Versions,
		Seats: in.Seats, TermStart: in.TermStart, TermEnd: in.TermEnd, RenewalDate: in.RenewalDate,
		SeatCost: in.SeatCost, TotalCost: in.TotalCost, BillingPeriod: OneTime, SupplierID: in.SupplierID,
		PurchaseOrder: in.PurchaseOrder, ContractReference: in.ContractReference, Notes: in.Notes, HasKey: in.Key != nil,
	}
	if in.BillingPeriod != nil {
		l.BillingPeriod = *in.BillingPeriod
	}
	if in.AutoRenew != nil {
		l.AutoRenew = *in.AutoRenew
	}
	return l
}

// Apply returns cur changed by p, normalized and checked as a whole (a
// patch that leaves a PER_USER license without seats, or gives a license
// both costs, is refused like the same create). The key is not part of the
// license: KeyChange says what p does to it.
func (p *Patch) Apply(cur License) (License, error) {
	l := cur
	l.Editions, l.Versions = append([]string(nil), cur.Editions...), append([]string(nil), cur.Versions...)
	if p.ProductID != nil {
		l.ProductID = *p.ProductID
	}
	if p.Model != nil {
		l.Model = *p.Model
		// Moving to or from SITE changes whether seats may exist; dropping
		// the count for SITE is what the caller means unless they said
		// otherwise.
		if l.Model == Site && !p.Seats.Set {
			l.Seats = nil
		}
	}
	itam.Patch(&l.Name, p.Name)
	if p.Editions != nil {
		l.Editions = *p.Editions
	}
	if p.Versions != nil {
		l.Versions = *p.Versions
	}
	itam.Patch(&l.Seats, p.Seats)
	itam.Patch(&l.SeatCost, p.SeatCost)
	itam.Patch(&l.TotalCost, p.TotalCost)
	if p.BillingPeriod != nil {
		l.BillingPeriod = *p.BillingPeriod
	}
	itam.Patch(&l.TermStart, p.TermStart)
	itam.Patch(&l.TermEnd, p.TermEnd)
	itam.Patch(&l.RenewalDate, p.RenewalDate)
	if p.AutoRenew != nil {
		l.AutoRenew = *p.AutoRenew
	}
	itam.Patch(&l.SupplierID, p.SupplierID)
	itam.Patch(&l.PurchaseOrder, p.PurchaseOrder)
	itam.Patch(&l.ContractReference, p.ContractReference)
	itam.Patch(&l.Notes, p.Notes)
	if err := l.Validate(); err != nil {
		return cur, err
	}
	if p.Key.Set {
		key, err := CheckKey(p.Key.Value)
		if err != nil {
			return cur, err
		}
		p.Key.Value = key
		l.HasKey = key != nil
	}
	return l, nil
}

// Validate normalizes l and checks the rules every stored license obeys.
func (l *License) Validate() error {
	if !l.Model.Valid() {
		return itam.Invalid("licenseModel", "unknown license model %q", l.Model)
	}
	if l.ProductID == [16]byte{} {
		return itam.Invalid("productId", "productId is required")
	}
	var err error
	if l.Name, err = label("name", l.Name); err != nil {
		return err
	}
	if l.PurchaseOrder, err = label("purchaseOrder", l.PurchaseOrder); err != nil {
		return err
	}
	if l.ContractReference, err = label("contractReference", l.ContractReference); err != nil {
		return err
	}
	l.Notes = itam.Trimmed(l.Notes)
	if l.Notes != nil {
		if err := itam.CheckText("notes", *l.Notes, 0); err != nil {
			return err
		}
	}
	if l.Editions, err = coverage("editions", l.Editions); err != nil {
		return err
	}
	if l.Versions, err = coverage("versions", l.Versions); err != nil {
		return err
	}
	if err := checkSeats(l.Model, l.Seats); err != nil {
		return err
	}
	if l.SeatCost != nil && l.TotalCost != nil {
		return itam.Invalid("totalCost", "give seatCost or totalCost, not both")
	}
	if l.SeatCost, err = money("seatCost", l.SeatCost); err != nil {
		return err
	}
	if l.TotalCost, err = money("totalCost", l.TotalCost); err != nil {
		return err
	}
	if l.BillingPeriod == "" {
		l.BillingPeriod = OneTime
	}
	if !l.BillingPeriod.Valid() {
		return itam.Invalid("billingPeriod", "unknown billing period %q", l.BillingPeriod)
	}
	l.TermStart, l.TermEnd, l.RenewalDate = itam.CalendarDayPtr(l.TermStart), itam.CalendarDayPtr(l.TermEnd), itam.CalendarDayPtr(l.RenewalDate)
	for _, d := range []struct {
		field string
		t     *time.Time
	}{{"termStart", l.TermStart}, {"termEnd", l.TermEnd}, {"renewalDate", l.RenewalDate}} {
		if d.t != nil && (d.t.Year() < 1900 || d.t.Year() > 9999) {
			return itam.Invalid(d.field, "%s must be between the years 1900 and 9999", d.field)
		}
	}
	if l.TermStart != nil && l.TermEnd != nil && l.TermEnd.Before(*l.TermStart) {
		return itam.Invalid("termEnd", "termEnd %s is before termStart %s", l.TermEnd.Format(time.DateOnly), l.TermStart.Format(time.DateOnly))
	}
	if l.RenewalDate != nil && l.TermStart != nil && l.RenewalDate.Before(*l.TermStart) {
		return itam.Invalid("renewalDate", "renewalDate %s is before termStart %s", l.RenewalDate.Format(time.DateOnly), l.TermStart.Format(time.DateOnly))
	}
	return nil
}

// checkSeats: every model but SITE counts seats (zero is allowed: a
// license bought out or not yet allocated); SITE is unlimited and a count
// would contradict it.
func checkSeats(m Model, seats *int) error {
	if m == Site {
		if seats != nil {
			return itam.Invalid("seats", "a SITE license is unlimited: leave seats empty")
		}
		return nil
	}
	switch {
	case seats == nil:
		return itam.Invalid("seats", "seats is required for a %s license", m)
	case *seats < 0:
		return itam.Invalid("seats", "seats cannot be negative")
	case *seats > math.MaxInt32:
		return itam.Invalid("seats", "seats is too large")
	}
	return nil
}

// CheckKey trims a license key and checks its size; blank means no key.
func CheckKey(key *string) (*string, error) {
	if key == nil {
		return nil, nil
	}
	if err := itam.CheckText("licenseKey", *key, MaxKeyLength); err != nil {
		return nil, err
	}
	return itam.Trimmed(key), nil
}

// label trims an optional short text and bounds it.
func label(field string, s *string) (*string, error) {
	s = itam.Trimmed(s)
	if s != nil {
		if err := itam.CheckText(field, *s, MaxLabelLength); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// coverage trims editions or versions, drops repeats (ignoring case: "Pro"
// and "pro" are one edition) and bounds them; a blank item is refused
// rather than silently covering nothing.
func coverage(field string, items []string) ([]string, error) {
	if len(items) > MaxCoverageItems {
		return nil, itam.Invalid(field, "at most %d %s are allowed, got %d", MaxCoverageItems, field, len(items))
	}
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		f := field + "[" + strconv.Itoa(i) + "]"
		if err := itam.CheckText(f, it, MaxCoverageLength); err != nil {
			return nil, err
		}
		it = strings.TrimSpace(it)
		if it == "" {
			return nil, itam.Invalid(f, "%s cannot be blank", field)
		}
		if k := strings.ToLower(it); !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out, nil
}

// money checks an optional amount and canonicalizes its currency.
func money(field string, m *itam.Money) (*itam.Money, error) {
	if m == nil {
		return nil, nil
	}
	if err := itam.ValidateMoney(*m, field); err != nil {
		return nil, err
	}
	c, _ := itam.ParseCurrency(m.Currency)
	return &itam.Money{Amount: m.Amount, Currency: c}, nil
}

// Active reports whether l is within its term on today's date: started
// (or no start) and not ended (or no end). Only active licenses count
// towards entitlement; the compliance position uses the same rule.
func (l License) Active(today time.Time) bool {
	d := itam.CalendarDay(today)
	if l.TermStart != nil && d.Before(*itam.CalendarDayPtr(l.TermStart)) {
		return false
	}
	if l.TermEnd != nil && d.After(*itam.CalendarDayPtr(l.TermEnd)) {
		return false
	}
	return true
}
