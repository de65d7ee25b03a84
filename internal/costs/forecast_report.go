package costs

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// The refresh forecast's horizon: this quarter and the ones after it, at
// most ten years (each quarter is a bucket of the one aggregate query; a
// longer horizon says nothing a budget can use).
const (
	DefaultForecastQuarters = 8
	MaxForecastQuarters     = 40
)

// ValidateForecastQuarters refuses a horizon outside 1–MaxForecastQuarters.
func ValidateForecastQuarters(n int) error {
	if n < 1 || n > MaxForecastQuarters {
		return itam.Invalid("quarters", "quarters must be between 1 and %d, not %d", MaxForecastQuarters, n)
	}
	return nil
}

// ForecastWindow is the span a forecast of n quarters covers from today:
// the first day of today's quarter (an end of life before it is overdue)
// and the first day after the last quarter.
func ForecastWindow(today time.Time, quarters int) (start, end time.Time) {
	y, q := Quarter(itam.CalendarDay(today))
	return QuarterStart(y, q), QuarterStart(y, q+quarters)
}

// InServiceDay is when an asset was placed in service, which its useful
// life counts from: its in-service date when set, else its purchase date.
func InServiceDay(inService, purchase *time.Time) *time.Time {
	if inService != nil {
		return inService
	}
	return purchase
}

// LifeMonths is the useful life an asset's expected end of life counts:
// its model's own useful life when the model states one (it knows the
// hardware), else its effective depreciation profile's (EffectiveProfile).
func LifeMonths(model, profile *int) *int {
	if model != nil {
		return model
	}
	return profile
}

// ForecastGroup is one row of the forecast's aggregate: how many active
// assets of one model reach their expected end of life in one quarter,
// with the two prices their replacement is estimated from.
type ForecastGroup struct {
	// QuarterStart is the first day of the quarter the assets' end of
	// life falls in; before the window's start means overdue.
	QuarterStart time.Time
	CategoryID   uuid.UUID
	Count        int
	// ModelPrice is the model's latest purchase price; CategoryAverage
	// the category's average purchase price over the last two years (nil
	// when unknown).
	ModelPrice, CategoryAverage *itam.Money
}

// ForecastCategory is the estimate for one category in one quarter.
type ForecastCategory struct {
	CategoryID uuid.UUID
	Count      int
	// EstimatedCost is the replacement cost of the priced assets, per
	// currency.
	EstimatedCost []itam.Money
	// UnpricedCount is how many of Count have no price to estimate from.
	UnpricedCount int
}

// ForecastQuarter is one quarter of the forecast (or the overdue bucket).
// End is its last day.
type ForecastQuarter struct {
	Year, Quarter int
	Start, End    time.Time
	Count         int
	EstimatedCost []itam.Money
	Categories    []ForecastCategory
}

// Forecast is the refresh forecast: the overdue assets (nil when none) and
// every quarter of the window in order, empty ones included so a chart's
// axis is continuous.
type Forecast struct {
	Overdue  *ForecastQuarter
	Quarters []ForecastQuarter
}

// BuildForecast buckets groups into the quarters of the window that starts
// with today's quarter, and estimates each group's replacement as Count ×
// ReplacementCost(ModelPrice, CategoryAverage), the price rounded to its
// currency's minor unit first (an average has more places than a price).
// Groups before the window are overdue: that bucket runs from the first
// day of the oldest one's quarter to the day before this quarter, and
// bears the year and quarter of its end. Groups after the window are
// ignored. Categories come by count, largest first (then by id), costs by
// currency.
func BuildForecast(today time.Time, quarters int, groups []ForecastGroup) Forecast {
	start, end := ForecastWindow(today, quarters)
	f := Forecast{Quarters: make([]ForecastQuarter, quarters)}
	y0, q0 := Quarter(start)
	for i := range f.Quarters {
		s := QuarterStart(y0, q0+i)
		y, q := Quarter(s)
		f.Quarters[i] = ForecastQuarter{Year: y, Quarter: q, Start: s, End: QuarterStart(y, q+1).AddDate(0, 0, -1)}
	}
	type bucket struct {
		cats  []ForecastCategory
		index map[uuid.UUID]int
	}
	buckets := make([]bucket, quarters+1) // the last one is overdue
	var overdue *ForecastQuarter
	for _, g := range groups {
		qs := itam.CalendarDay(g.QuarterStart)
		var qr *ForecastQuarter
		var b *bucket
		switch {
		case !qs.Before(end):
			continue
		case qs.Before(start):
			if overdue == nil {
				last := start.AddDate(0, 0, -1)
				y, q := Quarter(last)
				overdue = &ForecastQuarter{Year: y, Quarter: q, Start: qs, End: last}
			}
			if qs.Before(overdue.Start) {
				overdue.Start = qs
			}
			qr, b = overdue, &buckets[quarters]
		default:
			i := monthsBetween(start, qs) / 3
			qr, b = &f.Quarters[i], &buckets[i]
		}
		if b.index == nil {
			b.index = map[uuid.UUID]int{}
		}
		ci, ok := b.index[g.CategoryID]
		if !ok {
			b.cats = append(b.cats, ForecastCategory{CategoryID: g.CategoryID})
			ci = len(b.cats) - 1
			b.index[g.CategoryID] = ci
		}
		c := &b.cats[ci]
		c.Count += g.Count
		qr.Count += g.Count
		price := ReplacementCost(g.ModelPrice, g.CategoryAverage)
		if price == nil {
			c.UnpricedCount += g.Count
			continue
		}
		cost := itam.Money{
			Amount:   price.Amount.Round(itam.MinorUnits(price.Currency)).Mul(decimal.NewFromInt(int64(g.Count))),
			Currency: price.Currency,
		}
		c.EstimatedCost = Totals(c.EstimatedCost).Add(cost)
		qr.EstimatedCost = Totals(qr.EstimatedCost).Add(cost)
	}
	for i := range f.Quarters {
		f.Quarters[i].Categories = sortedCategories(buckets[i].cats)
	}
	if overdue != nil {
		overdue.Categories = sortedCategories(buckets[quarters].cats)
		f.Overdue = overdue
	}
	return f
}

func sortedCategories(cs []ForecastCategory) []ForecastCategory {
	if cs == nil {
		return []ForecastCategory{}
	}
	slices.SortFunc(cs, func(a, b ForecastCategory) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return slices.Compare(a.CategoryID[:], b.CategoryID[:])
	})
	return cs
}
