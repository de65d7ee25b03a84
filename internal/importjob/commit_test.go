package importjob

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
)

// blockTag makes the database hold any transaction that writes the asset
// tagged tag (a trigger waits for an advisory lock the test holds) until
// release is called: the test then interrupts the commit in the middle of
// that transaction, as a killed process would.
func (e *env) blockTag(tag string) (waiting func() bool, release func()) {
	e.t.Helper()
	ctx := context.Background()
	const key = 4242
	_, err := e.owner.Exec(ctx, fmt.Sprintf(`
		CREATE FUNCTION test_hold_import() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.asset_tag = %s THEN PERFORM pg_advisory_xact_lock(%d); END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER test_hold_import BEFORE INSERT OR UPDATE ON assets FOR EACH ROW EXECUTE FUNCTION test_hold_import();`,
		quoteLiteral(tag), key))
	require.NoError(e.t, err)
	holder, err := e.owner.Acquire(ctx)
	require.NoError(e.t, err)
	_, err = holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, key)
	require.NoError(e.t, err)
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		_, err := holder.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key)
		require.NoError(e.t, err)
		holder.Release()
		_, err = e.owner.Exec(ctx, `DROP TRIGGER test_hold_import ON assets; DROP FUNCTION test_hold_import()`)
		require.NoError(e.t, err)
	}
	e.t.Cleanup(release)
	waiting = func() bool {
		// pg_locks is the cluster's: tests running in parallel on other
		// databases wait on the same key.
		return e.count(`SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE l.locktype = 'advisory' AND l.objid = $1 AND NOT l.granted AND d.datname = current_database()`, key) > 0
	}
	return waiting, release
}

func quoteLiteral(s string) string { return "'" + s + "'" }

// interruptCommit runs the commit until the database holds it inside the
// transaction writing the blocked tag, then cancels it there: the
// statement is cancelled and its transaction rolled back, exactly what a
// killed worker's connection gets.
func (e *env) interruptCommit(id uuid.UUID, tag string) {
	e.t.Helper()
	waiting, release := e.blockTag(tag)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- e.runner.Commit(ctx, e.org, id) }()
	deadline := time.Now().Add(60 * time.Second)
	for !waiting() {
		require.True(e.t, time.Now().Before(deadline), "the commit never reached %s", tag)
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	err := <-errc
	require.Error(e.t, err, "an interrupted commit is not done")
	release()
}

// TestSingleTransactionCommitInterruptedLeavesNothing: a plan within
// ChunkedCommitRows commits in one transaction; interrupted in the middle
// of it (after some assets were inserted), nothing stays: no asset, no
// reference, no history, the cursor at 0; the retry then commits it all.
func TestSingleTransactionCommitInterruptedLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// At the threshold a plan still commits whole, though chunks are small.
	e.runner.ChunkedCommitRows, e.runner.CommitChunkRows = 30, 10
	r := e.create(e.admin, "inventory.csv", inventory(30), imports.Mapping{})
	r = e.plan(e.admin, r.ID)
	e.startCommit(e.admin, r, false)

	e.interruptCommit(r.ID, "T-0025")
	got := e.run(e.admin, r.ID)
	require.Equal(t, imports.StatusCommitting, got.Status, "the job's retry finishes it")
	require.Zero(t, got.CommitCursor)
	require.Zero(t, e.count(`SELECT count(*) FROM assets`))
	require.Zero(t, e.count(`SELECT count(*) FROM models`))
	require.Zero(t, e.count(`SELECT count(*) FROM manufacturers`))
	require.Zero(t, e.count(`SELECT count(*) FROM asset_history`))

	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID))
	require.Equal(t, imports.StatusCommitted, e.run(e.admin, r.ID).Status)
	require.Len(t, e.assets(e.org), 30)
}

