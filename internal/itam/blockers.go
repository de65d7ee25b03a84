package itam

import (
	"fmt"
	"strings"
)

// Blocker is one kind of record that keeps another from being deleted:
// how many there are and, when one can be named, an example of them.
type Blocker struct {
	// Singular and Plural name the kind ("asset", "assets").
	Singular, Plural string
	// Phrase, when set, is said instead of a count and noun (a setting
	// such as "the organization's default owner team").
	Phrase string
	Count  int
	// Example names one of them: its global id and a label
	// ("Asset QXNz… tag LT-0001"); empty when none can be named.
	Example string
}

// StillReferenced is the refusal of a delete that other records still
// point at: what is referenced and, for each kind of blocker, how many,
// with one example an admin can open (node(id:)) to start untangling:
// `location "Berlin" is still referenced by 12 assets (e.g. Asset QXNz…
// tag LT-0001) and 3 people; reassign or delete them first`. CONFLICT on
// id, as every refused delete.
func StillReferenced(what, label string, blockers []Blocker) *Error {
	parts := make([]string, 0, len(blockers))
	example := false
	for _, b := range blockers {
		var s string
		switch {
		case b.Phrase != "":
			s = b.Phrase
		case b.Count == 1:
			s = "1 " + b.Singular
		default:
			s = fmt.Sprintf("%d %s", b.Count, b.Plural)
		}
		if b.Example != "" && !example {
			example = true
			s += " (e.g. " + b.Example + ")"
		}
		parts = append(parts, s)
	}
	subject := what
	if label != "" {
		subject = fmt.Sprintf("%s %q", what, label)
	}
	return Conflict("id", "%s is still referenced by %s; reassign or delete them first", subject, joinAnd(parts))
}

// joinAnd lists items as prose: "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return "other records"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Nouns derives a kind's singular and plural from a plural English name
// ("purchase order lines"), for kinds nobody named: "people" and words
// in "ies" are irregular enough to matter.
func Nouns(plural string) (singular, pl string) {
	switch {
	case strings.HasSuffix(plural, "people"):
		return strings.TrimSuffix(plural, "people") + "person", plural
	case strings.HasSuffix(plural, "ies"):
		return strings.TrimSuffix(plural, "ies") + "y", plural
	case strings.HasSuffix(plural, "sses"):
		return strings.TrimSuffix(plural, "es"), plural
	case strings.HasSuffix(plural, "s"):
		return strings.TrimSuffix(plural, "s"), plural
	}
	return plural, plural
}
