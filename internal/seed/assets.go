package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/itam-dev/itam/internal/itam"
)

var assetColumns = []string{
	"id", "org_id", "asset_tag", "serial_number", "name", "model_id", "manufacturer_id",
	"status", "condition", "assigned_person_id", "assigned_location_id", "owner_team_id", "location_id",
	"purchase_date", "purchase_price", "purchase_currency", "supplier_id", "order_number", "invoice_number",
	"warranty_end", "end_of_life", "notes", "custom_fields",
	"disposal_date", "disposal_method", "disposal_certificate", "created_at", "updated_at",
	"seeded", // always true: see hasRealRecords
}

var historyColumns = []string{"org_id", "asset_id", "action", "actor_kind", "actor", "source", "changes", "to_status", "at"}

// Status mix, in percent.
var statusWeights = []struct {
	status string
	weight int
}{
	{"DEPLOYED", 60}, {"IN_STOCK", 20}, {"ORDERED", 4}, {"IN_REPAIR", 4},
	{"LOST", 2}, {"STOLEN", 1}, {"RETIRED", 5}, {"DISPOSED", 4},
}

var disposalWeights = []struct {
	method string
	weight int
}{
	{"RECYCLED", 40}, {"RESOLD", 20}, {"DONATED", 15}, {"DESTROYED", 15}, {"RETURNED_TO_LESSOR", 10},
}

var repairNotes = []string{
	"Cracked screen; sent for repair under warranty.",
	"Battery swelling reported by user.",
	"Keyboard unresponsive after liquid spill.",
	"Will not power on; awaiting vendor diagnostics.",
	"Intermittent Wi-Fi drops; logic board replacement scheduled.",
	"Dead pixels reported; RMA opened with vendor.",
	"Hinge broken; replacement part on order.",
}

// Rough FX from the USD list prices.
var currencyRate = map[string]float64{"USD": 1, "EUR": 0.92, "GBP": 0.79}

var ciscoOUIs = []string{"00:1B:54", "58:97:BD", "F8:7B:20", "AC:17:C8", "70:DB:98"}

type historyRow struct {
	id     uuid.UUID
	status string
	at     time.Time
	// What the money step (money.go) books costs from: the purchase, the
	// price in minor units of currency, the supplier and (disposed) when.
	purchase time.Time
	cents    int64
	currency string
	supplier uuid.UUID
	disposed time.Time
}

// assetSource generates asset rows on demand for CopyFrom.
type assetSource struct {
	g        *generator
	n, i     int
	seq      int64
	now      time.Time
	cats     weighted[*category]
	statuses weighted[string]
	disp     weighted[string]
	sites    weighted[*site]
	serials  map[uuid.UUID]map[string]struct{} // upper(serial) in use, per manufacturer
	row      []any
	history  []historyRow
	err      error
}

