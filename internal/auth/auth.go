// Package auth turns a bearer token into an itam.Principal.
//
// Tokens are JWTs. Two key sources exist because the server runs in two very
// different settings: a single shared HS256 secret is all a developer or a
// small self-hosted install needs (the `itam token` command mints tokens with
// it), while production installs sit behind an identity provider that signs
// with asymmetric keys published as a JWK Set and rotates them on its own
// schedule. Both may be configured at once so an install can migrate from one
// to the other without a flag day.
//
// Every failure is an *itam.Error with code UNAUTHENTICATED and a short,
// fixed message: clients can tell "expired, log in again" from "wrong
// audience, misconfigured client" without the server echoing anything an
// attacker supplied or revealing key material.
package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/itam-dev/itam/internal/itam"
)

// MinSecretLen is the shortest HS256 secret accepted, in bytes. RFC 7518
// §3.2 requires a key at least as long as the hash output (256 bits); shorter
// secrets, typically typed-in passwords, can be brute-forced offline from a
// single captured token.
const MinSecretLen = 32

// maxTokenLen bounds the work an anonymous caller can make us do before any
// signature has been checked. Real tokens are well under this even with large
// group claims.
const maxTokenLen = 16 << 10

// Safe, distinct messages. They are part of the API: clients and tests match
// on them, so change them only deliberately.
const (
	msgMissingToken   = "missing bearer token"
	msgMalformed      = "malformed token"
	msgUnsupportedAlg = "unsupported token signing algorithm"
	msgUnknownKey     = "unknown token signing key"
	msgBadSignature   = "invalid token signature"
	msgExpired        = "token has expired"
	msgNoExpiry       = "token has no expiry"
	msgNotYetValid    = "token is not valid yet"
	msgWrongIssuer    = "token has the wrong issuer"
	msgWrongAudience  = "token has the wrong audience"
	msgNoSubject      = "token has no subject"
	msgNoOrg          = "token has no organization"
	msgNoRole         = "token has no role"
	msgUnknownRole    = "token has an unknown role"
	msgUnknownOrg     = "unknown organization"
	msgInvalid        = "invalid token"
)

// hs256 is the only symmetric algorithm accepted. It is verified exclusively
// with Config.HS256Secret, never with anything from the JWK Set.
const hs256 = "HS256"

// asymmetricAlgs are the algorithms verified with keys from the JWK Set. The
// list is closed on purpose: it excludes "none" and every HMAC variant, so
// a token can never steer verification towards a key type it was not meant for.
var asymmetricAlgs = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"}

// Config says which tokens a Verifier accepts. At least one of HS256Secret
// and JWKSURL must be set.
type Config struct {
	// HS256Secret enables HS256 tokens signed with this shared secret (at
	// least MinSecretLen bytes). Empty disables HS256 entirely.
	HS256Secret []byte
	// JWKSURL enables RS256/RS384/RS512/ES256/ES384/PS256 tokens whose public
	// key is published at this URL as a JWK Set. Empty disables them.
	JWKSURL string
	// Issuer, when set, must equal the token's iss. Set it whenever tokens come
	// from an identity provider: the provider's keys may also sign tokens for
	// other tenants or products.
	Issuer string
	// Audience, when set, must be one of the token's aud values, so a token
	// the provider issued for some other application is not accepted here.
	Audience string
	// Leeway tolerates clock skew between the issuer and this server when
	// checking exp and nbf. A few seconds to a minute is typical.
	Leeway time.Duration
}

// JWK Set refresh tuning. The background refresh picks up planned rotations;
// the unknown-kid refresh picks up a new key as soon as the first token
// signed with it arrives. The limiter keeps a stream of tokens with made-up
// kids from turning this server into a load generator against the identity
// provider, and the short wait keeps such tokens from parking requests.
const (
	jwksRefreshInterval   = time.Hour
	jwksUnknownKIDEvery   = time.Minute
	jwksUnknownKIDWaitMax = 10 * time.Second
	jwksHTTPTimeout       = 30 * time.Second
)

