package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// offAPI is the API with acme's reference records, an ADMIN token and the
// owner's pool (for what the API cannot set up and for counting rows).
type offAPI struct {
	*api
	owner *pgxpool.Pool
	admin string
	ids   map[string]string
	org   uuid.UUID
}

func newOffAPI(t *testing.T) *offAPI {
	t.Helper()
	t.Parallel()
	a := newAPI(t)
	o := &offAPI{api: a, owner: a.owner(), admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test")}
	o.ids = a.inventory(o.admin)
	_, o.org, _ = relay.Parse(str(a.ok(o.admin, `{ organization { id } }`, nil), "organization.id"))
	return o
}

func today() string { return time.Now().UTC().Format(time.DateOnly) }

// assetFor creates an asset assigned to person and returns its id.
func (o *offAPI) assetFor(person string) string {
	o.t.Helper()
	d := o.ok(o.admin, createAsset, map[string]any{"in": map[string]any{"modelId": o.ids["model"], "assigneeId": person}})
	return str(d, "createAsset.asset.id")
}

// dueBack gives an asset's open checkout an expected return date (the
// assignAsset argument for it is another part's), making it a loan.
func (o *offAPI) dueBack(asset string) {
	o.t.Helper()
	_, id, _ := relay.Parse(asset)
	_, err := o.owner.Exec(context.Background(), `UPDATE asset_checkouts SET expected_return_date = current_date + 14
		WHERE asset_id = $1 AND returned_at IS NULL`, id)
	require.NoError(o.t, err)
}

// seatFor gives person a seat of a new PER_USER license and returns its id.
func (o *offAPI) seatFor(person, product string) string {
	o.t.Helper()
	p := relay.ID(relay.TypeSoftwareProduct, insertProduct(o.t, o.owner, o.org, product+" Inc.", product))
	d := o.ok(o.admin, `mutation($p: ID!) { createLicense(input: {productId: $p, licenseModel: PER_USER, seats: 5}) { license { id } } }`,
		map[string]any{"p": p})
	d = o.ok(o.admin, `mutation($l: ID!, $p: ID!) { assignLicenseSeat(input: {licenseId: $l, personId: $p}) { seat { id } } }`,
		map[string]any{"l": str(d, "createLicense.license.id"), "p": person})
	return str(d, "assignLicenseSeat.seat.id")
}

// count counts rows of a table, every organization's, as the owner.
func (o *offAPI) count(sql string, args ...any) int {
	o.t.Helper()
	var n int
	require.NoError(o.t, o.owner.QueryRow(context.Background(), "SELECT count(*) FROM "+sql, args...).Scan(&n))
	return n
}

const checklistFields = `id status effectiveDate openedBy completedAt person { id status endDate }
	items { id kind state expectedReturnDate reason closedBy closedAt asset { id } licenseSeat { id } }`

const offboardQ = `mutation($p: ID!, $d: Date!) { offboardPerson(input: {personId: $p, effectiveDate: $d}) { checklist { ` + checklistFields + ` } } }`

const writeOffQ = `mutation($c: ID!, $i: ID!, $r: String!) { writeOffOffboardingItem(input: {checklistId: $c, itemId: $i, reason: $r}) {
	item { id state reason } checklist { status completedAt } } }`

const openCountQ = `query($open: Boolean) { offboardingChecklists(filter: {open: $open}) { totalCount nodes { id } } }`

func (o *offAPI) openCount(tok string, open bool) int {
	o.t.Helper()
	return int(get(o.ok(tok, openCountQ, map[string]any{"open": open}), "offboardingChecklists.totalCount").(float64))
}

// offboardingNodeFixture offboards person (who holds nothing: the
// checklist completes at once) for TestNodeResolvesEveryNodeType.
func offboardingNodeFixture(t *testing.T, a *api, admin, person string) string {
	t.Helper()
	d := a.ok(admin, offboardQ, map[string]any{"p": person, "d": today()})
	require.Equal(t, "COMPLETED", str(d, "offboardPerson.checklist.status"), "nothing held: completed at once")
	return str(d, "offboardPerson.checklist.id")
}

// TestOffboardingEndToEnd: a person holding an assigned laptop, a loaner
// due back and a license seat is offboarded; the checklist lists the three
// TO_RETURN; unassigning closes the laptop's item, reclaiming the seat
// closes its item, writing off the loaner completes the checklist, and
// every change is in the history.
func TestOffboardingEndToEnd(t *testing.T) {
	o := newOffAPI(t)
	ada := o.ids["ada"]
	laptop, loaner := o.assetFor(ada), o.assetFor(ada)
	o.dueBack(loaner)
	seat := o.seatFor(ada, "Slack")
	require.Zero(t, o.openCount(o.admin, true))

	d := o.ok(o.admin, offboardQ, map[string]any{"p": ada, "d": today()})
	c := get(d, "offboardPerson.checklist").(map[string]any)
	require.Equal(t, "OPEN", c["status"])
	require.Equal(t, today(), c["effectiveDate"])
	require.Equal(t, "admin@acme.test", c["openedBy"])
	require.Equal(t, "OFFBOARDED", str(c, "person.status"))
	require.Equal(t, today(), str(c, "person.endDate"))
	items := c["items"].([]any)
	require.Len(t, items, 3)
	byThing := map[string]map[string]any{}
	for _, it := range items {
		it := it.(map[string]any)
		require.Equal(t, "TO_RETURN", it["state"])
		require.Nil(t, it["closedAt"])
		if a := str(it, "asset.id"); a != "" {
			byThing[a] = it
		} else {
			byThing[str(it, "licenseSeat.id")] = it
		}
	}
	require.Equal(t, "ASSET", byThing[laptop]["kind"])
	require.Nil(t, byThing[laptop]["expectedReturnDate"])
	require.Equal(t, "CHECKOUT", byThing[loaner]["kind"], "a loan with a due date is a CHECKOUT")
	require.NotNil(t, byThing[loaner]["expectedReturnDate"])
	require.Equal(t, "LICENSE_SEAT", byThing[seat]["kind"])
	require.Equal(t, 1, o.openCount(o.admin, true))
	require.Zero(t, o.openCount(o.admin, false))

	o.ok(o.admin, `mutation($id: ID!) { unassignAsset(input: {id: $id}) { asset { status } } }`, map[string]any{"id": laptop})
	manager := mint(t, "acme", itam.RoleManager, "manager@acme.test")
	o.ok(manager, `mutation($id: ID!) { reclaimLicenseSeat(input: {seatId: $id, reason: "left"}) { seat { id } } }`, map[string]any{"id": seat})

	const personQ = `query($id: ID!) { node(id: $id) { ... on Person { offboarding { ` + checklistFields + ` } } } }`
	c = get(o.ok(o.admin, personQ, map[string]any{"id": ada}), "node.offboarding").(map[string]any)
	require.Equal(t, "OPEN", c["status"])
	states := map[string]string{}
	for _, it := range c["items"].([]any) {
		states[str(it, "id")] = str(it, "state")
	}
	require.Equal(t, "RETURNED", states[str(byThing[laptop], "id")])
	require.Equal(t, "RECLAIMED", states[str(byThing[seat], "id")])
	require.Equal(t, "TO_RETURN", states[str(byThing[loaner], "id")])
	for _, it := range c["items"].([]any) {
		if str(it, "id") == str(byThing[seat], "id") {
			require.Equal(t, "manager@acme.test", str(it, "closedBy"))
		}
	}

	d = o.ok(o.admin, writeOffQ, map[string]any{"c": c["id"], "i": byThing[loaner]["id"], "r": " lost on a train "})
	require.Equal(t, "WRITTEN_OFF", str(d, "writeOffOffboardingItem.item.state"))
	require.Equal(t, "lost on a train", str(d, "writeOffOffboardingItem.item.reason"))
	require.Equal(t, "COMPLETED", str(d, "writeOffOffboardingItem.checklist.status"))
	require.NotEmpty(t, str(d, "writeOffOffboardingItem.checklist.completedAt"))
	require.Zero(t, o.openCount(o.admin, true))
	require.Equal(t, 1, o.openCount(o.admin, false))

	// The written-off loaner is still assigned to ada, but accounted for:
	// no exception. The history has every step.
	d = o.ok(o.admin, `{ offboardingExceptions { totalCount } }`, nil)
	require.EqualValues(t, 0, get(d, "offboardingExceptions.totalCount"))
	d = o.ok(o.admin, `query($id: ID!) { node(id: $id) { ... on OffboardingChecklist { history { action actor actorKind itemId at
		changes { field from to } } } } }`, map[string]any{"id": c["id"]})
	var actions []string
	for _, h := range get(d, "node.history").([]any) {
		actions = append(actions, str(h, "action"))
		require.Equal(t, "USER", str(h, "actorKind"))
		require.Equal(t, str(h, "action") == "CLOSE_ITEM", str(h, "itemId") != "", "itemId on closings only")
	}
	require.Equal(t, []string{"OPEN", "CLOSE_ITEM", "CLOSE_ITEM", "CLOSE_ITEM", "COMPLETE"}, actions)
	require.Equal(t, "admin@acme.test", str(d, "node.history.0.actor"))
	opened := map[string]any{}
	for _, ch := range get(d, "node.history.0.changes").([]any) {
		opened[str(ch, "field")] = get(ch, "to")
	}
	require.Equal(t, map[string]any{"personStatus": "OFFBOARDED", "personEndDate": today(), "items": float64(3)}, opened)
	require.Equal(t, "manager@acme.test", str(d, "node.history.2.actor"), "the reclaim")

	// Offboarded again (nothing open any more) lists what is still held.
	d = o.ok(o.admin, offboardQ, map[string]any{"p": ada, "d": today()})
	require.Len(t, get(d, "offboardPerson.checklist.items").([]any), 1, "the written-off loaner")
}

// TestOffboardingTransitionToStockReturns: transitionAsset to IN_STOCK
// checks the asset in, closing its item (and completing the checklist).
func TestOffboardingTransitionToStockReturns(t *testing.T) {
	o := newOffAPI(t)
	asset := o.assetFor(o.ids["grace"])
	d := o.ok(o.admin, offboardQ, map[string]any{"p": o.ids["grace"], "d": today()})
	id := str(d, "offboardPerson.checklist.id")
	o.ok(o.admin, `mutation($id: ID!) { transitionAsset(input: {id: $id, status: IN_STOCK}) { asset { status } } }`, map[string]any{"id": asset})
	d = o.ok(o.admin, `query($id: ID!) { node(id: $id) { ... on OffboardingChecklist { status items { state } } } }`, map[string]any{"id": id})
	require.Equal(t, "COMPLETED", str(d, "node.status"))
	require.Equal(t, "RETURNED", str(d, "node.items.0.state"))
}

// TestOffboardingBadInput: every refusal is typed, names its field, and
// writes nothing.
func TestOffboardingBadInput(t *testing.T) {
	o := newOffAPI(t)
	ada, grace := o.ids["ada"], o.ids["grace"]
	o.assetFor(ada)
	far := time.Now().UTC().AddDate(-2, 0, 0).Format(time.DateOnly)
	for _, tc := range []struct {
		name, person, date, code, field string
	}{
		{"two years back", ada, far, "BAD_USER_INPUT", "effectiveDate"},
		{"two years ahead", ada, time.Now().UTC().AddDate(2, 0, 0).Format(time.DateOnly), "BAD_USER_INPUT", "effectiveDate"},
		{"unknown person", relay.ID(relay.TypePerson, uuid.New()), today(), "NOT_FOUND", "personId"},
		{"not a person", o.ids["team"], today(), "BAD_USER_INPUT", "personId"},
		{"malformed id", "nope", today(), "BAD_USER_INPUT", "personId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o.code(o.admin, offboardQ, map[string]any{"p": tc.person, "d": tc.date}, tc.code, tc.field)
		})
	}
	o.ok(o.admin, `mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, startDate: "2026-01-01"}) { person { id } } }`, map[string]any{"id": grace})
	o.code(o.admin, offboardQ, map[string]any{"p": grace, "d": "2025-12-31"}, "BAD_USER_INPUT", "effectiveDate")
	require.Zero(t, o.count("offboarding_checklists"))
	require.Zero(t, o.count("offboarding_history"))
	require.Equal(t, 0, o.count("people WHERE status = 'OFFBOARDED'"), "nobody offboarded by a refusal")

	d := o.ok(o.admin, offboardQ, map[string]any{"p": ada, "d": today()})
	checklist, item := str(d, "offboardPerson.checklist.id"), str(d, "offboardPerson.checklist.items.0.id")
	o.code(o.admin, offboardQ, map[string]any{"p": ada, "d": today()}, "BAD_USER_INPUT", "personId")
	require.Equal(t, 1, o.count("offboarding_checklists"), "no second open checklist")

	for _, tc := range []struct {
		name, checklist, item, reason, code, field string
	}{
		{"blank reason", checklist, item, "  ", "BAD_USER_INPUT", "reason"},
		{"reason too long", checklist, item, strings.Repeat("x", 1001), "BAD_USER_INPUT", "reason"},
		{"unknown item", checklist, uuid.NewString(), "lost", "NOT_FOUND", "itemId"},
		{"malformed item", checklist, "nope", "lost", "BAD_USER_INPUT", "itemId"},
		{"unknown checklist", relay.ID(relay.TypeOffboardingChecklist, uuid.New()), item, "lost", "NOT_FOUND", "checklistId"},
		{"not a checklist", ada, item, "lost", "BAD_USER_INPUT", "checklistId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o.code(o.admin, writeOffQ, map[string]any{"c": tc.checklist, "i": tc.item, "r": tc.reason}, tc.code, tc.field)
		})
	}
	require.Equal(t, 1, o.count("offboarding_items WHERE state = 'TO_RETURN'"), "nothing written off")
	require.Equal(t, 1, o.count("offboarding_history"))
	o.ok(o.admin, writeOffQ, map[string]any{"c": checklist, "i": item, "r": "lost"})
	o.code(o.admin, writeOffQ, map[string]any{"c": checklist, "i": item, "r": "again"}, "CONFLICT", "itemId")
}

