// Package config reads the server's settings from the environment, in one
// place, so every setting has one name, one default and one error message.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/tickets"
)

// Config is the server's configuration.
type Config struct {
	// DatabaseURL is empty in dev mode: a project-local cluster is started.
	DatabaseURL string
	Addr        string
	// DataDir holds dev-mode state: the local cluster and generated secrets.
	DataDir     string
	AutoMigrate bool
	JWTSecret   []byte
	JWKSURL     string
	JWTIssuer   string
	JWTAudience string
	LogLevel    string
	// DevAuth is dev mode: no token verification is configured and either
	// the project-local database is used (no DATABASE_URL) or ITAM_DEV=true
	// says so. The server generates a secret under DataDir, prints a ready
	// admin token and listens on loopback by default.
	DevAuth bool
	// DemoOrg is the organization dev mode creates and prints a token for.
	DemoOrg  string
	TokenTTL time.Duration
	// Workers runs River job workers in serve (ITAM_WORKERS, default true).
	Workers   bool
	DBMaxConn int32
	// SecretKey seals connector credentials (ITAM_SECRET_KEY, 32 bytes as
	// hex or base64). Nil means dev mode: serve generates one under DataDir.
	SecretKey []byte
	// PublicURL is the externally visible base URL (ITAM_PUBLIC_URL), used
	// to show connectors' webhook URLs; empty shows them as paths.
	PublicURL string
	// DebugAddr, when set (ITAM_DEBUG_ADDR, e.g. 127.0.0.1:6060), serves
	// net/http/pprof on its own listener, never on the public one, so a
	// production process can be profiled without exposing it.
	DebugAddr string

	// Connector egress: what vendor requests may reach and read.
	//
	// ConnectorAllowPrivate (ITAM_CONNECTOR_ALLOW_PRIVATE, comma-separated
	// CIDRs or addresses) lists non-public ranges connectors may connect
	// to; empty (the default) refuses every loopback, private, link-local
	// and other non-public address, so a connector URL cannot probe the
	// server's own network.
	ConnectorAllowPrivate []netip.Prefix
	// ConnectorMaxResponseBytes (ITAM_CONNECTOR_MAX_RESPONSE_BYTES) caps one
	// vendor response; 0 means connectors.DefaultMaxResponseBytes (32 MB).
	ConnectorMaxResponseBytes int64

	// GraphQL endpoint (issue: limits and GraphQL over HTTP).
	// Introspection answers __schema and __type queries (ITAM_INTROSPECTION,
	// default true); deployments that do not publish their schema set false.
	Introspection bool
	// CompiledExecution writes struct-bound parts of responses from cached
	// plans instead of gqlgen's per-field executor (graph/compiled;
	// ITAM_COMPILED_EXECUTION, default true). Responses are byte-identical
	// either way; false is the switch back if that ever proves wrong.
	CompiledExecution bool

	// Operations settings: who may see the job dashboard and the metrics,
	// and how many operation names the metrics keep apart.

	// OperatorToken (ITAM_OPERATOR_TOKEN) opens River's job dashboard, which
	// sees every organization's jobs and so takes a credential no tenant
	// holds. Empty: the dashboard is off outside dev mode.
	OperatorToken string
	// MetricsToken (ITAM_METRICS_TOKEN), when set, is the bearer token
	// /metrics requires on the public listener.
	MetricsToken string
	// MetricsMaxOperations (ITAM_METRICS_MAX_OPERATIONS) bounds the distinct
	// GraphQL operation names kept as metric labels; later ones count as
	// "other", so clients cannot grow the metrics without limit.
	MetricsMaxOperations int

	// Statement timeouts (inputs): every statement of a GraphQL request
	// runs under StatementTimeout (ITAM_STATEMENT_TIMEOUT, default 5s) and
	// is refused as TIMEOUT past it; background jobs (syncs, the stale pass)
	// get JobStatementTimeout (ITAM_JOB_STATEMENT_TIMEOUT, default 5m)
	// instead. 0 disables either.
	StatementTimeout    time.Duration
	JobStatementTimeout time.Duration

	// Sync look-back (issue 12, framework): an incremental sync asks the
	// vendor for changes since the previous successful run's start minus
	// SyncLookBack (ITAM_SYNC_LOOKBACK, default 10m, 0 to 24h), so records
	// a vendor indexes late or stamps with a skewed clock are not skipped.
	SyncLookBack time.Duration
	// Tickets (Asset.tickets): TicketCacheTTL (ITAM_TICKET_CACHE_TTL,
	// default 30s, 0 disables, at most 10m) is how long one connector's
	// tickets of an asset are reused before the vendor is asked again.
	TicketCacheTTL time.Duration

	// List exports (issue 13): ExportLinkTTL (ITAM_EXPORT_LINK_TTL, default
	// 5m, 1s to 1h) is how long an exportAssets/exportPeople/exportLicenses
	// download link works.
	ExportLinkTTL time.Duration
}

