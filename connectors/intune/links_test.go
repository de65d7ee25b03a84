package intune_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/intune"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
	"github.com/itam-dev/itam/connectors/vendorfake"
)

// A next link Graph serves is followed only when it stays on the configured
// Graph, under the collection being paged: otherwise the page fails and
// the bearer token goes nowhere, even to an address the egress policy
// would allow.
func TestNextLinkMustStayOnTheConfiguredGraph(t *testing.T) {
	t.Parallel()
	elsewhere, hits := vendorfake.CountingServer(t, "") // on 127.0.0.1: the policy allows it
	cases := []struct {
		name    string
		rewrite func(link string, graph *url.URL) string
	}{
		{"another host", func(link string, g *url.URL) string {
			return strings.Replace(link, g.Host, strings.TrimPrefix(elsewhere.URL, "http://"), 1)
		}},
		{"another scheme", func(link string, _ *url.URL) string { return strings.Replace(link, "http://", "https://", 1) }},
		{"user info", func(link string, g *url.URL) string { return strings.Replace(link, g.Host, "user:pw@"+g.Host, 1) }},
		{"another collection", func(link string, _ *url.URL) string {
			return strings.Replace(link, "/v1.0/deviceManagement/managedDevices", "/v1.0/users", 1)
		}},
		{"relative", func(link string, g *url.URL) string { return strings.TrimPrefix(link, g.Scheme+"://"+g.Host) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 25})
			g, err := url.Parse(s.GraphURL)
			require.NoError(t, err)
			s.RewriteNextLinks(func(link string) string { return tc.rewrite(link, g) })
			src := newSource(t, config(s, map[string]any{intune.OptionIncludeSoftware: false, intune.OptionPageSize: 10}))
			_, err = src.FetchPage(context.Background(), connectors.PageRequest{})
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
			require.NotContains(t, err.Error(), "pw", "user info is redacted")
			require.Len(t, s.ListRequests(), 1, "nothing followed")
			require.Zero(t, hits.Load())
		})
	}
}

// The same holds for a stored cursor (a run resuming): only a link of the
// configured Graph's device collection is requested.
func TestCursorMustStayOnTheConfiguredGraph(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 3})
	for _, cursor := range []string{
		s.GraphURL + "/v1.0/users?$skiptoken=x",
		s.GraphURL + "/beta/deviceManagement/managedDevices?$skiptoken=x",
		"/v1.0/deviceManagement/managedDevices?$skiptoken=x",
	} {
		_, err := newSource(t, config(s, noSoftware)).FetchPage(context.Background(), connectors.PageRequest{Cursor: cursor})
		var me *connectors.MalformedError
		require.ErrorAs(t, err, &me, cursor)
	}
	require.Zero(t, s.Counts().Graph)
}
