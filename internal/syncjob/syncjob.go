// Package syncjob runs connector syncs on River: the worker that pulls
// pages from a vendor and applies them, the scheduler that enqueues due
// connectors, the nightly stale-device pass, and the River client that runs
// them (in `serve`, or alone in `itam worker`). Several processes can share
// one database: River elects one leader for periodic work and a connector's
// sync job is unique while queued or running.
package syncjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/robfig/cron/v3"

	"github.com/itam-dev/itam/connectors"
	_ "github.com/itam-dev/itam/connectors/all" // every vendor, built by kind
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/postgres"
)

// Deps are what the workers need.
type Deps struct {
	DB         *postgres.DB
	Connectors *postgres.ConnectorStore
	Sync       *postgres.SyncStore
	Log        *slog.Logger
	// Egress is the vendor network policy (zero: no non-public address).
	Egress connectors.Egress
}

// Options tune the client.
type Options struct {
	// Workers runs jobs; false makes an insert-only client (tests, tools).
	Workers bool
	// ScheduleEvery is how often due connectors are looked for (default 1m).
	ScheduleEvery time.Duration
}

// syncWorkers bounds concurrent syncs per process.
const syncWorkers = 4

// NewClient builds the River client over the app's pool. Its queries run as
// the application role like everything else; River's tables carry no
// tenant data and are granted to it by the migrations.
func NewClient(d Deps, opt Options) (*river.Client[pgx.Tx], error) {
	cfg := &river.Config{Logger: d.Log}
	if opt.Workers {
		if opt.ScheduleEvery <= 0 {
			opt.ScheduleEvery = time.Minute
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, &SyncWorker{d: d})
		river.AddWorker(workers, &ScheduleWorker{d: d})
		river.AddWorker(workers, &StaleWorker{d: d})
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 2},
			jobs.QueueSync:     {MaxWorkers: syncWorkers},
		}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opt.ScheduleEvery),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.ScheduleArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(nightly,
				func() (river.JobArgs, *river.InsertOpts) { return jobs.StaleArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		}
	}
	return river.NewClient(riverpgxv5.New(d.DB.Pool), cfg)
}

// nightly runs the stale-device pass at 03:00 UTC, outside office hours
// almost everywhere; River's leader runs it once per cluster.
var nightly = func() cron.Schedule {
	s, err := cron.ParseStandard("0 3 * * *")
	if err != nil {
		panic(err)
	}
	return s
}()

// worker is the principal sync work acts as: the connector, within its
// organization, recorded in history as a connector.
func worker(org uuid.UUID, name string, kind itam.ActorKind) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: name, ActorKind: kind})
}

// SyncWorker runs one sync: it resumes from the run's committed cursor,
// applies each page in its own transaction, and ends the run. Vendor rate
// limits snooze the job; refused credentials cancel it; anything else is
// retried by River and resumes where it stopped.
type SyncWorker struct {
	river.WorkerDefaults[jobs.SyncArgs]
	d Deps
}

// Timeout bounds one attempt.
func (w *SyncWorker) Timeout(*river.Job[jobs.SyncArgs]) time.Duration { return jobs.SyncTimeout }

