package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
)

func TestSyncConnectorEnqueuesInSameTransaction(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	c := f.create(f.a, kandjiInput("Kandji"))
	ctx := f.admin(f.a)

	run, err := f.store.SyncConnector(ctx, c.ID, itam.SyncFull, "manual", nil)
	require.NoError(t, err)
	require.Equal(t, itam.SyncQueued, run.Status)
	require.Equal(t, itam.SyncFull, run.Mode)
	require.Equal(t, "manual", run.Trigger)
	require.Equal(t, 1, f.jobs())
	var jobID int64
	var args []byte
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT r.job_id, j.args FROM sync_runs r JOIN river_job j ON j.id = r.job_id WHERE r.id = $1`, run.ID).Scan(&jobID, &args))
	require.Contains(t, string(args), run.ID.String())
	require.Contains(t, string(args), c.ID.String())
	require.Contains(t, string(args), f.a.id.String())

	// A second sync while the first is queued: CONFLICT, no second run or job.
	_, err = f.store.SyncConnector(ctx, c.ID, itam.SyncIncremental, "manual", nil)
	requireCode(t, err, itam.CodeConflict, "id")
	require.Contains(t, err.Error(), "already queued or running")
	require.Equal(t, 1, f.count("sync_runs", f.a.id))
	require.Equal(t, 1, f.jobs())

	// Another connector syncs independently.
	c2 := f.create(f.a, kandjiInput("Kandji 2"))
	_, err = f.store.SyncConnector(ctx, c2.ID, itam.SyncFull, "manual", nil)
	require.NoError(t, err)
	require.Equal(t, 2, f.jobs())

	// Cancelling the queued run cancels its job, so the connector is free again.
	cancelled, err := f.store.CancelSyncRun(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, itam.SyncCancelled, cancelled.Status)
	require.NotNil(t, cancelled.FinishedAt)
	var state string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT state::text FROM river_job WHERE id = $1`, jobID).Scan(&state))
	require.Equal(t, "cancelled", state)
	_, err = f.store.CancelSyncRun(ctx, run.ID)
	requireCode(t, err, itam.CodeConflict, "id")
	next, err := f.store.SyncConnector(ctx, c.ID, itam.SyncIncremental, "manual", nil)
	require.NoError(t, err)
	require.Nil(t, next.Since, "no successful run yet")

	// Incremental runs start from the last successful run's start.
	done, err := f.store.FinishRun(system(f.a.id), next.ID, itam.SyncSucceeded, "ok")
	require.NoError(t, err)
	require.Equal(t, itam.SyncSucceeded, done.Status)
	require.NotNil(t, done.StartedAt)
	f.exec(`UPDATE river_job SET state = 'completed', finalized_at = now() WHERE kind = 'connector.sync'`)
	inc, err := f.store.SyncConnector(ctx, c.ID, itam.SyncIncremental, "schedule", nil)
	require.NoError(t, err)
	require.NotNil(t, inc.Since)
	require.True(t, inc.Since.Equal(done.StartedAt.Add(-DefaultSyncLookBack)), "since %s, started %s", inc.Since, done.StartedAt)

	// Disabled connectors do not sync.
	_, _, err = f.svc.Update(ctx, connector.Patch{ID: c2.ID, Version: 1, Enabled: itam.Some(false)})
	require.NoError(t, err)
	f.exec(`UPDATE river_job SET state = 'completed', finalized_at = now() WHERE kind = 'connector.sync'`)
	_, err = f.store.SyncConnector(ctx, c2.ID, itam.SyncFull, "manual", nil)
	requireCode(t, err, itam.CodeConflict, "id")

	_, err = f.store.SyncConnector(ctx, c.ID, "SOMETIMES", "manual", nil)
	requireCode(t, err, itam.CodeInvalid, "mode")
}

// failingEnqueuer inserts the job for real, then fails: the store's
// transaction must roll back both the run and the job.
type failingEnqueuer struct{ inner Enqueuer }

