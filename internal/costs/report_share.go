package costs

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// SplitByCounts splits m among groups holding counts[i] items each, as if
// m were shared item by item with Share (items numbered group after group,
// in the order given): every group gets count × the equal share, and the
// remainder goes one minor unit at a time to the first items. The parts
// always sum exactly to m; a group of 0 items gets 0. With no items at all
// the whole of m goes to the first group (nil without groups).
func SplitByCounts(m itam.Money, counts []int) []itam.Money {
	if len(counts) == 0 {
		return nil
	}
	n := 0
	for _, c := range counts {
		n += max(c, 0)
	}
	out := make([]itam.Money, len(counts))
	zero := itam.Money{Amount: decimal.Zero, Currency: m.Currency}
	for i := range out {
		out[i] = zero
	}
	if n == 0 {
		out[0] = m
		return out
	}
	places := minorUnits(m.Currency)
	units := m.Amount.Shift(places).Truncate(0)
	nd := decimal.NewFromInt(int64(n))
	base := units.Div(nd).Truncate(0)
	remainder := units.Sub(base.Mul(nd)).IntPart()
	// Digits finer than the minor unit (the ledger keeps 4 places) go to
	// the first share, as Share does, so the sum stays exact.
	fine := m.Amount.Sub(units.Shift(-places))
	first := true
	next := int64(0) // number of the group's first item
	for i, c := range counts {
		if c <= 0 {
			continue
		}
		extra := min(max(remainder-next, 0), int64(c))
		share := base.Mul(decimal.NewFromInt(int64(c))).Add(decimal.NewFromInt(extra)).Shift(-places)
		if first {
			share, first = share.Add(fine), false
		}
		out[i] = itam.Money{Amount: share, Currency: m.Currency}
		next += int64(c)
	}
	return out
}

// Covered is one group of the assets a contract covers, by the report's
// asset dimensions: how many assets fall in it and whether they match the
// report's filter.
type Covered struct {
	Key    GroupKey // asset dimensions only
	Assets int
	// Excluded: the assets do not match the report's filter, so their
	// share is left out (it still counts in the split).
	Excluded bool
}

// ContractLines returns c's charges falling due in the report's period as
// report lines under c's supplier (see Expand).
func (s ReportSpec) ContractLines(c Contract) []ReportLine {
	var supplier uuid.UUID
	if c.SupplierID != nil {
		supplier = *c.SupplierID
	}
	lines := Expand(c, s.From, s.To)
	out := make([]ReportLine, len(lines))
	for i, l := range lines {
		out[i] = ReportLine{Key: GroupKey{Supplier: supplier}, Kind: l.Kind, Date: l.Date, Amount: l.Amount}
	}
	return out
}

// ContractEntrySupplier is the supplier a contract's own ledger entry
// counts under: the entry's, else the contract's.
func ContractEntrySupplier(entry, contract uuid.UUID) uuid.UUID {
	if entry != uuid.Nil {
		return entry
	}
	return contract
}

// ShareContract attributes one contract's lines (its charges and its own
// ledger entries, each keyed by its supplier only) to the groups of the
// assets it covers: each amount is split by the number of covered assets in
// each group (SplitByCounts, groups in key order, matching ones first), so
// the shares sum exactly to it. Shares of Excluded groups are dropped (they
// still count in the split). A contract covering
// no asset keeps its lines whole, with every asset dimension null, unless
// the report is filtered (then only costs on matching assets count, and it
// has none).
//
// Amounts are summed per supplier, kind, currency and DayKey before they
// are split, so a year of monthly charges is split once per bucket rather
// than per due date.
func (s ReportSpec) ShareContract(lines []ReportLine, covered []Covered, filtered bool) []ReportLine {
	if !filtered && !s.AssetDims() {
		// Every share would fall in the same group: the whole amount does.
		return lines
	}
	n := 0
	for _, c := range covered {
		n += c.Assets
	}
	if n == 0 {
		if filtered {
			return nil
		}
		return lines
	}
	type cell struct {
		supplier uuid.UUID
		kind     EntryKind
		currency string
		day      time.Time
	}
	var order []cell
	sums := map[cell]decimal.Decimal{}
	for _, l := range lines {
		c := cell{supplier: l.Key.Supplier, kind: l.Kind, currency: l.Amount.Currency, day: s.DayKey(l.Date, l.Amount.Currency)}
		if _, ok := sums[c]; !ok {
			order = append(order, c)
		}
		sums[c] = sums[c].Add(l.Amount.Amount)
	}
	covered = slices.Clone(covered)
	// Key order, matching assets first: the split's remainder never
	// depends on the order storage returned the groups in.
	slices.SortFunc(covered, func(a, b Covered) int {
		return cmp.Or(compareKeys(a.Key, b.Key), cmpBool(a.Excluded, b.Excluded))
	})
	counts := make([]int, len(covered))
	for i, c := range covered {
		counts[i] = c.Assets
	}
	out := make([]ReportLine, 0, len(order)*len(covered))
	// A recurring charge splits the same amount in every bucket: split once.
	type splitKey struct{ amount, currency string }
	splits := map[splitKey][]itam.Money{}
	for _, c := range order {
		sk := splitKey{sums[c].String(), c.currency}
		shares, ok := splits[sk]
		if !ok {
			shares = SplitByCounts(itam.Money{Amount: sums[c], Currency: c.currency}, counts)
			splits[sk] = shares
		}
		for i, g := range covered {
			if g.Excluded || g.Assets <= 0 {
				continue
			}
			k := g.Key
			k.Supplier = c.supplier
			out = append(out, ReportLine{Key: k, Kind: c.kind, Date: c.day, Amount: shares[i]})
		}
	}
	return out
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
