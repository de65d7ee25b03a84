// Package scalar marshals the API's custom scalars: Date as YYYY-MM-DD and
// Decimal as a string, so money never passes through a float.
package scalar

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

const dateLayout = "2006-01-02"

// MarshalDate writes a calendar date.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(dateLayout)))
	})
}

// UnmarshalDate reads YYYY-MM-DD.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, itam.Invalid("", "a Date is a string YYYY-MM-DD")
	}
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, itam.Invalid("", "%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

// MarshalDecimal writes an exact decimal as a string.
func MarshalDecimal(d decimal.Decimal) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDecimal reads a decimal from a string (preferred) or a JSON number.
func UnmarshalDecimal(v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case string:
		d, err := decimal.NewFromString(strings.TrimSpace(x))
		if err != nil {
			return d, itam.Invalid("", "%q is not a decimal number", x)
		}
		return d, nil
	case int:
		return decimal.NewFromInt(int64(x)), nil
	case int64:
		return decimal.NewFromInt(x), nil
	case float64:
		return decimal.NewFromFloat(x), nil
	case interface{ String() string }: // json.Number
		return decimal.NewFromString(x.String())
	}
	return decimal.Decimal{}, itam.Invalid("", "a Decimal is a string such as \"1299.00\"")
}