// TestOffboardingExceptions: what an OFFBOARDED person holds outside an
// open checklist is listed — a person marked OFFBOARDED behind the
// checklist's back (SQL here, an HR sync in life) with an asset and a seat
// — and leaves the list once offboardPerson lists it.
func TestOffboardingExceptions(t *testing.T) {
	o := newOffAPI(t)
	grace := o.ids["grace"]
	asset := o.assetFor(grace)
	seat := o.seatFor(grace, "Zoom")
	o.assetFor(o.ids["ada"]) // held by an active person: no exception
	const q = `{ offboardingExceptions { totalCount nodes { kind since person { id } asset { id } licenseSeat { id } } } }`
	require.EqualValues(t, 0, get(o.ok(o.admin, q, nil), "offboardingExceptions.totalCount"))

	_, gid, _ := relay.Parse(grace)
	_, err := o.owner.Exec(context.Background(), `UPDATE people SET status = 'OFFBOARDED' WHERE id = $1`, gid)
	require.NoError(t, err)
	d := o.ok(o.admin, q, nil)
	require.EqualValues(t, 2, get(d, "offboardingExceptions.totalCount"))
	got := map[string]string{}
	for _, n := range get(d, "offboardingExceptions.nodes").([]any) {
		require.Equal(t, grace, str(n, "person.id"))
		require.NotEmpty(t, str(n, "since"))
		got[str(n, "kind")] = str(n, "asset.id") + str(n, "licenseSeat.id")
	}
	require.Equal(t, map[string]string{"ASSET": asset, "LICENSE_SEAT": seat}, got)

	// Paged one at a time, the same two rows.
	first := o.ok(o.admin, `{ offboardingExceptions(first: 1) { pageInfo { endCursor hasNextPage } nodes { kind } } }`, nil)
	require.Equal(t, true, get(first, "offboardingExceptions.pageInfo.hasNextPage"))
	next := o.ok(o.admin, `query($a: String) { offboardingExceptions(first: 1, after: $a) { pageInfo { hasNextPage } nodes { kind } } }`,
		map[string]any{"a": get(first, "offboardingExceptions.pageInfo.endCursor")})
	require.Equal(t, false, get(next, "offboardingExceptions.pageInfo.hasNextPage"))
	require.NotEqual(t, str(first, "offboardingExceptions.nodes.0.kind"), str(next, "offboardingExceptions.nodes.0.kind"))

	// offboardPerson takes them in: no longer exceptions.
	d = o.ok(o.admin, offboardQ, map[string]any{"p": grace, "d": today()})
	require.Len(t, get(d, "offboardPerson.checklist.items").([]any), 2)
	require.EqualValues(t, 0, get(o.ok(o.admin, q, nil), "offboardingExceptions.totalCount"))
}

