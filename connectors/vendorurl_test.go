package connectors

import (
	"errors"
	"strings"
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

// TestBaseURL: a pasted API base works like the bare host; blank and
// non-http(s) values are refused on baseUrl, saying what URL is wanted.
func TestBaseURL(t *testing.T) {
	u, err := BaseURL(" https://acme.service-now.com/api/now/table/ ", "the ServiceNow instance URL", "https://example.service-now.com", "/api/now/table", "/api/now")
	if err != nil || u != "https://acme.service-now.com" {
		t.Fatalf("got %q, %v", u, err)
	}
	for _, raw := range []string{"", "  ", "ftp://acme.example", "acme.service-now.com"} {
		_, err := BaseURL(raw, "the ServiceNow instance URL", "https://example.service-now.com")
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "baseUrl" || !strings.Contains(ce.Message, "the ServiceNow instance URL") {
			t.Fatalf("%q: got %v", raw, err)
		}
	}
}