// MaxSyncLookBack bounds ITAM_SYNC_LOOKBACK: a longer overlap turns every
// incremental sync into most of a full one.
const MaxSyncLookBack = 24 * time.Hour

// MinOperatorTokenLen keeps ITAM_OPERATOR_TOKEN out of guessing range.
const MinOperatorTokenLen = 32

// ErrNoVerification is returned by CheckServe: a server on a real database
// must know how to verify tokens rather than fall back to dev mode.
var ErrNoVerification = errors.New("config: DATABASE_URL is set but no token verification is: set ITAM_JWT_SECRET " +
	"(e.g. `openssl rand -hex 32`) or ITAM_JWKS_URL, or ITAM_DEV=true for a development server that hands out admin tokens")

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: strings.TrimSpace(getenv("DATABASE_URL")),
		DataDir:     or(getenv("ITAM_DATA_DIR"), ".data"),
		AutoMigrate: !strings.EqualFold(strings.TrimSpace(getenv("ITAM_AUTO_MIGRATE")), "false"),
		JWKSURL:     strings.TrimSpace(getenv("ITAM_JWKS_URL")),
		JWTIssuer:   strings.TrimSpace(getenv("ITAM_JWT_ISSUER")),
		JWTAudience: strings.TrimSpace(getenv("ITAM_JWT_AUDIENCE")),
		LogLevel:    or(getenv("ITAM_LOG_LEVEL"), "info"),
		DemoOrg:     or(getenv("ITAM_DEMO_ORG"), "demo"),
		TokenTTL:    12 * time.Hour,
		Workers:     !strings.EqualFold(strings.TrimSpace(getenv("ITAM_WORKERS")), "false"),
		DebugAddr:   strings.TrimSpace(getenv("ITAM_DEBUG_ADDR")),
	}
	if s := strings.TrimSpace(getenv("ITAM_JWT_SECRET")); s != "" {
		secret, err := auth.DecodeSecret(s)
		if err != nil {
			return c, fmt.Errorf("config: ITAM_JWT_SECRET: %w (use e.g. `openssl rand -hex 32`)", err)
		}
		c.JWTSecret = secret
	}
	// Dev mode needs the project-local database or an explicit ITAM_DEV=true:
	// a missing secret alone must not turn a production server into one
	// that hands out admin tokens.
	dev, err := optionalBool(getenv, "ITAM_DEV")
	if err != nil {
		return c, err
	}
	c.DevAuth = c.JWTSecret == nil && c.JWKSURL == "" && (dev == nil && c.DatabaseURL == "" || dev != nil && *dev)
	defaultAddr := ":8080"
	if c.DevAuth {
		defaultAddr = "127.0.0.1:8080" // dev mode hands out admin tokens: never to other machines by default
	}
	c.Addr = or(getenv("ITAM_ADDR"), defaultAddr)
	if err := c.loadOps(getenv); err != nil {
		return c, err
	}
	// Connectors: the credential sealing key and the public URL.
	if s := strings.TrimSpace(getenv("ITAM_SECRET_KEY")); s != "" {
		key, err := secretbox.DecodeKey(s)
		if err != nil {
			return c, fmt.Errorf("config: ITAM_SECRET_KEY: %w (use e.g. `openssl rand -hex 32`)", err)
		}
		c.SecretKey = key
	}
	c.PublicURL = strings.TrimRight(strings.TrimSpace(getenv("ITAM_PUBLIC_URL")), "/")
	if s := getenv("ITAM_DB_MAX_CONNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return c, fmt.Errorf("config: ITAM_DB_MAX_CONNS must be a positive integer")
		}
		c.DBMaxConn = int32(n)
	}
	if err := c.loadConnectorEgress(getenv); err != nil {
		return c, err
	}
	c.Introspection = true
	if s := strings.TrimSpace(getenv("ITAM_INTROSPECTION")); s != "" {
		on, err := strconv.ParseBool(s)
		if err != nil {
			// A typo must not leave a production schema published.
			return c, fmt.Errorf("config: ITAM_INTROSPECTION must be true or false")
		}
		c.Introspection = on
	}
	compiled, err := optionalBool(getenv, "ITAM_COMPILED_EXECUTION")
	if err != nil {
		return c, err
	}
	c.CompiledExecution = compiled == nil || *compiled
	if c.StatementTimeout, err = duration(getenv, "ITAM_STATEMENT_TIMEOUT", 5*time.Second); err != nil {
		return c, err
	}
	if c.JobStatementTimeout, err = duration(getenv, "ITAM_JOB_STATEMENT_TIMEOUT", 5*time.Minute); err != nil {
		return c, err
	}
	if c.SyncLookBack, err = duration(getenv, "ITAM_SYNC_LOOKBACK", 10*time.Minute); err != nil {
		return c, err
	}
	if c.SyncLookBack > MaxSyncLookBack {
		return c, fmt.Errorf("config: ITAM_SYNC_LOOKBACK must be at most %s", MaxSyncLookBack)
	}
	if c.TicketCacheTTL, err = duration(getenv, "ITAM_TICKET_CACHE_TTL", tickets.DefaultCacheTTL); err != nil {
		return c, err
	}
	if c.TicketCacheTTL > tickets.MaxCacheTTL {
		return c, fmt.Errorf("config: ITAM_TICKET_CACHE_TTL is at most %s: tickets change, and a stale list misleads", tickets.MaxCacheTTL)
	}
	if c.ExportLinkTTL, err = duration(getenv, "ITAM_EXPORT_LINK_TTL", exports.DefaultLinkTTL); err != nil {
		return c, err
	}
	if c.ExportLinkTTL < time.Second || c.ExportLinkTTL > exports.MaxLinkTTL {
		return c, fmt.Errorf("config: ITAM_EXPORT_LINK_TTL must be between 1s and %s: a download link is for the next click, not for sharing", exports.MaxLinkTTL)
	}
	return c, nil
}

