package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/testkit"
)

// licAPI is the API with a secret box (license keys can be stored), its
// logs, the owner's pool for counting rows, and acme's reference records.
type licAPI struct {
	*api
	owner   *pgxpool.Pool
	logs    *testkit.LockedBuffer
	admin   string
	ids     map[string]string
	product string // acme's product
}

func newLicAPI(t *testing.T) *licAPI {
	t.Helper()
	t.Parallel()
	box, err := secretbox.New(bytes.Repeat([]byte{9}, secretbox.KeySize))
	require.NoError(t, err)
	logs := &testkit.LockedBuffer{}
	a := newAPIWith(t, logs, "debug", httpapi.WithConnectors(box, nil, ""))
	l := &licAPI{api: a, owner: a.owner(), logs: logs, admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test")}
	l.ids = a.inventory(l.admin)
	l.product = l.newProduct("acme", "Slack")
	return l
}

// newProduct adds a publisher and product to org (as the owner: the
// catalog's mutations are another part's) and returns the product's id.
func (l *licAPI) newProduct(org, name string) string {
	l.t.Helper()
	var orgID uuid.UUID
	require.NoError(l.t, l.owner.QueryRow(context.Background(), `SELECT id FROM organizations WHERE slug = $1`, org).Scan(&orgID))
	return relay.ID(relay.TypeSoftwareProduct, insertProduct(l.t, l.owner, orgID, name+" Inc.", name))
}

// rows counts a table's rows of every organization, as the owner.
func (l *licAPI) rows(table string) int {
	l.t.Helper()
	var n int
	require.NoError(l.t, l.owner.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

const createLicenseQ = `mutation($in: CreateLicenseInput!) { createLicense(input: $in) { license {
	id licenseModel seats version active hasLicenseKey editions seatCost { amount currency } product { name } } } }`

func (l *licAPI) createLicense(tok string, in map[string]any) map[string]any {
	l.t.Helper()
	if in["productId"] == nil {
		in["productId"] = l.product
	}
	return get(l.ok(tok, createLicenseQ, map[string]any{"in": in}), "createLicense.license").(map[string]any)
}

func TestLicenseAPIModelsAndBadInput(t *testing.T) {
	l := newLicAPI(t)
	for _, m := range []string{"PER_DEVICE", "PER_USER", "CONCURRENT", "SITE", "SUBSCRIPTION"} {
		in := map[string]any{"licenseModel": m, "seats": 10, "seatCost": map[string]any{"amount": "7.50", "currency": "eur"},
			"editions": []string{"Pro", " pro "}, "termStart": "2020-01-01", "supplierId": l.ids["supplier"]}
		if m == "SITE" {
			delete(in, "seats")
		}
		lic := l.createLicense(l.admin, in)
		require.Equal(t, m, lic["licenseModel"])
		require.Equal(t, true, lic["active"])
		require.Equal(t, []any{"Pro"}, lic["editions"])
		require.Equal(t, "EUR", str(lic, "seatCost.currency"))
		require.Equal(t, "Slack", str(lic, "product.name"))
	}
	globex := l.newProduct("globex", "Zoom")
	bad := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"negative seats", map[string]any{"licenseModel": "PER_USER", "seats": -1}, "seats"},
		{"missing seats", map[string]any{"licenseModel": "PER_DEVICE"}, "seats"},
		{"SITE with seats", map[string]any{"licenseModel": "SITE", "seats": 5}, "seats"},
		{"end before start", map[string]any{"licenseModel": "SITE", "termStart": "2026-02-01", "termEnd": "2026-01-31"}, "termEnd"},
		{"unknown currency", map[string]any{"licenseModel": "SITE", "totalCost": map[string]any{"amount": "100", "currency": "ABC"}}, "totalCost.currency"},
		{"both costs", map[string]any{"licenseModel": "PER_USER", "seats": 1, "seatCost": map[string]any{"amount": "1", "currency": "USD"},
			"totalCost": map[string]any{"amount": "1", "currency": "USD"}}, "totalCost"},
		{"another org's product", map[string]any{"licenseModel": "SITE", "productId": globex}, "productId"},
		{"not a product id", map[string]any{"licenseModel": "SITE", "productId": l.ids["supplier"]}, "productId"},
		{"unknown supplier", map[string]any{"licenseModel": "SITE", "supplierId": relay.ID(relay.TypeSupplier, uuid.New())}, "supplierId"},
		{"long key", map[string]any{"licenseModel": "SITE", "licenseKey": strings.Repeat("k", 4097)}, "licenseKey"},
		{"NUL in notes", map[string]any{"licenseModel": "SITE", "notes": "a\x00b"}, "notes"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			n, h := l.rows("licenses"), l.rows("license_history")
			if tt.in["productId"] == nil {
				tt.in["productId"] = l.product
			}
			l.code(l.admin, createLicenseQ, map[string]any{"in": tt.in}, "BAD_USER_INPUT", tt.field)
			require.Equal(t, n, l.rows("licenses"), "nothing written")
			require.Equal(t, h, l.rows("license_history"), "nothing written")
		})
	}

	// Updates: the same rules, a stale version is CONFLICT, history records each change.
	lic := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_USER", "seats": 3})
	const update = `mutation($in: UpdateLicenseInput!) { updateLicense(input: $in) { license { seats version hasLicenseKey } } }`
	l.code(l.admin, update, map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "seats": -3}}, "BAD_USER_INPUT", "seats")
	l.code(l.admin, update, map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "licenseModel": "SITE", "seats": 3}}, "BAD_USER_INPUT", "seats")
	l.code(l.admin, update, map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "termStart": "2026-05-01", "termEnd": "2026-04-01"}}, "BAD_USER_INPUT", "termEnd")
	d := l.ok(l.admin, update, map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "seats": 4}})
	require.EqualValues(t, 4, get(d, "updateLicense.license.seats"))
	l.code(l.admin, update, map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "seats": 5}}, "CONFLICT", "version")
	const hist = `query($id: ID!) { node(id: $id) { ... on License { history { totalCount nodes { action actor changes { field from to } } } } } }`
	h := l.ok(l.admin, hist, map[string]any{"id": lic["id"]})
	require.EqualValues(t, 2, get(h, "node.history.totalCount"))
	require.Equal(t, "UPDATE", str(h, "node.history.nodes.1.action"))
	require.Equal(t, "admin@acme.test", str(h, "node.history.nodes.1.actor"))
	require.Equal(t, map[string]any{"field": "seats", "from": float64(3), "to": float64(4)}, get(h, "node.history.nodes.1.changes.0"))

	l.ok(l.admin, `mutation($id: ID!) { deleteLicense(input: {id: $id}) { deletedId } }`, map[string]any{"id": lic["id"]})
	require.Nil(t, get(l.ok(l.admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": lic["id"]}), "node"))
	var actions string
	require.NoError(t, l.owner.QueryRow(context.Background(), `SELECT string_agg(action::text, ',' ORDER BY id) FROM license_history
		WHERE license_id = $1`, mustDecode(t, str(lic, "id"))).Scan(&actions))
	require.Equal(t, "CREATE,UPDATE,DELETE", actions, "a deleted license's history stays")
}

func mustDecode(t *testing.T, global string) uuid.UUID {
	t.Helper()
	id, err := relay.DecodeAs("id", global, relay.TypeLicense)
	require.NoError(t, err)
	return id
}

func TestLicenseAPIKey(t *testing.T) {
	l := newLicAPI(t)
	const secret = "ZX81-SECRET-KEY-4711"
	lic := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_USER", "seats": 1, "licenseKey": secret})
	require.Equal(t, true, lic["hasLicenseKey"])
	l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": l.ids["ada"]}})
	const read = `query($id: ID!) { node(id: $id) { ... on License { hasLicenseKey licenseKey } } }`
	// Everyone else is refused (the EMPLOYEE holds a seat, so reads the license).
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		r := l.code(mint(t, "acme", role, "ada@example.com"), read, map[string]any{"id": lic["id"]}, "FORBIDDEN", "")
		require.Equal(t, true, get(r.Data, "node.hasLicenseKey"), "the rest of the license still reads")
	}
	var reads int
	count := func() int {
		require.NoError(t, l.owner.QueryRow(context.Background(), `SELECT count(*) FROM license_history WHERE action = 'KEY_READ'`).Scan(&reads))
		return reads
	}
	require.Zero(t, count(), "refused reads record nothing")

	for range 2 {
		require.Equal(t, secret, str(l.ok(l.admin, read, map[string]any{"id": lic["id"]}), "node.licenseKey"))
	}
	require.Equal(t, 2, count())
	h := l.ok(l.admin, `query($id: ID!) { node(id: $id) { ... on License { history { nodes { action actor changes { field from to } } } } } }`,
		map[string]any{"id": lic["id"]})
	nodes := get(h, "node.history.nodes").([]any)
	require.Len(t, nodes, 4)
	require.Equal(t, "KEY_READ", str(nodes[2], "action"))
	require.Equal(t, "KEY_READ", str(nodes[3], "action"))
	require.Equal(t, "admin@acme.test", str(nodes[3], "actor"))
	require.Contains(t, fmt.Sprint(nodes[0]), "licenseKey")

	// Replace and remove the key: recorded as changed, never its value.
	const update = `mutation($in: UpdateLicenseInput!) { updateLicense(input: $in) { license { hasLicenseKey version } } }`
	l.ok(l.admin, update, map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "licenseKey": "NEW-" + secret}})
	d := l.ok(l.admin, update, map[string]any{"in": map[string]any{"id": lic["id"], "version": 2, "licenseKey": nil}})
	require.Equal(t, false, get(d, "updateLicense.license.hasLicenseKey"))
	require.Nil(t, get(l.ok(l.admin, read, map[string]any{"id": lic["id"]}), "node.licenseKey"))

	var all string
	require.NoError(t, l.owner.QueryRow(context.Background(), `SELECT coalesce(string_agg(changes::text, ' '), '') FROM license_history`).Scan(&all))
	require.NotContains(t, all, "SECRET", "no history holds a key")
	var stored []byte
	require.NoError(t, l.owner.QueryRow(context.Background(), `SELECT string_agg(coalesce(license_key, ''), '') FROM licenses`).Scan(&stored))
	require.NotContains(t, string(stored), "SECRET", "keys are stored sealed")
	require.NotContains(t, l.logs.String(), "SECRET", "no log line holds a key")
}

