package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTicketCacheTTL: ITAM_TICKET_CACHE_TTL defaults to 30s, 0 disables
// the cache, and it is bounded (10m) and refused when malformed.
func TestTicketCacheTTL(t *testing.T) {
	cases := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 30 * time.Second, true},
		{"0", 0, true},
		{"5s", 5 * time.Second, true},
		{"10m", 10 * time.Minute, true},
		{"11m", 0, false},
		{"-1s", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		env := map[string]string{"ITAM_TICKET_CACHE_TTL": tc.value}
		c, err := Load(func(k string) string { return env[k] })
		if !tc.ok {
			require.ErrorContains(t, err, "ITAM_TICKET_CACHE_TTL", tc.value)
			continue
		}
		require.NoError(t, err, tc.value)
		require.Equal(t, tc.want, c.TicketCacheTTL, tc.value)
	}
}