// TestOffboardingRoles: ADMIN and MANAGER offboard and write off; AUDITOR
// reads; EMPLOYEE is refused everything (node(id:) shows null).
func TestOffboardingRoles(t *testing.T) {
	o := newOffAPI(t)
	ada := o.ids["ada"]
	o.assetFor(ada)
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	employee := mint(t, "acme", itam.RoleEmployee, "grace@example.com")
	for _, tok := range []string{auditor, employee} {
		o.code(tok, offboardQ, map[string]any{"p": ada, "d": today()}, "FORBIDDEN", "")
	}
	require.Zero(t, o.count("offboarding_checklists"))
	manager := mint(t, "acme", itam.RoleManager, "manager@acme.test")
	d := o.ok(manager, offboardQ, map[string]any{"p": ada, "d": today()})
	id, item := str(d, "offboardPerson.checklist.id"), str(d, "offboardPerson.checklist.items.0.id")
	for _, tok := range []string{auditor, employee} {
		o.code(tok, writeOffQ, map[string]any{"c": id, "i": item, "r": "lost"}, "FORBIDDEN", "")
	}
	require.Equal(t, 1, o.openCount(auditor, true))
	d = o.ok(auditor, `query($id: ID!) { node(id: $id) { ... on OffboardingChecklist { id person { id } } } }`, map[string]any{"id": id})
	require.Equal(t, ada, str(d, "node.person.id"))
	o.ok(auditor, `{ offboardingExceptions { totalCount } }`, nil)

	o.code(employee, `{ offboardingChecklists { totalCount } }`, nil, "FORBIDDEN", "")
	o.code(employee, `{ offboardingExceptions { totalCount } }`, nil, "FORBIDDEN", "")
	o.code(employee, `{ people { nodes { offboarding { id } } } }`, nil, "FORBIDDEN", "")
	d = o.ok(employee, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
	require.Nil(t, d["node"])
	o.ok(manager, writeOffQ, map[string]any{"c": id, "i": item, "r": "lost"})
}

// TestOffboardingCrossOrg: another organization's token sees none of
// acme's checklists and cannot offboard its people or write off its items.
func TestOffboardingCrossOrg(t *testing.T) {
	o := newOffAPI(t)
	o.assetFor(o.ids["ada"])
	d := o.ok(o.admin, offboardQ, map[string]any{"p": o.ids["ada"], "d": today()})
	id, item := str(d, "offboardPerson.checklist.id"), str(d, "offboardPerson.checklist.items.0.id")
	o.assetFor(o.ids["grace"]) // an acme exception once grace is OFFBOARDED behind the checklist's back
	_, err := o.owner.Exec(context.Background(), `UPDATE people SET status = 'OFFBOARDED' WHERE id = $1`, mustID(o.ids["grace"]))
	require.NoError(t, err)
	require.EqualValues(t, 1, get(o.ok(o.admin, `{ offboardingExceptions { totalCount } }`, nil), "offboardingExceptions.totalCount"))

	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	require.Nil(t, o.ok(globex, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})["node"])
	require.Zero(t, o.openCount(globex, true))
	require.EqualValues(t, 0, get(o.ok(globex, `{ offboardingExceptions { totalCount nodes { kind } } }`, nil), "offboardingExceptions.totalCount"))
	o.code(globex, writeOffQ, map[string]any{"c": id, "i": item, "r": "lost"}, "NOT_FOUND", "checklistId")
	o.code(globex, offboardQ, map[string]any{"p": o.ids["grace"], "d": today()}, "NOT_FOUND", "personId")
	require.Equal(t, 1, o.count("offboarding_items WHERE state = 'TO_RETURN'"))
	require.Equal(t, 1, o.count("offboarding_checklists"))
}

