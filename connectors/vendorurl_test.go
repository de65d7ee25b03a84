package connectors

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVendorURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw      string
		suffixes []string
		want     string
		ok       bool
	}{
		{" https://acme.jamfcloud.com/ ", nil, "https://acme.jamfcloud.com", true},
		{"https://acme.jamfcloud.com/api?x=1#f", []string{"/api"}, "https://acme.jamfcloud.com", true},
		{"https://acme.api.kandji.io/api/v1/", []string{"/api/v1", "/api"}, "https://acme.api.kandji.io", true},
		{"https://fleet.example.com/base/api/v1/fleet", []string{"/api/v1/fleet"}, "https://fleet.example.com/base", true},
		{"ftp://example.com", nil, "", false},
		{"example.com", nil, "", false},
		{"https://", nil, "", false},
	}
	for _, tc := range cases {
		got, ok := VendorURL(tc.raw, tc.suffixes...)
		require.Equal(t, tc.ok, ok, tc.raw)
		require.Equal(t, tc.want, got, tc.raw)
	}
}
