package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/itam"
)

// Test fixtures: signing keys, a JWKS server and token builders.

const (
	testIssuer   = "https://idp.example.com/"
	testAudience = "itam-api"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef") // exactly MinSecretLen
	testOrg    = uuid.MustParse("3f2b8c1e-7a4d-4e9b-9c0a-1d2e3f4a5b6c")
)

// --- JWK Set server -------------------------------------------------------

// jwksServer serves a JWK Set that a test can swap out, counting fetches so
// tests can see when the verifier refreshed.
type jwksServer struct {
	*httptest.Server
	mu   sync.Mutex
	keys []map[string]any
	hits atomic.Int64
}

func newJWKSServer(t *testing.T, keys ...map[string]any) *jwksServer {
	t.Helper()
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, err := json.Marshal(map[string]any{"keys": s.keys})
		s.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(keys ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rsaJWK is the public JWK of k; alg and use are omitted when empty, as
// many identity providers do.
func rsaJWK(kid, alg, use string, k *rsa.PrivateKey) map[string]any {
	m := map[string]any{
		"kty": "RSA",
		"kid": kid,
		"n":   b64(k.N.Bytes()),
		"e":   b64(big.NewInt(int64(k.E)).Bytes()),
	}
	if alg != "" {
		m["alg"] = alg
	}
	if use != "" {
		m["use"] = use
	}
	return m
}

func ecJWK(kid, alg, use string, k *ecdsa.PrivateKey) map[string]any {
	pub, err := k.PublicKey.ECDH()
	if err != nil {
		panic(err)
	}
	raw := pub.Bytes()[1:] // uncompressed point: 0x04 || X || Y, fixed width
	m := map[string]any{
		"kty": "EC",
		"kid": kid,
		"crv": k.Curve.Params().Name,
		"x":   b64(raw[:len(raw)/2]),
		"y":   b64(raw[len(raw)/2:]),
	}
	if alg != "" {
		m["alg"] = alg
	}
	if use != "" {
		m["use"] = use
	}
	return m
}

func mustRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	return k
}

func mustEC(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	require.NoError(t, err)
	return k
}

// --- token helpers --------------------------------------------------------

// claims returns a payload every verifier in these tests accepts, changed
// by the given edits.
func claims(edits ...func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"sub":  "ada@example.com",
		"org":  testOrg.String(),
		"role": "MANAGER",
		"iss":  testIssuer,
		"aud":  testAudience,
		"iat":  now.Unix(),
		"nbf":  now.Unix(),
		"exp":  now.Add(time.Hour).Unix(),
	}
	for _, e := range edits {
		e(c)
	}
	return c
}

func set(k string, v any) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c[k] = v } }
func del(k string) func(jwt.MapClaims)        { return func(c jwt.MapClaims) { delete(c, k) } }

func sign(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

// unsigned builds a token by hand with the given alg and an empty
// signature, the way an attacker would.
func unsigned(t *testing.T, alg string, c jwt.MapClaims) string {
	t.Helper()
	h, err := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	require.NoError(t, err)
	p, err := json.Marshal(c)
	require.NoError(t, err)
	return b64(h) + "." + b64(p) + "."
}

func requireUnauthenticated(t *testing.T, err error, msg string) {
	t.Helper()
	require.Error(t, err)
	var e *itam.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, itam.CodeUnauthenticated, e.Code, "error: %v", err)
	require.Equal(t, msg, e.Message)
}

// --- fixture --------------------------------------------------------------

type fixture struct {
	rsaKey      *rsa.PrivateKey // kid "rsa1", JWK alg RS256
	rsaNoAlg    *rsa.PrivateKey // kid "rsa-any", no alg in JWK
	ecKey       *ecdsa.PrivateKey
	ec384Key    *ecdsa.PrivateKey
	ecEncKey    *ecdsa.PrivateKey // published with use "enc"
	otherRSA    *rsa.PrivateKey   // never published
	srv         *jwksServer
	hsOnly      *auth.Verifier
	jwksOnly    *auth.Verifier
	both        *auth.Verifier
	rsaPubPEM   []byte // PEM of rsaKey's public key
	noAlgPubPEM []byte // PEM of rsaNoAlg's public key
	otherSecret []byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		rsaKey:      mustRSA(t),
		rsaNoAlg:    mustRSA(t),
		ecKey:       mustEC(t, elliptic.P256()),
		ec384Key:    mustEC(t, elliptic.P384()),
		ecEncKey:    mustEC(t, elliptic.P256()),
		otherRSA:    mustRSA(t),
		otherSecret: []byte("ffffffffffffffffffffffffffffffff"),
	}
	f.srv = newJWKSServer(t,
		rsaJWK("rsa1", "RS256", "sig", f.rsaKey),
		rsaJWK("rsa-any", "", "", f.rsaNoAlg),
		ecJWK("ec1", "ES256", "sig", f.ecKey),
		ecJWK("ec384", "ES384", "sig", f.ec384Key),
		ecJWK("ec-enc", "ES256", "enc", f.ecEncKey),
	)
	der, err := x509.MarshalPKIXPublicKey(&f.rsaKey.PublicKey)
	require.NoError(t, err)
	f.rsaPubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	der, err = x509.MarshalPKIXPublicKey(&f.rsaNoAlg.PublicKey)
	require.NoError(t, err)
	f.noAlgPubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})

	ctx := t.Context()
	base := auth.Config{Issuer: testIssuer, Audience: testAudience, Leeway: 30 * time.Second}
	cfg := base
	cfg.HS256Secret = testSecret
	f.hsOnly, err = auth.NewVerifier(ctx, cfg)
	require.NoError(t, err)
	cfg = base
	cfg.JWKSURL = f.srv.URL
	f.jwksOnly, err = auth.NewVerifier(ctx, cfg)
	require.NoError(t, err)
	cfg.HS256Secret = testSecret
	f.both, err = auth.NewVerifier(ctx, cfg)
	require.NoError(t, err)
	return f
}

// --- Verify ---------------------------------------------------------------