func (c *Config) loadConnectorEgress(getenv func(string) string) error {
	for _, f := range strings.Split(getenv("ITAM_CONNECTOR_ALLOW_PRIVATE"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("config: ITAM_CONNECTOR_ALLOW_PRIVATE: %q is not a CIDR (e.g. 10.0.0.0/8) or an address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.ConnectorAllowPrivate = append(c.ConnectorAllowPrivate, p.Masked())
	}
	if s := strings.TrimSpace(getenv("ITAM_CONNECTOR_MAX_RESPONSE_BYTES")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return fmt.Errorf("config: ITAM_CONNECTOR_MAX_RESPONSE_BYTES must be a positive number of bytes (e.g. 33554432)")
		}
		c.ConnectorMaxResponseBytes = n
	}
	return nil
}

// loadOps reads the operations settings (see Config.OperatorToken).
func (c *Config) loadOps(getenv func(string) string) error {
	c.OperatorToken = strings.TrimSpace(getenv("ITAM_OPERATOR_TOKEN"))
	if c.OperatorToken != "" && len(c.OperatorToken) < MinOperatorTokenLen {
		return fmt.Errorf("config: ITAM_OPERATOR_TOKEN must be at least %d characters (use e.g. `openssl rand -hex 32`)", MinOperatorTokenLen)
	}
	c.MetricsToken = strings.TrimSpace(getenv("ITAM_METRICS_TOKEN"))
	c.MetricsMaxOperations = metrics.DefaultMaxOperations
	if s := strings.TrimSpace(getenv("ITAM_METRICS_MAX_OPERATIONS")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return errors.New("config: ITAM_METRICS_MAX_OPERATIONS must be a non-negative integer")
		}
		c.MetricsMaxOperations = n
	}
	return nil
}

// ConnectorEgress is the network policy of every vendor client.
func (c Config) ConnectorEgress() connectors.Egress {
	return connectors.Egress{AllowPrivate: c.ConnectorAllowPrivate, MaxResponseBytes: c.ConnectorMaxResponseBytes}
}

// CheckServe reports a configuration that must not serve requests: one
// with no way to verify tokens outside dev mode.
func (c Config) CheckServe() error {
	if !c.DevAuth && c.JWTSecret == nil && c.JWKSURL == "" {
		if c.DatabaseURL == "" {
			return errors.New("config: ITAM_DEV=false but no token verification is configured: set ITAM_JWT_SECRET or ITAM_JWKS_URL")
		}
		return ErrNoVerification
	}
	return nil
}

// optionalBool reads a true/false setting; nil means unset.
func optionalBool(getenv func(string) string, name string) (*bool, error) {
	s := strings.TrimSpace(getenv(name))
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, fmt.Errorf("config: %s must be true or false", name)
	}
	return &b, nil
}

// duration reads a Go duration ("5s", "1m30s"; "0" disables) or def when unset.
func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := strings.TrimSpace(getenv(name))
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("config: %s must be a duration such as 5s or 2m (0 disables)", name)
	}
	return d, nil
}

// AuthConfig is the token verifier's configuration.
func (c Config) AuthConfig() auth.Config {
	return auth.Config{HS256Secret: c.JWTSecret, JWKSURL: c.JWKSURL, Issuer: c.JWTIssuer, Audience: c.JWTAudience, Leeway: 30 * time.Second}
}

func or(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// ApplyRuntimeDefaults sets the Go runtime's memory policy unless the
// environment sets it: the GraphQL executor allocates many short-lived
// objects per request, and the default GC target spends a quarter of the
// CPU collecting them, so GOGC is 400 — bounded by a 256 MiB soft memory
// limit so a large sync cannot grow the heap fivefold unchecked (set
// GOMEMLIMIT to the container's size to raise it).
func ApplyRuntimeDefaults(getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(400)
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}
