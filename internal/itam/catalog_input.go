package itam

import (
	"time"

	"github.com/google/uuid"
)

// Create inputs carry plain fields: nil means "not given". Patches carry the
// id and the version the caller read, and Optional fields: unset leaves a
// field as it is, set to nil clears it.

// PersonInput creates a person.
type PersonInput struct {
	Name           string
	Email          string
	EmployeeNumber *string
	Title          *string
	TeamID         *uuid.UUID
	ManagerID      *uuid.UUID
	LocationID     *uuid.UUID
	Status         *PersonStatus // default ACTIVE
	StartDate      *time.Time
	EndDate        *time.Time
}

// PersonPatch changes a person.
type PersonPatch struct {
	ID             uuid.UUID
	Version        int
	Name           Optional[string]
	Email          Optional[string]
	EmployeeNumber Optional[string]
	Title          Optional[string]
	TeamID         Optional[uuid.UUID]
	ManagerID      Optional[uuid.UUID]
	LocationID     Optional[uuid.UUID]
	Status         Optional[PersonStatus]
	StartDate      Optional[time.Time]
	EndDate        Optional[time.Time]
}

// PersonFilter selects people. Fields combine with AND; a nil id list does
// not filter, an empty one matches nothing.
type PersonFilter struct {
	Search      *string // case-insensitive substring of name, email or employee number
	Status      *PersonStatus
	TeamIDs     []uuid.UUID
	ManagerIDs  []uuid.UUID
	LocationIDs []uuid.UUID
}

// PersonSortField is what people are ordered by; ties break on id.
type PersonSortField string

const (
	PersonSortName      PersonSortField = "NAME"
	PersonSortEmail     PersonSortField = "EMAIL"
	PersonSortCreatedAt PersonSortField = "CREATED_AT"
)

// PersonQuery is a filtered, ordered people list request. The zero value
// lists everyone visible by name, ascending.
type PersonQuery struct {
	Filter PersonFilter
	Sort   PersonSortField
	Dir    SortDirection
}

// TeamInput creates a team.
type TeamInput struct {
	Name        string
	Description *string
}

// TeamPatch changes a team.
type TeamPatch struct {
	ID          uuid.UUID
	Version     int
	Name        Optional[string]
	Description Optional[string]
}

// TeamFilter selects teams.
type TeamFilter struct {
	Search *string // case-insensitive substring of the name
}

// NameFilter selects records by a case-insensitive substring of their name
// (manufacturers, suppliers).
type NameFilter struct {
	Search *string
}

// LocationKinds lists every location kind, outermost first.
var LocationKinds = []LocationKind{LocationSite, LocationBuilding, LocationFloor, LocationRoom}

// LocationInput creates a location.
type LocationInput struct {
	Kind     LocationKind
	Name     string
	ParentID *uuid.UUID
	Address  Address
}

// AddressPatch changes some lines of an address.
type AddressPatch struct {
	Line1, Line2, City, Region, PostalCode, Country Optional[string]
}

// LocationPatch changes a location. Address set to nil clears every line.
type LocationPatch struct {
	ID       uuid.UUID
	Version  int
	Kind     Optional[LocationKind]
	Name     Optional[string]
	ParentID Optional[uuid.UUID]
	Address  Optional[AddressPatch]
}

// LocationFilter selects locations. Fields combine with AND.
type LocationFilter struct {
	Search    *string // case-insensitive substring of the name
	Kind      *LocationKind
	ParentID  *uuid.UUID // direct children of this location
	RootsOnly bool       // only top-level locations
	WithinID  *uuid.UUID // this location and everything below it
}

// ManufacturerInput creates a manufacturer.
type ManufacturerInput struct {
	Name       string
	Website    *string
	SupportURL *string
}

// ManufacturerPatch changes a manufacturer.
type ManufacturerPatch struct {
	ID         uuid.UUID
	Version    int
	Name       Optional[string]
	Website    Optional[string]
	SupportURL Optional[string]
}

// Category kinds.
const (
	CategoryLaptop     CategoryKind = "LAPTOP"
	CategoryDesktop    CategoryKind = "DESKTOP"
	CategoryServer     CategoryKind = "SERVER"
	CategoryPhone      CategoryKind = "PHONE"
	CategoryTablet     CategoryKind = "TABLET"
	CategoryMonitor    CategoryKind = "MONITOR"
	CategoryNetwork    CategoryKind = "NETWORK"
	CategoryPeripheral CategoryKind = "PERIPHERAL"
	CategoryOther      CategoryKind = "OTHER"
	CategoryCustom     CategoryKind = "CUSTOM"
)

// CategoryKinds lists every category kind.
var CategoryKinds = []CategoryKind{CategoryLaptop, CategoryDesktop, CategoryServer, CategoryPhone, CategoryTablet,
	CategoryMonitor, CategoryNetwork, CategoryPeripheral, CategoryOther, CategoryCustom}

// CategoryInput creates a category.
type CategoryInput struct {
	Name                  string
	Kind                  CategoryKind
	FieldDefinitions      []FieldDefinition
	DepreciationProfileID *uuid.UUID
	AuditIntervalMonths   *int
	// HasStorage: nil takes the kind's default (KindCarriesStorage).
	HasStorage *bool
}

// CategoryPatch changes a category. FieldDefinitions set to nil removes them all.
type CategoryPatch struct {
	ID               uuid.UUID
	Version          int
	Name             Optional[string]
	Kind             Optional[CategoryKind]
	FieldDefinitions Optional[[]FieldDefinition]
	// DepreciationProfileID: null clears it.
	DepreciationProfileID Optional[uuid.UUID]
	// AuditIntervalMonths: null clears it (no audits required).
	AuditIntervalMonths Optional[int]
	// HasStorage: nil leaves it as it is.
	HasStorage *bool
}

// CategoryFilter selects categories.
type CategoryFilter struct {
	Search *string
	Kind   *CategoryKind
}

// ModelInput creates a model.
type ModelInput struct {
	Name             string
	ManufacturerID   uuid.UUID
	CategoryID       uuid.UUID
	ModelNumber      *string
	UsefulLifeMonths *int
	// DepreciationProfileID: existence is the store's to check.
	DepreciationProfileID *uuid.UUID
}

// ModelPatch changes a model.
type ModelPatch struct {
	ID               uuid.UUID
	Version          int
	Name             Optional[string]
	ManufacturerID   Optional[uuid.UUID]
	CategoryID       Optional[uuid.UUID]
	ModelNumber      Optional[string]
	UsefulLifeMonths Optional[int]
	// DepreciationProfileID: null clears it.
	DepreciationProfileID Optional[uuid.UUID]
}

// ModelFilter selects models. Fields combine with AND.
type ModelFilter struct {
	Search          *string // case-insensitive substring of the name or model number
	ManufacturerIDs []uuid.UUID
	CategoryIDs     []uuid.UUID
}

// SupplierInput creates a supplier.
type SupplierInput struct {
	Name        string
	ContactName *string
	Email       *string
	Phone       *string
	Website     *string
}

// SupplierPatch changes a supplier.
type SupplierPatch struct {
	ID          uuid.UUID
	Version     int
	Name        Optional[string]
	ContactName Optional[string]
	Email       Optional[string]
	Phone       Optional[string]
	Website     Optional[string]
}
