package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

const historyRefsQ = `query($id: ID!) { node(id: $id) { ... on Asset { history { nodes { action changes {
	field from to fromLabel toLabel fromNode { __typename id } toNode { __typename id ... on Person { name } } } } } } } }`

// refChanges reads an asset's history as "ACTION field" → change.
func refChanges(t *testing.T, a *api, tok, asset string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, h := range get(a.ok(tok, historyRefsQ, map[string]any{"id": asset}), "node.history.nodes").([]any) {
		for _, c := range get(h, "changes").([]any) {
			out[str(h, "action")+" "+str(c, "field")] = c.(map[string]any)
		}
	}
	return out
}

// TestHistoryAPIReferencesResolve: references in history read as global
// ids that node(id:) resolves, with the referent's label (its current one,
// else the one recorded when the change was written, so a deleted supplier
// keeps its name) and node; hidden values get neither.
func TestHistoryAPIReferencesResolve(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["grace"],
		"supplierId": ids["supplier"], "locationId": ids["location"], "name": "Grace's"}})
	asset := str(d, "createAsset.asset.id")
	a.ok(admin, `mutation($id: ID!) { unassignAsset(input: {id: $id}) { asset { id } } }`, map[string]any{"id": asset})
	a.ok(admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to}) { asset { id } } }`,
		map[string]any{"id": asset, "to": ids["ada"]})
	// The supplier goes (nothing refers to it once the asset drops it);
	// the location is renamed.
	a.ok(admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 3, supplierId: null}) { asset { id } } }`, map[string]any{"id": asset})
	a.ok(admin, `mutation($id: ID!) { deleteSupplier(input: {id: $id}) { deletedId } }`, map[string]any{"id": ids["supplier"]})
	a.ok(admin, `mutation($id: ID!) { updateLocation(input: {id: $id, version: 1, name: "Berlin HQ"}) { location { id } } }`, map[string]any{"id": ids["location"]})

	all := refChanges(t, a, mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), asset)
	person := func(id, name string) map[string]any {
		return map[string]any{"__typename": "Person", "id": id, "name": name}
	}
	require.Equal(t, map[string]any{"field": "assignedPersonId", "from": nil, "to": ids["grace"], "fromLabel": nil, "toLabel": "Grace Hopper",
		"fromNode": nil, "toNode": person(ids["grace"], "Grace Hopper")}, all["CREATE assignedPersonId"])
	require.Equal(t, ids["grace"], all["UNASSIGN assignedPersonId"]["from"])
	require.Equal(t, "Grace Hopper", all["UNASSIGN assignedPersonId"]["fromLabel"])
	require.Equal(t, map[string]any{"__typename": "Person", "id": ids["grace"]}, all["UNASSIGN assignedPersonId"]["fromNode"])
	require.Equal(t, person(ids["ada"], "Ada Lovelace"), all["ASSIGN assignedPersonId"]["toNode"])
	require.Equal(t, "Latitude 7440", all["CREATE modelId"]["toLabel"])
	require.Equal(t, "Model", get(all["CREATE modelId"], "toNode.__typename"))
	require.Equal(t, "Berlin HQ", all["CREATE locationId"]["toLabel"], "an existing referent reads as it is now")
	require.Equal(t, "IT", all["CREATE ownerTeamId"]["toLabel"], "the default owner team")
	require.Equal(t, map[string]any{"field": "supplierId", "from": nil, "to": ids["supplier"], "fromLabel": nil, "toLabel": "CDW",
		"fromNode": nil, "toNode": nil}, all["CREATE supplierId"], "a deleted referent keeps its id and recorded label")
	require.Equal(t, "CDW", all["UPDATE supplierId"]["fromLabel"])
	require.Equal(t, map[string]any{"field": "name", "from": nil, "to": "Grace's", "fromLabel": nil, "toLabel": nil, "fromNode": nil, "toNode": nil},
		all["CREATE name"], "plain fields have no labels")
	n := a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Person { email } } }`, map[string]any{"id": all["ASSIGN assignedPersonId"]["to"]})
	require.Equal(t, "Ada@Example.com", str(n, "node.email"), "node(id:) resolves the id history gives")

	// An EMPLOYEE sees their own id with its label, and nothing of others'.
	mine := refChanges(t, a, mint(t, "acme", itam.RoleEmployee, "ada@example.com"), asset)
	require.Equal(t, map[string]any{"field": "assignedPersonId", "from": nil, "to": "[redacted]", "fromLabel": nil, "toLabel": nil,
		"fromNode": nil, "toNode": nil}, mine["CREATE assignedPersonId"])
	require.Equal(t, "Ada Lovelace", mine["ASSIGN assignedPersonId"]["toLabel"])
	require.NotContains(t, mine, "CREATE supplierId")

	// Labels for a page of histories load in one batch: 6 assets cost the
	// round trips of 2.
	rounds := func(n int) int64 {
		before := a.rounds.Load()
		a.ok(admin, `query($n: Int) { assets(first: $n) { nodes { history { nodes { changes { fromLabel toLabel } } } } } }`, map[string]any{"n": n})
		return a.rounds.Load() - before
	}
	for range 5 {
		a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["ada"], "locationId": ids["location"]}})
	}
	require.Equal(t, rounds(2), rounds(6))
}

const auditQ = `query($first: Int, $after: String, $f: AuditEventFilter) { auditEvents(first: $first, after: $after, filter: $f) {
	pageInfo { hasNextPage endCursor } nodes { at actorKind actor action entityType entityId label entity { __typename id } changes { field to } } } }`

// auditEvents lists every event the filter selects, paging by first.
func auditEvents(t *testing.T, a *api, tok string, f map[string]any, first int) []map[string]any {
	t.Helper()
	var out []map[string]any
	var after any
	for {
		d := a.ok(tok, auditQ, map[string]any{"first": first, "after": after, "f": f})
		for _, n := range get(d, "auditEvents.nodes").([]any) {
			out = append(out, n.(map[string]any))
		}
		if get(d, "auditEvents.pageInfo.hasNextPage") != true {
			return out
		}
		after = get(d, "auditEvents.pageInfo.endCursor")
	}
}

// TestAuditEventsAPI: one feed over every history table, newest first,
// paged without gaps or repeats, filtered by actor, entity type and period;
// ADMIN and AUDITOR only; each organization sees its own.
func TestAuditEventsAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	other := mint(t, "acme", itam.RoleManager, "it@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assetTag": "AUD-1"}})
	asset := str(d, "createAsset.asset.id")
	d = a.ok(other, `mutation { p: createSoftwarePublisher(input: {name: "Adobe"}) { softwarePublisher { id } } }`, nil)
	publisher := str(d, "p.softwarePublisher.id")
	d = a.ok(admin, `mutation($p: ID!) { createSoftwareProduct(input: {publisherId: $p, name: "Acrobat"}) { softwareProduct { id } } }`, map[string]any{"p": publisher})
	d = a.ok(admin, `mutation($p: ID!) { createLicense(input: {productId: $p, name: "Acrobat team", licenseModel: PER_USER, seats: 3}) { license { id } } }`,
		map[string]any{"p": str(d, "createSoftwareProduct.softwareProduct.id")})
	license := str(d, "createLicense.license.id")
	a.ok(other, `mutation($a: ID!) { createCostEntry(input: {assetId: $a, kind: REPAIR, date: "2025-01-01", amount: {amount: "90", currency: "USD"}}) { costEntry { id } } }`,
		map[string]any{"a": asset})
	a.ok(admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 1, name: "renamed"}) { asset { id } } }`, map[string]any{"id": asset})
	d = a.ok(other, `mutation { p: createSoftwarePublisher(input: {name: "Lone"}) { softwarePublisher { id } } }`, nil)
	lone := str(d, "p.softwarePublisher.id")
	a.ok(other, `mutation($id: ID!) { deleteSoftwarePublisher(input: {id: $id}) { deletedId } }`, map[string]any{"id": lone})
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")

	events := auditEvents(t, a, auditor, nil, 100)
	paged := auditEvents(t, a, auditor, nil, 2)
	require.Equal(t, events, paged, "pages of 2 give the same events, none skipped or repeated")
	var last time.Time
	kinds := map[string]int{}
	for i, e := range events {
		at, err := time.Parse(time.RFC3339Nano, e["at"].(string))
		require.NoError(t, err)
		if i > 0 {
			require.False(t, at.After(last), "newest first")
		}
		last = at
		kinds[e["entityType"].(string)]++
	}
	require.Positive(t, kinds["ASSET"])
	require.Positive(t, kinds["LICENSE"])
	require.Positive(t, kinds["SOFTWARE_PUBLISHER"])
	require.Positive(t, kinds["SOFTWARE_PRODUCT"])
	require.Positive(t, kinds["COST_ENTRY"])
	// The newest event: a deleted record keeps its id and label, its node is gone.
	require.Equal(t, map[string]any{"at": events[0]["at"], "actorKind": "USER", "actor": "it@acme.test", "action": "DELETE",
		"entityType": "SOFTWARE_PUBLISHER", "entityId": lone, "label": "Lone", "entity": nil, "changes": events[0]["changes"]}, events[0])

	byType := func(typ string) []map[string]any {
		return auditEvents(t, a, auditor, map[string]any{"entityType": typ}, 50)
	}
	lic := byType("LICENSE")
	require.Len(t, lic, 1)
	require.Equal(t, map[string]any{"at": lic[0]["at"], "actorKind": "USER", "actor": "admin@acme.test", "action": "CREATE", "entityType": "LICENSE",
		"entityId": license, "label": "Acrobat team", "entity": map[string]any{"__typename": "License", "id": license}, "changes": lic[0]["changes"]}, lic[0])
	assets := byType("ASSET")
	require.Len(t, assets, 2)
	require.Equal(t, "UPDATE", assets[0]["action"])
	require.Equal(t, "AUD-1", assets[0]["label"], "an asset's label is its tag")
	require.Equal(t, map[string]any{"__typename": "Asset", "id": asset}, assets[0]["entity"])
	for _, e := range byType("COST_ENTRY") {
		require.Equal(t, "COST_ENTRY", e["entityType"])
	}

	mine := auditEvents(t, a, auditor, map[string]any{"actorSubject": "it@acme.test"}, 50)
	require.NotEmpty(t, mine)
	for _, e := range mine {
		require.Equal(t, "it@acme.test", e["actor"])
	}
	var published bool
	for _, e := range mine {
		published = published || (e["entityType"] == "SOFTWARE_PUBLISHER" && e["entityId"] == publisher && e["action"] == "CREATE")
	}
	require.True(t, published, "the manager's publisher is theirs")

	future := time.Now().Add(time.Hour)
	require.Empty(t, auditEvents(t, a, auditor, map[string]any{"from": future.Format(time.RFC3339), "to": future.Add(time.Hour).Format(time.RFC3339)}, 50))
	require.Len(t, auditEvents(t, a, admin, map[string]any{"from": time.Now().Add(-time.Hour).Format(time.RFC3339)}, 50), len(events), "ADMIN reads it too")

	for _, c := range []struct {
		name  string
		vars  map[string]any
		field string
	}{
		{"period over 366 days", map[string]any{"f": map[string]any{"from": "2024-01-01T00:00:00Z", "to": "2025-01-02T00:00:00Z"}}, "filter.from"},
		{"to before from", map[string]any{"f": map[string]any{"from": "2025-01-02T00:00:00Z", "to": "2025-01-01T00:00:00Z"}}, "filter.to"},
		{"page too large", map[string]any{"first": 501}, "first"},
		{"bad cursor", map[string]any{"after": "nope"}, "after"},
	} {
		a.code(auditor, auditQ, c.vars, "BAD_USER_INPUT", c.field)
	}
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleEmployee} {
		a.code(mint(t, "acme", role, "ada@example.com"), auditQ, nil, "FORBIDDEN", "")
	}
	require.Empty(t, auditEvents(t, a, mint(t, "globex", itam.RoleAuditor, "auditor@globex.test"), nil, 50), "another organization's feed is its own")
}

