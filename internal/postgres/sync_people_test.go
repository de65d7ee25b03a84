package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

func (f *syncFixture) applyPeople(o orgFixture, c *itam.Connector, people ...connectors.Person) PageResult {
	f.t.Helper()
	res, err := f.sync.ApplyPeoplePage(f.ctx(o, c), f.run(o, c), people, "people:next")
	require.NoError(f.t, err)
	return res
}

func (f *syncFixture) person(o orgFixture, id uuid.UUID) *itam.Person {
	f.t.Helper()
	m, err := NewPersonStore(f.db).PeopleByIDs(f.admin(o), []uuid.UUID{id})
	require.NoError(f.t, err)
	require.Contains(f.t, m, id)
	return m[id]
}

func (f *syncFixture) personID(o orgFixture, email string) uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	require.NoError(f.t, f.owner.QueryRow(context.Background(), `SELECT id FROM people WHERE org_id = $1 AND email_key = lower($2)`, o.id, email).Scan(&id))
	return id
}

// TestApplyPeoplePageAuthoritative: a service desk authoritative for
// people creates the people it knows, sets their team from the department,
// manager and location, matches emails case-insensitively, and offboards a
// deactivated user (status OFFBOARDED, checklist of what they hold) without
// deleting anyone.
func TestApplyPeoplePageAuthoritative(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	sn := f.connector(f.a, "SERVICENOW", "ServiceNow", true)
	laptop := f.newAsset(f.a, func(in *itam.AssetInput) { in.SerialNumber = ptr("C02BOB") })
	f.exec(`UPDATE assets SET assigned_person_id = $2, status = 'DEPLOYED' WHERE id = $1`, laptop.ID, f.a.bob)
	before := f.count("people", f.a.id)

	res := f.applyPeople(f.a, sn,
		connectors.Person{ExternalID: "u-alice", Email: "ALICE@alpha.test", Name: "Alice Archer-Smith", Department: "Engineering", Location: "HQ Site", Active: true},
		connectors.Person{ExternalID: "u-nia", Email: "nia@alpha.test", Name: "Nia New", EmployeeNumber: "E42", Title: "Engineer",
			Department: "engineering", ManagerEmail: "alice@ALPHA.test", Active: true},
		connectors.Person{ExternalID: "u-bob", Email: "bob@alpha.test", Name: "Bob Baker", Active: false},
	)
	require.Empty(t, res.Errors)
	require.Equal(t, 1, res.Created)
	require.Equal(t, 2, res.Updated)
	require.Equal(t, before+1, f.count("people", f.a.id), "nobody deleted, one created")

	alice := f.person(f.a, f.a.alice)
	require.Equal(t, "Alice Archer-Smith", alice.Name)
	require.Equal(t, "alice@alpha.test", alice.Email, "a match by email keeps the email's spelling")
	require.NotNil(t, alice.LocationID, "an authoritative directory's unknown location is created, so a first sync places people")
	nia := f.person(f.a, f.personID(f.a, "nia@alpha.test"))
	require.Equal(t, "E42", *nia.EmployeeNumber)
	require.Equal(t, f.a.alice, *nia.ManagerID, "a manager created or found in the same page resolves")
	require.NotNil(t, nia.TeamID)
	require.Equal(t, *alice.TeamID, *nia.TeamID, "Engineering and engineering are one team")

	bob := f.person(f.a, f.a.bob)
	require.Equal(t, itam.PersonOffboarded, bob.Status)
	require.NotNil(t, bob.EndDate)
	var items int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM offboarding_items i JOIN offboarding_checklists c ON c.id = i.checklist_id
		WHERE c.person_id = $1 AND c.status = 'OPEN' AND i.asset_id = $2`, f.a.bob, laptop.ID).Scan(&items))
	require.Equal(t, 1, items, "the leaver's laptop is on their checklist")

	// The same page again changes nothing and does not offboard twice.
	res = f.applyPeople(f.a, sn,
		connectors.Person{ExternalID: "u-alice", Email: "alice@alpha.test", Name: "Alice Archer-Smith", Department: "Engineering", Active: true},
		connectors.Person{ExternalID: "u-bob", Email: "bob@alpha.test", Active: false},
	)
	require.Equal(t, 0, res.Updated)
	require.Equal(t, 2, res.Unchanged)
	var checklists int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM offboarding_checklists WHERE person_id = $1`, f.a.bob).Scan(&checklists))
	require.Equal(t, 1, checklists)

	// Reactivated at the source: ACTIVE again.
	f.applyPeople(f.a, sn, connectors.Person{ExternalID: "u-bob", Email: "bob@alpha.test", Active: true})
	require.Equal(t, itam.PersonActive, f.person(f.a, f.a.bob).Status)
}

// TestApplyPeoplePageNotAuthoritative: a source not authoritative for
// people links the people it matches and changes nobody.
func TestApplyPeoplePageNotAuthoritative(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	fs := f.connector(f.a, "FRESHSERVICE", "Freshservice", false)
	before := f.count("people", f.a.id)
	res := f.applyPeople(f.a, fs,
		connectors.Person{ExternalID: "r-1", Email: "alice@alpha.test", Name: "Someone Else", Active: false},
		connectors.Person{ExternalID: "r-2", Email: "stranger@alpha.test", Active: true},
	)
	require.Equal(t, 0, res.Created+res.Updated)
	require.Equal(t, before, f.count("people", f.a.id))
	alice := f.person(f.a, f.a.alice)
	require.Equal(t, "Alice Archer", alice.Name)
	require.Equal(t, itam.PersonActive, alice.Status)
	require.Equal(t, 1, f.count("person_external_ids", f.a.id))
}

