package costs

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// Rate says one unit of From is worth Rate units of To from ValidFrom (a
// calendar day) until the pair's next rate. Admins enter rates; nothing is
// fetched, so a report converts only with rates someone has accepted.
type Rate struct {
	// ID is the stored rate's id (its cost history's entity id); zero for
	// a rate not read from storage.
	ID        uuid.UUID
	From      string
	To        string
	Rate      decimal.Decimal
	ValidFrom time.Time
}

// MaxRatePlaces is how many decimal places a stored rate keeps.
const MaxRatePlaces = 12

// maxRate is the first value a stored rate (numeric(24,12)) cannot hold.
var maxRate = decimal.New(1, 12)

// Validate checks a rate before it is stored: both currencies ISO 4217 and
// different, a rate above zero that storage holds exactly (at most
// MaxRatePlaces places, below 10^12), a start day.
func (r Rate) Validate() error {
	from, err := itam.ParseCurrency(r.From)
	if err != nil {
		return itam.Invalid("from", "%q is not an ISO 4217 currency code", r.From)
	}
	to, err := itam.ParseCurrency(r.To)
	if err != nil {
		return itam.Invalid("to", "%q is not an ISO 4217 currency code", r.To)
	}
	if from == to {
		return itam.Invalid("to", "a rate converts between two different currencies")
	}
	if !r.Rate.IsPositive() {
		return itam.Invalid("rate", "a rate is above zero")
	}
	// numeric(24,12) would round a thirteenth place away silently, and a
	// rate is what an admin accepted: stored exactly or refused.
	if !r.Rate.Equal(r.Rate.Round(MaxRatePlaces)) {
		return itam.Invalid("rate", "a rate has at most %d decimal places", MaxRatePlaces)
	}
	if r.Rate.GreaterThanOrEqual(maxRate) {
		return itam.Invalid("rate", "a rate is below 10^12")
	}
	if r.ValidFrom.IsZero() {
		return itam.Invalid("validFrom", "a rate needs the day it is valid from")
	}
	return nil
}

// Normalize validates r and returns it with canonical currency codes and a
// calendar-day ValidFrom, which is what stores save.
func (r Rate) Normalize() (Rate, error) {
	if err := r.Validate(); err != nil {
		return Rate{}, err
	}
	r.From, _ = itam.ParseCurrency(r.From)
	r.To, _ = itam.ParseCurrency(r.To)
	r.ValidFrom = itam.CalendarDay(r.ValidFrom)
	return r, nil
}

// Rates is every rate entered (all pairs, all dates), in any order.
type Rates []Rate

// Convert returns m in currency to, using the rate valid at the calendar
// day at, and that rate as stored (the zero Rate when m is already in to:
// nothing was converted, and m is returned unrounded).
//
// The rate valid at a day is, among the rates for the pair in either
// direction, the one with the latest ValidFrom on or before that day; a
// rate entered the other way round (to→from) applies as its inverse,
// amount ÷ rate, because an admin who entered EUR→USD 1.10 has said what
// USD→EUR is, and the latest word on a pair should win whichever way it
// was written. On equal ValidFrom the direct rate wins. The result is
// rounded half away from zero to the target currency's minor unit (0 for
// JPY, 3 for BHD), computed exactly (no float, no 1/rate intermediate).
//
// No valid rate is a BAD_USER_INPUT on reportingCurrency naming the pair
// and the day: a report is never converted with a guess.
func (r Rates) Convert(m itam.Money, to string, at time.Time) (itam.Money, Rate, error) {
	target, err := itam.ParseCurrency(to)
	if err != nil {
		return itam.Money{}, Rate{}, itam.Invalid("reportingCurrency", "%q is not an ISO 4217 currency code", to)
	}
	source, err := itam.ParseCurrency(m.Currency)
	if err != nil {
		return itam.Money{}, Rate{}, itam.Invalid("reportingCurrency", "%q is not an ISO 4217 currency code", m.Currency)
	}
	if source == target {
		return itam.Money{Amount: m.Amount, Currency: target}, Rate{}, nil
	}
	day := itam.CalendarDay(at)
	best, inverse, found := Rate{}, false, false
	for _, rt := range r {
		f, _ := itam.ParseCurrency(rt.From)
		t, _ := itam.ParseCurrency(rt.To)
		var inv bool
		switch {
		case f == source && t == target:
			inv = false
		case f == target && t == source:
			inv = true
		default:
			continue
		}
		vf := itam.CalendarDay(rt.ValidFrom)
		if vf.After(day) || !rt.Rate.IsPositive() {
			continue
		}
		bvf := itam.CalendarDay(best.ValidFrom)
		if !found || vf.After(bvf) || (vf.Equal(bvf) && inverse && !inv) {
			best, inverse, found = rt, inv, true
		}
	}
	if !found {
		return itam.Money{}, Rate{}, itam.Invalid("reportingCurrency",
			"no exchange rate from %s to %s valid on %s", source, target, day.Format(time.DateOnly))
	}
	places := itam.MinorUnits(target)
	var amount decimal.Decimal
	if inverse {
		amount = m.Amount.DivRound(best.Rate, places)
	} else {
		amount = m.Amount.Mul(best.Rate).Round(places)
	}
	return itam.Money{Amount: amount, Currency: target}, best, nil
}

