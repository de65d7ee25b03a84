// Package migrations embeds the schema's forward-only SQL files and applies
// them with goose, so the binary carries its own schema and `itam migrate`,
// `serve` and the tests all reach the same state the same way.
package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// Numbers 00004, 00009, 00013, 00014 and 00015 were reserved by parallel branches and never
// used; never add them now: goose refuses a migration numbered below one
// already applied.
//
//go:embed *.sql
var files embed.FS

// Up applies every pending migration: the project's SQL files (goose), then
// River's own migration line for the job queue, then the grants the
// application role needs on River's tables (it inserts jobs inside its own
// transactions). A session advisory lock serializes concurrent starters.
func Up(ctx context.Context, db *sql.DB) ([]string, error) {
	applied, err := upSchema(ctx, db)
	if err != nil {
		return nil, err
	}
	river, err := upRiver(ctx, db)
	if err != nil {
		return nil, err
	}
	return append(applied, river...), nil
}

func upSchema(ctx context.Context, db *sql.DB) ([]string, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files,
		goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// UpURL opens url with the pgx driver and applies pending migrations.
func UpURL(ctx context.Context, url string) ([]string, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return Up(ctx, db)
}

// riverGrants lets the application role work River's queue. River's tables
// hold no tenant data, so they have no row-level security.
const riverGrants = `DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'river\_%' LOOP
    IF t = 'river_migration' THEN
      EXECUTE format('GRANT SELECT ON %I TO itam_app', t);
    ELSE
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO itam_app', t);
    END IF;
  END LOOP;
  FOR t IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND sequencename LIKE 'river\_%' LOOP
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO itam_app', t);
  END LOOP;
END $$`

// upRiver applies River's migrations (idempotent: River records its own
// versions), then the grants, so a River upgrade is picked up by `migrate`.
func upRiver(ctx context.Context, db *sql.DB) ([]string, error) {
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	if _, err := db.ExecContext(ctx, riverGrants); err != nil {
		return nil, fmt.Errorf("river grants: %w", err)
	}
	var applied []string
	for _, v := range res.Versions {
		applied = append(applied, fmt.Sprintf("river/%03d_%s", v.Version, v.Name))
	}
	return applied, nil
}

// Hash identifies the full set of migrations; test template databases are
// keyed on it so a changed migration (or a River upgrade) rebuilds them.
func Hash() string {
	names, _ := fs.Glob(files, "*.sql")
	sort.Strings(names)
	h := sha256.New()
	m, _ := rivermigrate.New(riverdatabasesql.New(nil), nil)
	if m != nil {
		fmt.Fprintf(h, "river:%d;", len(m.AllVersions()))
	}
	for _, n := range names {
		b, _ := files.ReadFile(n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
