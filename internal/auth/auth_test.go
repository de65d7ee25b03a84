package auth_test

import (
	"context"
	"crypto/elliptic"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/itam"
)

func TestVerify(t *testing.T) {
	f := newFixture(t)
	want := auth.Claims{Subject: "ada@example.com", Org: testOrg.String(), Role: itam.RoleManager}
	hs := func(c jwt.MapClaims) func(*testing.T) string {
		return func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", c) }
	}
	signed := func(m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) func(*testing.T) string {
		return func(t *testing.T) string { return sign(t, m, key, kid, c) }
	}
	raw := func(s string) func(*testing.T) string { return func(*testing.T) string { return s } }
	now := time.Now()

	tests := []struct {
		name    string
		v       *auth.Verifier
		token   func(*testing.T) string
		want    auth.Claims // checked when wantMsg is empty
		wantMsg string
	}{
		// Accepted.
		{name: "HS256", v: f.hsOnly, token: hs(claims()), want: want},
		{name: "HS256 with JWKS also configured", v: f.both, token: hs(claims()), want: want},
		{name: "HS256 issued by IssueHS256", v: f.hsOnly, token: func(t *testing.T) string {
			s, err := auth.IssueHS256(testSecret, want, time.Hour, auth.IssueOptions{Issuer: testIssuer, Audience: testAudience})
			require.NoError(t, err)
			return s
		}, want: want},
		{name: "RS256 via JWKS", v: f.jwksOnly, token: signed(jwt.SigningMethodRS256, f.rsaKey, "rsa1", claims()), want: want},
		{name: "RS256 with secret also configured", v: f.both, token: signed(jwt.SigningMethodRS256, f.rsaKey, "rsa1", claims()), want: want},
		{name: "ES256 via JWKS", v: f.jwksOnly, token: signed(jwt.SigningMethodES256, f.ecKey, "ec1", claims()), want: want},
		{name: "ES384 via JWKS", v: f.jwksOnly, token: signed(jwt.SigningMethodES384, f.ec384Key, "ec384", claims()), want: want},
		{name: "RS384 with JWK lacking alg", v: f.jwksOnly, token: signed(jwt.SigningMethodRS384, f.rsaNoAlg, "rsa-any", claims()), want: want},
		{name: "RS512 with JWK lacking alg", v: f.jwksOnly, token: signed(jwt.SigningMethodRS512, f.rsaNoAlg, "rsa-any", claims()), want: want},
		{name: "PS256 with JWK lacking alg", v: f.jwksOnly, token: signed(jwt.SigningMethodPS256, f.rsaNoAlg, "rsa-any", claims()), want: want},
		{name: "RS256 without kid tries every key", v: f.jwksOnly, token: signed(jwt.SigningMethodRS256, f.rsaKey, "", claims()), want: want},
		{name: "ES256 without kid tries every key", v: f.jwksOnly, token: signed(jwt.SigningMethodES256, f.ecKey, "", claims()), want: want},
		{name: "audience list containing ours", v: f.hsOnly, token: hs(claims(set("aud", []string{"other", testAudience}))), want: want},
		{name: "expired within leeway", v: f.hsOnly, token: hs(claims(set("exp", now.Add(-10*time.Second).Unix()))), want: want},
		{name: "nbf within leeway", v: f.hsOnly, token: hs(claims(set("nbf", now.Add(10*time.Second).Unix()))), want: want},
		{name: "org slug kept as written", v: f.hsOnly, token: hs(claims(set("org", "acme"))),
			want: auth.Claims{Subject: "ada@example.com", Org: "acme", Role: itam.RoleManager}},

		// Missing or malformed.
		{name: "empty", v: f.both, token: raw(""), wantMsg: "missing bearer token"},
		{name: "garbage", v: f.both, token: raw("not-a-jwt"), wantMsg: "malformed token"},
		{name: "three garbage segments", v: f.both, token: raw("a!.b!.c!"), wantMsg: "malformed token"},
		{name: "four segments", v: f.both, token: func(t *testing.T) string { return hs(claims())(t) + ".x" }, wantMsg: "malformed token"},
		{name: "payload not JSON", v: f.both, token: raw(b64([]byte(`{"alg":"HS256"}`)) + "." + b64([]byte("nope")) + ".sig"), wantMsg: "malformed token"},
		{name: "org of wrong type", v: f.hsOnly, token: hs(claims(set("org", 42))), wantMsg: "malformed token"},
		{name: "oversized", v: f.both, token: raw(strings.Repeat("a", 20<<10)), wantMsg: "malformed token"},

		// Signature.
		{name: "HS256 with another secret", v: f.hsOnly, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.otherSecret, "", claims())
		}, wantMsg: "invalid token signature"},
		{name: "tampered payload", v: f.hsOnly, token: func(t *testing.T) string {
			good := strings.Split(hs(claims())(t), ".")
			evil := strings.Split(hs(claims(set("role", "ADMIN")))(t), ".")
			evil[2] = good[2] // keep the old signature
			return strings.Join(evil, ".")
		}, wantMsg: "invalid token signature"},
		{name: "RS256 signed by an unpublished key under a known kid", v: f.jwksOnly,
			token: signed(jwt.SigningMethodRS256, f.otherRSA, "rsa1", claims()), wantMsg: "invalid token signature"},
		{name: "ES256 signed by another key under a known kid", v: f.jwksOnly,
			token: signed(jwt.SigningMethodES256, mustEC(t, elliptic.P256()), "ec1", claims()), wantMsg: "invalid token signature"},

		// Keys.
		{name: "ES256 naming an RSA kid", v: f.jwksOnly, token: signed(jwt.SigningMethodES256, f.ecKey, "rsa-any", claims()), wantMsg: "unknown token signing key"},
		{name: "RS384 naming a kid whose JWK says RS256", v: f.jwksOnly, token: signed(jwt.SigningMethodRS384, f.rsaKey, "rsa1", claims()), wantMsg: "unknown token signing key"},
		{name: "key published for encryption", v: f.jwksOnly, token: signed(jwt.SigningMethodES256, f.ecEncKey, "ec-enc", claims()), wantMsg: "unknown token signing key"},

		// Algorithms.
		{name: "alg none", v: f.both, token: func(t *testing.T) string { return unsigned(t, "none", claims()) }, wantMsg: "unsupported token signing algorithm"},
		{name: "alg None", v: f.both, token: func(t *testing.T) string { return unsigned(t, "None", claims()) }, wantMsg: "unsupported token signing algorithm"},
		{name: "alg NONE", v: f.hsOnly, token: func(t *testing.T) string { return unsigned(t, "NONE", claims()) }, wantMsg: "unsupported token signing algorithm"},
		{name: "alg empty", v: f.both, token: func(t *testing.T) string { return unsigned(t, "", claims()) }, wantMsg: "unsupported token signing algorithm"},
		{name: "alg none with a signature", v: f.both, token: func(t *testing.T) string {
			return unsigned(t, "none", claims()) + b64([]byte("sig"))
		}, wantMsg: "unsupported token signing algorithm"},
		{name: "confusion: HS256 keyed with the RSA public key, JWKS only", v: f.jwksOnly, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.rsaPubPEM, "rsa1", claims())
		}, wantMsg: "unsupported token signing algorithm"},
		{name: "confusion: HS256 keyed with the RSA public key, both configured", v: f.both, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.rsaPubPEM, "rsa1", claims())
		}, wantMsg: "invalid token signature"},
		// A JWK without "alg" gets no help from keyfunc's alg check; only
		// our own routing stops the public key being used as an HMAC secret.
		{name: "confusion: HS256 keyed with a public key whose JWK lacks alg, JWKS only", v: f.jwksOnly, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.noAlgPubPEM, "rsa-any", claims())
		}, wantMsg: "unsupported token signing algorithm"},
		{name: "confusion: HS256 keyed with a public key whose JWK lacks alg, both configured", v: f.both, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.noAlgPubPEM, "rsa-any", claims())
		}, wantMsg: "invalid token signature"},
		{name: "confusion: HS256 keyed with a public key, no kid", v: f.jwksOnly, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.noAlgPubPEM, "", claims())
		}, wantMsg: "unsupported token signing algorithm"},
		{name: "confusion: HS256 keyed with the RSA modulus", v: f.both, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.rsaKey.N.Bytes(), "rsa1", claims())
		}, wantMsg: "invalid token signature"},
		{name: "RS256 when only HS256 configured", v: f.hsOnly, token: signed(jwt.SigningMethodRS256, f.rsaKey, "rsa1", claims()), wantMsg: "unsupported token signing algorithm"},
		{name: "HS384 with the right secret", v: f.both, token: signed(jwt.SigningMethodHS384, testSecret, "", claims()), wantMsg: "unsupported token signing algorithm"},
		{name: "ES512 not on the list", v: f.jwksOnly, token: signed(jwt.SigningMethodES512, mustEC(t, elliptic.P521()), "", claims()), wantMsg: "unsupported token signing algorithm"},
		{name: "unsupported alg reported before expiry", v: f.hsOnly, token: func(t *testing.T) string {
			return unsigned(t, "none", claims(set("exp", now.Add(-time.Hour).Unix())))
		}, wantMsg: "unsupported token signing algorithm"},

		// Time.
		{name: "expired", v: f.both, token: hs(claims(set("exp", now.Add(-time.Hour).Unix()))), wantMsg: "token has expired"},
		{name: "expired RS256", v: f.jwksOnly, token: signed(jwt.SigningMethodRS256, f.rsaKey, "rsa1", claims(set("exp", now.Add(-time.Hour).Unix()))), wantMsg: "token has expired"},
		{name: "no exp", v: f.both, token: hs(claims(del("exp"))), wantMsg: "token has no expiry"},
		{name: "nbf in the future", v: f.both, token: hs(claims(set("nbf", now.Add(time.Hour).Unix()))), wantMsg: "token is not valid yet"},
		{name: "bad signature reported before expiry", v: f.hsOnly, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, f.otherSecret, "", claims(set("exp", now.Add(-time.Hour).Unix())))
		}, wantMsg: "invalid token signature"},

		// Issuer and audience.
		{name: "wrong issuer", v: f.both, token: hs(claims(set("iss", "https://evil.example.com/"))), wantMsg: "token has the wrong issuer"},
		{name: "missing issuer", v: f.both, token: hs(claims(del("iss"))), wantMsg: "token has the wrong issuer"},
		{name: "wrong audience", v: f.both, token: hs(claims(set("aud", "some-other-app"))), wantMsg: "token has the wrong audience"},
		{name: "missing audience", v: f.both, token: hs(claims(del("aud"))), wantMsg: "token has the wrong audience"},

		// Application claims.
		{name: "missing role", v: f.both, token: hs(claims(del("role"))), wantMsg: "token has no role"},
		{name: "unknown role", v: f.both, token: hs(claims(set("role", "SUPERUSER"))), wantMsg: "token has an unknown role"},
		{name: "lower-case role", v: f.both, token: hs(claims(set("role", "admin"))), wantMsg: "token has an unknown role"},
		{name: "missing sub", v: f.both, token: hs(claims(del("sub"))), wantMsg: "token has no subject"},
		{name: "blank sub", v: f.both, token: hs(claims(set("sub", "  "))), wantMsg: "token has no subject"},
		{name: "missing org", v: f.both, token: hs(claims(del("org"))), wantMsg: "token has no organization"},
		{name: "empty org", v: f.both, token: hs(claims(set("org", ""))), wantMsg: "token has no organization"},
		{name: "missing sub via JWKS", v: f.jwksOnly, token: signed(jwt.SigningMethodES256, f.ecKey, "ec1", claims(del("sub"))), wantMsg: "token has no subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Verify(t.Context(), tt.token(t))
			if tt.wantMsg != "" {
				requireUnauthenticated(t, err, tt.wantMsg)
				require.Zero(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNewVerifierConfig(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)

	tests := []struct {
		name    string
		cfg     auth.Config
		wantErr string
	}{
		{name: "nothing configured", cfg: auth.Config{}, wantErr: "no key source"},
		{name: "short secret", cfg: auth.Config{HS256Secret: []byte("hunter2")}, wantErr: "need at least 32"},
		{name: "negative leeway", cfg: auth.Config{HS256Secret: testSecret, Leeway: -time.Second}, wantErr: "leeway"},
		{name: "unparsable JWKS URL", cfg: auth.Config{JWKSURL: "not a url"}, wantErr: "JWK Set"},
		{name: "JWKS unreachable at startup", cfg: auth.Config{JWKSURL: failing.URL}, wantErr: "JWK Set"},
		{name: "secret only", cfg: auth.Config{HS256Secret: testSecret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := auth.NewVerifier(t.Context(), tt.cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.Nil(t, v)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, v)
		})
	}
}

// The Verifier keeps its own copy of the secret.
func TestNewVerifierCopiesSecret(t *testing.T) {
	secret := append([]byte(nil), testSecret...)
	v, err := auth.NewVerifier(t.Context(), auth.Config{HS256Secret: secret})
	require.NoError(t, err)
	tok := sign(t, jwt.SigningMethodHS256, testSecret, "", claims())
	for i := range secret {
		secret[i] = 0
	}
	_, err = v.Verify(t.Context(), tok)
	require.NoError(t, err)
}

// --- Principal ------------------------------------------------------------

func TestPrincipal(t *testing.T) {
	v, err := auth.NewVerifier(t.Context(), auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	acme := uuid.MustParse("11111111-2222-4333-8444-555555555555")
	hexSlug := strings.ReplaceAll(acme.String(), "-", "") // parses as a UUID, but is a slug here
	boom := errors.New("connection refused")
	liar := uuid.MustParse("99999999-2222-4333-8444-555555555555") // the resolver answers with another org

	resolver := func(ctx context.Context, org string) (uuid.UUID, error) {
		switch org {
		case "acme", hexSlug:
			return acme, nil
		case testOrg.String():
			return testOrg, nil
		case liar.String():
			return acme, nil
		case "ghost":
			return uuid.Nil, nil
		case "wrapped-missing":
			return uuid.Nil, fmt.Errorf("store: %w", itam.NotFound("organization"))
		case "db-down":
			return uuid.Nil, boom
		case "db-internal":
			return uuid.Nil, &itam.Error{Code: itam.CodeInternal, Message: "database unavailable"}
		}
		return uuid.Nil, itam.NotFound("organization")
	}
	mustNotResolve := func(context.Context, string) (uuid.UUID, error) {
		t.Error("resolver called")
		return uuid.Nil, boom
	}
	tok := func(org string) string {
		return sign(t, jwt.SigningMethodHS256, testSecret, "", claims(set("org", org), set("role", "AUDITOR")))
	}

	tests := []struct {
		name     string
		token    string
		resolve  auth.OrgResolver
		want     uuid.UUID
		wantMsg  string // UNAUTHENTICATED message
		wantCode itam.Code
		wantIs   error
	}{
		{name: "UUID org resolved", token: tok(testOrg.String()), resolve: resolver, want: testOrg},
		{name: "upper-case UUID resolved in canonical form", token: tok(strings.ToUpper(testOrg.String())), resolve: resolver, want: testOrg},
		{name: "unknown UUID", token: tok(uuid.NewString()), resolve: resolver, wantMsg: "unknown organization"},
		{name: "UUID resolved to another org", token: tok(liar.String()), resolve: resolver, wantMsg: "unknown organization"},
		{name: "UUID org without resolver", token: tok(testOrg.String()), wantMsg: "unknown organization"},
		{name: "slug resolved", token: tok("acme"), resolve: resolver, want: acme},
		{name: "32-hex slug goes to the resolver", token: tok(hexSlug), resolve: resolver, want: acme},
		{name: "unknown slug", token: tok("nope"), resolve: resolver, wantMsg: "unknown organization"},
		{name: "wrapped not-found", token: tok("wrapped-missing"), resolve: resolver, wantMsg: "unknown organization"},
		{name: "resolver returns nil id", token: tok("ghost"), resolve: resolver, wantMsg: "unknown organization"},
		{name: "slug without resolver", token: tok("acme"), wantMsg: "unknown organization"},
		{name: "nil UUID", token: tok(uuid.Nil.String()), resolve: mustNotResolve, wantMsg: "unknown organization"},
		{name: "resolver failure is not a bad credential", token: tok("db-down"), resolve: resolver, wantCode: itam.CodeInternal, wantIs: boom},
		{name: "resolver itam error keeps its code", token: tok("db-internal"), resolve: resolver, wantCode: itam.CodeInternal},
		{name: "bad token never reaches the resolver", token: "garbage", resolve: mustNotResolve, wantMsg: "malformed token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Principal(t.Context(), tt.token, tt.resolve)
			switch {
			case tt.wantMsg != "":
				requireUnauthenticated(t, err, tt.wantMsg)
				require.Zero(t, p)
			case tt.wantCode != "":
				require.Error(t, err)
				require.Equal(t, tt.wantCode, itam.ErrorCode(err))
				if tt.wantIs != nil {
					require.ErrorIs(t, err, tt.wantIs)
				}
				require.Zero(t, p)
			default:
				require.NoError(t, err)
				require.Equal(t, itam.Principal{Subject: "ada@example.com", OrgID: tt.want, Role: itam.RoleAuditor}, p)
			}
		})
	}
}

// --- IssueHS256 -----------------------------------------------------------
