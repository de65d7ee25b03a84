package reconcile

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// Snapshot is what the inventory holds that a page of devices may touch,
// loaded by storage in a few queries before planning. Plan reads it and
// never changes it, so planning is a pure function of snapshot and page.
type Snapshot struct {
	OrgID uuid.UUID
	// Source is the reporting connector's source name ("JAMF_PRO:<id>"),
	// Kind its connector kind, AuthoritativeForPeople its flag.
	Source                 string
	Kind                   string
	AuthoritativeForPeople bool
	Precedence             Precedence
	// Authoritative are the sources of connectors authoritative for people.
	Authoritative map[string]bool

	Links    map[string]uuid.UUID                    // this source's external id → asset
	BySerial map[string][]SerialCandidate[uuid.UUID] // normalized serial → assets
	ByTag    map[string]uuid.UUID                    // lower(asset tag) → asset
	Assets   map[uuid.UUID]*itam.Asset               // every asset the three maps name
	// Provenance is, per asset and synced field, which source set it last
	// and whether a manual edit locked it.
	Provenance map[uuid.UUID]map[string]FieldSource

	People        map[string]uuid.UUID // NormalizeEmail(email) → person
	ActivePeople  map[uuid.UUID]bool   // people a device may be assigned to
	Models        map[string]uuid.UUID // ModelKey(manufacturer, model) → model
	Manufacturers map[string]uuid.UUID // lower(name) → manufacturer
	Locations     map[string]uuid.UUID // LocationKey(name) → location

	DefaultCurrency  string
	DefaultOwnerTeam *uuid.UUID // the connector's, else the organization's

	// settingsDigest caches the digest of the page-wide settings
	// (Fingerprint); it is derived from the fields above, never an input.
	settingsDigest []byte
}

// FieldSource is the provenance of one field of one asset.
type FieldSource struct {
	Source string
	Locked bool
}

// LocationKey is the Snapshot.Locations key of a location name.
func LocationKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// ModelKey is the Snapshot.Models key of a model name of a manufacturer.
func ModelKey(manufacturer uuid.UUID, model string) string {
	return manufacturer.String() + "\x00" + strings.ToLower(model)
}

// Change is what one device of a page changes.
type Change struct {
	Device Device
	// LinkOnly marks a second record of a device this page creates: it
	// adds only a link to the first record's new asset.
	LinkOnly bool
	Before   *itam.Asset // nil: a new asset
	After    *itam.Asset
	Action   itam.HistoryAction
	// Provenance are the fields whose provenance this source now holds.
	Provenance []string
	Conflicts  []FieldConflict
}

// Changed reports whether the change writes the asset row (a creation, or
// any user-visible field differs).
func (c *Change) Changed() bool {
	return c.Before == nil || !reflect.DeepEqual(itam.AssetSnapshot(c.Before), itam.AssetSnapshot(c.After))
}

// FieldConflict is a value the source reported that a higher-ranked or locked
// value kept out, recorded for a person to settle.
type FieldConflict struct {
	Field      string
	KeptSource string
	Kept, Got  any
}

// PagePlan is what a page of devices changes.
type PagePlan struct {
	Changes []*Change
	// Errors are records that change nothing, with the reason, and the
	// parts of applied records their source could not read (ReadErrors).
	Errors []itam.SyncError
	// NewAssets counts the changes that create an asset (each needs a tag
	// unless the device brought one).
	NewAssets int
}

