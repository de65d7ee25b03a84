// Package scalar marshals the API's scalars: Date as YYYY-MM-DD, Decimal as
// a string so money never passes through a float, Time and JSON through the
// domain's input checks. Every input scalar reads the request
// context so its error names the input field it came from
// (extensions.field), as the domain's own errors do.
package scalar

import (
	"context"
	"encoding/json"
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
func MarshalDate(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		// A formatted date is digits and '-': quoting it is adding quotes
		// (strconv.Quote would escape nothing), without two strings a date.
		var buf [24]byte
		b := append(buf[:0], '"')
		b = append(t.AppendFormat(b, dateLayout), '"')
		_, err := w.Write(b)
		return err
	})
}

// UnmarshalDate reads YYYY-MM-DD.
func UnmarshalDate(ctx context.Context, v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, itam.Invalid(Field(ctx), "a Date is a string YYYY-MM-DD")
	}
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, itam.Invalid(Field(ctx), "%q is not a date (YYYY-MM-DD)", clip(s))
	}
	return t, nil
}

// MarshalDecimal writes an exact decimal as a string.
func MarshalDecimal(d decimal.Decimal) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(d.String()))
		return err
	})
}

// UnmarshalDecimal reads a decimal from a string (preferred) or a JSON
// number, through itam.ParseDecimal, which bounds its size: 1e999999 is a
// valid JSON number whose exact value no column can hold.
func UnmarshalDecimal(ctx context.Context, v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case string:
		return itam.ParseDecimal(Field(ctx), strings.TrimSpace(x))
	case int:
		return decimal.NewFromInt(int64(x)), nil
	case int64:
		return decimal.NewFromInt(x), nil
	case float64:
		// A float literal in the query text; FormatFloat of ±Inf and NaN
		// is not a number ParseDecimal accepts.
		return itam.ParseDecimal(Field(ctx), strconv.FormatFloat(x, 'g', -1, 64))
	case interface{ String() string }: // json.Number
		return itam.ParseDecimal(Field(ctx), x.String())
	}
	return decimal.Decimal{}, itam.Invalid(Field(ctx), "a Decimal is a string such as \"1299.00\"")
}

// MarshalTime writes an instant as RFC 3339, null for the zero time.
func MarshalTime(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		graphql.MarshalTime(t).MarshalGQL(w)
		return nil
	})
}

// UnmarshalTime reads an RFC 3339 instant.
func UnmarshalTime(ctx context.Context, v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err != nil {
		if s, ok := v.(string); ok {
			return time.Time{}, itam.Invalid(Field(ctx), "%q is not an RFC 3339 time such as 2024-05-01T12:00:00Z", clip(s))
		}
		return time.Time{}, itam.Invalid(Field(ctx), "a Time is an RFC 3339 string such as 2024-05-01T12:00:00Z")
	}
	return t, nil
}

// MarshalJSON writes any JSON value, compact: gqlgen's MarshalAny goes
// through a json.Encoder, which ends every value with a newline.
func MarshalJSON(v any) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
}

// UnmarshalJSON reads any JSON value, bounded by itam.CheckJSON (depth,
// size, text), so a custom field or an option never carries a NUL or a
// nesting PostgreSQL's JSON parser recurses into.
func UnmarshalJSON(ctx context.Context, v any) (any, error) {
	if err := itam.CheckJSON(Field(ctx), v); err != nil {
		return nil, err
	}
	return graphql.UnmarshalAny(v)
}

// clip shortens user text quoted back in an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
