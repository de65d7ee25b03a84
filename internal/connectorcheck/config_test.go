package connectorcheck

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	_ "github.com/itam-dev/itam/connectors/all"
	"github.com/itam-dev/itam/internal/itam"
)

func ptr[T any](v T) *T { return &v }

// TestConfig: the save-time vendor check refuses what the vendor package
// refuses, as INVALID on the GraphQL field, never quoting a credential.
func TestConfig(t *testing.T) {
	const token = "vendor-SECRET-token-1234"
	cases := []struct {
		name    string
		kind    string
		baseURL *string
		options map[string]any
		field   string // "" means accepted
	}{
		{"kandji ok", "KANDJI", ptr("https://acme.api.kandji.io"), nil, ""},
		{"kandji options ok", "KANDJI", ptr("https://acme.api.kandji.io"), map[string]any{"includeSoftware": true}, ""},
		{"kandji bad option", "KANDJI", ptr("https://acme.api.kandji.io"), map[string]any{"includeSoftware": "maybe " + token}, "options.includeSoftware"},
		{"kandji no base url", "KANDJI", nil, nil, "baseUrl"},
		{"jamf bad api version", "JAMF_PRO", ptr("https://acme.jamfcloud.com"), map[string]any{"apiVersion": "v9"}, "options.apiVersion"},
		{"fleet ok", "FLEET", ptr("https://fleet.example.com"), nil, ""},
		{"not compiled in", "MDM", nil, nil, ""},
	}
	for _, tc := range cases {
		c := &itam.Connector{Kind: tc.kind, BaseURL: tc.baseURL, Options: tc.options}
		creds := map[string]string{"apiToken": token, "clientId": "id", "clientSecret": token}
		err := Config(c, creds)
		if tc.field == "" {
			require.NoError(t, err, tc.name)
			continue
		}
		var e *itam.Error
		require.True(t, errors.As(err, &e), "%s: %v", tc.name, err)
		require.Equal(t, itam.CodeInvalid, e.Code, tc.name)
		require.Equal(t, tc.field, e.Field, tc.name)
		require.NotContains(t, err.Error(), token, tc.name)
	}
}

// TestVendorConfig: the vendor configuration carries the connector's
// endpoints, options and opened credentials; no endpoint means the
// vendor's default.
func TestVendorConfig(t *testing.T) {
	cases := []struct {
		name       string
		c          *itam.Connector
		base, auth string
	}{
		{"both", &itam.Connector{Kind: "INTUNE", BaseURL: ptr("https://graph.example.com"), AuthURL: ptr("https://login.example.com")},
			"https://graph.example.com", "https://login.example.com"},
		{"defaults", &itam.Connector{Kind: "INTUNE"}, "", ""},
	}
	for _, tc := range cases {
		tc.c.Options = map[string]any{"pageSize": float64(5)}
		creds := map[string]string{"tenantId": "t"}
		kind, cfg := VendorConfig(&itam.ConnectorSecrets{Connector: tc.c, Credentials: creds})
		require.Equal(t, connectors.Intune, kind, tc.name)
		require.Equal(t, tc.base, cfg.BaseURL, tc.name)
		require.Equal(t, tc.auth, cfg.AuthURL, tc.name)
		require.Equal(t, creds, cfg.Credentials, tc.name)
		require.Equal(t, tc.c.Options, cfg.Options, tc.name)
	}
}
