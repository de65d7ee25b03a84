package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// commitAll commits a run in one chunk and requires it COMMITTED.
func (f *importFixture) commitAll(o orgFixture, run *imports.Run) {
	f.t.Helper()
	done, err := f.store.CommitChunk(f.admin(o), run.ID, 0)
	require.NoError(f.t, err)
	require.True(f.t, done)
}

// TestImportCommitPeople: new people are created with their team, manager
// and location resolved; an existing one is updated and its version moves.
func TestImportCommitPeople(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	o := f.a
	refs := []imports.Reference{
		{Kind: imports.RefTeam, Name: "Sales", NameKey: "sales", ID: refID(o.team2), FirstLine: 2, Rows: 1},
		{Kind: imports.RefTeam, Name: "IT", NameKey: "it", ID: refID(o.team), FirstLine: 3, Rows: 1},
		{Kind: imports.RefPerson, Name: "alice@alpha.test", NameKey: "alice@alpha.test", ID: refID(o.alice), FirstLine: 2, Rows: 1},
		{Kind: imports.RefLocation, Name: "Berlin", NameKey: "berlin", ID: refID(o.site), FirstLine: 2, Rows: 1},
	}
	rows := []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "erin@alpha.test", Values: map[string]string{"name": "Erin Example", "email": "erin@alpha.test",
			"employeeNumber": "E-7", "title": "Engineer", "team": "Sales", "manager": "alice@alpha.test", "location": "Berlin", "status": "ACTIVE"}},
		{Line: 3, Action: imports.ActionUpdate, Key: "bob@alpha.test", TargetID: &o.bob, TargetVersion: 1, Values: map[string]string{"title": "Lead", "team": "IT"}},
		// A manager an earlier row creates has no reference (the dry run
		// resolves it in the file): by name in the same chunk, by email
		// from an earlier chunk.
		{Line: 4, Action: imports.ActionCreate, Key: "finn@alpha.test", Values: map[string]string{"name": "Finn", "email": "finn@alpha.test", "manager": "Erin Example", "status": "ACTIVE"}},
		{Line: 5, Action: imports.ActionCreate, Key: "gil@alpha.test", Values: map[string]string{"name": "Gil", "email": "gil@alpha.test", "manager": "erin@alpha.test", "status": "ACTIVE"}},
	}
	run := f.committingOf(o, imports.KindPeople, rows, refs)
	for _, limit := range []int{3, 1} {
		done, err := f.store.CommitChunk(f.admin(o), run.ID, limit)
		require.NoError(t, err)
		require.Equal(t, limit == 1, done)
	}
	sn, err := f.store.LoadSnapshot(f.admin(o), imports.KindPeople, imports.Lookup{PersonEmails: []string{"erin@alpha.test", "bob@alpha.test", "finn@alpha.test", "gil@alpha.test"}})
	require.NoError(t, err)
	require.Equal(t, "erin@alpha.test", sn.ExistingPeople["finn@alpha.test"].Values["manager"])
	require.Equal(t, "erin@alpha.test", sn.ExistingPeople["gil@alpha.test"].Values["manager"])
	require.Equal(t, map[string]string{"name": "Erin Example", "email": "erin@alpha.test", "employeeNumber": "E-7", "title": "Engineer",
		"team": "Sales", "manager": "alice@alpha.test", "location": "Berlin", "status": "ACTIVE"}, sn.ExistingPeople["erin@alpha.test"].Values)
	bob := sn.ExistingPeople["bob@alpha.test"]
	require.Equal(t, 2, bob.Version)
	require.Equal(t, "Lead", bob.Values["title"])
	require.Equal(t, "IT", bob.Values["team"])
	require.Equal(t, "Bob Baker", bob.Values["name"])
}

