package seed

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

var licenseColumns = []string{
	"id", "org_id", "product_id", "name", "license_model", "seats", "term_start", "term_end", "renewal_date",
	"auto_renew", "seat_cost", "total_cost", "cost_currency", "billing_period", "supplier_id", "purchase_order",
	"contract_reference", "notes", "seeded", "created_at", "updated_at",
}

var seatColumns = []string{
	"id", "org_id", "license_id", "person_id", "asset_id", "assigned_at", "assigned_by",
	"reclaimed_at", "reclaimed_by", "reclaim_reason", "seeded",
}

var licenseHistoryColumns = []string{"org_id", "license_id", "seat_id", "action", "actor_kind", "actor", "at"}

// The compliance position each licensed product is sized for, in percent:
// seats well above use, within 10% of it, below it, or only an expired
// license left.
var positionWeights = []struct {
	position string
	weight   int
}{
	{"COMPLIANT", 50}, {"AT_RISK", 22}, {"OVER_DEPLOYED", 22}, {"LAPSED", 6},
}

type licenseRow struct {
	id, product         uuid.UUID
	name                string
	model               string
	seats               any // int32 or nil (SITE)
	start, end, renewal any // time.Time or nil
	autoRenew           bool
	seatCost, totalCost any // pgtype.Numeric or nil
	currency, billing   any
	supplier            pgtype.UUID
	po, contract, notes any
	created             time.Time
}

type seatRow struct {
	id, license   uuid.UUID
	person, asset uuid.UUID // exactly one set
	assigned      time.Time
	reclaimed     any // time.Time or nil
	reason        any
}

// licenseGen builds the licenses and seats of one run.
type licenseGen struct {
	g          *generator
	r          *rand.Rand
	src        *installSource
	now        time.Time
	currency   string
	rate       float64
	suppliers  []uuid.UUID
	offboarded []uuid.UUID // people: seats on them are reclaim candidates
	retired    []uuid.UUID // RETIRED/DISPOSED devices of this run
	positions  weighted[string]

	licenses []licenseRow
	seats    []seatRow
}

// insertLicenses buys licenses for the catalog's licensed products, sized
// against what the run installed so the position comes out as a realistic
// mix, assigns seats (a few to offboarded people and retired devices:
// reclaim candidates), and writes their history. Free products get a
// zero-cost SITE license. Keys stay empty: they are sealed with a secret
// this package does not have.
func (g *generator) insertLicenses(ctx context.Context, cat *swCatalog, src *installSource, c *Counts) error {
	lg := &licenseGen{g: g, src: src, now: time.Now().UTC(),
		r: rand.New(rand.NewPCG(uint64(g.seed), uint64(g.startSeq)^0x11ce45e5ea7500d5))}
	if err := g.tx.QueryRow(ctx, `SELECT default_currency FROM organizations WHERE id = $1`, g.orgID).Scan(&lg.currency); err != nil {
		return err
	}
	lg.rate = currencyRate[lg.currency]
	if lg.rate == 0 {
		lg.rate = 1
	}
	for _, name := range []string{"CDW", "SHI", "Insight"} {
		lg.suppliers = append(lg.suppliers, g.suppliers[name])
	}
	rows, _ := g.tx.Query(ctx, `SELECT id FROM people WHERE org_id = $1 AND status = 'OFFBOARDED' ORDER BY lower(email)`, g.orgID)
	var err error
	if lg.offboarded, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
		return err
	}
	for _, d := range src.devices {
		if !d.active {
			lg.retired = append(lg.retired, d.id)
		}
	}
	for _, p := range positionWeights {
		lg.positions.add(p.position, p.weight)
	}

	// Well-known entries may resolve to the same product (the starter set
	// has one product where the catalog names two): it is bought once.
	bought := map[uuid.UUID]bool{}
	for _, list := range [][]*swEntry{cat.known, cat.tail} {
		for _, e := range list {
			if p := e.product; p != nil && p.licensed && !bought[p.id] {
				bought[p.id] = true
				lg.product(p)
			}
		}
	}
	return lg.write(ctx, c)
}

