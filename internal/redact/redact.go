// Package redact keeps secret values (connector credentials) out of text
// shown to people: run messages, connection-test results, validation errors;
// and connector endpoints out of what callers who may not see them read.
package redact

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Mask replaces each secret value.
const Mask = "[redacted]"

// minLen is the shortest value replaced: masking every "a" or "1" in a
// message would garble it without protecting anything.
const minLen = 4

// Secrets replaces every value of secrets (of at least four bytes) in s
// with Mask. Longer values go first, so a secret that contains another is
// masked whole rather than in pieces around the shorter one.
func Secrets(s string, secrets map[string]string) string {
	vals := make([]string, 0, len(secrets))
	for _, v := range secrets {
		if len(v) >= minLen {
			vals = append(vals, v)
		}
	}
	slices.SortFunc(vals, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, v := range vals {
		s = strings.ReplaceAll(s, v, Mask)
	}
	return s
}

// Endpoints replaces in s each of urls (a connector's base and auth URLs)
// with Mask, together with the host, host:port and hostname they name:
// vendor HTTP errors quote the URL they called, with a path appended, and
// DNS and dial errors quote the host alone. Hosts match in any case, as DNS
// names do. Values shorter than four bytes are left, as in Secrets.
func Endpoints(s string, urls ...string) string {
	var vals []string
	add := func(v string) {
		if len(v) >= minLen && !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	for _, raw := range urls {
		raw = strings.TrimSpace(raw)
		add(strings.TrimRight(raw, "/"))
		if u, err := url.Parse(raw); err == nil {
			add(u.Host)
			add(u.Hostname())
		}
	}
	if len(vals) == 0 {
		return s
	}
	slices.SortFunc(vals, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = regexp.QuoteMeta(v)
	}
	// One alternation, longest first, so a URL is masked whole rather than
	// around its host.
	return regexp.MustCompile("(?i)"+strings.Join(quoted, "|")).ReplaceAllLiteralString(s, Mask)
}
