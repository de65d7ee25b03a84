package intune_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
	"github.com/itam-dev/itam/connectors/vendorfake"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// The OAuth token request (authUrl) goes through the guarded client: on a
// refused address it is never sent.
func TestTokenEndpointOnPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 3})
	tokens, hits := vendorfake.CountingServer(t, vendorfake.PrivateAddr)
	cfg := config(s, nil)
	cfg.AuthURL = tokens.URL
	cfg.Egress = vendorfake.FakesOnly()
	_, err := newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.True(t, vendorhttp.IsBlocked(err), "%v", err)
	require.Zero(t, hits.Load())
}
