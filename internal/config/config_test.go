package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIntrospectionSetting(t *testing.T) {
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
		{"flase", false, true}, // a typo must not leave the schema published
	}
	for _, c := range cases {
		t.Run(c.env, func(t *testing.T) {
			cfg, err := Load(func(k string) string {
				if k == "ITAM_INTROSPECTION" {
					return c.env
				}
				return ""
			})
			if c.err {
				require.ErrorContains(t, err, "ITAM_INTROSPECTION")
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, cfg.Introspection)
		})
	}
}