func (g *generator) insertAssets(ctx context.Context, n int, c *Counts, res *Result) error {
	src := &assetSource{g: g, n: n, seq: g.startSeq, now: time.Now().UTC(), row: make([]any, len(assetColumns)),
		history: make([]historyRow, 0, n), serials: map[uuid.UUID]map[string]struct{}{}}
	for _, cd := range categoryDefs {
		src.cats.add(g.categories[cd.kind], cd.weight)
	}
	for _, s := range statusWeights {
		src.statuses.add(s.status, s.weight)
	}
	for _, d := range disposalWeights {
		src.disp.add(d.method, d.weight)
	}
	for _, s := range g.sites {
		src.sites.add(s, s.def.weight)
	}

	// Serials already used in this org, so generated ones never collide.
	rows, _ := g.tx.Query(ctx, `SELECT manufacturer_id, upper(serial_number) FROM assets WHERE org_id = $1 AND serial_number IS NOT NULL`, g.orgID)
	var mid uuid.UUID
	var serial string
	if _, err := pgx.ForEachRow(rows, []any{&mid, &serial}, func() error {
		src.serialSet(mid)[serial] = struct{}{}
		return nil
	}); err != nil {
		return err
	}

	copied, err := g.tx.CopyFrom(ctx, pgx.Identifier{"assets"}, assetColumns, src)
	if err != nil {
		return fmt.Errorf("copy assets: %w", err)
	}
	c.Assets += copied
	if copied > 0 {
		res.FirstAssetTag = g.tag(g.startSeq + 1)
		res.LastAssetTag = g.tag(g.startSeq + copied)
	}

	hist := src.history
	g.added = hist
	orgID := pgID(g.orgID)
	copied, err = g.tx.CopyFrom(ctx, pgx.Identifier{"asset_history"}, historyColumns, pgx.CopyFromSlice(len(hist), func(i int) ([]any, error) {
		h := hist[i]
		return []any{orgID, pgID(h.id), "CREATE", "IMPORT", "seed", "seed", "{}", h.status, h.at}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy asset_history: %w", err)
	}
	c.History += copied
	return nil
}

func (g *generator) tag(seq int64) string {
	return fmt.Sprintf("%s%06d", g.prefix, seq)
}

func (s *assetSource) serialSet(mfr uuid.UUID) map[string]struct{} {
	m := s.serials[mfr]
	if m == nil {
		m = map[string]struct{}{}
		s.serials[mfr] = m
	}
	return m
}

func (s *assetSource) Next() bool {
	if s.err != nil || s.i >= s.n {
		return false
	}
	s.i++
	s.seq++
	s.err = s.fill()
	return s.err == nil
}

func (s *assetSource) Values() ([]any, error) { return s.row, s.err }
func (s *assetSource) Err() error             { return s.err }

// fill generates the next asset into s.row.
func (s *assetSource) fill() error {
	g, r := s.g, s.g.rng
	cat := s.cats.pick(r)
	m := cat.models.pick(r)
	md := m.def
	status := s.statuses.pick(r)

	// Who and where.
	var assignee *person
	var assignedLoc, location uuid.UUID
	owner := g.itTeam
	st := s.sites.pick(r)
	if status == "DEPLOYED" {
		switch {
		case cat.def.locationUsed:
			assignedLoc = st.serverRoom
			location = st.serverRoom
		case len(g.active) > 0:
			assignee = g.active[r.IntN(len(g.active))]
			if assignee.team != uuid.Nil {
				owner = assignee.team
			}
			location = assignee.location
			if assignee.site != nil {
				st = assignee.site
			}
		default:
			status = "IN_STOCK" // nobody to deploy to
		}
	}
	switch status {
	case "IN_STOCK", "ORDERED", "IN_REPAIR", "RETIRED":
		location = st.storage
	}

	// When.
	var ageDays int
	switch status {
	case "ORDERED":
		ageDays = r.IntN(46)
	case "RETIRED", "DISPOSED":
		ageDays = 900 + r.IntN(926)
	case "IN_STOCK":
		ageDays = r.IntN(1826)
		if r.IntN(2) == 0 { // half the stock is recent purchases
			ageDays = r.IntN(120)
		}
	default:
		ageDays = r.IntN(1826)
	}
	purchase := g.today.AddDate(0, 0, -ageDays)
	warranty := itam.AddMonths(purchase, 12*(1+r.IntN(3)))
	eol := itam.AddMonths(purchase, cat.def.usefulLife)
	created := purchase.Add(time.Duration(8*3600+r.IntN(10*3600)) * time.Second)
	if created.After(s.now) {
		created = s.now
	}
	updated := created

	// Condition.
	var condition string
	switch status {
	case "ORDERED":
		condition = "NEW"
	case "IN_STOCK":
		condition = "GOOD"
		if ageDays < 120 {
			condition = "NEW"
		}
	case "DEPLOYED", "LOST", "STOLEN":
		condition = pickString(r, "GOOD", 70, "NEW", 10, "FAIR", 15, "POOR", 5)
	case "IN_REPAIR":
		condition = pickString(r, "BROKEN", 60, "POOR", 40)
	case "RETIRED":
		condition = pickString(r, "FAIR", 55, "POOR", 35, "BROKEN", 10)
	default: // DISPOSED
		condition = pickString(r, "POOR", 45, "FAIR", 30, "BROKEN", 25)
	}

	// Money: European sites mostly buy in their own currency.
	currency := "USD"
	if st.def.currency != "USD" && r.IntN(100) < 85 {
		currency = st.def.currency
	}
	factor := (0.85 + r.Float64()*0.2) * currencyRate[currency]
	cents := int64(float64(md.priceCents) * factor)
	price := pgtype.Numeric{Int: big.NewInt(cents), Exp: -2, Valid: true}
	supplier := m.suppliers.pick(r)
	order := fmt.Sprintf("PO-%d-%05d", purchase.Year(), 1+r.IntN(40000))
	var invoice any
	if status != "ORDERED" {
		invoice = fmt.Sprintf("%s-%08d", g.invoicePrefix[supplier], r.IntN(100000000))
	}

	// Serial: not known yet for many open orders, rarely tracked for cheap
	// peripherals.
	var serial any
	if !(status == "ORDERED" && r.IntN(10) < 7) && !(cat.def.kind == "PERIPHERAL" && r.IntN(10) < 3) {
		set := s.serialSet(m.manufacturerID)
		for {
			sn := genSerial(r, &m.mfr.serial)
			if _, dup := set[sn]; !dup {
				set[sn] = struct{}{}
				serial = sn
				break
			}
		}
	}

	// Name.
	var name any
	switch {
	case cat.def.printName:
		name = fmt.Sprintf("%s-%s-%06d", st.def.code, cat.def.hostCode, s.seq)
	case assignee != nil && (cat.def.kind == "PHONE" || cat.def.kind == "TABLET") && assignee.first != "":
		name = assignee.first + "'s " + md.name
	}

	// Notes and disposal.
	var notes, disposalDate, disposalMethod, certificate any
	switch status {
	case "IN_REPAIR":
		notes = repairNotes[r.IntN(len(repairNotes))]
	case "LOST":
		notes = "Reported lost by user on " + purchase.AddDate(0, 0, r.IntN(ageDays+1)).Format(time.DateOnly) + "."
	case "STOLEN":
		notes = fmt.Sprintf("Reported stolen; police report %d-%06d.", g.today.Year(), r.IntN(1000000))
	case "RETIRED":
		notes = "Retired at end of life; awaiting data wipe and disposal."
	case "DISPOSED":
		d := eol
		if d.After(g.today) {
			d = g.today.AddDate(0, 0, -r.IntN(180))
		}
		if earliest := itam.AddMonths(purchase, 6); d.Before(earliest) {
			d = earliest
		}
		disposalDate = d
		method := s.disp.pick(r)
		disposalMethod = method
		if method == "RECYCLED" || method == "DESTROYED" {
			certificate = fmt.Sprintf("COD-%d-%06d", d.Year(), r.IntN(1000000))
		}
		updated = d.Add(10 * time.Hour)
		if updated.After(s.now) {
			updated = s.now
		}
	}

	custom, err := customFields(r, cat, md, name, st, assignee)
	if err != nil {
		return err
	}

	id := newID()
	h := historyRow{id: id, status: status, at: created, purchase: purchase, cents: cents, currency: currency, supplier: supplier}
	if d, ok := disposalDate.(time.Time); ok {
		h.disposed = d
	}
	s.history = append(s.history, h)

	row := s.row
	row[0] = pgID(id)
	row[1] = pgID(g.orgID)
	row[2] = g.tag(s.seq)
	row[3] = serial
	row[4] = name
	row[5] = pgID(m.id)
	row[6] = pgID(m.manufacturerID)
	row[7] = status
	row[8] = condition
	row[9] = pgtype.UUID{}
	if assignee != nil {
		row[9] = pgID(assignee.id)
	}
	row[10] = nullID(assignedLoc)
	row[11] = pgID(owner)
	row[12] = nullID(location)
	row[13] = purchase
	row[14] = price
	row[15] = currency
	row[16] = pgID(supplier)
	row[17] = order
	row[18] = invoice
	row[19] = warranty
	row[20] = eol
	row[21] = notes
	row[22] = custom
	row[23] = disposalDate
	row[24] = disposalMethod
	row[25] = certificate
	row[26] = created
	row[27] = updated
	row[28] = true
	return nil
}

// customFields fills the category's field definitions from the model's spec.
func customFields(r *rand.Rand, cat *category, md *modelDef, name any, st *site, assignee *person) ([]byte, error) {
	f := map[string]any{}
	switch cat.def.kind {
	case "LAPTOP", "DESKTOP":
		f["cpu"] = md.cpu
		f["ram_gb"] = md.ram[r.IntN(len(md.ram))]
		f["storage_gb"] = md.storage[r.IntN(len(md.storage))]
		switch {
		case md.manufacturer == "Apple":
			f["os"] = "macOS"
		case r.IntN(10) == 0:
			f["os"] = "Ubuntu 22.04"
		default:
			f["os"] = "Windows 11"
		}
	case "SERVER":
		f["cpu"] = md.cpu
		f["ram_gb"] = md.ram[r.IntN(len(md.ram))]
		f["rack_units"] = md.rackUnits
		if n, ok := name.(string); ok {
			f["hostname"] = strings.ToLower(n)
		}
	case "PHONE":
		f["imei"] = genIMEI(r)
		f["storage_gb"] = md.storage[r.IntN(len(md.storage))]
		f["carrier"] = st.def.carriers[r.IntN(len(st.def.carriers))]
	case "TABLET":
		f["storage_gb"] = md.storage[r.IntN(len(md.storage))]
		f["cellular"] = md.cellular && r.IntN(2) == 0
	case "MONITOR":
		f["screen_size_in"] = md.screen
		f["resolution"] = md.resolution
	case "NETWORK":
		f["ports"] = md.ports
		f["firmware"] = md.firmware
		mac := ciscoOUIs[r.IntN(len(ciscoOUIs))]
		for i := 0; i < 3; i++ {
			mac += fmt.Sprintf(":%02X", r.IntN(256))
		}
		f["mac_address"] = mac
	}
	return json.Marshal(f)
}

// addMonths adds months the way PostgreSQL's date + interval does: the day
// is clamped to the end of a shorter month (Aug 31 + 6 months = Feb 28)
// rather than overflowing into the next one as time.AddDate does.
func genSerial(r *rand.Rand, f *serialFormat) string {
	var b [24]byte
	p := f.prefixes[r.IntN(len(f.prefixes))]
	n := copy(b[:], p)
	for ; n < f.length; n++ {
		b[n] = f.alphabet[r.IntN(len(f.alphabet))]
	}
	return string(b[:n])
}

// genIMEI returns a 15-digit IMEI with a valid Luhn check digit.
func genIMEI(r *rand.Rand) string {
	var d [15]byte
	d[0], d[1] = 3, 5 // common reporting-body prefix
	for i := 2; i < 14; i++ {
		d[i] = byte(r.IntN(10))
	}
	sum := 0
	for i := 0; i < 14; i++ {
		v := int(d[i])
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[14] = byte((10 - sum%10) % 10)
	var b strings.Builder
	for _, v := range d {
		b.WriteString(strconv.Itoa(int(v)))
	}
	return b.String()
}

// pickString picks among (value, weight) pairs.
func pickString(r *rand.Rand, pairs ...any) string {
	total := 0
	for i := 1; i < len(pairs); i += 2 {
		total += pairs[i].(int)
	}
	x := r.IntN(total)
	for i := 0; i < len(pairs); i += 2 {
		x -= pairs[i+1].(int)
		if x < 0 {
			return pairs[i].(string)
		}
	}
	return pairs[len(pairs)-2].(string)
}
