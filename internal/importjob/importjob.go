// Package importjob runs import runs on River: the dry run (PlanWorker),
// which reads the run's file chunk by chunk and saves a plan for every row,
// and the commit (CommitWorker), which applies exactly that plan. Both work
// over an imports.RunStore as the run's organization, and hold one chunk of
// rows at a time, never the whole file or plan. Progress lives in the run
// (rows done / total), so it is readable while a job runs.
package importjob

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
)

// Defaults of Runner.
const (
	// DefaultPlanChunkRows is how many rows the dry run plans per snapshot
	// load and save: big enough that the per-chunk queries cost little,
	// small enough that a chunk's rows, snapshot and plans stay a few MB.
	DefaultPlanChunkRows = 2_000
	// DefaultCommitChunkRows is how many rows one transaction of a chunked
	// commit (a plan over imports.ChunkedCommitRows) applies.
	DefaultCommitChunkRows = 10_000
	// DefaultTimeout bounds one dry-run attempt when the Runner sets none:
	// it must end before River's rescuer takes it for dead, or a second
	// attempt would reset the plan under the first.
	DefaultTimeout = 3 * time.Minute
	// DefaultCommitTimeout bounds one commit attempt. It may outlive the
	// rescue delay: a second attempt started meanwhile waits on the run's
	// row lock (CommitChunk), then finds the run committed or resumes at
	// its cursor. Bounding the one-transaction commit of a large plan at
	// the dry run's 3 minutes would make a slow database retry it forever.
	DefaultCommitTimeout = 15 * time.Minute
	// Workers is how many import jobs one process runs at once: an import
	// is heavy on the database, and two keep a second organization from
	// waiting behind a large file.
	Workers = 2
)

// Runner plans and commits import runs over a store. The zero values of
// its tuning fields mean the defaults above.
type Runner struct {
	Store imports.RunStore
	// Orgs gives a run's organization, whose default currency a dry run
	// reads amounts without one in when the caller named none (nil: the
	// caller must name it).
	Orgs OrgReader
	Log  *slog.Logger
	// PlanChunkRows: rows planned per chunk (DefaultPlanChunkRows).
	PlanChunkRows int
	// ChunkedCommitRows: a plan of more rows commits in chunks, resumably;
	// up to it, in one transaction (imports.ChunkedCommitRows).
	ChunkedCommitRows int
	// CommitChunkRows: rows per transaction of a chunked commit
	// (DefaultCommitChunkRows).
	CommitChunkRows int
	// Timeout bounds one dry-run attempt (DefaultTimeout).
	Timeout time.Duration
	// CommitTimeout bounds one commit attempt (DefaultCommitTimeout).
	CommitTimeout time.Duration

	// afterCommitChunk, when set, runs after every committed chunk that
	// is not the last: tests interrupt a commit there.
	afterCommitChunk func(ctx context.Context, runID uuid.UUID)
}

// OrgReader reads the context's organization (postgres.OrganizationStore).
type OrgReader interface {
	Organization(ctx context.Context) (*itam.Organization, error)
}

func (r *Runner) planChunk() int {
	if r.PlanChunkRows > 0 {
		return r.PlanChunkRows
	}
	return DefaultPlanChunkRows
}

func (r *Runner) chunkedFrom() int {
	if r.ChunkedCommitRows > 0 {
		return r.ChunkedCommitRows
	}
	return imports.ChunkedCommitRows
}

func (r *Runner) commitChunk() int {
	if r.CommitChunkRows > 0 {
		return r.CommitChunkRows
	}
	return DefaultCommitChunkRows
}

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

func (r *Runner) commitTimeout() time.Duration {
	if r.CommitTimeout > 0 {
		return r.CommitTimeout
	}
	return DefaultCommitTimeout
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

// AsRun is the principal import work acts as: the run's organization, with
// history recording the import (actor kind IMPORT, actor the run's id).
func AsRun(ctx context.Context, org, run uuid.UUID) context.Context {
	return itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: run.String(), ActorKind: itam.ActorImport})
}

