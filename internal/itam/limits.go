package itam

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Limits on what one request may hand the database. Each bounds a cost that
// grows with the input and that PostgreSQL pays before it can refuse:
// every filter leaf becomes a predicate evaluated per row, filter nesting
// becomes expression depth (3,000 nested NOTs exhaust the parser's memory),
// a search string becomes a pattern matched against every row, and a list
// becomes an array parameter.
const (
	// MaxFilterLeaves bounds the conditions of one filter tree, counted
	// over every nested and/or/not.
	MaxFilterLeaves = 50
	// MaxFilterDepth bounds how deeply and/or/not nest below the top filter.
	MaxFilterDepth = 10
	// MaxSearchLength bounds a search string, in characters.
	MaxSearchLength = 256
	// MaxListItems bounds every list a filter or input takes (statusIn,
	// ids, and/or, externalIds, field definitions…).
	MaxListItems = 100
	// MaxTextLength bounds any text input, in characters; specific fields
	// (search) have lower limits.
	MaxTextLength = 10_000
	// MaxJSONDepth bounds the nesting of a JSON input (custom fields,
	// connector options): PostgreSQL's JSON parser recurses per level.
	MaxJSONDepth = 16
	// MaxDecimalLength bounds a decimal input's text and the magnitude of
	// its exponent: exact arithmetic on 1e999999 builds a million-digit
	// integer before any range check can refuse it.
	MaxDecimalLength = 64
)

// ParseDecimal reads an exact decimal ("1299.00", "1.5e3") of at most
// MaxDecimalLength characters and exponent.
func ParseDecimal(field, s string) (decimal.Decimal, error) {
	if len(s) > MaxDecimalLength {
		return decimal.Decimal{}, Invalid(field, "a decimal has at most %d characters", MaxDecimalLength)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, Invalid(field, "%q is not a decimal number", s)
	}
	if e := d.Exponent(); e > MaxDecimalLength || e < -MaxDecimalLength {
		return decimal.Decimal{}, Invalid(field, "%q is out of range", s)
	}
	return d, nil
}

// CheckText refuses text PostgreSQL cannot store or that is unreasonably
// long: a NUL character (text columns cannot hold one), bytes that are not
// UTF-8, or more than max characters (MaxTextLength when max is 0).
func CheckText(field, s string, max int) error {
	if max <= 0 {
		max = MaxTextLength
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Invalid(field, "text cannot contain a NUL character")
	}
	if !utf8.ValidString(s) {
		return Invalid(field, "text is not valid UTF-8")
	}
	// Counting runes stops early: a megabyte string costs no more than max.
	n := 0
	for range s {
		if n++; n > max {
			return Invalid(field, "text is longer than %d characters", max)
		}
	}
	return nil
}

// CheckSearch checks an optional search string: text, at most
// MaxSearchLength characters.
func CheckSearch(field string, s *string) error {
	if s == nil {
		return nil
	}
	return CheckText(field, *s, MaxSearchLength)
}

// CheckList refuses a list of more than MaxListItems items.
func CheckList(field string, n int) error {
	if n > MaxListItems {
		return Invalid(field, "at most %d items are allowed, got %d", MaxListItems, n)
	}
	return nil
}

// FilterTooDeep reports a filter nested deeper than MaxFilterDepth at field.
func FilterTooDeep(field string) error {
	return Invalid(field, "filter nests and/or/not more than %d levels deep", MaxFilterDepth)
}

// CheckFilterLeaves refuses a filter of more than MaxFilterLeaves conditions.
func CheckFilterLeaves(field string, leaves int) error {
	if leaves > MaxFilterLeaves {
		return Invalid(field, "filter has more than %d conditions", MaxFilterLeaves)
	}
	return nil
}

// CheckJSON checks a JSON input value (as decoded: maps, slices, strings,
// numbers, bools, nil): nesting at most MaxJSONDepth, every key and string
// value valid text, every object and array at most MaxListItems long.
// field names the input; the error names the offending key path.
func CheckJSON(field string, v any) error {
	return checkJSON(field, v, 0)
}

func checkJSON(field string, v any, depth int) error {
	if depth > MaxJSONDepth {
		return Invalid(field, "JSON nests more than %d levels deep", MaxJSONDepth)
	}
	switch x := v.(type) {
	case string:
		return CheckText(field, x, 0)
	case map[string]any:
		if err := CheckList(field, len(x)); err != nil {
			return err
		}
		for k, e := range x {
			if err := CheckText(field, k, 0); err != nil {
				return err
			}
			if err := checkJSON(field+"."+k, e, depth+1); err != nil {
				return err
			}
		}
	case []any:
		if err := CheckList(field, len(x)); err != nil {
			return err
		}
		for i, e := range x {
			if err := checkJSON(fmt.Sprintf("%s[%d]", field, i), e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}
