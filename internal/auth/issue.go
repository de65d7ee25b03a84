package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// IssueOptions are the optional parts of a token minted by IssueHS256.
type IssueOptions struct {
	// Issuer becomes iss; leave empty when the verifier does not check it.
	Issuer string
	// Audience becomes aud; leave empty when the verifier does not check it.
	Audience string
	// Now is the issue time; zero means time.Now(). Tests set it to mint
	// tokens that are already expired or not valid yet.
	Now time.Time
}

// IssueHS256 mints a token signed with secret that a Verifier configured
// with the same secret accepts. It exists for the `itam token` command and
// for tests; production tokens normally come from an identity provider.
//
// It refuses to mint what Verify would refuse anyway (no subject, no org,
// unknown role, short secret) so the mistake shows up at the command line
// rather than as a 401 later. ttl must be positive: a token that never
// expires cannot be revoked short of rotating the secret.
func IssueHS256(secret []byte, c Claims, ttl time.Duration, opt IssueOptions) (string, error) {
	switch {
	case len(secret) < MinSecretLen:
		return "", fmt.Errorf("auth: HS256 secret is %d bytes, need at least %d", len(secret), MinSecretLen)
	case strings.TrimSpace(c.Subject) == "":
		return "", errors.New("auth: token needs a subject")
	case strings.TrimSpace(c.Org) == "":
		return "", errors.New("auth: token needs an organization")
	case !c.Role.Valid():
		return "", fmt.Errorf("auth: unknown role %q", c.Role)
	case ttl <= 0:
		return "", fmt.Errorf("auth: token lifetime must be positive, got %s", ttl)
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	tc := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.Subject,
			Issuer:    opt.Issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Org:  c.Org,
		Role: string(c.Role),
	}
	if opt.Audience != "" {
		tc.Audience = jwt.ClaimStrings{opt.Audience}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, tc).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: signing token: %w", err)
	}
	return s, nil
}
