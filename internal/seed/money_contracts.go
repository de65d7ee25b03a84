package seed

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// contractKinds are the kinds of contract seeded: how often an asset is on
// one (weight), the number prefix, and the charge per covered asset per
// month, in minor units (a lease costs the most).
var contractKinds = []struct {
	kind         costs.ContractKind
	weight       int
	prefix       string
	low, top     int64
	intervals    []costs.Interval // drawn from, first most often
	openEndedPct int              // share with no end (rolling)
}{
	{costs.ContractSupport, 30, "SUP", 300, 1500, []costs.Interval{costs.EveryYear, costs.EveryQuarter, costs.EveryMonth}, 0},
	{costs.ContractMaintenance, 20, "MNT", 200, 1200, []costs.Interval{costs.EveryQuarter, costs.EveryYear, costs.EveryMonth}, 0},
	{costs.ContractWarrantyExtension, 20, "WEX", 150, 800, []costs.Interval{costs.EveryYear}, 0},
	{costs.ContractLease, 10, "LSE", 2500, 6000, []costs.Interval{costs.EveryMonth, costs.EveryQuarter}, 0},
	{costs.ContractSubscription, 20, "SUB", 100, 900, []costs.Interval{costs.EveryMonth, costs.EveryYear}, 70},
}

// Contract sizes: each covers 20 to 200 assets (a smaller remainder joins
// the contract before it, so a bucket of 219 makes one contract).
const (
	minCovered = 20
	maxCovered = 200
)

var (
	contractColumns = []string{"id", "org_id", "kind", "supplier_id", "number", "start_date", "end_date", "renewal_date", "notice_date", "notes"}
	chargeColumns   = []string{"org_id", "contract_id", "position", "amount", "currency", "every", "start_date", "end_date"}
	coverageColumns = []string{"org_id", "contract_id", "asset_id"}
)

// seededContract is a contract with its charges' currency and its assets.
type seededContract struct {
	costs.Contract
	currency string
}

// insertContracts covers every asset the run added by one to three
// contracts of different kinds (1.7 on average; leases only for assets
// still in use), grouped by kind and currency into contracts of 20–200
// assets with one or two recurring charges. Leases end over the next two
// years (and drive their assets' expected end of life: the assets get no
// explicit one); support, maintenance and warranty extensions run one to
// three years from a start in the last five; most subscriptions are
// rolling.
func (g *generator) insertContracts(ctx context.Context, c *Counts) error {
	r := g.rng
	var kinds weighted[int]
	for i, k := range contractKinds {
		kinds.add(i, k.weight)
	}
	// bucket[kind][currency] lists the assets to cover, in the run's order.
	bucket := make([]map[string][]uuid.UUID, len(contractKinds))
	for i := range bucket {
		bucket[i] = map[string][]uuid.UUID{}
	}
	for _, h := range g.added {
		n := pickInt(r, 1, 45, 2, 40, 3, 15)
		var taken [8]bool
		for picked := 0; picked < n; {
			k := kinds.pick(r)
			if taken[k] {
				continue
			}
			taken[k] = true
			if contractKinds[k].kind == costs.ContractLease && !inUse(h.status) {
				continue // a lease on something gone would have ended: another kind
			}
			picked++
			bucket[k][h.currency] = append(bucket[k][h.currency], h.id)
		}
	}
	suppliers := g.sortedSuppliers()
	var contracts []seededContract
	for k, byCurrency := range bucket {
		currencies := make([]string, 0, len(byCurrency))
		for cur := range byCurrency {
			currencies = append(currencies, cur)
		}
		slices.Sort(currencies)
		for _, cur := range currencies {
			assets := byCurrency[cur]
			for len(assets) > 0 {
				size := min(len(assets), minCovered+r.IntN(maxCovered-minCovered+1))
				if len(assets)-size < minCovered {
					size = len(assets)
				}
				sc, err := g.contract(k, cur, assets[:size], suppliers, len(contracts)+1)
				if err != nil {
					return err
				}
				contracts = append(contracts, sc)
				assets = assets[size:]
			}
		}
	}
	return g.copyContracts(ctx, contracts, c)
}

func inUse(status string) bool {
	switch status {
	case "RETIRED", "DISPOSED", "LOST", "STOLEN":
		return false
	}
	return true
}

