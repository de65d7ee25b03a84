package imports

import (
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// ModelNumberParent is the Parent of a MODEL reference a row names by model
// number only (its NameKey is the normalized number): such a model is
// always an existing one, since a model is created only from a name.
const ModelNumberParent = "#modelNumber"

// refID identifies a reference within a run.
type refID struct {
	kind    RefKind
	parent  string
	nameKey string
}

// refUse is a reference one row's field resolves through: matched (id
// set) or to be created.
type refUse struct {
	id    refID
	name  string
	extra map[string]string
	match *uuid.UUID
}

// record counts a row naming a reference; the first row names it.
func (p *Planner) record(u refUse, line int) {
	r, ok := p.refs[u.id]
	if !ok {
		r = &Reference{Kind: u.id.kind, Name: u.name, NameKey: u.id.nameKey, Parent: u.id.parent,
			Extra: copyMap(u.extra), ID: u.match, FirstLine: line}
		p.refs[u.id] = r
		p.refOrder = append(p.refOrder, u.id)
	}
	r.Rows++
}

// RefFor says which reference of the run a field of a row's Values
// resolves through, so the commit finds its id: model by (manufacturer,
// model) name, or by ModelNumberParent and model number when the row
// names only a number; assignee, manager by email or name; location,
// parent, ownerTeam, team, supplier by name, and a MODELS row's
// manufacturer and category by name. An asset row's manufacturer and
// category are no references of their own: they belong to its model's
// (its Parent and Extra, for one the commit creates). ok is false for a
// field that is no reference or is not in values.
func RefFor(kind Kind, field string, values map[string]string) (k RefKind, parent, nameKey string, ok bool) {
	v := values[field]
	switch {
	case kind == KindAssets && field == "model" || kind == KindAssets && field == "modelNumber" && values["model"] == "":
		if m := values["model"]; m != "" {
			return RefModel, NormalizeName(values["manufacturer"]), NormalizeName(m), true
		}
		if n := values["modelNumber"]; n != "" {
			return RefModel, ModelNumberParent, NormalizeName(n), true
		}
		return "", "", "", false
	case v == "", kind == KindAssets && (field == "manufacturer" || field == "category"):
		return "", "", "", false
	case kind == KindLicenses && field == "product":
		// A license's product is named within its publisher (none: the
		// one product with that name).
		return RefProduct, NormalizeName(values["publisher"]), NormalizeName(v), true
	case kind == KindLicenses && field == "publisher", kind == KindLicenseSeats:
		// The publisher is the product's (its Parent); a seat names only
		// existing records, found by the commit through TargetID and Values.
		return "", "", "", false
	}
	kinds := map[string]RefKind{"manufacturer": RefManufacturer, "category": RefCategory, "location": RefLocation,
		"ownerTeam": RefTeam, "team": RefTeam, "supplier": RefSupplier, "assignee": RefPerson, "manager": RefPerson}
	if kind == KindLocations && field == "parent" {
		return RefLocation, "", NormalizeName(v), true
	}
	if kind == KindLocations && (field == "location" || field == "name") {
		return "", "", "", false
	}
	rk, ok := kinds[field]
	if !ok {
		return "", "", "", false
	}
	return rk, "", NormalizeName(v), true
}

// named resolves a plain named reference (location, team, supplier,
// manufacturer, category): matched by name, ambiguous (an ERROR naming
// it), or created. ok is false when the row failed.
func (c *rowCtx) named(field string, kind RefKind, byName map[string]uuid.UUID, ambiguous map[string]bool, what string) (string, bool) {
	v := c.vals[field]
	if v == "" {
		return "", true
	}
	key := NormalizeName(v)
	if ambiguous[key] {
		c.fail(field, "%d or more %ss are named %q: rename one, then import again", 2, what, v)
		return "", false
	}
	u := refUse{id: refID{kind: kind, nameKey: key}, name: v}
	if id, ok := byName[key]; ok {
		u.match = &id
	}
	c.use(field, u)
	return v, true
}

// person resolves a cell naming a person: an email matches the person
// with it, or creates one (named after the address until someone edits
// it); a name matches the one person with it, and a name two people share
// or nobody has is an ERROR (use the email). It returns the value the
// row's Values holds (the email when the person has one the snapshot
// knows), the person's id (nil for one to create) and ok.
func (c *rowCtx) person(field string) (string, *uuid.UUID, bool) {
	v := c.vals[field]
	if v == "" {
		return "", nil, true
	}
	key := NormalizeName(v)
	if isEmail(v) {
		email, err := itam.ValidEmail(field, v)
		if err != nil {
			c.failErr(field, err)
			return "", nil, false
		}
		u := refUse{id: refID{kind: RefPerson, nameKey: key}, name: email}
		if id, ok := c.s.PeopleByEmail[key]; ok {
			u.match = &id
		} else {
			u.extra = map[string]string{"email": email, "name": nameFromEmail(email)}
		}
		c.use(field, u)
		return email, u.match, true
	}
	if c.s.AmbiguousPeople[key] {
		c.fail(field, "two or more people are named %q: use the email", v)
		return "", nil, false
	}
	id, ok := c.s.PeopleByName[key]
	if !ok {
		if c.p.pending["person:"+key] {
			u := refUse{id: refID{kind: RefPerson, nameKey: key}, name: v}
			c.use(field, u)
			return v, nil, true
		}
		c.fail(field, "no person is named %q: use their email, and the import creates them", v)
		return "", nil, false
	}
	// The canonical value of a person is their email: use it when the
	// snapshot knows it, so the row compares with an asset's assignee.
	if email := c.p.emailOf(c.s, id); email != "" {
		u := refUse{id: refID{kind: RefPerson, nameKey: NormalizeName(email)}, name: email, match: &id}
		c.use(field, u)
		return email, &id, true
	}
	c.use(field, refUse{id: refID{kind: RefPerson, nameKey: key}, name: v, match: &id})
	return v, &id, true
}

// emailOf finds a person's email among the snapshot's people by email.
// The store lists there the emails of the people it matched by name too.
func (p *Planner) emailOf(s *Snapshot, id uuid.UUID) string {
	if p.emailsFor != s {
		p.emailsFor, p.emails = s, make(map[uuid.UUID]string, len(s.PeopleByEmail))
		for e, pid := range s.PeopleByEmail {
			p.emails[pid] = e
		}
	}
	return p.emails[id]
}

// samePerson compares a row's person with the one a record holds (its
// email, or its name when it has none).
func (c *rowCtx) samePerson(value string, id *uuid.UUID, existing string) bool {
	if existing == "" || value == "" {
		return existing == value
	}
	if NormalizeName(existing) == NormalizeName(value) {
		return true
	}
	if id == nil {
		return false
	}
	if isEmail(existing) {
		if eid, ok := c.s.PeopleByEmail[NormalizeName(existing)]; ok {
			return eid == *id
		}
	}
	return false
}

// nameFromEmail is the name a person created from an email starts with:
// "jane.doe@example.com" → "Jane Doe".
func nameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	words := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	for i, w := range words {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	if len(words) == 0 {
		return email
	}
	return strings.Join(words, " ")
}