func mustID(global string) uuid.UUID { _, id, _ := relay.Parse(global); return id }

// TestOffboardingBatched: a page of people with their checklists, items,
// assets and seats costs the same round trips for 2 people as for 6.
func TestOffboardingBatched(t *testing.T) {
	o := newOffAPI(t)
	for i := range 6 {
		d := o.ok(o.admin, `mutation($n: String!, $e: String!) { createPerson(input: {name: $n, email: $e}) { person { id } } }`,
			map[string]any{"n": "Leaver " + string(rune('A'+i)), "e": "leaver" + string(rune('a'+i)) + "@example.com"})
		p := str(d, "createPerson.person.id")
		o.assetFor(p)
		o.seatFor(p, "Suite "+string(rune('A'+i)))
		o.ok(o.admin, offboardQ, map[string]any{"p": p, "d": today()})
	}
	const q = `query($n: Int!) { people(first: $n, filter: {status: OFFBOARDED}) { nodes { id offboarding {
		id status person { id } history { action } items { kind state asset { id assetTag model { name } } licenseSeat { id } } } } } }`
	rounds := func(n int) int64 {
		start := o.rounds.Load()
		d := o.ok(o.admin, q, map[string]any{"n": n})
		nodes := get(d, "people.nodes").([]any)
		require.Len(t, nodes, n)
		for _, p := range nodes {
			require.Len(t, get(p, "offboarding.items").([]any), 2)
			require.NotEmpty(t, str(p, "offboarding.items.0.asset.id"))
			require.NotEmpty(t, str(p, "offboarding.items.1.licenseSeat.id"))
		}
		return o.rounds.Load() - start
	}
	few := rounds(2)
	require.Equal(t, few, rounds(6), "no query per person, item, asset or seat")
	require.NotZero(t, few)
}

// TestOffboardingCost: the lists are priced by page size, so a page of 500
// checklists each listing assets with their history is refused before it runs.
func TestOffboardingCost(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	for _, q := range []string{
		`{ offboardingChecklists(first: 500) { nodes { items { asset { history(first: 500) { nodes { at } } } } } } }`,
		`{ offboardingExceptions(first: 500) { nodes { asset { history(first: 500) { nodes { at } } } } } }`,
		`{ people(first: 500) { nodes { offboarding { history { at } items { asset { history(first: 100) { nodes { at } } } } } } } }`,
	} {
		r := a.do(admin, q, nil)
		require.NotEmpty(t, r.Errors, q)
		require.Equal(t, "COMPLEXITY_LIMIT_EXCEEDED", r.Errors[0].Extensions["code"], "%s: %+v", q, r.Errors)
	}
}
