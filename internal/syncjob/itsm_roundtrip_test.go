package syncjob

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	fs "github.com/itam-dev/itam/connectors/freshservice/freshservicetest"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/connectors/jsm/jsmtest"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

// The round trips through the real engine: a working River
// client, the real vendor connectors and their fakes, PostgreSQL, and
// write-backs queued by the changing transaction as the server does it.

// roundTrip is the package's env with pushes enqueued by every change.
type roundTrip struct {
	*env
	assets *postgres.AssetStore
}

func newRoundTrip(t *testing.T) *roundTrip {
	t.Helper()
	e := newEnv(t, 0)
	e.deps.DB.SetPushEnqueuer(postgres.RiverEnqueuer{Client: e.insert}) // as server.go does
	e.start()
	return &roundTrip{env: e, assets: postgres.NewAssetStore(e.deps.DB)}
}

func (r *roundTrip) create(in connector.Input) *itam.Connector {
	r.t.Helper()
	c, _, err := connector.NewService(r.deps.Connectors, connectorcheck.Config).Create(r.admin, in)
	require.NoError(r.t, err)
	return c
}

func (r *roundTrip) fullSync(c *itam.Connector) *itam.SyncRun {
	r.t.Helper()
	run := r.wait(r.sync(c, itam.SyncFull).ID)
	require.Equal(r.t, itam.SyncSucceeded, run.Status, deref(run.Message))
	r.pushesSettled()
	return run
}