// Plan decides what a page of devices changes in the inventory s
// describes: which asset each device is (Match), which fields the source
// may set (Precedence.Decide), and what it creates. Records without an id
// and records matching an asset another record of the page already
// claimed are refused with a reason; a record repeated in a page counts once.
func Plan(s *Snapshot, devices []Device) PagePlan {
	pl := planner{s: s, pendingSerial: map[string]*Change{}, pendingTag: map[string]bool{}}
	var out PagePlan
	claimed := map[uuid.UUID]string{} // asset → external id: one page never maps two records onto one asset
	seen := map[string]bool{}
	for _, d := range devices {
		if strings.TrimSpace(d.ExternalID) == "" {
			out.Errors = append(out.Errors, itam.SyncError{Message: "record without an id skipped"})
			continue
		}
		if seen[d.ExternalID] {
			continue
		}
		seen[d.ExternalID] = true
		for _, msg := range d.ReadErrors {
			out.Errors = append(out.Errors, itam.SyncError{ExternalID: d.ExternalID, Message: msg})
		}
		c, err := pl.plan(d)
		if err != nil {
			out.Errors = append(out.Errors, itam.SyncError{ExternalID: d.ExternalID, Message: err.Error()})
			continue
		}
		switch {
		case c.LinkOnly:
		case c.Before != nil:
			if other, dup := claimed[c.Before.ID]; dup {
				out.Errors = append(out.Errors, itam.SyncError{ExternalID: d.ExternalID,
					Message: fmt.Sprintf("matches the same asset %s as record %s; skipped", c.Before.AssetTag, other)})
				continue
			}
			claimed[c.Before.ID] = d.ExternalID
		default:
			out.NewAssets++
		}
		out.Changes = append(out.Changes, c)
	}
	return out
}

// planner carries what one page has planned so far: the new assets it
// creates, by manufacturer and serial and by tag, so two records of one
// device in a page make one asset.
type planner struct {
	s             *Snapshot
	pendingSerial map[string]*Change
	pendingTag    map[string]bool
}

