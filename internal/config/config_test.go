package config

import (
	"net/netip"
	"testing"

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