// TestApplyPeoplePageIsolated: a page applied in one organization never
// matches, changes or links a person of another with the same email.
func TestApplyPeoplePageIsolated(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	sn := f.connector(f.b, "SERVICENOW", "ServiceNow", true)
	f.applyPeople(f.b, sn, connectors.Person{ExternalID: "u-1", Email: "alice@alpha.test", Name: "Beta Alice", Active: false})
	require.Equal(t, itam.PersonActive, f.person(f.a, f.a.alice).Status)
	require.Equal(t, "Alice Archer", f.person(f.a, f.a.alice).Name)
	require.Equal(t, 0, f.count("person_external_ids", f.a.id))
}

// personLinksTenantRows gives org o a person link (person_external_ids).
func personLinksTenantRows(f *syncFixture, o orgFixture) {
	f.t.Helper()
	sn := f.connector(o, "SERVICENOW", "ServiceNow people", true)
	f.applyPeople(o, sn, connectors.Person{ExternalID: "rls-1", Email: "rls-person@example.test", Active: true})
}

// TestApplyPeoplePageManagerCreatedInThePage: an employee listed before
// their new manager still gets the manager.
func TestApplyPeoplePageManagerCreatedInThePage(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	sn := f.connector(f.a, "SERVICENOW", "ServiceNow", true)
	res := f.applyPeople(f.a, sn,
		connectors.Person{ExternalID: "u-emp", Email: "emp@alpha.test", ManagerEmail: "boss@alpha.test", Active: true},
		connectors.Person{ExternalID: "u-boss", Email: "boss@alpha.test", Name: "The Boss", Active: true},
	)
	require.Equal(t, 2, res.Created)
	emp := f.person(f.a, f.personID(f.a, "emp@alpha.test"))
	require.NotNil(t, emp.ManagerID)
	require.Equal(t, f.personID(f.a, "boss@alpha.test"), *emp.ManagerID)
	require.Equal(t, "emp", emp.Name, "no name: the email's local part")
}

// TestITSMRecordsApply: what a service desk's records carry beyond an MDM's
// — status, location, category — is applied; a device known to an MDM and
// to the service desk is one asset with two links; a monitor without a
// serial matches by tag; a status the lifecycle refuses is a conflict.
func TestITSMRecordsApply(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	sn := f.connector(f.a, "SERVICENOW", "ServiceNow", false)
	f.apply(f.a, jamf, mac("j-1", "C02BOTH", ""))
	monitor := f.newAsset(f.a, func(in *itam.AssetInput) { in.AssetTag = ptr("MON-7") })

	ci := connectors.Device{ExternalID: "ci-1", SerialNumber: "c02both", Manufacturer: "Apple", Model: "MacBook Pro (14-inch, 2023)",
		Status: "IN_REPAIR", Location: "Berlin Office"}
	mon := connectors.Device{ExternalID: "ci-2", AssetTag: "mon-7", Manufacturer: "Dell", Model: "U2723QE", Category: "MONITOR",
		Status: "RETIRED", Location: "berlin office"}
	newMon := connectors.Device{ExternalID: "ci-3", AssetTag: "MON-8", Manufacturer: "Dell", Model: "P2422H", Category: "MONITOR", Status: "IN_STOCK"}
	// A retired record that still names its last user (service desks keep
	// it) is created RETIRED and held by nobody, not refused by the database.
	retired := connectors.Device{ExternalID: "ci-4", SerialNumber: "OLD-1", Manufacturer: "Dell", Model: "Latitude 7420",
		Status: "RETIRED", UserEmail: "alice@alpha.test"}
	res := f.apply(f.a, sn, ci, mon, newMon, retired)
	require.Empty(t, res.Errors)
	require.Equal(t, 2, res.Created)
	old := f.assetBySerial(f.a, "OLD-1")
	require.Equal(t, itam.StatusRetired, old.Status)
	require.Nil(t, old.AssignedPersonID)

	a := f.assetBySerial(f.a, "C02BOTH")
	require.Equal(t, itam.StatusInRepair, a.Status)
	require.NotNil(t, a.LocationID)
	var links int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM asset_external_ids WHERE asset_id = $1`, a.ID).Scan(&links))
	require.Equal(t, 2, links, "one asset, a Jamf link and a ServiceNow link")

	var status string
	var loc *uuid.UUID
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT status::text, location_id FROM assets WHERE id = $1`, monitor.ID).Scan(&status, &loc))
	require.Equal(t, "RETIRED", status, "matched by tag, case-insensitively")
	require.Equal(t, a.LocationID, loc, "one location for both spellings")

	var kind string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT c.kind::text FROM assets x JOIN models m ON m.id = x.model_id
		JOIN categories c ON c.id = m.category_id WHERE x.org_id = $1 AND x.asset_tag = 'MON-8'`, f.a.id).Scan(&kind))
	require.Equal(t, "MONITOR", kind)

	// Assigned, the Mac cannot be RETIRED: the status is kept, a conflict recorded.
	f.exec(`UPDATE assets SET status = 'DEPLOYED', assigned_person_id = $2 WHERE id = $1`, a.ID, f.a.alice)
	ci.Status = "RETIRED"
	res = f.apply(f.a, sn, ci)
	require.Empty(t, res.Errors)
	require.Equal(t, itam.StatusDeployed, f.assetBySerial(f.a, "C02BOTH").Status)
	var conflicts int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM sync_conflicts WHERE asset_id = $1 AND field = 'status'`, a.ID).Scan(&conflicts))
	require.Equal(t, 1, conflicts)
}