// AddWorkers registers the plan and commit workers of r.
func AddWorkers(w *river.Workers, r *Runner) {
	river.AddWorker(w, &PlanWorker{r: r})
	river.AddWorker(w, &CommitWorker{r: r})
}

// Queue is the imports queue's configuration for a working client.
func Queue() river.QueueConfig { return river.QueueConfig{MaxWorkers: Workers} }

// PlanWorker runs an import's dry run (Runner.Plan).
type PlanWorker struct {
	river.WorkerDefaults[jobs.ImportPlanArgs]
	r *Runner
}

// Timeout keeps an attempt shorter than River's rescue delay.
func (w *PlanWorker) Timeout(*river.Job[jobs.ImportPlanArgs]) time.Duration { return w.r.timeout() }

// Work plans the run. The last failed attempt ends the run as FAILED, so
// it never stays PLANNING without a job.
func (w *PlanWorker) Work(ctx context.Context, job *river.Job[jobs.ImportPlanArgs]) error {
	err := w.r.Plan(ctx, job.Args.OrgID, job.Args.RunID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		w.r.giveUp(job.Args.OrgID, job.Args.RunID, fmt.Sprintf("the dry run failed after %d attempts; the server log has the cause", job.Attempt))
	}
	return err
}

// CommitWorker applies a COMMITTING run's plan (Runner.Commit).
type CommitWorker struct {
	river.WorkerDefaults[jobs.ImportCommitArgs]
	r *Runner
}

// Timeout bounds an attempt (see DefaultCommitTimeout); a chunked commit
// cut short resumes from its cursor on the next attempt.
func (w *CommitWorker) Timeout(*river.Job[jobs.ImportCommitArgs]) time.Duration {
	return w.r.commitTimeout()
}

// Work commits the run; the last failed attempt ends it as FAILED, saying
// how far a chunked commit got.
func (w *CommitWorker) Work(ctx context.Context, job *river.Job[jobs.ImportCommitArgs]) error {
	err := w.r.Commit(ctx, job.Args.OrgID, job.Args.RunID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		msg := fmt.Sprintf("the commit failed after %d attempts; nothing was written; the server log has the cause", job.Attempt)
		fctx, cancel := context.WithTimeout(AsRun(context.Background(), job.Args.OrgID, job.Args.RunID), 10*time.Second)
		if run, rerr := w.r.Store.Run(fctx, job.Args.RunID); rerr == nil && run.CommitCursor > 0 {
			msg = fmt.Sprintf("the commit failed after %d attempts; the rows up to line %d were applied, the later ones were not; the server log has the cause",
				job.Attempt, run.CommitCursor)
		}
		cancel()
		w.r.giveUp(job.Args.OrgID, job.Args.RunID, msg)
	}
	return err
}

// giveUp ends a run as FAILED on a fresh context: the attempt's may be
// what expired.
func (r *Runner) giveUp(org, run uuid.UUID, msg string) {
	ctx, cancel := context.WithTimeout(AsRun(context.Background(), org, run), 10*time.Second)
	defer cancel()
	if err := r.Store.FailRun(ctx, run, imports.StatusFailed, msg); err != nil {
		r.log().Error("import: ending a run as FAILED", "run", run, "err", err)
	}
}

// NewClient is a River client that works only the imports queue: what the
// `itam import` command and the import benchmark run in their own process,
// so an import progresses with no server running (when one runs too, either
// may work a job).
func NewClient(pool *pgxpool.Pool, r *Runner) (*river.Client[pgx.Tx], error) {
	w := river.NewWorkers()
	AddWorkers(w, r)
	return river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:     r.log(),
		Workers:    w,
		Queues:     map[string]river.QueueConfig{jobs.QueueImports: Queue()},
		JobTimeout: r.timeout(),
	})
}
