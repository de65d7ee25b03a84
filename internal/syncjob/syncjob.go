// Package syncjob runs connector syncs on River: the worker that pulls
// pages from a vendor and applies them, the scheduler that enqueues due
// connectors, the nightly stale-device pass, and the River client that runs
// them (in `serve`, or alone in `itam worker`). Several processes can share
// one database: River elects one leader for periodic work and a connector's
// sync job is unique while queued or running.
package syncjob

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/robfig/cron/v3"

	"github.com/itam-dev/itam/connectors"
	_ "github.com/itam-dev/itam/connectors/all" // every vendor, built by kind
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/importjob"
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
	// SoftwareRules, when set, runs software re-normalization jobs.
	SoftwareRules *postgres.SoftwareRuleStore
	// Notifications and Webhooks, when set, run the periodic notification
	// scan and webhook deliveries (notify.go).
	Notifications *postgres.NotificationStore
	Webhooks      *postgres.WebhookStore
	// Pushers builds ITSM writers for push jobs (nil: the vendor registry; push.go).
	Pushers Pushers
}

// Options tune the client.
type Options struct {
	// Workers runs jobs; false makes an insert-only client (tests, tools).
	Workers bool
	// ScheduleEvery is how often due connectors are looked for (default 1m).
	ScheduleEvery time.Duration
	// SyncSlice is how long one attempt of a sync applies pages before it
	// goes back to the queue and resumes from its cursor (default 2m): no
	// attempt outlives RescueAfter, so a long sync is never mistaken for
	// one whose worker died.
	SyncSlice time.Duration
	// RescueAfter is how long a job may stay running before River's
	// rescuer, on the leader, takes its worker for dead and retries it
	// (default 4m; River's own default is an hour). A sync whose worker was
	// killed resumes from its last committed page after about this long,
	// plus up to the rescuer's 30 s interval. It must exceed SyncSlice; a
	// sync attempt times out halfway between the two.
	RescueAfter time.Duration
	// EndOrphansEvery is how often runs whose job ended without ending them
	// are ended (default 1m).
	EndOrphansEvery time.Duration

	// NotifyScanEvery is how often the notification scan runs (default
	// DefaultNotifyScanEvery).
	NotifyScanEvery time.Duration

	// NoSync leaves out the connector workers and periodic passes, keeping
	// only software re-normalization: what runs without ITAM_SECRET_KEY.
	NoSync bool

	// middleware wraps every job (tests observe jobs with it).
	middleware []rivertype.Middleware
}

// Defaults of Options. DefaultRescueAfter keeps a killed sync's resumption
// under five minutes: 4m + the rescuer's 30 s interval + the first retry's
// second of backoff.
const (
	DefaultSyncSlice   = 2 * time.Minute
	DefaultRescueAfter = 4 * time.Minute
	// quickJobTimeout bounds the scheduler, stale and orphan passes (River's
	// default, which RescueAfter must not be shorter than).
	quickJobTimeout = time.Minute
)

// syncWorkers bounds concurrent syncs per process.
const syncWorkers = 4