// Totals is a sum kept per currency, one Money per currency sorted by code:
// currencies are never added together silently. The zero value is empty.
type Totals []itam.Money

// Add returns t plus m, in m's canonical currency. t is not modified.
func (t Totals) Add(m itam.Money) Totals {
	code, err := itam.ParseCurrency(m.Currency)
	if err != nil {
		code = m.Currency // unvalidated input keeps its own bucket rather than vanishing
	}
	i, ok := slices.BinarySearchFunc(t, code, func(x itam.Money, c string) int { return cmp.Compare(x.Currency, c) })
	out := slices.Clone(t)
	if ok {
		out[i].Amount = out[i].Amount.Add(m.Amount)
		return out
	}
	return slices.Insert(out, i, itam.Money{Amount: m.Amount, Currency: code})
}

// Plus returns the per-currency sum of t and u.
func (t Totals) Plus(u Totals) Totals {
	out := t
	for _, m := range u {
		out = out.Add(m)
	}
	return out
}

// Sum totals amounts per currency.
func Sum(ms ...itam.Money) Totals {
	var t Totals
	for _, m := range ms {
		t = t.Add(m)
	}
	return t
}

// Convert returns t in currency to, each currency's total converted at the
// day at, with the rates used (sorted by pair; none for a total already in
// to). An empty t is zero in to. For sums whose parts carry their own
// dates, convert the parts (see ConvertLines): a total has lost its dates.
func (t Totals) Convert(r Rates, to string, at time.Time) (itam.Money, []Rate, error) {
	target, err := itam.ParseCurrency(to)
	if err != nil {
		return itam.Money{}, nil, itam.Invalid("reportingCurrency", "%q is not an ISO 4217 currency code", to)
	}
	sum := itam.Money{Amount: decimal.Zero, Currency: target}
	var used ratesUsed
	for _, m := range t {
		c, rate, err := r.Convert(m, target, at)
		if err != nil {
			return itam.Money{}, nil, err
		}
		sum.Amount = sum.Amount.Add(c.Amount)
		used.add(rate)
	}
	return sum, used.list(), nil
}

// ratesUsed collects the distinct rates a conversion applied.
type ratesUsed struct{ rates []Rate }

func (u *ratesUsed) add(r Rate) {
	if r.From == "" {
		return // no conversion
	}
	for _, x := range u.rates {
		if x.From == r.From && x.To == r.To && x.ValidFrom.Equal(r.ValidFrom) && x.Rate.Equal(r.Rate) {
			return
		}
	}
	u.rates = append(u.rates, r)
}

// list returns the rates sorted by pair then ValidFrom, so results are
// stable whatever order lines came in.
func (u *ratesUsed) list() []Rate {
	slices.SortFunc(u.rates, func(a, b Rate) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), a.ValidFrom.Compare(b.ValidFrom))
	})
	return u.rates
}
