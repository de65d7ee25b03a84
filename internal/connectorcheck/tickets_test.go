package connectorcheck

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	_ "github.com/itam-dev/itam/connectors/all"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/tickets"
)

// TestTicketOpener: the registry's vendor for an ITSM kind with tickets
// (JSM_ASSETS is registered), tickets.ErrNoTickets for an MDM vendor and a kind
// not compiled in, and the vendor's own configuration error otherwise.
func TestTicketOpener(t *testing.T) {
	o := TicketOpener{Configure: func(sc *itam.ConnectorSecrets) (connectors.Kind, connectors.Config) {
		cfg := connectors.Config{Credentials: sc.Credentials, Options: sc.Connector.Options}
		if sc.Connector.BaseURL != nil {
			cfg.BaseURL = *sc.Connector.BaseURL
		}
		return connectors.Kind(sc.Connector.Kind), cfg
	}}
	base := func(s string) *string { return &s }
	cases := []struct {
		name   string
		c      itam.Connector
		creds  map[string]string
		opened bool
		none   bool
	}{
		{"jsm", itam.Connector{Kind: itam.ConnectorJSMAssets, BaseURL: base("https://acme.atlassian.net")},
			map[string]string{"email": "itam@acme.test", "apiToken": "tok"}, true, false},
		{"mdm", itam.Connector{Kind: "KANDJI", BaseURL: base("https://acme.api.kandji.io")},
			map[string]string{"apiToken": "tok"}, false, true},
		{"not compiled in", itam.Connector{Kind: "NO_SUCH_VENDOR", BaseURL: base("https://x.example.com")}, nil, false, true},
		{"bad configuration", itam.Connector{Kind: itam.ConnectorJSMAssets}, map[string]string{"email": "itam@acme.test", "apiToken": "tok"}, false, false},
	}
	for _, tc := range cases {
		tk, err := o.Open(&itam.ConnectorSecrets{Connector: &tc.c, Credentials: tc.creds})
		switch {
		case tc.opened:
			require.NoError(t, err, tc.name)
			require.NotNil(t, tk, tc.name)
		case tc.none:
			require.ErrorIs(t, err, tickets.ErrNoTickets, tc.name)
		default:
			require.Error(t, err, tc.name)
			require.False(t, errors.Is(err, tickets.ErrNoTickets), tc.name)
		}
	}
}