func (p *planner) plan(d Device) (*Change, error) {
	s := p.s
	serial := NormalizeSerial(d.SerialNumber)
	c := Candidates[uuid.UUID]{BySerial: s.BySerial[serial]}
	if serial == "" || d.Virtual {
		c.BySerial = nil
	}
	if id, ok := s.Links[d.ExternalID]; ok {
		c.Link = &id
	}
	if tag := strings.ToLower(strings.TrimSpace(d.AssetTag)); tag != "" {
		if id, ok := s.ByTag[tag]; ok {
			c.ByTag = &id
		}
	}
	id, rule := Match(c, d.ManufacturerName(), d.Virtual)
	// Fingerprint digests the same resolution: one function for both.
	r := s.resolve(d)
	mfr, model, person, location := r.mfr, r.model, r.person, r.location
	price, currency := DevicePrice(d, s.DefaultCurrency)
	ch := &Change{Device: d}
	serialKey := mfr.String() + "\x00" + serial
	if rule == MatchNone && serial != "" && !d.Virtual {
		if first, ok := p.pendingSerial[serialKey]; ok {
			ch.After, ch.LinkOnly = first.After, true
			return ch, nil
		}
	}
	if rule == MatchNone {
		a := &itam.Asset{ID: uuid.New(), OrgID: s.OrgID, ModelID: model, ManufacturerID: mfr, Status: itam.StatusInStock,
			Condition: itam.ConditionGood, OwnerTeamID: s.DefaultOwnerTeam, CustomFields: map[string]any{},
			PurchaseDate: d.PurchaseDate, WarrantyEnd: d.WarrantyEnd, Version: 1}
		if a.OwnerTeamID == nil {
			return nil, fmt.Errorf("the organization has no default owner team and the connector none either")
		}
		// A virtual machine's "serial" is not unique hardware identity (clones
		// share it); it stays on the link, not the asset.
		if serial != "" && !d.Virtual {
			sn := strings.TrimSpace(d.SerialNumber)
			a.SerialNumber = &sn
			p.pendingSerial[serialKey] = ch
		}
		if n := strings.TrimSpace(d.Name); n != "" {
			a.Name = &n
		}
		if tag := strings.TrimSpace(d.AssetTag); tag != "" && !p.pendingTag[strings.ToLower(tag)] {
			a.AssetTag = tag
			p.pendingTag[strings.ToLower(tag)] = true
		}
		if price != nil {
			a.PurchasePrice = &itam.Money{Amount: *price, Currency: currency}
		}
		if person != nil {
			if st, err := lifecycle.AfterAssign(a.Status); err == nil {
				a.Status, a.AssignedPersonID = st, person
			}
		}
		// A service desk's record may describe hardware in repair, retired
		// or lost: it starts here as it is there, within the rules.
		if to := itam.AssetStatus(d.Status); d.Status != "" {
			if a.AssignedPersonID != nil && !lifecycle.ImportedHolder(to) {
				a.AssignedPersonID = nil
			}
			if lifecycle.Imported(to, a.AssignedPersonID != nil) == nil {
				a.Status = to
			}
		}
		a.LocationID = location
		ch.After, ch.Action = a, itam.HistoryCreate
		for _, f := range SyncedFields {
			// The status is this source's only when the record's own was
			// taken (Imported may have refused it and kept the default).
			if !FieldEmpty(a, f) && (f != FieldStatus || (d.Status != "" && a.Status == itam.AssetStatus(d.Status))) {
				ch.Provenance = append(ch.Provenance, f)
			}
		}
		return ch, nil
	}
	before, ok := s.Assets[id]
	if !ok {
		return nil, fmt.Errorf("matched asset vanished")
	}
	after := *before
	ch.Before, ch.After, ch.Action = before, &after, itam.HistoryUpdate
	in := func(f string, empty, equal bool) Decision {
		pv := s.Provenance[id][f]
		cur := Current{Source: pv.Source, Locked: pv.Locked, Empty: FieldEmpty(before, f), Authoritative: s.Authoritative[pv.Source]}
		if k, _, ok := strings.Cut(pv.Source, ":"); ok {
			cur.Kind = k
		}
		dec := s.Precedence.Decide(f, cur, Incoming{Source: s.Source, Kind: s.Kind,
			Authoritative: s.AuthoritativeForPeople, Empty: empty, Equal: equal})
		switch dec {
		case Apply, Confirm:
			ch.Provenance = append(ch.Provenance, f)
		case Conflict:
			kept := pv.Source
			if kept == "" {
				kept = SourceManual
			}
			ch.Conflicts = append(ch.Conflicts, FieldConflict{Field: f, KeptSource: kept, Kept: FieldValue(before, f)})
		}
		return dec
	}
	if sn := strings.TrimSpace(d.SerialNumber); in(FieldSerialNumber, serial == "" || d.Virtual,
		before.SerialNumber != nil && NormalizeSerial(*before.SerialNumber) == serial) == Apply {
		if p.serialTaken(serial, before) {
			ch.Provenance = ch.Provenance[:len(ch.Provenance)-1]
			ch.Conflicts = append(ch.Conflicts, FieldConflict{Field: FieldSerialNumber, KeptSource: "uniqueness", Kept: FieldValue(before, FieldSerialNumber)})
		} else {
			after.SerialNumber = &sn
		}
	}
	if n := strings.TrimSpace(d.Name); in(FieldName, n == "", before.Name != nil && *before.Name == n) == Apply {
		after.Name = &n
	}
	if in(FieldModel, model == uuid.Nil, before.ModelID == model) == Apply {
		after.ModelID, after.ManufacturerID = model, mfr
	}
	if in(FieldAssignee, person == nil, person != nil && before.AssignedPersonID != nil && *before.AssignedPersonID == *person) == Apply {
		if st, err := lifecycle.AfterAssign(before.Status); err == nil {
			after.Status, after.AssignedPersonID, after.AssignedLocationID = st, person, nil
			ch.Action = itam.HistoryAssign
		} else {
			ch.Provenance = ch.Provenance[:len(ch.Provenance)-1]
		}
	}
	if in(FieldPurchaseDate, d.PurchaseDate == nil, sameDate(before.PurchaseDate, d.PurchaseDate)) == Apply {
		after.PurchaseDate = d.PurchaseDate
	}
	if in(FieldWarrantyEnd, d.WarrantyEnd == nil, sameDate(before.WarrantyEnd, d.WarrantyEnd)) == Apply {
		after.WarrantyEnd = d.WarrantyEnd
	}
	samePrice := price != nil && before.PurchasePrice != nil && before.PurchasePrice.Amount.Equal(*price) && before.PurchasePrice.Currency == currency
	if in(FieldPurchasePrice, price == nil, samePrice) == Apply {
		after.PurchasePrice = &itam.Money{Amount: *price, Currency: currency}
	}
	if in(FieldLocation, location == nil, location != nil && before.LocationID != nil && *before.LocationID == *location) == Apply {
		after.LocationID = location
	}
	// A status goes through the lifecycle rules as a person's transition
	// would: one they refuse (RETIRED while assigned, DISPOSED without its
	// certificate) is kept out and recorded as a conflict, never forced.
	to := itam.AssetStatus(d.Status)
	if in(FieldStatus, d.Status == "" || !lifecycle.Valid(to), after.Status == to) == Apply {
		mv, err := lifecycle.Move(after, to)
		if err != nil {
			ch.Provenance = ch.Provenance[:len(ch.Provenance)-1]
			ch.Conflicts = append(ch.Conflicts, FieldConflict{Field: FieldStatus, KeptSource: "lifecycle", Kept: FieldValue(before, FieldStatus)})
		} else {
			after = mv.Asset
			if ch.Action == itam.HistoryUpdate {
				ch.Action = itam.HistoryTransition
			}
		}
	}
	for i := range ch.Conflicts {
		ch.Conflicts[i].Got = deviceValue(d, ch.Conflicts[i].Field, model, person, price, currency, location)
	}
	return ch, nil
}

