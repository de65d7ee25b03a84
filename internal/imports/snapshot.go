package imports

import (
	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/reconcile"
)

// Lookup is what a chunk of rows refers to, by normalized key
// (NormalizeName for names and emails, NormalizeTag and NormalizeSerial
// for asset tags and serials): the store loads exactly these into a Snapshot, in a
// constant number of queries per chunk.
type Lookup struct {
	AssetTags     []string
	Serials       []string
	Manufacturers []string
	Categories    []string
	// Models are (manufacturer NameKey, model NameKey) pairs; a model
	// named without a manufacturer has Manufacturer "".
	Models       []ModelKey
	ModelNumbers []string
	Locations    []string
	PersonEmails []string
	PersonNames  []string
	Teams        []string
	Suppliers    []string
	// Licenses are license names (LICENSES, LICENSE_SEATS); Products are
	// (publisher NameKey, product NameKey) pairs and Publishers names
	// (LICENSES).
	Licenses   []string
	Products   []ProductKey
	Publishers []string
}

// ProductKey names a software product within its publisher; a product
// named without a publisher has Publisher "" (matched when only one
// product has the name).
type ProductKey struct {
	Publisher string
	Name      string
}

// SeatKey is an active seat: a license and its holder (a person or an asset).
type SeatKey struct {
	License uuid.UUID
	Holder  uuid.UUID
}

// CostEntryKey is a cost entry's natural key, what makes a re-imported
// row the same money record: the asset, the day, the kind, the amount
// (canonical text) and currency, and the invoice reference ("" when none).
// The ledger is append-only money: an entry equal in all of these is the
// same entry, so re-importing a file is UNCHANGED, never a second charge.
type CostEntryKey struct {
	Asset            uuid.UUID
	Date             string
	Kind             string
	Amount           string
	Currency         string
	InvoiceReference string
}

// ModelKey names a model within its manufacturer.
type ModelKey struct {
	Manufacturer string
	Name         string
}

// Snapshot is what the organization holds for one chunk's Lookup.
type Snapshot struct {
	// AssetsByTag and AssetsBySerial index the same existing assets.
	// Serials are unique per manufacturer only: a serial two assets share
	// maps to the first and is listed in AmbiguousSerials.
	AssetsByTag      map[string]*ExistingAsset
	AssetsBySerial   map[string]*ExistingAsset
	AmbiguousSerials map[string]bool
	Manufacturers    map[string]uuid.UUID
	Categories       map[string]uuid.UUID
	Models           map[ModelKey]ExistingModel
	// ModelsByNumber: a model number shared by several models is absent
	// and listed in AmbiguousModelNumbers.
	ModelsByNumber        map[string]ExistingModel
	AmbiguousModelNumbers map[string]bool
	// Locations: a name two locations share (under different parents) is
	// absent and listed in AmbiguousLocations.
	Locations          map[string]uuid.UUID
	AmbiguousLocations map[string]bool
	PeopleByEmail      map[string]uuid.UUID
	// PeopleByName: a name two people share is absent and listed in
	// AmbiguousPeople (the row must use an email).
	PeopleByName    map[string]uuid.UUID
	AmbiguousPeople map[string]bool
	Teams           map[string]uuid.UUID
	Suppliers       map[string]uuid.UUID
	// ExistingPeople, ExistingLocations and ExistingModels are the records
	// a PEOPLE, LOCATIONS or MODELS import upserts, by their key.
	ExistingPeople    map[string]*ExistingRecord
	ExistingLocations map[string]*ExistingRecord
	ExistingModels    map[ModelKey]*ExistingRecord
	// Licenses holds the licenses a LICENSES or LICENSE_SEATS import
	// names, by NormalizeName(name), in the canonical text of the LICENSES
	// fields (licenseModel always set); a name two licenses share is
	// absent and listed in AmbiguousLicenses.
	Licenses          map[string]*ExistingRecord
	AmbiguousLicenses map[string]bool
	Publishers        map[string]uuid.UUID
	// Products: a product named without a publisher is also held under
	// ProductKey{Name} when only one publisher has a product of that name.
	Products map[ProductKey]uuid.UUID
	// Seats are the active seats of the licenses in Licenses.
	Seats map[SeatKey]bool
	// CostEntries are the cost entries of the assets in AssetsByTag.
	CostEntries map[CostEntryKey]bool
	// Precedence is the organization's field precedence.
	Precedence reconcile.Precedence
}

// ExistingModel is a model rows may name.
type ExistingModel struct {
	ID             uuid.UUID
	ManufacturerID uuid.UUID
	CategoryID     *uuid.UUID
}

// ExistingAsset is an asset a row may update, with its fields in the
// canonical text of RowPlan.Values (references as the name or email a
// row would use, "" when empty) and who set each synced field.
type ExistingAsset struct {
	ID      uuid.UUID
	Version int
	Values  map[string]string
	// Provenance is keyed by reconcile field (reconcile.FieldSerialNumber, …).
	Provenance map[string]reconcile.Current
}

// ExistingRecord is a person, location or model a row may update, in the
// same canonical text.
type ExistingRecord struct {
	ID      uuid.UUID
	Version int
	Values  map[string]string
}