// Work runs the sync.
func (w *SyncWorker) Work(ctx context.Context, job *river.Job[jobs.SyncArgs]) error {
	a := job.Args
	sctx := withPrincipalOf(ctx, worker(a.OrgID, "connector:"+a.ConnectorID.String(), itam.ActorConnector))
	run, err := w.d.Connectors.RunForWorker(sctx, a.RunID)
	if err != nil {
		return err
	}
	if run.Status == itam.SyncCancelled || run.FinishedAt != nil {
		return nil
	}
	sc, err := w.d.Connectors.ConnectorSecrets(sctx, a.ConnectorID)
	if err != nil {
		return w.fail(sctx, a.RunID, fmt.Sprintf("loading the connector: %v", err), err)
	}
	// History names the connector by its name; provenance by kind and id.
	sctx = withPrincipalOf(ctx, worker(a.OrgID, sc.Connector.Name, itam.ActorConnector))
	cfg := sc.Config
	cfg.Logger, cfg.Egress = w.d.Log, w.d.Egress
	src, err := connectors.New(sc.Kind, cfg)
	if err != nil {
		return w.fail(sctx, a.RunID, err.Error(), err)
	}
	run, err = w.d.Sync.StartRun(sctx, a.RunID)
	if err != nil {
		return err
	}
	target := postgres.SyncTarget{Connector: sc.Connector, RunID: a.RunID}

	if run.TargetExternalID != nil {
		dev, err := src.FetchDevice(sctx, *run.TargetExternalID)
		if err != nil {
			return w.vendorError(sctx, job, a.RunID, err)
		}
		var devs []connectors.Device
		if dev != nil {
			devs = []connectors.Device{*dev}
		}
		if _, err := w.d.Sync.ApplyPage(sctx, target, devs, ""); err != nil {
			return w.pageError(sctx, a.RunID, err)
		}
		return w.finish(sctx, a.RunID)
	}

	req := connectors.PageRequest{Mode: connectors.Mode(run.Mode)}
	if run.Cursor != nil {
		req.Cursor = *run.Cursor
	}
	if run.Mode == itam.SyncIncremental {
		// SyncConnector fixed the run's lower bound when it queued it.
		if req.Since = run.Since; req.Since == nil {
			req.Mode = connectors.Full // nothing to be incremental from
		}
	}
	// The next page is fetched (and decoded) while this one is applied: the
	// vendor and the database work at the same time. Only the committed
	// cursor counts, so a crash still resumes after the last applied page.
	type fetched struct {
		page connectors.Page
		err  error
	}
	fctx, stopFetch := context.WithCancel(sctx)
	defer stopFetch()
	fetch := func(req connectors.PageRequest) <-chan fetched {
		ch := make(chan fetched, 1)
		go func() {
			p, err := src.FetchPage(fctx, req)
			ch <- fetched{p, err}
		}()
		return ch
	}
	next := fetch(req)
	for {
		f := <-next
		if f.err != nil {
			return w.vendorError(sctx, job, a.RunID, f.err)
		}
		page := f.page
		if !page.Done {
			req.Cursor = page.NextCursor
			next = fetch(req)
		}
		if _, err := w.d.Sync.ApplyPage(sctx, target, page.Devices, page.NextCursor); err != nil {
			return w.pageError(sctx, a.RunID, err)
		}
		if page.Done {
			break
		}
	}
	if req.Mode == connectors.Full {
		if _, err := w.d.Sync.MarkMissing(sctx, target); err != nil {
			return err
		}
	}
	return w.finish(sctx, a.RunID)
}

func (w *SyncWorker) finish(ctx context.Context, runID uuid.UUID) error {
	run, err := w.d.Connectors.RunForWorker(ctx, runID)
	if err != nil {
		return err
	}
	status := itam.SyncSucceeded
	if run.ErrorCount > 0 {
		status = itam.SyncPartial
	}
	_, err = w.d.Connectors.FinishRun(ctx, runID, status, "")
	return err
}

// fail ends the run FAILED and cancels the job: retrying cannot help.
func (w *SyncWorker) fail(ctx context.Context, runID uuid.UUID, message string, cause error) error {
	if _, err := w.d.Connectors.FinishRun(ctx, runID, itam.SyncFailed, message); err != nil {
		return err
	}
	return river.JobCancel(cause)
}

func (w *SyncWorker) pageError(ctx context.Context, runID uuid.UUID, err error) error {
	if errors.Is(err, postgres.ErrRunCancelled) {
		return nil
	}
	_ = w.d.Connectors.RecordAttemptError(ctx, runID, "applying a page: "+err.Error())
	return err
}

