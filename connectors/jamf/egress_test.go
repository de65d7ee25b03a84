package jamf_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/connectors/vendorfake"
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
			tokens, hits := vendorfake.CountingServer(t, vendorfake.PrivateAddr)
			src := source(t, s, k, func(c *connectors.Config) {
				c.AuthURL = tokens.URL
				c.Egress = vendorfake.FakesOnly()
			})
			_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			require.True(t, vendorhttp.IsBlocked(err), "%v", err)
			require.Zero(t, hits.Load())
		})
	}
}
