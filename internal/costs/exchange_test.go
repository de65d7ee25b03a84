package costs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func finRate(from, to, rate string, validFrom time.Time) costs.Rate {
	return costs.Rate{From: from, To: to, Rate: decimal.RequireFromString(rate), ValidFrom: validFrom}
}

func TestRateValidate(t *testing.T) {
	day := finDay(2025, 1, 1)
	tests := []struct {
		name  string
		rate  costs.Rate
		field string
	}{
		{"valid", finRate("EUR", "USD", "1.0832", day), ""},
		{"lower case", finRate("eur", "jpy", "161.5", day), ""},
		{"unknown from", finRate("EUX", "USD", "1", day), "from"},
		{"unknown to", finRate("EUR", "US", "1", day), "to"},
		{"same currency", finRate("EUR", "eur", "1", day), "to"},
		{"zero rate", finRate("EUR", "USD", "0", day), "rate"},
		{"negative rate", finRate("EUR", "USD", "-1.1", day), "rate"},
		{"no valid-from day", finRate("EUR", "USD", "1.1", time.Time{}), "validFrom"},
		{"twelve places", finRate("EUR", "USD", "1.085012345678", day), ""},
		{"thirteen places", finRate("EUR", "USD", "1.0850123456789", day), "rate"},
		{"trailing zeros are no places", finRate("EUR", "USD", "1.1000000000000000", day), ""},
		{"just below 10^12", finRate("VND", "USD", "999999999999.999999999999", day), ""},
		{"10^12", finRate("VND", "USD", "1000000000000", day), "rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rate.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				n, err := tt.rate.Normalize()
				require.NoError(t, err)
				require.Equal(t, strings.ToUpper(tt.rate.From), n.From)
				require.Equal(t, strings.ToUpper(tt.rate.To), n.To)
				return
			}
			finRequireInvalid(t, err, tt.field)
			_, err = tt.rate.Normalize()
			finRequireInvalid(t, err, tt.field)
		})
	}
	n, err := finRate("eur", "usd", "1.1", time.Date(2025, 1, 1, 22, 0, 0, 0, time.UTC)).Normalize()
	require.NoError(t, err)
	require.Equal(t, finRate("EUR", "USD", "1.1", day), n)
}

var finRates = costs.Rates{
	finRate("EUR", "USD", "1.10", finDay(2025, 1, 1)),
	finRate("EUR", "USD", "1.20", finDay(2025, 7, 1)),
	finRate("USD", "JPY", "150.123", finDay(2025, 1, 1)),
	finRate("USD", "BHD", "0.376", finDay(2025, 1, 1)),
	finRate("GBP", "JPY", "3", finDay(2025, 1, 1)),
	finRate("KWD", "GBP", "200", finDay(2025, 1, 1)),
}

func TestRatesConvert(t *testing.T) {
	tests := []struct {
		name     string
		rates    costs.Rates
		amount   itam.Money
		to       string
		at       time.Time
		want     itam.Money
		rate     costs.Rate // the zero Rate: no conversion
		errField string
	}{
		{name: "direct rate", rates: finRates, amount: finMoney("100", "EUR"), to: "USD", at: finDay(2025, 3, 1),
			want: finMoney("110.00", "USD"), rate: finRates[0]},
		{name: "the day before a new rate", rates: finRates, amount: finMoney("100", "EUR"), to: "USD", at: finDay(2025, 6, 30),
			want: finMoney("110", "USD"), rate: finRates[0]},
		{name: "a new rate applies from its first day", rates: finRates, amount: finMoney("100", "EUR"), to: "USD", at: finDay(2025, 7, 1),
			want: finMoney("120", "USD"), rate: finRates[1]},
		{name: "the day is the caller's, not UTC's", rates: finRates, amount: finMoney("100", "EUR"), to: "usd",
			at:   time.Date(2025, 6, 30, 23, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)),
			want: finMoney("110", "USD"), rate: finRates[0]},
		// 10.99 × 150.123 = 1649.85177 → 1650 yen: JPY has no minor unit.
		{name: "to JPY, rounded to the yen", rates: finRates, amount: finMoney("10.99", "USD"), to: "JPY", at: finDay(2025, 3, 1),
			want: finMoney("1650", "JPY"), rate: finRates[2]},
		// 12.3456 × 0.376 = 4.6419456 → 4.642 dinars: BHD has three places.
		{name: "to BHD, rounded to the fils", rates: finRates, amount: finMoney("12.3456", "USD"), to: "BHD", at: finDay(2025, 3, 1),
			want: finMoney("4.642", "BHD"), rate: finRates[3]},
		// 1000 ÷ 150.123 = 6.66120… → 6.66, with the USD→JPY rate as entered.
		{name: "inverse pair, from JPY", rates: finRates, amount: finMoney("1000", "JPY"), to: "USD", at: finDay(2025, 3, 1),
			want: finMoney("6.66", "USD"), rate: finRates[2]},
		// 100 ÷ 1.20 = 83.333… → 83.33.
		{name: "inverse pair takes the latest rate", rates: finRates, amount: finMoney("100", "USD"), to: "EUR", at: finDay(2025, 8, 1),
			want: finMoney("83.33", "EUR"), rate: finRates[1]},
		// 1 ÷ 0.376 = 2.65957… → 2.66.
		{name: "inverse from BHD", rates: finRates, amount: finMoney("1.000", "BHD"), to: "USD", at: finDay(2025, 3, 1),
			want: finMoney("2.66", "USD"), rate: finRates[3]},
		{name: "half rounds away from zero (yen)", rates: finRates, amount: finMoney("0.50", "GBP"), to: "JPY", at: finDay(2025, 3, 1),
			want: finMoney("2", "JPY"), rate: finRates[4]}, // 1.5 → 2
		{name: "half rounds away from zero (fils ÷)", rates: finRates, amount: finMoney("0.1", "GBP"), to: "KWD", at: finDay(2025, 3, 1),
			want: finMoney("0.001", "KWD"), rate: finRates[5]}, // 0.0005 → 0.001
		{name: "same currency is not converted", rates: nil, amount: finMoney("12.3456", "eur"), to: "EUR", at: finDay(2025, 3, 1),
			want: finMoney("12.3456", "EUR")},
		{name: "no rate yet", rates: finRates, amount: finMoney("100", "EUR"), to: "USD", at: finDay(2024, 12, 31), errField: "reportingCurrency"},
		{name: "no rate for the pair", rates: finRates, amount: finMoney("100", "EUR"), to: "JPY", at: finDay(2025, 3, 1), errField: "reportingCurrency"},
		{name: "no rates at all", rates: nil, amount: finMoney("100", "EUR"), to: "USD", at: finDay(2025, 3, 1), errField: "reportingCurrency"},
		{name: "unknown target", rates: finRates, amount: finMoney("100", "EUR"), to: "EURO", at: finDay(2025, 3, 1), errField: "reportingCurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rate, err := tt.rates.Convert(tt.amount, tt.to, tt.at)
			if tt.errField != "" {
				finRequireInvalid(t, err, tt.errField)
				return
			}
			require.NoError(t, err)
			finRequireMoney(t, tt.want, got)
			// To the unit: no digits beyond the currency's minor unit.
			if tt.rate.From != "" {
				require.LessOrEqual(t, -got.Amount.Exponent(), itam.MinorUnits(got.Currency))
			}
			require.Equal(t, tt.rate, rate)
		})
	}
}

