package syncjob

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/testkit"
)

// The environment of a worker process: the test binary, re-executed with
// workerDBEnv set, runs `itam worker`'s client on that database instead of
// the tests (TestMain), until it is killed.
const (
	workerDBEnv     = "ITAM_SYNCJOB_TEST_WORKER_DB"
	workerSliceEnv  = "ITAM_SYNCJOB_TEST_WORKER_SLICE"
	workerRescueEnv = "ITAM_SYNCJOB_TEST_WORKER_RESCUE"
)

// workerProcess runs a worker on the database at url with the slice and
// rescue delay from the environment (production defaults when unset).
func workerProcess(url string) int {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	fail := func(err error) int {
		log.Error("test worker", "err", err)
		return 1
	}
	opt := Options{Workers: true, ScheduleEvery: time.Hour}
	for env, d := range map[string]*time.Duration{workerSliceEnv: &opt.SyncSlice, workerRescueEnv: &opt.RescueAfter} {
		if v := os.Getenv(env); v != "" {
			var err error
			if *d, err = time.ParseDuration(v); err != nil {
				return fail(err)
			}
		}
	}
	db, err := postgres.Open(ctx, url, nil)
	if err != nil {
		return fail(err)
	}
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32)) // newEnv's key
	if err != nil {
		return fail(err)
	}
	deps := Deps{DB: db, Sync: postgres.NewSyncStore(db), Log: log, Egress: connectors.AllowLoopback()} // as newEnv
	insert, err := NewClient(deps, Options{})
	if err != nil {
		return fail(err)
	}
	deps.Connectors = postgres.NewConnectorStore(db, box, postgres.RiverEnqueuer{Client: insert})
	client, err := NewClient(deps, opt)
	if err != nil {
		return fail(err)
	}
	if err := client.Start(ctx); err != nil {
		return fail(err)
	}
	log.Info("test worker running", "slice", opt.SyncSlice, "rescue", opt.RescueAfter)
	select {} // until killed
}

// startWorkerProcess starts a worker process on the test's database; slice
// and rescue are its Options (zero: production defaults).
func (e *env) startWorkerProcess(slice, rescue time.Duration) *exec.Cmd {
	e.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerDBEnv+"="+e.url)
	if slice > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%s", workerSliceEnv, slice), fmt.Sprintf("%s=%s", workerRescueEnv, rescue))
	}
	logs := &testkit.LockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(e.t, cmd.Start())
	e.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if e.t.Failed() {
			e.t.Logf("worker process %d:\n%s", cmd.Process.Pid, logs.String())
		}
	})
	return cmd
}

// TestKilledWorkerResumes kills a worker process with SIGKILL in the middle
// of a full sync (nothing of it runs after: no deferred code, no graceful
// stop, its job stays `running`) and starts another worker process with a
// short slice and rescue delay: River's rescuer gives the job back, the new
// process resumes after the last committed page, and every computer is
// synced exactly once.
func TestKilledWorkerResumes(t *testing.T) {
	t.Parallel()
	const computers, pageSize, pages = 600, 50, 12
	e := newEnv(t, computers)
	g := newGate(t, e.jamf.URL, 3) // 0-based: the fourth page waits
	c := e.connectorAt(g.URL, pageSize)

	first := e.startWorkerProcess(0, 0) // production settings
	run := e.sync(c, itam.SyncFull)
	g.waitReached(t)
	// The fourth page is asked for while the third is applied: wait for
	// that one to commit.
	deadline := time.Now().Add(60 * time.Second)
	for e.count(`SELECT pages_fetched FROM sync_runs WHERE id = $1`, run.ID) < 3 {
		require.True(t, time.Now().Before(deadline), "the third page never committed")
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, first.Process.Kill()) // SIGKILL
	_ = first.Wait()
	killed := time.Now()

	r, err := e.deps.Connectors.SyncRun(e.admin, run.ID)
	require.NoError(t, err)
	require.Equal(t, itam.SyncRunning, r.Status)
	require.Equal(t, 3, r.PagesFetched)
	require.Equal(t, 150, r.RecordsSeen)
	require.Equal(t, 150, e.count(`SELECT count(*) FROM asset_external_ids`))
	_, err = e.deps.Connectors.SyncConnector(e.admin, c.ID, itam.SyncFull, "test", nil)
	require.Equal(t, itam.CodeConflict, itam.ErrorCode(err), "the killed sync is still the connector's active one")

	g.open()
	e.startWorkerProcess(time.Second, 10*time.Second)
	var resumed time.Duration
	for {
		if e.count(`SELECT pages_fetched FROM sync_runs WHERE id = $1`, run.ID) > 3 {
			resumed = time.Since(killed)
			break
		}
		require.Less(t, time.Since(killed), 2*time.Minute, "the killed sync was not resumed")
		time.Sleep(50 * time.Millisecond)
	}
	done := e.waitFor(run.ID, 2*time.Minute)
	t.Logf("killed sync resumed %s after SIGKILL (slice 1s, rescue 10s), finished after %s", resumed.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

	require.Equal(t, itam.SyncSucceeded, done.Status, deref(done.Message))
	require.Equal(t, pages, done.PagesFetched, "each page applied once")
	require.Equal(t, computers, done.RecordsSeen)
	require.Equal(t, computers, e.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1`, c.ID))
	require.Equal(t, computers, e.count(`SELECT count(DISTINCT external_id) FROM asset_external_ids WHERE connector_id = $1`, c.ID))
	require.Equal(t, done.Created, e.count(`SELECT count(*) FROM assets`), "every asset created once")
	require.Zero(t, e.count(`SELECT count(*) FROM asset_external_ids WHERE missing_since IS NOT NULL`))
	asked := pageRequests(e.jamf)
	require.Len(t, asked, pages)
	for _, page := range []string{"0", "1", "2"} {
		require.Equal(t, 1, asked[page], "page %s committed before the kill is not asked for again: the new worker resumed from the cursor", page)
	}
}
