package costs

import (
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// converter is Rates.Convert for a report's many lines: the rate valid for
// a currency on a day is looked up once (Convert parses every rate's
// currencies and scans them all), then applied with Convert's arithmetic.
type converter struct {
	rates  Rates
	to     string
	places int32
	choice map[convKey]convChoice
	used   ratesUsed
}

type convKey struct {
	currency string
	day      time.Time
}

type convChoice struct {
	source  string // canonical code of the amount's currency
	rate    Rate   // zero when source is the target: nothing to convert
	inverse bool   // the rate was entered target→source
	err     error
}

func newConverter(rates Rates, to string) *converter {
	return &converter{rates: rates, to: to, places: minorUnits(to), choice: map[convKey]convChoice{}}
}

// convert returns m in the target currency at the rate valid on day,
// exactly as Rates.Convert does.
func (c *converter) convert(m itam.Money, day time.Time) (itam.Money, error) {
	if m.Currency == c.to {
		return m, nil
	}
	k := convKey{m.Currency, day}
	ch, ok := c.choice[k]
	if !ok {
		ch.source = canonicalCurrency(m.Currency)
		// Convert finds the rate (or the error naming pair and day); the
		// unit amount only serves the lookup.
		_, ch.rate, ch.err = c.rates.Convert(itam.Money{Amount: decimal.NewFromInt(1), Currency: m.Currency}, c.to, day)
		ch.inverse = ch.err == nil && ch.rate.From != "" && canonicalCurrency(ch.rate.From) != ch.source
		c.choice[k] = ch
		if ch.err == nil {
			c.used.add(ch.rate)
		}
	}
	switch {
	case ch.err != nil:
		return itam.Money{}, ch.err
	case ch.rate.From == "":
		return itam.Money{Amount: m.Amount, Currency: c.to}, nil
	case ch.inverse:
		return itam.Money{Amount: m.Amount.DivRound(ch.rate.Rate, c.places), Currency: c.to}, nil
	}
	return itam.Money{Amount: m.Amount.Mul(ch.rate.Rate).Round(c.places), Currency: c.to}, nil
}

// Currency codes and minor units are parsed through x/text's tables, which
// costs more than the arithmetic of a line; reports see a handful of
// codes, so each is parsed once per process.
var (
	canonicalCodes sync.Map // code as given → canonical code (or itself when invalid)
	minorUnitsOf   sync.Map // canonical code → minor units
)

// canonicalCurrency is itam.ParseCurrency's code for c, or c itself when
// it is not a currency (unvalidated input keeps its own bucket, as in
// Totals.Add).
func canonicalCurrency(c string) string {
	if v, ok := canonicalCodes.Load(c); ok {
		return v.(string)
	}
	code, err := itam.ParseCurrency(c)
	if err != nil {
		code = c
	}
	canonicalCodes.Store(c, code)
	return code
}

func minorUnits(c string) int32 {
	if v, ok := minorUnitsOf.Load(c); ok {
		return v.(int32)
	}
	u := itam.MinorUnits(c)
	minorUnitsOf.Store(c, u)
	return u
}
