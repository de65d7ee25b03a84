// Package benchkit is what the benchmark commands (cmd/itam-bench,
// itam-syncbench, itam-pushbench, itam-importbench, itam-exportbench)
// share: a throwaway database per run, the module root they build binaries
// from, KEY=VALUE flags, this process's memory and the parties' CPU
// figures, the load average. It exists so the commands cannot drift apart
// in how they set up and measure a run.
package benchkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/devdb"
	"github.com/itam-dev/itam/migrations"
)

// Database is a fresh database a run uses, and how to get rid of it.
type Database struct {
	URL     string // superuser (or given role) URL of the new database
	Cleanup func(context.Context) error
}

// CreateDatabase creates a new, empty database named prefix_<random> on the
// server adminURL names and returns its URL; Cleanup drops it unless keep.
func CreateDatabase(ctx context.Context, adminURL, prefix string, keep bool, log *slog.Logger) (Database, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return Database{}, fmt.Errorf("-database-url: %w", err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := prefix + "_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return Database{}, fmt.Errorf("connect %s: %w", Redact(adminURL), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return Database{}, fmt.Errorf("create database: %w", err)
	}
	u.Path = "/" + name
	db := Database{URL: u.String()}
	db.Cleanup = func(ctx context.Context) error {
		if keep {
			log.Warn("keeping the bench database", "url", Redact(db.URL))
			return nil
		}
		c, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	return db, nil
}

// CreateMigrated is CreateDatabase with every migration applied: the
// fresh database each benchmark starts from.
func CreateMigrated(ctx context.Context, adminURL, prefix string, keep bool, log *slog.Logger) (Database, error) {
	db, err := CreateDatabase(ctx, adminURL, prefix, keep, log)
	if err != nil {
		return db, err
	}
	if _, err := migrations.UpURL(ctx, db.URL); err != nil {
		return db, errors.Join(fmt.Errorf("migrating the bench database: %w", err), db.Cleanup(context.WithoutCancel(ctx)))
	}
	return db, nil
}

// Redact hides the password of a database URL, for logs and errors.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// ModuleRoot is the directory of the main module, where `go build .` builds
// the server: the benchmarks build the binaries they measure from there.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run the benchmark from inside the itam module")
	}
	return filepath.Dir(mod), nil
}

// KeyValues is a repeatable KEY=VALUE flag (-server-env, -pg-set).
type KeyValues []string

func (kv *KeyValues) String() string { return strings.Join(*kv, " ") }

// Set adds one KEY=VALUE; a value without "=" or with an empty key is refused.
func (kv *KeyValues) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*kv = append(*kv, v)
	return nil
}

// ProcStatus reads this process's peak (VmHWM) and current (VmRSS)
// resident memory, in bytes; zeros where /proc is not there.
func ProcStatus() (hwm, rss int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			hwm = kb << 10
		case "VmRSS:":
			rss = kb << 10
		}
	}
	return hwm, rss
}

// Main runs a benchmark command until it ends or is interrupted, and exits
// non-zero with "<name>: FAIL: …" when it fails.
func Main(name string, run func(ctx context.Context, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "%s: FAIL: %v\n", name, err)
		stop()
		os.Exit(1)
	}
}

// Throwaway is the migrated database a benchmark runs on: on the server
// databaseURL names (dropped when done), or with "" on a temporary local
// cluster of its own (stopped when done, taking the database with it).
// done undoes what Throwaway set up.
func Throwaway(ctx context.Context, databaseURL, prefix string, keep bool, log *slog.Logger) (db Database, done func(context.Context) error, err error) {
	admin, stop := databaseURL, func(context.Context) error { return nil }
	if admin == "" {
		cluster, err := devdb.StartTemp(ctx, log)
		if err != nil {
			return Database{}, nil, err
		}
		admin, stop = cluster.AdminURL(), cluster.Stop
	}
	if db, err = CreateMigrated(ctx, admin, prefix, keep, log); err != nil {
		return db, nil, errors.Join(err, stop(context.WithoutCancel(ctx)))
	}
	return db, func(ctx context.Context) error {
		if databaseURL == "" {
			return stop(ctx)
		}
		return db.Cleanup(ctx)
	}, nil
}

// LoadAvg is the machine's 1, 5 and 15 minute load averages ("?" where
// /proc/loadavg cannot be read): a figure is only worth its load.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
