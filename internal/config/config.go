// Package config reads the server's settings from the environment, in one
// place, so every setting has one name, one default and one error message.
package config

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/secretbox"
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
	// DevAuth is true when no token verification is configured: the server
	// generates a secret under DataDir and prints a ready admin token.
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

	// Statement timeouts (inputs): every statement of a GraphQL request
	// runs under StatementTimeout (ITAM_STATEMENT_TIMEOUT, default 5s) and
	// is refused as TIMEOUT past it; background jobs (syncs, the stale pass)
	// get JobStatementTimeout (ITAM_JOB_STATEMENT_TIMEOUT, default 5m)
	// instead. 0 disables either.
	StatementTimeout    time.Duration
	JobStatementTimeout time.Duration
}

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: strings.TrimSpace(getenv("DATABASE_URL")),
		Addr:        or(getenv("ITAM_ADDR"), ":8080"),
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
	c.DevAuth = c.JWTSecret == nil && c.JWKSURL == ""
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
	var err error
	if c.StatementTimeout, err = duration(getenv, "ITAM_STATEMENT_TIMEOUT", 5*time.Second); err != nil {
		return c, err
	}
	if c.JobStatementTimeout, err = duration(getenv, "ITAM_JOB_STATEMENT_TIMEOUT", 5*time.Minute); err != nil {
		return c, err
	}
	return c, nil
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
