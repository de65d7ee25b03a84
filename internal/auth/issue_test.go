package auth_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/itam"
)

func TestIssueHS256(t *testing.T) {
	v, err := auth.NewVerifier(t.Context(), auth.Config{HS256Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	require.NoError(t, err)
	c := auth.Claims{Subject: "root@example.com", Org: "acme", Role: itam.RoleAdmin}
	opts := auth.IssueOptions{Issuer: testIssuer, Audience: testAudience}

	t.Run("round trip", func(t *testing.T) {
		now := time.Now().Truncate(time.Second)
		s, err := auth.IssueHS256(testSecret, c, 15*time.Minute, auth.IssueOptions{Issuer: testIssuer, Audience: testAudience, Now: now})
		require.NoError(t, err)
		got, err := v.Verify(t.Context(), s)
		require.NoError(t, err)
		require.Equal(t, c, got)

		var mc jwt.MapClaims
		_, _, err = jwt.NewParser().ParseUnverified(s, &mc)
		require.NoError(t, err)
		require.Equal(t, "HS256", jwt.SigningMethodHS256.Alg())
		require.EqualValues(t, now.Unix(), mc["iat"])
		require.EqualValues(t, now.Unix(), mc["nbf"])
		require.EqualValues(t, now.Add(15*time.Minute).Unix(), mc["exp"])
		require.Equal(t, testIssuer, mc["iss"])
		require.Equal(t, []any{testAudience}, mc["aud"])
		require.Equal(t, "acme", mc["org"])
		require.Equal(t, "ADMIN", mc["role"])
	})

	t.Run("issuer and audience optional", func(t *testing.T) {
		s, err := auth.IssueHS256(testSecret, c, time.Minute, auth.IssueOptions{})
		require.NoError(t, err)
		var mc jwt.MapClaims
		_, _, err = jwt.NewParser().ParseUnverified(s, &mc)
		require.NoError(t, err)
		require.NotContains(t, mc, "iss")
		require.NotContains(t, mc, "aud")
		_, err = v.Verify(t.Context(), s)
		requireUnauthenticated(t, err, "token has the wrong issuer")
	})

	t.Run("minted in the past is expired", func(t *testing.T) {
		s, err := auth.IssueHS256(testSecret, c, time.Hour, auth.IssueOptions{Issuer: testIssuer, Audience: testAudience, Now: time.Now().Add(-2 * time.Hour)})
		require.NoError(t, err)
		_, err = v.Verify(t.Context(), s)
		requireUnauthenticated(t, err, "token has expired")
	})

	t.Run("minted in the future is not valid yet", func(t *testing.T) {
		s, err := auth.IssueHS256(testSecret, c, time.Hour, auth.IssueOptions{Issuer: testIssuer, Audience: testAudience, Now: time.Now().Add(time.Hour)})
		require.NoError(t, err)
		_, err = v.Verify(t.Context(), s)
		requireUnauthenticated(t, err, "token is not valid yet")
	})

	bad := []struct {
		name    string
		secret  []byte
		claims  auth.Claims
		ttl     time.Duration
		wantErr string
	}{
		{name: "short secret", secret: []byte("short"), claims: c, ttl: time.Hour, wantErr: "need at least 32"},
		{name: "no subject", secret: testSecret, claims: auth.Claims{Org: "acme", Role: itam.RoleAdmin}, ttl: time.Hour, wantErr: "subject"},
		{name: "no org", secret: testSecret, claims: auth.Claims{Subject: "x", Role: itam.RoleAdmin}, ttl: time.Hour, wantErr: "organization"},
		{name: "bad role", secret: testSecret, claims: auth.Claims{Subject: "x", Org: "acme", Role: "ROOT"}, ttl: time.Hour, wantErr: "unknown role"},
		{name: "zero ttl", secret: testSecret, claims: c, ttl: 0, wantErr: "lifetime"},
		{name: "negative ttl", secret: testSecret, claims: c, ttl: -time.Minute, wantErr: "lifetime"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			s, err := auth.IssueHS256(tt.secret, tt.claims, tt.ttl, opts)
			require.ErrorContains(t, err, tt.wantErr)
			require.Empty(t, s)
		})
	}
}
