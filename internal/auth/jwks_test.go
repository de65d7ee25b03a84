package auth_test

import (
	"crypto/elliptic"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
)

// An unknown kid makes the verifier refetch the JWK Set, but only at a
// limited rate: a flood of made-up kids costs the identity provider one
// request, and the rejected requests do not hang.
func TestVerifyUnknownKIDRefreshIsRateLimited(t *testing.T) {
	k := mustRSA(t)
	srv := newJWKSServer(t, rsaJWK("known", "RS256", "sig", k))
	v, err := auth.NewVerifier(t.Context(), auth.Config{JWKSURL: srv.URL})
	require.NoError(t, err)
	require.EqualValues(t, 1, srv.hits.Load(), "NewVerifier fetches the set once")

	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, k, "made-up-1", claims()))
	requireUnauthenticated(t, err, "unknown token signing key")
	require.EqualValues(t, 2, srv.hits.Load(), "an unknown kid triggers a refresh")

	for i := range 5 {
		start := time.Now()
		_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, k, fmt.Sprintf("made-up-%d", i+2), claims()))
		requireUnauthenticated(t, err, "unknown token signing key")
		require.Less(t, time.Since(start), 2*time.Second, "rate-limited lookups fail fast")
	}
	require.EqualValues(t, 2, srv.hits.Load(), "further unknown kids do not refetch")

	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, k, "known", claims()))
	require.NoError(t, err, "known keys still work")
}

// The provider rotates: the old key disappears from the set and a new one
// appears. A token with the new kid verifies after the refresh it triggers,
// and the retired key stops working because the set is replaced, not merged.
func TestVerifyKeyRotation(t *testing.T) {
	oldKey, newKey := mustRSA(t), mustEC(t, elliptic.P256())
	srv := newJWKSServer(t, rsaJWK("2024", "RS256", "sig", oldKey))
	v, err := auth.NewVerifier(t.Context(), auth.Config{JWKSURL: srv.URL, Issuer: testIssuer, Audience: testAudience})
	require.NoError(t, err)

	oldTok := sign(t, jwt.SigningMethodRS256, oldKey, "2024", claims())
	newTok := sign(t, jwt.SigningMethodES256, newKey, "2025", claims())

	_, err = v.Verify(t.Context(), oldTok)
	require.NoError(t, err)

	srv.set(ecJWK("2025", "ES256", "sig", newKey))
	require.EqualValues(t, 1, srv.hits.Load())

	got, err := v.Verify(t.Context(), newTok)
	require.NoError(t, err, "new kid verifies after the refresh it triggers")
	require.Equal(t, "ada@example.com", got.Subject)
	require.EqualValues(t, 2, srv.hits.Load())

	_, err = v.Verify(t.Context(), oldTok)
	requireUnauthenticated(t, err, "unknown token signing key")
}
