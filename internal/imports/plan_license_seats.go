package imports

import (
	"errors"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// The LICENSE_SEATS import assigns seats of existing licenses: one row is
// a license (by name) and its holder (a person by email, or by a name only
// one person has; or an asset by tag). A holder already holding an active
// seat of the license is UNCHANGED, so re-importing a file changes
// nothing; a new one is a CREATE. A row is an ERROR for what
// assignLicenseSeat refuses (licenses.CheckAssign, CheckPersonHolder,
// CheckAssetHolder): the wrong kind of holder for the license's model, a
// SITE license, an offboarded person, a retired or disposed asset. Like
// assignLicenseSeat, assigning more seats than the license counts is
// allowed: the compliance position shows the shortfall. A seat import
// never creates a license, person or asset: import those first.
//
// A CREATE row's TargetID is its license (TargetVersion 0: assigning a
// seat does not depend on the license's other fields); its Values hold
// the license name and the holder (person: email; assetTag: tag).

// planSeat plans one row of a LICENSE_SEATS import.
func (p *Planner) planSeat(c *rowCtx) {
	c.parseCells()
	s := c.s
	lic, person, tag := c.vals["license"], c.vals["person"], c.vals["assetTag"]
	c.plan.Key = lic
	switch {
	case lic == "":
		if !c.bad["license"] {
			c.fail("", "the license is blank: seats are assigned by license name")
		}
		return
	case person != "" && tag != "":
		c.fail("assetTag", "give the person or the asset tag that holds the seat, not both")
		return
	case person == "" && tag == "":
		if !c.bad["person"] && !c.bad["assetTag"] {
			c.fail("", "give the person (email) or the asset tag that holds the seat")
		}
		return
	}
	lk := NormalizeName(lic)
	if s.AmbiguousLicenses[lk] {
		c.fail("license", "two or more licenses are named %q: rename one, then import again", lic)
		return
	}
	t := s.Licenses[lk]
	if t == nil {
		c.fail("license", "no license is named %q: import the licenses first", lic)
		return
	}
	in := licenses.SeatInput{LicenseID: t.ID}
	values := map[string]string{"license": lic}
	var holder uuid.UUID
	if person != "" {
		id, email, ok := c.seatPerson(person)
		if !ok {
			return
		}
		holder, in.PersonID, values["person"] = id, &id, email
	} else {
		a := s.AssetsByTag[NormalizeTag(tag)]
		if a == nil {
			c.fail("assetTag", "no asset is tagged %q", tag)
			return
		}
		if err := licenses.CheckAssetHolder(itam.AssetStatus(a.Values["status"])); err != nil {
			c.failErr("assetTag", err)
			return
		}
		holder, in.AssetID, values["assetTag"] = a.ID, &a.ID, tag
	}
	if err := licenses.CheckAssign(&licenses.License{Model: licenses.Model(t.Values["licenseModel"])}, in); err != nil {
		c.failErr(seatErrField(c, err), err)
		return
	}
	c.dup("seat:"+t.ID.String()+"\x00"+holder.String(), holderField(person), "seat of "+lic+" for", person+tag)
	if len(c.plan.Errors) > 0 {
		return
	}
	c.plan.TargetID = &t.ID
	if s.Seats[SeatKey{License: t.ID, Holder: holder}] {
		c.plan.Action = ActionUnchanged
		return
	}
	c.plan.Action, c.plan.Values = ActionCreate, values
}

func holderField(person string) string {
	if person != "" {
		return "person"
	}
	return "assetTag"
}

// seatPerson finds the existing person a seat row names, with their email
// (the canonical value), refusing one who has left.
func (c *rowCtx) seatPerson(v string) (uuid.UUID, string, bool) {
	s, key := c.s, NormalizeName(v)
	var id uuid.UUID
	var ok bool
	if isEmail(v) {
		id, ok = s.PeopleByEmail[key]
	} else {
		if s.AmbiguousPeople[key] {
			c.fail("person", "two or more people are named %q: use the email", v)
			return id, "", false
		}
		id, ok = s.PeopleByName[key]
	}
	if !ok {
		c.fail("person", "no person is %q: import the people first", v)
		return id, "", false
	}
	if rec := s.ExistingPeople[key]; rec != nil {
		if err := licenses.CheckPersonHolder(itam.PersonStatus(rec.Values["status"])); err != nil {
			c.failErr("person", err)
			return id, "", false
		}
	}
	email := c.p.emailOf(s, id)
	if email == "" {
		email = v
	}
	return id, email, true
}

// seatErrField is the column a seat rule's error names.
func seatErrField(c *rowCtx, err error) string {
	var e *itam.Error
	if !errors.As(err, &e) {
		return ""
	}
	f := map[string]string{"personId": "person", "assetId": "assetTag", "licenseId": "license"}[e.Field]
	return mappedOr(c, f)
}