// TestImportCommitLocations: a location a later row names as its parent
// is created by its own row, the child under it (in the same chunk or a
// later one); an existing location is updated.
func TestImportCommitLocations(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	o := f.a
	// Parents rows of the file create have no reference (the dry run
	// resolves them in the file); Berlin is an existing one.
	refs := []imports.Reference{{Kind: imports.RefLocation, Name: "Berlin", NameKey: "berlin", ID: refID(o.site), FirstLine: 5, Rows: 1}}
	rows := []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "Lisbon", Values: map[string]string{"name": "Lisbon", "kind": "BUILDING", "city": "Lisbon", "country": "PT"}},
		{Line: 3, Action: imports.ActionCreate, Key: "Floor 2", Values: map[string]string{"name": "Floor 2", "kind": "FLOOR", "parent": "Lisbon"}},
		{Line: 4, Action: imports.ActionUpdate, Key: "Server room", TargetID: &o.room, TargetVersion: 1, Values: map[string]string{"city": "Berlin"}},
		{Line: 5, Action: imports.ActionCreate, Key: "Annex", Values: map[string]string{"name": "Annex", "kind": "BUILDING", "parent": "Berlin"}},
		{Line: 6, Action: imports.ActionCreate, Key: "Floor 3", Values: map[string]string{"name": "Floor 3", "kind": "FLOOR", "parent": "lisbon"}},
	}
	run := f.committingOf(o, imports.KindLocations, rows, refs)
	for _, limit := range []int{4, 1} { // Floor 3's parent comes from the first chunk
		done, err := f.store.CommitChunk(f.admin(o), run.ID, limit)
		require.NoError(t, err)
		require.Equal(t, limit == 1, done)
	}
	sn, err := f.store.LoadSnapshot(f.admin(o), imports.KindLocations, imports.Lookup{Locations: []string{"lisbon", "floor 2", "server room", "annex", "floor 3"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"name": "Lisbon", "kind": "BUILDING", "parent": "", "line1": "", "line2": "", "city": "Lisbon",
		"region": "", "postalCode": "", "country": "PT"}, sn.ExistingLocations["lisbon"].Values)
	require.Equal(t, "Lisbon", sn.ExistingLocations["floor 2"].Values["parent"])
	require.Equal(t, "FLOOR", sn.ExistingLocations["floor 2"].Values["kind"])
	require.Equal(t, "Lisbon", sn.ExistingLocations["floor 3"].Values["parent"])
	require.Equal(t, "Berlin", sn.ExistingLocations["annex"].Values["parent"])
	room := sn.ExistingLocations["server room"]
	require.Equal(t, 2, room.Version)
	require.Equal(t, "Berlin", room.Values["city"])
	require.Equal(t, "HQ", room.Values["parent"])
}

// TestImportCommitModels: a model of a new manufacturer is created, an
// existing one updated; moving a model some asset uses to another
// manufacturer is refused naming the line, as updateModel refuses it.
func TestImportCommitModels(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	o := f.a
	refs := []imports.Reference{
		{Kind: imports.RefManufacturer, Name: "Lenovo", NameKey: "lenovo", FirstLine: 2, Rows: 1},
		{Kind: imports.RefManufacturer, Name: "Dell", NameKey: "dell", ID: refID(o.manufacturer), FirstLine: 3, Rows: 1},
		{Kind: imports.RefCategory, Name: "Laptops", NameKey: "laptops", ID: refID(o.laptops), FirstLine: 2, Rows: 1},
	}
	rows := []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "ThinkPad T14", Values: map[string]string{"name": "ThinkPad T14", "manufacturer": "Lenovo",
			"category": "Laptops", "modelNumber": "21AH"}},
		{Line: 3, Action: imports.ActionUpdate, Key: "Pixel", TargetID: &o.phone, TargetVersion: 1, Values: map[string]string{"modelNumber": "G-1"}},
	}
	f.commitAll(o, f.committingOf(o, imports.KindModels, rows, refs))
	sn, err := f.store.LoadSnapshot(f.admin(o), imports.KindModels, imports.Lookup{Models: []imports.ModelKey{
		{Manufacturer: "lenovo", Name: "thinkpad t14"}, {Manufacturer: "dell", Name: "pixel"}}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"name": "ThinkPad T14", "manufacturer": "Lenovo", "category": "Laptops", "modelNumber": "21AH"},
		sn.ExistingModels[imports.ModelKey{Manufacturer: "lenovo", Name: "thinkpad t14"}].Values)
	pixel := sn.ExistingModels[imports.ModelKey{Manufacturer: "dell", Name: "pixel"}]
	require.Equal(t, 2, pixel.Version)
	require.Equal(t, "G-1", pixel.Values["modelNumber"])

	f.newAsset(o, func(in *itam.AssetInput) { in.ModelID = o.mac })
	moved := []imports.RowPlan{{Line: 2, Action: imports.ActionUpdate, Key: "MacBook Pro", TargetID: &o.mac, TargetVersion: 1,
		Values: map[string]string{"manufacturer": "Dell"}}}
	run := f.committingOf(o, imports.KindModels, moved, refs[1:])
	_, err = f.store.CommitChunk(f.admin(o), run.ID, 0)
	requireCode(t, err, itam.CodeConflict, "line")
	require.Contains(t, err.Error(), "line 2")
	require.Equal(t, o.mfr2, f.id(`SELECT manufacturer_id FROM models WHERE id = $1`, o.mac))
}
