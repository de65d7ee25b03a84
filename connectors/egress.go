package connectors

import (
	"fmt"
	"net/http"
	"net/netip"
)

// DefaultMaxResponseBytes bounds one vendor response when Egress does not:
// a page of a thousand devices with their software is a few megabytes, so
// 32 MB leaves room while a hostile or broken endpoint cannot make the
// process hold gigabytes.
const DefaultMaxResponseBytes = 32 << 20

// Egress is the outbound network policy of a connector. Its zero value is
// the safe one: every loopback, private, link-local, multicast and other
// non-public address is refused, and responses are capped at
// DefaultMaxResponseBytes. Vendor clients always apply it; there is no way
// to build one without it.
type Egress struct {
	// AllowPrivate lists address ranges reachable despite being non-public
	// (ITAM_CONNECTOR_ALLOW_PRIVATE): on-premises vendors and tests.
	AllowPrivate []netip.Prefix
	// MaxResponseBytes bounds one response body (0: DefaultMaxResponseBytes).
	MaxResponseBytes int64
	// WrapTransport, when set, wraps the guarded transport: tests observe or
	// alter requests with it. The guard stays underneath, so a wrapper can
	// never reach an address the policy refuses.
	WrapTransport func(guarded http.RoundTripper) http.RoundTripper
}

// MaxBytes is the effective response cap.
func (e Egress) MaxBytes() int64 {
	if e.MaxResponseBytes > 0 {
		return e.MaxResponseBytes
	}
	return DefaultMaxResponseBytes
}

// AllowLoopback is the policy of tests whose vendor fakes listen on
// 127.0.0.1 (httptest): loopback only, everything else still refused.
func AllowLoopback() Egress {
	return Egress{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
}

// BlockedAddressError means a request would have connected to an address
// the egress policy refuses. It is raised before connecting, so it reads the
// same whether or not anything listens there: it cannot map a network.
type BlockedAddressError struct {
	Addr netip.Addr
}

func (e *BlockedAddressError) Error() string {
	return fmt.Sprintf("address %s is not allowed: loopback/private targets are refused (ITAM_CONNECTOR_ALLOW_PRIVATE)", e.Addr)
}

// TooLargeError means a vendor response grew past the cap; it was not
// decoded and the page fails.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Limit >= 1<<20 && e.Limit%(1<<20) == 0 {
		return fmt.Sprintf("vendor response exceeds %d MB", e.Limit>>20)
	}
	return fmt.Sprintf("vendor response exceeds %d bytes", e.Limit)
}
