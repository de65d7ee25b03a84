package vendorhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Call is one request for Client.Do, for what GetJSON, PostJSON and
// SendJSON cannot say: a response header to read (Link paging), a JSON
// body on a read (Atlassian's AQL search is a POST), or an absolute URL on
// a second host of the same vendor.
type Call struct {
	Method string
	// Path is relative to Options.BaseURL, or an absolute URL (a vendor's
	// second API host, a Link header's next page); the guarded Transport
	// checks either.
	Path  string
	Query url.Values
	// Body, when non-nil, is sent as JSON.
	Body any
	// Form, when non-nil, is sent form-encoded instead (OAuth token
	// endpoints such as ServiceNow's /oauth_token.do accept nothing else).
	// It never appears in errors: they quote the redacted URL only.
	Form url.Values
	// Safe says the request changes nothing although it is a POST (a
	// search), so a 5xx or transport failure is retried as for a GET.
	// GET, PUT, PATCH and DELETE are retried anyway; other POSTs only when
	// throttled (429, or 503 with Retry-After: SendJSON's rule), as they
	// may have created a record.
	Safe bool
}

// Do sends k, retrying on its own as GetJSON does, and decodes a 2xx JSON
// answer into out (nil: the body is not read). It returns the headers of
// the last answer the vendor gave (nil when none arrived), on failure too,
// so a caller can read paging links or rate-limit state. Errors are
// classified as GetJSON's.
func (c *Client) Do(ctx context.Context, k Call, out any) (http.Header, error) {
	var hdr http.Header
	kc := call{method: k.Method, path: k.Path, query: k.Query, respHeader: &hdr}
	if kc.method == "" {
		kc.method = http.MethodGet
	}
	kc.retryTransient = kc.method != http.MethodPost || k.Safe
	switch {
	case k.Body != nil && k.Form != nil:
		return nil, fmt.Errorf("a request to %s has both a JSON body and a form", RedactURL(k.Path))
	case k.Form != nil:
		kc.body, kc.contentType = []byte(k.Form.Encode()), "application/x-www-form-urlencoded"
	case k.Body != nil:
		b, err := json.Marshal(k.Body)
		if err != nil {
			return nil, fmt.Errorf("encoding the request to %s: %w", RedactURL(k.Path), err)
		}
		kc.body = b
	}
	err := c.do(ctx, kc, out)
	return hdr, err
}

// NextLink returns the target of the rel="next" entry of an RFC 8288 Link
// header ("" when there is none: the last page). It accepts what vendors
// send: several links in one header or several headers, parameters with
// or without a space after ";" (ServiceNow writes `<…>;rel="next"`), the
// relation quoted or not and among others (rel="next last").
func NextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, link := range splitLinks(v) {
			target, params, ok := strings.Cut(link, ";")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				name, val, _ := strings.Cut(p, "=")
				if !strings.EqualFold(strings.TrimSpace(name), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target[1 : len(target)-1]
					}
				}
			}
		}
	}
	return ""
}

// splitLinks splits a Link header value at the commas between links, not
// those inside a <URI> (a query may hold one).
func splitLinks(v string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range v {
		switch r {
		case '<':
			depth++
		case '>':
			depth = max(depth-1, 0)
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(v[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(v[start:]))
}
