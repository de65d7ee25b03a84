package vendorhttp

import (
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/go-resty/resty/v2"

	"github.com/itam-dev/itam/connectors"
)

// Bounds of a vendor's error message: only the start of the body is read,
// and the message shown is short enough for a run report or an asset.
const (
	maxErrorBody    = 16 << 10
	maxMessageRunes = 300
)

// forbidden turns a 403 into a *connectors.ForbiddenError naming what was
// refused ("GET /api/v1/computers-inventory"), the privilege the vendor
// documents for it (Options.PrivilegeFor) and the vendor's own message.
func (c *Client) forbidden(resp *resty.Response) error {
	method, path := "", ""
	if resp.Request != nil {
		method = resp.Request.Method
		if resp.Request.RawRequest != nil {
			path = resp.Request.RawRequest.URL.Path
		} else if u, err := url.Parse(resp.Request.URL); err == nil {
			path = u.Path
		}
	}
	e := &connectors.ForbiddenError{Endpoint: strings.TrimSpace(method + " " + path), Message: VendorMessage(resp.RawBody())}
	if c.privilegeFor != nil {
		e.Privilege = c.privilegeFor(method, path)
	}
	return e
}

// VendorMessage extracts the human message from an error body: the JSON
// fields vendors use (message, error, error_description, detail,
// description, title, errorMessages, errors[]; nested one level, as
// Graph's and ServiceNow's {"error": {"message": …}}), or the text of a
// plain-text body, whitespace collapsed and bounded. HTML pages (proxies,
// login walls) and empty bodies give "".
func VendorMessage(body io.Reader) string {
	if body == nil {
		return ""
	}
	raw, err := io.ReadAll(io.LimitReader(body, maxErrorBody))
	if err != nil && len(raw) == 0 {
		return ""
	}
	text := strings.TrimSpace(string(raw))
	if text == "" {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		return bound(strings.Join(messages(v, 0), "; "))
	}
	if strings.HasPrefix(text, "<") {
		return "" // an HTML page says nothing a person can act on
	}
	return bound(text)
}

// summaryKeys hold a message, most specific first; detailKeys hold lists
// of them (Jamf's and Freshservice's errors[], JSM's errorMessages).
var (
	summaryKeys = []string{"message", "errorMessage", "error_description", "description", "detail", "title", "reason", "error"}
	detailKeys  = []string{"errorMessages", "errors"}
)

// messages collects the message strings of v: the first summary of an
// object, ServiceNow's detail after its message, then its detail lists,
// each entry prefixed by the field it names.
func messages(v any, depth int) []string {
	if depth > 3 {
		return nil
	}
	switch x := v.(type) {
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return []string{s}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = appendNew(out, messages(e, depth+1)...)
			if len(out) >= 5 {
				break
			}
		}
		return out
	case map[string]any:
		var out []string
		for _, k := range summaryKeys {
			if e, ok := x[k]; ok {
				if out = appendNew(out, messages(e, depth+1)...); len(out) > 0 {
					break
				}
			}
		}
		if d, ok := x["detail"].(string); ok && len(out) > 0 {
			out = appendNew(out, strings.TrimSpace(d)) // ServiceNow: {"message", "detail"}
		}
		for _, k := range detailKeys {
			out = appendNew(out, messages(x[k], depth+1)...)
		}
		if f, ok := x["field"].(string); ok && f != "" && len(out) == 1 {
			out[0] = f + ": " + out[0]
		}
		if len(out) == 0 && depth > 0 {
			// JSM's errors: {"field": "message"} carry it by field.
			for _, k := range slices.Sorted(maps.Keys(x)) {
				if s, ok := x[k].(string); ok && strings.TrimSpace(s) != "" {
					out = appendNew(out, k+": "+strings.TrimSpace(s))
				}
			}
		}
		return out
	}
	return nil
}

func appendNew(out []string, more ...string) []string {
	for _, m := range more {
		dup := m == ""
		for _, o := range out {
			dup = dup || o == m
		}
		if !dup {
			out = append(out, m)
		}
	}
	return out
}

// bound collapses whitespace and control characters and cuts s to
// maxMessageRunes.
func bound(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(s); len(r) > maxMessageRunes {
		s = string(r[:maxMessageRunes]) + "…"
	}
	return s
}
