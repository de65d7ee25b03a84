package costs

import (
	"bytes"
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// GroupKey is one group of a cost report: the dimensions a cost falls
// under, uuid.Nil where the dimension is null or not grouped by. The owner
// is a person or a team, hence two fields (at most one set).
type GroupKey struct {
	Model, Category, Team, Location, OwnerPerson, OwnerTeam, Supplier uuid.UUID
}

// ReportLine is an amount of one kind falling under one group on one day
// (or, pre-summed by storage, on a period's first day: see DayKey).
type ReportLine struct {
	Key    GroupKey
	Kind   EntryKind
	Date   time.Time
	Amount itam.Money
}

// ReportSpec is what a cost report covers and how it groups, buckets and
// converts.
type ReportSpec struct {
	GroupBy  []GroupBy
	From, To time.Time
	// Every is spendByPeriod's period; empty for a roll-up (one bucket).
	Every Interval
	// Currency is the reporting currency; empty keeps every currency apart.
	Currency string
}

// Normalize validates s (groupBy, the period on field to, the period kind,
// the reporting currency) and returns it with calendar days and a
// canonical currency code, which is what reports run on.
func (s ReportSpec) Normalize() (ReportSpec, error) {
	if err := ValidateGroupBy(s.GroupBy); err != nil {
		return s, err
	}
	if err := ValidatePeriod(s.From, s.To, "from", "to"); err != nil {
		return s, err
	}
	if s.Every != "" && !s.Every.Valid() {
		return s, itam.Invalid("period", "a period is a MONTH, QUARTER or YEAR")
	}
	if s.Currency != "" {
		c, err := itam.ParseCurrency(s.Currency)
		if err != nil {
			return s, itam.Invalid("reportingCurrency", "%q is not an ISO 4217 currency code", s.Currency)
		}
		s.Currency = c
	}
	s.From, s.To = itam.CalendarDay(s.From), itam.CalendarDay(s.To)
	return s, nil
}

// Grouped reports whether the report groups by g.
func (s ReportSpec) Grouped(g GroupBy) bool { return slices.Contains(s.GroupBy, g) }

// AssetDims reports whether the report groups by a dimension of the asset
// a cost is on (everything but SUPPLIER): only then must a contract's costs
// be split among the groups of the assets it covers.
func (s ReportSpec) AssetDims() bool {
	return slices.ContainsFunc(s.GroupBy, func(g GroupBy) bool { return g != GroupSupplier })
}

// Project keeps the dimensions the report groups by and clears the others.
func (s ReportSpec) Project(k GroupKey) GroupKey {
	var out GroupKey
	for _, g := range s.GroupBy {
		switch g {
		case GroupModel:
			out.Model = k.Model
		case GroupCategory:
			out.Category = k.Category
		case GroupTeam:
			out.Team = k.Team
		case GroupLocation:
			out.Location = k.Location
		case GroupOwner:
			out.OwnerPerson, out.OwnerTeam = k.OwnerPerson, k.OwnerTeam
		case GroupSupplier:
			out.Supplier = k.Supplier
		}
	}
	return out
}

// Bucket is the first day of the bucket day falls in: the period's start
// (PeriodStart), or From for a roll-up, which has one bucket.
func (s ReportSpec) Bucket(day time.Time) time.Time {
	if s.Every == "" {
		return s.From
	}
	return PeriodStart(day, s.Every)
}

// Converts reports whether amounts in currency are converted.
func (s ReportSpec) Converts(currency string) bool {
	return s.Currency != "" && currency != s.Currency
}

// DayKey is the day amounts may be summed under before conversion: their
// own day when they will be converted (each day at its own rate), else the
// bucket's first day (From if later), so storage sums a bucket's
// same-currency amounts in one row. Build re-buckets by date, so either
// choice gives the same report.
func (s ReportSpec) DayKey(day time.Time, currency string) time.Time {
	if s.Converts(currency) {
		return itam.CalendarDay(day)
	}
	// The first period may start before From; its amounts stay dated within.
	if b := s.Bucket(day); b.After(s.From) {
		return b
	}
	return s.From
}

// KindTotal is one kind's sum, per currency.
type KindTotal struct {
	Kind  EntryKind
	Total Totals
}

// ReportGroup is one group of a roll-up, or one period (and group) of a
// spend report.
type ReportGroup struct {
	Key GroupKey
	// Start and End are the period's calendar bounds (spend reports only).
	Start, End time.Time
	ByKind     []KindTotal
	Total      Totals
}

// Report is a roll-up or a spend report: its groups, the grand total and
// the exchange rates applied (none without a reporting currency).
type Report struct {
	Spec   ReportSpec
	Groups []ReportGroup
	Total  Totals
	Rates  []Rate
}

type reportCell struct {
	start    time.Time
	key      GroupKey
	kind     EntryKind
	currency string
}

// Build sums lines into the report s describes (see ReportBuilder).
func Build(s ReportSpec, lines []ReportLine, rates Rates) (Report, error) {
	b := NewReportBuilder(s, rates)
	for _, l := range lines {
		if err := b.Add(l); err != nil {
			return Report{}, err
		}
	}
	return b.Report(), nil
}

// ReportBuilder sums lines into the report its spec describes as they
// come, so a report over millions of amounts never holds them. With a
// reporting currency every line is converted at the rate valid on its own
// date (rounded to the currency's minor unit, then summed), and a line
// without a valid rate fails the whole report (BAD_USER_INPUT on
// reportingCurrency naming the pair and day). Lines outside [From, To]
// are ignored.
type ReportBuilder struct {
	spec ReportSpec
	conv *converter
	sums map[reportCell]decimal.Decimal
}

// NewReportBuilder returns an empty report over s, converting with rates
// when s has a reporting currency.
func NewReportBuilder(s ReportSpec, rates Rates) *ReportBuilder {
	b := &ReportBuilder{spec: s, sums: map[reportCell]decimal.Decimal{}}
	if s.Currency != "" {
		b.conv = newConverter(rates, s.Currency)
	}
	return b
}

// Add counts l in its bucket and group.
func (b *ReportBuilder) Add(l ReportLine) error {
	s := b.spec
	d := l.Date
	if d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 || d.Location() != time.UTC {
		d = itam.CalendarDay(d)
	}
	if d.Before(s.From) || d.After(s.To) {
		return nil
	}
	amount := l.Amount
	if b.conv != nil {
		m, err := b.conv.convert(amount, d)
		if err != nil {
			return err
		}
		amount = m
	} else {
		amount.Currency = canonicalCurrency(amount.Currency)
	}
	cell := reportCell{start: s.Bucket(d), key: s.Project(l.Key), kind: l.Kind, currency: amount.Currency}
	b.sums[cell] = b.sums[cell].Add(amount.Amount)
	return nil
}

// Report returns the report of the lines added so far.
//
// Groups come in a stable order: by period, then by their dimensions' ids
// with null dimensions last. A spend report that groups by nothing lists
// every period of [From, To], an empty one with no totals (zero in the
// reporting currency when converting), so a chart has no gaps; a roll-up
// that groups by nothing is always one group.
func (b *ReportBuilder) Report() Report {
	s, sums := b.spec, b.sums
	r := Report{Spec: s}
	cells := make([]reportCell, 0, len(sums))
	for c := range sums {
		cells = append(cells, c)
	}
	slices.SortFunc(cells, func(a, b reportCell) int {
		return cmp.Or(a.start.Compare(b.start), compareKeys(a.key, b.key),
			cmp.Compare(kindOrder(a.kind), kindOrder(b.kind)), cmp.Compare(a.currency, b.currency))
	})
	for i := 0; i < len(cells); {
		start := cells[i].start
		g := ReportGroup{Key: cells[i].key}
		if s.Every != "" {
			g.Start, g.End = start, itam.AddMonths(start, s.Every.Months()).AddDate(0, 0, -1)
		}
		for ; i < len(cells) && cells[i].start.Equal(start) && cells[i].key == g.Key; i++ {
			m := itam.Money{Amount: sums[cells[i]], Currency: cells[i].currency}
			if n := len(g.ByKind); n == 0 || g.ByKind[n-1].Kind != cells[i].kind {
				g.ByKind = append(g.ByKind, KindTotal{Kind: cells[i].kind})
			}
			k := &g.ByKind[len(g.ByKind)-1]
			k.Total = k.Total.Add(m)
			g.Total = g.Total.Add(m)
			r.Total = r.Total.Add(m)
		}
		r.Groups = append(r.Groups, g)
	}
	switch {
	case s.Every != "" && len(s.GroupBy) == 0:
		r.Groups = everyPeriod(s, r.Groups)
	case len(s.GroupBy) == 0 && len(r.Groups) == 0:
		// Not grouped, a roll-up is one group, also when nothing was spent.
		r.Groups = []ReportGroup{{}}
	}
	if s.Currency != "" {
		zero := itam.Money{Amount: decimal.Zero, Currency: s.Currency}
		// Converted, every total is one amount, also when nothing was spent.
		for i := range r.Groups {
			if len(r.Groups[i].Total) == 0 {
				r.Groups[i].Total = Totals{zero}
			}
		}
		if len(r.Total) == 0 {
			r.Total = Totals{zero}
		}
		r.Rates = b.conv.used.list()
	}
	return r
}

// everyPeriod returns the periods of [From, To] in order, taking each from
// groups when it had spend.
func everyPeriod(s ReportSpec, groups []ReportGroup) []ReportGroup {
	var out []ReportGroup
	i := 0
	for start := PeriodStart(s.From, s.Every); !start.After(s.To); start = itam.AddMonths(start, s.Every.Months()) {
		if i < len(groups) && groups[i].Start.Equal(start) {
			out = append(out, groups[i])
			i++
			continue
		}
		out = append(out, ReportGroup{Start: start, End: itam.AddMonths(start, s.Every.Months()).AddDate(0, 0, -1)})
	}
	return out
}

// compareKeys orders groups by their dimensions' ids, a null dimension
// after every id.
func compareKeys(a, b GroupKey) int {
	ids := func(k GroupKey) [7]uuid.UUID {
		return [7]uuid.UUID{k.Model, k.Category, k.Team, k.Location, k.OwnerPerson, k.OwnerTeam, k.Supplier}
	}
	x, y := ids(a), ids(b)
	for i := range x {
		switch {
		case x[i] == y[i]:
			continue
		case x[i] == uuid.Nil:
			return 1
		case y[i] == uuid.Nil:
			return -1
		}
		return bytes.Compare(x[i][:], y[i][:])
	}
	return 0
}

func kindOrder(k EntryKind) int {
	if i := slices.Index(EntryKinds, k); i >= 0 {
		return i
	}
	return len(EntryKinds)
}

// Periods is how many buckets a spend report over [From, To] has before
// grouping (1 for a roll-up, 0 for an invalid period): what pricing a
// request needs before it runs.
func (s ReportSpec) Periods() int {
	from, to := itam.CalendarDay(s.From), itam.CalendarDay(s.To)
	if to.Before(from) {
		return 0
	}
	if s.Every == "" || !s.Every.Valid() {
		return 1
	}
	return monthsBetween(PeriodStart(from, s.Every), to)/s.Every.Months() + 1
}
