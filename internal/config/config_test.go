package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConnectorEgress(t *testing.T) {
	t.Parallel()
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cases := []struct {
		name    string
		env     map[string]string
		allow   []netip.Prefix
		max     int64
		wantErr string
	}{
		{name: "default: nothing private, default cap", env: nil},
		{name: "CIDRs and an address", env: map[string]string{"ITAM_CONNECTOR_ALLOW_PRIVATE": " 127.0.0.0/8, 10.1.2.3/8 ,fd00::1,"},
			allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::1/128")}},
		{name: "bad CIDR", env: map[string]string{"ITAM_CONNECTOR_ALLOW_PRIVATE": "10.0.0.0/33"}, wantErr: "ITAM_CONNECTOR_ALLOW_PRIVATE"},
		{name: "cap", env: map[string]string{"ITAM_CONNECTOR_MAX_RESPONSE_BYTES": "1048576"}, max: 1 << 20},
		{name: "bad cap", env: map[string]string{"ITAM_CONNECTOR_MAX_RESPONSE_BYTES": "32MB"}, wantErr: "ITAM_CONNECTOR_MAX_RESPONSE_BYTES"},
		{name: "zero cap", env: map[string]string{"ITAM_CONNECTOR_MAX_RESPONSE_BYTES": "0"}, wantErr: "ITAM_CONNECTOR_MAX_RESPONSE_BYTES"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			e := c.ConnectorEgress()
			require.Equal(t, tc.allow, e.AllowPrivate)
			require.Equal(t, tc.max, e.MaxResponseBytes)
		})
	}
}

// TestBooleanSettings: an unset switch is on; true/false and 1/0 in any
// case set it; anything else (a typo) refuses to start rather than guess.
func TestBooleanSettings(t *testing.T) {
	switches := map[string]func(Config) bool{
		"ITAM_COMPILED_EXECUTION": func(c Config) bool { return c.CompiledExecution },
		"ITAM_INTROSPECTION":      func(c Config) bool { return c.Introspection }, // a typo must not leave the schema published
	}
	cases := []struct {
		env  string
		want bool
		err  bool
	}{
		{"", true, false},
		{"true", true, false},
		{"false", false, false},
		{"FALSE", false, false},
		{"0", false, false},
		{"flase", false, true},
		{"nope", false, true},
	}
	for name, get := range switches {
		for _, c := range cases {
			t.Run(name+"="+c.env, func(t *testing.T) {
				cfg, err := Load(func(k string) string {
					if k == name {
						return c.env
					}
					return ""
				})
				if c.err {
					require.ErrorContains(t, err, name)
					return
				}
				require.NoError(t, err)
				require.Equal(t, c.want, get(cfg))
			})
		}
	}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

var secret = strings.Repeat("42", 32)

// TestDevMode: dev mode (a generated secret, printed admin tokens) needs the
// project-local database or ITAM_DEV=true, never a missing secret alone, and
// listens on loopback unless told otherwise.
func TestDevMode(t *testing.T) {
	t.Parallel()
	const db = "postgres://db.internal/itam"
	cases := []struct {
		name     string
		env      []string
		dev      bool
		addr     string
		checkErr string // from CheckServe
	}{
		{"local database, no secret", nil, true, "127.0.0.1:8080", ""},
		{"local database, secret", []string{"ITAM_JWT_SECRET", secret}, false, ":8080", ""},
		{"real database, no secret", []string{"DATABASE_URL", db}, false, ":8080", "ITAM_JWT_SECRET"},
		{"real database, secret", []string{"DATABASE_URL", db, "ITAM_JWT_SECRET", secret}, false, ":8080", ""},
		{"real database, JWKS", []string{"DATABASE_URL", db, "ITAM_JWKS_URL", "https://idp.example.com/keys"}, false, ":8080", ""},
		{"real database, ITAM_DEV=true", []string{"DATABASE_URL", db, "ITAM_DEV", "true"}, true, "127.0.0.1:8080", ""},
		{"ITAM_DEV=true with a secret", []string{"DATABASE_URL", db, "ITAM_DEV", "true", "ITAM_JWT_SECRET", secret}, false, ":8080", ""},
		{"local database, ITAM_DEV=false", []string{"ITAM_DEV", "false"}, false, ":8080", "ITAM_JWT_SECRET"},
		{"dev mode, address given", []string{"ITAM_ADDR", "0.0.0.0:9000"}, true, "0.0.0.0:9000", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env...))
			require.NoError(t, err)
			require.Equal(t, tc.dev, c.DevAuth)
			require.Equal(t, tc.addr, c.Addr)
			if tc.checkErr == "" {
				require.NoError(t, c.CheckServe())
			} else {
				require.ErrorContains(t, c.CheckServe(), tc.checkErr)
			}
		})
	}
	_, err := Load(env("ITAM_DEV", "yes please"))
	require.ErrorContains(t, err, "ITAM_DEV")
}

func TestOpsSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(env())
	require.NoError(t, err)
	require.Equal(t, 200, c.MetricsMaxOperations)
	require.Empty(t, c.OperatorToken)
	require.Empty(t, c.MetricsToken)

	tok := strings.Repeat("a", MinOperatorTokenLen)
	c, err = Load(env("ITAM_OPERATOR_TOKEN", tok, "ITAM_METRICS_TOKEN", "scrape", "ITAM_METRICS_MAX_OPERATIONS", "50"))
	require.NoError(t, err)
	require.Equal(t, tok, c.OperatorToken)
	require.Equal(t, "scrape", c.MetricsToken)
	require.Equal(t, 50, c.MetricsMaxOperations)

	for _, bad := range [][]string{
		{"ITAM_OPERATOR_TOKEN", "short"},
		{"ITAM_METRICS_MAX_OPERATIONS", "-1"},
		{"ITAM_METRICS_MAX_OPERATIONS", "many"},
	} {
		_, err := Load(env(bad...))
		require.ErrorContains(t, err, bad[0])
		require.NotContains(t, err.Error(), "short", "the token is never echoed")
	}
}

func TestStatementTimeouts(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, 5*time.Second, c.StatementTimeout)
	require.Equal(t, 5*time.Minute, c.JobStatementTimeout)

	c, err = Load(env(map[string]string{"ITAM_STATEMENT_TIMEOUT": "1500ms", "ITAM_JOB_STATEMENT_TIMEOUT": "0"}))
	require.NoError(t, err)
	require.Equal(t, 1500*time.Millisecond, c.StatementTimeout)
	require.Zero(t, c.JobStatementTimeout, "0 disables")

	for _, bad := range []string{"5", "soon", "-1s"} {
		_, err := Load(env(map[string]string{"ITAM_STATEMENT_TIMEOUT": bad}))
		require.ErrorContains(t, err, "ITAM_STATEMENT_TIMEOUT", bad)
	}
}

func TestSyncLookBack(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"", 10 * time.Minute, false},
		{"0", 0, false},
		{"90s", 90 * time.Second, false},
		{"24h", 24 * time.Hour, false},
		{"24h1s", 0, true},
		{"-1m", 0, true},
		{"ten minutes", 0, true},
		{"10", 0, true},
	}
	for _, tc := range cases {
		c, err := Load(func(k string) string {
			if k == "ITAM_SYNC_LOOKBACK" {
				return tc.in
			}
			return ""
		})
		if tc.wantErr {
			require.ErrorContains(t, err, "ITAM_SYNC_LOOKBACK", tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, c.SyncLookBack, tc.in)
	}
}
