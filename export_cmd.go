package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
)

// exportActor is who the command reads as: an AUDITOR of the
// organization (every record, costs included, no writes), under row-level
// security like any request.
const exportActor = "itam export (command line)"

// exportCmd is `itam export --org SLUG --kind assets --format csv`.
func exportCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	org := fs.String("org", "", "organization slug (or id)")
	kindFlag := fs.String("kind", "assets", "assets, people or licenses")
	filter := fs.String("filter", "", `filter as JSON, shaped like the GraphQL filter input (e.g. {"statusIn":["DEPLOYED"]})`)
	columns := fs.String("columns", "", "comma-separated columns (assetTag,serialNumber or ASSET_TAG,SERIAL_NUMBER); default: all")
	formatFlag := fs.String("format", "", "csv or xlsx (required)")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *org == "" || *formatFlag == "" {
		printFlags(stderr, fs)
		return errors.New("export: --org and --format are required")
	}
	kind, err := exports.ParseKind(*kindFlag)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	format, err := exports.ParseFormat(*formatFlag)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	f, err := graph.ExportFilter(kind, []byte(*filter))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var names []string
	for _, c := range strings.Split(*columns, ",") {
		if c = strings.TrimSpace(c); c != "" {
			names = append(names, graph.ExportColumn(c))
		}
	}
	db, _, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	orgID, err := db.OrgIDByClaim(ctx, *org)
	if err != nil {
		return fmt.Errorf("export: organization %q: %w", *org, err)
	}
	p := itam.Principal{Subject: exportActor, OrgID: orgID, Role: itam.RoleAuditor}
	ctx = itam.WithPrincipal(ctx, p)
	cols, src, err := exports.Prepare(ctx, postgres.NewExportStore(db), p, kind, names, raw, format)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	first, err := src(ctx, "")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	rows, err := exports.Write(ctx, w, format, cols, first, src, nil)
	if err != nil {
		if *out != "" {
			_ = os.Remove(*out) // a short file would look complete
		}
		return fmt.Errorf("export: after %d rows: %w", rows, err)
	}
	if *out != "" {
		fmt.Fprintf(stderr, "exported %d %s to %s\n", rows, strings.ToLower(string(kind)), *out)
	}
	return nil
}

// exportLinkSigner signs export download links with a key derived from
// the server's lasting secrets: ITAM_SECRET_KEY (or dev mode's key file),
// else the JWT secret. Neither is used raw (exports.DeriveKey). With
// neither (tokens from a JWKS, no secret key), links are signed with a
// random key and work only on the process that made them.
func exportLinkSigner(cfg config.Config, log *slog.Logger) (*exports.Signer, error) {
	secret := cfg.SecretKey
	if secret == nil && (cfg.DevAuth || cfg.DatabaseURL == "") {
		var err error
		if secret, err = secretbox.LoadOrCreateKey(filepath.Join(cfg.DataDir, "secret-key")); err != nil {
			return nil, err
		}
	}
	if secret == nil {
		secret = cfg.JWTSecret
	}
	key := exports.RandomKey()
	if secret == nil {
		log.Warn("export download links work only on the process that made them: set ITAM_SECRET_KEY to share them between processes")
	} else {
		var err error
		if key, err = exports.DeriveKey(secret); err != nil {
			return nil, err
		}
	}
	return exports.NewSigner(key, cfg.ExportLinkTTL)
}
