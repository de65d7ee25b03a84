package vendorhttp

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// Transport carries every request of a vendor client, its token requests
// and the redirects they follow. Underneath, connections are dialed only
// to addresses the Egress policy allows, checked on the address actually
// dialed after DNS resolution (so neither a name resolving to 127.0.0.1 nor
// a DNS answer that changes between check and use gets through), and
// response bodies are cut at the policy's cap while they are read.
// It is built only by NewTransport, so no vendor client can skip the guard.
type Transport struct {
	rt  http.RoundTripper
	max int64
}

// NewTransport returns the guarded transport for policy e.
func NewTransport(e connectors.Egress) *Transport {
	var rt http.RoundTripper = guardedBase(e.AllowPrivate)
	if e.WrapTransport != nil {
		rt = e.WrapTransport(rt)
	}
	return &Transport{rt: rt, max: e.MaxBytes()}
}

// RoundTrip sends req through the guard and caps the response body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		_ = resp.Body.Close()
		return nil, &connectors.TooLargeError{Limit: t.max}
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: t.max, limit: t.max}
	return resp, nil
}

// Client is an *http.Client over t, for libraries that take one (OAuth
// token requests via the oauth2.HTTPClient context key).
func (t *Transport) Client(timeout time.Duration) *http.Client {
	return &http.Client{Transport: t, Timeout: timeout}
}

// cappedBody fails a read that would go past limit instead of returning
// more: the decoder stops there, the rest is never read.
type cappedBody struct {
	io.ReadCloser
	left, limit int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// A body of exactly the limit is fine: look for one byte more.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, &connectors.TooLargeError{Limit: b.limit}
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// bases shares one connection pool per allow-list: a Source is built per
// sync and per test, and a pool each would leave idle connections behind.
var bases sync.Map // canonical allow-list → *http.Transport

func guardedBase(allow []netip.Prefix) *http.Transport {
	key := make([]string, len(allow))
	for i, p := range allow {
		key[i] = p.Masked().String()
	}
	slices.Sort(key)
	k := strings.Join(key, ",")
	if t, ok := bases.Load(k); ok {
		return t.(*http.Transport)
	}
	allow = slices.Clone(allow)
	d := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		// Control sees the resolved address each connection attempt uses.
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &connectors.BlockedAddressError{}
			}
			if a := ap.Addr().WithZone(""); !Allowed(a, allow) {
				return &connectors.BlockedAddressError{Addr: a.Unmap()}
			}
			return nil
		},
	}
	t := &http.Transport{
		// No proxy from the environment: a proxy resolves names itself,
		// which would put the target's address out of the guard's sight.
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	actual, _ := bases.LoadOrStore(k, t)
	return actual.(*http.Transport)
}

// Allowed reports whether a connection to a is permitted: a public unicast
// address, or one inside allow.
func Allowed(a netip.Addr, allow []netip.Prefix) bool {
	a = a.WithZone("").Unmap()
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	return public(a)
}

// refusedV4 and refusedV6 are the special-purpose ranges (RFC 6890 and the
// IANA registries) that are not the public Internet.
var (
	refusedV4 = prefixes(
		"0.0.0.0/8",       // "this network", 0.0.0.0
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // carrier-grade NAT
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local, cloud metadata (169.254.169.254)
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"192.88.99.0/24",  // 6to4 relay anycast
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, broadcast
	)
	refusedV6 = prefixes(
		"::/96",          // unspecified, loopback, IPv4-compatible
		"64:ff9b:1::/48", // local-use IPv4/IPv6 translation
		"100::/64",       // discard
		"2001::/23",      // IETF protocol assignments, Teredo (2001::/32)
		"2001:db8::/32",  // documentation
		"fc00::/7",       // unique local
		"fe80::/10",      // link-local
		"fec0::/10",      // site-local (deprecated)
		"ff00::/8",       // multicast
	)
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func public(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	if a.Is4() {
		return !slices.ContainsFunc(refusedV4, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	if slices.ContainsFunc(refusedV6, func(p netip.Prefix) bool { return p.Contains(a) }) {
		return false
	}
	// Addresses that carry an IPv4 address reach it: judge that one.
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return public(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		return public(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return true
}

// IsBlocked reports whether err is a refusal of the egress policy.
func IsBlocked(err error) bool {
	var be *connectors.BlockedAddressError
	return errors.As(err, &be)
}
