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

// auditFixture is an organization with a location tree (Berlin > Floor 1 >
// Room 101, and Paris) and assets in it, for audit campaigns.
type auditFixture struct {
	a            *api
	admin, audit string
	ids          map[string]string
}

func newAuditFixture(t *testing.T) *auditFixture {
	t.Helper()
	a := newAPI(t)
	f := &auditFixture{a: a, admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test"), audit: mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")}
	f.ids = a.inventory(f.admin)
	d := a.ok(f.admin, `mutation($b: ID!) {
		f: createLocation(input: {kind: FLOOR, name: "Floor 1", parentId: $b}) { location { id } }
		p: createLocation(input: {kind: SITE, name: "Paris"}) { location { id } }
	}`, map[string]any{"b": f.ids["location"]})
	f.ids["floor"], f.ids["paris"] = str(d, "f.location.id"), str(d, "p.location.id")
	d = a.ok(f.admin, `mutation($f: ID!) { r: createLocation(input: {kind: ROOM, name: "Room 101", parentId: $f}) { location { id } } }`,
		map[string]any{"f": f.ids["floor"]})
	f.ids["room"] = str(d, "r.location.id")
	return f
}

// asset creates an asset with tag and serial at location key.
func (f *auditFixture) asset(tag, serial, loc string) string {
	in := map[string]any{"modelId": f.ids["model"], "assetTag": tag, "locationId": f.ids[loc]}
	if serial != "" {
		in["serialNumber"] = serial
	}
	id := str(f.a.ok(f.admin, createAsset, map[string]any{"in": in}), "createAsset.asset.id")
	f.ids[tag] = id
	return id
}

const (
	createCampaignQ = `mutation($in: CreateAuditCampaignInput!) { createAuditCampaign(input: $in) { auditCampaign { id status counts { found missing unexpected unknown total } } } }`
	scanQ           = `mutation($in: RecordAuditScanInput!) { recordAuditScan(input: $in) { item { outcome code condition asset { assetTag } registeredLocation { name } scannedLocation { name } scannedBy } } }`
	closeQ          = `mutation($in: CloseAuditCampaignInput!) { closeAuditCampaign(input: $in) { auditCampaign { status moveUnexpected closedBy } } }`
	campaignQ       = `query($id: ID!, $o: AuditOutcome) { node(id: $id) { ... on AuditCampaign { status counts { found missing unexpected unknown total }
		items(outcome: $o) { totalCount nodes { outcome code condition asset { assetTag } registeredLocation { name } scannedLocation { name } } } } } }`
	assetAuditQ = `query($id: ID!) { node(id: $id) { ... on Asset { createdAt location { name } condition lastAuditedAt nextAuditDue
		history { nodes { source changes { field } } } } } }`
)

func (f *auditFixture) scan(tok, campaign, code, loc string, cond any) map[string]any {
	return f.a.ok(tok, scanQ, map[string]any{"in": map[string]any{"campaignId": campaign, "code": code, "locationId": f.ids[loc], "condition": cond}})
}