func (e failingEnqueuer) EnqueueSyncTx(ctx context.Context, tx pgx.Tx, args jobs.SyncArgs) (int64, error) {
	id, err := e.inner.EnqueueSyncTx(ctx, tx, args)
	if err != nil {
		return 0, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE id = $1`, id).Scan(&n); err != nil || n != 1 {
		return 0, fmt.Errorf("job not visible in the transaction (%d, %v)", n, err)
	}
	return 0, errors.New("boom")
}

func TestSyncConnectorRollbackLeavesNothing(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	c := f.create(f.a, kandjiInput("Kandji"))
	bad := NewConnectorStore(f.db, f.box, failingEnqueuer{RiverEnqueuer{Client: f.river}})
	_, err := bad.SyncConnector(f.admin(f.a), c.ID, itam.SyncFull, "manual", nil)
	require.ErrorContains(t, err, "boom")
	require.Equal(t, 0, f.count("sync_runs", f.a.id))
	require.Equal(t, 0, f.jobs())
	// And the connector is not blocked by a phantom job.
	_, err = f.store.SyncConnector(f.admin(f.a), c.ID, itam.SyncFull, "manual", nil)
	require.NoError(t, err)
	require.Equal(t, 1, f.jobs())
}

func TestSyncConnectorConcurrent(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	c := f.create(f.a, kandjiInput("Kandji"))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.store.SyncConnector(f.admin(f.a), c.ID, itam.SyncFull, "manual", nil)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		requireCode(t, err, itam.CodeConflict, "id")
	}
	require.Equal(t, 1, ok)
	require.Equal(t, 1, f.count("sync_runs", f.a.id))
	require.Equal(t, 1, f.jobs())
}

func TestSyncRunsListAndWorker(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	c := f.create(f.a, kandjiInput("Kandji"))
	ctx := f.admin(f.a)
	var ids []uuid.UUID
	for i := range 3 {
		r, err := f.store.SyncConnector(ctx, c.ID, itam.SyncFull, "manual", ptr(fmt.Sprintf("dev-%d", i)))
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("dev-%d", i), *r.TargetExternalID)
		ids = append(ids, r.ID)
		f.exec(`UPDATE sync_runs SET cursor = 'page-2' WHERE id = $1`, r.ID)
		_, err = f.store.FinishRun(system(f.a.id), r.ID, itam.SyncFailed, "vendor said no to "+plainToken)
		require.NoError(t, err)
		f.exec(`UPDATE river_job SET state = 'completed', finalized_at = now() WHERE kind = 'connector.sync'`)
	}
	page, err := f.store.SyncRuns(ctx, c.ID, itam.PageArgs{First: ptr(2)})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{ids[2], ids[1]}, []uuid.UUID{page.Items[0].ID, page.Items[1].ID})
	require.True(t, page.HasNextPage)
	require.Nil(t, page.Items[0].Cursor, "the vendor cursor is for the worker only")
	page, err = f.store.SyncRuns(ctx, c.ID, itam.PageArgs{First: ptr(2), After: &page.Cursors[1]})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, ids[0], page.Items[0].ID)
	n, err := f.store.CountSyncRuns(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, 3, n)

	last, err := f.store.LastSync(ctx, []uuid.UUID{c.ID, uuid.New()})
	require.NoError(t, err)
	require.Len(t, last, 1)
	require.Equal(t, ids[2], last[c.ID].ID)

	w, err := f.store.RunForWorker(system(f.a.id), ids[2])
	require.NoError(t, err)
	require.Equal(t, "page-2", *w.Cursor)
	require.Equal(t, itam.SyncFailed, w.Status)
	require.NotContains(t, *w.Message, plainToken, "credentials are redacted from run messages")
	require.Contains(t, *w.Message, "[redacted]")

	// Finishing an ended run changes nothing; non-final statuses are refused.
	again, err := f.store.FinishRun(system(f.a.id), ids[2], itam.SyncSucceeded, "late")
	require.NoError(t, err)
	require.Equal(t, itam.SyncFailed, again.Status)
	_, err = f.store.FinishRun(system(f.a.id), ids[2], itam.SyncRunning, "")
	requireCode(t, err, itam.CodeInvalid, "status")

	byID, err := f.store.SyncRunsByIDs(as(f.a.id, itam.RoleAuditor, "a@test"), ids)
	require.NoError(t, err)
	require.Len(t, byID, 3)
}

// TestIncrementalSinceLooksBack: an incremental run's window starts the
// configured look-back before the previous successful run started, so
// changes a vendor indexes late or stamps with a skewed clock are not
// skipped; 0 starts exactly at that run's start.
func TestIncrementalSinceLooksBack(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	ctx := f.admin(f.a)
	for i, lookBack := range []time.Duration{0, 7 * time.Minute, 90 * time.Second, 24 * time.Hour} {
		// A DB opened with SyncLookBack(lookBack), over the same pool.
		set := settings{}
		SyncLookBack(lookBack)(&set)
		db := *f.db
		db.lookBack = set.lookBack
		store := NewConnectorStore(&db, f.box, RiverEnqueuer{Client: f.river})
		c := f.create(f.a, kandjiInput(fmt.Sprintf("Kandji %d", i)))

		first, err := store.SyncConnector(ctx, c.ID, itam.SyncIncremental, "schedule", nil)
		require.NoError(t, err)
		require.Nil(t, first.Since, "nothing to look back from yet")
		f.exec(`UPDATE sync_runs SET started_at = $2 WHERE id = $1`, first.ID, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
		_, err = f.store.FinishRun(system(f.a.id), first.ID, itam.SyncSucceeded, "ok")
		require.NoError(t, err)
		f.exec(`UPDATE river_job SET state = 'completed', finalized_at = now() WHERE kind = 'connector.sync'`)

		second, err := store.SyncConnector(ctx, c.ID, itam.SyncIncremental, "schedule", nil)
		require.NoError(t, err)
		require.NotNil(t, second.Since)
		want := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC).Add(-lookBack)
		require.True(t, second.Since.Equal(want), "look-back %s: since %s, want %s", lookBack, second.Since, want)
		f.exec(`UPDATE river_job SET state = 'completed', finalized_at = now() WHERE kind = 'connector.sync'`)
	}
}
