package reconcile

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// Directories hold duplicate accounts sharing an email (a re-hired
// employee, a service account): one page must not plan two people with
// the same email, which storage's unique email would refuse, failing the
// whole page on every sync.
func TestPlanPeopleOneEmailTwiceInAPage(t *testing.T) {
	ann := &itam.Person{ID: uuid.New(), Name: "Ann", Email: "ann@example.com", Status: itam.PersonActive}
	bob := &itam.Person{ID: uuid.New(), Name: "Bob", Email: "bob@example.com", Status: itam.PersonActive}
	cases := []struct {
		name    string
		records []Person
	}{
		{"two unknown records with one email create one person", []Person{
			{ExternalID: "u1", Email: "new@example.com", Active: true},
			{ExternalID: "u2", Email: "NEW@example.com", Active: true}}},
		{"two linked people moving to one new email", []Person{
			{ExternalID: "a", Email: "same@example.com", Active: true},
			{ExternalID: "b", Email: "same@example.com", Active: true}}},
		{"a new record takes the email a linked person moves to", []Person{
			{ExternalID: "a", Email: "same@example.com", Active: true},
			{ExternalID: "u3", Email: "same@example.com", Active: true}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &PeopleSnapshot{Source: "SERVICENOW:x", Authoritative: true,
				Links:   map[string]PersonLink{"a": {PersonID: ann.ID, Active: true}, "b": {PersonID: bob.ID, Active: true}},
				ByEmail: map[string]uuid.UUID{"ann@example.com": ann.ID, "bob@example.com": bob.ID},
				People:  map[uuid.UUID]*itam.Person{ann.ID: ann, bob.ID: bob}}
			p := PlanPeople(s, tc.records)
			emails := map[string]uuid.UUID{}
			for _, c := range p.Changes {
				e := NormalizeEmail(c.After.Email)
				if other, dup := emails[e]; dup {
					require.Failf(t, "two people planned with one email", "%s: %s and %s", e, other, c.After.ID)
				}
				emails[e] = c.After.ID
			}
			require.Len(t, p.Errors, 1, "the second record is reported")
		})
	}
}
