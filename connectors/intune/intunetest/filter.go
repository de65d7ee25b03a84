package intunetest

import (
	"strings"
	"time"
)

// The $filter the fake accepts on managedDevices is what the managedDevice
// property documentation names ("managedDevice resource type", beta, whose
// property descriptions say which $filter operators each property
// supports; v1.0 documents none, and Graph answers the same service):
//
//	lastSyncDateTime, enrolledDateTime       lt, gt   (DateTimeOffset, unquoted)
//	deviceName                               eq, contains
//	complianceState, managementAgent,
//	deviceCategoryDisplayName, jailBroken    eq, or
//
// Anything else — ge and le included, which Intune has been seen to ignore
// or answer wrongly instead of refusing (microsoftgraph/powershell-intune-
// samples#11) — is a 400 with Graph's error body, so a connector using an
// undocumented filter fails loudly here instead of silently listing
// everything (or nothing) in production.

// invalidFilter is Graph's message for a filter it does not support
// (e.g. microsoftgraph/microsoft-graph-docs#5676).
const invalidFilter = "Invalid filter clause"

type filterClause struct {
	prop, op string
	str      string
	at       time.Time
}

// deviceFilter is a parsed $filter: clauses joined by "or" (a single
// clause when there is no "or").
type deviceFilter []filterClause

var filterOps = map[string][]string{
	"lastSyncDateTime":          {"lt", "gt"},
	"enrolledDateTime":          {"lt", "gt"},
	"deviceName":                {"eq", "contains"},
	"complianceState":           {"eq", "or"},
	"managementAgent":           {"eq", "or"},
	"deviceCategoryDisplayName": {"eq", "or"},
	"jailBroken":                {"eq", "or"},
}

func allows(prop, op string) bool {
	for _, o := range filterOps[prop] {
		if o == op {
			return true
		}
	}
	return false
}

// parseFilter reads $filter; msg is Graph's error message when the filter
// is not one the documentation allows ("" for a valid or absent filter).
func parseFilter(raw string) (deviceFilter, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, ""
	}
	parts := splitOr(raw)
	var f deviceFilter
	for _, p := range parts {
		c, ok := parseClause(strings.TrimSpace(p))
		if !ok {
			return nil, invalidFilter
		}
		if len(parts) > 1 && !allows(c.prop, "or") {
			return nil, invalidFilter
		}
		f = append(f, c)
	}
	return f, ""
}

// splitOr splits on " or " outside quoted literals.
func splitOr(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			quoted = !quoted
		case !quoted && strings.HasPrefix(s[i:], " or "):
			out = append(out, s[start:i])
			start = i + len(" or ")
			i += len(" or ") - 1
		}
	}
	return append(out, s[start:])
}

func parseClause(s string) (filterClause, bool) {
	if rest, ok := strings.CutPrefix(s, "contains("); ok && strings.HasSuffix(rest, ")") {
		prop, lit, ok := strings.Cut(strings.TrimSuffix(rest, ")"), ",")
		str, okLit := stringLiteral(strings.TrimSpace(lit))
		prop = strings.TrimSpace(prop)
		return filterClause{prop: prop, op: "contains", str: str}, ok && okLit && allows(prop, "contains")
	}
	prop, rest, ok := strings.Cut(s, " ")
	if !ok {
		return filterClause{}, false
	}
	op, lit, ok := strings.Cut(strings.TrimSpace(rest), " ")
	if !ok || !allows(prop, op) {
		return filterClause{}, false
	}
	lit = strings.TrimSpace(lit)
	c := filterClause{prop: prop, op: op}
	if prop == "lastSyncDateTime" || prop == "enrolledDateTime" {
		// An Edm.DateTimeOffset literal is not quoted.
		t, err := time.Parse(time.RFC3339Nano, lit)
		c.at = t
		return c, err == nil
	}
	c.str, ok = stringLiteral(lit)
	return c, ok
}

func stringLiteral(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), true
}

// match reports whether d passes the filter (nil passes everything).
func (f deviceFilter) match(d ManagedDevice) bool {
	if f == nil {
		return true
	}
	for _, c := range f {
		if c.match(d) {
			return true
		}
	}
	return false
}

func (c filterClause) match(d ManagedDevice) bool {
	var at time.Time
	switch c.prop {
	case "lastSyncDateTime":
		at = d.LastSyncDateTime
	case "enrolledDateTime":
		at = d.EnrolledDateTime
	case "deviceName":
		if c.op == "contains" {
			return strings.Contains(strings.ToLower(d.DeviceName), strings.ToLower(c.str))
		}
		return strings.EqualFold(d.DeviceName, c.str)
	case "complianceState":
		return strings.EqualFold(d.ComplianceState, c.str)
	case "managementAgent":
		return strings.EqualFold(d.ManagementAgent, c.str)
	case "deviceCategoryDisplayName":
		return strings.EqualFold("Unknown", c.str) // every generated device's category
	case "jailBroken":
		return strings.EqualFold("False", c.str)
	}
	// Served dates are what the comparison sees: Intune's "never"
	// (0001-01-01) included.
	if c.op == "gt" {
		return at.After(c.at)
	}
	return at.Before(c.at)
}
