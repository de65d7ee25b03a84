package vendorhttp

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBasicAuth: the header is RFC 7617's base64 of user:password, and a
// refusal is final (nothing to refresh).
func TestBasicAuth(t *testing.T) {
	h, err := BasicAuth{User: "Aladdin", Password: "open sesame"}.Authorization(context.Background())
	require.NoError(t, err)
	require.Equal(t, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", h) // RFC 7617's example
	require.False(t, BasicAuth{}.Invalidate(h))
}
