// Package pgtest gives tests real, fully migrated PostgreSQL databases, one
// per call, cloned from a template database (pgtestdb), so tests can run in
// parallel against the real schema, row-level security included, at the cost
// of a CREATE DATABASE each.
//
// Call Main from TestMain. It uses ITAM_TEST_DATABASE_URL as the superuser
// connection when set; otherwise it starts a throwaway cluster (devdb) for the
// test binary, so `go test ./...` needs nothing running.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb opens
	"github.com/peterldowns/pgtestdb"

	"github.com/itam-dev/itam/internal/devdb"
	"github.com/itam-dev/itam/migrations"
)

// ownerRole is the role test databases belong to and migrations run as. Like
// production's owner it is not a superuser, so a migration that needs more
// than an ordinary owner has (and would fail in production) fails in tests;
// CREATEROLE lets the migrations create the itam_app role.
var ownerRole = pgtestdb.Role{
	Username:     "itam_owner",
	Password:     "itam_owner", // part of the template's key, so it stays fixed
	Capabilities: "NOSUPERUSER CREATEROLE NOCREATEDB",
}

var (
	adminURL string
	config   pgtestdb.Config
)

// Main runs the package's tests against the server named by
// ITAM_TEST_DATABASE_URL, or else a throwaway cluster it starts and stops
// around them, and exits with their status. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	adminURL = os.Getenv("ITAM_TEST_DATABASE_URL")
	if adminURL == "" {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		c, err := devdb.StartTemp(ctx, log)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			return 1
		}
		defer func() {
			if err := c.Stop(ctx); err != nil {
				fmt.Fprintln(os.Stderr, "pgtest:", err)
			}
		}()
		adminURL = c.AdminURL()
	}
	var err error
	if config, err = configFor(adminURL); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: ITAM_TEST_DATABASE_URL:", err)
		return 1
	}
	return m.Run()
}

// NewURL returns the URL of a new database holding the fully migrated
// schema, connecting as its owner (not a superuser). The database is dropped
// when the test ends, unless the test failed: then it is kept, and its URL
// logged, to look into.
func NewURL(t testing.TB) string {
	t.Helper()
	if adminURL == "" {
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain")
	}
	return pgtestdb.Custom(t, config, migrator{}).URL()
}

// AdminURL returns the superuser URL of the server the tests use, for tests
// that must act outside a test database (roles, settings).
func AdminURL() string {
	if adminURL == "" {
		panic("pgtest: call pgtest.Main(m) from TestMain")
	}
	return adminURL
}

// configFor splits a postgres:// URL into pgtestdb's fields.
func configFor(admin string) (pgtestdb.Config, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return pgtestdb.Config{}, err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return pgtestdb.Config{}, fmt.Errorf("want a postgres:// URL, got scheme %q", u.Scheme)
	}
	// pgtestdb pastes these into a URL unescaped, so keep them escaped.
	user, password, _ := strings.Cut(u.User.String(), ":")
	host, port := u.Hostname(), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		port = "5432"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = "postgres"
	}
	role := ownerRole
	return pgtestdb.Config{
		DriverName:                "pgx",
		Host:                      host,
		Port:                      port,
		User:                      user,
		Password:                  password,
		Database:                  db,
		Options:                   u.RawQuery,
		TestRole:                  &role,
		ForceTerminateConnections: true, // a leaked pool must not fail the test
	}, nil
}

// migrator builds the template with the same migrations the server applies.
type migrator struct{}

func (migrator) Hash() (string, error) { return migrations.Hash(), nil }

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	_, err := migrations.Up(ctx, db)
	return err
}
