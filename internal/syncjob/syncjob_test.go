package syncjob

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/testkit"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(workerDBEnv); url != "" {
		os.Exit(workerProcess(url)) // this test binary re-executed as a worker
	}
	pgtest.Main(m)
}

type env struct {
	t    *testing.T
	url  string // the test database, for worker processes
	deps Deps
	// insert is the insert-only client the connector store enqueues with.
	insert *river.Client[pgx.Tx]
	owner  *pgxpool.Pool
	org    uuid.UUID
	admin  context.Context
	jamf   *jamftest.Server
	logs   *testkit.LockedBuffer
}

func newEnv(t *testing.T, computers int) *env {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(owner.Close)
	org, _, err := seed.EnsureOrg(ctx, owner, "acme", "Acme")
	require.NoError(t, err)
	db, err := postgres.Open(ctx, url, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	logs := &testkit.LockedBuffer{}
	e := &env{t: t, url: url, owner: owner, org: org, logs: logs,
		admin: itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "admin@acme.test"}),
		jamf:  jamftest.New(t, jamftest.Options{Computers: computers})}
	e.deps = Deps{DB: db, Sync: postgres.NewSyncStore(db), Log: slog.New(slog.NewTextHandler(logs, nil)),
		Egress: connectors.AllowLoopback()} // the vendor fake listens on 127.0.0.1
	e.insert, err = NewClient(e.deps, Options{})
	require.NoError(t, err)
	e.deps.Connectors = postgres.NewConnectorStore(db, box, postgres.RiverEnqueuer{Client: e.insert})
	return e
}

// start runs a working River client until the test ends.
func (e *env) start() *river.Client[pgx.Tx] {
	e.t.Helper()
	return e.startWith(Options{})
}

// startWith runs a working River client with opt (Workers and an hourly
// schedule are implied) until the test ends.
func (e *env) startWith(opt Options) *river.Client[pgx.Tx] {
	e.t.Helper()
	opt.Workers, opt.ScheduleEvery = true, time.Hour
	c, err := NewClient(e.deps, opt)
	require.NoError(e.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(e.t, c.Start(ctx))
	e.t.Cleanup(func() {
		cancel()
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = c.Stop(stopCtx)
	})
	return c
}

func (e *env) connector(pageSize int) *itam.Connector {
	e.t.Helper()
	return e.connectorAt(e.jamf.URL, pageSize)
}

// connectorAt makes a Jamf connector reaching the fake Jamf at url (itself
// or a gate in front of it).
func (e *env) connectorAt(url string, pageSize int) *itam.Connector {
	e.t.Helper()
	c, _, err := connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "JAMF_PRO", Name: "Jamf", BaseURL: &url,
		Credentials: map[string]string{"clientId": e.jamf.ClientID, "clientSecret": e.jamf.ClientSecret},
		Options:     map[string]any{"pageSize": pageSize},
	})
	require.NoError(e.t, err)
	return c
}

// sync starts a sync. A run and its job end in one transaction, so a
// sync right after the previous run ended is never a CONFLICT.
func (e *env) sync(c *itam.Connector, mode itam.SyncMode) *itam.SyncRun {
	e.t.Helper()
	run, err := e.deps.Connectors.SyncConnector(e.admin, c.ID, mode, "test", nil)
	require.NoError(e.t, err)
	return run
}

// wait polls the run until it ends.
func (e *env) wait(runID uuid.UUID) *itam.SyncRun {
	e.t.Helper()
	return e.waitFor(runID, 60*time.Second)
}