func TestAuditCampaignOutcomesAndClose(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	a := f.a
	f.asset("AUD-1", "SN-1", "room") // expected, found by its serial
	f.asset("AUD-2", "", "floor")    // expected, never scanned
	f.asset("AUD-3", "", "paris")    // elsewhere: scanned in Room 101
	f.asset("AUD-4", "", "room")     // in scope but retired: not expected
	f.asset("AUD-5", "", "paris")    // elsewhere, scanned later, not moved
	owner, err := pgxpool.New(context.Background(), a.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	_, err = owner.Exec(context.Background(), `UPDATE assets SET status = 'RETIRED' WHERE asset_tag = 'AUD-4'`)
	require.NoError(t, err)

	d := a.ok(f.admin, createCampaignQ, map[string]any{"in": map[string]any{"name": " Berlin Q2 ", "locationId": f.ids["location"], "dueDate": "2026-06-30"}})
	c := str(d, "createAuditCampaign.auditCampaign.id")
	require.Equal(t, map[string]any{"found": 0.0, "missing": 2.0, "unexpected": 0.0, "unknown": 0.0, "total": 2.0}, get(d, "createAuditCampaign.auditCampaign.counts"))

	// Moving an expected asset after creation does not change what was expected.
	a.ok(f.admin, `mutation($id: ID!, $l: ID!) { updateAsset(input: {id: $id, version: 1, locationId: $l}) { asset { id } } }`,
		map[string]any{"id": f.ids["AUD-2"], "l": f.ids["paris"]})

	// The serial, lowercase and padded as a scanner sends it, is FOUND; again with a condition updates the same item.
	d = f.scan(f.audit, c, "  sn-1\r\n", "room", nil)
	require.Equal(t, "FOUND", str(d, "recordAuditScan.item.outcome"))
	require.Equal(t, "sn-1", str(d, "recordAuditScan.item.code"))
	require.Equal(t, "auditor@acme.test", str(d, "recordAuditScan.item.scannedBy"))
	d = f.scan(f.audit, c, "AUD-1", "room", "FAIR")
	require.Equal(t, "FOUND", str(d, "recordAuditScan.item.outcome"))
	// A known asset registered elsewhere, its tag scanned in lowercase: UNEXPECTED, with both locations.
	d = f.scan(f.admin, c, "aud-3", "room", "POOR")
	require.Equal(t, map[string]any{"outcome": "UNEXPECTED", "code": "aud-3", "condition": "POOR", "asset": map[string]any{"assetTag": "AUD-3"},
		"registeredLocation": map[string]any{"name": "Paris"}, "scannedLocation": map[string]any{"name": "Room 101"}, "scannedBy": "admin@acme.test"},
		get(d, "recordAuditScan.item"))
	// A retired asset is no longer expected: UNEXPECTED too.
	require.Equal(t, "UNEXPECTED", str(f.scan(f.admin, c, "AUD-4", "room", nil), "recordAuditScan.item.outcome"))
	// A code no asset has: UNKNOWN, twice in different case is one item.
	d = f.scan(f.audit, c, "nope-9", "floor", nil)
	require.Equal(t, "UNKNOWN", str(d, "recordAuditScan.item.outcome"))
	require.Nil(t, get(d, "recordAuditScan.item.asset"))
	f.scan(f.audit, c, "NOPE-9", "floor", nil)

	d = a.ok(f.audit, campaignQ, map[string]any{"id": c})
	require.Equal(t, map[string]any{"found": 1.0, "missing": 1.0, "unexpected": 2.0, "unknown": 1.0, "total": 5.0}, get(d, "node.counts"))
	require.Equal(t, 5.0, get(d, "node.items.totalCount"))
	d = a.ok(f.audit, campaignQ, map[string]any{"id": c, "o": "MISSING"})
	require.Equal(t, []any{map[string]any{"outcome": "MISSING", "code": "AUD-2", "condition": nil, "asset": map[string]any{"assetTag": "AUD-2"},
		"registeredLocation": map[string]any{"name": "Floor 1"}, "scannedLocation": nil}}, get(d, "node.items.nodes"))
	d = a.ok(f.audit, campaignQ, map[string]any{"id": c, "o": "UNKNOWN"})
	require.Equal(t, 1.0, get(d, "node.items.totalCount"))
	require.Equal(t, "NOPE-9", str(d, "node.items.nodes.0.code"))
	require.Nil(t, get(d, "node.items.nodes.0.asset"))

	// Only ADMIN and MANAGER close.
	a.code(f.audit, closeQ, map[string]any{"in": map[string]any{"id": c, "moveUnexpected": true}}, "FORBIDDEN", "")
	d = a.ok(f.admin, closeQ, map[string]any{"in": map[string]any{"id": c, "moveUnexpected": true}})
	require.Equal(t, map[string]any{"status": "CLOSED", "moveUnexpected": true, "closedBy": "admin@acme.test"}, get(d, "closeAuditCampaign.auditCampaign"))

	// FOUND: audited, condition from the scan (history), not moved.
	d = a.ok(f.admin, assetAuditQ, map[string]any{"id": f.ids["AUD-1"]})
	require.NotNil(t, get(d, "node.lastAuditedAt"))
	require.Equal(t, "FAIR", str(d, "node.condition"))
	require.Equal(t, "Room 101", str(d, "node.location.name"))
	require.Nil(t, get(d, "node.nextAuditDue"), "the category requires no audits yet")
	hist := get(d, "node.history.nodes").([]any)
	require.Equal(t, map[string]any{"source": "audit", "changes": []any{map[string]any{"field": "condition"}}}, hist[len(hist)-1])
	// UNEXPECTED, moved to where it was scanned (history source audit).
	d = a.ok(f.admin, assetAuditQ, map[string]any{"id": f.ids["AUD-3"]})
	require.Equal(t, "Room 101", str(d, "node.location.name"))
	require.Equal(t, "POOR", str(d, "node.condition"))
	require.NotNil(t, get(d, "node.lastAuditedAt"))
	hist = get(d, "node.history.nodes").([]any)
	require.Equal(t, map[string]any{"source": "audit", "changes": []any{map[string]any{"field": "condition"}, map[string]any{"field": "locationId"}}}, hist[len(hist)-1])
	// MISSING: never audited.
	d = a.ok(f.admin, assetAuditQ, map[string]any{"id": f.ids["AUD-2"]})
	require.Nil(t, get(d, "node.lastAuditedAt"))

	// nextAuditDue follows the category's interval: from the last audit, else from when the asset was recorded.
	a.ok(f.admin, `mutation($id: ID!) { updateCategory(input: {id: $id, version: 1, auditIntervalMonths: 12}) { category { auditIntervalMonths } } }`,
		map[string]any{"id": f.ids["category"]})
	d = a.ok(f.admin, assetAuditQ, map[string]any{"id": f.ids["AUD-1"]})
	audited, err := time.Parse(time.RFC3339Nano, str(d, "node.lastAuditedAt"))
	require.NoError(t, err)
	require.Equal(t, audited.UTC().AddDate(1, 0, 0).Format(time.DateOnly), str(d, "node.nextAuditDue"))
	d = a.ok(f.admin, assetAuditQ, map[string]any{"id": f.ids["AUD-2"]})
	created, err := time.Parse(time.RFC3339Nano, str(d, "node.createdAt"))
	require.NoError(t, err)
	require.Equal(t, created.UTC().AddDate(1, 0, 0).Format(time.DateOnly), str(d, "node.nextAuditDue"))
	d = a.ok(f.admin, assetAuditQ, map[string]any{"id": f.ids["AUD-4"]})
	require.NotNil(t, get(d, "node.lastAuditedAt"), "a retired asset seen by the campaign is audited")
	require.Nil(t, get(d, "node.nextAuditDue"), "but none is due: it left the register")

	// A closed campaign takes no scans and cannot be closed again; nothing is written.
	a.code(f.audit, scanQ, map[string]any{"in": map[string]any{"campaignId": c, "code": "AUD-2", "locationId": f.ids["room"]}}, "BAD_USER_INPUT", "campaignId")
	a.code(f.admin, closeQ, map[string]any{"in": map[string]any{"id": c}}, "BAD_USER_INPUT", "id")
	d = a.ok(f.audit, campaignQ, map[string]any{"id": c, "o": "MISSING"})
	require.Equal(t, 1.0, get(d, "node.items.totalCount"))

	// Closing without moveUnexpected: the UNEXPECTED asset is audited but stays registered where it was.
	d = a.ok(f.admin, createCampaignQ, map[string]any{"in": map[string]any{"name": "Room 101", "filter": map[string]any{"locationIds": []string{f.ids["room"]}}, "dueDate": "2026-07-31"}})
	c2 := str(d, "createAuditCampaign.auditCampaign.id")
	require.Equal(t, 2.0, get(d, "createAuditCampaign.auditCampaign.counts.missing"), "AUD-1 and AUD-3 (moved there by the first campaign)")
	require.Equal(t, "UNEXPECTED", str(f.scan(f.audit, c2, "AUD-5", "room", nil), "recordAuditScan.item.outcome"))
	d = a.ok(f.admin, closeQ, map[string]any{"in": map[string]any{"id": c2}})
	require.Equal(t, false, get(d, "closeAuditCampaign.auditCampaign.moveUnexpected"))
	d = a.ok(f.admin, assetAuditQ, map[string]any{"id": f.ids["AUD-5"]})
	require.Equal(t, "Paris", str(d, "node.location.name"))
	require.NotNil(t, get(d, "node.lastAuditedAt"))

	// The list, newest first, filtered by status.
	d = a.ok(f.audit, `{ auditCampaigns(filter: {status: CLOSED}) { totalCount nodes { id } } }`, nil)
	require.Equal(t, 2.0, get(d, "auditCampaigns.totalCount"))
	require.Equal(t, c2, str(d, "auditCampaigns.nodes.0.id"))
}

func TestAuditCampaignInvalidInputsWriteNothing(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	a := f.a
	f.asset("INV-1", "", "room")
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	gl := a.ok(other, `mutation { createLocation(input: {kind: SITE, name: "Tokyo"}) { location { id } } }`, nil)
	tokyo := str(gl, "createLocation.location.id")

	for _, tc := range []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"no scope", map[string]any{"name": "x", "dueDate": "2026-06-30"}, "BAD_USER_INPUT", "locationId"},
		{"blank name", map[string]any{"name": "  ", "locationId": f.ids["room"], "dueDate": "2026-06-30"}, "BAD_USER_INPUT", "name"},
		{"another organization's location", map[string]any{"name": "x", "locationId": tokyo, "dueDate": "2026-06-30"}, "NOT_FOUND", "locationId"},
		{"not a location id", map[string]any{"name": "x", "locationId": f.ids["model"], "dueDate": "2026-06-30"}, "", "locationId"},
		{"bad filter", map[string]any{"name": "x", "filter": map[string]any{"search": strings.Repeat("x", 300)}, "dueDate": "2026-06-30"}, "BAD_USER_INPUT", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(f.admin, createCampaignQ, map[string]any{"in": tc.in})
			require.NotEmpty(t, r.Errors)
			if tc.code != "" {
				require.Equal(t, tc.code, r.Errors[0].Extensions["code"], "%+v", r.Errors)
			}
			if tc.field != "" {
				require.Equal(t, tc.field, r.Errors[0].Extensions["field"], "%+v", r.Errors)
			}
		})
	}
	require.Equal(t, 0.0, get(a.ok(f.admin, `{ auditCampaigns { totalCount } }`, nil), "auditCampaigns.totalCount"))

	c := str(a.ok(f.admin, createCampaignQ, map[string]any{"in": map[string]any{"name": "x", "locationId": f.ids["location"], "dueDate": "2026-06-30"}}),
		"createAuditCampaign.auditCampaign.id")
	for _, tc := range []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"blank code", map[string]any{"campaignId": c, "code": " \t", "locationId": f.ids["room"]}, "BAD_USER_INPUT", "code"},
		{"another organization's location", map[string]any{"campaignId": c, "code": "INV-1", "locationId": tokyo}, "NOT_FOUND", "locationId"},
		{"unknown campaign", map[string]any{"campaignId": relay.ID(relay.TypeAuditCampaign, uuid.New()), "code": "INV-1", "locationId": f.ids["room"]}, "", "campaignId"},
		{"bad condition", map[string]any{"campaignId": c, "code": "INV-1", "locationId": f.ids["room"], "condition": "SHINY"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(f.admin, scanQ, map[string]any{"in": tc.in})
			require.NotEmpty(t, r.Errors)
			if tc.code != "" {
				require.Equal(t, tc.code, r.Errors[0].Extensions["code"], "%+v", r.Errors)
			}
			if tc.field != "" {
				require.Equal(t, tc.field, r.Errors[0].Extensions["field"], "%+v", r.Errors)
			}
		})
	}
	d := a.ok(f.admin, campaignQ, map[string]any{"id": c})
	require.Equal(t, map[string]any{"found": 0.0, "missing": 1.0, "unexpected": 0.0, "unknown": 0.0, "total": 1.0}, get(d, "node.counts"))

	// Out-of-range audit intervals.
	a.code(f.admin, `mutation { createCategory(input: {name: "Phones", kind: PHONE, auditIntervalMonths: 0}) { category { id } } }`, nil, "BAD_USER_INPUT", "auditIntervalMonths")
	a.code(f.admin, `mutation($id: ID!) { updateCategory(input: {id: $id, version: 1, auditIntervalMonths: 121}) { category { id } } }`,
		map[string]any{"id": f.ids["category"]}, "BAD_USER_INPUT", "auditIntervalMonths")
	d = a.ok(f.admin, `mutation { createCategory(input: {name: "Phones", kind: PHONE, auditIntervalMonths: 6}) { category { auditIntervalMonths } } }`, nil)
	require.Equal(t, 6.0, get(d, "createCategory.category.auditIntervalMonths"))
}

