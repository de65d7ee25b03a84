package connectorcheck

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// TestDescribeForbidden: a connection test refused with 403 says which
// endpoint and privilege, not "refused the credentials" or "could not be
// reached".
func TestDescribeForbidden(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("jamf: page: %w", &connectors.ForbiddenError{Endpoint: "GET /api/v1/computers-inventory", Privilege: "Read Computers", Message: "Forbidden"})
	require.Equal(t, "the vendor refused GET /api/v1/computers-inventory (HTTP 403): the API account needs the privilege Read Computers; the vendor said: Forbidden", describe(err))
	require.Equal(t, "the vendor refused the credentials", describe(connectors.ErrUnauthorized))
}