// product adds the licenses and seats of one product.
func (lg *licenseGen) product(p *swProduct) {
	r := lg.r
	if p.model == "" {
		lg.license(p, "SITE", nil, lg.termStart(false), "Free software: recorded so installations read as covered.")
		return
	}
	var devices []int32 // none: nothing installed it
	if t := lg.src.tallies[p.id]; t != nil {
		devices = t.devices
	}
	if p.model == "SITE" {
		lg.license(p, "SITE", nil, lg.termStart(false), "")
		return
	}
	// Holders and consumption as the schema's LicenseCompliance counts
	// them: devices for PER_DEVICE, people for every other model.
	var holders []uuid.UUID
	perUser := p.model != "PER_DEVICE"
	seen := map[uuid.UUID]bool{}
	for _, di := range devices {
		d := &lg.src.devices[di]
		h := d.id
		if perUser {
			h = d.person
		}
		if h != uuid.Nil && !seen[h] {
			seen[h] = true
			holders = append(holders, h)
		}
	}
	consumed := len(holders)
	if !perUser {
		consumed = len(devices)
	}

	perpetual := p.billing == "ONE_TIME"
	pos := lg.positions.pick(r)
	if consumed < 2 && pos != "LAPSED" || perpetual && pos == "LAPSED" {
		pos = "COMPLIANT"
	}
	var seats int
	switch pos {
	case "AT_RISK": // 90–100% used
		seats = consumed + int(float64(consumed)*0.1*r.Float64())
	case "OVER_DEPLOYED":
		seats = max(1, int(float64(consumed)*(0.7+0.25*r.Float64())))
		if seats >= consumed {
			seats = consumed - 1
		}
	default:
		seats = int(math.Ceil(float64(consumed)*(1.2+0.4*r.Float64()))) + 1 + r.IntN(5)
	}

	if pos == "LAPSED" {
		start := lg.today().AddDate(-1, 0, -10-r.IntN(200))
		lg.license(p, p.model, &seats, start, "Lapsed: not renewed.")
		return
	}
	start := lg.termStart(perpetual)
	if r.IntN(100) < 30 && !perpetual { // the previous term, expired
		lg.license(p, p.model, new(max(1, seats*4/5)), start.AddDate(-1, 0, 0), "")
	}
	parts := []int{seats}
	if seats >= 4 && r.IntN(100) < 30 { // the original purchase and a later true-up
		first := max(1, int(float64(seats)*(0.5+0.3*r.Float64())))
		parts = []int{first, seats - first}
	}
	r.Shuffle(len(holders), func(i, j int) { holders[i], holders[j] = holders[j], holders[i] })
	for i, n := range parts {
		s := start
		if i > 0 {
			s = start.AddDate(0, 1+r.IntN(8), 0)
			if s.After(lg.today()) {
				s = lg.today()
			}
		}
		lic := lg.license(p, p.model, &n, s, "")
		k := min(len(holders), int(float64(n)*(0.75+0.25*r.Float64())))
		if pos == "OVER_DEPLOYED" && r.IntN(100) < 30 { // assigned beyond the seats bought
			k = min(len(holders), n+max(1, n/20))
		}
		for _, h := range holders[:k] {
			lg.seat(lic, h, perUser, nil)
		}
		holders = holders[k:]
		// Reclaim candidates: seats still on people who left or on
		// devices taken out of service.
		if pool := lg.retired; perUser || len(pool) > 0 {
			if perUser {
				pool = lg.offboarded
			}
			if len(pool) > 0 && r.IntN(100) < 60 {
				off := r.IntN(len(pool))
				for j := range min(max(1, n/50), len(pool)) { // distinct holders
					lg.seat(lic, pool[(off+j)%len(pool)], perUser, nil)
				}
			}
		}
		// Seats reclaimed earlier, kept in history.
		for j := 0; j < k/20; j++ {
			h := holders
			if len(h) == 0 {
				break
			}
			reason := []string{"Employee changed role", "Not used in 90 days", "Moved to another license"}[r.IntN(3)]
			lg.seat(lic, h[r.IntN(len(h))], perUser, reason)
		}
	}
}

func (lg *licenseGen) today() time.Time { return lg.g.today }

// termStart is when a current term began: within the last year for
// subscriptions (about one in eight ends within 45 days), up to four years
// ago for perpetual licenses.
func (lg *licenseGen) termStart(perpetual bool) time.Time {
	r := lg.r
	if perpetual {
		return lg.today().AddDate(0, 0, -60-r.IntN(1400))
	}
	if r.IntN(8) == 0 {
		return lg.today().AddDate(-1, 0, 2+r.IntN(45))
	}
	return lg.today().AddDate(0, 0, -r.IntN(320))
}

