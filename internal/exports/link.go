package exports

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Download links. exportAssets (and its siblings) answer with a URL, not
// the file: a browser downloads by navigation, and a million rows do not
// belong in a GraphQL response. The URL carries a token that says what to
// export for whom until when, signed with HMAC-SHA256 under a key only
// the server holds, so nothing is stored per link; the download also
// needs the same user's bearer token, so a leaked URL alone opens nothing.

// DownloadPath is where links point; the token follows as ?token=.
const DownloadPath = "/exports/download"

// DefaultLinkTTL and MaxLinkTTL bound ITAM_EXPORT_LINK_TTL: long enough to
// click, short enough that a copied link is soon worthless.
const (
	DefaultLinkTTL = 5 * time.Minute
	MaxLinkTTL     = time.Hour
)

// linkKeyInfo separates the link key from every other use of the secret
// it is derived from.
const linkKeyInfo = "itam export download links v1"

// DeriveKey derives the link signing key from a server secret (the
// credential-sealing key, else the JWT secret) with HKDF-SHA256, so the
// secret itself never signs links and a link never helps forge a token.
func DeriveKey(secret []byte) ([]byte, error) {
	if len(secret) < 16 {
		return nil, errors.New("exports: the secret to derive the link key from is shorter than 16 bytes")
	}
	return hkdf.Key(sha256.New, secret, nil, linkKeyInfo, 32)
}

// RandomKey is a link key for a process without a lasting secret: its
// links work only on the process that made them, until it restarts.
func RandomKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// Claims is what a link says: who may download what, in which format,
// until when. Filter is the kind's domain filter as JSON.
type Claims struct {
	Subject string          `json:"sub"`
	Org     uuid.UUID       `json:"org"`
	Role    itam.Role       `json:"role"`
	Kind    Kind            `json:"kind"`
	Filter  json.RawMessage `json:"filter,omitempty"`
	Columns []string        `json:"cols"`
	Format  Format          `json:"fmt"`
	Expires int64           `json:"exp"` // unix seconds
}

// ExpiresAt is when the link stops working.
func (c Claims) ExpiresAt() time.Time { return time.Unix(c.Expires, 0).UTC() }

// Signer makes and checks download links.
type Signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewSigner signs with key (32 bytes: DeriveKey or RandomKey); links live
// ttl (0: DefaultLinkTTL; above MaxLinkTTL is an error).
func NewSigner(key []byte, ttl time.Duration) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("exports: the link key must be 32 bytes")
	}
	if ttl == 0 {
		ttl = DefaultLinkTTL
	}
	if ttl < 0 || ttl > MaxLinkTTL {
		return nil, fmt.Errorf("exports: a link lives between 1s and %s", MaxLinkTTL)
	}
	return &Signer{key: key, ttl: ttl, now: time.Now}, nil
}

// WithClock returns a copy of s reading time from now (tests).
func (s *Signer) WithClock(now func() time.Time) *Signer {
	c := *s
	c.now = now
	return &c
}

// Sign fills in who (p) and until when, and returns the link's token and
// its claims.
func (s *Signer) Sign(p itam.Principal, c Claims) (string, Claims, error) {
	c.Subject, c.Org, c.Role = p.Subject, p.OrgID, p.Role
	// Whole seconds, rounded up, so a link never dies before its TTL.
	c.Expires = s.now().Add(s.ttl + time.Second - 1).Unix()
	payload, err := json.Marshal(c)
	if err != nil {
		return "", c, err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.mac(payload)), c, nil
}

func (s *Signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(payload)
	return m.Sum(nil)
}

// Why a link is refused; the route answers 401, 410 and 403 for them.
var (
	ErrLinkInvalid  = errors.New("this download link is not valid: export again")
	ErrLinkExpired  = errors.New("this download link has expired: export again")
	ErrLinkNotYours = errors.New("this download link was made for another user or organization")
	ErrRoleChanged  = errors.New("your role changed since this download link was made: export again")
)

// Verify checks token's signature, then its expiry, then that p (the
// bearer of the download request) is the user, organization and role it
// was made for, and that p may still export it (Authorize, Select).
func (s *Signer) Verify(token string, p itam.Principal) (Claims, error) {
	var c Claims
	enc := base64.RawURLEncoding
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > maxTokenLen {
		return c, ErrLinkInvalid
	}
	payload, err1 := enc.DecodeString(body)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(payload)) {
		return c, ErrLinkInvalid
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, ErrLinkInvalid
	}
	if !s.now().Before(c.ExpiresAt()) {
		return c, ErrLinkExpired
	}
	if c.Subject != p.Subject || c.Org != p.OrgID {
		return c, ErrLinkNotYours
	}
	if c.Role != p.Role {
		return c, ErrRoleChanged
	}
	if err := Authorize(p, c.Kind); err != nil {
		return c, err
	}
	if _, err := Select(p, c.Kind, c.Columns); err != nil {
		return c, err
	}
	if !c.Format.Valid() {
		return c, ErrLinkInvalid
	}
	return c, nil
}

// maxTokenLen bounds what Verify decodes: a filter of the API's largest
// size fits with room to spare.
const maxTokenLen = 64 << 10
