package imports

import (
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// The PEOPLE, LOCATIONS and MODELS imports upsert one record per row by
// its key (a person's email, else name; a location's name; a model's
// manufacturer and name) against Snapshot.ExistingPeople, ExistingLocations
// and ExistingModels, with Planner's rules. A record a row refers to that
// the file itself creates (a person's manager, a location's parent) must
// be on an earlier line: the commit applies rows in line order and finds
// it among them, so such a value has no Reference. One that neither
// exists nor comes earlier is an ERROR, never a guess at a record the
// file may define later.

// upsert decides CREATE (t nil), UPDATE with only the fields that differ,
// or UNCHANGED, for a record row's values.
func (c *rowCtx) upsert(t *ExistingRecord, kind Kind, values map[string]string, same func(f string) bool) {
	if t == nil {
		c.plan.Action, c.plan.Values = ActionCreate, values
		return
	}
	c.plan.TargetID, c.plan.TargetVersion = &t.ID, t.Version
	changed := map[string]string{}
	for _, f := range kindFields[kind] {
		v := values[f]
		if v == "" || same(f) {
			continue
		}
		changed[f] = v
	}
	c.plan.Values, c.plan.Action = changed, ActionUpdate
	if len(changed) == 0 {
		c.plan.Action = ActionUnchanged
	}
}

// rowValues copies the parsed cells.
func (c *rowCtx) rowValues() map[string]string {
	v := make(map[string]string, len(c.vals))
	for f, x := range c.vals {
		v[f] = x
	}
	return v
}

// inFile resolves a reference to a record of the import's own kind: an
// existing one (matched) or one an earlier row creates (no reference).
func (c *rowCtx) inFile(field, pendingKey string) bool {
	return c.p.pending[pendingKey+NormalizeName(c.vals[field])]
}

// planPerson plans one row of a PEOPLE import. A new person needs a name
// and an email (the people table requires both); a row without an email
// can only update the one person with its name. A status change of an
// existing person is an ERROR: offboarding runs its checklist and history
// through offboardPerson, which an import does not.
func (p *Planner) planPerson(c *rowCtx) {
	c.parseCells()
	s := c.s
	name, email := c.vals["name"], c.vals["email"]
	var t *ExistingRecord
	switch {
	case email != "":
		c.plan.Key = email
		c.dup("email:"+NormalizeName(email), "email", "email", email)
		t = s.ExistingPeople[NormalizeName(email)]
	case name != "" && !c.bad["email"]:
		c.plan.Key = name
		c.dup("name:"+NormalizeName(name), "name", "name", name)
		if s.AmbiguousPeople[NormalizeName(name)] {
			c.fail("name", "two or more people are named %q: add their emails to tell them apart", name)
			return
		}
		t = s.ExistingPeople[NormalizeName(name)]
		if t == nil {
			field := "email"
			if !p.mapped(field) {
				field = ""
			}
			if hasKey(s.PeopleByName, NormalizeName(name)) {
				// The snapshot names them but holds no record to compare.
				c.fail(field, "%q is a person already: add their email to update them", name)
			} else {
				c.fail(field, "a new person needs an email: no person is named %q", name)
			}
		}
	case !c.bad["name"] && !c.bad["email"]:
		c.fail("", "the email and name are blank: people are matched by email, else by name")
	}
	values := c.rowValues()
	var managerID *uuid.UUID
	c.named("team", RefTeam, s.Teams, nil, "team")
	c.named("location", RefLocation, s.Locations, s.AmbiguousLocations, "location")
	if m := c.vals["manager"]; m != "" {
		switch {
		case NormalizeName(m) == NormalizeName(email) || (email == "" && NormalizeName(m) == NormalizeName(name)):
			c.fail("manager", "a person cannot be their own manager")
		case c.inFile("manager", "person:"):
		case hasKey(s.PeopleByEmail, NormalizeName(m)) || hasKey(s.PeopleByName, NormalizeName(m)) || s.AmbiguousPeople[NormalizeName(m)]:
			if v, id, ok := c.person("manager"); ok {
				values["manager"], managerID = v, id
			}
		default:
			c.fail("manager", "no person is %q: add them on an earlier line", m)
		}
	}
	if len(c.plan.Errors) > 0 {
		return
	}
	if t == nil && values["status"] == "" {
		values["status"] = string(itam.PersonActive) // the commit writes what the plan says
	}
	c.upsert(t, KindPeople, values, func(f string) bool {
		v, ex := values[f], t.Values[f]
		switch f {
		case "email", "team", "location":
			return NormalizeName(v) == NormalizeName(ex)
		case "manager":
			return c.samePerson(v, managerID, ex)
		}
		return sameText(v, ex)
	})
	if t != nil {
		if st, ok := c.plan.Values["status"]; ok {
			c.fail("status", "%s's status is %s: change it with offboardPerson, not an import (%s)", t.Values["name"], t.Values["status"], st)
		}
		return
	}
	per := itam.Person{Name: name, Email: email, Status: itam.PersonStatus(values["status"])}
	if err := per.Validate(); err != nil {
		c.failErr(fieldOf(c, err), err)
		return
	}
	p.pending["person:"+NormalizeName(email)] = true
	p.pending["person:"+NormalizeName(name)] = true
}

// planLocation plans one row of a LOCATIONS import. A new location
// without a kind is a SITE; its parent must exist or come on an earlier
// line.
func (p *Planner) planLocation(c *rowCtx) {
	c.parseCells()
	s := c.s
	name := c.vals["name"]
	c.plan.Key = name
	key := NormalizeName(name)
	if name == "" {
		if !c.bad["name"] {
			c.fail("", "the name is blank: locations are matched by it")
		}
		return
	}
	c.dup("location:"+key, "name", "location", name)
	if s.AmbiguousLocations[key] {
		c.fail("name", "two or more locations are named %q: rename one, then import again", name)
		return
	}
	t := s.ExistingLocations[key]
	if par := c.vals["parent"]; par != "" {
		pk := NormalizeName(par)
		switch {
		case pk == key:
			c.fail("parent", "a location cannot be its own parent")
		case c.inFile("parent", "location:"):
		case hasKey(s.Locations, pk) || s.AmbiguousLocations[pk]:
			c.named("parent", RefLocation, s.Locations, s.AmbiguousLocations, "location")
		default:
			c.fail("parent", "no location is named %q: add it on an earlier line", par)
		}
	}
	if len(c.plan.Errors) > 0 {
		return
	}
	values := c.rowValues()
	if t == nil && values["kind"] == "" {
		values["kind"] = string(itam.LocationSite)
	}
	c.upsert(t, KindLocations, values, func(f string) bool {
		if f == "parent" {
			return NormalizeName(values[f]) == NormalizeName(t.Values[f])
		}
		return sameText(values[f], t.Values[f])
	})
	if t == nil {
		loc := itam.Location{Name: name, Kind: itam.LocationKind(values["kind"])}
		if err := loc.Validate(); err != nil {
			c.failErr(fieldOf(c, err), err)
			return
		}
		p.pending["location:"+key] = true
	}
}

// planModel plans one row of a MODELS import, matched by manufacturer and
// name; a new model needs its manufacturer and category (each matched or
// created), as the models table requires both.
func (p *Planner) planModel(c *rowCtx) {
	c.parseCells()
	s := c.s
	name, mfr := c.vals["name"], c.vals["manufacturer"]
	c.plan.Key = name
	if name == "" {
		if !c.bad["name"] {
			c.fail("", "the name is blank: models are matched by manufacturer and name")
		}
		return
	}
	k := ModelKey{Manufacturer: NormalizeName(mfr), Name: NormalizeName(name)}
	c.dup("model:"+k.Manufacturer+"\x00"+k.Name, "name", "model", strings.TrimSpace(mfr+" "+name))
	t := s.ExistingModels[k]
	if t == nil && mfr == "" && !c.bad["manufacturer"] {
		field := "manufacturer"
		if !p.mapped(field) {
			field = ""
		}
		c.fail(field, "a new model needs a manufacturer: no model is named %q", name)
	}
	if t == nil && c.vals["category"] == "" && !c.bad["category"] {
		field := "category"
		if !p.mapped(field) {
			field = ""
		}
		c.fail(field, "a new model needs a category: no model is named %q", name)
	}
	if t == nil {
		c.named("manufacturer", RefManufacturer, s.Manufacturers, nil, "manufacturer")
	}
	c.named("category", RefCategory, s.Categories, nil, "category")
	if len(c.plan.Errors) > 0 {
		return
	}
	values := c.rowValues()
	if t != nil {
		delete(values, "manufacturer") // part of the key: never changed by a row
	}
	c.upsert(t, KindModels, values, func(f string) bool {
		if f == "category" {
			return NormalizeName(values[f]) == NormalizeName(t.Values[f])
		}
		return sameText(values[f], t.Values[f])
	})
	if t == nil {
		m := itam.Model{Name: name}
		if err := m.Validate(); err != nil {
			c.failErr(fieldOf(c, err), err)
		}
	}
}

// fieldOf is the mapped field a domain error names ("" when none is).
func fieldOf(c *rowCtx, err error) string {
	if e, ok := err.(*itam.Error); ok {
		f, _, _ := strings.Cut(e.Field, ".")
		if c.p.mapped(f) {
			return f
		}
	}
	return ""
}
