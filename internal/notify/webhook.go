package notify

import (
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/itam"
)

// Format is the body shape a subscription receives.
type Format string

// Formats: JSON is itam's own signed payload; SLACK a Slack incoming
// webhook's {"text": …}; TEAMS a Microsoft Teams message with one Adaptive
// Card, as Teams incoming webhooks and Workflows ("When a Teams webhook
// request is received") accept it. Every format is signed the same way.
const (
	FormatJSON  Format = "JSON"
	FormatSlack Format = "SLACK"
	FormatTeams Format = "TEAMS"
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == FormatJSON || f == FormatSlack || f == FormatTeams }

// Subscription is an outgoing webhook. Its secret is never part of it: the
// store seals it at rest and opens it only to sign a delivery.
type Subscription struct {
	ID        uuid.UUID
	URL       string
	Events    []Kind
	Format    Format
	Active    bool
	HasSecret bool
	Version   int
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Wants reports whether the subscription receives notifications of kind k.
func (s Subscription) Wants(k Kind) bool { return s.Active && slices.Contains(s.Events, k) }

// Limits on subscription input.
const (
	MaxURLLength    = 2048
	MinSecretLength = 16
	MaxSecretLength = 256
)

// SubscriptionInput creates a subscription (nil fields: defaults) or, as a
// patch, changes the fields it sets.
type SubscriptionInput struct {
	URL    *string
	Events []Kind // nil: unchanged (patch) / required (create)
	Secret *string
	Format *Format
	Active *bool
}

// CheckURL validates a webhook target the way connectors' URLs are
// guarded: an absolute https URL (http only to an address the egress
// policy allows, which is how tests reach a local receiver), without
// credentials, whose host is not a literal loopback, private, link-local
// or otherwise non-public address nor "localhost" unless allow lists it.
// Names are not resolved here: a name can resolve elsewhere later (DNS
// rebinding), so deliveries are guarded again on the address they dial.
func CheckURL(raw string, allow []netip.Prefix) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", itam.Invalid("url", "url is required")
	}
	if len(raw) > MaxURLLength {
		return "", itam.Invalid("url", "url is at most %d characters", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "" {
		return "", itam.Invalid("url", "url must be an absolute https URL")
	}
	if u.User != nil {
		return "", itam.Invalid("url", "url must not carry credentials: use the subscription's secret")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	refused := itam.Invalid("url", "url points to a loopback, private or otherwise non-public address, which is refused")
	addr, literal := literalAddr(host)
	switch {
	case literal && !vendorhttp.Allowed(addr, allow):
		return "", refused
	case !literal && (host == "localhost" || strings.HasSuffix(host, ".localhost")):
		if !vendorhttp.Allowed(netip.MustParseAddr("127.0.0.1"), allow) {
			return "", refused
		}
	}
	if u.Scheme == "http" {
		// Plain http only where the policy allows a private target (a
		// local test receiver): elsewhere the body and its signature
		// would cross the Internet in clear text.
		if !literal || !slices.ContainsFunc(allow, func(p netip.Prefix) bool { return p.Contains(addr) }) {
			return "", itam.Invalid("url", "url must use https")
		}
	}
	u.Fragment = ""
	return u.String(), nil
}

// literalAddr parses host as an IP address, including the forms
// net.ParseIP reads that netip does not (IPv4-mapped IPv6 with brackets
// stripped by Hostname already).
func literalAddr(host string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.WithZone("").Unmap(), true
	}
	if ip := net.ParseIP(host); ip != nil {
		a, ok := netip.AddrFromSlice(ip)
		return a.Unmap(), ok
	}
	return netip.Addr{}, false
}

// CheckEvents validates a subscription's events: 1 to len(Kinds) known
// kinds, repeats dropped, in the schema's order.
func CheckEvents(events []Kind) ([]Kind, error) {
	if len(events) == 0 {
		return nil, itam.Invalid("events", "events must name at least one notification kind")
	}
	var out []Kind
	for i, k := range events {
		if !k.Valid() {
			return nil, itam.Invalid("events", "events[%d]: unknown notification kind %q", i, k)
		}
	}
	for _, k := range Kinds {
		if slices.Contains(events, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// CheckSecret validates a signing secret: 16 to 256 characters, no
// whitespace at the ends (a pasted newline would make every signature
// differ from the receiver's).
func CheckSecret(s string) error {
	if s != strings.TrimSpace(s) {
		return itam.Invalid("secret", "secret must not start or end with whitespace")
	}
	if len(s) < MinSecretLength || len(s) > MaxSecretLength {
		return itam.Invalid("secret", "secret must be %d to %d characters", MinSecretLength, MaxSecretLength)
	}
	return nil
}

// Validated is a checked subscription input: what the store writes.
type Validated struct {
	URL    *string
	Events []Kind
	Secret *string
	Format *Format
	Active *bool
}

// ValidateCreate checks a new subscription; url, events and secret are
// required; format defaults to JSON and active to true.
func (in SubscriptionInput) ValidateCreate(allow []netip.Prefix) (Validated, error) {
	if in.URL == nil {
		return Validated{}, itam.Invalid("url", "url is required")
	}
	if in.Secret == nil {
		return Validated{}, itam.Invalid("secret", "secret is required")
	}
	if in.Events == nil {
		return Validated{}, itam.Invalid("events", "events must name at least one notification kind")
	}
	v, err := in.ValidatePatch(allow)
	if err != nil {
		return v, err
	}
	if v.Format == nil {
		f := FormatJSON
		v.Format = &f
	}
	if v.Active == nil {
		on := true
		v.Active = &on
	}
	return v, nil
}

// ValidatePatch checks the fields a change sets.
func (in SubscriptionInput) ValidatePatch(allow []netip.Prefix) (Validated, error) {
	var v Validated
	if in.URL != nil {
		u, err := CheckURL(*in.URL, allow)
		if err != nil {
			return v, err
		}
		v.URL = &u
	}
	if in.Events != nil {
		ev, err := CheckEvents(in.Events)
		if err != nil {
			return v, err
		}
		v.Events = ev
	}
	if in.Secret != nil {
		if err := CheckSecret(*in.Secret); err != nil {
			return v, err
		}
		v.Secret = in.Secret
	}
	if in.Format != nil {
		if !in.Format.Valid() {
			return v, itam.Invalid("format", "unknown format %q", *in.Format)
		}
		v.Format = in.Format
	}
	v.Active = in.Active
	return v, nil
}
