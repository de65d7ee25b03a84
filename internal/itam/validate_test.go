package itam

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestValidateMoney(t *testing.T) {
	t.Parallel()
	cases := []struct {
		amount, currency string
		field            string // "" = valid
	}{
		{"0", "USD", ""},
		{"1299.99", "eur", ""},
		{"1.2345", "JPY", ""},
		{"99999999999999.9999", "USD", ""},
		{"-0.01", "USD", "p.amount"},
		{"1.23456", "USD", "p.amount"},
		{"100000000000000", "USD", "p.amount"},
		{"10", "XYZ", "p.currency"},
		{"10", "US", "p.currency"},
		{"10", "", "p.currency"},
	}
	for _, tc := range cases {
		err := ValidateMoney(Money{Amount: decimal.RequireFromString(tc.amount), Currency: tc.currency}, "p")
		if tc.field == "" {
			require.NoError(t, err, "%s %s", tc.amount, tc.currency)
			continue
		}
		var e *Error
		require.ErrorAs(t, err, &e, "%s %s", tc.amount, tc.currency)
		require.Equal(t, CodeInvalid, e.Code)
		require.Equal(t, tc.field, e.Field)
	}
	code, err := ParseCurrency(" gbp ")
	require.NoError(t, err)
	require.Equal(t, "GBP", code)
}

func TestValidateCustomFields(t *testing.T) {
	t.Parallel()
	defs := []FieldDefinition{
		{Key: "ram_gb", Label: "RAM", Type: FieldNumber},
		{Key: "cpu", Label: "CPU", Type: FieldText},
		{Key: "bought", Label: "Bought", Type: FieldDate},
		{Key: "encrypted", Label: "Encrypted", Type: FieldBoolean, Required: true},
		{Key: "os", Label: "OS", Type: FieldEnum, Options: []string{"macOS", "Windows"}},
	}
	ok, err := ValidateCustomFields(defs, map[string]any{"ram_gb": 16, "cpu": "M3", "bought": "2024-01-31", "encrypted": true, "os": "macOS"}, "cf")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"ram_gb": float64(16), "cpu": "M3", "bought": "2024-01-31", "encrypted": true, "os": "macOS"}, ok)
	ok, err = ValidateCustomFields(defs, map[string]any{"encrypted": false, "cpu": nil}, "cf")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"encrypted": false}, ok, "null values are dropped")

	bad := []struct {
		values map[string]any
		field  string
	}{
		{map[string]any{"encrypted": true, "gpu": "x"}, "cf.gpu"},
		{map[string]any{"encrypted": true, "ram_gb": "16"}, "cf.ram_gb"},
		{map[string]any{"encrypted": true, "cpu": 3}, "cf.cpu"},
		{map[string]any{"encrypted": true, "bought": "31/01/2024"}, "cf.bought"},
		{map[string]any{"encrypted": "yes"}, "cf.encrypted"},
		{map[string]any{"encrypted": true, "os": "Linux"}, "cf.os"},
		{map[string]any{}, "cf.encrypted"},
	}
	for _, tc := range bad {
		_, err := ValidateCustomFields(defs, tc.values, "cf")
		var e *Error
		require.ErrorAs(t, err, &e, "%v", tc.values)
		require.Equal(t, tc.field, e.Field)
	}
}

func TestValidateFieldDefinitions(t *testing.T) {
	t.Parallel()
	require.NoError(t, ValidateFieldDefinitions([]FieldDefinition{{Key: "a_1", Label: "A", Type: FieldEnum, Options: []string{"x"}}}, "f"))
	for field, defs := range map[string][]FieldDefinition{
		"f[0].key":     {{Key: "Bad Key", Label: "x", Type: FieldText}},
		"f[1].key":     {{Key: "a", Label: "x", Type: FieldText}, {Key: "a", Label: "y", Type: FieldText}},
		"f[0].options": {{Key: "a", Label: "x", Type: FieldEnum}},
		"f[0].type":    {{Key: "a", Label: "x", Type: "COLOR"}},
		"f[0].label":   {{Key: "a", Label: " ", Type: FieldText}},
	} {
		err := ValidateFieldDefinitions(defs, "f")
		var e *Error
		require.ErrorAs(t, err, &e, field)
		require.Equal(t, field, e.Field)
	}
}
