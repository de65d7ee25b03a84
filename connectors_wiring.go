package main

import (
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/webhook"

	// Every vendor registers itself with package connectors.
	_ "github.com/itam-dev/itam/connectors/all"
)

// ServerOption configures optional parts of NewServer.
type ServerOption func(*serverOptions)

type serverOptions struct {
	box        *secretbox.Box
	enq        postgres.Enqueuer
	publicURL  string
	vendorHTTP *http.Client
}

// WithConnectors enables connector management: box seals credentials, enq
// queues syncs, publicURL (may be empty) prefixes webhook URLs. Without it
// connectors can be listed but not created or synced.
func WithConnectors(box *secretbox.Box, enq postgres.Enqueuer, publicURL string) ServerOption {
	return func(o *serverOptions) { o.box, o.enq, o.publicURL = box, enq, publicURL }
}

// WithVendorHTTPClient sets the transport connection tests use to reach vendors.
func WithVendorHTTPClient(c *http.Client) ServerOption {
	return func(o *serverOptions) { o.vendorHTTP = c }
}

// connectorRoutes builds the connector store, wires it into the GraphQL
// resolver and returns the webhook handler.
func connectorRoutes(log *slog.Logger, db *postgres.DB, r *graph.Resolver, opts []ServerOption) http.Handler {
	var o serverOptions
	for _, opt := range opts {
		opt(&o)
	}
	store := postgres.NewConnectorStore(db, o.box, o.enq)
	r.Connectors = store
	r.ConnectorCheck = &connectorcheck.Checker{Store: store, HTTPClient: o.vendorHTTP, Logger: log}
	r.PublicURL = o.publicURL
	return webhook.New(store, log)
}

// loadSecretBox returns the box sealing connector credentials, keyed by
// ITAM_SECRET_KEY. Without it, a dev setup (no token verification
// configured, or the local database) keeps a generated key in the data
// directory; any other setup runs with connectors disabled (nil box) rather
// than trust credentials to a key file a redeploy would lose.
func loadSecretBox(cfg config.Config, log *slog.Logger) (*secretbox.Box, error) {
	key := cfg.SecretKey
	if key == nil {
		if !cfg.DevAuth && cfg.DatabaseURL != "" {
			log.Warn("ITAM_SECRET_KEY is not set: connectors are disabled (set it to 32 random bytes, e.g. openssl rand -hex 32)")
			return nil, nil
		}
		var err error
		if key, err = secretbox.LoadOrCreateKey(filepath.Join(cfg.DataDir, "secret-key")); err != nil {
			return nil, err
		}
	}
	return secretbox.New(key)
}

// connectorOption enables connectors with box (nil: disabled) and a sync
// enqueuer over rc, or over an insert-only River client when rc is nil.
func connectorOption(cfg config.Config, db *postgres.DB, log *slog.Logger, box *secretbox.Box, rc *river.Client[pgx.Tx]) (ServerOption, error) {
	if rc == nil {
		var err error
		if rc, err = river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: log}); err != nil {
			return nil, err
		}
	}
	return WithConnectors(box, postgres.RiverEnqueuer{Client: rc}, cfg.PublicURL), nil
}
