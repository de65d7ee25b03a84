package kandji_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
)

// A page larger than the response cap fails, undecoded, with a message
// that says why.
func TestPageOverResponseCapFails(t *testing.T) {
	t.Parallel()
	srv := kandjitest.New(t, kandjitest.Options{Devices: 20})
	src := newSource(t, srv, func(c *connectors.Config) { c.Egress.MaxResponseBytes = 512 })
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var tl *connectors.TooLargeError
	require.ErrorAs(t, err, &tl)
	require.Contains(t, err.Error(), "vendor response exceeds 512 bytes")
	require.Empty(t, page.Devices)
	require.Equal(t, 1, srv.Counts().List, "an oversized answer is not retried")

	// The same tenant under the default cap reads fine.
	page, err = newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.Len(t, page.Devices, 20)
}