// pushesSettled waits until no connector.push job is pending, running or
// waiting to be retried: the job states are the signal, and a push job is
// queued in the changing transaction, so none can appear after it.
func (r *roundTrip) pushesSettled() {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for r.pendingPushes() > 0 {
		require.True(r.t, time.Now().Before(deadline), "push jobs did not settle")
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *roundTrip) pendingPushes() int {
	return r.count(`SELECT count(*) FROM river_job WHERE kind = 'connector.push'
		AND state NOT IN ('completed', 'cancelled', 'discarded')`)
}

// quietSync is a full sync after which no push job was queued.
func (r *roundTrip) quietSync(c *itam.Connector) *itam.SyncRun {
	r.t.Helper()
	before := r.count(`SELECT count(*) FROM river_job WHERE kind = 'connector.push'`)
	run := r.fullSync(c)
	require.Equal(r.t, before, r.count(`SELECT count(*) FROM river_job WHERE kind = 'connector.push'`), "the pull queued a push")
	return run
}

// pushJobs counts the asset's push jobs in state.
func (r *roundTrip) pushJobs(asset uuid.UUID, state string) int {
	return r.count(`SELECT count(*) FROM river_job WHERE kind = 'connector.push' AND state = $1
		AND args->>'asset_id' = $2`, state, asset.String())
}

// linked is the asset linked to the connector's record.
func (r *roundTrip) linked(c *itam.Connector, externalID string) *itam.Asset {
	r.t.Helper()
	var id uuid.UUID
	require.NoError(r.t, r.owner.QueryRow(context.Background(),
		`SELECT asset_id FROM asset_external_ids WHERE connector_id = $1 AND external_id = $2`, c.ID, externalID).Scan(&id))
	a, err := r.assets.Asset(r.admin, id)
	require.NoError(r.t, err)
	return a
}

func (r *roundTrip) person(email string) uuid.UUID {
	r.t.Helper()
	var id uuid.UUID
	require.NoError(r.t, r.owner.QueryRow(context.Background(), `SELECT id FROM people WHERE email = $1`, email).Scan(&id))
	return id
}

func (r *roundTrip) assign(a *itam.Asset, person uuid.UUID) *itam.Asset {
	r.t.Helper()
	got, err := r.assets.AssignAsset(r.admin, a.ID, itam.Assignee{PersonID: &person}, &a.Version)
	require.NoError(r.t, err)
	return got
}

func (r *roundTrip) transition(a *itam.Asset, s itam.AssetStatus) *itam.Asset {
	r.t.Helper()
	got, err := r.assets.TransitionAsset(r.admin, a.ID, s, &a.Version)
	require.NoError(r.t, err)
	return got
}

func jsonBody(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	return m
}

// snWrites are the writes the ServiceNow fake received to the table.
func snWrites(sn *servicenowtest.Server, table string) []servicenowtest.Request {
	var out []servicenowtest.Request
	for _, q := range sn.Requests() {
		into := "/api/now/table/" + table
		if q.Method != http.MethodGet && (q.Path == into || strings.HasPrefix(q.Path, into+"/")) {
			out = append(out, q)
		}
	}
	return out
}

func newServiceNow(t *testing.T, r *roundTrip, records int) (*servicenowtest.Server, *itam.Connector) {
	t.Helper()
	sn := servicenowtest.New(t, servicenowtest.Options{Records: records, Users: 5})
	o := sn.Options()
	c := r.create(connector.Input{
		Kind: "SERVICENOW", Name: "ServiceNow", BaseURL: &sn.URL,
		Credentials:            map[string]string{"username": o.Username, "password": o.Password},
		PushFields:             []string{"ASSIGNEE", "STATUS", "LOCATION"},
		AuthoritativeForPeople: true,
	})
	return sn, c
}

// TestRoundTripServiceNowPushAndNoEcho: an assignment in itam reaches the
// CI as exactly one PATCH of the changed fields; a change made in
// ServiceNow is pulled and not pushed back; a pushed value pulled again
// changes nothing and queues nothing.
func TestRoundTripServiceNowPushAndNoEcho(t *testing.T) {
	t.Parallel()
	r := newRoundTrip(t)
	sn, c := newServiceNow(t, r, 6)
	r.fullSync(c)
	// People's locations resolve once the devices brought them: the
	// second pull converges.
	r.fullSync(c)
	require.Empty(t, snWrites(sn, servicenowtest.DefaultTable), "a pull pushes nothing back")

	// Record 3 is in stock (install_status 6) with no assignee.
	ci := servicenowtest.RecordID(3)
	a := r.linked(c, ci)
	require.Equal(t, itam.StatusInStock, a.Status)
	a = r.assign(a, r.person(servicenowtest.UserEmail(1)))
	r.pushesSettled()
	writes := snWrites(sn, servicenowtest.DefaultTable)
	require.Len(t, writes, 1, "exactly one write")
	require.Equal(t, http.MethodPatch, writes[0].Method)
	require.Equal(t, "/api/now/table/"+servicenowtest.DefaultTable+"/"+ci, writes[0].Path)
	require.Equal(t, map[string]any{"assigned_to": servicenowtest.UserID(1), "install_status": "1", "location": servicenowtest.LocationID("London Office")}, jsonBody(t, writes[0].Body))
	rec := sn.Get(servicenowtest.DefaultTable, ci)
	require.Equal(t, servicenowtest.UserID(1), rec["assigned_to"])
	require.Equal(t, "1", rec["install_status"])
	require.Equal(t, servicenowtest.LocationID("London Office"), rec["location"], "the asset moved with its holder")

	// The pushed values come back on the next pull: nothing changes,
	// nothing is queued, nothing is written.
	version := r.linked(c, ci).Version
	again := r.quietSync(c)
	require.Zero(t, again.Updated)
	require.Equal(t, version, r.linked(c, ci).Version)
	require.Len(t, snWrites(sn, servicenowtest.DefaultTable), 1, "the pulled pushed values are not pushed again")

	// A change made in ServiceNow (to a CI itam's people never touched:
	// a field set by a person here is theirs) is pulled and not echoed back.
	other := servicenowtest.RecordID(0)
	require.Equal(t, ptrTo(r.person(servicenowtest.UserEmail(0))), r.linked(c, other).AssignedPersonID)
	require.True(t, sn.Update(servicenowtest.DefaultTable, other, servicenowtest.Record{
		"assigned_to": servicenowtest.UserID(2)}))
	r.quietSync(c)
	a = r.linked(c, other)
	require.Equal(t, itam.StatusDeployed, a.Status)
	require.Equal(t, ptrTo(r.person(servicenowtest.UserEmail(2))), a.AssignedPersonID)
	require.Len(t, snWrites(sn, servicenowtest.DefaultTable), 1, "no echo of the pulled change")

	// The pulled assignee is what the CI holds: the next change made here
	// sends only itself.
	var london uuid.UUID
	require.NoError(t, r.owner.QueryRow(context.Background(), `SELECT id FROM locations WHERE name = 'London Office'`).Scan(&london))
	_, err := r.assets.UpdateAsset(r.admin, itam.AssetPatch{ID: a.ID, Version: a.Version, LocationID: itam.Some(london)})
	require.NoError(t, err)
	r.pushesSettled()
	writes = snWrites(sn, servicenowtest.DefaultTable)
	require.Len(t, writes, 2)
	require.Equal(t, "/api/now/table/"+servicenowtest.DefaultTable+"/"+other, writes[1].Path)
	require.Equal(t, map[string]any{"location": servicenowtest.LocationID("London Office")}, jsonBody(t, writes[1].Body))
}

// TestRoundTripServiceNowPushForbidden: a PATCH ServiceNow refuses with
// 403 is recorded once with the vendor's message on the asset and the
// connector; itam keeps its change and the job is not retried.
func TestRoundTripServiceNowPushForbidden(t *testing.T) {
	t.Parallel()
	r := newRoundTrip(t)
	sn, c := newServiceNow(t, r, 6)
	r.fullSync(c)
	ci := servicenowtest.RecordID(3)
	sn.Fail(http.MethodPatch, "/api/now/table/", 1000, http.StatusForbidden,
		"Operation Failed", "ACL Exception Update Failed due to security constraints")
	a := r.transition(r.linked(c, ci), itam.StatusInRepair)
	r.pushesSettled()

	require.Len(t, sn.RequestsTo(http.MethodPatch, "/api/now/table/"+servicenowtest.DefaultTable+"/"+ci), 1, "refused once, not retried")
	require.Equal(t, 1, r.pushJobs(a.ID, "cancelled"))
	errs, err := postgres.NewPushStore(r.deps.DB).AssetPushErrors(r.admin, []uuid.UUID{a.ID})
	require.NoError(t, err)
	require.Len(t, errs[a.ID], 1)
	require.Equal(t, http.StatusForbidden, errs[a.ID][0].HTTPStatus)
	require.Contains(t, errs[a.ID][0].Message, "ACL Exception Update Failed due to security constraints")
	n, err := postgres.NewPushStore(r.deps.DB).CountConnectorPushErrors(r.admin, c.ID)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	got := r.linked(c, ci)
	require.Equal(t, a.Version, got.Version, "nothing in itam is rolled back")
	require.Equal(t, itam.StatusInRepair, got.Status)
	require.Equal(t, "6", sn.Get(servicenowtest.DefaultTable, ci)["install_status"])
	require.NotContains(t, r.logs.String(), sn.Options().Password)
}

// TestRoundTripJamfAndServiceNowOneAsset: a Mac in Jamf and its CI in
// ServiceNow with the same serial are one asset with two links.
func TestRoundTripJamfAndServiceNowOneAsset(t *testing.T) {
	t.Parallel()
	r := newRoundTrip(t)
	r.jamf = jamftest.New(t, jamftest.Options{Computers: 3})
	jc := r.connector(100)
	r.fullSync(jc)
	sn, c := newServiceNow(t, r, 0)
	var serial string
	require.NoError(t, r.owner.QueryRow(context.Background(), `SELECT a.serial_number FROM assets a
		JOIN asset_external_ids x ON x.asset_id = a.id WHERE x.connector_id = $1 ORDER BY a.serial_number LIMIT 1`, jc.ID).Scan(&serial))
	ci := sn.Insert(servicenowtest.DefaultTable, servicenowtest.Record{"name": "mac-1", "serial_number": " " + strings.ToLower(serial) + " ",
		"asset_tag": "SN-TAG-1", "install_status": "1", "assigned_to": "", "location": ""})
	r.fullSync(c)

	require.Equal(t, 3, r.count(`SELECT count(*) FROM assets`), "no second asset for the CI")
	a := r.linked(c, ci)
	require.Equal(t, serial, deref(a.SerialNumber))
	require.Equal(t, 2, r.count(`SELECT count(*) FROM asset_external_ids WHERE asset_id = $1`, a.ID))
	require.Equal(t, 1, r.count(`SELECT count(*) FROM asset_external_ids WHERE asset_id = $1 AND connector_id = $2`, a.ID, jc.ID))
}

// TestRoundTripServiceNowOffboards: with ServiceNow authoritative for
// people, a user made inactive there is OFFBOARDED here with an open
// checklist of what they hold, never deleted; an email in another case
// is the same person.
func TestRoundTripServiceNowOffboards(t *testing.T) {
	t.Parallel()
	r := newRoundTrip(t)
	sn, c := newServiceNow(t, r, 6)
	// A person already known here; the directory spells the email in
	// capitals.
	var known uuid.UUID
	require.NoError(t, r.owner.QueryRow(context.Background(), `INSERT INTO people (org_id, name, email) VALUES ($1, 'User Four', $2) RETURNING id`,
		r.org, servicenowtest.UserEmail(4)).Scan(&known))
	require.True(t, sn.Update("sys_user", servicenowtest.UserID(4), servicenowtest.Record{"email": strings.ToUpper(servicenowtest.UserEmail(4))}))
	r.fullSync(c)
	require.Equal(t, 5, r.count(`SELECT count(*) FROM people`), "the upper-case email matched user 4")
	require.Equal(t, 1, r.count(`SELECT count(*) FROM person_external_ids WHERE person_id = $1`, known), "linked to the directory's user")

	// Record 0 is installed and assigned to user 0.
	held := r.linked(c, servicenowtest.RecordID(0))
	gone := r.person(servicenowtest.UserEmail(0))
	require.Equal(t, &gone, held.AssignedPersonID)
	require.True(t, sn.Update("sys_user", servicenowtest.UserID(0), servicenowtest.Record{"active": "false"}))
	r.fullSync(c)

	require.Equal(t, 5, r.count(`SELECT count(*) FROM people`), "never deleted")
	require.Equal(t, 1, r.count(`SELECT count(*) FROM people WHERE id = $1 AND status = 'OFFBOARDED'`, gone))
	require.Equal(t, 1, r.count(`SELECT count(*) FROM offboarding_checklists WHERE person_id = $1 AND status = 'OPEN'`, gone))
	require.Equal(t, 1, r.count(`SELECT count(*) FROM offboarding_items i JOIN offboarding_checklists l ON l.id = i.checklist_id
		WHERE l.person_id = $1 AND i.kind = 'ASSET' AND i.asset_id = $2`, gone, held.ID), "the checklist lists what they hold")
	r.fullSync(c)
	require.Equal(t, 1, r.count(`SELECT count(*) FROM offboarding_checklists WHERE person_id = $1`, gone), "opened once")
}

// TestRoundTripServiceNowResumesAfterPeople: a sync whose CI page fails
// after the people phase committed resumes from the devices without
// reading sys_user again.
func TestRoundTripServiceNowResumesAfterPeople(t *testing.T) {
	t.Parallel()
	r := newRoundTrip(t)
	sn, c := newServiceNow(t, r, 6)
	ciPath := "/api/now/table/" + servicenowtest.DefaultTable
	// One more failure than the client's own retries (vendorhttp: 4 after
	// the first try) fails the attempt.
	sn.Fail(http.MethodGet, ciPath, 5, http.StatusInternalServerError, "Internal error", "the CI table failed")
	run := r.wait(r.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncSucceeded, run.Status, deref(run.Message))

	require.Len(t, sn.RequestsTo(http.MethodGet, ciPath), 6, "the CI page was fetched again")
	require.Equal(t, 2, r.count(`SELECT attempt FROM river_job WHERE kind = 'connector.sync'`), "the first attempt failed")
	require.Len(t, sn.RequestsTo(http.MethodGet, "/api/now/table/sys_user"), 1, "people were not read again")
	require.Equal(t, 6, r.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1`, c.ID))
	require.Equal(t, 5, r.count(`SELECT count(*) FROM people`))
}

// TestRoundTripFreshservicePushAndNoEcho: an assignment in itam reaches
// the Freshservice asset as exactly one PUT of the changed fields, and a
// change made in Freshservice is pulled without being pushed back.
func TestRoundTripFreshservicePushAndNoEcho(t *testing.T) {
	t.Parallel()
	r := newRoundTrip(t)
	srv := fs.New(t, fs.Options{Generated: 3})
	alice := srv.AddRequester(fs.User{FirstName: "Alice", LastName: "Martin", Email: "alice@acme.test", Active: true})
	bob := srv.AddRequester(fs.User{FirstName: "Bob", LastName: "Stone", Email: "bob@acme.test", Active: true})
	stock := srv.AddAsset(fs.Asset{AssetTypeID: fs.TypeLaptop, Name: "Spare MacBook", AssetTag: "IT-0042",
		TypeFields: map[string]any{"serial_number": "FSPARE42", "product": fs.ProductMacBook, "asset_state": "In Stock"}})
	c := r.create(connector.Input{
		Kind: "FRESHSERVICE", Name: "Freshservice", BaseURL: &srv.URL,
		Credentials: map[string]string{"apiKey": fs.DefaultAPIKey},
		PushFields:  []string{"ASSIGNEE", "STATUS"},
	})
	var alicePerson uuid.UUID
	require.NoError(t, r.owner.QueryRow(context.Background(), `INSERT INTO people (org_id, name, email) VALUES ($1, 'Alice Martin', 'Alice@acme.test') RETURNING id`,
		r.org).Scan(&alicePerson))
	r.fullSync(c)
	r.fullSync(c)
	writes := func() []fs.Request {
		return append(srv.RequestsTo(http.MethodPut, "/api/v2/assets/"+strconv.FormatInt(stock, 10)), srv.RequestsTo(http.MethodPost, "/api/v2/assets")...)
	}
	require.Empty(t, writes(), "a pull pushes nothing back")

	a := r.linked(c, strconv.FormatInt(stock, 10))
	require.Equal(t, itam.StatusInStock, a.Status)
	r.assign(a, alicePerson)
	r.pushesSettled()
	got := writes()
	require.Len(t, got, 1, "exactly one write")
	// asset_state is a field of the Hardware type, suffixed by its id.
	require.JSONEq(t, fmt.Sprintf(`{"user_id": %d, "type_fields": {"asset_state_%d": "In Use"}}`, alice, fs.TypeHardware), got[0].Body)
	rec := srv.Asset(stock)
	require.Equal(t, &alice, rec.UserID)
	require.Equal(t, "In Use", rec.TypeFields["asset_state"])

	version := r.linked(c, strconv.FormatInt(stock, 10)).Version
	again := r.quietSync(c)
	require.Zero(t, again.Updated)
	require.Equal(t, version, r.linked(c, strconv.FormatInt(stock, 10)).Version)
	require.Len(t, writes(), 1, "the pulled pushed values are not pushed again")

	// A change made in Freshservice to an asset nobody here touched.
	other := int64(fs.GeneratedBase + 1)
	srv.ChangeAsset(other, func(x *fs.Asset) { x.UserID = &bob })
	r.quietSync(c)
	require.Equal(t, 1, r.count(`SELECT count(*) FROM people WHERE email = 'bob@acme.test'`))
	b := r.linked(c, strconv.FormatInt(other, 10))
	require.Equal(t, ptrTo(r.person("bob@acme.test")), b.AssignedPersonID)
	require.Empty(t, srv.RequestsTo(http.MethodPut, "/api/v2/assets/"+strconv.FormatInt(other, 10)), "no echo of the pulled change")
	require.Len(t, writes(), 1)
}

// TestRoundTripJSMPushAndNoEcho: an assignment in itam reaches the Assets
// object as exactly one PUT of the changed attributes, and a change made
// in Assets is pulled without being pushed back.
func TestRoundTripJSMPushAndNoEcho(t *testing.T) {
	t.Parallel()
	r := newRoundTrip(t)
	srv := jsmtest.New(t, jsmtest.Options{})
	srv.AddUser(jsmtest.User{AccountID: "acc-alice", Email: "alice@acme.test", Name: "Alice Martin"})
	srv.AddUser(jsmtest.User{AccountID: "acc-bob", Email: "bob@acme.test", Name: "Bob Stone"})
	stock := srv.Add(jsmtest.TypeComputers, jsmtest.Record{"Name": "MBP-42", "Serial Number": "JSPARE42", "Asset Tag": "IT-0042",
		"Model": "MacBook Pro 14", "Manufacturer": "Apple", "Status": "In Stock"})
	other := srv.Add(jsmtest.TypeComputers, jsmtest.Record{"Name": "MBP-43", "Serial Number": "JSPARE43", "Asset Tag": "IT-0043",
		"Model": "MacBook Pro 14", "Manufacturer": "Apple", "Status": "In Use", "Owner": "acc-alice"})
	url := srv.URL
	c := r.create(connector.Input{
		Kind: "JSM_ASSETS", Name: "Assets", BaseURL: &url,
		Credentials: map[string]string{"email": srv.Email(), "apiToken": srv.APIToken()},
		Options:     map[string]any{"assetsApiUrl": srv.URL},
		PushFields:  []string{"ASSIGNEE", "STATUS"},
	})
	var alice uuid.UUID
	require.NoError(t, r.owner.QueryRow(context.Background(), `INSERT INTO people (org_id, name, email) VALUES ($1, 'Alice Martin', 'alice@acme.test') RETURNING id`,
		r.org).Scan(&alice))
	r.fullSync(c)
	r.fullSync(c)
	require.Empty(t, srv.RequestsTo(http.MethodPut, "/object/"), "a pull pushes nothing back")
	require.Equal(t, &alice, r.linked(c, other).AssignedPersonID)

	a := r.linked(c, stock)
	require.Equal(t, itam.StatusInStock, a.Status)
	r.assign(a, alice)
	r.pushesSettled()
	puts := srv.RequestsTo(http.MethodPut, "/object/")
	require.Len(t, puts, 1, "exactly one write")
	require.True(t, strings.HasSuffix(puts[0].Path, "/object/"+stock), puts[0].Path)
	// 108 is the Computers type's Owner attribute, 109 its Status (1: In Use).
	require.JSONEq(t, `{"objectTypeId": "10", "attributes": [
		{"objectTypeAttributeId": "108", "objectAttributeValues": [{"value": "acc-alice"}]},
		{"objectTypeAttributeId": "109", "objectAttributeValues": [{"value": "1"}]}
	]}`, puts[0].Body)
	v := srv.Values(stock)
	require.Equal(t, "acc-alice", v["Owner"])
	require.Equal(t, "In Use", v["Status"])

	version := r.linked(c, stock).Version
	again := r.quietSync(c)
	require.Zero(t, again.Updated)
	require.Equal(t, version, r.linked(c, stock).Version)
	require.Len(t, srv.RequestsTo(http.MethodPut, "/object/"), 1, "the pulled pushed values are not pushed again")

	// A change made in Assets to an object nobody here touched.
	srv.Set(other, jsmtest.Record{"Owner": "acc-bob"})
	r.quietSync(c)
	require.Equal(t, ptrTo(r.person("bob@acme.test")), r.linked(c, other).AssignedPersonID)
	require.Len(t, srv.RequestsTo(http.MethodPut, "/object/"), 1, "no echo of the pulled change")
}
