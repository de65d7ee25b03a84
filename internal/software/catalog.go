// Package software is the software catalog's domain: publishers, products,
// the ordered title rules that resolve reported installations to products,
// and the starter rule set. It holds types and rules only; storage lives in
// internal/postgres.
package software

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Publisher is a company that publishes software ("Microsoft", "Adobe").
type Publisher struct {
	ID      uuid.UUID
	Name    string
	Website *string
	// Starter marks a publisher created from the starter rule set.
	Starter   bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PublisherInput creates a publisher.
type PublisherInput struct {
	Name    string
	Website *string
}

// PublisherPatch changes a publisher; the version must be current.
type PublisherPatch struct {
	ID      uuid.UUID
	Version int
	// Name: unset keeps it; null or blank is BAD_USER_INPUT.
	Name    itam.Optional[string]
	Website itam.Optional[string]
}

// Product is a piece of software licenses are bought for ("Microsoft 365
// Apps for enterprise", "Adobe Acrobat Pro"), with its known editions.
type Product struct {
	ID          uuid.UUID
	PublisherID uuid.UUID
	Name        string
	Editions    []string
	Notes       *string
	Starter     bool
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ProductInput creates a product.
type ProductInput struct {
	PublisherID uuid.UUID
	Name        string
	Editions    []string
	Notes       *string
}

// ProductPatch changes a product; the version must be current.
type ProductPatch struct {
	ID      uuid.UUID
	Version int
	// PublisherID and Name: unset keeps them; null is BAD_USER_INPUT.
	PublisherID itam.Optional[uuid.UUID]
	Name        itam.Optional[string]
	// Editions: unset keeps them; null or empty clears them.
	Editions itam.Optional[[]string]
	Notes    itam.Optional[string]
}

// ProductFilter selects products by name and publisher.
type ProductFilter struct {
	Search      *string
	PublisherID *uuid.UUID
	IDs         []uuid.UUID
}

// Installation is one application a source reports on a device, resolved
// to a product when a title rule matches it.
type Installation struct {
	AssetID    uuid.UUID
	Source     string
	Key        string
	Title      string
	Version    *string
	Identifier *string
	ProductID  *uuid.UUID
	RuleID     *uuid.UUID
	Edition    *string
	// NormalizedVersion is the rule's version pattern capture, else the
	// reported version.
	NormalizedVersion *string
	FirstSeenAt       time.Time
	LastSeenAt        time.Time
	// EndedAt is set when the source stopped reporting the application.
	EndedAt *time.Time
}

// UnmatchedTitle is a reported title no rule resolves, with how many
// devices report it.
type UnmatchedTitle struct {
	Title       string
	Identifier  *string
	DeviceCount int
	Versions    []string
	Sources     []string
	FirstSeenAt time.Time
	LastSeenAt  time.Time
	// GroupKey identifies the group for keyset pagination, as the database
	// computes it (lower(title), a unit separator, the identifier).
	GroupKey string
}

// UnmatchedFilter selects unmatched titles.
type UnmatchedFilter struct {
	Search     *string
	Source     *string
	MinDevices *int
}

// NormalizationState is where a re-normalization run is.
type NormalizationState string

const (
	NormalizationQueued    NormalizationState = "QUEUED"
	NormalizationRunning   NormalizationState = "RUNNING"
	NormalizationCompleted NormalizationState = "COMPLETED"
	NormalizationFailed    NormalizationState = "FAILED"
)

// NormalizationRun re-resolves an organization's installations after its
// rules changed; a River job does the work and records progress here.
type NormalizationRun struct {
	ID                   uuid.UUID
	State                NormalizationState
	Reason               string
	Actor                string
	TitlesTotal          int
	TitlesDone           int
	InstallationsChanged int64
	Error                *string
	CreatedAt            time.Time
	StartedAt            *time.Time
	FinishedAt           *time.Time
}