// contract draws the dates and charges of one contract of kind k covering
// assets, validated by the domain's rules.
func (g *generator) contract(k int, currency string, assets []uuid.UUID, suppliers []uuid.UUID, seq int) (seededContract, error) {
	r, def := g.rng, contractKinds[k]
	c := costs.Contract{ID: newID(), Kind: def.kind, AssetIDs: assets}
	if len(suppliers) > 0 {
		s := suppliers[r.IntN(len(suppliers))]
		c.SupplierID = &s
	}
	day := func(t time.Time) *time.Time { return &t }
	switch def.kind {
	case costs.ContractLease:
		end := g.today.AddDate(0, 0, 1+r.IntN(730))
		c.Start, c.End = itam.AddMonths(end, -36).AddDate(0, 0, 1), &end
	default:
		c.Start = g.today.AddDate(0, 0, -r.IntN(moneyYears*365))
		if r.IntN(100) >= def.openEndedPct {
			c.End = day(itam.AddMonths(c.Start, 12*(1+r.IntN(3))).AddDate(0, 0, -1))
		}
	}
	if c.End != nil {
		if def.kind != costs.ContractLease && def.kind != costs.ContractWarrantyExtension {
			c.RenewalDate = day(c.End.AddDate(0, 0, 1))
		}
		if notice := c.End.AddDate(0, 0, -60); !notice.Before(c.Start) {
			c.NoticeDate = &notice
		}
	}
	number := fmt.Sprintf("%s-%d-%05d", def.prefix, c.Start.Year(), seq)
	c.Number = &number
	every := def.intervals[0]
	if len(def.intervals) > 1 && r.IntN(100) >= 60 {
		every = def.intervals[1+r.IntN(len(def.intervals)-1)]
	}
	perAssetMonth := def.low + r.Int64N(def.top-def.low+1)
	c.Charges = []costs.Charge{{Amount: minorMoney(perAssetMonth*int64(len(assets)*every.Months()), currency), Every: every}}
	// Some contracts gained an add-on half a year in (extra coverage, a
	// price rise), billed monthly.
	if addOn := itam.AddMonths(c.Start, 6); r.IntN(100) < 20 && (c.End == nil || !addOn.After(*c.End)) {
		c.Charges = append(c.Charges, costs.Charge{
			Amount: minorMoney((def.low/4+1)*int64(len(assets)), currency), Every: costs.EveryMonth, Start: &addOn})
	}
	if err := c.Validate(); err != nil {
		return seededContract{}, fmt.Errorf("contract %s: %w", number, err)
	}
	return seededContract{Contract: c, currency: currency}, nil
}

func minorMoney(cents int64, currency string) itam.Money {
	return itam.Money{Amount: decimal.New(cents, -2), Currency: currency}
}

func numeric(m itam.Money) pgtype.Numeric {
	return pgtype.Numeric{Int: m.Amount.Coefficient(), Exp: m.Amount.Exponent(), Valid: true}
}

// pickInt is pickString for numbers: value, weight, value, weight, ...
func pickInt(r interface{ IntN(int) int }, pairs ...int) int {
	total := 0
	for i := 1; i < len(pairs); i += 2 {
		total += pairs[i]
	}
	x := r.IntN(total)
	for i := 0; i < len(pairs); i += 2 {
		if x < pairs[i+1] {
			return pairs[i]
		}
		x -= pairs[i+1]
	}
	return pairs[len(pairs)-2]
}

// copyContracts writes the contracts, their charges and their coverage
// with COPY.
func (g *generator) copyContracts(ctx context.Context, contracts []seededContract, c *Counts) error {
	org := pgID(g.orgID)
	date := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return *t
	}
	copied, err := g.tx.CopyFrom(ctx, pgx.Identifier{"contracts"}, contractColumns, pgx.CopyFromSlice(len(contracts), func(i int) ([]any, error) {
		k := contracts[i]
		supplier := pgtype.UUID{}
		if k.SupplierID != nil {
			supplier = pgID(*k.SupplierID)
		}
		return []any{pgID(k.ID), org, string(k.Kind), supplier, *k.Number, k.Start, date(k.End), date(k.RenewalDate), date(k.NoticeDate), nil}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy contracts: %w", err)
	}
	c.Contracts += copied
	var charges [][]any
	for _, k := range contracts {
		for pos, ch := range k.Charges {
			charges = append(charges, []any{org, pgID(k.ID), pos, numeric(ch.Amount), k.currency, string(ch.Every), date(ch.Start), date(ch.End)})
		}
	}
	copied, err = g.tx.CopyFrom(ctx, pgx.Identifier{"contract_charges"}, chargeColumns, pgx.CopyFromRows(charges))
	if err != nil {
		return fmt.Errorf("copy contract_charges: %w", err)
	}
	c.ContractCharges += copied
	ci, ai := 0, 0
	copied, err = g.tx.CopyFrom(ctx, pgx.Identifier{"contract_assets"}, coverageColumns, pgx.CopyFromFunc(func() ([]any, error) {
		for ci < len(contracts) && ai == len(contracts[ci].AssetIDs) {
			ci, ai = ci+1, 0
		}
		if ci == len(contracts) {
			return nil, nil
		}
		ai++
		return []any{org, pgID(contracts[ci].ID), pgID(contracts[ci].AssetIDs[ai-1])}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy contract_assets: %w", err)
	}
	c.ContractAssets += copied
	// A leased asset goes back at the lease's end: that is its expected
	// end of life (costs.ExpectedEndOfLife), not one set on the asset.
	var leased []uuid.UUID
	for _, k := range contracts {
		if k.Kind == costs.ContractLease {
			leased = append(leased, k.AssetIDs...)
		}
	}
	if len(leased) > 0 {
		if _, err := g.tx.Exec(ctx, `UPDATE assets SET end_of_life = NULL WHERE org_id = $1 AND id = ANY($2::uuid[])`, g.orgID, leased); err != nil {
			return fmt.Errorf("leased assets' end of life: %w", err)
		}
	}
	return nil
}
