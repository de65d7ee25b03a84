package costs_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// Test helpers are prefixed fin so they never clash with another file's in
// this package's tests.

func finDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func finDayP(y int, m time.Month, d int) *time.Time { t := finDay(y, m, d); return &t }

func finPtr[T any](v T) *T { return &v }

func finMoney(amount, currency string) itam.Money {
	return itam.Money{Amount: decimal.RequireFromString(amount), Currency: currency}
}

// finRequireInvalid checks err is BAD_USER_INPUT on field.
func finRequireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *itam.Error
	require.True(t, errors.As(err, &e), "want *itam.Error, got %v", err)
	require.Equal(t, itam.CodeInvalid, e.Code, "%v", err)
	require.Equal(t, field, e.Field, "%v", err)
}

// finRequireMoney compares amounts exactly (1800 and 1800.00 are equal) and
// currencies literally.
func finRequireMoney(t *testing.T, want, got itam.Money) {
	t.Helper()
	require.Equal(t, want.Currency, got.Currency)
	require.True(t, want.Amount.Equal(got.Amount), "want %s %s, got %s %s", want.Amount, want.Currency, got.Amount, got.Currency)
}

func TestEntryValidate(t *testing.T) {
	id := uuid.New()
	base := func() costs.Entry {
		return costs.Entry{AssetID: &id, Kind: costs.KindRepair, Date: finDay(2025, 3, 1), Amount: finMoney("120.50", "EUR")}
	}
	with := func(f func(*costs.Entry)) costs.Entry { e := base(); f(&e); return e }
	tests := []struct {
		name  string
		entry costs.Entry
		field string // "" = valid
	}{
		{"valid", base(), ""},
		{"against a license", with(func(e *costs.Entry) { e.AssetID, e.LicenseID = nil, &id }), ""},
		{"against a contract", with(func(e *costs.Entry) { e.AssetID, e.ContractID = nil, &id }), ""},
		{"zero amount", with(func(e *costs.Entry) { e.Amount = finMoney("0", "EUR") }), ""},
		{"JPY whole yen", with(func(e *costs.Entry) { e.Amount = finMoney("150000", "JPY") }), ""},
		{"BHD three places", with(func(e *costs.Entry) { e.Amount = finMoney("12.345", "BHD") }), ""},
		{"lower-case currency", with(func(e *costs.Entry) { e.Amount.Currency = "eur" }), ""},
		{"every kind is known", with(func(e *costs.Entry) { e.Kind = costs.KindDisposal }), ""},
		{"no target", with(func(e *costs.Entry) { e.AssetID = nil }), "assetId"},
		{"two targets", with(func(e *costs.Entry) { e.LicenseID = &id }), "assetId"},
		{"three targets", with(func(e *costs.Entry) { e.LicenseID, e.ContractID = &id, &id }), "assetId"},
		{"unknown kind", with(func(e *costs.Entry) { e.Kind = "BRIBE" }), "kind"},
		{"empty kind", with(func(e *costs.Entry) { e.Kind = "" }), "kind"},
		{"no date", with(func(e *costs.Entry) { e.Date = time.Time{} }), "date"},
		{"negative amount", with(func(e *costs.Entry) { e.Amount = finMoney("-0.01", "EUR") }), "amount.amount"},
		{"five decimals", with(func(e *costs.Entry) { e.Amount = finMoney("1.00001", "EUR") }), "amount.amount"},
		{"unknown currency", with(func(e *costs.Entry) { e.Amount.Currency = "XYZ" }), "amount.currency"},
		{"empty currency", with(func(e *costs.Entry) { e.Amount.Currency = "" }), "amount.currency"},
		{"long invoice reference", with(func(e *costs.Entry) {
			e.InvoiceReference = finPtr(strings.Repeat("x", costs.MaxReferenceLength+1))
		}), "invoiceReference"},
		{"invoice reference at the bound", with(func(e *costs.Entry) {
			e.InvoiceReference = finPtr(strings.Repeat("x", costs.MaxReferenceLength))
		}), ""},
		{"NUL in notes", with(func(e *costs.Entry) { e.Notes = finPtr("a\x00b") }), "notes"},
		{"long notes", with(func(e *costs.Entry) { e.Notes = finPtr(strings.Repeat("x", itam.MaxTextLength+1)) }), "notes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.entry.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			finRequireInvalid(t, err, tt.field)
			_, err = tt.entry.Normalize()
			finRequireInvalid(t, err, tt.field)
		})
	}
}

func TestEntryNormalize(t *testing.T) {
	id := uuid.New()
	at := time.Date(2025, 3, 1, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600))
	e := costs.Entry{ID: id, AssetID: &id, Kind: costs.KindPurchase, Date: at, Amount: finMoney("1299.00", "usd"),
		InvoiceReference: finPtr("  INV-1 "), Notes: finPtr("   ")}
	got, err := e.Normalize()
	require.NoError(t, err)
	require.Equal(t, "USD", got.Amount.Currency)
	// The day as the caller wrote it, not the UTC instant (which is March 2).
	require.Equal(t, finDay(2025, 3, 1), got.Date)
	require.Equal(t, "INV-1", *got.InvoiceReference)
	require.Nil(t, got.Notes)
	require.Equal(t, "usd", e.Amount.Currency, "the input is not changed")

	l := got.Line()
	require.Equal(t, costs.Line{Kind: costs.KindPurchase, Date: finDay(2025, 3, 1), Amount: got.Amount, SourceID: id}, l)
}
