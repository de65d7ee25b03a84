package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestExportLinkTTL: ITAM_EXPORT_LINK_TTL defaults to 5m and lies between
// 1s and 1h; anything else is refused at start.
func TestExportLinkTTL(t *testing.T) {
	cases := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 5 * time.Minute, true},
		{"30s", 30 * time.Second, true},
		{"1h", time.Hour, true},
		{"0", 0, false},
		{"61m", 0, false},
		{"-1m", 0, false},
		{"later", 0, false},
	}
	for _, tc := range cases {
		env := map[string]string{"ITAM_EXPORT_LINK_TTL": tc.value}
		c, err := Load(func(k string) string { return env[k] })
		if !tc.ok {
			require.ErrorContains(t, err, "ITAM_EXPORT_LINK_TTL", tc.value)
			continue
		}
		require.NoError(t, err, tc.value)
		require.Equal(t, tc.want, c.ExportLinkTTL, tc.value)
	}
}