func TestRatesConvertMissingNamesPairAndDay(t *testing.T) {
	_, _, err := finRates.Convert(finMoney("100", "eur"), "usd", finDay(2024, 12, 31))
	finRequireInvalid(t, err, "reportingCurrency")
	require.Contains(t, err.Error(), "from EUR to USD")
	require.Contains(t, err.Error(), "2024-12-31")
}

func TestRatesConvertPrefersDirectOnSameDay(t *testing.T) {
	direct := finRate("USD", "EUR", "0.95", finDay(2025, 7, 1))
	rates := costs.Rates{finRate("EUR", "USD", "1.20", finDay(2025, 7, 1)), direct}
	got, rate, err := rates.Convert(finMoney("100", "USD"), "EUR", finDay(2025, 7, 1))
	require.NoError(t, err)
	finRequireMoney(t, finMoney("95", "EUR"), got)
	require.Equal(t, direct, rate)

	// A later inverse entry is the newer word on the pair and wins.
	newer := finRate("EUR", "USD", "1.25", finDay(2025, 8, 1))
	got, rate, err = append(rates, newer).Convert(finMoney("100", "USD"), "EUR", finDay(2025, 8, 1))
	require.NoError(t, err)
	finRequireMoney(t, finMoney("80", "EUR"), got)
	require.Equal(t, newer, rate)
}

func TestTotals(t *testing.T) {
	got := costs.Sum(finMoney("1.10", "EUR"), finMoney("2", "USD"), finMoney("3.0001", "eur"), finMoney("500", "JPY"), finMoney("0.001", "BHD"))
	require.Len(t, got, 4)
	for i, want := range []itam.Money{finMoney("0.001", "BHD"), finMoney("4.1001", "EUR"), finMoney("500", "JPY"), finMoney("2", "USD")} {
		finRequireMoney(t, want, got[i])
	}
	added := got.Add(finMoney("1", "USD"))
	finRequireMoney(t, finMoney("2", "USD"), got[3]) // Add leaves its receiver alone
	finRequireMoney(t, finMoney("3", "USD"), added[3])

	both := costs.Sum(finMoney("1", "USD")).Plus(costs.Sum(finMoney("2", "USD"), finMoney("1", "AUD")))
	require.Len(t, both, 2)
	finRequireMoney(t, finMoney("1", "AUD"), both[0])
	finRequireMoney(t, finMoney("3", "USD"), both[1])
	require.Empty(t, costs.Sum())
}

func TestTotalsConvert(t *testing.T) {
	totals := costs.Sum(finMoney("100", "EUR"), finMoney("1000", "JPY"), finMoney("5", "USD"))
	// 110.00 + 6.66 + 5 = 121.66
	got, used, err := totals.Convert(finRates, "USD", finDay(2025, 3, 1))
	require.NoError(t, err)
	finRequireMoney(t, finMoney("121.66", "USD"), got)
	require.Equal(t, []costs.Rate{finRates[0], finRates[2]}, used)

	_, _, err = totals.Convert(finRates, "USD", finDay(2024, 6, 1))
	finRequireInvalid(t, err, "reportingCurrency")

	got, used, err = costs.Totals(nil).Convert(nil, "jpy", finDay(2025, 3, 1))
	require.NoError(t, err)
	finRequireMoney(t, finMoney("0", "JPY"), got)
	require.Empty(t, used)
}