func TestLicenseAPIKeyWithoutSecretKey(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	l := &licAPI{api: a, owner: a.owner()}
	product := l.newProduct("acme", "Figma")
	r := a.code(admin, createLicenseQ, map[string]any{"in": map[string]any{"productId": product, "licenseModel": "SITE", "licenseKey": "K-1"}},
		"BAD_USER_INPUT", "licenseKey")
	require.Contains(t, r.Errors[0].Message, "ITAM_SECRET_KEY")
	require.Zero(t, l.rows("licenses"))
	a.ok(admin, createLicenseQ, map[string]any{"in": map[string]any{"productId": product, "licenseModel": "SITE"}})
}

const (
	assignQ  = `mutation($in: AssignLicenseSeatInput!) { assignLicenseSeat(input: $in) { seat { id assignedBy license { id } person { id } asset { id assetTag } } } }`
	reclaimQ = `mutation($in: ReclaimLicenseSeatInput!) { reclaimLicenseSeat(input: $in) { seat { id reclaimedAt reclaimedBy reclaimReason } } }`
	bulkQ    = `mutation($in: [AssignLicenseSeatInput!]!) { assignLicenseSeats(input: $in) { succeeded failed results { index seat { id } error { code field message } } } }`
	rbulkQ   = `mutation($in: [ReclaimLicenseSeatInput!]!) { reclaimLicenseSeats(input: $in) { succeeded failed results { index seat { id } error { code field } } } }`
)

