package licenses

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// The rules of a product's compliance position. The aggregate query in
// internal/postgres counts; these functions decide what the counts mean, so
// the rules are testable without a database and stated once. The schema's
// descriptions (graph/schema/compliance.graphqls) say the same in words.

// Limits of the compliance queries' arguments.
const (
	MaxReportItems       = 500  // reclaimCandidates, expiringLicenses: first
	DefaultReportItems   = 100  // their default
	MaxWithinDays        = 3650 // expiringLicenses: withinDays
	MinReclaimAfterDays  = 1    // Organization.softwareReclaimAfterDays
	MaxReclaimAfterDays  = 3650
	atRiskPercent        = 90 // AT_RISK from this share of entitled seats used
	defaultEvidenceBatch = 500
)

// EvidenceBatch is how many evidence rows the CSV export reads per query,
// so a product on 100,000 devices streams without being held in memory.
const EvidenceBatch = defaultEvidenceBatch

// RequireComplianceRead returns the caller when they may read license
// positions, reclaim candidates, expiring licenses and audit evidence:
// ADMIN, MANAGER and AUDITOR (costs included). EMPLOYEE is FORBIDDEN: the
// report is about everyone's devices and carries prices.
func RequireComplianceRead(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanReadAll() || !p.CanReadCosts() {
		return p, itam.Forbidden("role %s cannot read license compliance", p.Role)
	}
	return p, nil
}

// PricePerSeat is the price of one seat: the seat cost, else the total cost
// split over the seats, rounded to the currency's minor unit. Nil when the
// license has no price or no seat count (SITE) to split it over.
func PricePerSeat(l License) *itam.Money {
	if l.SeatCost != nil {
		m := *l.SeatCost
		return &m
	}
	if l.TotalCost == nil || l.Seats == nil || *l.Seats <= 0 {
		return nil
	}
	amount := l.TotalCost.Amount.Div(decimal.NewFromInt(int64(*l.Seats))).Round(itam.MinorUnits(l.TotalCost.Currency))
	return &itam.Money{Amount: amount, Currency: l.TotalCost.Currency}
}

// PriceAtStake is what the license costs for one billing period: its total
// cost, else its seat cost times its seats. Nil without a price, or for a
// per-seat price without a seat count.
func PriceAtStake(l License) *itam.Money {
	if l.TotalCost != nil {
		m := *l.TotalCost
		return &m
	}
	if l.SeatCost == nil || l.Seats == nil {
		return nil
	}
	return &itam.Money{Amount: l.SeatCost.Amount.Mul(decimal.NewFromInt(int64(*l.Seats))), Currency: l.SeatCost.Currency}
}

// MetricFor is what a product's position counts given its active licenses'
// models: devices when one of them is PER_DEVICE or there is none (an
// unlicensed product is installed on devices), else people.
func MetricFor(models []Model) Metric {
	if len(models) == 0 || slices.Contains(models, PerDevice) {
		return CountDevices
	}
	return CountUsers
}

// Entitled sums the seats of active licenses; nil (unlimited) when one of
// them is SITE.
func Entitled(active []License) *int {
	n := 0
	for _, l := range active {
		if l.Model == Site || l.Seats == nil {
			return nil
		}
		n += *l.Seats
	}
	return &n
}

// StatusFor judges a position. licensed says an active license exists;
// entitled nil is unlimited.
func StatusFor(consumed int, entitled *int, licensed bool) ComplianceStatus {
	switch {
	case !licensed && consumed > 0:
		return Unlicensed
	case !licensed || entitled == nil:
		return Compliant
	case consumed > *entitled:
		return OverDeployed
	case *entitled > 0 && consumed*100 >= *entitled*atRiskPercent:
		return AtRisk
	}
	return Compliant
}

// newestFirst orders licenses by term start (the creation day when there
// is none), then creation, newest first: the latest purchase sets the
// true-up price and is the first to call surplus.
func newestFirst(ls []License) []License {
	out := slices.Clone(ls)
	start := func(l License) time.Time {
		if l.TermStart != nil {
			return *l.TermStart
		}
		return l.CreatedAt.UTC().Truncate(24 * time.Hour)
	}
	slices.SortStableFunc(out, func(a, b License) int {
		if c := start(b).Compare(start(a)); c != 0 {
			return c
		}
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID.String(), a.ID.String())
	})
	return out
}

