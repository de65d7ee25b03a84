package imports

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		order DateOrder
		want  time.Time
	}{
		{"2024-12-31", DMY, day(2024, 12, 31)},
		{" 2024-12-31 ", MDY, day(2024, 12, 31)},
		{"2024-12-31T10:30:00Z", DMY, time.Date(2024, 12, 31, 10, 30, 0, 0, time.UTC)},
		{"2024-12-31T10:30:00+02:00", DMY, time.Date(2024, 12, 31, 8, 30, 0, 0, time.UTC)},
		{"2024-12-31 10:30:15", DMY, time.Date(2024, 12, 31, 10, 30, 15, 0, time.UTC)},
		{"2024-12-31 10:30", DMY, time.Date(2024, 12, 31, 10, 30, 0, 0, time.UTC)},
		{"2024/12/31", MDY, day(2024, 12, 31)},
		{"2024-1-2", MDY, day(2024, 1, 2)},
		{"20241231", DMY, day(2024, 12, 31)},
		{"31/12/2024", DMY, day(2024, 12, 31)},
		{"12/31/2024", MDY, day(2024, 12, 31)},
		{"01/02/2024", DMY, day(2024, 2, 1)},
		{"01/02/2024", MDY, day(2024, 1, 2)},
		{"1/2/2024", MDY, day(2024, 1, 2)},
		{"31.12.2024", DMY, day(2024, 12, 31)},
		{"31/12/2024 10:30", DMY, time.Date(2024, 12, 31, 10, 30, 0, 0, time.UTC)},
		{"12/31/2024 10:30:15", MDY, time.Date(2024, 12, 31, 10, 30, 15, 0, time.UTC)},
		{"12/31/2024 3:04 PM", MDY, time.Date(2024, 12, 31, 15, 4, 0, 0, time.UTC)},
		{"31-12-2024", DMY, day(2024, 12, 31)},
		{"2024.12.31", MDY, day(2024, 12, 31)},
		{"29/02/2024", DMY, day(2024, 2, 29)},
		{"31 Dec 2024", MDY, day(2024, 12, 31)},
		{"31-Dec-2024", MDY, day(2024, 12, 31)},
		{"Dec 31, 2024", DMY, day(2024, 12, 31)},
		{"December 31, 2024", DMY, day(2024, 12, 31)},
		// Excel serials, 1900 date system.
		{"45657", DMY, day(2024, 12, 31)},
		{"45658", MDY, day(2025, 1, 1)},
		{"1", DMY, day(1900, 1, 1)},
		{"59", DMY, day(1900, 2, 28)},
		{"61", DMY, day(1900, 3, 1)},
		{"2958465", DMY, day(9999, 12, 31)},
		{"45657.5", DMY, time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC)},
		{"45657.75", DMY, time.Date(2024, 12, 31, 18, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+string(tt.order), func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.in, tt.order)
			require.NoError(t, err)
			require.True(t, tt.want.Equal(got), "got %v want %v", got, tt.want)
			require.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestParseDateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		order DateOrder
		msg   string
	}{
		{"31/13/2024", DMY, `"31/13/2024" is not a date (day/month/year): there is no month 13`},
		{"13/01/2024", MDY, `"13/01/2024" is not a date (month/day/year): there is no month 13`},
		{"12/31/2024", DMY, `"12/31/2024" is not a date (day/month/year): there is no month 31`},
		{"31/04/2024", DMY, `"31/04/2024" is not a date (day/month/year): April 2024 has no day 31`},
		{"29/02/2023", DMY, `"29/02/2023" is not a date (day/month/year): February 2023 has no day 29`},
		{"00/01/2024", DMY, `"00/01/2024" is not a date (day/month/year): January 2024 has no day 0`},
		{"31/12/24", DMY, `"31/12/24" is not a date: write the year in full (DD/MM/YYYY)`},
		{"12/31/24", MDY, `"12/31/24" is not a date: write the year in full (MM/DD/YYYY)`},
		{"60", DMY, `"60" is not a date: Excel's 29 February 1900 never existed`},
		{"0", DMY, `"0" is not a date: Excel date numbers run from 1 (1900-01-01) to 2958465 (9999-12-31)`},
		{"2958466", DMY, `"2958466" is not a date: Excel date numbers run from 1 (1900-01-01) to 2958465 (9999-12-31)`},
		{"2024-02-30", DMY, `"2024-02-30" is not a date (day/month/year): February 2024 has no day 30`},
		{"next tuesday", DMY, `"next tuesday" is not a date (use DD/MM/YYYY, YYYY-MM-DD or an Excel date)`},
		{"31/12", MDY, `"31/12" is not a date (use MM/DD/YYYY, YYYY-MM-DD or an Excel date)`},
		{"", DMY, "a date is required here"},
		{"31/12/2024 25:00", DMY, `"31/12/2024 25:00" is not a date: "25:00" is not a time of day`},
		{"31/13/2024 10:00", DMY, `"31/13/2024 10:00" is not a date (day/month/year): there is no month 13`},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+string(tt.order), func(t *testing.T) {
			t.Parallel()
			_, err := ParseDate(tt.in, tt.order)
			var e *itam.Error
			require.True(t, errors.As(err, &e), "got %v", err)
			require.Equal(t, itam.CodeInvalid, e.Code)
			require.Equal(t, tt.msg, e.Message)
		})
	}
}

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, def      string
		amount, curr string
	}{
		{"1299", "EUR", "1299", "EUR"},
		{"1299.5", "EUR", "1299.5", "EUR"},
		{"1,299.00", "USD", "1299", "USD"},
		{"1.299,00", "EUR", "1299", "EUR"},
		{"1 299,00", "EUR", "1299", "EUR"},
		{"1\u00a0299,00", "EUR", "1299", "EUR"},
		{"1\u202f299,00", "EUR", "1299", "EUR"},
		{"1'299.00", "CHF", "1299", "CHF"},
		{"1,234,567.89", "USD", "1234567.89", "USD"},
		{"1.234.567,89", "EUR", "1234567.89", "EUR"},
		{"1,000,000", "USD", "1000000", "USD"},
		{"1,299", "USD", "1299", "USD"},
		{"1.299", "EUR", "1299", "EUR"},
		{"12,50", "EUR", "12.5", "EUR"},
		{"12.50", "EUR", "12.5", "EUR"},
		{"0.125", "USD", "0.125", "USD"},
		{",50", "EUR", "0.5", "EUR"},
		{"1 299.000", "EUR", "1299", "EUR"},
		{"$1,299.00", "EUR", "1299", "USD"},
		{"$ 1,299.00", "CAD", "1299", "CAD"},
		{"US$1,299.00", "CAD", "1299", "USD"},
		{"€1.299,00", "USD", "1299", "EUR"},
		{"1.299,00 €", "USD", "1299", "EUR"},
		{"1.299,00€", "", "1299", "EUR"},
		{"£999", "USD", "999", "GBP"},
		{"¥150000", "USD", "150000", "JPY"},
		{"¥150,000", "CNY", "150000", "CNY"},
		{"EUR 1.299,00", "USD", "1299", "EUR"},
		{"1,299.00 USD", "EUR", "1299", "USD"},
		{"1299.00usd", "EUR", "1299", "USD"},
		{"$100 CAD", "USD", "100", "CAD"},
		{"0", "EUR", "0", "EUR"},
		{"99.9999", "EUR", "99.9999", "EUR"},
		{"1,299.00", "eur", "1299", "EUR"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.def, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMoney(tt.in, tt.def)
			require.NoError(t, err)
			require.True(t, decimal.RequireFromString(tt.amount).Equal(got.Amount), "amount %s", got.Amount)
			require.Equal(t, tt.curr, got.Currency)
		})
	}
}

func TestParseMoneyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, def, msg string
	}{
		{"-12.00", "EUR", `"-12.00" is negative: a price cannot be`},
		{"12.00-", "EUR", `"12.00-" is negative: a price cannot be`},
		{"(1,299.00)", "USD", `"(1,299.00)" is negative: a price cannot be`},
		{"$-5", "USD", `"$-5" is negative: a price cannot be`},
		{"1299", "", `"1299" has no currency: add one or set a default currency`},
		{"1299", "XYZ", `default currency "XYZ" is not an ISO 4217 code`},
		{"1299 ABC", "EUR", `"1299 ABC": "ABC" is not an ISO 4217 currency code`},
		{"€100 USD", "EUR", `"€100 USD" names two currencies (EUR and USD)`},
		{"1,29,999.00", "INR", `"1,29,999.00" is not an amount: the thousands separators are misplaced`},
		{"1.299.00", "EUR", `"1.299.00" is not an amount: the thousands separators are misplaced`},
		{"1,299.000,00", "EUR", `"1,299.000,00" is not an amount: the thousands separators are mixed`},
		{"12a", "EUR", `"12a" is not an amount: it holds 'a'`},
		{"€", "EUR", `"€" is not an amount: there is no number`},
		{"12.", "EUR", `"12." is not an amount: the decimals are not digits`},
		{"1.23456", "EUR", `"1.23456": amount has more than 4 decimal places`},
		{"100000000000000", "EUR", `"100000000000000": amount is too large`},
		{"", "EUR", "an amount is required here"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.def, func(t *testing.T) {
			t.Parallel()
			_, err := ParseMoney(tt.in, tt.def)
			var e *itam.Error
			require.True(t, errors.As(err, &e), "got %v", err)
			require.Equal(t, itam.CodeInvalid, e.Code)
			require.Equal(t, tt.msg, e.Message)
		})
	}
}

func TestParseDateUnknownOrder(t *testing.T) {
	t.Parallel()
	for _, o := range []DateOrder{"", "YMD", "dmy"} {
		_, err := ParseDate("2024-12-31", o)
		var e *itam.Error
		require.True(t, errors.As(err, &e), "order %q: got %v", o, err)
		require.Equal(t, "options.dateOrder", e.Field)
	}
}
