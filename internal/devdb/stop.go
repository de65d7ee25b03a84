package devdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// useVersion picks the programs of the major version that made a cluster
// (the contents of its PG_VERSION): a cluster runs only under that version,
// which stays installed beside a newer one on Debian.
func (c *Cluster) useVersion(pgVersion []byte) {
	if bin := "/usr/lib/postgresql/" + strings.TrimSpace(string(pgVersion)) + "/bin"; isFile(filepath.Join(bin, "pg_ctl")) {
		c.bin = bin
	}
}

// StopAt stops the cluster kept at dir (see Ensure) when it is running and
// reports whether it was. No cluster at dir is not an error: there is
// nothing to stop. The data stays; the next Ensure starts it again.
func StopAt(ctx context.Context, dir string, log *slog.Logger) (stopped bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	if _, err := os.Lstat(abs); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	c, err := newCluster(log)
	if err != nil {
		return false, err
	}
	unlock, err := lockFile(abs + ".lock") // not while an Ensure is starting it
	if err != nil {
		return false, err
	}
	defer unlock()
	c.dataDir = abs
	if target, err := os.Readlink(abs); err == nil { // relocated for root: see place
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(abs), target)
		}
		c.dataDir = target
	}
	version, err := os.ReadFile(filepath.Join(c.dataDir, "PG_VERSION"))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("devdb: %w", err)
	}
	c.useVersion(version)
	// A pid file left by a crash may name a live process that is not
	// PostgreSQL; pg_ctl would signal it.
	c.removeStalePID()
	if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	status := c.command(ctx, c.prog("pg_ctl"), "status", "-D", c.dataDir)
	if err := status.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 3 { // pg_ctl: no server running
			return false, nil
		}
		return false, fmt.Errorf("devdb: pg_ctl status: %w", err)
	}
	c.log.Info("devdb: stopping PostgreSQL", "dir", c.dataDir)
	if out, err := c.command(ctx, c.prog("pg_ctl"), "stop", "-w", "-m", "fast", "-D", c.dataDir).CombinedOutput(); err != nil {
		return false, fmt.Errorf("devdb: pg_ctl stop: %w: %s", err, bytes.TrimSpace(out))
	}
	return true, nil
}