func TestAuditCampaignRolesAndTenants(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	a := f.a
	f.asset("ROLE-1", "", "room")
	manager := mint(t, "acme", itam.RoleManager, "manager@acme.test")
	employee := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	in := map[string]any{"name": "x", "locationId": f.ids["location"], "dueDate": "2026-06-30"}
	a.code(employee, createCampaignQ, map[string]any{"in": in}, "FORBIDDEN", "")
	a.code(f.audit, createCampaignQ, map[string]any{"in": in}, "FORBIDDEN", "")
	c := str(a.ok(manager, createCampaignQ, map[string]any{"in": in}), "createAuditCampaign.auditCampaign.id")
	scan := map[string]any{"in": map[string]any{"campaignId": c, "code": "ROLE-1", "locationId": f.ids["room"]}}
	a.code(employee, scanQ, scan, "FORBIDDEN", "")
	a.ok(f.audit, scanQ, scan)
	a.ok(manager, scanQ, scan)
	a.code(employee, `{ auditCampaigns { totalCount } }`, nil, "FORBIDDEN", "")
	require.Nil(t, get(a.ok(employee, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": c}), "node"))
	a.code(employee, closeQ, map[string]any{"in": map[string]any{"id": c}}, "FORBIDDEN", "")

	// Another organization: cannot see, scan into or close org A's campaign;
	// org A's tag scanned in its own campaign is UNKNOWN.
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	gl := str(a.ok(other, `mutation { createLocation(input: {kind: SITE, name: "Tokyo"}) { location { id } } }`, nil), "createLocation.location.id")
	require.Nil(t, get(a.ok(other, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": c}), "node"))
	a.code(other, scanQ, map[string]any{"in": map[string]any{"campaignId": c, "code": "ROLE-1", "locationId": gl}}, "NOT_FOUND", "campaignId")
	a.code(other, closeQ, map[string]any{"in": map[string]any{"id": c}}, "NOT_FOUND", "id")
	require.Equal(t, 0.0, get(a.ok(other, `{ auditCampaigns { totalCount } }`, nil), "auditCampaigns.totalCount"))
	oc := str(a.ok(other, createCampaignQ, map[string]any{"in": map[string]any{"name": "Tokyo", "locationId": gl, "dueDate": "2026-06-30"}}),
		"createAuditCampaign.auditCampaign.id")
	d := a.ok(other, scanQ, map[string]any{"in": map[string]any{"campaignId": oc, "code": "ROLE-1", "locationId": gl}})
	require.Equal(t, "UNKNOWN", str(d, "recordAuditScan.item.outcome"))
	require.Nil(t, get(d, "recordAuditScan.item.asset"))
	// Org A's campaign is as it was: one FOUND.
	require.Equal(t, 1.0, get(a.ok(f.admin, campaignQ, map[string]any{"id": c}), "node.counts.found"))
}

// TestAuditCampaignPageCost: a page of campaigns with their counts and
// items (and the items' assets) costs the same round trips for 1 or 3
// campaigns.
func TestAuditCampaignPageCost(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	a := f.a
	f.asset("COST-1", "", "room")
	f.asset("COST-2", "", "floor")
	const q = `query($n: Int) { auditCampaigns(first: $n) { nodes { name counts { total } items(first: 10) { totalCount nodes { outcome asset { assetTag lastAuditedAt nextAuditDue } } } } } }`
	rounds := func(n int) int64 {
		before := a.rounds.Load()
		d := a.ok(f.admin, q, map[string]any{"n": n})
		require.Len(t, get(d, "auditCampaigns.nodes"), n)
		return a.rounds.Load() - before
	}
	for i := 0; i < 3; i++ {
		c := str(a.ok(f.admin, createCampaignQ, map[string]any{"in": map[string]any{"name": "c", "locationId": f.ids["location"], "dueDate": "2026-06-30"}}),
			"createAuditCampaign.auditCampaign.id")
		f.scan(f.admin, c, "COST-1", "room", nil)
	}
	require.Equal(t, rounds(1), rounds(3))
}
