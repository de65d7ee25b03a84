// Package software normalizes what MDM connectors report installed (a title,
// a version and an identifier such as a bundle id or package name) into
// software products, through an ordered list of admin-editable rules. It is
// pure: storage loads the rules, Compile turns them into a Matcher, and the
// Matcher maps each reported installation to a product, an edition and a
// normalized version. Starter holds the rule set seeded per organization.
package software

import (
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// MatchKind says how a rule's pattern is compared with a reported installation.
type MatchKind string

const (
	// MatchExact: the normalized title equals the pattern (case-insensitive).
	MatchExact MatchKind = "EXACT"
	// MatchPrefix: the normalized title starts with the pattern (case-insensitive).
	MatchPrefix MatchKind = "PREFIX"
	// MatchRegex: the pattern, a Go (RE2) regular expression, matches somewhere
	// in the normalized title (case-insensitive; anchor it with ^ and $).
	MatchRegex MatchKind = "REGEX"
	// MatchIdentifier: the reported identifier (bundle id, package name)
	// equals the pattern (case-insensitive); the title is not looked at.
	MatchIdentifier MatchKind = "IDENTIFIER"
)

// Kinds lists every match kind, in the order they are documented.
var Kinds = []MatchKind{MatchExact, MatchPrefix, MatchRegex, MatchIdentifier}

// Valid reports whether k is a known match kind.
func (k MatchKind) Valid() bool {
	switch k {
	case MatchExact, MatchPrefix, MatchRegex, MatchIdentifier:
		return true
	}
	return false
}

// MaxPatternLength bounds rule patterns (editions share MaxEditionLength). Patterns are bounded so one rule cannot make every
// sync slow (RE2 is linear in pattern × input, but a 100 kB pattern is still
// 100 kB per title).
const MaxPatternLength = 512

// Rule maps reported installations to a product. Rules are evaluated in
// Position order (1-based, lower wins; ties broken by ID) and the first
// matching rule decides, whatever its kind.
type Rule struct {
	ID       uuid.UUID
	Position int

	Kind    MatchKind
	Pattern string

	ProductID uuid.UUID
	// Edition, when set, is recorded on every installation the rule matches
	// ("Professional Plus", "Community").
	Edition *string
	// VersionPattern, when set, is a regular expression with exactly one
	// capture group that extracts the version to record: it is tried on the
	// title first ("Microsoft Office Professional Plus 2019" → "2019"), then
	// on the reported version; when neither matches, the reported version is
	// kept.
	VersionPattern *string

	// Starter marks a rule created from the starter set (editable like any other).
	Starter   bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate trims the rule's text fields (a blank optional field becomes
// nil) and checks them, returning a BAD_USER_INPUT *itam.Error whose Field
// names the offending input. It changes nothing else.
func (r *Rule) Validate() error {
	if !r.Kind.Valid() {
		return itam.Invalid("kind", "unknown match kind %q (want one of EXACT, PREFIX, REGEX, IDENTIFIER)", r.Kind)
	}
	r.Pattern = strings.TrimSpace(r.Pattern)
	if err := itam.CheckText("pattern", r.Pattern, MaxPatternLength); err != nil {
		return err
	}
	if r.Pattern == "" {
		return itam.Invalid("pattern", "pattern is required")
	}
	if r.Kind == MatchRegex {
		if _, err := compileFold(r.Pattern); err != nil {
			return itam.Invalid("pattern", "pattern is not a valid regular expression: %s", regexpReason(err))
		}
	}
	r.Edition = itam.Trimmed(r.Edition)
	if r.Edition != nil {
		if err := itam.CheckText("edition", *r.Edition, MaxEditionLength); err != nil {
			return err
		}
	}
	r.VersionPattern = itam.Trimmed(r.VersionPattern)
	if r.VersionPattern != nil {
		if err := checkVersionPattern(*r.VersionPattern); err != nil {
			return err
		}
	}
	if r.ProductID == uuid.Nil {
		return itam.Invalid("productId", "productId is required")
	}
	return nil
}

func checkVersionPattern(p string) error {
	if err := itam.CheckText("versionPattern", p, MaxPatternLength); err != nil {
		return err
	}
	re, err := compileFold(p)
	if err != nil {
		return itam.Invalid("versionPattern", "versionPattern is not a valid regular expression: %s", regexpReason(err))
	}
	if n := re.NumSubexp(); n != 1 {
		return itam.Invalid("versionPattern", "versionPattern needs exactly one capture group, the version (has %d); use (?:...) for other groups", n)
	}
	return nil
}

// compileFold compiles p case-insensitively, as every title comparison is.
// A leading flag (not a wrapping group) so that an unbalanced ")" in p stays
// an error instead of closing our group; (?i) holds across p's alternations.
func compileFold(p string) (*regexp.Regexp, error) {
	return regexp.Compile("(?i)" + p)
}

// regexpReason is the syntax error without Go's "error parsing regexp: "
// prefix; it quotes only the offending fragment of the admin's own pattern.
func regexpReason(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}