// license appends a license; seats nil means SITE (unlimited). Terms run a
// year from start unless the billing is one-time (perpetual).
func (lg *licenseGen) license(p *swProduct, model string, seats *int, start time.Time, notes string) licenseRow {
	r := lg.r
	l := licenseRow{id: newID(), product: p.id, model: model, start: start, autoRenew: r.IntN(10) < 6,
		supplier: pgID(lg.suppliers[r.IntN(len(lg.suppliers))])}
	if seats != nil {
		l.seats = int32(*seats)
	}
	if p.billing == "ONE_TIME" {
		l.name = p.name + " (perpetual)"
		l.autoRenew = false
	} else {
		end := start.AddDate(1, 0, -1)
		l.end, l.renewal = end, end.AddDate(0, 0, 1)
		l.name = fmt.Sprintf("%s %d–%d", p.name, start.Year(), end.Year())
	}
	if p.model == "" {
		l.name = p.name + " (free)"
		l.end, l.renewal, l.autoRenew = nil, nil, false
	}
	if p.model != "" {
		price := p.seatPrice * lg.rate
		l.currency, l.billing = lg.currency, p.billing
		switch {
		case seats == nil: // SITE: one price for everyone
			l.totalCost = money(price * float64(max(50, len(lg.src.devices))))
		case r.IntN(100) < 15:
			l.totalCost = money(price * float64(*seats))
		default:
			l.seatCost = money(price)
		}
		l.po = fmt.Sprintf("PO-%d-%05d", start.Year(), 1+r.IntN(40000))
		if r.IntN(2) == 0 {
			l.contract = fmt.Sprintf("CTR-%s-%06d", slug(p.publisher, "")[:min(4, len(slug(p.publisher, "")))], r.IntN(1000000))
		}
	} else {
		l.billing = "ONE_TIME"
	}
	if notes != "" {
		l.notes = notes
	}
	l.created = start.Add(time.Duration(-r.IntN(14*24)+9) * time.Hour)
	if l.created.After(lg.now) {
		l.created = lg.now
	}
	lg.licenses = append(lg.licenses, l)
	return l
}

// seat appends a seat on a person (perUser) or an asset; a reason makes it
// a reclaimed one.
func (lg *licenseGen) seat(l licenseRow, holder uuid.UUID, perUser bool, reason any) {
	r := lg.r
	s := seatRow{id: newID(), license: l.id, reason: reason}
	if perUser {
		s.person = holder
	} else {
		s.asset = holder
	}
	s.assigned = l.created.Add(time.Duration(1+r.IntN(60*24)) * time.Hour)
	if s.assigned.After(lg.now) {
		s.assigned = lg.now
	}
	if reason != nil {
		at := s.assigned.Add(time.Duration(r.Float64() * float64(lg.now.Sub(s.assigned))))
		s.reclaimed = at
	}
	lg.seats = append(lg.seats, s)
}

// money converts an amount to a numeric with two decimals.
func money(v float64) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(int64(math.Round(v * 100))), Exp: -2, Valid: true}
}

func (lg *licenseGen) write(ctx context.Context, c *Counts) error {
	tx, orgID := lg.g.tx, pgID(lg.g.orgID)
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"licenses"}, licenseColumns, pgx.CopyFromSlice(len(lg.licenses), func(i int) ([]any, error) {
		l := &lg.licenses[i]
		return []any{pgID(l.id), orgID, pgID(l.product), l.name, l.model, l.seats, l.start, l.end, l.renewal,
			l.autoRenew, l.seatCost, l.totalCost, l.currency, l.billing, l.supplier, l.po,
			l.contract, l.notes, true, l.created, l.created}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy licenses: %w", err)
	}
	c.Licenses += n
	n, err = tx.CopyFrom(ctx, pgx.Identifier{"license_seats"}, seatColumns, pgx.CopyFromSlice(len(lg.seats), func(i int) ([]any, error) {
		s := &lg.seats[i]
		var by any
		if s.reclaimed != nil {
			by = "seed"
		}
		return []any{pgID(s.id), orgID, pgID(s.license), nullID(s.person), nullID(s.asset), s.assigned, "seed",
			s.reclaimed, by, s.reason, true}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy license_seats: %w", err)
	}
	c.LicenseSeats += n

	// History: each license's creation, each seat's assignment and reclaim.
	nl, ns := len(lg.licenses), len(lg.seats)
	var extra []int // seats with a reclaim entry
	for i := range lg.seats {
		if lg.seats[i].reclaimed != nil {
			extra = append(extra, i)
		}
	}
	n, err = tx.CopyFrom(ctx, pgx.Identifier{"license_history"}, licenseHistoryColumns, pgx.CopyFromSlice(nl+ns+len(extra), func(i int) ([]any, error) {
		switch {
		case i < nl:
			l := &lg.licenses[i]
			return []any{orgID, pgID(l.id), pgtype.UUID{}, "CREATE", "IMPORT", "seed", l.created}, nil
		case i < nl+ns:
			s := &lg.seats[i-nl]
			return []any{orgID, pgID(s.license), pgID(s.id), "ASSIGN_SEAT", "IMPORT", "seed", s.assigned}, nil
		default:
			s := &lg.seats[extra[i-nl-ns]]
			return []any{orgID, pgID(s.license), pgID(s.id), "RECLAIM_SEAT", "IMPORT", "seed", s.reclaimed}, nil
		}
	}))
	if err != nil {
		return fmt.Errorf("copy license_history: %w", err)
	}
	c.LicenseHistory += n
	return nil
}
