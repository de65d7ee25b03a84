package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

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
