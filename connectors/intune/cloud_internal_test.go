package intune

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each Graph service root takes its own .default scope and signs in at its
// own cloud's Microsoft Entra ID endpoint (learn.microsoft.com/graph/deployments).
func TestTokenTarget(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, scope, authority string
	}{
		{"https://graph.microsoft.com", "https://graph.microsoft.com/.default", "https://login.microsoftonline.com"},
		{"https://graph.microsoft.us", "https://graph.microsoft.us/.default", "https://login.microsoftonline.us"},
		{"https://dod-graph.microsoft.us", "https://dod-graph.microsoft.us/.default", "https://login.microsoftonline.us"},
		{"https://microsoftgraph.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/.default", "https://login.chinacloudapi.cn"},
		{"https://Graph.Microsoft.US:443", "https://graph.microsoft.us/.default", "https://login.microsoftonline.us"},
		{"https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default", "https://login.microsoftonline.us"},
		// A Graph the table does not know: its origin, the global authority.
		{"https://graph.proxy.example/msgraph", "https://graph.proxy.example/.default", "https://login.microsoftonline.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/.default", "https://login.microsoftonline.com"},
		{"http://[::1]:8080", "http://[::1]:8080/.default", "https://login.microsoftonline.com"},
		{"https://[2001:db8::1]", "https://[2001:db8::1]/.default", "https://login.microsoftonline.com"},
	}
	for _, tc := range cases {
		t.Run(tc.base, func(t *testing.T) {
			u, err := parseBaseURL(tc.base)
			require.NoError(t, err)
			scope, authority := tokenTarget(u)
			require.Equal(t, tc.scope, scope)
			require.Equal(t, tc.authority, authority)
		})
	}
}

func TestParseBaseURL(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"":                                    "https://graph.microsoft.com",
		" https://graph.microsoft.us/v1.0/ ":  "https://graph.microsoft.us",
		"https://graph.microsoft.com/beta":    "https://graph.microsoft.com",
		"https://graph.proxy.example/msgraph": "https://graph.proxy.example/msgraph",
	} {
		u, err := parseBaseURL(raw)
		require.NoError(t, err, raw)
		require.Equal(t, want, u.String(), raw)
	}
	for _, raw := range []string{"ftp://graph", "graph.microsoft.com", "https://"} {
		_, err := parseBaseURL(raw)
		require.Error(t, err, raw)
	}
}

func TestSameHost(t *testing.T) {
	t.Parallel()
	mustParse := func(s string) *url.URL {
		u, err := url.Parse(s)
		require.NoError(t, err)
		return u
	}
	base := mustParse("https://graph.microsoft.us")
	require.True(t, sameHost(mustParse("https://GRAPH.microsoft.us/v1.0"), base))
	require.True(t, sameHost(mustParse("https://graph.microsoft.us:443/v1.0"), base))
	require.False(t, sameHost(mustParse("https://graph.microsoft.us:8443/v1.0"), base))
	require.False(t, sameHost(mustParse("https://graph.microsoft.com/v1.0"), base))
}