// Verifier checks bearer tokens. It is safe for concurrent use.
type Verifier struct {
	secret   []byte
	jwks     keyfunc.Keyfunc
	methods  []string
	issuer   string
	audience string
	parser   *jwt.Parser
}

// NewVerifier builds a Verifier from cfg. When cfg.JWKSURL is set it fetches
// the JWK Set once before returning and fails if that fetch fails: a wrong
// URL or an unreachable provider at startup is almost always a configuration
// mistake, and a server that starts anyway would reject every token with a
// far less obvious error. Afterwards keys are refreshed in the background
// until ctx ends, so ctx must live as long as the Verifier.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if len(cfg.HS256Secret) == 0 && cfg.JWKSURL == "" {
		return nil, errors.New("auth: no key source configured: set an HS256 secret, a JWKS URL, or both")
	}
	if cfg.Leeway < 0 {
		return nil, fmt.Errorf("auth: leeway must not be negative, got %s", cfg.Leeway)
	}
	v := &Verifier{issuer: cfg.Issuer, audience: cfg.Audience}
	if len(cfg.HS256Secret) > 0 {
		if len(cfg.HS256Secret) < MinSecretLen {
			return nil, fmt.Errorf("auth: HS256 secret is %d bytes, need at least %d", len(cfg.HS256Secret), MinSecretLen)
		}
		// Copy so a caller reusing its buffer cannot change the key under us.
		v.secret = slices.Clone(cfg.HS256Secret)
		v.methods = append(v.methods, hs256)
	}
	if cfg.JWKSURL != "" {
		kf, err := newJWKS(ctx, cfg.JWKSURL)
		if err != nil {
			return nil, err
		}
		v.jwks = kf
		v.methods = append(v.methods, asymmetricAlgs...)
	}

	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		// A token without exp would be valid forever; refuse to mint or accept one.
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(cfg.Leeway),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// newJWKS builds keyfunc's HTTP-backed key storage. It is assembled from
// jwkset parts rather than keyfunc.NewDefaultCtx only to add a "use"
// whitelist: a key published for encryption must not verify signatures.
func newJWKS(ctx context.Context, url string) (keyfunc.Keyfunc, error) {
	store, err := jwkset.NewStorageFromHTTP(url, jwkset.HTTPClientStorageOptions{
		Ctx:                       ctx,
		HTTPTimeout:               jwksHTTPTimeout,
		NoErrorReturnFirstHTTPReq: false,
		RefreshInterval:           jwksRefreshInterval,
		RefreshErrorHandler: func(ctx context.Context, err error) {
			slog.WarnContext(ctx, "auth: refreshing JWK Set failed; keeping the keys already known",
				"url", url, "error", err)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: loading JWK Set from %s: %w", url, err)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{url: store},
		RateLimitWaitMax:  jwksUnknownKIDWaitMax,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(jwksUnknownKIDEvery), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("auth: JWK Set client for %s: %w", url, err)
	}
	kf, err := keyfunc.New(keyfunc.Options{
		Ctx:     ctx,
		Storage: client,
		// Many providers omit "use"; absent means any use, so allow it.
		UseWhitelist: []jwkset.USE{jwkset.UseSig, ""},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: JWK Set keyfunc for %s: %w", url, err)
	}
	return kf, nil
}

// Claims is what a verified token says about its bearer.
type Claims struct {
	// Subject is the token's sub, usually the person's email.
	Subject string
	// Org is the token's org claim exactly as written: an organization UUID
	// or an organization slug. Principal resolves it.
	Org string
	// Role is the token's role; always a valid itam.Role.
	Role itam.Role
}

// tokenClaims is the wire shape of a token's payload.
type tokenClaims struct {
	jwt.RegisteredClaims
	Org  string `json:"org,omitempty"`
	Role string `json:"role,omitempty"`
}

// errUnknownKey marks key lookups that found no usable key, so classify can
// tell them from a key that was found but did not match the signature.
var errUnknownKey = errors.New("no usable key for token")

// errAlgNotAllowed is defence in depth: WithValidMethods already filters
// algorithms before the key function runs.
var errAlgNotAllowed = errors.New("algorithm not allowed")

// Verify checks raw (the token without any "Bearer " prefix) and returns its
// claims. Every failure is an *itam.Error with code UNAUTHENTICATED.
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	if raw == "" {
		return Claims{}, itam.Unauthenticated(msgMissingToken)
	}
	if len(raw) > maxTokenLen {
		return Claims{}, v.reject(ctx, msgMalformed, errors.New("token too long"))
	}
	var tc tokenClaims
	tok, err := v.parser.ParseWithClaims(raw, &tc, v.keyFor(ctx))
	if err != nil {
		return Claims{}, v.reject(ctx, v.classify(tok, &tc, err), err)
	}
	// Only now, with the signature checked, do the claims mean anything.
	switch {
	case strings.TrimSpace(tc.Subject) == "":
		return Claims{}, v.reject(ctx, msgNoSubject, nil)
	case strings.TrimSpace(tc.Org) == "":
		return Claims{}, v.reject(ctx, msgNoOrg, nil)
	case tc.Role == "":
		return Claims{}, v.reject(ctx, msgNoRole, nil)
	case !itam.Role(tc.Role).Valid():
		// Exact match only: a role is an enum, and guessing at "admin" vs
		// "ADMIN" is how privilege bugs start.
		return Claims{}, v.reject(ctx, msgUnknownRole, nil)
	}
	return Claims{Subject: tc.Subject, Org: tc.Org, Role: itam.Role(tc.Role)}, nil
}

// reject logs why a token was refused at debug level, where the underlying
// library error helps an operator, and returns only the safe message.
func (v *Verifier) reject(ctx context.Context, msg string, cause error) *itam.Error {
	if cause != nil {
		slog.DebugContext(ctx, "auth: token rejected", "reason", msg, "error", cause)
	} else {
		slog.DebugContext(ctx, "auth: token rejected", "reason", msg)
	}
	return itam.Unauthenticated("%s", msg)
}

// keyFor picks the key source from the token's algorithm. This is where
// algorithm confusion is stopped: HS256 is only ever given the shared secret
// and asymmetric algorithms only ever get JWK Set keys of the matching type,
// so a token "signed" with a public key used as an HMAC secret cannot verify.
func (v *Verifier) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		switch {
		case alg == hs256 && v.secret != nil:
			return v.secret, nil
		case slices.Contains(asymmetricAlgs, alg) && v.jwks != nil:
			key, err := v.jwks.KeyfuncCtx(ctx)(t)
			if err != nil {
				// Not found, refresh rate-limited, JWK alg/use mismatch: in
				// every case there is no key we may use for this token.
				return nil, fmt.Errorf("%w: %w", errUnknownKey, err)
			}
			return keyOfType(alg, key)
		default:
			return nil, errAlgNotAllowed
		}
	}
}

