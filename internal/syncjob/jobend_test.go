package syncjob

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
)

// jobOf returns the River job of a run: its id and state.
func (e *env) jobOf(runID uuid.UUID) (int64, string) {
	e.t.Helper()
	var id int64
	var state string
	require.NoError(e.t, e.owner.QueryRow(context.Background(), `SELECT j.id, j.state::text FROM sync_runs r JOIN river_job j ON j.id = r.job_id
		WHERE r.id = $1`, runID).Scan(&id, &state))
	return id, state
}

// TestCancelledJobEndsItsRun: a sync job cancelled from the River UI (the
// client's JobCancel), discarded or deleted ends its run with the reason,
// and the connector is free to sync again at once.
func TestCancelledJobEndsItsRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name    string
		running bool // the job is being worked when it ends
		end     func(e *env, jobID int64)
		status  itam.SyncStatus
		message string
	}{
		{name: "running job cancelled", running: true, status: itam.SyncCancelled, message: "the sync job was cancelled in the job queue",
			end: func(e *env, id int64) { _, err := e.insert.JobCancel(ctx, id); require.NoError(t, err) }},
		{name: "queued job cancelled", status: itam.SyncCancelled, message: "the sync job was cancelled in the job queue",
			end: func(e *env, id int64) { _, err := e.insert.JobCancel(ctx, id); require.NoError(t, err) }},
		{name: "job discarded by the rescuer", status: itam.SyncFailed,
			message: "the sync job was discarded after 8 attempts; last error: attempt 7 failed, will retry: boom",
			end: func(e *env, id int64) {
				// What River's rescuer does to a job whose workers all died.
				_, err := e.owner.Exec(ctx, `UPDATE river_job SET state = 'discarded', attempt = 8, finalized_at = now() WHERE id = $1`, id)
				require.NoError(t, err)
				_, err = e.owner.Exec(ctx, `UPDATE sync_runs SET status = 'RUNNING', message = 'attempt 7 failed, will retry: boom' WHERE job_id = $1`, id)
				require.NoError(t, err)
			}},
		{name: "job deleted", status: itam.SyncFailed, message: "the sync job no longer exists",
			end: func(e *env, id int64) { _, err := e.insert.JobDelete(ctx, id); require.NoError(t, err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 150)
			g := newGate(t, e.jamf.URL, 1)
			c := e.connectorAt(g.URL, 50)
			run := e.sync(c, itam.SyncFull)
			jobID, _ := e.jobOf(run.ID)
			if tt.running {
				e.start()
				g.waitReached(t) // the worker waits for page 2
				tt.end(e, jobID)
			} else {
				tt.end(e, jobID)
				e.start() // the orphan pass runs when the workers start
			}
			done := e.wait(run.ID)
			require.Equal(t, tt.status, done.Status)
			require.Equal(t, tt.message, deref(done.Message))
			g.open()
			_, err := e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncFull, "test", nil)
			require.NoError(t, err, "the ended run does not block the next")
		})
	}
}

// afterWork runs fn after a sync job's Work returns and before River
// records its outcome: the moment a finished run used to block the next
// sync with CONFLICT, because its job was still running.
type afterWork struct {
	river.MiddlewareDefaults
	fn func(job *rivertype.JobRow)
}

func (m *afterWork) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	err := doInner(ctx)
	if job.Kind == (jobs.SyncArgs{}).Kind() {
		m.fn(job)
	}
	return err
}