// TestChunkedCommitInterruptedResumes: a plan over ChunkedCommitRows
// commits chunk by chunk. Interrupted inside the third chunk's transaction
// it keeps the first two chunks (the cursor says so) and nothing of the
// third; the next attempt resumes from the cursor, and the end state is
// that of an uninterrupted commit of the same file (done in the other
// organization): every row applied exactly once.
func TestChunkedCommitInterruptedResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.runner.ChunkedCommitRows, e.runner.CommitChunkRows = 20, 10
	const rows = 45

	// The uninterrupted reference, in the other organization.
	ref := e.create(e.admin2, "inventory.csv", inventory(rows), imports.Mapping{})
	ref = e.plan(e.admin2, ref.ID)
	e.startCommit(e.admin2, ref, false)
	require.NoError(t, e.runner.Commit(context.Background(), e.other, ref.ID))
	want := e.assets(e.other)
	require.Len(t, want, rows)

	r := e.create(e.admin, "inventory.csv", inventory(rows), imports.Mapping{})
	r = e.plan(e.admin, r.ID)
	e.startCommit(e.admin, r, false)
	e.interruptCommit(r.ID, "T-0025") // the third chunk: lines 22–31
	got := e.run(e.admin, r.ID)
	require.Equal(t, imports.StatusCommitting, got.Status)
	require.Equal(t, 21, got.CommitCursor, "two chunks of ten, lines 2–21, committed")
	require.Equal(t, 20, got.RowsDone)
	require.Equal(t, 20, e.count(`SELECT count(*) FROM assets WHERE org_id = $1`, e.org), "nothing of the interrupted chunk")

	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID))
	require.Equal(t, imports.StatusCommitted, e.run(e.admin, r.ID).Status)
	require.Equal(t, want, e.assets(e.org), "the same end state as an uninterrupted commit")
	require.Equal(t, rows, e.count(`SELECT count(*) FROM asset_history WHERE org_id = $1 AND actor_kind = 'IMPORT'`, e.org),
		"each asset created once")
}

// TestChunkedCommitStopsBetweenChunks: cancelled between two chunks (the
// process told to stop, or its attempt's time up), the commit returns and
// a new attempt resumes after the last committed chunk.
func TestChunkedCommitStopsBetweenChunks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.runner.ChunkedCommitRows, e.runner.CommitChunkRows = 5, 4
	r := e.create(e.admin, "inventory.csv", inventory(10), imports.Mapping{})
	r = e.plan(e.admin, r.ID)
	e.startCommit(e.admin, r, false)
	ctx, cancel := context.WithCancel(context.Background())
	chunks := 0
	e.runner.afterCommitChunk = func(context.Context, uuid.UUID) {
		chunks++
		cancel()
	}
	require.ErrorIs(t, e.runner.Commit(ctx, e.org, r.ID), context.Canceled)
	require.Equal(t, 1, chunks)
	require.Equal(t, 4, e.count(`SELECT count(*) FROM assets`))
	e.runner.afterCommitChunk = nil
	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID))
	require.Len(t, e.assets(e.org), 10)
}

// TestCommitStaleWhenAnAssetChanged: an asset the dry run planned to update
// changes before the commit: the commit refuses (STALE, naming the row and
// what to do), and nothing of the file is written, not even its new rows.
func TestCommitStaleWhenAnAssetChanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.create(e.admin, "inventory.csv", inventory(3), imports.Mapping{})
	first = e.plan(e.admin, first.ID)
	e.startCommit(e.admin, first, false)
	require.NoError(t, e.runner.Commit(context.Background(), e.org, first.ID))

	// The same sheet, edited: T-0002 renamed, T-0004 added.
	csv := header +
		"T-0002,SN000002,Laptop 2 (Anna),Latitude 5402,Dell,Laptop,IN_STOCK,31/12/2024,\"$1,299.00\"\n" +
		"T-0004,SN000004,Laptop 4,Latitude 5401,Dell,Laptop,IN_STOCK,31/12/2024,\"$1,299.00\"\n"
	r := e.create(e.admin, "inventory.csv", csv, imports.Mapping{})
	r = e.plan(e.admin, r.ID)
	require.Equal(t, 1, r.Totals.Update)
	require.Equal(t, 1, r.Totals.Create)
	// Someone edits T-0002 after the dry run.
	_, err := e.owner.Exec(context.Background(), `UPDATE assets SET notes = 'edited meanwhile', version = version + 1 WHERE asset_tag = 'T-0002'`)
	require.NoError(t, err)
	before := e.assets(e.org)
	history := e.count(`SELECT count(*) FROM asset_history`)

	e.startCommit(e.admin, r, false)
	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID), "STALE ends the job: a retry cannot succeed")
	got := e.run(e.admin, r.ID)
	require.Equal(t, imports.StatusStale, got.Status)
	require.NotNil(t, got.Error)
	require.Contains(t, *got.Error, "line 2:", "the line of T-0002")
	require.Contains(t, *got.Error, "start a new dry run")
	require.Equal(t, before, e.assets(e.org), "nothing written")
	require.Equal(t, history, e.count(`SELECT count(*) FROM asset_history`))
	require.Equal(t, "edited meanwhile", e.text(`SELECT notes FROM assets WHERE asset_tag = 'T-0002'`))
	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID), "a duplicate commit job of a STALE run does nothing")
	require.Equal(t, imports.StatusStale, e.run(e.admin, r.ID).Status)
}

func (e *env) text(sql string, args ...any) string {
	e.t.Helper()
	var s string
	require.NoError(e.t, e.owner.QueryRow(context.Background(), sql, args...).Scan(&s))
	return s
}
