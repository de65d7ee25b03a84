package intune

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// checkLink makes sure a next link (or a stored cursor) points at the
// configured Graph endpoint, under the collection being paged (area, below
// the base URL's path), before the bearer token is sent there: a response
// or a tampered cursor must not be able to send the token, or the sync,
// elsewhere. The link is only inspected, never rebuilt ("Paging Microsoft
// Graph data in your app": follow @odata.nextLink as it is); the request
// itself still goes through the egress guard like every other.
func (s *source) checkLink(link, area string) error {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() || u.User != nil || !strings.EqualFold(u.Scheme, s.base.Scheme) ||
		!sameHost(u, s.base) || !strings.HasPrefix(u.Path, s.base.Path+area) {
		return s.malformed(vendorhttp.RedactURL(link), errors.New("next link does not point at the configured Graph endpoint"))
	}
	return nil
}

// sameHost compares hosts case-insensitively, an explicit default port
// being the same as none.
func sameHost(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		return defaultPort(u.Scheme)
	}
	return strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func (s *source) malformed(at string, err error) error {
	if !strings.HasPrefix(at, "http") {
		at = s.base.String() + at
	}
	return &connectors.MalformedError{URL: vendorhttp.RedactURL(at), Err: err}
}

// odataQuery writes query options as Graph's documentation does: "$"
// names as they are, values percent-encoded with %20 for a space (OData
// does not read "+" as a space) and commas and colons left readable.
func odataQuery(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		v := url.QueryEscape(kv[i+1])
		v = strings.NewReplacer("+", "%20", "%2C", ",", "%3A", ":").Replace(v)
		b.WriteString(kv[i] + "=" + v)
	}
	return b.String()
}

// parseBaseURL reads the Graph service root. A root pasted with its API
// version (https://graph.microsoft.us/v1.0) works like the bare one: the
// connector adds /v1.0 or /beta per request.
func parseBaseURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		raw = DefaultBaseURL
	}
	clean, ok := connectors.VendorURL(raw, "/v1.0", "/beta")
	var u *url.URL
	var err error
	if ok {
		u, err = url.Parse(clean)
	}
	if !ok || err != nil {
		return nil, &connectors.ConfigError{Field: "baseURL", Message: fmt.Sprintf("baseURL must be an http(s) URL, got %q", raw)}
	}
	return u, nil
}

func parseEndpoint(field, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &connectors.ConfigError{Field: field, Message: fmt.Sprintf("%s must be an http(s) URL, got %q", field, raw)}
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}
