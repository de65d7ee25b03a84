package seed

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/costs"
)

// The money a seeded inventory carries besides its purchase prices (whose
// PURCHASE entries the assets' trigger books): depreciation profiles (one
// the organization's default, the others on categories), monthly EUR→USD
// and GBP→USD rates over five years, ledger entries on every added asset
// over its life, and contracts covering the added assets with recurring
// charges. Profiles and rates are reference rows (matched by name and by
// pair and month, so a rerun reuses them); entries and contracts are
// generated for the run's new assets only.

// profileDef is a depreciation profile and where it applies.
type profileDef struct {
	name           string
	method         costs.Method
	life           int // months
	salvagePercent string
	rate           string // DECLINING_BALANCE only
	convention     costs.Convention
	kinds          []string // the categories it is set on
	orgDefault     bool
}

var profileDefs = []profileDef{
	{"Standard hardware (3 years, straight line)", costs.StraightLine, 36, "5", "", costs.Monthly, nil, true},
	{"Infrastructure (5 years, double declining)", costs.DoubleDecliningBalance, 60, "10", "", costs.Annual, []string{"SERVER", "NETWORK"}, false},
	{"Mobile devices (2 years, sum of the years' digits)", costs.SumOfYearsDigits, 24, "0", "", costs.Monthly, []string{"PHONE", "TABLET"}, false},
	{"Displays (5 years, 150% declining)", costs.DecliningBalance, 60, "0", "1.5", costs.Annual, []string{"MONITOR"}, false},
}

// profile is the domain's view of d, so the domain validates what is seeded.
func (d profileDef) profile() costs.Profile {
	p := costs.Profile{Name: d.name, Method: d.method, UsefulLifeMonths: d.life, Convention: d.convention}
	pct := decimal.RequireFromString(d.salvagePercent)
	p.SalvagePercent = &pct
	if d.rate != "" {
		r := decimal.RequireFromString(d.rate)
		p.Rate = &r
	}
	return p
}

// rateDefs are the pairs seeded, each a random walk from a plausible start
// within bounds, one rate a month.
var rateDefs = []struct {
	from, to         string
	start, low, high float64
}{
	{"EUR", "USD", 1.087, 1.00, 1.22},
	{"GBP", "USD", 1.266, 1.15, 1.40},
}

// moneyYears is how far back rates and ledger entries go.
const moneyYears = 5

func (g *generator) insertMoney(ctx context.Context, c *Counts) error {
	if err := g.ensureProfiles(ctx, c); err != nil {
		return fmt.Errorf("depreciation profiles: %w", err)
	}
	if err := g.ensureRates(ctx, c); err != nil {
		return fmt.Errorf("exchange rates: %w", err)
	}
	if err := g.insertCostEntries(ctx, c); err != nil {
		return fmt.Errorf("cost entries: %w", err)
	}
	if err := g.insertContracts(ctx, c); err != nil {
		return fmt.Errorf("contracts: %w", err)
	}
	return nil
}

// ensureProfiles adds the profiles the organization lacks (by name) and
// sets them where nothing is set yet: an administrator's choice of
// default or category profile is kept.
func (g *generator) ensureProfiles(ctx context.Context, c *Counts) error {
	n := len(profileDefs)
	names, methods, conventions := make([]string, n), make([]string, n), make([]string, n)
	lives := make([]int32, n)
	salvage, rates := make([]*string, n), make([]*string, n)
	for i, d := range profileDefs {
		p := d.profile()
		if err := p.Validate(); err != nil {
			return fmt.Errorf("profile %q: %w", d.name, err)
		}
		names[i], methods[i], conventions[i], lives[i] = p.Name, string(p.Method), string(p.Convention), int32(p.UsefulLifeMonths)
		salvage[i] = &profileDefs[i].salvagePercent
		if d.rate != "" {
			rates[i] = &profileDefs[i].rate
		}
	}
	tag, err := g.tx.Exec(ctx, `
		INSERT INTO depreciation_profiles (org_id, name, method, useful_life_months, salvage_percent, rate, convention)
		SELECT $1, p.name, p.method, p.life, p.salvage::numeric, p.rate::numeric, p.convention
		  FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[]) AS p(name, method, life, salvage, rate, convention)
		ON CONFLICT (org_id, lower(name)) DO NOTHING`, g.orgID, names, methods, lives, salvage, rates, conventions)
	if err != nil {
		return err
	}
	c.DepreciationProfiles += tag.RowsAffected()
	ids, err := g.idsByName(ctx, `SELECT lower(name), id FROM depreciation_profiles WHERE org_id = $1`)
	if err != nil {
		return err
	}
	for _, d := range profileDefs {
		id := ids[strings.ToLower(d.name)]
		if d.orgDefault {
			if _, err := g.tx.Exec(ctx, `UPDATE organizations SET default_depreciation_profile_id = $2
				WHERE id = $1 AND default_depreciation_profile_id IS NULL`, g.orgID, id); err != nil {
				return err
			}
		}
		var cats []uuid.UUID
		for _, k := range d.kinds {
			if cat := g.categories[k]; cat != nil {
				cats = append(cats, cat.id)
			}
		}
		if len(cats) > 0 {
			if _, err := g.tx.Exec(ctx, `UPDATE categories SET depreciation_profile_id = $2
				WHERE org_id = $1 AND id = ANY($3::uuid[]) AND depreciation_profile_id IS NULL`, g.orgID, id, cats); err != nil {
				return err
			}
		}
	}
	return nil
}

