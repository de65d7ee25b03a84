package itam

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  int
		ok   bool
	}{
		{"plain", "Latitude 7440", 0, true},
		{"unicode at the limit", strings.Repeat("é", 4), 4, true},
		{"NUL", "a\x00b", 0, false},
		{"invalid UTF-8", "a\xffb", 0, false},
		{"over a custom limit", strings.Repeat("é", 5), 4, false},
		{"over the default limit", strings.Repeat("x", MaxTextLength+1), 0, false},
		{"at the default limit", strings.Repeat("x", MaxTextLength), 0, true},
	} {
		err := CheckText("f", tc.in, tc.max)
		if tc.ok {
			require.NoError(t, err, tc.name)
			continue
		}
		require.Equal(t, CodeInvalid, ErrorCode(err), tc.name)
		require.Equal(t, "f", err.(*Error).Field, tc.name)
	}
}

func TestCheckJSON(t *testing.T) {
	deep := any("x")
	for range MaxJSONDepth + 1 {
		deep = map[string]any{"k": deep}
	}
	wide := map[string]any{}
	for i := range MaxListItems + 1 {
		wide[strings.Repeat("k", i+1)] = i
	}
	for _, tc := range []struct {
		name  string
		in    any
		field string // "" when valid
	}{
		{"object", map[string]any{"ram_gb": 16, "tags": []any{"a", true, nil}}, ""},
		{"NUL value", map[string]any{"a": []any{"ok", "x\x00"}}, "cf.a[1]"},
		{"NUL key", map[string]any{"a\x00": 1}, "cf"},
		{"too deep", deep, "cf" + strings.Repeat(".k", MaxJSONDepth+1)},
		{"too wide", wide, "cf"},
	} {
		err := CheckJSON("cf", tc.in)
		if tc.field == "" {
			require.NoError(t, err, tc.name)
			continue
		}
		require.Equal(t, CodeInvalid, ErrorCode(err), tc.name)
		require.Equal(t, tc.field, err.(*Error).Field, tc.name)
	}
}

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" when refused
	}{
		{"1299.00", "1299"},
		{"1.5e3", "1500"},
		{"-0.0001", "-0.0001"},
		{"1e999999", ""},
		{"1e-2147483647", ""},
		{"1e99999999999", ""},
		{"NaN", ""},
		{"Infinity", ""},
		{"12abc", ""},
		{strings.Repeat("9", MaxDecimalLength+1), ""},
	} {
		d, err := ParseDecimal("amount", tc.in)
		if tc.want == "" {
			require.Equal(t, CodeInvalid, ErrorCode(err), tc.in)
			require.Equal(t, "amount", err.(*Error).Field)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, d.String())
	}
}

func TestFilterLimitErrors(t *testing.T) {
	require.NoError(t, CheckFilterLeaves("filter.and", MaxFilterLeaves))
	require.Equal(t, "filter.and", CheckFilterLeaves("filter.and", MaxFilterLeaves+1).(*Error).Field)
	require.NoError(t, CheckList("filter.statusIn", MaxListItems))
	require.Equal(t, CodeInvalid, ErrorCode(CheckList("filter.statusIn", MaxListItems+1)))
	long := strings.Repeat("x", MaxSearchLength+1)
	require.Equal(t, "filter.search", CheckSearch("filter.search", &long).(*Error).Field)
	require.NoError(t, CheckSearch("filter.search", nil))
	require.Contains(t, FilterTooDeep("filter.not").Error(), "10 levels")
}
