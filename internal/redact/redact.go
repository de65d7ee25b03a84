// Package redact keeps secret values (connector credentials) out of text
// shown to people: run messages, connection-test results, validation errors.
package redact

import (
	"cmp"
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