// PositionCounts is what the aggregate query counts for one product.
type PositionCounts struct {
	ProductID uuid.UUID
	// Active are the product's licenses whose term covers today.
	Active []License
	// Assigned: unreclaimed seats of the active licenses.
	Assigned int
	// Installed: devices, not RETIRED or DISPOSED, with a current installation.
	Installed int
	// DevicesConsumed: those devices plus active devices holding a seat.
	DevicesConsumed int
	// UsersConsumed: people, not OFFBOARDED, assigned an installed device or
	// holding a seat. Counted only where MetricFor says USER.
	UsersConsumed int
	// Unattributed: installed devices assigned to nobody (USER metric).
	Unattributed int
}

// NewPosition turns a product's counts into its position.
func NewPosition(c PositionCounts) Position {
	p := Position{ProductID: c.ProductID, Assigned: c.Assigned, Installed: c.Installed,
		TrueUpCost: []itam.Money{}, SurplusCost: []itam.Money{}}
	for _, l := range c.Active {
		if !slices.Contains(p.Models, l.Model) {
			p.Models = append(p.Models, l.Model)
		}
	}
	slices.Sort(p.Models)
	if p.Models == nil {
		p.Models = []Model{}
	}
	p.Metric = MetricFor(p.Models)
	p.Consumed = c.DevicesConsumed
	if p.Metric == CountUsers {
		p.Consumed, p.UnattributedDevices = c.UsersConsumed, c.Unattributed
	}
	p.Entitled = Entitled(c.Active)
	p.Status = StatusFor(p.Consumed, p.Entitled, len(c.Active) > 0)
	if p.Entitled == nil {
		return p // unlimited: no shortfall, no countable surplus
	}
	p.Shortfall = max(0, p.Consumed-*p.Entitled)
	surplus := max(0, *p.Entitled-p.Consumed)
	p.Surplus = &surplus
	newest := newestFirst(c.Active)
	if p.Shortfall > 0 {
		for _, l := range newest {
			if price := PricePerSeat(l); price != nil {
				p.TrueUpCost = []itam.Money{{Amount: price.Amount.Mul(decimal.NewFromInt(int64(p.Shortfall))), Currency: price.Currency}}
				break
			}
		}
	}
	// The unused seats are counted against the newest licenses first, each
	// up to its seats, at each one's own per-seat price.
	var costs []itam.Money
	left := surplus
	for _, l := range newest {
		if left == 0 {
			break
		}
		n := min(left, *l.Seats)
		left -= n
		if price := PricePerSeat(l); price != nil && n > 0 {
			costs = append(costs, itam.Money{Amount: price.Amount.Mul(decimal.NewFromInt(int64(n))), Currency: price.Currency})
		}
	}
	p.SurplusCost = SumByCurrency(costs)
	return p
}

// SumByCurrency adds amounts of the same currency, ordered by currency code.
func SumByCurrency(ms []itam.Money) []itam.Money {
	out := []itam.Money{}
	for _, m := range ms {
		i := slices.IndexFunc(out, func(o itam.Money) bool { return o.Currency == m.Currency })
		if i < 0 {
			out = append(out, m)
			continue
		}
		out[i].Amount = out[i].Amount.Add(m.Amount)
	}
	slices.SortFunc(out, func(a, b itam.Money) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

// statusRank orders positions worst first.
var statusRank = map[ComplianceStatus]int{Unlicensed: 0, OverDeployed: 1, AtRisk: 2, Compliant: 3}

// SortPositions orders positions worst status first (UNLICENSED,
// OVER_DEPLOYED, AT_RISK, COMPLIANT), keeping the given order (the
// product name order the query returns) within a status.
func SortPositions(ps []Position) {
	slices.SortStableFunc(ps, func(a, b Position) int { return cmp.Compare(statusRank[a.Status], statusRank[b.Status]) })
}