// vendorError decides what a vendor failure means for the job.
func (w *SyncWorker) vendorError(ctx context.Context, job *river.Job[jobs.SyncArgs], runID uuid.UUID, err error) error {
	var rl *connectors.RateLimitError
	var ce *connectors.ConfigError
	switch {
	case errors.As(err, &rl):
		_ = w.d.Connectors.RecordAttemptError(ctx, runID, fmt.Sprintf("rate limited by the vendor; resuming in %s", rl.RetryAfter.Round(time.Second)))
		return river.JobSnooze(rl.RetryAfter)
	case errors.Is(err, connectors.ErrUnauthorized):
		return w.fail(ctx, runID, "the vendor refused the credentials: check them and sync again ("+err.Error()+")", err)
	case errors.As(err, &ce):
		return w.fail(ctx, runID, "connector configuration: "+ce.Error(), err)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return err
	}
	if job.Attempt >= job.MaxAttempts {
		return w.fail(ctx, runID, "giving up after "+fmt.Sprint(job.Attempt)+" attempts: "+err.Error(), err)
	}
	_ = w.d.Connectors.RecordAttemptError(ctx, runID, fmt.Sprintf("attempt %d failed, will retry: %v", job.Attempt, err))
	return err
}

// withPrincipalOf keeps ctx's deadline and cancellation but takes the
// principal from p.
func withPrincipalOf(ctx, p context.Context) context.Context {
	pr, _ := itam.PrincipalFrom(p)
	return itam.WithPrincipal(ctx, pr)
}

// ScheduleWorker enqueues the syncs that are due. Scheduled syncs are
// incremental, except that a connector without a complete full sync in the
// last day gets a full one (only full syncs can notice devices that left).
type ScheduleWorker struct {
	river.WorkerDefaults[jobs.ScheduleArgs]
	d Deps
}

// Work enqueues due syncs.
func (w *ScheduleWorker) Work(ctx context.Context, _ *river.Job[jobs.ScheduleArgs]) error {
	now := time.Now()
	due, err := w.d.Sync.DueConnectors(ctx, now, 500)
	if err != nil {
		return err
	}
	for _, d := range due {
		sctx := withPrincipalOf(ctx, worker(d.OrgID, "scheduler", itam.ActorSystem))
		c, err := w.d.Connectors.Connector(sctx, d.ConnectorID)
		if err != nil {
			w.d.Log.ErrorContext(ctx, "scheduler: loading connector", "connector", d.ConnectorID, "err", err)
			continue
		}
		mode := itam.SyncIncremental
		if last, err := w.d.Sync.LastFullSuccess(sctx, c.ID); err != nil || last == nil || now.Sub(*last) > 24*time.Hour {
			mode = itam.SyncFull
		}
		if _, err := w.d.Connectors.SyncConnector(sctx, c.ID, mode, "schedule", nil); err != nil && itam.ErrorCode(err) != itam.CodeConflict {
			w.d.Log.ErrorContext(ctx, "scheduler: enqueueing sync", "connector", c.ID, "err", err)
		}
		next, err := postgres.NextSyncAt(c.ScheduleInterval, c.ScheduleCron, now)
		if err != nil {
			w.d.Log.ErrorContext(ctx, "scheduler: next run", "connector", c.ID, "err", err)
		}
		if err := w.d.Sync.AdvanceSchedule(sctx, c.ID, next); err != nil {
			return err
		}
	}
	return nil
}

// StaleWorker flags, in every organization, devices their source has not
// reported for longer than the connector's stale_after_days.
type StaleWorker struct {
	river.WorkerDefaults[jobs.StaleArgs]
	d Deps
}

// Work flags stale devices.
func (w *StaleWorker) Work(ctx context.Context, _ *river.Job[jobs.StaleArgs]) error {
	orgs, err := w.d.Sync.OrgIDs(ctx)
	if err != nil {
		return err
	}
	for _, org := range orgs {
		n, err := w.d.Sync.MarkStale(withPrincipalOf(ctx, worker(org, "stale-devices", itam.ActorSystem)))
		if err != nil {
			return err
		}
		if n > 0 {
			w.d.Log.InfoContext(ctx, "flagged stale devices", "org", org, "count", n)
		}
	}
	return nil
}