// keyOfType keeps only keys whose type fits alg. keyfunc checks a JWK's alg
// when the JWK has one, but many providers omit it, and a token without a
// kid is checked against the whole set.
func keyOfType(alg string, key any) (any, error) {
	fits := func(k any) bool {
		switch alg[0] {
		case 'R', 'P':
			_, ok := k.(*rsa.PublicKey)
			return ok
		case 'E':
			_, ok := k.(*ecdsa.PublicKey)
			return ok
		}
		return false
	}
	if set, ok := key.(jwt.VerificationKeySet); ok {
		var out jwt.VerificationKeySet
		for _, k := range set.Keys {
			if fits(k) {
				out.Keys = append(out.Keys, k)
			}
		}
		if len(out.Keys) == 0 {
			return nil, fmt.Errorf("%w: no %s key in JWK Set", errUnknownKey, alg)
		}
		return out, nil
	}
	if !fits(key) {
		return nil, fmt.Errorf("%w: key type %T does not fit %s", errUnknownKey, key, alg)
	}
	return key, nil
}

// classify maps a parser error to one safe message. The order matters: a
// token that is both unsigned and expired must be reported as unsigned, so
// structural and cryptographic failures come before claim failures.
func (v *Verifier) classify(tok *jwt.Token, tc *tokenClaims, err error) string {
	if tok == nil || errors.Is(err, jwt.ErrTokenMalformed) {
		return msgMalformed
	}
	alg, _ := tok.Header["alg"].(string)
	if !slices.Contains(v.methods, alg) {
		// Covers "none" in any spelling, unknown algorithms, and known ones
		// this Verifier has no key source for.
		return msgUnsupportedAlg
	}
	switch {
	case errors.Is(err, errUnknownKey):
		return msgUnknownKey
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return msgBadSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		return msgExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return msgNotYetValid
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return msgWrongIssuer
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return msgWrongAudience
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		// The library reports missing exp, iss and aud alike; the parsed
		// claims say which. A missing iss/aud is as wrong as a different one.
		switch {
		case tc.ExpiresAt == nil:
			return msgNoExpiry
		case v.issuer != "" && tc.Issuer == "":
			return msgWrongIssuer
		case v.audience != "":
			return msgWrongAudience
		}
	}
	return msgInvalid
}

