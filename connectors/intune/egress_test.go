package intune_test

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
	"github.com/itam-dev/itam/connectors/intune/intunetest"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// The OAuth token request (authUrl) goes through the guarded client: on a
// refused address it is never sent.
func TestTokenEndpointOnPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 3})
	// 127.0.0.2 stands for a private address; only 127.0.0.1 (the Graph
	// fake) is allowed.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	require.NoError(t, err)
	var hits atomic.Int64
	tokens := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	tokens.Listener = ln
	tokens.Start()
	t.Cleanup(tokens.Close)
	cfg := config(s, nil)
	cfg.AuthURL = tokens.URL
	cfg.Egress = connectors.Egress{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	_, err = newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.True(t, vendorhttp.IsBlocked(err), "%v", err)
	require.Zero(t, hits.Load())
}