// ensureRates adds a rate on the first of every month over the last five
// years for each pair, keeping any already entered for that month.
func (g *generator) ensureRates(ctx context.Context, c *Counts) error {
	first := time.Date(g.today.Year()-moneyYears, g.today.Month(), 1, 0, 0, 0, 0, time.UTC)
	var from, to, rates []string
	var days []time.Time
	for _, p := range rateDefs {
		x := p.start
		for d := first; !d.After(g.today); d = d.AddDate(0, 1, 0) {
			from, to, days = append(from, p.from), append(to, p.to), append(days, d)
			rates = append(rates, fmt.Sprintf("%.6f", x))
			x = min(p.high, max(p.low, x*(1+(g.rng.Float64()-0.5)*0.03)))
		}
	}
	tag, err := g.tx.Exec(ctx, `
		INSERT INTO exchange_rates (org_id, from_currency, to_currency, valid_from, rate)
		SELECT $1, r.f, r.t, r.d, r.rate::numeric FROM unnest($2::text[], $3::text[], $4::date[], $5::text[]) AS r(f, t, d, rate)
		ON CONFLICT (org_id, from_currency, to_currency, valid_from) DO NOTHING`, g.orgID, from, to, days, rates)
	if err != nil {
		return err
	}
	c.ExchangeRates += tag.RowsAffected()
	return nil
}

// costEntryColumns: the id is given (time-ordered, see newID) so the
// primary key and (org_id, id) grow at their right edge.
var costEntryColumns = []string{"id", "org_id", "asset_id", "kind", "entry_date", "amount", "currency", "supplier_id", "invoice_reference", "notes"}

// entryKinds are the kinds booked over an asset's life, with their weight
// and their cost as a range of per mille of the purchase price.
var entryKinds = []struct {
	kind     costs.EntryKind
	weight   int
	low, top int64 // ‰ of the price
	note     string
}{
	{costs.KindMaintenance, 35, 10, 40, "Scheduled maintenance"},
	{costs.KindSupport, 25, 20, 60, "Support call-out"},
	{costs.KindRepair, 20, 50, 300, ""},
	{costs.KindOther, 20, 5, 30, "Accessories and shipping"},
}

// insertCostEntries books two to six entries (four on average) on every
// asset the run added, dated between its purchase and today (or its
// disposal, which adds a DISPOSAL entry), in the asset's currency; an
// ordered asset has one (setup). Written with COPY.
func (g *generator) insertCostEntries(ctx context.Context, c *Counts) error {
	var kinds weighted[int]
	for i, k := range entryKinds {
		kinds.add(i, k.weight)
	}
	r, org := g.rng, pgID(g.orgID)
	// One asset's entries at a time: 400,000 rows never sit in memory.
	var pending [][]any
	next := 0
	add := func(h historyRow, kind costs.EntryKind, day time.Time, cents int64, supplier pgtype.UUID, note any) {
		pending = append(pending, []any{pgID(newID()), org, pgID(h.id), string(kind), day, pgtype.Numeric{Int: big.NewInt(cents), Exp: -2, Valid: true},
			h.currency, supplier, fmt.Sprintf("INV-%d-%07d", day.Year(), r.IntN(10000000)), note})
	}
	book := func(h historyRow) {
		end := g.today
		if !h.disposed.IsZero() {
			end = h.disposed
		}
		span := max(0, int(end.Sub(h.purchase).Hours()/24))
		n := 2 + r.IntN(5)
		if h.status == "ORDERED" {
			n = 1
		}
		for range n {
			k := entryKinds[kinds.pick(r)]
			if h.status == "ORDERED" {
				k = entryKinds[len(entryKinds)-1]
			}
			cents := max(500, h.cents*(k.low+r.Int64N(k.top-k.low+1))/1000)
			supplier := pgtype.UUID{}
			if r.IntN(10) < 7 {
				supplier = pgID(h.supplier)
			}
			var note any = k.note
			if k.kind == costs.KindRepair {
				note = repairNotes[r.IntN(len(repairNotes))]
			}
			add(h, k.kind, h.purchase.AddDate(0, 0, r.IntN(span+1)), cents, supplier, note)
		}
		if !h.disposed.IsZero() {
			add(h, costs.KindDisposal, h.disposed, 1500+r.Int64N(6500), pgtype.UUID{}, "Data wipe and disposal")
		}
	}
	copied, err := g.tx.CopyFrom(ctx, pgx.Identifier{"cost_entries"}, costEntryColumns, pgx.CopyFromFunc(func() ([]any, error) {
		for len(pending) == 0 {
			if next == len(g.added) {
				return nil, nil
			}
			book(g.added[next])
			next++
		}
		row := pending[0]
		pending = pending[1:]
		return row, nil
	}))
	c.CostEntries += copied
	return err
}

// sortedSuppliers lists the organization's suppliers in name order, so the
// draw from them is reproducible.
func (g *generator) sortedSuppliers() []uuid.UUID {
	names := make([]string, 0, len(g.suppliers))
	for n := range g.suppliers {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]uuid.UUID, len(names))
	for i, n := range names {
		out[i] = g.suppliers[n]
	}
	return out
}