// TestAuditEventsCoverTheWorkflows: purchase orders and offboarding
// checklists have their own histories, and the feed reads them too, each
// event resolvable and labelled (the order number, the person's name).
func TestAuditEventsCoverTheWorkflows(t *testing.T) {
	c := newPOAPI(t)
	po := c.approved("PO-FEED-1")
	checklist := offboardingNodeFixture(t, c.api, c.admin, c.ids["ada"])
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")

	orders := auditEvents(t, c.api, auditor, map[string]any{"entityType": "PURCHASE_ORDER"}, 10)
	require.Len(t, orders, 2, "created, then approved")
	require.Equal(t, "APPROVE", orders[0]["action"], "newest first")
	require.Equal(t, "CREATE", orders[1]["action"])
	for _, e := range orders {
		require.Equal(t, po["id"], e["entityId"])
		require.Equal(t, po["id"], get(e, "entity.id"))
		require.Equal(t, "PO-FEED-1", e["label"])
	}

	offboardings := auditEvents(t, c.api, auditor, map[string]any{"entityType": "OFFBOARDING_CHECKLIST"}, 10)
	require.NotEmpty(t, offboardings)
	for _, e := range offboardings {
		require.Equal(t, checklist, e["entityId"])
		require.Equal(t, "OffboardingChecklist", get(e, "entity.__typename"))
		require.Equal(t, "Ada Lovelace", e["label"])
	}

	all := auditEvents(t, c.api, auditor, nil, 500)
	types := map[any]bool{}
	for _, e := range all {
		types[e["entityType"]] = true
	}
	require.True(t, types["PURCHASE_ORDER"] && types["OFFBOARDING_CHECKLIST"] && types["ASSET"], "one feed: %v", types)
}