// TestEndedRunNeverBlocksTheNextSync: whatever way a run ends, by the time
// it reads as ended its job has ended too, so syncConnector is accepted.
func TestEndedRunNeverBlocksTheNextSync(t *testing.T) {
	t.Parallel()
	unknown := "999999"
	tests := []struct {
		name   string
		target *string
		revoke bool
		status itam.SyncStatus
		job    string
	}{
		{name: "succeeded", status: itam.SyncSucceeded, job: "completed"},
		{name: "credentials refused", revoke: true, status: itam.SyncFailed, job: "cancelled"},
		{name: "unknown device", target: &unknown, status: itam.SyncFailed, job: "cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 20)
			c := e.connector(100)
			if tt.revoke {
				e.jamf.RevokeCredentials()
			}
			run, err := e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncFull, "test", tt.target)
			require.NoError(t, err)
			type seen struct {
				status itam.SyncStatus
				job    string
				err    error
			}
			got := make(chan seen, 1)
			var once sync.Once
			e.startWith(Options{middleware: []rivertype.Middleware{&afterWork{fn: func(job *rivertype.JobRow) {
				once.Do(func() {
					r, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
					require.NoError(t, err)
					_, state := e.jobOf(run.ID)
					_, err = e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncFull, "test", nil)
					got <- seen{r.Status, state, err}
				})
			}}}})
			select {
			case s := <-got:
				require.Equal(t, tt.status, s.status)
				require.NoError(t, s.err, "a run that has ended does not block the next sync")
				require.Equal(t, tt.job, s.job, "the job ended with the run")
			case <-time.After(60 * time.Second):
				t.Fatal("the sync job never ran")
			}
		})
	}
}

// TestUnknownDeviceFailsTheTargetedSync: a webhook naming a device the
// vendor does not know fails its run at the first attempt, with the reason,
// instead of retrying for minutes while the connector answers CONFLICT.
func TestUnknownDeviceFailsTheTargetedSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 20)
	e.start()
	c := e.connector(100)
	target := "424242"
	run, err := e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncIncremental, "webhook", &target)
	require.NoError(t, err)
	done := e.wait(run.ID)
	require.Equal(t, itam.SyncFailed, done.Status)
	require.Equal(t, `device "424242" not found at the vendor`, deref(done.Message))
	require.Zero(t, e.count(`SELECT count(*) FROM assets`))
	var attempt int
	var state string
	require.NoError(t, e.owner.QueryRow(context.Background(), `SELECT attempt, state::text FROM river_job WHERE id = (SELECT job_id FROM sync_runs WHERE id = $1)`, run.ID).
		Scan(&attempt, &state))
	require.Equal(t, 1, attempt, "one attempt")
	require.Equal(t, "cancelled", state)
	_, err = e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncFull, "test", nil)
	require.NoError(t, err)
}

