package itam

import "github.com/shopspring/decimal"

// FormatAmount writes an amount with exactly its currency's minor-unit
// digits (MinorUnits): "1649.00" USD, "1649" JPY, "12.500" BHD, the way
// an invoice shows it, whatever scale the amount was stored or summed at.
// An amount entered finer than the currency's minor unit (amounts keep up
// to 4 places as entered, e.g. a unit price of 0.0125 USD) keeps its
// extra digits: rounding it on the way out would show a value that is not
// the one stored, and writing it back would change it.
func FormatAmount(amount decimal.Decimal, currency string) string {
	places := MinorUnits(currency)
	if !amount.Equal(amount.Truncate(places)) {
		return amount.String()
	}
	return amount.StringFixed(places)
}

// AmountString is m's amount as the API returns it (FormatAmount): every
// Money the API answers goes through it.
func (m Money) AmountString() string { return FormatAmount(m.Amount, m.Currency) }
