package costs

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// Period is one line of a depreciation schedule: Start and End are dates
// (midnight UTC), both inclusive; Closing = Opening − Depreciation.
type Period struct {
	Start, End   time.Time
	Opening      itam.Money
	Depreciation itam.Money
	Closing      itam.Money
}

// precision is the number of decimal places kept while amounts are still
// exact fractions (a third of a year's depreciation, say); far below any
// currency's minor unit, so it never shows after rounding.
const precision = 20

// Schedule returns the periods over which cost is depreciated from inService
// under p. The rules (issue #10, "Depreciation"):
//
//   - cost and salvage are first rounded to the currency's minor unit
//     (itam.MinorUnits: JPY 0, EUR 2, BHD 3), and so is every period;
//   - the amounts are worked out per depreciation year, the 12 months from
//     the in-service date (the last year shorter when the life is not whole
//     years). Declining methods take rate × 12 ÷ lifeMonths of the book value
//     a year, or straight line over the remaining life when that is more (the
//     switch MACRS tables make), and never go below salvage; sum of years'
//     digits weights each year by the life in years remaining at its start
//     (5, 4, 3, 2, 1 for five years);
//   - ANNUAL: one period per depreciation year, the first starting on the
//     in-service date;
//   - MONTHLY: one period per calendar month from the month placed in
//     service, each month taking an equal share of its depreciation year's
//     amount ("a year's depreciation spread over its months"), so a fiscal
//     year straddling two depreciation years gets 9/12 of one and 3/12 of the
//     next — the allocation taught for partial years, see the cited cases in
//     depreciation_test.go;
//   - each period is rounded on its own, half away from zero, and the last
//     takes whatever remains, so the periods sum exactly to cost − salvage
//     (a calendar year's months may then differ from a textbook's
//     annual × months ÷ 12 by those per-month cents: 9 × 1,333.33 =
//     11,999.97, not 12,000).
//
// Bad input is a BAD_USER_INPUT *itam.Error naming the field: the profile's
// own fields, cost.amount / cost.currency, or salvageValue when the salvage
// is above cost or in another currency.
func Schedule(p Profile, cost itam.Money, inService time.Time) ([]Period, error) {
	if p.SalvageValue != nil {
		// Validate canonicalizes the currency; work on a copy so the
		// caller's profile is never changed by asking for a schedule.
		sv := *p.SalvageValue
		p.SalvageValue = &sv
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := itam.ValidateMoney(cost, "cost"); err != nil {
		return nil, err
	}
	code, _ := itam.ParseCurrency(cost.Currency)
	places := itam.MinorUnits(code)
	total := cost.Amount.Round(places)
	salvage := decimal.Zero
	switch {
	case p.SalvageValue != nil:
		if p.SalvageValue.Currency != code {
			return nil, itam.Invalid("salvageValue.currency", "salvage is in %s but cost is in %s", p.SalvageValue.Currency, code)
		}
		salvage = p.SalvageValue.Amount.Round(places)
	case p.SalvagePercent != nil:
		salvage = total.Mul(*p.SalvagePercent).DivRound(hundred, precision).Round(places)
	}
	if salvage.GreaterThan(total) {
		return nil, itam.Invalid("salvageValue", "salvage %s is above the cost %s", salvage, total)
	}

	years := yearAmounts(&p, total, salvage)
	start := itam.CalendarDay(inService)
	exact, bounds := periods(&p, years, start)

	depreciable := total.Sub(salvage)
	out := make([]Period, len(exact))
	book, taken := total, decimal.Zero
	for i, amount := range exact {
		amount = amount.Round(places)
		if left := depreciable.Sub(taken); i == len(exact)-1 || amount.GreaterThan(left) {
			// The last period absorbs the rounding remainder; a rounded-up
			// period never takes the value below salvage.
			amount = left
		}
		taken = taken.Add(amount)
		out[i] = Period{
			Start:        bounds[i][0],
			End:          bounds[i][1],
			Opening:      itam.Money{Amount: book, Currency: code},
			Depreciation: itam.Money{Amount: amount, Currency: code},
			Closing:      itam.Money{Amount: book.Sub(amount), Currency: code},
		}
		book = book.Sub(amount)
	}
	return out, nil
}

// BookValue is the value of the asset at the end of asOf's day: the cost
// before it was placed in service, then the closing value of the last period
// that ended on or before asOf (depreciation is booked when a period closes,
// as a ledger posts it), and salvage once the life is over.
func BookValue(p Profile, cost itam.Money, inService, asOf time.Time) (itam.Money, error) {
	sched, err := Schedule(p, cost, inService)
	if err != nil {
		return itam.Money{}, err
	}
	value := sched[0].Opening
	day := itam.CalendarDay(asOf)
	for _, per := range sched {
		if per.End.After(day) {
			break
		}
		value = per.Closing
	}
	return value, nil
}

// yearAmounts returns the exact (unrounded) depreciation of each
// depreciation year; their sum is total − salvage.
func yearAmounts(p *Profile, total, salvage decimal.Decimal) []decimal.Decimal {
	life := p.UsefulLifeMonths
	n := (life + 11) / 12
	depreciable := total.Sub(salvage)
	lifeD := decimal.NewFromInt(int64(life))
	out := make([]decimal.Decimal, n)
	switch p.Method {
	case StraightLine:
		for y := range n {
			out[y] = depreciable.Mul(decimal.NewFromInt(int64(monthsIn(life, y)))).DivRound(lifeD, precision)
		}
	case SumOfYearsDigits:
		// Digits in months (60, 48, …, 12 for five years) are the years'
		// digits × 12; a partial last year counts what remains of it.
		sum := decimal.Zero
		for y := range n {
			sum = sum.Add(decimal.NewFromInt(int64(life - 12*y)))
		}
		for y := range n {
			out[y] = depreciable.Mul(decimal.NewFromInt(int64(life-12*y))).DivRound(sum, precision)
		}
	default: // both declining methods
		rate := p.rate()
		book := total
		for y := range n {
			m := decimal.NewFromInt(int64(monthsIn(life, y)))
			remaining := decimal.NewFromInt(int64(life - 12*y))
			db := book.Mul(rate).Mul(m).DivRound(lifeD, precision)
			sl := book.Sub(salvage).Mul(m).DivRound(remaining, precision)
			amount := decimal.Max(db, sl)
			if left := book.Sub(salvage); amount.GreaterThan(left) {
				amount = left
			}
			out[y] = amount
			book = book.Sub(amount)
		}
	}
	// Divisions above are exact to 20 places; pin the sum exactly anyway.
	sum := decimal.Zero
	for _, a := range out[:n-1] {
		sum = sum.Add(a)
	}
	out[n-1] = depreciable.Sub(sum)
	return out
}

// periods cuts the yearly amounts into the convention's periods and returns
// each period's exact amount and its inclusive [start, end] dates.
func periods(p *Profile, years []decimal.Decimal, start time.Time) ([]decimal.Decimal, [][2]time.Time) {
	life := p.UsefulLifeMonths
	if p.Convention == Annual {
		bounds := make([][2]time.Time, len(years))
		for y := range years {
			end := min(12*(y+1), life)
			bounds[y] = [2]time.Time{itam.AddMonths(start, 12*y), itam.AddMonths(start, end).AddDate(0, 0, -1)}
		}
		return years, bounds
	}
	first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	amounts := make([]decimal.Decimal, life)
	bounds := make([][2]time.Time, life)
	for k := range life {
		y := k / 12
		amounts[k] = years[y].DivRound(decimal.NewFromInt(int64(monthsIn(life, y))), precision)
		bounds[k] = [2]time.Time{first.AddDate(0, k, 0), first.AddDate(0, k+1, -1)}
	}
	return amounts, bounds
}

// monthsIn is how many months depreciation year y (0-based) has.
func monthsIn(life, y int) int { return min(12, life-12*y) }
