package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/postgres"
)

const softwareUsage = "Usage: itam software install-starter --org SLUG\n\n" +
	"Installs the starter software rule set (publishers, products, title rules) into the organization,\n" +
	"once: an organization that had it (or whose admins deleted starter rules) is left as it is.\n" +
	"The server also installs it into every organization that never had it, at start.\n"

// softwareCmd is `itam software install-starter --org SLUG`.
func softwareCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "install-starter" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, softwareUsage)
			return nil
		}
		fmt.Fprint(stderr, softwareUsage)
		return errors.New("software: the only subcommand is install-starter")
	}
	fs := flag.NewFlagSet("software install-starter", flag.ContinueOnError)
	org := fs.String("org", "", "organization slug")
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if *org == "" {
		return errors.New("software install-starter: --org is required")
	}
	pool, err := ownerPool(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	var id pgtype.UUID
	if err := pool.QueryRow(ctx, `SELECT itam.org_id_by_slug($1)`, *org).Scan(&id); err != nil {
		return err
	}
	if !id.Valid {
		return fmt.Errorf("software install-starter: no organization %q", *org)
	}
	// An insert-only client: the re-normalization runs on the next worker.
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log})
	if err != nil {
		return err
	}
	installed, err := postgres.InstallSoftwareStarterIn(ctx, pool, id.Bytes, postgres.RiverEnqueuer{Client: rc})
	if err != nil {
		return err
	}
	if installed {
		fmt.Fprintf(stdout, "installed the starter software rules into %s; a re-normalization is queued\n", *org)
	} else {
		fmt.Fprintf(stdout, "%s already had the starter software rules; nothing changed\n", *org)
	}
	return nil
}

// installSoftwareStarters gives every organization that never had it the
// starter rule set, at server start. A failure is logged, not fatal: the
// server is useful without it and the CLI can install it later.
func installSoftwareStarters(ctx context.Context, url string, enq postgres.NormalizeEnqueuer, log *slog.Logger) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		log.Error("software starter rules not installed", "error", err)
		return
	}
	defer pool.Close()
	orgs, err := postgres.InstallSoftwareStarters(ctx, pool, enq)
	if err != nil {
		log.Error("software starter rules not installed", "error", err)
	}
	if len(orgs) > 0 {
		log.Info("installed the starter software rules", "organizations", orgs)
	}
}
