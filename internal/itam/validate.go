package itam

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/currency"
)

// ValidateMoney checks an amount is non-negative with at most four decimal
// places and the currency is an ISO 4217 code.
func ValidateMoney(m Money, field string) error {
	if m.Amount.IsNegative() {
		return Invalid(field+".amount", "amount cannot be negative")
	}
	if !m.Amount.Equal(m.Amount.Round(4)) {
		return Invalid(field+".amount", "amount has more than 4 decimal places")
	}
	if m.Amount.GreaterThanOrEqual(maxAmount) {
		return Invalid(field+".amount", "amount is too large")
	}
	if _, err := ParseCurrency(m.Currency); err != nil {
		return Invalid(field+".currency", "%q is not an ISO 4217 currency code", m.Currency)
	}
	return nil
}

// maxAmount is the first value numeric(18,4) cannot hold (14 integer digits).
var maxAmount = decimal.New(1, 14)

// ParseCurrency returns the canonical upper-case ISO 4217 code.
func ParseCurrency(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 3 {
		return "", fmt.Errorf("not a currency code")
	}
	u, err := currency.ParseISO(code)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// ValidateCustomFields checks values against a category's field definitions:
// unknown keys, wrong types, missing required fields and enum values outside
// their options are BAD_USER_INPUT naming customFields.<key>. It returns the
// values normalized (dates as YYYY-MM-DD, numbers as float64).
func ValidateCustomFields(defs []FieldDefinition, values map[string]any, field string) (map[string]any, error) {
	out := make(map[string]any, len(values))
	byKey := make(map[string]FieldDefinition, len(defs))
	for _, d := range defs {
		byKey[d.Key] = d
	}
	for k, v := range values {
		d, ok := byKey[k]
		f := field + "." + k
		if !ok {
			return nil, Invalid(f, "no custom field %q is defined for this category", k)
		}
		if v == nil {
			continue
		}
		switch d.Type {
		case FieldText:
			s, ok := v.(string)
			if !ok {
				return nil, Invalid(f, "%s must be text", k)
			}
			out[k] = s
		case FieldNumber:
			n, ok := toFloat(v)
			if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
				return nil, Invalid(f, "%s must be a number", k)
			}
			out[k] = n
		case FieldBoolean:
			b, ok := v.(bool)
			if !ok {
				return nil, Invalid(f, "%s must be true or false", k)
			}
			out[k] = b
		case FieldDate:
			s, ok := v.(string)
			if !ok {
				return nil, Invalid(f, "%s must be a date (YYYY-MM-DD)", k)
			}
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				return nil, Invalid(f, "%s must be a date (YYYY-MM-DD)", k)
			}
			out[k] = t.Format("2006-01-02")
		case FieldEnum:
			s, ok := v.(string)
			if !ok || !slices.Contains(d.Options, s) {
				return nil, Invalid(f, "%s must be one of %s", k, strings.Join(d.Options, ", "))
			}
			out[k] = s
		default:
			return nil, Invalid(f, "field %s has unknown type %s", k, d.Type)
		}
	}
	for _, d := range defs {
		if _, ok := out[d.Key]; d.Required && !ok {
			return nil, Invalid(field+"."+d.Key, "%s is required for this category", d.Label)
		}
	}
	return out, nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

var fieldKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidateFieldDefinitions checks a category's custom field declarations.
func ValidateFieldDefinitions(defs []FieldDefinition, field string) error {
	seen := map[string]bool{}
	for i, d := range defs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !fieldKey.MatchString(d.Key) {
			return Invalid(f+".key", "key must be lowercase letters, digits and underscores, starting with a letter")
		}
		if seen[d.Key] {
			return Invalid(f+".key", "key %q is declared twice", d.Key)
		}
		seen[d.Key] = true
		switch d.Type {
		case FieldText, FieldNumber, FieldDate, FieldBoolean:
			if len(d.Options) > 0 {
				return Invalid(f+".options", "only ENUM fields have options")
			}
		case FieldEnum:
			if len(d.Options) == 0 {
				return Invalid(f+".options", "an ENUM field needs options")
			}
		default:
			return Invalid(f+".type", "unknown field type %q", d.Type)
		}
		if strings.TrimSpace(d.Label) == "" {
			return Invalid(f+".label", "label is required")
		}
	}
	return nil
}

// Trimmed returns nil for a nil or blank string, else the trimmed string, so
// "" never lands in an optional column.
func Trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}
