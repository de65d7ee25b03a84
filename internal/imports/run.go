package imports

import (
	"time"

	"github.com/google/uuid"
)

// RunStatus is where an import run is. A run is planned (the dry run)
// before anything is written; only a READY run can be committed.
type RunStatus string

// The statuses of an import run.
const (
	// StatusPlanning: the dry-run job is reading the file and planning rows.
	StatusPlanning RunStatus = "PLANNING"
	// StatusReady: the dry run's report is complete; nothing is written yet.
	StatusReady RunStatus = "READY"
	// StatusCommitting: the commit job is applying the plan.
	StatusCommitting RunStatus = "COMMITTING"
	// StatusCommitted: every planned row (or every valid one) is applied.
	StatusCommitted RunStatus = "COMMITTED"
	// StatusStale: the commit found data changed since the dry run (a
	// row's record moved to another version) and wrote nothing: start a new
	// dry run.
	StatusStale RunStatus = "STALE"
	// StatusFailed: the file could not be read or planned, or the commit
	// failed for a reason that is not the caller's; Run.Error says why.
	StatusFailed RunStatus = "FAILED"
)

// UpsertKey is which column matches a row to an existing asset.
type UpsertKey string

// The upsert keys of an asset import.
const (
	KeyAssetTag     UpsertKey = "ASSET_TAG"
	KeySerialNumber UpsertKey = "SERIAL_NUMBER"
)

// Options are the caller's choices for one import.
type Options struct {
	// Sheet names the XLSX sheet to read ("": the first).
	Sheet string `json:"sheet,omitempty"`
	// DateOrder reads ambiguous numeric dates (default DMY).
	DateOrder DateOrder `json:"dateOrder"`
	// UpsertKey matches rows to existing assets (default ASSET_TAG).
	UpsertKey UpsertKey `json:"upsertKey"`
	// DefaultCurrency is the currency of amounts written without one
	// (default: the organization's base currency).
	DefaultCurrency string `json:"defaultCurrency"`
}

// Action is what the plan does with one row.
type Action string

// The actions of a planned row.
const (
	ActionCreate    Action = "CREATE"
	ActionUpdate    Action = "UPDATE"
	ActionUnchanged Action = "UNCHANGED"
	ActionError     Action = "ERROR"
)

