package costs

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// Breakdown is a cost split by kind, with the overall total; every sum is
// per currency. Rates lists the exchange rates applied when the breakdown
// was converted to a reporting currency (nil otherwise), so a reader can
// check every converted figure.
type Breakdown struct {
	ByKind map[EntryKind]Totals
	Total  Totals
	Rates  []Rate
}

// TCO is an asset's total cost of ownership over [from, to] (inclusive
// calendar days): its ledger entries (purchase, maintenance, repairs,
// support, …), the contract charges attributed to it (expanded with Expand,
// shared with Share when a contract covers several items) and the license
// seat costs attributed to it, each line counted under its kind. Lines
// outside the period are ignored, so callers may pass more than the period.
func TCO(entries []Entry, contractLines, seatCosts []Line, from, to time.Time) Breakdown {
	b := Breakdown{ByKind: map[EntryKind]Totals{}}
	for _, l := range tcoLines(entries, contractLines, seatCosts, from, to) {
		b.ByKind[l.Kind] = b.ByKind[l.Kind].Add(l.Amount)
		b.Total = b.Total.Add(l.Amount)
	}
	return b
}

// TCOIn is TCO converted to currency: each line at the rate valid on its
// own date (rounded to currency's minor unit, then summed, so the totals
// are the sums of the converted lines), with the rates used. A line with
// no valid rate fails the whole report (BAD_USER_INPUT on
// reportingCurrency naming the pair and day).
func TCOIn(entries []Entry, contractLines, seatCosts []Line, from, to time.Time, rates Rates, currency string) (Breakdown, error) {
	lines, used, err := ConvertLines(tcoLines(entries, contractLines, seatCosts, from, to), rates, currency)
	if err != nil {
		return Breakdown{}, err
	}
	target, _ := itam.ParseCurrency(currency)
	zero := itam.Money{Amount: decimal.Zero, Currency: target}
	// Converted, the total is one amount even when nothing was spent.
	b := Breakdown{ByKind: map[EntryKind]Totals{}, Total: Totals{zero}, Rates: used}
	for _, l := range lines {
		b.ByKind[l.Kind] = b.ByKind[l.Kind].Add(l.Amount)
		b.Total = b.Total.Add(l.Amount)
	}
	return b, nil
}

func tcoLines(entries []Entry, contractLines, seatCosts []Line, from, to time.Time) []Line {
	from, to = itam.CalendarDay(from), itam.CalendarDay(to)
	var lines []Line
	keep := func(l Line) {
		d := itam.CalendarDay(l.Date)
		if !d.Before(from) && !d.After(to) {
			lines = append(lines, l)
		}
	}
	for _, e := range entries {
		keep(e.Line())
	}
	for _, l := range contractLines {
		keep(l)
	}
	for _, l := range seatCosts {
		keep(l)
	}
	return lines
}

// ConvertLines returns lines with amounts in currency, each converted at
// its own date (see Rates.Convert), and the distinct rates used.
func ConvertLines(lines []Line, rates Rates, currency string) ([]Line, []Rate, error) {
	if _, err := itam.ParseCurrency(currency); err != nil {
		return nil, nil, itam.Invalid("reportingCurrency", "%q is not an ISO 4217 currency code", currency)
	}
	out := make([]Line, len(lines))
	var used ratesUsed
	for i, l := range lines {
		m, rate, err := rates.Convert(l.Amount, currency, l.Date)
		if err != nil {
			return nil, nil, err
		}
		l.Amount = m
		out[i] = l
		used.add(rate)
	}
	return out, used.list(), nil
}

// Share returns the i-th (0-based) of n equal shares of m, rounded to the
// currency's minor unit, with the remainder handed out one minor unit at a
// time to the first shares, so the n shares always sum exactly to m (a
// 100.00 support charge over 3 assets is 33.34, 33.33, 33.33). It is how a
// contract charge covering several assets is attributed to each. n < 1 or
// i outside [0, n) gives m unchanged.
func Share(m itam.Money, i, n int) itam.Money {
	if n < 1 || i < 0 || i >= n {
		return m
	}
	places := itam.MinorUnits(m.Currency)
	unit := decimal.New(1, -places)
	// Work in whole minor units; amounts with finer digits than the minor
	// unit (the ledger keeps 4 places) are truncated into the base share
	// and their remainder spread like any other.
	units := m.Amount.Shift(places).Truncate(0)
	base := units.Div(decimal.NewFromInt(int64(n))).Truncate(0)
	remainder := units.Sub(base.Mul(decimal.NewFromInt(int64(n))))
	share := base.Shift(-places)
	if decimal.NewFromInt(int64(i)).LessThan(remainder) {
		share = share.Add(unit)
	}
	if i == 0 {
		// Sub-minor-unit digits (if any) go to the first share, keeping the sum exact.
		share = share.Add(m.Amount.Sub(units.Shift(-places)))
	}
	return itam.Money{Amount: share, Currency: m.Currency}
}

// ShareLines returns the i-th of n shares of each line (see Share).
func ShareLines(lines []Line, i, n int) []Line {
	out := make([]Line, len(lines))
	for j, l := range lines {
		l.Amount = Share(l.Amount, i, n)
		out[j] = l
	}
	return out
}

// sortLines orders lines by date, then source, then charge, so expansion
// output is stable.
func sortLines(lines []Line) {
	slices.SortStableFunc(lines, func(a, b Line) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.SourceID.String(), b.SourceID.String()), cmp.Compare(a.Charge, b.Charge))
	})
}
