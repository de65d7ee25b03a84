package scalar

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/internal/itam"
)

// at is the context gqlgen unmarshals an argument's value in: the field's
// context, then one path step per argument, input field and list index.
func at(steps ...any) context.Context {
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{
		Field: graphql.CollectedField{Field: &ast.Field{Alias: "createAsset"}},
	})
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			ctx = graphql.WithPathContext(ctx, graphql.NewPathWithField(s))
		case int:
			ctx = graphql.WithPathContext(ctx, graphql.NewPathWithIndex(s))
		}
	}
	return ctx
}

func TestFieldNamesTheInput(t *testing.T) {
	require.Equal(t, "externalIds[0].lastSeenAt", Field(at("input", "externalIds", 0, "lastSeenAt")))
	require.Equal(t, "filter.and[1].search", Field(at("filter", "and", 1, "search")))
	require.Equal(t, "input", Field(at("input")), "an argument named input alone keeps its name")
}

func TestUnmarshalDecimal(t *testing.T) {
	ctx := at("input", "purchasePrice", "amount")
	for _, v := range []any{json.Number("1e999999"), "1e-2147483647", "12abc", true} {
		_, err := UnmarshalDecimal(ctx, v)
		require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err), "%v", v)
		require.Equal(t, "purchasePrice.amount", err.(*itam.Error).Field)
	}
	for v, want := range map[any]string{"1299.00": "1299", json.Number("12.5"): "12.5", int64(3): "3", 2.25: "2.25"} {
		d, err := UnmarshalDecimal(ctx, v)
		require.NoError(t, err)
		require.Equal(t, want, d.String())
	}
}

func TestUnmarshalTimeAndJSON(t *testing.T) {
	_, err := UnmarshalTime(at("input", "externalIds", 2, "lastSeenAt"), "2024-13-45T00:00:00Z")
	require.Equal(t, "externalIds[2].lastSeenAt", err.(*itam.Error).Field)
	_, err = UnmarshalJSON(at("input", "customFields"), map[string]any{"note": "a\x00"})
	require.Equal(t, "customFields.note", err.(*itam.Error).Field)
	v, err := UnmarshalJSON(at("input", "customFields"), map[string]any{"ram_gb": json.Number("16")})
	require.NoError(t, err)
	require.Equal(t, map[string]any{"ram_gb": json.Number("16")}, v)
}

// TestMarshalJSONIsCompact: a JSON value in a response carries no trailing
// newline (gqlgen's MarshalAny ends each with one, which showed in every
// history change's from and to).
func TestMarshalJSONIsCompact(t *testing.T) {
	for _, v := range []any{nil, 5, "x", map[string]any{"a": []int{1}}, json.RawMessage(`{"a": 1}`)} {
		var b bytes.Buffer
		require.NoError(t, MarshalJSON(v).MarshalGQLContext(context.Background(), &b))
		require.NotContains(t, b.String(), "\n", "%v", v)
		require.True(t, json.Valid(b.Bytes()), b.String())
	}
}

func TestMarshalDateIsTheQuotedLayout(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(2024, 2, 29, 23, 59, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(12345, 6, 7, 0, 0, 0, 0, time.UTC),
		time.Date(-44, 3, 15, 0, 0, 0, 0, time.UTC),
	} {
		var w bytes.Buffer
		require.NoError(t, MarshalDate(d).MarshalGQLContext(context.Background(), &w))
		require.Equal(t, strconv.Quote(d.Format(dateLayout)), w.String())
	}
}
