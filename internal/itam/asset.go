package itam

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// AssetStatus is where an asset is in its lifecycle; internal/lifecycle
// holds which moves between statuses are allowed.
type AssetStatus string

const (
	StatusOrdered  AssetStatus = "ORDERED"
	StatusInStock  AssetStatus = "IN_STOCK"
	StatusDeployed AssetStatus = "DEPLOYED"
	StatusInRepair AssetStatus = "IN_REPAIR"
	StatusLost     AssetStatus = "LOST"
	StatusStolen   AssetStatus = "STOLEN"
	StatusRetired  AssetStatus = "RETIRED"
	StatusDisposed AssetStatus = "DISPOSED"
)

// AssetStatuses lists every status in lifecycle order.
var AssetStatuses = []AssetStatus{StatusOrdered, StatusInStock, StatusDeployed, StatusInRepair, StatusLost, StatusStolen, StatusRetired, StatusDisposed}

// Rank is the status's place in the lifecycle order (ORDERED 0 …
// DISPOSED 7), how STATUS sorts; -1 for a status that does not exist.
func (s AssetStatus) Rank() int { return slices.Index(AssetStatuses, s) }

// Condition is the physical state of an asset.
type Condition string

const (
	ConditionNew    Condition = "NEW"
	ConditionGood   Condition = "GOOD"
	ConditionFair   Condition = "FAIR"
	ConditionPoor   Condition = "POOR"
	ConditionBroken Condition = "BROKEN"
)

// DisposalMethod is how a disposed asset left the organization.
type DisposalMethod string

const (
	DisposalRecycled         DisposalMethod = "RECYCLED"
	DisposalResold           DisposalMethod = "RESOLD"
	DisposalDonated          DisposalMethod = "DONATED"
	DisposalDestroyed        DisposalMethod = "DESTROYED"
	DisposalReturnedToLessor DisposalMethod = "RETURNED_TO_LESSOR"
)

// Money is an exact amount in an ISO 4217 currency.
type Money struct {
	Amount   decimal.Decimal
	Currency string
}

// Asset is one tracked piece of hardware.
type Asset struct {
	ID                 uuid.UUID
	OrgID              uuid.UUID
	AssetTag           string
	SerialNumber       *string
	Name               *string
	ModelID            uuid.UUID
	ManufacturerID     uuid.UUID
	Status             AssetStatus
	Condition          Condition
	AssignedPersonID   *uuid.UUID
	AssignedLocationID *uuid.UUID
	OwnerPersonID      *uuid.UUID
	OwnerTeamID        *uuid.UUID
	LocationID         *uuid.UUID
	PurchaseDate       *time.Time
	PurchasePrice      *Money
	SupplierID         *uuid.UUID
	OrderNumber        *string
	InvoiceNumber      *string
	WarrantyEnd        *time.Time
	EndOfLife          *time.Time
	Notes              *string
	CustomFields       map[string]any
	// DepreciationProfileID is the asset's own profile (nil: inherited,
	// see costs.EffectiveProfile); InServiceDate nil means the purchase date.
	DepreciationProfileID *uuid.UUID
	InServiceDate         *time.Time
	DisposalDate          *time.Time
	DisposalMethod        *DisposalMethod
	DisposalCertificate   *string
	ExternalIDs           []ExternalID
	Version               int
	CreatedAt, UpdatedAt  time.Time
}

// ExternalID links an asset to a record in another system (an MDM, an ITSM).
type ExternalID struct {
	Source     string
	ExternalID string
	LastSeenAt *time.Time
	// Set for links a connector maintains.
	ConnectorID  *uuid.UUID
	LastCheckIn  *time.Time
	MissingSince *time.Time // a full sync stopped seeing the record
	StaleSince   *time.Time // missing for longer than the connector allows
}

// Optional is an input value that may be absent (leave unchanged), null
// (clear) or set. Update inputs use it so "not given" and "cleared" differ.
type Optional[T any] struct {
	Set   bool
	Value *T
}

// Some returns a set Optional holding v.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: &v} }

// AssetInput creates an asset. Zero values mean "not given".
type AssetInput struct {
	AssetTag      *string
	SerialNumber  *string
	Name          *string
	ModelID       uuid.UUID
	Status        *AssetStatus
	Condition     *Condition
	OwnerPersonID *uuid.UUID
	OwnerTeamID   *uuid.UUID
	LocationID    *uuid.UUID
	PurchaseDate  *time.Time
	PurchasePrice *Money
	SupplierID    *uuid.UUID
	OrderNumber   *string
	InvoiceNumber *string
	WarrantyEnd   *time.Time
	EndOfLife     *time.Time
	Notes         *string
	CustomFields  map[string]any
	ExternalIDs   []ExternalID
	// DepreciationProfileID and InServiceDate: see Asset.
	DepreciationProfileID *uuid.UUID
	InServiceDate         *time.Time
}

