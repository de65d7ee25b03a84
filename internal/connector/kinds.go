// Package connector holds the rules of connector configuration: the kinds,
// the credentials each kind takes, URLs, options, schedules and webhook
// secrets. It is plain data and functions, with no database and no vendor
// import: internal/postgres stores what Service has validated (through the
// Store interface, in internal/itam's types, so storage does not import
// this package nor its cron parser), and the vendor packages are reached
// only through the check Service is given.
package connector

import (
	"slices"
	"sort"
	"strings"

	"github.com/itam-dev/itam/internal/itam"
)

// The connector kinds (named in internal/itam, which storage shares).
const (
	JamfPro = itam.ConnectorJamfPro
	Intune  = itam.ConnectorIntune
	Kandji  = itam.ConnectorKandji
	Fleet   = itam.ConnectorFleet

	ServiceNow   = itam.ConnectorServiceNow
	JSMAssets    = itam.ConnectorJSMAssets
	Freshservice = itam.ConnectorFreshservice
)

// Kinds are the kinds a connector can have.
var Kinds = itam.ConnectorKinds

// credentialSets lists, per kind, the sets of credentials that each suffice;
// names outside every set are refused so a typo does not pass silently.
var credentialSets = map[string][][]string{
	JamfPro: {{"clientId", "clientSecret"}, {"username", "password"}},
	Intune:  {{"tenantId", "clientId", "clientSecret"}},
	Kandji:  {{"apiToken"}},
	Fleet:   {{"apiToken"}},
	// ServiceNow: basic auth, or OAuth (client credentials; with a user and
	// password too, the password grant).
	ServiceNow:   {{"username", "password"}, {"clientId", "clientSecret"}, {"clientId", "clientSecret", "username", "password"}},
	JSMAssets:    {{"email", "apiToken"}},
	Freshservice: {{"apiKey"}},
}

// kindsNeedingBaseURL have no public default endpoint: every tenant has its own.
var kindsNeedingBaseURL = []string{JamfPro, Kandji, Fleet, ServiceNow, JSMAssets, Freshservice}

// Limits on connector input.
const (
	maxName              = 200
	maxCredentialLen     = 16 << 10
	maxScheduleMinutes   = 366 * 24 * 60
	defaultStaleDays     = 30
	webhookSecretBytes   = 32
	minWebhookSecretLen  = 16
	maxWebhookSecretLen  = 512
	maxOptionsJSONLength = 64 << 10
)

// ValidKind checks a connector kind.
func ValidKind(kind string) error {
	if !slices.Contains(Kinds, kind) {
		return itam.Invalid("kind", "unknown connector kind %q", kind)
	}
	return nil
}

// NeedsBaseURL says whether a kind has no default endpoint.
func NeedsBaseURL(kind string) bool { return slices.Contains(kindsNeedingBaseURL, kind) }

// ValidateCredentials checks credentials for kind: every name must be one
// the kind knows, and at least one complete set must be given. It returns
// the trimmed, non-empty credentials. Errors name "credentials.<name>" and
// never quote a value.
func ValidateCredentials(kind string, creds map[string]string) (map[string]string, error) {
	sets, ok := credentialSets[kind]
	if !ok {
		return nil, itam.Invalid("kind", "unknown connector kind %q", kind)
	}
	known := map[string]bool{}
	for _, set := range sets {
		for _, n := range set {
			known[n] = true
		}
	}
	out := map[string]string{}
	names := make([]string, 0, len(creds))
	for k := range creds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !known[k] {
			return nil, itam.Invalid("credentials."+k, "a %s connector takes no credential named %q", kind, k)
		}
		v := strings.TrimSpace(creds[k])
		if len(v) > maxCredentialLen {
			return nil, itam.Invalid("credentials."+k, "%s is too long", k)
		}
		if v != "" {
			out[k] = v
		}
	}
	best, bestGiven := 0, -1
	for i, set := range sets {
		given := 0
		for _, n := range set {
			if out[n] != "" {
				given++
			}
		}
		if given == len(set) {
			return out, nil
		}
		if given > bestGiven {
			best, bestGiven = i, given
		}
	}
	for _, n := range sets[best] {
		if out[n] == "" {
			if len(sets) > 1 && bestGiven == 0 {
				alts := make([]string, len(sets))
				for i, set := range sets {
					alts[i] = strings.Join(set, " and ")
				}
				return nil, itam.Invalid("credentials."+n, "a %s connector needs %s", kind, strings.Join(alts, ", or "))
			}
			return nil, itam.Invalid("credentials."+n, "%s is required", n)
		}
	}
	return out, nil // unreachable: best is incomplete
}