// NewClient builds the River client over the app's pool. Its queries run as
// the application role like everything else; River's tables carry no
// tenant data and are granted to it by the migrations.
func NewClient(d Deps, opt Options) (*river.Client[pgx.Tx], error) {
	cfg := &river.Config{Logger: d.Log, Middleware: opt.middleware}
	if opt.Workers {
		opt.ScheduleEvery = cmp.Or(opt.ScheduleEvery, time.Minute)
		opt.EndOrphansEvery = cmp.Or(opt.EndOrphansEvery, time.Minute)
		opt.SyncSlice = cmp.Or(opt.SyncSlice, DefaultSyncSlice)
		opt.RescueAfter = cmp.Or(opt.RescueAfter, DefaultRescueAfter)
		if opt.RescueAfter <= opt.SyncSlice {
			return nil, fmt.Errorf("syncjob: RescueAfter (%s) must exceed SyncSlice (%s)", opt.RescueAfter, opt.SyncSlice)
		}
		attempt := opt.SyncSlice + (opt.RescueAfter-opt.SyncSlice)/2
		workers := river.NewWorkers()
		if !opt.NoSync {
			river.AddWorker(workers, &SyncWorker{d: d, slice: opt.SyncSlice, timeout: attempt})
			river.AddWorker(workers, &ScheduleWorker{d: d})
			river.AddWorker(workers, &StaleWorker{d: d})
			river.AddWorker(workers, &EndOrphanedRunsWorker{d: d})
			river.AddWorker(workers, &PushWorker{d: d, store: postgres.NewPushStore(d.DB)}) // push.go
		}
		if d.SoftwareRules != nil {
			river.AddWorker(workers, &NormalizeWorker{rules: d.SoftwareRules, timeout: attempt})
		}
		// Imports need no credentials: they run with or without NoSync. The
		// workers enqueue nothing (starting and committing a run does), so
		// their store has no enqueuer.
		importjob.AddWorkers(workers, &importjob.Runner{Store: postgres.NewImportStore(d.DB, nil),
			Orgs: postgres.NewOrganizationStore(d.DB), Log: d.Log, Timeout: attempt})
		notifyJobs := addNotifyWorkers(workers, d, opt)
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 2},
			jobs.QueueSync:     {MaxWorkers: syncWorkers},
		}
		if !opt.NoSync {
			cfg.Queues[jobs.QueuePush] = river.QueueConfig{MaxWorkers: pushWorkers} // push.go: needs credentials
		}
		cfg.Queues[jobs.QueueWebhooks] = river.QueueConfig{MaxWorkers: webhookWorkers} // notify.go
		cfg.Queues[jobs.QueueImports] = importjob.Queue()
		cfg.RescueStuckJobsAfter = opt.RescueAfter
		// River refuses a default job timeout above the rescue delay; the
		// quick jobs set their own (Timeout), so this only bounds strays.
		cfg.JobTimeout = min(quickJobTimeout, attempt)
		if opt.NoSync {
			cfg.PeriodicJobs = notifyJobs
			return river.NewClient(riverpgxv5.New(d.DB.Pool), cfg)
		}
		cfg.PeriodicJobs = append(notifyJobs,
			river.NewPeriodicJob(river.PeriodicInterval(opt.ScheduleEvery),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.ScheduleArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(nightly,
				func() (river.JobArgs, *river.InsertOpts) { return jobs.StaleArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(opt.EndOrphansEvery),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.EndOrphanedRunsArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		)
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

// Timeout bounds one pass.
func (w *ScheduleWorker) Timeout(*river.Job[jobs.ScheduleArgs]) time.Duration { return quickJobTimeout }

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
		next, err := connector.NextSyncAt(c.ScheduleInterval, c.ScheduleCron, now)
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

// Timeout bounds one pass.
func (w *StaleWorker) Timeout(*river.Job[jobs.StaleArgs]) time.Duration { return quickJobTimeout }

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

// EndOrphanedRunsWorker ends, in every organization, the runs whose job
// ended without ending them (see postgres.SyncStore.EndOrphanedRuns): no
// run stays RUNNING, blocking its connector, without a live job.
type EndOrphanedRunsWorker struct {
	river.WorkerDefaults[jobs.EndOrphanedRunsArgs]
	d Deps
}

// Timeout bounds one pass.
func (w *EndOrphanedRunsWorker) Timeout(*river.Job[jobs.EndOrphanedRunsArgs]) time.Duration {
	return quickJobTimeout
}

// Work ends orphaned runs.
func (w *EndOrphanedRunsWorker) Work(ctx context.Context, _ *river.Job[jobs.EndOrphanedRunsArgs]) error {
	orgs, err := w.d.Sync.OrgIDs(ctx)
	if err != nil {
		return err
	}
	for _, org := range orgs {
		n, err := w.d.Sync.EndOrphanedRuns(withPrincipalOf(ctx, worker(org, "sync-runs", itam.ActorSystem)))
		if err != nil {
			return err
		}
		if n > 0 {
			w.d.Log.WarnContext(ctx, "ended sync runs whose job had ended", "org", org, "count", n)
		}
	}
	return nil
}
