package reconcile

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestPlanPeople(t *testing.T) {
	ann := &itam.Person{ID: uuid.New(), Name: "Ann", Email: "Ann@Example.com", Status: itam.PersonActive}
	bob := &itam.Person{ID: uuid.New(), Name: "Bob", Email: "bob@example.com", Status: itam.PersonOffboarded}
	eng, hq := uuid.New(), uuid.New()
	snap := func(authoritative bool, links map[string]PersonLink) *PeopleSnapshot {
		return &PeopleSnapshot{Source: "SERVICENOW:x", Authoritative: authoritative, Links: links,
			ByEmail: map[string]uuid.UUID{"ann@example.com": ann.ID, "bob@example.com": bob.ID},
			People:  map[uuid.UUID]*itam.Person{ann.ID: ann, bob.ID: bob},
			Teams:   map[string]uuid.UUID{"engineering": eng}, Locations: map[string]uuid.UUID{"hq": hq}}
	}
	cases := []struct {
		name          string
		authoritative bool
		links         map[string]PersonLink
		rec           Person
		want          func(t *testing.T, p PeoplePlan)
	}{
		{"email matches case-insensitively and links only when not authoritative", false, nil,
			Person{ExternalID: "u1", Email: "ANN@example.COM", Name: "Ann Other", Department: "Engineering", Active: false},
			func(t *testing.T, p PeoplePlan) {
				require.Len(t, p.Changes, 1)
				c := p.Changes[0]
				require.Equal(t, ann.ID, c.Before.ID)
				require.False(t, c.Changed(), "a source not authoritative for people changes nobody")
				require.False(t, c.Offboard)
			}},
		{"unknown person is not created when not authoritative", false, nil,
			Person{ExternalID: "u9", Email: "new@example.com", Active: true},
			func(t *testing.T, p PeoplePlan) { require.Empty(t, p.Changes) }},
		{"authoritative creates an unknown active person with team, location and manager", true, nil,
			Person{ExternalID: "u9", Email: "New@Example.com", Name: "Nia", EmployeeNumber: "E9", Department: "ENGINEERING",
				Location: "HQ", ManagerEmail: "ann@EXAMPLE.com", Title: "Engineer", Active: true},
			func(t *testing.T, p PeoplePlan) {
				require.Len(t, p.Changes, 1)
				a := p.Changes[0].After
				require.Nil(t, p.Changes[0].Before)
				require.Equal(t, "Nia", a.Name)
				require.Equal(t, "New@Example.com", a.Email)
				require.Equal(t, "E9", *a.EmployeeNumber)
				require.Equal(t, eng, *a.TeamID)
				require.Equal(t, hq, *a.LocationID)
				require.Equal(t, ann.ID, *a.ManagerID)
				require.Equal(t, itam.PersonActive, a.Status)
			}},
		{"authoritative does not create an inactive unknown person", true, nil,
			Person{ExternalID: "u9", Email: "gone@example.com", Active: false},
			func(t *testing.T, p PeoplePlan) { require.Empty(t, p.Changes) }},
		{"authoritative deactivation offboards", true, nil,
			Person{ExternalID: "u1", Email: "ann@example.com", Active: false},
			func(t *testing.T, p PeoplePlan) {
				c := p.Changes[0]
				require.True(t, c.Offboard)
				require.Equal(t, itam.PersonOffboarded, c.After.Status)
				require.True(t, c.Changed())
			}},
		{"a source that already said inactive does not offboard again", true, map[string]PersonLink{"u2": {PersonID: bob.ID, Active: false}},
			Person{ExternalID: "u2", Email: "bob@example.com", Active: false},
			func(t *testing.T, p PeoplePlan) {
				require.False(t, p.Changes[0].Offboard)
				require.False(t, p.Changes[0].Reactivate)
				require.False(t, p.Changes[0].Changed())
			}},
		{"reactivation by the source", true, map[string]PersonLink{"u2": {PersonID: bob.ID, Active: false}},
			Person{ExternalID: "u2", Email: "bob@example.com", Active: true},
			func(t *testing.T, p PeoplePlan) {
				require.True(t, p.Changes[0].Reactivate)
				require.Equal(t, itam.PersonActive, p.Changes[0].After.Status)
			}},
		{"a link follows an email change", true, map[string]PersonLink{"u1": {PersonID: ann.ID, Active: true}},
			Person{ExternalID: "u1", Email: "ann.new@example.com", Active: true},
			func(t *testing.T, p PeoplePlan) {
				require.Equal(t, ann.ID, p.Changes[0].Before.ID)
				require.Equal(t, "ann.new@example.com", p.Changes[0].After.Email)
			}},
		{"an email change onto someone else's email is not made", true, map[string]PersonLink{"u1": {PersonID: ann.ID, Active: true}},
			Person{ExternalID: "u1", Email: "BOB@example.com", Active: true},
			func(t *testing.T, p PeoplePlan) { require.Equal(t, ann.Email, p.Changes[0].After.Email) }},
		{"empty values clear nothing", true, nil,
			Person{ExternalID: "u1", Email: "ann@example.com", Active: true},
			func(t *testing.T, p PeoplePlan) { require.False(t, p.Changes[0].Changed()) }},
		{"an invalid email is an error for a new person", true, nil,
			Person{ExternalID: "u7", Email: "not-an-email", Active: true},
			func(t *testing.T, p PeoplePlan) {
				require.Empty(t, p.Changes)
				require.Len(t, p.Errors, 1)
				require.Equal(t, "u7", p.Errors[0].ExternalID)
			}},
		{"a record without an id is an error", true, nil,
			Person{Email: "x@example.com", Active: true},
			func(t *testing.T, p PeoplePlan) { require.Len(t, p.Errors, 1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.want(t, PlanPeople(snap(c.authoritative, c.links), []Person{c.rec}))
		})
	}
}

func TestPlanPeopleTwoRecordsOnePerson(t *testing.T) {
	ann := &itam.Person{ID: uuid.New(), Name: "Ann", Email: "ann@example.com", Status: itam.PersonActive}
	s := &PeopleSnapshot{Authoritative: true, ByEmail: map[string]uuid.UUID{"ann@example.com": ann.ID},
		People: map[uuid.UUID]*itam.Person{ann.ID: ann}}
	p := PlanPeople(s, []Person{{ExternalID: "a", Email: "ann@example.com", Active: true}, {ExternalID: "b", Email: "ANN@example.com", Active: true}})
	require.Len(t, p.Changes, 1)
	require.Len(t, p.Errors, 1)
	require.Equal(t, "b", p.Errors[0].ExternalID)
}
