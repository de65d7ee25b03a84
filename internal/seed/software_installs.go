package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/itam-dev/itam/internal/software"
)

var installColumns = []string{
	"org_id", "asset_id", "source", "app_key", "title", "version", "identifier",
	"first_seen_at", "last_seen_at", "product_id", "rule_id", "edition", "normalized_version", "ended_at",
}

// swDevice is a laptop or desktop of this run that reports software.
type swDevice struct {
	id      uuid.UUID
	person  uuid.UUID // uuid.Nil: not assigned to anyone
	plat    int
	status  string
	created time.Time
	// active devices consume licenses; RETIRED and DISPOSED ones do not.
	active bool
}

// swTally collects, for a product, the active devices with an installation
// resolved to it that has not ended, in generation order.
type swTally struct {
	devices []int32
	last    int32 // last device appended, so a suite's apps count once
}

// loadSoftwareDevices returns the laptops and desktops this run added that
// would report software: not ORDERED, and not fresh stock never handed
// out. Order is generation order, so the data is reproducible.
func (g *generator) loadSoftwareDevices(ctx context.Context) ([]swDevice, error) {
	ids := make([]uuid.UUID, len(g.added))
	for i, h := range g.added {
		ids[i] = h.id
	}
	rows, _ := g.tx.Query(ctx, `
		SELECT a.id, a.status::text, a.assigned_person_id, coalesce(a.custom_fields->>'os', ''), a.created_at
		  FROM assets a JOIN models m ON m.id = a.model_id JOIN categories c ON c.id = m.category_id
		 WHERE a.org_id = $1 AND a.id = ANY($2) AND c.kind IN ('LAPTOP', 'DESKTOP')
		   AND a.status <> 'ORDERED' AND NOT (a.status = 'IN_STOCK' AND a.purchase_date > current_date - 120)`, g.orgID, ids)
	byID := map[uuid.UUID]swDevice{}
	var d swDevice
	var person pgtype.UUID
	var os string
	if _, err := pgx.ForEachRow(rows, []any{&d.id, &d.status, &person, &os, &d.created}, func() error {
		d.person = uuid.UUID(person.Bytes)
		switch os {
		case "macOS":
			d.plat = platMac
		case "Windows 11":
			d.plat = platWin
		default:
			d.plat = platLinux
		}
		d.active = d.status != "RETIRED" && d.status != "DISPOSED"
		byID[d.id] = d
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]swDevice, 0, len(byID))
	for _, id := range ids {
		if d, ok := byID[id]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// installSource generates installations device by device for CopyFrom:
// only one device's rows are held at a time.
type installSource struct {
	cat     *swCatalog
	devices []swDevice
	rv      *resolver
	tallies map[uuid.UUID]*swTally // by product id
	rng     *rand.Rand
	now     time.Time
	orgID   pgtype.UUID
	// tailMean is how many long-tail titles a device of each platform
	// gets on average, so the total meets the run's target.
	tailMean [numPlatforms]float64

	dev      int // next device
	rows     [][]any
	n, i     int // rows generated for the current device, rows returned
	chosen   []int
	lastSeen time.Time
}

func newInstallSource(cat *swCatalog, devices []swDevice, target int, rng *rand.Rand, orgID uuid.UUID, rv *resolver) *installSource {
	s := &installSource{cat: cat, devices: devices, rv: rv, rng: rng, now: time.Now().UTC(), orgID: pgID(orgID),
		tallies: map[uuid.UUID]*swTally{}}
	// Expected rows from the well-known titles and the noise, per platform.
	var fixed [numPlatforms]float64
	for plat := range numPlatforms {
		for _, e := range cat.known {
			rows := 1.0
			if plat == platMac && e.allMac {
				rows = float64(len(e.titles[platMac]))
			}
			fixed[plat] += e.share[plat] * rows
		}
		for _, e := range cat.noise[plat] {
			fixed[plat] += e.share[plat]
		}
	}
	if len(devices) > 0 {
		perDevice := float64(target) / float64(len(devices))
		for plat := range numPlatforms {
			s.tailMean[plat] = max(0, perDevice-fixed[plat])
		}
	}
	return s
}

func (s *installSource) Next() bool {
	for s.i >= s.n {
		if s.dev >= len(s.devices) {
			return false
		}
		s.n, s.i = 0, 0
		s.fillDevice(int32(s.dev))
		s.dev++
	}
	s.i++
	return true
}

func (s *installSource) Values() ([]any, error) { return s.rows[s.i-1], nil }
func (s *installSource) Err() error             { return nil }

// fillDevice generates one device's installations into s.rows[:s.n].
func (s *installSource) fillDevice(di int32) {
	r, d := s.rng, &s.devices[di]
	// When the device last reported: recently for devices in use (a few
	// stale ones: seats there are reclaim candidates), long ago for the
	// retired, lost and stolen.
	var ago time.Duration
	day := 24 * time.Hour
	switch d.status {
	case "DEPLOYED":
		ago = time.Duration(r.Int64N(int64(72 * time.Hour)))
		if r.IntN(100) < 4 {
			ago = time.Duration(100+r.IntN(200)) * day
		}
	case "IN_REPAIR":
		ago = time.Duration(1+r.IntN(30)) * day
	case "IN_STOCK":
		ago = time.Duration(5+r.IntN(115)) * day
	default: // LOST, STOLEN, RETIRED, DISPOSED
		ago = time.Duration(10+r.IntN(400)) * day
	}
	s.lastSeen = s.now.Add(-ago)
	if s.lastSeen.Before(d.created) {
		s.lastSeen = d.created.Add(time.Hour)
	}
	if s.lastSeen.After(s.now) {
		s.lastSeen = s.now
	}

	for _, e := range s.cat.known {
		if p := e.share[d.plat]; p > 0 && r.Float64() < p {
			s.install(di, e)
		}
	}
	for _, e := range s.cat.noise[d.plat] {
		if r.Float64() < e.share[d.plat] {
			s.install(di, e)
		}
	}
	// Long tail: k titles by popularity, each at most once.
	mean := s.tailMean[d.plat]
	k := int(mean*(0.5+r.Float64()) + r.Float64())
	k = min(k, len(s.cat.tail)/2)
	s.chosen = s.chosen[:0]
	for tries := 0; len(s.chosen) < k && tries < 8*k; tries++ {
		idx := s.cat.tailPick.pick(r)
		if !s.cat.tail[idx].on(d.plat) || containsInt(s.chosen, idx) {
			continue
		}
		s.chosen = append(s.chosen, idx)
		s.install(di, s.cat.tail[idx])
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// install adds the rows of one entry on device di: a version (newer ones
// more common), one title (all of a suite's apps on macOS), sometimes an
// older version left next to it (Windows names carrying the version).
func (s *installSource) install(di int32, e *swEntry) {
	r, d := s.rng, &s.devices[di]
	vi := 0
	for vi < len(e.versions)-1 && r.IntN(2) == 0 {
		vi++
	}
	titles := e.titles[d.plat]
	if d.plat == platMac && e.allMac {
		for _, t := range titles {
			s.row(di, e, t[vi], vi)
		}
	} else {
		t := titles[r.IntN(len(titles))]
		s.row(di, e, t[vi], vi)
		if d.plat == platWin && e.versioned && vi+1 < len(e.versions) && r.IntN(100) < 8 {
			s.row(di, e, t[vi+1], vi+1)
		}
	}
}

// row appends one installation row: version vi of entry e.
func (s *installSource) row(di int32, e *swEntry, v swVariant, vi int) {
	r, d := s.rng, &s.devices[di]
	if s.n == len(s.rows) {
		s.rows = append(s.rows, make([]any, len(installColumns)))
	}
	row := s.rows[s.n]
	s.n++

	span := s.lastSeen.Sub(d.created)
	first := d.created.Add(time.Duration(r.Float64() * float64(span)))
	last := s.lastSeen
	var ended any
	if r.IntN(100) < 3 { // removed since: ended, kept in history
		last = first.Add(time.Duration(r.Float64() * float64(s.lastSeen.Sub(first))))
		end := last.Add(time.Duration(1+r.IntN(7*24)) * time.Hour)
		if end.After(s.now) {
			end = s.now
		}
		ended = end
	}

	row[0] = s.orgID
	row[1] = pgID(d.id)
	row[2] = s.cat.sources[d.plat]
	row[3] = v.key
	row[4] = v.title
	row[5] = e.versions[vi]
	row[6] = nil
	if v.ident != "" {
		row[6] = v.ident
	}
	row[7] = first
	row[8] = last
	// Resolved as a sync resolves it: by the organization's rules.
	res := s.rv.resolve(software.Title{Title: v.title, Identifier: v.ident, Version: e.versions[vi]})
	row[9], row[10], row[11], row[12] = res.product, res.rule, res.edition, res.normalized
	if res.productID != uuid.Nil && d.active && ended == nil {
		t := s.tallies[res.productID]
		if t == nil {
			t = &swTally{last: -1}
			s.tallies[res.productID] = t
		}
		if t.last != di {
			t.devices = append(t.devices, di)
			t.last = di
		}
	}
	row[13] = ended
}

// insertInstallations streams the installations of the run's devices.
func (g *generator) insertInstallations(ctx context.Context, src *installSource, c *Counts) error {
	n, err := g.tx.CopyFrom(ctx, pgx.Identifier{"software_installations"}, installColumns, src)
	if err != nil {
		return fmt.Errorf("copy software_installations: %w", err)
	}
	c.SoftwareInstallations += n
	return nil
}
