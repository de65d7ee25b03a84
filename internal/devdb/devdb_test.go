package devdb

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// systemID connects to url, checks it reaches the database itam, and returns
// the cluster's system identifier, which initdb sets anew each time it runs.
func systemID(t *testing.T, url string) int64 {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var one int
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1").Scan(&one))
	require.Equal(t, 1, one)
	var db string
	var id int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_database(), system_identifier FROM pg_control_system()").Scan(&db, &id))
	require.Equal(t, "itam", db)
	return id
}

// stopAndRemove is a cleanup: the data may live outside t.TempDir when
// relocated for root.
func stopAndRemove(t *testing.T, c *Cluster) {
	t.Cleanup(func() {
		_ = c.Stop(context.Background())
		require.NoError(t, os.RemoveAll(c.dataDir))
	})
}

func TestEnsureBootstrapsThenReuses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), ".data", "postgres")

	c, err := Ensure(ctx, dir, testLog(t))
	require.NoError(t, err)
	stopAndRemove(t, c)
	id := systemID(t, c.URL())
	if os.Geteuid() == 0 {
		// t.TempDir is mode 0700, closed to the postgres user, like /root.
		target, err := os.Readlink(dir)
		require.NoError(t, err, "as root, an unreachable dir should become a link")
		require.Equal(t, relocateRoot, filepath.Dir(target))
	}

	// Running: the same server is used as it is.
	again, err := Ensure(ctx, dir, testLog(t))
	require.NoError(t, err)
	require.Equal(t, c.URL(), again.URL())
	require.Equal(t, id, systemID(t, again.URL()))

	// Stopped after a crash that left a pid file naming a live process that
	// is not PostgreSQL (this test): started again on the same port and data.
	require.NoError(t, c.Stop(ctx))
	pidFile := fmt.Sprintf("%d\n%s\n", os.Getpid(), c.dataDir)
	require.NoError(t, os.WriteFile(filepath.Join(c.dataDir, "postmaster.pid"), []byte(pidFile), 0o600))
	again, err = Ensure(ctx, dir, testLog(t))
	require.NoError(t, err)
	require.Equal(t, c.URL(), again.URL())
	require.Equal(t, id, systemID(t, again.URL()))
	require.NoError(t, again.Stop(ctx))
}

func TestEnsureInPlaceWhenReachable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root relocates clusters")
	}
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		require.NoError(t, os.Chmod(d, 0o755))
	}
	dir := filepath.Join(base, "postgres")
	c, err := Ensure(t.Context(), dir, testLog(t))
	require.NoError(t, err)
	stopAndRemove(t, c)
	systemID(t, c.URL())
	fi, err := os.Lstat(dir)
	require.NoError(t, err)
	require.True(t, fi.IsDir(), "a reachable dir should hold the cluster itself")
	require.Equal(t, dir, c.dataDir)
}

func TestStartTemp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c, err := StartTemp(ctx, testLog(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	systemID(t, c.URL())

	conn, err := pgx.Connect(ctx, c.AdminURL())
	require.NoError(t, err)
	var fsync, maxConns string
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('max_connections')").Scan(&fsync, &maxConns))
	require.Equal(t, "off", fsync)
	require.Equal(t, "200", maxConns)
	require.NoError(t, conn.Close(ctx))

	require.NoError(t, c.Stop(ctx))
	require.NoDirExists(t, c.dataDir)
	require.NoDirExists(t, c.tempDir)
}

func TestMissingProgramsSaysHowToFix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := searchDirs
	searchDirs = []string{filepath.Join(t.TempDir(), "*", "bin")}
	t.Cleanup(func() { searchDirs = saved })

	_, err := Ensure(t.Context(), t.TempDir(), nil)
	require.ErrorContains(t, err, "apt-get install postgresql")
	require.ErrorContains(t, err, "DATABASE_URL")
}

// TestStopAt: the cluster Ensure left running is stopped with its data
// kept, a second stop finds nothing to do, and so does a directory that
// holds no cluster.
func TestStopAt(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), ".data", "postgres")

	stopped, err := StopAt(ctx, dir, testLog(t))
	require.NoError(t, err)
	require.False(t, stopped, "no cluster yet")

	c, err := Ensure(ctx, dir, testLog(t))
	require.NoError(t, err)
	stopAndRemove(t, c)
	id := systemID(t, c.URL())

	stopped, err = StopAt(ctx, dir, testLog(t))
	require.NoError(t, err)
	require.True(t, stopped)
	require.Error(t, c.ping(ctx), "the server no longer answers")
	require.NoFileExists(t, filepath.Join(c.dataDir, "postmaster.pid"))

	stopped, err = StopAt(ctx, dir, testLog(t))
	require.NoError(t, err)
	require.False(t, stopped, "already stopped")

	// The data stayed: the next Ensure starts the same cluster.
	again, err := Ensure(ctx, dir, testLog(t))
	require.NoError(t, err)
	require.Equal(t, id, systemID(t, again.URL()))
}
