package intune_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/intune"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
)

// A connector pointed at a national cloud's Graph signs in at that cloud's
// authority with that Graph's scope, and pages there; the fake token
// endpoint refuses any other scope, and Route refuses any other host.
func TestNationalCloudTokenScopeAndAuthority(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, graph, login string
	}{
		{"US Government L4", "https://graph.microsoft.us", "https://login.microsoftonline.us"},
		{"US Government L5 (DoD)", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"},
		{"China (21Vianet)", "https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"},
		{"global", "https://graph.microsoft.com", "https://login.microsoftonline.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 25, GraphURL: tc.graph, LoginURL: tc.login})
			cfg := connectors.Config{
				BaseURL:     tc.graph + "/v1.0", // pasted with its version: works like the bare root
				Egress:      connectors.AllowLoopback(),
				Credentials: s.Credentials(),
				Options:     map[string]any{intune.OptionPageSize: 10},
			}
			cfg.Egress.WrapTransport = s.Route
			devices, cursors := fetchAll(t, newSource(t, cfg), connectors.PageRequest{Mode: connectors.Full})
			require.Len(t, devices, 25)
			require.Len(t, cursors, 2)

			trs := s.TokenRequests()
			require.Len(t, trs, 1)
			require.Equal(t, tc.login[len("https://"):], trs[0].Host, "signed in at the cloud's own authority")
			require.Equal(t, tc.graph+"/.default", trs[0].Form.Get("scope"))
			require.Equal(t, 1, s.Counts().TokensIssued, "the fake accepted the scope")
			for _, r := range s.Requests() {
				require.Equal(t, tc.graph[len("https://"):], r.Host)
			}
		})
	}
}

// An explicit authUrl wins over the one the Graph base URL implies.
func TestExplicitAuthURLWins(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 3, GraphURL: "https://graph.microsoft.us", LoginURL: "https://login.example.test"})
	cfg := connectors.Config{BaseURL: s.GraphURL, AuthURL: s.LoginURL, Egress: connectors.AllowLoopback(), Credentials: s.Credentials(), Options: noSoftware}
	cfg.Egress.WrapTransport = s.Route
	devices, _ := fetchAll(t, newSource(t, cfg), connectors.PageRequest{})
	require.Len(t, devices, 3)
	trs := s.TokenRequests()
	require.Len(t, trs, 1)
	require.Equal(t, "login.example.test", trs[0].Host)
	require.Equal(t, "https://graph.microsoft.us/.default", trs[0].Form.Get("scope"))
}
