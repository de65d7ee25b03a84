package connectors

import (
	"fmt"
	"net/url"
	"strings"
)

// VendorURL reads an instance URL a person pasted: trimmed, http(s) with a
// host, query and fragment dropped, then trailing "/" and each pasted API
// suffix given removed in turn (e.g. "/api/v1", "/api"), so the API's own
// base works like the bare host. ok is false for anything else; empty
// input is the caller's to refuse, in its own words.
func VendorURL(raw string, suffixes ...string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", false
	}
	u.RawQuery, u.Fragment = "", ""
	p := strings.TrimRight(u.Path, "/")
	for _, s := range suffixes {
		p = strings.TrimSuffix(p, s)
	}
	u.Path = p
	return strings.TrimRight(u.String(), "/"), true
}

// BaseURL is VendorURL for a connector's required baseUrl, refusing what
// is not one in the same words for every vendor: what is the vendor's
// description of the URL ("the Kandji API URL from Settings > Access"),
// example an example of it.
func BaseURL(raw, what, example string, suffixes ...string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", &ConfigError{Field: "baseUrl", Message: fmt.Sprintf("baseUrl is required: %s, e.g. %s", what, example)}
	}
	u, ok := VendorURL(raw, suffixes...)
	if !ok {
		return "", &ConfigError{Field: "baseUrl", Message: fmt.Sprintf("baseUrl %q is not an http(s) URL (%s, e.g. %s)", strings.TrimSpace(raw), what, example)}
	}
	return u, nil
}
