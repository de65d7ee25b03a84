package software

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Title is one reported installation, as a connector stored it (or a sample
// an admin tries rules on).
type Title struct {
	Title, Identifier, Version string
}

// Match is what the first matching rule says about an installation.
type Match struct {
	// Rule is the rule that matched (the Matcher's copy: do not modify).
	Rule      *Rule
	ProductID uuid.UUID
	Edition   *string
	// Version is the normalized version: the rule's VersionPattern capture
	// on the title, else on the reported version, else the reported version
	// (trimmed) as is.
	Version string
}

// Matcher maps installations to products with a fixed, ordered rule list.
// It is immutable after Compile and safe for concurrent use.
//
// Before matching, a title is normalized: surrounding whitespace trimmed,
// every run of whitespace (tabs, non-breaking spaces…) collapsed to one
// space, and a trailing ".app" removed, so "Microsoft Excel.app" (how Jamf
// and Fleet name macOS bundles) and "Microsoft  Excel" both match an EXACT
// rule "Microsoft Excel". EXACT and REGEX compare against that normalized
// name; PREFIX against the normalized title before ".app" is removed (so a
// prefix may include it); all ignore case. IDENTIFIER compares the trimmed
// identifier, ignoring case. A blank title matches only IDENTIFIER rules.
type Matcher struct {
	rules []compiled // in evaluation order
	// exact and ident give, per folded pattern, the index of the first rule
	// with it; scan lists, per first byte of the folded title, the PREFIX
	// and REGEX rules that can match such a title, in order. A title's
	// answer is the lowest index among the map hits and the first scan hit,
	// which is exactly "first rule in order wins" without trying every rule.
	exact map[string]int
	ident map[string]int
	scan  [256][]int
}

type compiled struct {
	rule    Rule
	fold    string         // EXACT, IDENTIFIER, PREFIX: the folded pattern
	re      *regexp.Regexp // REGEX
	leads   []string       // REGEX: folded texts one of which every match starts the title with; nil when unknown
	version *regexp.Regexp // VersionPattern
}

// Compile validates rules and builds a Matcher. Rules are ordered by
// Position, then ID; the input slice is not modified. A rule that does not
// validate fails the whole compilation with its BAD_USER_INPUT error.
func Compile(rules []Rule) (*Matcher, error) {
	m := &Matcher{
		rules: make([]compiled, len(rules)),
		exact: make(map[string]int),
		ident: make(map[string]int),
	}
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			var e *itam.Error
			if errors.As(err, &e) {
				return nil, &itam.Error{Code: e.Code, Field: e.Field, Message: fmt.Sprintf("rule at position %d: %s", r.Position, e.Message)}
			}
			return nil, err
		}
		m.rules[i].rule = r
	}
	slices.SortStableFunc(m.rules, func(a, b compiled) int {
		if c := cmp.Compare(a.rule.Position, b.rule.Position); c != 0 {
			return c
		}
		return bytes.Compare(a.rule.ID[:], b.rule.ID[:])
	})
	for i := range m.rules {
		c := &m.rules[i]
		r := &c.rule
		switch r.Kind {
		case MatchExact:
			c.fold = foldKey(stripApp(collapse(r.Pattern)))
			if _, seen := m.exact[c.fold]; !seen {
				m.exact[c.fold] = i
			}
		case MatchIdentifier:
			c.fold = foldKey(r.Pattern)
			if _, seen := m.ident[c.fold]; !seen {
				m.ident[c.fold] = i
			}
		case MatchPrefix:
			c.fold = foldKey(collapse(r.Pattern))
			m.scan[c.fold[0]] = append(m.scan[c.fold[0]], i)
		case MatchRegex:
			c.re = regexp.MustCompile("(?i)" + r.Pattern) // Validate compiled it
			c.leads = leadingLiterals(r.Pattern)
			var first [256]bool
			for _, l := range c.leads {
				first[l[0]] = true
			}
			for b := range m.scan {
				if c.leads == nil || first[b] {
					m.scan[b] = append(m.scan[b], i)
				}
			}
		}
		if r.VersionPattern != nil {
			c.version = regexp.MustCompile("(?i)" + *r.VersionPattern)
		}
	}
	return m, nil
}

// Len is the number of rules.
func (m *Matcher) Len() int { return len(m.rules) }

// Match returns what the first matching rule says about t, or false when no
// rule matches.
func (m *Matcher) Match(t Title) (Match, bool) {
	best := len(m.rules)
	if id := strings.TrimSpace(t.Identifier); id != "" {
		if i, ok := m.ident[foldKey(id)]; ok {
			best = i
		}
	}
	full := collapse(t.Title)
	name := stripApp(full)
	if name != "" {
		fullKey := foldKey(full)
		key := fullKey
		if len(name) != len(full) {
			key = foldKey(name)
		}
		if i, ok := m.exact[key]; ok && i < best {
			best = i
		}
		for _, i := range m.scan[key[0]] {
			if i >= best {
				break
			}
			c := &m.rules[i]
			if c.re == nil {
				if strings.HasPrefix(fullKey, c.fold) {
					best = i
					break
				}
				continue
			}
			if c.mayMatch(key) && c.re.MatchString(name) {
				best = i
				break
			}
		}
	}
	if best == len(m.rules) {
		return Match{}, false
	}
	c := &m.rules[best]
	return Match{
		Rule:      &c.rule,
		ProductID: c.rule.ProductID,
		Edition:   c.rule.Edition,
		Version:   c.normalizeVersion(name, t.Version),
	}, true
}

