package itam

import (
	"time"

	"github.com/google/uuid"
)

// Connector is a configured connection to an MDM or ITSM platform. Its
// credentials are write-only: they are stored sealed and never read back
// through the API, so the type has no field for them.
type Connector struct {
	ID                     uuid.UUID
	Kind                   string
	Name                   string
	BaseURL                *string
	AuthURL                *string
	Options                map[string]any
	ScheduleInterval       *time.Duration
	ScheduleCron           *string
	NextSyncAt             *time.Time
	Enabled                bool
	DefaultOwnerTeamID     *uuid.UUID
	AuthoritativeForPeople bool
	StaleAfterDays         int
	HasWebhookSecret       bool
	// PushFields are the fields written back to the linked ITSM records
	// when they change in itam (ITSM kinds only; empty: none).
	PushFields []string
	// PushCreate creates records at the ITSM for assets it does not know.
	PushCreate bool
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Source is how history and provenance name a connector: "jamf_pro:<name>"
// would change with renames, so it is the kind and the id.
func (c *Connector) Source() string { return ConnectorSource(c.Kind, c.ID) }

// ConnectorSource formats the source name of a connector.
func ConnectorSource(kind string, id uuid.UUID) string { return kind + ":" + id.String() }

// SyncStatus is where a sync run is.
type SyncStatus string

const (
	SyncQueued    SyncStatus = "QUEUED"
	SyncRunning   SyncStatus = "RUNNING"
	SyncSucceeded SyncStatus = "SUCCEEDED"
	SyncPartial   SyncStatus = "PARTIAL" // finished, some records failed
	SyncFailed    SyncStatus = "FAILED"
	SyncCancelled SyncStatus = "CANCELLED"
)

// SyncMode is FULL or INCREMENTAL.
type SyncMode string

const (
	SyncFull        SyncMode = "FULL"
	SyncIncremental SyncMode = "INCREMENTAL"
)

// MaxSyncErrors bounds the per-record messages a run keeps; ErrorCount has
// the full number.
const MaxSyncErrors = 100

// SyncRun is one execution of a connector's sync.
type SyncRun struct {
	ID               uuid.UUID
	ConnectorID      uuid.UUID
	Mode             SyncMode
	Status           SyncStatus
	TargetExternalID *string
	Trigger          string
	QueuedAt         time.Time
	StartedAt        *time.Time
	FinishedAt       *time.Time
	Cursor           *string
	Since            *time.Time
	PagesFetched     int
	RecordsSeen      int
	Created          int
	Updated          int
	Unchanged        int
	StaleMarked      int
	ErrorCount       int
	Errors           []SyncError
	Message          *string
}

// SyncError is one record that could not be applied.
type SyncError struct {
	ExternalID string `json:"externalId"`
	Message    string `json:"message"`
}

// FieldProvenance says which source last set a synced field of an asset,
// when, and whether a person locked it against syncs.
type FieldProvenance struct {
	Field      string
	Source     string
	ObservedAt time.Time
	Locked     bool
}

// SyncConflict is a disagreement between two sources about one field of one
// asset, resolved by precedence (or a lock) in favour of KeptSource.
type SyncConflict struct {
	ID          uuid.UUID
	AssetID     uuid.UUID
	Field       string
	KeptSource  string
	KeptValue   any
	OtherSource string
	OtherValue  any
	FirstSeenAt time.Time
	LastSeenAt  time.Time
}

// FieldPrecedence is the ordered list of sources believed for a field.
type FieldPrecedence struct {
	Field     string
	Sources   []string
	IsDefault bool
}
