package connectors

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCommonOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    map[string]any
		conc    int
		page    PageSize
		want    Common
		wantErr string
	}{
		{"defaults", nil, 0, PageSize{Default: 100}, Common{PageSize: 100, Software: true, MaxConcurrency: 4}, ""},
		{"set", map[string]any{OptPageSize: float64(50), OptIncludeSoftware: "false"}, 2, PageSize{Default: 100, Max: 300},
			Common{PageSize: 50, Software: false, MaxConcurrency: 2}, ""},
		{"clamped", map[string]any{OptPageSize: 5000}, 0, PageSize{Default: 100, Max: 300, Clamp: true},
			Common{PageSize: 300, Software: true, MaxConcurrency: 4}, ""},
		{"refused above the limit", map[string]any{OptPageSize: 5000}, 0, PageSize{Default: 100, Max: 300}, Common{}, "between 1 and 300"},
		{"no limit", map[string]any{OptPageSize: 5000}, 0, PageSize{Default: 100}, Common{PageSize: 5000, Software: true, MaxConcurrency: 4}, ""},
		{"zero", map[string]any{OptPageSize: 0}, 0, PageSize{Default: 100}, Common{}, "at least 1"},
		{"bad bool", map[string]any{OptIncludeSoftware: "maybe"}, 0, PageSize{Default: 100}, Common{}, "true or false"},
	}
	for _, tc := range cases {
		got, err := Config{Options: tc.opts, MaxConcurrency: tc.conc}.CommonOptions(tc.page, 4)
		if tc.wantErr != "" {
			var ce *ConfigError
			require.ErrorAs(t, err, &ce, tc.name)
			require.Contains(t, ce.Message, tc.wantErr, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.NotNil(t, got.Logger, tc.name)
		got.Logger = nil
		require.Equal(t, tc.want, got, tc.name)
	}
}
