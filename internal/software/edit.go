package software

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Limits on what callers may ask of the rules.
const (
	// MaxRulesPerOrganization bounds an organization's title rules: every
	// sync page and every re-normalization compiles all of them, so the list
	// must stay a list an admin curates, not a dump of titles.
	MaxRulesPerOrganization = 2000
	// MaxTestSamples bounds testSoftwareTitleRules.
	MaxTestSamples = 500
	// maxSampleText bounds a sample's title, identifier and version.
	maxSampleText = 1000
)

// RequireRuleAdmin allows changing title rules (and re-normalizing) to
// ADMIN only: a rule re-attributes installations across every license
// position of the organization.
func RequireRuleAdmin(ctx context.Context) (itam.Principal, error) { return itam.RequireAdmin(ctx) }

// RequireRuleRead allows reading rules, runs and unmatched titles to
// ADMIN, MANAGER and AUDITOR; EMPLOYEE is FORBIDDEN.
func RequireRuleRead(ctx context.Context) (itam.Principal, error) { return itam.RequireReadAll(ctx) }

// RuleInput creates a rule. Position nil means last.
type RuleInput struct {
	Kind           MatchKind
	Pattern        string
	ProductID      uuid.UUID
	Edition        *string
	VersionPattern *string
	Position       *int
}

// NewRule validates in as a rule to insert among count existing rules and
// returns it with its position: the given one (1 … count+1, the rules from
// there on move down) or count+1. It refuses a rule past
// MaxRulesPerOrganization.
func NewRule(in RuleInput, count int) (Rule, error) {
	r := Rule{Kind: in.Kind, Pattern: in.Pattern, ProductID: in.ProductID, Edition: in.Edition, VersionPattern: in.VersionPattern}
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	if count >= MaxRulesPerOrganization {
		return Rule{}, itam.Conflict("", "an organization has at most %d software title rules; delete or merge some first", MaxRulesPerOrganization)
	}
	r.Position = count + 1
	if in.Position != nil {
		if *in.Position < 1 || *in.Position > count+1 {
			return Rule{}, itam.Invalid("position", "position must be between 1 and %d", count+1)
		}
		r.Position = *in.Position
	}
	return r, nil
}

// RulePatch changes a rule; Version must be current. Kind, Pattern and
// ProductID may be left out but not cleared (Set with a nil Value).
type RulePatch struct {
	ID             uuid.UUID
	Version        int
	Kind           itam.Optional[MatchKind]
	Pattern        itam.Optional[string]
	ProductID      itam.Optional[uuid.UUID]
	Edition        itam.Optional[string]
	VersionPattern itam.Optional[string]
}

// Apply returns cur changed by p, validated.
func (p RulePatch) Apply(cur Rule) (Rule, error) {
	r := cur
	if err := required(&r.Kind, "kind", p.Kind); err != nil {
		return Rule{}, err
	}
	if err := required(&r.Pattern, "pattern", p.Pattern); err != nil {
		return Rule{}, err
	}
	if err := required(&r.ProductID, "productId", p.ProductID); err != nil {
		return Rule{}, err
	}
	itam.PatchText(&r.Edition, p.Edition)
	itam.PatchText(&r.VersionPattern, p.VersionPattern)
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

func required[T any](dst *T, field string, o itam.Optional[T]) error {
	if !o.Set {
		return nil
	}
	if o.Value == nil {
		return itam.Invalid(field, "%s cannot be null", field)
	}
	*dst = *o.Value
	return nil
}

// CheckMove refuses moving a rule outside 1 … count.
func CheckMove(position, count int) error {
	if position < 1 || position > count {
		return itam.Invalid("position", "position must be between 1 and %d", count)
	}
	return nil
}

// CheckSamples bounds what testSoftwareTitleRules is asked to match.
func CheckSamples(samples []Title) error {
	if len(samples) > MaxTestSamples {
		return itam.Invalid("titles", "at most %d titles at a time (got %d)", MaxTestSamples, len(samples))
	}
	for _, s := range samples {
		for _, v := range []string{s.Title, s.Identifier, s.Version} {
			if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 || utf8.RuneCountInString(v) > maxSampleText {
				return itam.Invalid("titles", "titles, identifiers and versions are UTF-8 text of at most %d characters", maxSampleText)
			}
		}
	}
	return nil
}

// maxSearch bounds a search text.
const maxSearch = 256

// Check trims the filter and bounds it: a search of at most 256
// characters, minDevices of at least 1.
func (f *UnmatchedFilter) Check() error {
	f.Search, f.Source = itam.Trimmed(f.Search), itam.Trimmed(f.Source)
	if f.Search != nil && utf8.RuneCountInString(*f.Search) > maxSearch {
		return itam.Invalid("filter.search", "search is at most %d characters", maxSearch)
	}
	if f.Source != nil && utf8.RuneCountInString(*f.Source) > maxSearch {
		return itam.Invalid("filter.source", "source is at most %d characters", maxSearch)
	}
	if f.MinDevices != nil && *f.MinDevices < 1 {
		return itam.Invalid("filter.minDevices", "minDevices must be at least 1")
	}
	return nil
}
