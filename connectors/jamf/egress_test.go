package jamf_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// A token endpoint (authUrl) on a refused address is never contacted, for
// both token flows: the OAuth client-credentials request goes through the
// same guarded client as the API.
func TestTokenEndpointOnPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	for _, k := range []authKind{apiClient, userAccount} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 3})
			// 127.0.0.2 stands for a private address; only 127.0.0.1 (the
			// API fake) is allowed.
			ln, err := net.Listen("tcp", "127.0.0.2:0")
			require.NoError(t, err)
			var hits atomic.Int64
			tokens := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
			tokens.Listener = ln
			tokens.Start()
			t.Cleanup(tokens.Close)
			src := source(t, s, k, func(c *connectors.Config) {
				c.AuthURL = tokens.URL
				c.Egress = connectors.Egress{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
			})
			_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			require.True(t, vendorhttp.IsBlocked(err), "%v", err)
			require.Zero(t, hits.Load())
		})
	}
}
