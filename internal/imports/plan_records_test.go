package imports

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

type wantRow struct {
	action Action
	values map[string]string
	errs   []string
	dup    int
}

func planKind(t *testing.T, kind Kind, headers []string, s *Snapshot, cells ...[]string) (*Planner, []RowPlan) {
	t.Helper()
	p, err := NewPlanner(kind, headers, AutoMap(kind, headers), Options{})
	require.NoError(t, err)
	rows := rowsOf(cells...)
	l := p.Needs(rows)
	require.NotEmpty(t, l)
	return p, p.Plan(rows, s)
}

func requireRows(t *testing.T, want []wantRow, got []RowPlan) {
	t.Helper()
	require.Len(t, got, len(want))
	for i, w := range want {
		rp := got[i]
		require.Equal(t, i+2, rp.Line)
		require.Equal(t, w.action, rp.Action, "line %d: %v", rp.Line, rp.Errors)
		require.Equal(t, w.values, rp.Values, "line %d", rp.Line)
		if w.errs == nil {
			require.Empty(t, rp.Errors, "line %d", rp.Line)
		} else {
			require.Equal(t, w.errs, messages(rp.Errors), "line %d", rp.Line)
		}
		require.Equal(t, w.dup, rp.DuplicateOf, "line %d", rp.Line)
	}
}

func TestPlanPeople(t *testing.T) {
	t.Parallel()
	ana, bob, platform, paris := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	anaRec := &ExistingRecord{ID: ana, Version: 3, Values: map[string]string{"name": "Ana Núñez", "email": "ana@example.com",
		"title": "Engineer", "team": "Platform", "manager": "bob@example.com", "location": "Paris", "status": "ACTIVE"}}
	bobRec := &ExistingRecord{ID: bob, Version: 1, Values: map[string]string{"name": "Bob Builder", "email": "bob@example.com", "status": "ACTIVE"}}
	s := &Snapshot{
		ExistingPeople: map[string]*ExistingRecord{"ana@example.com": anaRec, "bob@example.com": bobRec, "bob builder": bobRec},
		PeopleByEmail:  map[string]uuid.UUID{"ana@example.com": ana, "bob@example.com": bob},
		PeopleByName:   map[string]uuid.UUID{"ana núñez": ana, "bob builder": bob}, AmbiguousPeople: map[string]bool{"jo smith": true},
		Teams: map[string]uuid.UUID{"platform": platform}, Locations: map[string]uuid.UUID{"paris": paris},
	}
	headers := []string{"Name", "Email", "Title", "Department", "Manager", "Location", "Status"}
	p, got := planKind(t, KindPeople, headers, s,
		[]string{"Ana Núñez", "ana@example.com", "Staff Engineer", "platform", "Bob Builder", "paris", "Active"},
		[]string{"Cleo", "cleo@example.com", "", "Design", "Ana Núñez", "", ""},
		[]string{"Dan", "dan@example.com", "", "", "CLEO@example.com", "", ""},
		[]string{"Eve", "eve@example.com", "", "", "zed@example.com", "", ""},
		[]string{"Jo Smith", "", "", "", "", "", ""},
		[]string{"Newbie", "", "", "", "", "", ""},
		[]string{"Ana", "ana@EXAMPLE.com", "", "", "", "", ""},
		[]string{"Bob Builder", "", "", "", "", "", "Terminated"},
		[]string{"", "", "Intern", "", "", "", ""},
		[]string{"Fay", "fay at example", "", "", "", "", "gone"},
		[]string{"Gus", "gus@example.com", "", "", "gus@example.com", "", ""},
		[]string{"Ana Núñez", "", "", "", "", "", ""},
	)
	requireRows(t, []wantRow{
		{action: ActionUpdate, values: map[string]string{"title": "Staff Engineer"}},
		{action: ActionCreate, values: map[string]string{"name": "Cleo", "email": "cleo@example.com", "team": "Design", "manager": "ana@example.com", "status": "ACTIVE"}},
		{action: ActionCreate, values: map[string]string{"name": "Dan", "email": "dan@example.com", "manager": "CLEO@example.com", "status": "ACTIVE"}},
		{action: ActionError, errs: []string{`Manager: no person is "zed@example.com": add them on an earlier line`}},
		{action: ActionError, errs: []string{`Name: two or more people are named "Jo Smith": add their emails to tell them apart`}},
		{action: ActionError, errs: []string{`Email: a new person needs an email: no person is named "Newbie"`}},
		{action: ActionError, dup: 2, errs: []string{`Email: email "ana@EXAMPLE.com" is also on line 2`}},
		{action: ActionError, errs: []string{"Status: Bob Builder's status is ACTIVE: change it with offboardPerson, not an import (OFFBOARDED)"}},
		{action: ActionError, errs: []string{": the email and name are blank: people are matched by email, else by name"}},
		{action: ActionError, errs: []string{`Email: "fay at example" is not an email address`, `Status: "gone" is not a person status (use ACTIVE or OFFBOARDED)`}},
		{action: ActionError, errs: []string{"Manager: a person cannot be their own manager"}},
		{action: ActionError, errs: []string{`Email: "Ana Núñez" is a person already: add their email to update them`}},
	}, got)
	require.Equal(t, []Reference{
		{Kind: RefPerson, Name: "ana@example.com", NameKey: "ana@example.com", ID: &ana, FirstLine: 3, Rows: 1},
		{Kind: RefTeam, Name: "Design", NameKey: "design", FirstLine: 3, Rows: 1},
	}, p.References())
	k, parent, key, ok := RefFor(KindPeople, "team", got[1].Values)
	require.True(t, ok)
	require.Equal(t, []string{string(RefTeam), "", "design"}, []string{string(k), parent, key})
}