// TestTargetedSyncIsCoalesced: a second webhook for a device whose sync is
// still queued adds no run and no job (the job is unique per connector
// while active; the webhook answers 202 either way).
func TestTargetedSyncIsCoalesced(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 20)
	c := e.connector(100)
	target := "7"
	first, err := e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncIncremental, "webhook", &target)
	require.NoError(t, err)
	_, err = e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncIncremental, "webhook", &target)
	require.Equal(t, itam.CodeConflict, itam.ErrorCode(err))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM sync_runs`))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM river_job WHERE kind = 'connector.sync'`))
	e.start()
	done := e.wait(first.ID)
	require.Equal(t, itam.SyncSucceeded, done.Status, deref(done.Message))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM asset_external_ids WHERE external_id = '7'`))
}

// TestSyncRunsInSlices: an attempt stops after its slice and requeues
// itself from the cursor without costing an attempt: a sync of 12 pages
// with a slice shorter than any page succeeds although the job has 8
// attempts, and asks the vendor for each page once.
func TestSyncRunsInSlices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 600)
	e.startWith(Options{SyncSlice: time.Nanosecond, RescueAfter: time.Minute})
	c := e.connector(50)
	run := e.sync(c, itam.SyncFull)
	done := e.wait(run.ID)
	require.Equal(t, itam.SyncSucceeded, done.Status, deref(done.Message))
	require.Equal(t, 12, done.PagesFetched)
	require.Equal(t, 600, e.count(`SELECT count(*) FROM asset_external_ids`))
	require.Equal(t, done.Created, e.count(`SELECT count(*) FROM assets`))
	var attempt, snoozes int
	require.NoError(t, e.owner.QueryRow(context.Background(), `SELECT attempt, coalesce((metadata->>'snoozes')::int, 0) FROM river_job
		WHERE id = (SELECT job_id FROM sync_runs WHERE id = $1)`, run.ID).Scan(&attempt, &snoozes))
	require.Equal(t, 11, snoozes, "one slice per page")
	require.Equal(t, 1, attempt)
	asked := pageRequests(e.jamf)
	require.Len(t, asked, 12)
	for page, n := range asked {
		require.Equal(t, 1, n, "page %s asked for once", page)
	}
}

func TestOptionsRejectARescueShorterThanTheSlice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	_, err := NewClient(e.deps, Options{Workers: true, SyncSlice: time.Minute, RescueAfter: time.Minute})
	require.ErrorContains(t, err, "must exceed SyncSlice")
}

// TestOrphanPassLeavesLiveRunsAlone: a run whose job may still work
// (queued, snoozed, retrying, running) is not the orphan pass's to end.
func TestOrphanPassLeavesLiveRunsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, 1)
	c := e.connector(100)
	run := e.sync(c, itam.SyncFull) // no workers: the job stays available
	jobID, _ := e.jobOf(run.ID)
	w := &EndOrphanedRunsWorker{d: e.deps}
	for _, state := range []string{"available", "scheduled", "retryable", "running"} {
		_, err := e.owner.Exec(ctx, `UPDATE river_job SET state = $2::river_job_state,
			attempted_at = CASE WHEN $2 = 'running' THEN now() END WHERE id = $1`, jobID, state)
		require.NoError(t, err)
		require.NoError(t, w.Work(ctx, &river.Job[jobs.EndOrphanedRunsArgs]{}))
		r, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
		require.NoError(t, err)
		require.Equal(t, itam.SyncQueued, r.Status, "a %s job keeps its run", state)
	}
	_, err := e.owner.Exec(ctx, `UPDATE river_job SET state = 'cancelled', finalized_at = now() WHERE id = $1`, jobID)
	require.NoError(t, err)
	require.NoError(t, w.Work(ctx, &river.Job[jobs.EndOrphanedRunsArgs]{}))
	r, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
	require.NoError(t, err)
	require.Equal(t, itam.SyncCancelled, r.Status)
}

// TestLastAttemptEndsItsRun: when the last attempt fails with an error the
// worker has no special case for (here its process stops while it waits for
// the vendor), River discards the job and the worker ends the run FAILED in
// the same transaction.
func TestLastAttemptEndsItsRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, 150)
	g := newGate(t, e.jamf.URL, 1)
	c := e.connectorAt(g.URL, 50)
	run := e.sync(c, itam.SyncFull)
	jobID, _ := e.jobOf(run.ID)
	_, err := e.owner.Exec(ctx, `UPDATE river_job SET attempt = max_attempts - 1 WHERE id = $1`, jobID)
	require.NoError(t, err)
	client, err := NewClient(e.deps, Options{Workers: true, ScheduleEvery: time.Hour})
	require.NoError(t, err)
	require.NoError(t, client.Start(ctx))
	g.waitReached(t)
	stopCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	require.NoError(t, client.StopAndCancel(stopCtx))
	r, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
	require.NoError(t, err)
	require.Equal(t, itam.SyncFailed, r.Status)
	require.True(t, strings.HasPrefix(deref(r.Message), "giving up after 8 attempts: "), deref(r.Message))
	require.Contains(t, deref(r.Message), "context canceled")
	_, state := e.jobOf(run.ID)
	require.Equal(t, "discarded", state)
}

// A refused address answers the same on every retry, so the run fails at
// once with the egress refusal (and what to set), after one attempt.
func TestRefusedAddressFailsTheRunOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10)
	e.deps.Egress = connectors.Egress{} // the production default: no loopback
	e.start()
	c := e.connector(5)
	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncFailed, run.Status)
	require.Contains(t, *run.Message, "ITAM_CONNECTOR_ALLOW_PRIVATE")
	require.Equal(t, 1, e.count(`SELECT attempt FROM river_job WHERE (args->>'run_id')::uuid = $1`, run.ID))
	st := e.jamf.Stats()
	require.Zero(t, st.TokenRequests()+st.InventoryRequests, "nothing reached the vendor")
}
