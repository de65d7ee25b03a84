package reconcile

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// RulesVersion names the rules of Plan. A fingerprint covers it, so a
// release that changes how a record lands (matching, precedence, mapping
// of fields) bumps it and every stored fingerprint stops matching: the
// next sync reconciles every record again.
const RulesVersion = 1

// Fingerprint digests everything Plan reads to decide what one record does
// to the asset it is linked to: the record itself, what its names resolve
// to (manufacturer, model, assignee if active, location), the asset's id
// and version, and the page's settings (precedence, authoritative sources,
// default currency and owner team, RulesVersion).
//
// Storage keeps the fingerprint of the last record applied to a link. When
// a page brings the same record again and the digest still matches (no
// one changed the asset, the settings, or what the names resolve to),
// planning it again would change nothing: the record is unchanged at the
// cost of a hash compare, without reading the asset's provenance and
// software. version is the asset's version after the record was applied.
// A record with read errors has no fingerprint (nil): its errors must be
// reported on every sync.
func (s *Snapshot) Fingerprint(asset uuid.UUID, version int, d *Device) []byte {
	if len(d.ReadErrors) > 0 {
		return nil
	}
	h := newDigest()
	h.bytes(s.settings())
	h.bytes(asset[:])
	h.int(int64(version))
	r := s.resolve(*d)
	for _, id := range []uuid.UUID{r.mfr, r.model, deref(r.person), deref(r.location)} {
		h.bytes(id[:])
	}
	for _, v := range []string{d.ExternalID, d.SerialNumber, d.Name, d.Manufacturer, d.Model, d.ModelIdentifier, d.OSName,
		d.OSVersion, d.UserEmail, d.UserName, d.AssetTag, d.PurchasePrice, d.PurchaseCurrency, d.Status, d.Location, d.Category} {
		h.str(v)
	}
	// LastCheckIn is left out: it changes on every check-in, and only the
	// link keeps it, which every sync writes anyway.
	for _, t := range []*time.Time{d.PurchaseDate, d.WarrantyEnd} {
		h.time(t)
	}
	h.bool(d.Virtual)
	// nil software ("not sent") and an empty list mean different things.
	h.bool(d.Software == nil)
	h.int(int64(len(d.Software)))
	for _, sw := range d.Software {
		h.str(sw.Title)
		h.str(sw.Version)
		h.str(sw.Identifier)
	}
	return h.sum()
}

// settings digests the page-wide inputs of Plan, once per snapshot.
func (s *Snapshot) settings() []byte {
	if s.settingsDigest != nil {
		return s.settingsDigest
	}
	h := newDigest()
	h.int(RulesVersion)
	h.bytes(s.OrgID[:])
	h.str(s.Source)
	h.str(s.Kind)
	h.bool(s.AuthoritativeForPeople)
	fields := make([]string, 0, len(s.Precedence))
	for f := range s.Precedence {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		h.str(f)
		h.int(int64(len(s.Precedence[f])))
		for _, src := range s.Precedence[f] {
			h.str(src)
		}
	}
	auth := make([]string, 0, len(s.Authoritative))
	for src, ok := range s.Authoritative {
		if ok {
			auth = append(auth, src)
		}
	}
	slices.Sort(auth)
	h.str(strings.Join(auth, "\x00"))
	h.str(s.DefaultCurrency)
	team := deref(s.DefaultOwnerTeam)
	h.bytes(team[:])
	s.settingsDigest = h.sum()
	return s.settingsDigest
}

// resolved is what a record's names stand for in the inventory.
type resolved struct {
	mfr, model       uuid.UUID
	person, location *uuid.UUID
}

// resolve looks a record's manufacturer, model, assignee (only an active
// person) and location up in the snapshot, as Plan does.
func (s *Snapshot) resolve(d Device) resolved {
	var r resolved
	r.mfr = s.Manufacturers[strings.ToLower(d.ManufacturerName())]
	r.model = s.Models[ModelKey(r.mfr, d.ModelName())]
	if e := NormalizeEmail(d.UserEmail); e != "" {
		if pid, ok := s.People[e]; ok && s.ActivePeople[pid] {
			r.person = &pid
		}
	}
	if id, ok := s.Locations[LocationKey(d.Location)]; ok && d.Location != "" {
		r.location = &id
	}
	return r
}

func deref(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// digest writes values unambiguously (every string is length-prefixed)
// into one buffer, hashed once: no allocation per value.
type digest struct{ buf []byte }

func newDigest() *digest { return &digest{buf: make([]byte, 0, 2048)} }

func (h *digest) sum() []byte {
	s := sha256.Sum256(h.buf)
	return s[:]
}

func (h *digest) int(v int64) { h.buf = binary.AppendVarint(h.buf, v) }

func (h *digest) str(s string) {
	h.int(int64(len(s)))
	h.buf = append(h.buf, s...)
}

func (h *digest) bytes(b []byte) {
	h.int(int64(len(b)))
	h.buf = append(h.buf, b...)
}

func (h *digest) bool(v bool) {
	if v {
		h.int(1)
	} else {
		h.int(0)
	}
}

func (h *digest) time(t *time.Time) {
	if t == nil {
		h.int(-1)
		return
	}
	h.int(t.UnixNano())
}