func (l *licAPI) asset(tag string) string {
	l.t.Helper()
	d := l.ok(l.admin, createAsset, map[string]any{"in": map[string]any{"assetTag": tag, "modelId": l.ids["model"]}})
	return str(d, "createAsset.asset.id")
}

func TestLicenseAPISeats(t *testing.T) {
	l := newLicAPI(t)
	user := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_USER", "seats": 1})
	device := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_DEVICE", "seats": 5})
	site := l.createLicense(l.admin, map[string]any{"licenseModel": "SITE"})
	laptop := l.asset("LIC-1")

	s1 := l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": user["id"], "personId": l.ids["ada"]}})
	require.Equal(t, l.ids["ada"], str(s1, "assignLicenseSeat.seat.person.id"))
	require.Equal(t, "admin@acme.test", str(s1, "assignLicenseSeat.seat.assignedBy"))
	// Beyond the seats: allowed.
	l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": user["id"], "personId": l.ids["grace"]}})
	s3 := l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": device["id"], "assetId": laptop}})
	require.Equal(t, "LIC-1", str(s3, "assignLicenseSeat.seat.asset.assetTag"))

	l.code(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": user["id"], "personId": l.ids["ada"]}}, "CONFLICT", "personId")
	l.code(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": device["id"], "personId": l.ids["ada"]}}, "BAD_USER_INPUT", "assetId")
	l.code(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": site["id"], "personId": l.ids["ada"]}}, "BAD_USER_INPUT", "licenseId")
	l.code(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": user["id"], "personId": l.ids["model"]}}, "BAD_USER_INPUT", "personId")

	seatID := str(s1, "assignLicenseSeat.seat.id")
	r := l.ok(l.admin, reclaimQ, map[string]any{"in": map[string]any{"seatId": seatID, "reason": "left the team"}})
	require.Equal(t, "left the team", str(r, "reclaimLicenseSeat.seat.reclaimReason"))
	require.NotEmpty(t, str(r, "reclaimLicenseSeat.seat.reclaimedAt"))
	l.code(l.admin, reclaimQ, map[string]any{"in": map[string]any{"seatId": seatID, "reason": "again"}}, "CONFLICT", "seatId")

	// Bulk: each item on its own.
	b := l.ok(l.admin, bulkQ, map[string]any{"in": []any{
		map[string]any{"licenseId": user["id"], "personId": l.ids["ada"]},   // ok again after the reclaim
		map[string]any{"licenseId": user["id"], "personId": l.ids["grace"]}, // holds one
		map[string]any{"licenseId": "not-an-id", "personId": l.ids["grace"]},
		map[string]any{"licenseId": device["id"], "assetId": l.asset("LIC-2")},
	}})
	require.EqualValues(t, 2, get(b, "assignLicenseSeats.succeeded"))
	require.EqualValues(t, 2, get(b, "assignLicenseSeats.failed"))
	require.NotNil(t, get(b, "assignLicenseSeats.results.0.seat"))
	require.Equal(t, "CONFLICT", str(b, "assignLicenseSeats.results.1.error.code"))
	require.Equal(t, "personId", str(b, "assignLicenseSeats.results.1.error.field"))
	require.Equal(t, "BAD_USER_INPUT", str(b, "assignLicenseSeats.results.2.error.code"))
	require.Equal(t, "licenseId", str(b, "assignLicenseSeats.results.2.error.field"))
	require.EqualValues(t, 3, get(b, "assignLicenseSeats.results.3.index"))
	rb := l.ok(l.admin, rbulkQ, map[string]any{"in": []any{
		map[string]any{"seatId": str(b, "assignLicenseSeats.results.0.seat.id"), "reason": "bulk"},
		map[string]any{"seatId": seatID, "reason": "bulk"},
	}})
	require.EqualValues(t, 1, get(rb, "reclaimLicenseSeats.succeeded"))
	require.Equal(t, "CONFLICT", str(rb, "reclaimLicenseSeats.results.1.error.code"))
	many := make([]any, 501)
	for i := range many {
		many[i] = map[string]any{"licenseId": user["id"], "personId": l.ids["ada"]}
	}
	n := l.rows("license_seats")
	l.code(l.admin, bulkQ, map[string]any{"in": many}, "BAD_USER_INPUT", "input")
	require.Equal(t, n, l.rows("license_seats"))

	d := l.ok(l.admin, `query($id: ID!, $p: ID!, $a: ID!) {
		l: node(id: $id) { ... on License { assignedSeats seats
			seatAssignments(includeReclaimed: true) { totalCount nodes { person { id } reclaimedAt } }
			active: seatAssignments { totalCount }
			history { nodes { action seat { id } } } } }
		p: node(id: $p) { ... on Person { licenseSeats { license { id } } } }
		a: node(id: $a) { ... on Asset { licenseSeats { license { licenseModel } } } } }`,
		map[string]any{"id": user["id"], "p": l.ids["grace"], "a": laptop})
	require.EqualValues(t, 1, get(d, "l.assignedSeats"), "grace holds the only active seat")
	require.EqualValues(t, 3, get(d, "l.seatAssignments.totalCount"))
	require.EqualValues(t, 1, get(d, "l.active.totalCount"))
	var actions []string
	for _, n := range get(d, "l.history.nodes").([]any) {
		actions = append(actions, str(n, "action"))
	}
	require.Equal(t, []string{"CREATE", "ASSIGN_SEAT", "ASSIGN_SEAT", "RECLAIM_SEAT", "ASSIGN_SEAT", "RECLAIM_SEAT"}, actions)
	require.Equal(t, seatID, str(d, "l.history.nodes.1.seat.id"))
	require.Equal(t, user["id"], str(d, "p.licenseSeats.0.license.id"))
	require.Equal(t, "PER_DEVICE", str(d, "a.licenseSeats.0.license.licenseModel"))
	require.Equal(t, "LicenseSeat", str(l.ok(l.admin, `query($id: ID!) { node(id: $id) { __typename } }`, map[string]any{"id": seatID}), "node.__typename"))
}

func TestLicenseAPIRoles(t *testing.T) {
	l := newLicAPI(t)
	lic := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_USER", "seats": 2, "seatCost": map[string]any{"amount": "5", "currency": "USD"}})
	seat := str(l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": l.ids["ada"]}}), "assignLicenseSeat.seat.id")
	for _, role := range []itam.Role{itam.RoleAuditor, itam.RoleEmployee} {
		tok := mint(t, "acme", role, "ada@example.com")
		n, h := l.rows("license_seats"), l.rows("license_history")
		l.code(tok, createLicenseQ, map[string]any{"in": map[string]any{"productId": l.product, "licenseModel": "SITE"}}, "FORBIDDEN", "")
		l.code(tok, `mutation($in: UpdateLicenseInput!) { updateLicense(input: $in) { license { id } } }`,
			map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "seats": 9}}, "FORBIDDEN", "")
		l.code(tok, `mutation($id: ID!) { deleteLicense(input: {id: $id}) { deletedId } }`, map[string]any{"id": lic["id"]}, "FORBIDDEN", "")
		l.code(tok, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": l.ids["grace"]}}, "FORBIDDEN", "")
		l.code(tok, reclaimQ, map[string]any{"in": map[string]any{"seatId": seat, "reason": "x"}}, "FORBIDDEN", "")
		l.code(tok, bulkQ, map[string]any{"in": []any{map[string]any{"licenseId": "bad", "personId": l.ids["grace"]}}}, "FORBIDDEN", "")
		l.code(tok, rbulkQ, map[string]any{"in": []any{map[string]any{"seatId": seat, "reason": "x"}}}, "FORBIDDEN", "")
		require.Equal(t, n, l.rows("license_seats"), role)
		require.Equal(t, h, l.rows("license_history"), role)
	}
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	l.ok(manager, `mutation($in: UpdateLicenseInput!) { updateLicense(input: $in) { license { id } } }`,
		map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "seats": 3}})
	l.ok(manager, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": l.ids["grace"]}})

	const costs = `{ licenses { totalCount nodes { id seatCost { amount } } } }`
	d := l.ok(mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), costs, nil)
	require.Equal(t, "5.00", str(d, "licenses.nodes.0.seatCost.amount"), "AUDITOR reads costs")
	employee := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	r := l.code(employee, costs, nil, "FORBIDDEN", "")
	require.Equal(t, []any{"licenses", "nodes", float64(0), "seatCost"}, r.Errors[0].Path)
	// Ada holds a seat: she sees that license, and only her own seat of it.
	other := l.createLicense(l.admin, map[string]any{"licenseModel": "SITE"})
	d = l.ok(employee, `{ licenses { totalCount nodes { id assignedSeats seatAssignments { nodes { person { id } } } } } }`, nil)
	require.EqualValues(t, 1, get(d, "licenses.totalCount"))
	require.Equal(t, lic["id"], str(d, "licenses.nodes.0.id"))
	require.EqualValues(t, 2, get(d, "licenses.nodes.0.assignedSeats"))
	require.Len(t, get(d, "licenses.nodes.0.seatAssignments.nodes"), 1)
	require.Equal(t, l.ids["ada"], str(d, "licenses.nodes.0.seatAssignments.nodes.0.person.id"))
	require.Nil(t, get(l.ok(employee, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": other["id"]}), "node"))

	// License.product reads through the catalog: the product of Ada's
	// license resolves for her, without the notes the catalog keeps from an
	// EMPLOYEE; an AUDITOR reads them.
	_, err := l.owner.Exec(context.Background(), `UPDATE software_products SET notes = 'renewal via reseller'`)
	require.NoError(t, err)
	const product = `{ licenses { nodes { product { name notes } } } }`
	d = l.ok(employee, product, nil)
	require.Equal(t, "Slack", str(d, "licenses.nodes.0.product.name"))
	require.Nil(t, get(d, "licenses.nodes.0.product.notes"))
	d = l.ok(mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), product, nil)
	require.Equal(t, "renewal via reseller", str(d, "licenses.nodes.0.product.notes"))
}

func TestLicenseAPICrossOrg(t *testing.T) {
	l := newLicAPI(t)
	lic := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_USER", "seats": 2})
	seat := str(l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": l.ids["ada"]}}), "assignLicenseSeat.seat.id")
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	g := l.ok(globex, `mutation { createPerson(input: {name: "Gus", email: "gus@globex.test"}) { person { id } } }`, nil)
	gus := str(g, "createPerson.person.id")

	require.EqualValues(t, 0, get(l.ok(globex, `{ licenses { totalCount nodes { id } } }`, nil), "licenses.totalCount"))
	d := l.ok(globex, `query($l: ID!, $s: ID!) { l: node(id: $l) { id } s: node(id: $s) { id } }`, map[string]any{"l": lic["id"], "s": seat})
	require.Nil(t, d["l"])
	require.Nil(t, d["s"])
	l.code(globex, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": gus}}, "NOT_FOUND", "licenseId")
	l.code(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": gus}}, "NOT_FOUND", "personId")
	l.code(globex, reclaimQ, map[string]any{"in": map[string]any{"seatId": seat, "reason": "x"}}, "NOT_FOUND", "seatId")
	l.code(globex, `mutation($in: UpdateLicenseInput!) { updateLicense(input: $in) { license { id } } }`,
		map[string]any{"in": map[string]any{"id": lic["id"], "version": 1, "seats": 9}}, "NOT_FOUND", "")
}

// TestLicenseAPIBatched: a page of 2 or 12 licenses with their seat
// counts, seats and history, and a page of people or assets with their
// seats, cost the same round trips whatever the page size. (Fields read
// through time-window loaders, such as product, are left out: how many
// windows a busy machine needs is not what this test is about.)
func TestLicenseAPIBatched(t *testing.T) {
	l := newLicAPI(t)
	queries := map[string]string{
		"licenses": `query($n: Int!) { licenses(first: $n) { nodes { assignedSeats
			seatAssignments(first: 1) { totalCount nodes { id } } history { totalCount nodes { action } } } } }`,
		"people": `query($n: Int!) { people(first: $n) { nodes { licenseSeats { id assignedAt } } } }`,
		"assets": `query($n: Int!) { assets(first: $n) { nodes { licenseSeats { id } } } }`,
		"seatAssets": `query($n: Int!) { seatAssets: licenses(first: $n, filter: {licenseModel: PER_DEVICE}) { nodes {
			seatAssignments { nodes { asset { assetTag model { name } location { name } } } } } } }`,
	}
	var people []string
	for i := range 12 {
		d := l.ok(l.admin, `mutation($e: String!) { createPerson(input: {name: "P", email: $e}) { person { id } } }`,
			map[string]any{"e": fmt.Sprintf("p%d@acme.test", i)})
		people = append(people, str(d, "createPerson.person.id"))
	}
	for i := range 12 {
		lic := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_USER", "seats": 1})
		dev := l.createLicense(l.admin, map[string]any{"licenseModel": "PER_DEVICE", "seats": 1})
		l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": lic["id"], "personId": people[i]}})
		l.ok(l.admin, assignQ, map[string]any{"in": map[string]any{"licenseId": dev["id"], "assetId": l.asset(fmt.Sprintf("B-%d", i))}})
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			rounds := func(n int) int64 {
				before := l.rounds.Load()
				d := l.ok(l.admin, q, map[string]any{"n": n})
				require.Len(t, get(d, name+".nodes"), n)
				return l.rounds.Load() - before
			}
			small, large := rounds(2), rounds(12)
			require.Equal(t, small, large, "round trips grow with the page")
		})
	}
}

// licenseNodeFixtures writes a license with a seat held by person (a
// global id) in org, as the owner, for TestNodeResolvesEveryNodeType.
func licenseNodeFixtures(t *testing.T, owner *pgxpool.Pool, org uuid.UUID, person string) (license, seat string) {
	t.Helper()
	_, personID, _ := relay.Parse(person)
	var l, s uuid.UUID
	require.NoError(t, owner.QueryRow(context.Background(), `INSERT INTO licenses (org_id, product_id, license_model, seats)
		VALUES ($1, $2, 'PER_USER', 1) RETURNING id`, org, insertProduct(t, owner, org, "Node Inc.", "Node Suite")).Scan(&l))
	require.NoError(t, owner.QueryRow(context.Background(), `INSERT INTO license_seats (org_id, license_id, person_id, assigned_by)
		VALUES ($1, $2, $3, 'node@test') RETURNING id`, org, l, personID).Scan(&s))
	return relay.ID(relay.TypeLicense, l), relay.ID(relay.TypeLicenseSeat, s)
}

// TestLicenseAPICost: license connections are priced by page size, so a
// page of 500 licenses each with 500 seats is refused before it runs.
func TestLicenseAPICost(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	for _, q := range []string{
		`{ licenses(first: 500) { nodes { seatAssignments(first: 500) { nodes { id assignedAt } } } } }`,
		`{ licenses(first: 500) { nodes { history(first: 500) { nodes { action at } } } } }`,
		`{ people(first: 500) { nodes { licenseSeats { id license { id } person { id } assignedAt } } } }`,
	} {
		r := a.do(admin, q, nil)
		require.NotEmpty(t, r.Errors, q)
		require.Equal(t, "COMPLEXITY_LIMIT_EXCEEDED", r.Errors[0].Extensions["code"], "%s: %+v", q, r.Errors)
	}
	a.ok(admin, `{ licenses(first: 100) { nodes { seatAssignments(first: 10) { nodes { id } } history(first: 10) { nodes { action } } } } }`, nil)
}
