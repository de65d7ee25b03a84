package costs

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// Valuer values many assets at one day, for roll-ups (assetCounts'
// bookValue over 100,000 assets, nearly each with its own price). Building
// each asset's whole schedule would cost one division per month of life;
// but a book value only needs how many periods have closed (date
// arithmetic: the in-service day moves a schedule's dates, never its
// amounts) and their sum, and every month of one depreciation year takes
// the same rounded amount. So a Valuer works out a profile's checks once,
// each asset's yearly amounts, and sums whole years: the same numbers as
// Schedule, falling back to it where the last period's remainder or the
// salvage floor could matter. The result equals AssetBookValue for every
// asset (TestValuerMatchesAssetBookValue).
type Valuer struct {
	asOf     time.Time
	profiles map[valuerKey]bool // profile checks passed
}

type valuerKey struct {
	profile uuid.UUID
	version int
}

// NewValuer returns a Valuer of book values at the end of asOf.
func NewValuer(asOf time.Time) *Valuer {
	return &Valuer{asOf: itam.CalendarDay(asOf), profiles: map[valuerKey]bool{}}
}

// BookValue is AssetBookValue(p, cost, inService, asOf).
func (v *Valuer) BookValue(p *Profile, cost *itam.Money, inService *time.Time) *itam.Money {
	if cost == nil || p == nil || inService == nil {
		return AssetBookValue(p, cost, inService, v.asOf)
	}
	key := valuerKey{p.ID, p.Version}
	valid, seen := v.profiles[key]
	if !seen {
		q := *p
		if q.SalvageValue != nil {
			sv := *q.SalvageValue
			q.SalvageValue = &sv
		}
		valid = q.Validate() == nil
		v.profiles[key] = valid
	}
	if !valid {
		return AssetBookValue(p, cost, inService, v.asOf)
	}
	if m, ok := v.fast(p, *cost, itam.CalendarDay(*inService)); ok {
		return &m
	}
	return AssetBookValue(p, cost, inService, v.asOf)
}

// fast is Schedule's book value by whole years; ok false when the cost is
// refused or the sum comes near the end of the life, where Schedule's last
// period remainder and salvage floor apply (the caller then asks it).
func (v *Valuer) fast(p *Profile, cost itam.Money, inService time.Time) (itam.Money, bool) {
	if itam.ValidateMoney(cost, "cost") != nil {
		return itam.Money{}, false
	}
	code, _ := itam.ParseCurrency(cost.Currency)
	places := itam.MinorUnits(code)
	total := cost.Amount.Round(places)
	salvage := decimal.Zero
	switch {
	case p.SalvageValue != nil:
		if c, _ := itam.ParseCurrency(p.SalvageValue.Currency); c != code {
			return itam.Money{}, false
		}
		salvage = p.SalvageValue.Amount.Round(places)
	case p.SalvagePercent != nil:
		salvage = total.Mul(*p.SalvagePercent).DivRound(hundred, precision).Round(places)
	}
	if salvage.GreaterThan(total) {
		return itam.Money{}, false
	}
	n := closedPeriods(p, inService, v.asOf)
	if n == 0 {
		return itam.Money{Amount: total, Currency: code}, true
	}
	life := p.UsefulLifeMonths
	if (p.Convention == Annual && n == (life+11)/12) || (p.Convention == Monthly && n == life) {
		// Every period closed: the periods sum exactly to cost − salvage.
		return itam.Money{Amount: salvage, Currency: code}, true
	}
	// The year holding the last closed period, counted in months.
	months := n
	if p.Convention == Annual {
		months = min(12*n, life)
	}
	if months > life-12 {
		return itam.Money{}, false // the last year: remainder and floor apply
	}
	years := yearAmounts(p, total, salvage)
	taken := decimal.Zero
	for y := 0; 12*y < months; y++ {
		if p.Convention == Annual {
			taken = taken.Add(years[y].Round(places))
			continue
		}
		in := min(12, months-12*y)
		perMonth := years[y].DivRound(decimal.NewFromInt(int64(monthsIn(life, y))), precision).Round(places)
		taken = taken.Add(perMonth.Mul(decimal.NewFromInt(int64(in))))
	}
	if taken.GreaterThan(total.Sub(salvage)) {
		return itam.Money{}, false
	}
	return itam.Money{Amount: total.Sub(taken), Currency: code}, true
}

// closedPeriods counts the periods of p's schedule from inService that end
// on or before asOf, by the same bounds Schedule gives them (periods).
func closedPeriods(p *Profile, inService, asOf time.Time) int {
	life := p.UsefulLifeMonths
	if p.Convention == Annual {
		n := (life + 11) / 12
		closed := 0
		for y := range n {
			end := itam.AddMonths(inService, min(12*(y+1), life)).AddDate(0, 0, -1)
			if end.After(asOf) {
				break
			}
			closed++
		}
		return closed
	}
	// Monthly: period k ends on the last day of the k-th month after the
	// in-service month; the ones closed are the months before asOf's,
	// plus asOf's own when asOf is its last day.
	first := time.Date(inService.Year(), inService.Month(), 1, 0, 0, 0, 0, time.UTC)
	closed := monthsBetween(first, asOf)
	if asOf.AddDate(0, 0, 1).Month() != asOf.Month() {
		closed++
	}
	return max(0, min(closed, life))
}