func TestPlanLocations(t *testing.T) {
	t.Parallel()
	paris := uuid.New()
	s := &Snapshot{
		Locations: map[string]uuid.UUID{"paris": paris}, AmbiguousLocations: map[string]bool{"annex": true},
		ExistingLocations: map[string]*ExistingRecord{"paris": {ID: paris, Version: 2,
			Values: map[string]string{"name": "Paris", "kind": "SITE", "city": "Paris", "country": "FR"}}},
	}
	p, got := planKind(t, KindLocations, []string{"Name", "Type", "Parent", "City", "Country"}, s,
		[]string{"Paris", "Site", "", "Paris", "fr"},
		[]string{"Paris HQ", "Building", "paris", "Paris", "FR"},
		[]string{"Floor 2", "floor", "Paris HQ", "", ""},
		[]string{"Room 9", "room", "Nowhere", "", ""},
		[]string{"Annex", "", "", "", ""},
		[]string{"Lab", "Cave", "", "", ""},
		[]string{"Lab 2", "", "", "", "France"},
		[]string{"paris", "", "", "Lyon", ""},
		[]string{"Berlin", "", "", "", "de"},
		[]string{"Loop", "", "loop", "", ""},
	)
	requireRows(t, []wantRow{
		{action: ActionUnchanged},
		{action: ActionCreate, values: map[string]string{"name": "Paris HQ", "kind": "BUILDING", "parent": "paris", "city": "Paris", "country": "FR"}},
		{action: ActionCreate, values: map[string]string{"name": "Floor 2", "kind": "FLOOR", "parent": "Paris HQ"}},
		{action: ActionError, errs: []string{`Parent: no location is named "Nowhere": add it on an earlier line`}},
		{action: ActionError, errs: []string{`Name: two or more locations are named "Annex": rename one, then import again`}},
		{action: ActionError, errs: []string{`Type: "Cave" is not a location kind (use SITE, BUILDING, FLOOR or ROOM)`}},
		{action: ActionError, errs: []string{`Country: country must be a two-letter ISO 3166-1 code, not "France"`}},
		{action: ActionError, dup: 2, errs: []string{`Name: location "paris" is also on line 2`}},
		{action: ActionCreate, values: map[string]string{"name": "Berlin", "kind": "SITE", "country": "DE"}},
		{action: ActionError, errs: []string{"Parent: a location cannot be its own parent"}},
	}, got)
	require.Equal(t, []Reference{{Kind: RefLocation, Name: "paris", NameKey: "paris", ID: &paris, FirstLine: 3, Rows: 1}}, p.References())
	require.Equal(t, Totals{Rows: 10, Create: 3, Unchanged: 1, Error: 6, Duplicates: 1, ReferencesMatched: 1}, p.Totals())
}