// mayMatch is the cheap test before a REGEX runs: false when the folded
// title starts with none of the texts every match starts with.
func (c *compiled) mayMatch(key string) bool {
	if c.leads == nil {
		return true
	}
	for _, l := range c.leads {
		if strings.HasPrefix(key, l) {
			return true
		}
	}
	return false
}

func (c *compiled) normalizeVersion(name, reported string) string {
	reported = strings.TrimSpace(reported)
	if c.version != nil {
		if v := capture(c.version, name); v != "" {
			return v
		}
		if v := capture(c.version, reported); v != "" {
			return v
		}
	}
	return reported
}

// capture is re's first group on s, trimmed; "" when re does not match or
// the group is empty (an optional group that took nothing falls through).
func capture(re *regexp.Regexp, s string) string {
	if s == "" {
		return ""
	}
	m := re.FindStringSubmatch(s)
	if len(m) < 2 {
		return ""
	}
	return strings.TrimSpace(m[1])
}

// Normalize returns a title as rules see it (see Matcher): trimmed,
// whitespace runs collapsed, a trailing ".app" removed; case is kept.
func Normalize(title string) string {
	return stripApp(collapse(title))
}

// collapse trims s and turns every run of whitespace into one space. Most
// titles are already clean, so they are returned without allocating.
func collapse(s string) string {
	clean := true
	prevSpace := true // a leading space is not clean either
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= utf8.RuneSelf {
			clean = false // may be a non-ASCII space (U+00A0…)
			break
		}
		if b == ' ' {
			if prevSpace {
				clean = false
				break
			}
			prevSpace = true
			continue
		}
		if b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r' {
			clean = false
			break
		}
		prevSpace = false
	}
	if clean && (s == "" || s[len(s)-1] != ' ') {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// stripApp removes a trailing ".app" (any case) from a collapsed title,
// unless nothing would be left.
func stripApp(s string) string {
	const suffix = ".app"
	if len(s) > len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return strings.TrimRight(s[:len(s)-len(suffix)], " ")
	}
	return s
}

// foldKey maps s to a form equal for strings that are equal ignoring case:
// ASCII is lowercased; other runes go through upper then lower case so
// that fold-equivalent runes (K and the Kelvin sign, s and ſ) agree, as
// they do for (?i) regular expressions.
func foldKey(s string) string {
	ascii, lower := true, true
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= b && b <= 'Z' {
			lower = false
		}
	}
	if ascii {
		if lower {
			return s
		}
		return strings.ToLower(s)
	}
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, s)
}

// maxLeads bounds the alternatives a REGEX prefilter tries; past it the
// expression just runs.
const maxLeads = 8

// leadingLiterals returns folded ASCII texts one of which every match of
// the REGEX pattern p begins the title with ("^(?:JetBrains )?Rider( 20…)?$"
// → "jetbrains ", "rider"), or nil when that cannot be told. Match tests
// them as prefixes before running the expression, so a long list of
// anchored REGEX rules costs little for titles they cannot match. Only
// patterns anchored at the start qualify, and non-ASCII literals are left
// to the expression: their case folding is not worth getting subtly wrong.
func leadingLiterals(p string) []string {
	re, err := syntax.Parse("(?i)"+p, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return nil
	}
	leads, ok := leadsOf(re.Sub[1:])
	if !ok || len(leads) > maxLeads {
		return nil
	}
	for i, l := range leads {
		for j := 0; j < len(l); j++ {
			if l[j] >= utf8.RuneSelf {
				return nil
			}
		}
		leads[i] = foldKey(l)
	}
	return leads
}

// leadsOf returns the literal texts a match of the node sequence must start
// with, one per way it can start; false when some way starts with
// something else (a class, any character, the end) or could be empty.
func leadsOf(seq []*syntax.Regexp) ([]string, bool) {
	if len(seq) == 0 {
		return nil, false
	}
	n, rest := seq[0], seq[1:]
	with := func(first ...*syntax.Regexp) []*syntax.Regexp {
		return append(append([]*syntax.Regexp(nil), first...), rest...)
	}
	switch n.Op {
	case syntax.OpLiteral:
		if len(n.Rune) == 0 {
			return leadsOf(rest)
		}
		// Longer leads filter better: "microsoft " + ("office excel",
		// "excel") rather than every title starting "Microsoft ".
		lit := string(n.Rune)
		more, ok := leadsOf(rest)
		if !ok || len(more) > maxLeads {
			return []string{lit}, true
		}
		for i := range more {
			more[i] = lit + more[i]
		}
		return more, true
	case syntax.OpEmptyMatch, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return leadsOf(rest) // zero width: the match starts with what follows
	case syntax.OpConcat:
		return leadsOf(with(n.Sub...))
	case syntax.OpCapture:
		return leadsOf(with(n.Sub[0]))
	case syntax.OpQuest, syntax.OpStar, syntax.OpPlus:
		// Taken: the match starts like the operand, and then (taken once)
		// like the rest; a repeated operand may be followed by itself, so
		// only its own leads hold. Skipped: the match starts like the rest.
		var taken []string
		var ok bool
		if n.Op == syntax.OpQuest {
			taken, ok = leadsOf(with(n.Sub[0]))
		} else {
			taken, ok = leadsOf([]*syntax.Regexp{n.Sub[0]})
		}
		if !ok {
			return nil, false
		}
		if n.Op == syntax.OpPlus {
			return taken, true
		}
		skipped, ok := leadsOf(rest)
		if !ok {
			return nil, false
		}
		return append(taken, skipped...), true
	case syntax.OpAlternate:
		var all []string
		for _, sub := range n.Sub {
			l, ok := leadsOf(with(sub))
			if !ok {
				return nil, false
			}
			all = append(all, l...)
		}
		return all, true
	}
	return nil, false
}