// waitFor polls the run until it ends, for at most limit.
func (e *env) waitFor(runID uuid.UUID, limit time.Duration) *itam.SyncRun {
	e.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		run, err := e.deps.Connectors.SyncRun(e.admin, runID)
		require.NoError(e.t, err)
		if run.FinishedAt != nil {
			return run
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("run %s did not finish", runID)
	return nil
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	require.NoError(e.t, e.owner.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func TestFullSyncThenUnchangedResync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 250)
	e.start()
	c := e.connector(100)

	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, run.Status, deref(run.Message))
	require.Equal(t, 3, run.PagesFetched)
	require.Equal(t, 250, run.RecordsSeen)
	require.Equal(t, 250, e.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1`, c.ID))
	assets := e.count(`SELECT count(*) FROM assets`)
	require.LessOrEqual(t, assets, 250)
	require.Equal(t, run.Created, assets)
	require.Greater(t, e.count(`SELECT count(*) FROM software_installations`), 0)
	history := e.count(`SELECT count(*) FROM asset_history`)

	// Re-running an unchanged source changes nothing and writes no history.
	again := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, again.Status)
	require.Zero(t, again.Created)
	require.Zero(t, again.Updated)
	require.Equal(t, history, e.count(`SELECT count(*) FROM asset_history`))
	require.Equal(t, assets, e.count(`SELECT count(*) FROM assets`))

	// A device that leaves the source is marked missing, not deleted.
	require.True(t, e.jamf.Remove(1))
	third := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, 1, third.StaleMarked)
	require.Equal(t, assets, e.count(`SELECT count(*) FROM assets`))
}

// TestCrashedSyncResumes: a sync that fails mid-way keeps the pages it
// committed and resumes after them, with no duplicate assets.
func TestCrashedSyncResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 250)
	c := e.connector(100)
	e.jamf.MalformPage(1, jamftest.Truncated)
	e.start()
	run := e.sync(c, itam.SyncFull)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
		require.NoError(t, err)
		if r.PagesFetched == 1 && r.Message != nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "the first attempt never failed on page 2")
		time.Sleep(20 * time.Millisecond)
	}
	require.Equal(t, 100, e.count(`SELECT count(*) FROM asset_external_ids`))
	e.jamf.ClearFaults()
	done := e.wait(run.ID)
	require.Equal(t, itam.SyncSucceeded, done.Status, deref(done.Message))
	require.Equal(t, 3, done.PagesFetched, "resumed after the committed page")
	require.Equal(t, 250, done.RecordsSeen)
	require.Equal(t, 250, e.count(`SELECT count(*) FROM asset_external_ids`))
	require.Equal(t, done.Created, e.count(`SELECT count(*) FROM assets`))
}

func TestBadCredentialsFailTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10)
	c := e.connector(100)
	e.jamf.RevokeCredentials()
	e.start()
	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncFailed, run.Status)
	require.Contains(t, deref(run.Message), "refused the credentials")
	require.NotContains(t, deref(run.Message), e.jamf.ClientSecret)
	require.NotContains(t, e.logs.String(), e.jamf.ClientSecret)
	require.Zero(t, e.count(`SELECT count(*) FROM assets`))
}

func TestOneSyncPerConnectorAcrossWorkers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 300)
	c := e.connector(50)
	run := e.sync(c, itam.SyncFull)
	_, err := e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncFull, "test", nil)
	require.Equal(t, itam.CodeConflict, itam.ErrorCode(err), "a second sync while one is queued is refused")
	e.start()
	e.start() // a second worker process on the same database
	done := e.wait(run.ID)
	require.Equal(t, itam.SyncSucceeded, done.Status)
	require.Equal(t, 1, e.count(`SELECT count(*) FROM sync_runs`))
	require.Equal(t, 300, e.count(`SELECT count(*) FROM asset_external_ids`))
	require.LessOrEqual(t, e.jamf.Stats().MaxInFlight, 5)
}

func TestRateLimitSnoozes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10)
	c := e.connector(100)
	e.jamf.RateLimitNext(1, "2")
	e.start()
	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, run.Status, "a short Retry-After is waited out in place")
	require.Equal(t, 10, run.RecordsSeen)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestSchedulerEnqueuesDueConnectors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 5)
	every := 15
	c, _, err := connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "JAMF_PRO", Name: "Scheduled", BaseURL: &e.jamf.URL,
		Credentials: map[string]string{"clientId": e.jamf.ClientID, "clientSecret": e.jamf.ClientSecret},
		Schedule:    &connector.Schedule{IntervalMinutes: &every},
	})
	require.NoError(t, err)
	manual := e.connector(100) // no schedule: never enqueued by the scheduler
	_, err = e.owner.Exec(context.Background(), `UPDATE connectors SET next_sync_at = now() - interval '1 minute' WHERE id = $1`, c.ID)
	require.NoError(t, err)

	w := &ScheduleWorker{d: e.deps}
	require.NoError(t, w.Work(context.Background(), &river.Job[jobs.ScheduleArgs]{}))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM sync_runs WHERE connector_id = $1 AND trigger = 'schedule' AND mode = 'FULL'`, c.ID),
		"the first scheduled sync is full")
	require.Zero(t, e.count(`SELECT count(*) FROM sync_runs WHERE connector_id = $1`, manual.ID))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM connectors WHERE id = $1 AND next_sync_at BETWEEN now() + interval '14 minutes' AND now() + interval '16 minutes'`, c.ID))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM river_job WHERE kind = 'connector.sync'`))

	// Not due any more: a second pass enqueues nothing.
	require.NoError(t, w.Work(context.Background(), &river.Job[jobs.ScheduleArgs]{}))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM sync_runs`))
}

func TestStalePassVisitsEveryOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, 3)
	beta, _, err := seed.EnsureOrg(ctx, e.owner, "beta", "Beta")
	require.NoError(t, err)
	b := *e // the same database and vendor, as an admin of the second organization
	b.org, b.admin = beta, itam.WithPrincipal(ctx, itam.Principal{OrgID: beta, Role: itam.RoleAdmin, Subject: "admin@beta.test"})
	client := e.start()
	e.wait(e.sync(e.connector(100), itam.SyncFull).ID)
	b.wait(b.sync(b.connector(100), itam.SyncFull).ID)
	// Stop working jobs, so only the pass below can flag anything.
	stopCtx, stopped := context.WithTimeout(ctx, 10*time.Second)
	defer stopped()
	require.NoError(t, client.Stop(stopCtx))

	// One link of each organization has been missing for longer than 30 days.
	_, err = e.owner.Exec(ctx, `UPDATE asset_external_ids SET missing_since = now() - interval '31 days'
		WHERE (org_id, external_id) IN (SELECT org_id, min(external_id) FROM asset_external_ids GROUP BY org_id)`)
	require.NoError(t, err)
	require.Equal(t, 2, e.count(`SELECT count(*) FROM asset_external_ids WHERE missing_since IS NOT NULL`))
	w := &StaleWorker{d: e.deps}
	require.NoError(t, w.Work(ctx, &river.Job[jobs.StaleArgs]{}))
	for _, org := range []uuid.UUID{e.org, beta} {
		require.Equal(t, 1, e.count(`SELECT count(*) FROM asset_external_ids WHERE stale_since IS NOT NULL AND org_id = $1`, org))
	}
}

// TestIncrementalSyncReadsSinceTheLastRun: an incremental run asks the
// vendor only for what changed since the last successful run started (less
// the look-back), and
// marks nothing missing; with no run to start from it is a full one.
func TestIncrementalSyncReadsSinceTheLastRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30)
	e.start()
	c := e.connector(100)

	first := e.wait(e.sync(c, itam.SyncIncremental).ID)
	require.Equal(t, itam.SyncSucceeded, first.Status, deref(first.Message))
	require.Nil(t, first.Since)
	require.Equal(t, 30, first.RecordsSeen, "nothing to be incremental from: everything is read")

	require.True(t, e.jamf.Touch(2, time.Now().Add(time.Minute)))
	require.True(t, e.jamf.Remove(3))
	run := e.sync(c, itam.SyncIncremental)
	require.NotNil(t, run.Since)
	require.True(t, run.Since.Equal(first.StartedAt.Add(-postgres.DefaultSyncLookBack)), "since is when the last successful run started, less the look-back")
	next := e.wait(run.ID)
	require.Equal(t, itam.SyncSucceeded, next.Status, deref(next.Message))
	require.Equal(t, 1, next.RecordsSeen, "only the device reported since")
	require.Zero(t, next.StaleMarked, "an incremental run cannot tell a device left")

	full := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, 29, full.RecordsSeen)
	require.Equal(t, 1, full.StaleMarked)
}

// TestStoppedWorkerResumes stops a worker gracefully (StopAndCancel, as a
// deploy does) while it waits for page 3 and lets another process finish:
// the second resumes after the last committed page and creates no
// duplicates. A killed process is TestKilledWorkerResumes.
func TestStoppedWorkerResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 400)
	g := newGate(t, e.jamf.URL, 2) // 0-based: the third page waits
	c := e.connectorAt(g.URL, 50)
	first, err := NewClient(e.deps, Options{Workers: true, ScheduleEvery: time.Hour})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, first.Start(ctx))
	run := e.sync(c, itam.SyncFull)
	g.waitReached(t)
	stopCtx, stopDone := context.WithTimeout(context.Background(), 10*time.Second)
	require.NoError(t, first.StopAndCancel(stopCtx)) // the process stops mid-sync
	stopDone()
	r, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
	require.NoError(t, err)
	require.Nil(t, r.FinishedAt, "the run was interrupted")
	committed := r.PagesFetched
	require.LessOrEqual(t, committed, 2, "the third page never arrived")

	g.open()
	e.start() // another process picks the job up when River retries it
	done := e.wait(run.ID)
	require.Equal(t, itam.SyncSucceeded, done.Status, deref(done.Message))
	require.Equal(t, 8, done.PagesFetched, "each page applied once: %d before the stop", committed)
	require.Equal(t, 400, done.RecordsSeen)
	require.Equal(t, 400, e.count(`SELECT count(*) FROM asset_external_ids`))
	require.Equal(t, done.Created, e.count(`SELECT count(*) FROM assets`))
}

// TestTargetedSync is what a webhook queues: one device, fetched by id.
func TestTargetedSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 20)
	e.start()
	c := e.connector(100)
	target := "7"
	run, err := e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncIncremental, "webhook", &target)
	require.NoError(t, err)
	done := e.wait(run.ID)
	require.Equal(t, itam.SyncSucceeded, done.Status, deref(done.Message))
	require.Equal(t, 1, done.RecordsSeen)
	require.Equal(t, 1, e.count(`SELECT count(*) FROM assets`))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM asset_external_ids WHERE external_id = '7'`))
	require.Zero(t, e.count(`SELECT count(*) FROM asset_external_ids WHERE missing_since IS NOT NULL`), "a targeted run marks nothing missing")
}

// TestAttemptErrorsAreRedacted: what a failed attempt records on its run
// never quotes the connector's credentials and stays a sane length.
func TestAttemptErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	c := e.connector(100)
	run := e.sync(c, itam.SyncFull) // no worker: the run stays queued
	msg := "attempt 1 failed, will retry: vendor said no to " + e.jamf.ClientSecret + " " + strings.Repeat("x", 5000)
	require.NoError(t, e.deps.Connectors.RecordAttemptError(worker(e.org, c.Name, itam.ActorConnector), run.ID, msg))
	got, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Message)
	require.NotContains(t, *got.Message, e.jamf.ClientSecret)
	require.Contains(t, *got.Message, "vendor said no to [redacted]")
	require.Less(t, len(*got.Message), 4100)
	require.Nil(t, got.FinishedAt, "an attempt error does not end the run")

	require.Equal(t, itam.CodeForbidden, itam.ErrorCode(e.deps.Connectors.RecordAttemptError(e.admin, run.ID, "x")), "users cannot write run messages")
}
