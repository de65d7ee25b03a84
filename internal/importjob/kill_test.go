package importjob

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/testkit"
)

// commitProcessEnv makes the test binary, re-executed, a process that
// commits one run ("url|org|run|chunkedRows|chunkRows") and is killed.
const commitProcessEnv = "ITAM_IMPORTJOB_TEST_COMMIT"

// commitProcess commits the run spec names, as a worker process would.
func commitProcess(spec string) int {
	f := strings.Split(spec, "|")
	if len(f) != 5 {
		fmt.Fprintln(os.Stderr, "bad spec", spec)
		return 2
	}
	org, run := uuid.MustParse(f[1]), uuid.MustParse(f[2])
	chunked, _ := strconv.Atoi(f[3])
	chunk, _ := strconv.Atoi(f[4])
	ctx := context.Background()
	db, err := postgres.Open(ctx, f[0], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r := &Runner{Store: postgres.NewImportStore(db, nil), Orgs: postgres.NewOrganizationStore(db),
		ChunkedCommitRows: chunked, CommitChunkRows: chunk}
	if err := r.Commit(ctx, org, run); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// killCommit runs the commit of id in another process until the database
// holds it inside the transaction writing the blocked tag, then kills that
// process with SIGKILL: no deferred code, no rollback sent, its connection
// just drops.
func (e *env) killCommit(id uuid.UUID, tag string, chunked, chunk int) {
	e.t.Helper()
	waiting, release := e.blockTag(tag)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%s|%d|%d", commitProcessEnv, e.url, e.org, id, chunked, chunk))
	logs := &testkit.LockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(e.t, cmd.Start())
	deadline := time.Now().Add(60 * time.Second)
	for !waiting() {
		require.True(e.t, time.Now().Before(deadline), "the commit process never reached %s:\n%s", tag, logs.String())
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(e.t, cmd.Process.Kill()) // SIGKILL
	_ = cmd.Wait()
	release()
}

// TestKilledSingleTransactionCommitLeavesNothing: a commit process killed
// in the middle of a one-transaction commit (some assets already inserted)
// leaves nothing — no asset, reference or history, the cursor at 0 — and
// a new worker then commits the whole plan.
func TestKilledSingleTransactionCommitLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.create(e.admin, "inventory.csv", inventory(30), imports.Mapping{})
	r = e.plan(e.admin, r.ID)
	e.startCommit(e.admin, r, false)

	e.killCommit(r.ID, "T-0025", 30, 10)
	got := e.run(e.admin, r.ID)
	require.Equal(t, imports.StatusCommitting, got.Status)
	require.Zero(t, got.CommitCursor)
	require.Zero(t, e.count(`SELECT count(*) FROM assets`))
	require.Zero(t, e.count(`SELECT count(*) FROM models`))
	require.Zero(t, e.count(`SELECT count(*) FROM asset_history`))

	e.runner.ChunkedCommitRows, e.runner.CommitChunkRows = 30, 10
	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID))
	require.Equal(t, imports.StatusCommitted, e.run(e.admin, r.ID).Status)
	require.Len(t, e.assets(e.org), 30)
}

// TestKilledChunkedCommitResumes: a chunked commit process killed inside
// its third chunk keeps the two committed chunks (the cursor says so) and
// nothing of the third; a new worker resumes at the cursor and applies
// every row exactly once.
func TestKilledChunkedCommitResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const rows = 45
	r := e.create(e.admin, "inventory.csv", inventory(rows), imports.Mapping{})
	r = e.plan(e.admin, r.ID)
	e.startCommit(e.admin, r, false)

	e.killCommit(r.ID, "T-0025", 20, 10) // the third chunk: lines 22–31
	got := e.run(e.admin, r.ID)
	require.Equal(t, imports.StatusCommitting, got.Status)
	require.Equal(t, 21, got.CommitCursor, "two chunks of ten, lines 2–21, committed")
	require.Equal(t, 20, e.count(`SELECT count(*) FROM assets`))

	e.runner.ChunkedCommitRows, e.runner.CommitChunkRows = 20, 10
	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID))
	require.Equal(t, imports.StatusCommitted, e.run(e.admin, r.ID).Status)
	require.Len(t, e.assets(e.org), rows)
	require.Equal(t, rows, e.count(`SELECT count(DISTINCT asset_tag) FROM assets`))
	require.Equal(t, rows, e.count(`SELECT count(*) FROM asset_history WHERE actor_kind = $1`, string(itam.ActorImport)))
}