// serialTaken reports whether another asset of the same manufacturer
// already has serial: applying it would break serial uniqueness.
func (p *planner) serialTaken(serial string, a *itam.Asset) bool {
	for _, c := range p.s.BySerial[serial] {
		if c.ID != a.ID {
			if other, ok := p.s.Assets[c.ID]; ok && other.ManufacturerID == a.ManufacturerID {
				return true
			}
		}
	}
	return false
}

func sameDate(a, b *time.Time) bool {
	return a != nil && b != nil && a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

// DevicePrice is the price a vendor reports, when it is one the inventory
// can hold (itam.ValidateMoney): vendors store free text here, and a price
// that is unparseable, negative or too large is no price rather than a page
// that fails on every retry.
func DevicePrice(d Device, defaultCurrency string) (*decimal.Decimal, string) {
	raw := strings.TrimSpace(d.PurchasePrice)
	if raw == "" {
		return nil, ""
	}
	amount, err := decimal.NewFromString(raw)
	if err != nil {
		return nil, ""
	}
	cur := defaultCurrency
	if d.PurchaseCurrency != "" {
		if c, err := itam.ParseCurrency(d.PurchaseCurrency); err == nil {
			cur = c
		}
	}
	amount = amount.Round(4)
	if itam.ValidateMoney(itam.Money{Amount: amount, Currency: cur}, "purchasePrice") != nil {
		return nil, ""
	}
	return &amount, cur
}

// FieldEmpty reports whether an asset has no value for a synced field.
func FieldEmpty(a *itam.Asset, f string) bool {
	switch f {
	case FieldSerialNumber:
		return a.SerialNumber == nil
	case FieldName:
		return a.Name == nil
	case FieldModel:
		return a.ModelID == uuid.Nil
	case FieldAssignee:
		return a.AssignedPersonID == nil && a.AssignedLocationID == nil
	case FieldPurchaseDate:
		return a.PurchaseDate == nil
	case FieldPurchasePrice:
		return a.PurchasePrice == nil
	case FieldWarrantyEnd:
		return a.WarrantyEnd == nil
	case FieldStatus:
		return a.Status == ""
	case FieldLocation:
		return a.LocationID == nil
	}
	return true
}

// FieldValue is a synced field's value as history records it.
func FieldValue(a *itam.Asset, f string) any {
	snap := itam.AssetSnapshot(a)
	if f == FieldAssignee {
		return snap["assignedPersonId"]
	}
	return snap[f]
}

func deviceValue(d Device, f string, model uuid.UUID, person *uuid.UUID, price *decimal.Decimal, cur string, location *uuid.UUID) any {
	switch f {
	case FieldStatus:
		return d.Status
	case FieldLocation:
		if location != nil {
			return location
		}
		return d.Location
	case FieldSerialNumber:
		return strings.TrimSpace(d.SerialNumber)
	case FieldName:
		return strings.TrimSpace(d.Name)
	case FieldModel:
		return model
	case FieldAssignee:
		if person != nil {
			return person
		}
		return d.UserEmail
	case FieldPurchaseDate:
		return itam.DateJSON(d.PurchaseDate)
	case FieldWarrantyEnd:
		return itam.DateJSON(d.WarrantyEnd)
	case FieldPurchasePrice:
		if price != nil {
			return map[string]string{"amount": price.String(), "currency": cur}
		}
	}
	return nil
}