func TestPlanModels(t *testing.T) {
	t.Parallel()
	apple, laptops, mb := uuid.New(), uuid.New(), uuid.New()
	s := &Snapshot{
		Manufacturers: map[string]uuid.UUID{"apple": apple}, Categories: map[string]uuid.UUID{"laptops": laptops},
		ExistingModels: map[ModelKey]*ExistingRecord{{Manufacturer: "apple", Name: "macbook pro 14"}: {ID: mb, Version: 5,
			Values: map[string]string{"name": "MacBook Pro 14", "manufacturer": "Apple", "category": "Laptops", "modelNumber": "MX2E3"}}},
	}
	headers := []string{"Name", "Manufacturer", "Category", "Model Number"}
	p, got := planKind(t, KindModels, headers, s,
		[]string{"MacBook Pro 14", "Apple", "laptops", "MX2E3"},
		[]string{"macbook pro 14", "apple", "Notebooks", ""},
		[]string{"ThinkPad X1", "Lenovo", "Laptops", "21HM"},
		[]string{"Mystery", "", "", ""},
		[]string{"", "Apple", "", ""},
		[]string{"Gizmo", "Acme", "", ""},
	)
	requireRows(t, []wantRow{
		{action: ActionUnchanged},
		{action: ActionError, dup: 2, errs: []string{`Name: model "apple macbook pro 14" is also on line 2`}},
		{action: ActionCreate, values: map[string]string{"name": "ThinkPad X1", "manufacturer": "Lenovo", "category": "Laptops", "modelNumber": "21HM"}},
		{action: ActionError, errs: []string{`Manufacturer: a new model needs a manufacturer: no model is named "Mystery"`, `Category: a new model needs a category: no model is named "Mystery"`}},
		{action: ActionError, errs: []string{": the name is blank: models are matched by manufacturer and name"}},
		{action: ActionError, errs: []string{`Category: a new model needs a category: no model is named "Gizmo"`}},
	}, got)
	require.Equal(t, []Reference{
		{Kind: RefCategory, Name: "Laptops", NameKey: "laptops", ID: &laptops, FirstLine: 4, Rows: 1},
		{Kind: RefManufacturer, Name: "Lenovo", NameKey: "lenovo", FirstLine: 4, Rows: 1},
	}, p.References())

	_, got = planKind(t, KindModels, headers, s, []string{"MacBook Pro 14", "Apple", "Notebooks", "MX2E3-B"})
	requireRows(t, []wantRow{{action: ActionUpdate, values: map[string]string{"category": "Notebooks", "modelNumber": "MX2E3-B"}}}, got)
	require.Equal(t, &mb, got[0].TargetID)
	require.Equal(t, 5, got[0].TargetVersion)
}

func TestNeedsRecords(t *testing.T) {
	t.Parallel()
	needs := func(kind Kind, headers []string, cells ...[]string) Lookup {
		p, err := NewPlanner(kind, headers, AutoMap(kind, headers), Options{})
		require.NoError(t, err)
		return p.Needs(rowsOf(cells...))
	}
	require.Equal(t, Lookup{PersonEmails: []string{"ana@example.com", "bob@example.com"}, PersonNames: []string{"ana", "cleo"},
		Teams: []string{"platform"}, Locations: []string{"paris"}},
		needs(KindPeople, []string{"Name", "Email", "Manager", "Team", "Location"},
			[]string{"Ana", "Ana@Example.com", "Bob@Example.com", "Platform", "Paris"},
			[]string{"Cleo", "", "ana", "platform", ""}))
	require.Equal(t, Lookup{Locations: []string{"paris hq", "paris"}},
		needs(KindLocations, []string{"Name", "Parent"}, []string{"Paris HQ", "Paris"}, []string{"paris", ""}))
	require.Equal(t, Lookup{Manufacturers: []string{"apple"}, Categories: []string{"laptops"},
		Models: []ModelKey{{Manufacturer: "apple", Name: "macbook"}, {Name: "mystery"}}},
		needs(KindModels, []string{"Name", "Manufacturer", "Category"}, []string{"MacBook", "Apple", "Laptops"}, []string{"Mystery", "", ""}))
}