// OrgResolver maps an org claim to the organization's id: a slug, or an
// id in canonical UUID form (lower case; see itam.ParseOrgClaim), which it
// must check exists. It should return an error with code NOT_FOUND (see
// itam.NotFound) when no such organization exists; other errors are
// treated as failures of the resolver itself, not of the token.
type OrgResolver func(ctx context.Context, org string) (uuid.UUID, error)

// Principal verifies raw and resolves its org claim into an itam.Principal.
//
// Resolution is separate from Verify because tokens from an identity
// provider usually carry a human-chosen slug, which only the database can
// turn into an id. A claim in UUID form goes through resolve too: a
// well-signed token naming an organization that does not exist (deleted,
// or a typo in the provider's configuration) must be refused, not run as
// an empty tenant. resolve may be nil only where no claim is to be
// accepted.
//
// A claim that does not resolve yields UNAUTHENTICATED "unknown
// organization". Any other resolver error is returned wrapped, with its own
// code (usually INTERNAL), because an outage is not the caller's fault and
// must not look like a bad credential.
func (v *Verifier) Principal(ctx context.Context, raw string, resolve OrgResolver) (itam.Principal, error) {
	c, err := v.Verify(ctx, raw)
	if err != nil {
		return itam.Principal{}, err
	}
	orgID, err := resolveOrg(ctx, c.Org, resolve)
	if err != nil {
		return itam.Principal{}, err
	}
	return itam.Principal{Subject: c.Subject, OrgID: orgID, Role: c.Role}, nil
}

func resolveOrg(ctx context.Context, org string, resolve OrgResolver) (uuid.UUID, error) {
	claimed, isID := itam.ParseOrgClaim(org)
	if isID {
		if claimed == uuid.Nil {
			return uuid.Nil, itam.Unauthenticated(msgUnknownOrg)
		}
		// One spelling per organization, so resolvers can cache by claim.
		org = claimed.String()
	}
	if resolve == nil {
		return uuid.Nil, itam.Unauthenticated(msgUnknownOrg)
	}
	id, err := resolve(ctx, org)
	switch {
	case err != nil && itam.ErrorCode(err) == itam.CodeNotFound:
		return uuid.Nil, itam.Unauthenticated(msgUnknownOrg)
	case err != nil:
		return uuid.Nil, fmt.Errorf("auth: resolving organization: %w", err)
	case id == uuid.Nil, isID && id != claimed:
		// A resolver answering with another organization than the one
		// named by id would move the caller to another tenant.
		return uuid.Nil, itam.Unauthenticated(msgUnknownOrg)
	}
	return id, nil
}
