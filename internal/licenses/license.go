// Package licenses is the software license domain: licenses of every model,
// seats, and the compliance position (entitled against consumed). It holds
// types and rules only; storage and the SQL aggregates live in
// internal/postgres.
package licenses

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// Model is how a license counts use.
type Model string

const (
	PerDevice    Model = "PER_DEVICE"
	PerUser      Model = "PER_USER"
	Concurrent   Model = "CONCURRENT"
	Site         Model = "SITE" // unlimited: no seat count
	Subscription Model = "SUBSCRIPTION"
)

// BillingPeriod is how often a license's cost recurs.
type BillingPeriod string

const (
	OneTime BillingPeriod = "ONE_TIME"
	Monthly BillingPeriod = "MONTHLY"
	Annual  BillingPeriod = "ANNUAL"
)

// License is an entitlement to use a product.
type License struct {
	ID        uuid.UUID
	ProductID uuid.UUID
	Name      *string
	Model     Model
	// Editions and Versions covered; empty covers all.
	Editions          []string
	Versions          []string
	Seats             *int // nil only for SITE
	TermStart         *time.Time
	TermEnd           *time.Time
	RenewalDate       *time.Time
	AutoRenew         bool
	SeatCost          *itam.Money
	TotalCost         *itam.Money
	BillingPeriod     BillingPeriod
	SupplierID        *uuid.UUID
	PurchaseOrder     *string
	ContractReference *string
	// HasKey says a key is stored; the key itself is read through its own
	// call (ADMIN only, recorded in history).
	HasKey    bool
	Notes     *string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Input creates a license. Key is the plaintext key, sealed before storage.
type Input struct {
	ProductID         uuid.UUID
	Name              *string
	Model             Model
	Editions          []string
	Versions          []string
	Seats             *int
	SeatCost          *itam.Money
	TotalCost         *itam.Money
	BillingPeriod     *BillingPeriod
	TermStart         *time.Time
	TermEnd           *time.Time
	RenewalDate       *time.Time
	AutoRenew         *bool
	SupplierID        *uuid.UUID
	PurchaseOrder     *string
	ContractReference *string
	Key               *string
	Notes             *string
}

// Patch changes a license; the version must be current.
type Patch struct {
	ID                uuid.UUID
	Version           int
	ProductID         *uuid.UUID
	Name              itam.Optional[string]
	Model             *Model
	Editions          *[]string
	Versions          *[]string
	Seats             itam.Optional[int]
	SeatCost          itam.Optional[itam.Money]
	TotalCost         itam.Optional[itam.Money]
	BillingPeriod     *BillingPeriod
	TermStart         itam.Optional[time.Time]
	TermEnd           itam.Optional[time.Time]
	RenewalDate       itam.Optional[time.Time]
	AutoRenew         *bool
	SupplierID        itam.Optional[uuid.UUID]
	PurchaseOrder     itam.Optional[string]
	ContractReference itam.Optional[string]
	Key               itam.Optional[string]
	Notes             itam.Optional[string]
}

// Filter selects licenses.
type Filter struct {
	ProductID   *uuid.UUID
	PublisherID *uuid.UUID
	Model       *Model
	Search      *string
	// Active: within its term today (true) or not (false).
	Active *bool
}

// Seat is one license seat assigned to a person (PER_USER, SUBSCRIPTION)
// or an asset (PER_DEVICE); a reclaimed seat stays, ended.
type Seat struct {
	ID            uuid.UUID
	LicenseID     uuid.UUID
	PersonID      *uuid.UUID
	AssetID       *uuid.UUID
	AssignedAt    time.Time
	AssignedBy    string
	ReclaimedAt   *time.Time
	ReclaimedBy   *string
	ReclaimReason *string
}

// SeatInput assigns a seat of a license to one holder.
type SeatInput struct {
	LicenseID uuid.UUID
	PersonID  *uuid.UUID
	AssetID   *uuid.UUID
}

// HistoryAction is the kind of change a license history entry records.
type HistoryAction string

const (
	HistoryCreate      HistoryAction = "CREATE"
	HistoryUpdate      HistoryAction = "UPDATE"
	HistoryDelete      HistoryAction = "DELETE"
	HistoryAssignSeat  HistoryAction = "ASSIGN_SEAT"
	HistoryReclaimSeat HistoryAction = "RECLAIM_SEAT"
	HistoryKeyRead     HistoryAction = "KEY_READ"
)

// HistoryEntry is one append-only record of a change to a license or its
// seats, or of a read of its key.
type HistoryEntry struct {
	ID        int64
	LicenseID uuid.UUID
	SeatID    *uuid.UUID
	Action    HistoryAction
	ActorKind itam.ActorKind
	Actor     string
	Changes   []itam.FieldChange
	At        time.Time
}

// ComplianceStatus is a product's license position.
type ComplianceStatus string

const (
	Compliant    ComplianceStatus = "COMPLIANT"
	AtRisk       ComplianceStatus = "AT_RISK" // at least 90% of entitled seats used
	OverDeployed ComplianceStatus = "OVER_DEPLOYED"
	Unlicensed   ComplianceStatus = "UNLICENSED" // installed, no active license at all
)

// Metric is what a product's position counts: devices or people.
type Metric string

const (
	CountDevices Metric = "DEVICE"
	CountUsers   Metric = "USER"
)

// Position is one product's compliance position.
type Position struct {
	ProductID uuid.UUID
	Metric    Metric
	Models    []Model
	Entitled  *int // nil: unlimited (a SITE license is active)
	Consumed  int
	Assigned  int
	Installed int // devices with an active installation
	// UnattributedDevices (USER metric): devices with an installation and
	// no assigned person, so not counted in Consumed.
	UnattributedDevices int
	Shortfall           int
	TrueUpCost          []itam.Money
	Surplus             *int // nil when unlimited
	SurplusCost         []itam.Money
	Status              ComplianceStatus
}

// ComplianceFilter selects positions.
type ComplianceFilter struct {
	ProductID   *uuid.UUID
	PublisherID *uuid.UUID
	Status      *ComplianceStatus
}

// ReclaimReason is why a seat could be taken back.
type ReclaimReason string

const (
	HolderOffboarded ReclaimReason = "HOLDER_OFFBOARDED"
	AssetRetired     ReclaimReason = "ASSET_RETIRED"
	NotUsed          ReclaimReason = "NOT_USED"
)

// ReclaimCandidate is an assigned seat that could be taken back.
type ReclaimCandidate struct {
	Seat       Seat
	Reason     ReclaimReason
	LastSeenAt *time.Time // last report of the software on the holder's devices
	Frees      *itam.Money
}

// Expiring is a license whose term ends soon, with the money at stake.
type Expiring struct {
	LicenseID uuid.UUID
	TermEnd   time.Time
	DaysLeft  int
	AutoRenew bool
	AtStake   *itam.Money
}

// Evidence is one row of a product's audit evidence: a device (DEVICE
// metric) or a person (USER metric; a device assigned to nobody is its own
// row), what is installed, and the seat and license that cover it.
type Evidence struct {
	AssetID  *uuid.UUID
	PersonID *uuid.UUID
	// Installations: the product's current installations on the device (or
	// on the person's devices that are not RETIRED or DISPOSED).
	Installations []software.Installation
	SeatID        *uuid.UUID
	LicenseID     *uuid.UUID
	Covered       bool
	Note          string
	// For the CSV export, which has no loaders: the row's names.
	AssetTag     *string
	SerialNumber *string
	AssetStatus  *string
	PersonName   *string
	PersonEmail  *string
	PersonStatus *string
	LicenseName  *string
	LicenseModel *Model
}