// CellError is one problem of a row: the column (0-based index into the
// header, -1 when the problem is the row's, like a missing key), its
// header text and mapped field, and a plain message.
type CellError struct {
	Column  int    `json:"column"`
	Header  string `json:"header,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// RowPlan is the dry run's decision for one data row, saved so the commit
// applies exactly it.
type RowPlan struct {
	// Line is the row number a spreadsheet shows for the row, counting the
	// header as row 1 and blank rows too. CSV: the record's row as Excel
	// opens the file, so line breaks inside a quoted cell do not shift the
	// rows after it (its text line minus the quoted line breaks before it).
	// XLSX: the sheet's own row number.
	Line   int    `json:"line"`
	Action Action `json:"action"`
	// Key is the value of the upsert key (asset tag or serial; a person's
	// email; a location's or model's name) as the file spells it.
	Key string `json:"key,omitempty"`
	// TargetID and TargetVersion are the existing record an UPDATE or
	// UNCHANGED row matched and its version at the dry run; the commit
	// refuses the run (STALE) when the version moved.
	TargetID      *uuid.UUID `json:"targetId,omitempty"`
	TargetVersion int        `json:"targetVersion,omitempty"`
	// Values are the fields the row sets, by field name (Fields(kind)),
	// in canonical text: dates YYYY-MM-DD, amounts as decimal text with
	// purchaseCurrency an ISO code, enums as their GraphQL value,
	// references (model, location, assignee, …) as the name or email
	// resolved through Run references. For UPDATE only the fields that
	// change are present.
	Values map[string]string `json:"values,omitempty"`
	// Kept lists fields the row would change but precedence keeps (a
	// more trusted source, or a locked field), with why.
	Kept []CellError `json:"kept,omitempty"`
	// Errors are why an ERROR row cannot be applied (at least one).
	Errors []CellError `json:"errors,omitempty"`
	// DuplicateOf is the line of an earlier row of the file with the same
	// key (0: none); such a row is an ERROR.
	DuplicateOf int `json:"duplicateOf,omitempty"`
}

// RefKind is a kind of record rows refer to by name.
type RefKind string

// The kinds of reference an import resolves or creates.
const (
	RefManufacturer RefKind = "MANUFACTURER"
	RefCategory     RefKind = "CATEGORY"
	RefModel        RefKind = "MODEL"
	RefLocation     RefKind = "LOCATION"
	RefPerson       RefKind = "PERSON"
	RefTeam         RefKind = "TEAM"
	RefSupplier     RefKind = "SUPPLIER"
	// RefPublisher and RefProduct are a license's software publisher and
	// product (a product's Parent is its publisher's NameKey).
	RefPublisher RefKind = "PUBLISHER"
	RefProduct   RefKind = "PRODUCT"
)

// Reference is a record rows name: matched to an existing one (ID set)
// or to be created by the commit (ID nil). Name is as the first row
// spelled it; NameKey is its normalized form (NormalizeName), unique per
// Kind and Parent within a run.
type Reference struct {
	Kind    RefKind `json:"kind"`
	Name    string  `json:"name"`
	NameKey string  `json:"nameKey"`
	// Parent is the NameKey of the manufacturer of a model ("" otherwise).
	Parent string `json:"parent,omitempty"`
	// Extra carries what creating it needs besides a name (a model's
	// category and model number).
	Extra     map[string]string `json:"extra,omitempty"`
	ID        *uuid.UUID        `json:"id,omitempty"`
	FirstLine int               `json:"firstLine"`
	Rows      int               `json:"rows"`
}

// Created reports whether the commit creates the reference.
func (r Reference) Created() bool { return r.ID == nil }

// Totals count a run's rows by action and its references.
type Totals struct {
	Rows              int `json:"rows"`
	Create            int `json:"create"`
	Update            int `json:"update"`
	Unchanged         int `json:"unchanged"`
	Error             int `json:"error"`
	Duplicates        int `json:"duplicates"`
	Skipped           int `json:"skipped"`
	ReferencesCreated int `json:"referencesCreated"`
	ReferencesMatched int `json:"referencesMatched"`
}

// Add counts one planned row.
func (t *Totals) Add(p RowPlan) {
	t.Rows++
	switch p.Action {
	case ActionCreate:
		t.Create++
	case ActionUpdate:
		t.Update++
	case ActionUnchanged:
		t.Unchanged++
	case ActionError:
		t.Error++
	}
	if p.DuplicateOf != 0 {
		t.Duplicates++
	}
}

// Run is one import: the uploaded file, the caller's mapping and options,
// the dry run's report and the commit's progress.
type Run struct {
	ID       uuid.UUID
	OrgID    uuid.UUID
	Kind     Kind
	Status   RunStatus
	FileName string
	FileSize int64
	Options  Options
	Mapping  Mapping
	// Headers is the file's header row as read by the dry run.
	Headers []string
	// RowsTotal and RowsDone are the current phase's progress: the dry
	// run counts rows read (RowsTotal is known at its end, 0 before); the
	// commit counts rows applied out of those it applies.
	RowsTotal int
	RowsDone  int
	Totals    Totals
	// SkipInvalid is the commit's choice to apply the valid rows only.
	SkipInvalid bool
	// CommitCursor is the last line a chunked commit applied (0: none).
	CommitCursor int
	// Error says why a run is FAILED or STALE.
	Error       *string
	CreatedBy   string // the principal's subject
	CreatedAt   time.Time
	PlannedAt   *time.Time
	CommittedAt *time.Time
	Version     int
}

// SavedMapping is a column mapping an organization keeps for a kind of file.
type SavedMapping struct {
	ID    uuid.UUID
	OrgID uuid.UUID
	Kind  Kind
	Name  string
	// Headers maps a header, as NormalizeHeader spells it, to its field:
	// a saved mapping applies to any file with those headers, in any
	// column order (ApplySaved).
	Headers   map[string]string
	Options   Options
	CreatedBy string
	UpdatedAt time.Time
	Version   int
}
