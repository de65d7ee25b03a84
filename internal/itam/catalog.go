package itam

import (
	"time"

	"github.com/google/uuid"
)

// Organization is a tenant. Everything else belongs to exactly one.
type Organization struct {
	ID                 uuid.UUID
	Slug               string
	Name               string
	AssetTagPrefix     string
	DefaultCurrency    string
	DefaultOwnerTeamID *uuid.UUID
	// DefaultDepreciationProfileID applies to assets whose asset, model and
	// category set none.
	DefaultDepreciationProfileID *uuid.UUID
	// SoftwareReclaimAfterDays: seats on devices that have not reported
	// their software for this many days are reclaim candidates.
	SoftwareReclaimAfterDays int
	CreatedAt                time.Time
	UpdatedAt                time.Time
}

// OrganizationPatch changes organization settings (ADMIN only).
type OrganizationPatch struct {
	Name               Optional[string]
	AssetTagPrefix     Optional[string]
	DefaultCurrency    Optional[string]
	DefaultOwnerTeamID Optional[uuid.UUID]
	// DefaultDepreciationProfileID: existence is the store's to check.
	DefaultDepreciationProfileID Optional[uuid.UUID]
	// SoftwareReclaimAfterDays: nil leaves it.
	SoftwareReclaimAfterDays *int
}

// PersonStatus says whether a person still works for the organization.
type PersonStatus string

const (
	PersonActive     PersonStatus = "ACTIVE"
	PersonOffboarded PersonStatus = "OFFBOARDED"
)

// Person is someone who can hold or own assets.
type Person struct {
	ID             uuid.UUID
	Name           string
	Email          string
	EmployeeNumber *string
	Title          *string
	TeamID         *uuid.UUID
	ManagerID      *uuid.UUID
	LocationID     *uuid.UUID
	Status         PersonStatus
	StartDate      *time.Time
	EndDate        *time.Time
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Team is a group of people; teams own assets.
type Team struct {
	ID          uuid.UUID
	Name        string
	Description *string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// LocationKind is the level of a location in the site > building > floor > room tree.
type LocationKind string

const (
	LocationSite     LocationKind = "SITE"
	LocationBuilding LocationKind = "BUILDING"
	LocationFloor    LocationKind = "FLOOR"
	LocationRoom     LocationKind = "ROOM"
)

// Address is a postal address; Country is ISO 3166-1 alpha-2.
type Address struct {
	Line1, Line2, City, Region, PostalCode, Country *string
}

// Location is a place assets live, nested site > building > floor > room.
type Location struct {
	ID        uuid.UUID
	ParentID  *uuid.UUID
	Kind      LocationKind
	Name      string
	Address   Address
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Manufacturer makes models.
type Manufacturer struct {
	ID         uuid.UUID
	Name       string
	Website    *string
	SupportURL *string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CategoryKind is the built-in class of a category; CUSTOM for the organization's own.
type CategoryKind string

// FieldType is the type of a custom field's value.
type FieldType string

const (
	FieldText    FieldType = "TEXT"
	FieldNumber  FieldType = "NUMBER"
	FieldDate    FieldType = "DATE"
	FieldBoolean FieldType = "BOOLEAN"
	FieldEnum    FieldType = "ENUM"
)

// FieldDefinition declares one custom field that assets of a category carry.
type FieldDefinition struct {
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required"`
	Options  []string  `json:"options,omitempty"`
}

// Category classifies models (laptops, phones…) and declares their custom fields.
type Category struct {
	ID               uuid.UUID
	Name             string
	Kind             CategoryKind
	FieldDefinitions []FieldDefinition
	// DepreciationProfileID applies to its models' assets that set none.
	DepreciationProfileID *uuid.UUID
	// AuditIntervalMonths is how often its assets must be physically
	// audited (internal/audits); nil: never required.
	AuditIntervalMonths *int
	// HasStorage: its devices carry storage, so disposing of one needs a
	// sanitization record.
	HasStorage bool
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Model is a product line of a manufacturer, e.g. "Latitude 7440".
type Model struct {
	ID               uuid.UUID
	Name             string
	ManufacturerID   uuid.UUID
	CategoryID       uuid.UUID
	ModelNumber      *string
	UsefulLifeMonths *int
	// DepreciationProfileID applies to its assets that set none.
	DepreciationProfileID *uuid.UUID
	Version               int
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// Supplier sells assets to the organization.
type Supplier struct {
	ID          uuid.UUID
	Name        string
	ContactName *string
	Email       *string
	Phone       *string
	Website     *string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