// AssetPatch changes the descriptive fields of an asset. Status, assignee and
// disposal change only through their own operations so each is validated and
// recorded as what it is.
type AssetPatch struct {
	ID            uuid.UUID
	Version       int
	AssetTag      Optional[string]
	SerialNumber  Optional[string]
	Name          Optional[string]
	ModelID       Optional[uuid.UUID]
	Condition     Optional[Condition]
	OwnerPersonID Optional[uuid.UUID]
	OwnerTeamID   Optional[uuid.UUID]
	LocationID    Optional[uuid.UUID]
	PurchaseDate  Optional[time.Time]
	PurchasePrice Optional[Money]
	SupplierID    Optional[uuid.UUID]
	OrderNumber   Optional[string]
	InvoiceNumber Optional[string]
	WarrantyEnd   Optional[time.Time]
	EndOfLife     Optional[time.Time]
	Notes         Optional[string]
	CustomFields  Optional[map[string]any]
	// CustomFieldsPatch changes only the keys it names (nil value: remove
	// the key); nil means not given. See MergeCustomFields.
	CustomFieldsPatch map[string]any
	// DepreciationProfileID and InServiceDate: see Asset; null clears.
	DepreciationProfileID Optional[uuid.UUID]
	InServiceDate         Optional[time.Time]
}

// Assignee is who or where an asset is checked out to: exactly one of the two.
type Assignee struct {
	PersonID   *uuid.UUID
	LocationID *uuid.UUID
}

// Disposal describes how a retired asset left the organization.
type Disposal struct {
	Date        time.Time
	Method      DisposalMethod
	Certificate *string
	// Sanitization is required when the asset's category carries storage.
	Sanitization *Sanitization
}

// AssetFilter selects assets. Fields combine with AND; And/Or/Not nest.
type AssetFilter struct {
	StatusIn              []AssetStatus
	CategoryIDs           []uuid.UUID
	ModelIDs              []uuid.UUID
	ManufacturerIDs       []uuid.UUID
	LocationIDs           []uuid.UUID // the location or any below it
	AssignedPersonIDs     []uuid.UUID
	AssignedLocationIDs   []uuid.UUID
	OwnerPersonIDs        []uuid.UUID
	OwnerTeamIDs          []uuid.UUID
	SupplierIDs           []uuid.UUID
	Search                *string
	PurchasedAfter        *time.Time // inclusive
	PurchasedBefore       *time.Time // inclusive
	WarrantyExpiresBefore *time.Time
	Unassigned            *bool
	Stale                 *bool          // some source stopped reporting the device for too long
	CustomFields          map[string]any // equality on each key
	And                   []AssetFilter
	Or                    []AssetFilter
	Not                   *AssetFilter
}

// AssetQuery is a filtered, ordered asset list request; a zero Sort and
// Dir mean by asset tag, ascending.
type AssetQuery struct {
	Filter *AssetFilter
	Sort   AssetSortField
	Dir    SortDirection
}

// AssetSortField is what assets are ordered by; ties break on id.
type AssetSortField string

const (
	AssetSortTag          AssetSortField = "ASSET_TAG"
	AssetSortCreatedAt    AssetSortField = "CREATED_AT"
	AssetSortUpdatedAt    AssetSortField = "UPDATED_AT"
	AssetSortName         AssetSortField = "NAME"
	AssetSortSerial       AssetSortField = "SERIAL_NUMBER"
	AssetSortPurchaseDate AssetSortField = "PURCHASE_DATE"
	AssetSortWarrantyEnd  AssetSortField = "WARRANTY_END"
	AssetSortStatus       AssetSortField = "STATUS"
)

// AssetGroupBy is a dimension of assetCounts.
type AssetGroupBy string

const (
	GroupByStatus    AssetGroupBy = "STATUS"
	GroupByCategory  AssetGroupBy = "CATEGORY"
	GroupByLocation  AssetGroupBy = "LOCATION"
	GroupByOwnerTeam AssetGroupBy = "OWNER_TEAM"
	GroupByModel     AssetGroupBy = "MODEL"
	// GroupByAssigneeTeam is the team of the person an asset is assigned to.
	GroupByAssigneeTeam AssetGroupBy = "ASSIGNEE_TEAM"
	// GroupByAssigneeLocation is where the assignee is: the location an
	// asset is assigned to, else its assigned person's location.
	GroupByAssigneeLocation AssetGroupBy = "ASSIGNEE_LOCATION"
)

// AssetGroupBys lists every dimension assetCounts can group by.
var AssetGroupBys = []AssetGroupBy{GroupByStatus, GroupByCategory, GroupByLocation, GroupByOwnerTeam, GroupByModel,
	GroupByAssigneeTeam, GroupByAssigneeLocation}

// AssetCountGroup is one bucket of assetCounts: the key values of its
// dimensions (nil where the asset has none), how many assets, and their
// summed purchase value per currency.
type AssetCountGroup struct {
	Status      *AssetStatus
	CategoryID  *uuid.UUID
	LocationID  *uuid.UUID
	OwnerTeamID *uuid.UUID
	ModelID     *uuid.UUID
	// AssigneeTeamID and AssigneeLocationID: see GroupByAssigneeTeam and
	// GroupByAssigneeLocation.
	AssigneeTeamID     *uuid.UUID
	AssigneeLocationID *uuid.UUID
	Count              int
	PurchaseValue      []Money
}
