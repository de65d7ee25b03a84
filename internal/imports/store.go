package imports

import (
	"context"
	"io"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// MaxFileSize bounds an uploaded file; the transport refuses larger bodies.
const MaxFileSize = 50 << 20

// ChunkedCommitRows: a plan of more rows than this commits in chunks with
// a resumable cursor rather than in one transaction.
const ChunkedCommitRows = 100_000

// RowFilter narrows a run's report.
type RowFilter struct {
	Actions []Action // nil: every action
}

// RunStore keeps import runs: the file, the plan and the commit. It acts
// as the tenant of the context's principal. internal/postgres implements it.
type RunStore interface {
	// CreateRun saves a new PLANNING run with its file (more than
	// MaxFileSize: BAD_USER_INPUT on "file") and enqueues its dry run
	// (jobs.ImportPlanArgs) in the same transaction.
	CreateRun(ctx context.Context, r *Run, file io.Reader) (*Run, error)
	// Run returns one run (NOT_FOUND in another organization).
	Run(ctx context.Context, id uuid.UUID) (*Run, error)
	// Runs lists the organization's runs, newest first.
	Runs(ctx context.Context, page itam.PageArgs) (itam.Page[*Run], error)
	// CountRuns counts the organization's runs (importRuns.totalCount).
	CountRuns(ctx context.Context) (int, error)
	// OpenFile streams the run's file.
	OpenFile(ctx context.Context, id uuid.UUID) (io.ReadCloser, error)
	// LoadSnapshot loads what l names, for a kind of import.
	LoadSnapshot(ctx context.Context, kind Kind, l Lookup) (*Snapshot, error)
	// ResetPlan drops a dry run's saved rows (a retried dry-run job
	// starts over) and records the headers and mapping the job uses.
	ResetPlan(ctx context.Context, id uuid.UUID, headers []string, m Mapping) error
	// SavePlanChunk appends planned rows and records progress.
	SavePlanChunk(ctx context.Context, id uuid.UUID, rows []RowPlan, rowsDone int) error
	// FinishPlan saves the references and totals; the run becomes READY.
	FinishPlan(ctx context.Context, id uuid.UUID, refs []Reference, totals Totals) error
	// FailRun ends a run as FAILED or STALE with a plain message.
	FailRun(ctx context.Context, id uuid.UUID, status RunStatus, msg string) error
	// StartCommit moves a READY run to COMMITTING and enqueues its
	// commit (jobs.ImportCommitArgs) in the same transaction. version,
	// when set, must be the run's (CONFLICT otherwise); a run that is not
	// READY is a CONFLICT.
	StartCommit(ctx context.Context, id uuid.UUID, skipInvalid bool, version *int) (*Run, error)
	// CommitChunk applies the planned rows after the run's commit cursor,
	// up to limit rows (0: every remaining row) in one transaction that
	// also advances the cursor; references are created by the first chunk.
	// A row whose record's version moved since the dry run rolls the
	// chunk back and returns a CONFLICT. done is true after the last row;
	// the run is then COMMITTED.
	CommitChunk(ctx context.Context, id uuid.UUID, limit int) (done bool, err error)
	// Rows pages a run's planned rows in line order.
	Rows(ctx context.Context, id uuid.UUID, f RowFilter, page itam.PageArgs) (itam.Page[RowPlan], error)
	// CountRows counts a run's saved rows matching f.
	CountRows(ctx context.Context, id uuid.UUID, f RowFilter) (int, error)
	// References lists a run's references.
	References(ctx context.Context, id uuid.UUID) ([]Reference, error)

	// SaveMapping creates or (same kind and name) replaces a saved mapping.
	SaveMapping(ctx context.Context, m *SavedMapping) (*SavedMapping, error)
	// Mapping returns one saved mapping.
	Mapping(ctx context.Context, id uuid.UUID) (*SavedMapping, error)
	// Mappings lists the organization's saved mappings of a kind ("": all).
	Mappings(ctx context.Context, kind Kind) ([]*SavedMapping, error)
	// DeleteMapping removes one.
	DeleteMapping(ctx context.Context, id uuid.UUID) error
}
