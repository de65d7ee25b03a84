package reconcile

import (
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// PeopleSnapshot is what the inventory holds that a page of people may
// touch, loaded by storage before planning (see Snapshot for devices).
type PeopleSnapshot struct {
	// Source is the connector's source name; Authoritative whether it is
	// authoritative for people (only then does it create or change them).
	Source        string
	Authoritative bool
	// Links are this source's person links: external id → link.
	Links map[string]PersonLink
	// ByEmail finds people by NormalizeEmail(email); People holds each.
	ByEmail map[string]uuid.UUID
	People  map[uuid.UUID]*itam.Person
	// Teams and Locations find by lower-case name.
	Teams     map[string]uuid.UUID
	Locations map[string]uuid.UUID
}

// PersonLink is a stored link and what the source said last time.
type PersonLink struct {
	PersonID uuid.UUID
	Active   bool
}

// PersonChange is what one record of a page does.
type PersonChange struct {
	Record Person
	// Before is nil for a person to create.
	Before *itam.Person
	After  *itam.Person
	// Offboard: the source deactivated the person; storage offboards them
	// (status OFFBOARDED and the offboarding checklist), never deletes.
	Offboard bool
	// Reactivate: the source activated a person it had deactivated.
	Reactivate bool
}

// Changed reports whether the person row changes (or is created).
func (c *PersonChange) Changed() bool {
	if c.Before == nil {
		return true
	}
	b, a := *c.Before, *c.After
	return b.Name != a.Name || b.Email != a.Email || !sameText(b.EmployeeNumber, a.EmployeeNumber) ||
		!sameText(b.Title, a.Title) || !sameUUID(b.TeamID, a.TeamID) || !sameUUID(b.ManagerID, a.ManagerID) ||
		!sameUUID(b.LocationID, a.LocationID) || b.Status != a.Status
}

// PeoplePlan is what a page of people changes.
type PeoplePlan struct {
	Changes []*PersonChange
	Errors  []itam.SyncError
}

// TeamKey is the PeopleSnapshot.Teams key of a department or team name.
func TeamKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// PlanPeople decides what a page of people records changes. A record
// matches its person by this source's link, then by email
// (case-insensitively). A source that is not authoritative for people only
// links the people it matches. An authoritative one also creates unknown
// active people and sets name, email, employee number, title, team (by
// department name), manager (by email) and location (by name) from what it
// reports; a status changes only when the source's own answer changes
// (active → inactive offboards, inactive → active reactivates), so a
// person's status set here by hand is not flipped back by every sync.
// Empty values never clear anything.
func PlanPeople(s *PeopleSnapshot, records []Person) PeoplePlan {
	var out PeoplePlan
	seenExt, seenPerson := map[string]bool{}, map[uuid.UUID]string{}
	claimed := map[string]string{} // normalized email → the record that has it in this page
	for _, r := range records {
		if strings.TrimSpace(r.ExternalID) == "" {
			out.Errors = append(out.Errors, itam.SyncError{Message: "person record without an id skipped"})
			continue
		}
		if seenExt[r.ExternalID] {
			continue
		}
		seenExt[r.ExternalID] = true
		c, err := s.plan(r)
		if err != nil {
			out.Errors = append(out.Errors, itam.SyncError{ExternalID: r.ExternalID, Message: err.Error()})
			continue
		}
		if c == nil {
			continue
		}
		if c.Before != nil {
			if other, dup := seenPerson[c.Before.ID]; dup {
				out.Errors = append(out.Errors, itam.SyncError{ExternalID: r.ExternalID,
					Message: fmt.Sprintf("matches the same person %s as record %s; skipped", c.Before.Email, other)})
				continue
			}
			seenPerson[c.Before.ID] = r.ExternalID
		}
		// Directories hold duplicate accounts sharing an email; people's
		// emails are unique here, so the first record of a page to claim
		// one keeps it (a later one would fail the whole page in storage).
		e := NormalizeEmail(c.After.Email)
		if other, taken := claimed[e]; taken {
			if c.Before == nil {
				out.Errors = append(out.Errors, itam.SyncError{ExternalID: r.ExternalID,
					Message: fmt.Sprintf("email %s is also record %s's; skipped", c.After.Email, other)})
				continue
			}
			out.Errors = append(out.Errors, itam.SyncError{ExternalID: r.ExternalID,
				Message: fmt.Sprintf("email %s is also record %s's; the person keeps %s", c.After.Email, other, c.Before.Email)})
			c.After.Email = c.Before.Email
			e = NormalizeEmail(c.After.Email)
		}
		claimed[e] = r.ExternalID
		out.Changes = append(out.Changes, c)
	}
	return out
}

func (s *PeopleSnapshot) plan(r Person) (*PersonChange, error) {
	email := NormalizeEmail(r.Email)
	var before *itam.Person
	var link *PersonLink
	if l, ok := s.Links[r.ExternalID]; ok {
		link = &l
		before = s.People[l.PersonID]
	}
	if before == nil && email != "" {
		if id, ok := s.ByEmail[email]; ok {
			before = s.People[id]
		}
	}
	if before == nil {
		if !s.Authoritative || !r.Active {
			return nil, nil // nobody here to link, and nobody to create
		}
		if _, err := itam.ValidEmail("email", r.Email); err != nil {
			return nil, fmt.Errorf("person record without a valid email skipped")
		}
		p := &itam.Person{ID: uuid.New(), Email: strings.TrimSpace(r.Email), Status: itam.PersonActive, Version: 1}
		p.Name = personName(r)
		s.apply(p, r)
		return &PersonChange{Record: r, After: p}, nil
	}
	after := *before
	c := &PersonChange{Record: r, Before: before, After: &after}
	if !s.Authoritative {
		return c, nil
	}
	if n := strings.TrimSpace(r.Name); n != "" {
		after.Name = n
	}
	// The email changes only for a person found by this source's link: a
	// match by email has that email already.
	if e, err := itam.ValidEmail("email", r.Email); err == nil && email != NormalizeEmail(before.Email) {
		if other, taken := s.ByEmail[email]; !taken || other == before.ID {
			after.Email = e
		}
	}
	s.apply(&after, r)
	wasActive := link == nil || link.Active
	switch {
	case wasActive && !r.Active && before.Status == itam.PersonActive:
		c.Offboard = true
		after.Status = itam.PersonOffboarded
	case !wasActive && r.Active && before.Status == itam.PersonOffboarded:
		c.Reactivate = true
		after.Status = itam.PersonActive
		after.EndDate = nil
	}
	return c, nil
}

// apply sets the optional attributes an authoritative record reports.
func (s *PeopleSnapshot) apply(p *itam.Person, r Person) {
	if v := strings.TrimSpace(r.EmployeeNumber); v != "" {
		p.EmployeeNumber = &v
	}
	if v := strings.TrimSpace(r.Title); v != "" {
		p.Title = &v
	}
	if id, ok := s.Teams[TeamKey(r.Department)]; ok && r.Department != "" {
		p.TeamID = &id
	}
	if id, ok := s.Locations[LocationKey(r.Location)]; ok && r.Location != "" {
		p.LocationID = &id
	}
	if id, ok := s.ByEmail[NormalizeEmail(r.ManagerEmail)]; ok && r.ManagerEmail != "" && id != p.ID {
		p.ManagerID = &id
	}
}

// personName is the record's name, else its email's local part.
func personName(r Person) string {
	if n := strings.TrimSpace(r.Name); n != "" {
		return n
	}
	e := strings.TrimSpace(r.Email)
	if i := strings.Index(e, "@"); i > 0 {
		return e[:i]
	}
	return e
}

func sameText(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func sameUUID(a, b *uuid.UUID) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
