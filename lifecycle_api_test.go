package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

const (
	assignAssetQ = `mutation($in: AssignAssetInput!) { assignAsset(input: $in) { asset { id version status location { name }
		assignee { ... on Person { name } ... on Location { name } } allowedTransitions } } }`
	transitionQ = `mutation($id: ID!, $s: AssetStatus!) { transitionAsset(input: {id: $id, status: $s}) { asset { status version
		assignee { ... on Person { name } } allowedTransitions currentCheckout { id } } } }`
	assetStateQ = `query($id: ID!) { node(id: $id) { ... on Asset { status version location { name } assignee { ... on Person { name } ... on Location { name } }
		allowedTransitions currentCheckout { checkedOutBy } checkouts { totalCount } history { nodes { action changes { field from to fromLabel toLabel } } } } } }`
)

// lifecycleAPI is a server with acme's inventory, its admin and a helper
// that creates an IN_STOCK asset.
type lifecycleAPI struct {
	*api
	admin string
	ids   map[string]string
}

func newLifecycleAPI(t *testing.T) *lifecycleAPI {
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	return &lifecycleAPI{api: a, admin: admin, ids: a.inventory(admin)}
}

func (l *lifecycleAPI) asset(in map[string]any) string {
	l.t.Helper()
	in["modelId"] = l.ids["model"]
	return str(l.ok(l.admin, createAsset, map[string]any{"in": in}), "createAsset.asset.id")
}

func (l *lifecycleAPI) state(tok, id string) map[string]any {
	l.t.Helper()
	d := l.ok(tok, assetStateQ, map[string]any{"id": id})
	n, _ := d["node"].(map[string]any)
	return n
}

// TestRepairRoundTripKeepsTheHolder: DEPLOYED → IN_REPAIR keeps the
// assignee and the checkout, IN_REPAIR → DEPLOYED goes back to them, and
// IN_REPAIR → IN_STOCK checks the asset in.
func TestRepairRoundTripKeepsTheHolder(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	id := l.asset(map[string]any{})
	l.ok(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["ada"]}})

	d := l.ok(l.admin, transitionQ, map[string]any{"id": id, "s": "IN_REPAIR"})
	require.Equal(t, "IN_REPAIR", str(d, "transitionAsset.asset.status"))
	require.Equal(t, "Ada Lovelace", str(d, "transitionAsset.asset.assignee.name"), "a repair keeps the holder")
	require.NotEmpty(t, str(d, "transitionAsset.asset.currentCheckout.id"), "and the checkout stays open")
	require.Equal(t, []any{"DEPLOYED", "IN_STOCK", "LOST", "STOLEN"}, get(d, "transitionAsset.asset.allowedTransitions"))
	// A new assignment is refused: the holder is kept for the way back.
	r := l.code(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["grace"], "reassign": true}}, "BAD_USER_INPUT", "status")
	require.Contains(t, r.Errors[0].Message, "cannot assign an asset that is IN_REPAIR")

	d = l.ok(l.admin, transitionQ, map[string]any{"id": id, "s": "DEPLOYED"})
	require.Equal(t, "DEPLOYED", str(d, "transitionAsset.asset.status"))
	require.Equal(t, "Ada Lovelace", str(d, "transitionAsset.asset.assignee.name"), "back to the same holder")
	require.Equal(t, float64(1), get(l.state(l.admin, id), "checkouts.totalCount"), "one checkout for the whole round trip")

	l.ok(l.admin, transitionQ, map[string]any{"id": id, "s": "IN_REPAIR"})
	d = l.ok(l.admin, transitionQ, map[string]any{"id": id, "s": "IN_STOCK"})
	require.Equal(t, "IN_STOCK", str(d, "transitionAsset.asset.status"))
	require.Nil(t, get(d, "transitionAsset.asset.assignee"), "IN_REPAIR → IN_STOCK checks it in")
	require.Nil(t, get(d, "transitionAsset.asset.currentCheckout"))
	var returnedBy string
	require.NoError(t, l.owner().QueryRow(context.Background(), `SELECT returned_by FROM asset_checkouts WHERE returned_at IS NOT NULL`).Scan(&returnedBy))
	require.Equal(t, "admin@acme.test", returnedBy)
}

// TestReassignNeedsReassign: assigning an asset someone else holds is
// refused naming them, changes nothing, and with reassign: true is one
// ASSIGN entry from the old holder to the new.
func TestReassignNeedsReassign(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	id := l.asset(map[string]any{})
	l.ok(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["ada"]}})
	before := l.state(l.admin, id)

	r := l.code(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["grace"]}}, "BAD_USER_INPUT", "reassign")
	require.Contains(t, r.Errors[0].Message, "is assigned to Ada Lovelace: pass reassign: true")
	require.Equal(t, before, l.state(l.admin, id), "a refused reassignment writes nothing")
	r = l.code(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["ada"], "reassign": true}}, "BAD_USER_INPUT", "assigneeId")
	require.Contains(t, r.Errors[0].Message, "already assigned to Ada Lovelace: nothing to do")
	require.Equal(t, before, l.state(l.admin, id))

	d := l.ok(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["grace"], "reassign": true}})
	require.Equal(t, "Grace Hopper", str(d, "assignAsset.asset.assignee.name"))
	after := l.state(l.admin, id)
	hist := get(after, "history.nodes").([]any)
	require.Len(t, hist, len(get(before, "history.nodes").([]any))+1, "one history entry for the hand-over")
	last := hist[len(hist)-1]
	require.Equal(t, "ASSIGN", str(last, "action"))
	var person map[string]any
	for _, c := range get(last, "changes").([]any) {
		if str(c, "field") == "assignedPersonId" {
			person = c.(map[string]any)
		}
	}
	require.NotNil(t, person, "the entry shows the assignee change")
	require.Equal(t, l.ids["ada"], person["from"], "from Ada")
	require.Equal(t, l.ids["grace"], person["to"], "to Grace")
	require.Equal(t, "Ada Lovelace", person["fromLabel"])
	require.Equal(t, "Grace Hopper", person["toLabel"])
	require.Equal(t, float64(2), get(after, "checkouts.totalCount"), "Ada's checkout closed, Grace's opened")
}

// TestRefusedTransitionsNameAllowedTargets: the refusal says what is
// allowed from the current status and what to do, and allowedTransitions
// agrees with what transitionAsset accepts for each status.
func TestRefusedTransitionsNameAllowedTargets(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	deployed := l.asset(map[string]any{"assigneeId": l.ids["ada"]})
	r := l.code(l.admin, transitionQ, map[string]any{"id": deployed, "s": "RETIRED"}, "BAD_USER_INPUT", "status")
	require.Equal(t, "cannot move an asset from DEPLOYED to RETIRED: allowed from DEPLOYED: IN_STOCK, IN_REPAIR, LOST, STOLEN; unassign it first", r.Errors[0].Message)
	r = l.code(l.admin, transitionQ, map[string]any{"id": deployed, "s": "DISPOSED"}, "BAD_USER_INPUT", "status")
	require.Contains(t, r.Errors[0].Message, "retire it (from IN_STOCK), then use disposeAsset")

	ordered := l.asset(map[string]any{"status": "ORDERED"})
	stock := l.asset(map[string]any{})
	cases := []struct {
		id      string
		to      string // moves the asset there first ("" stays)
		allowed []any
	}{
		{ordered, "", []any{"IN_STOCK", "LOST", "STOLEN"}},
		{stock, "", []any{"IN_REPAIR", "LOST", "STOLEN", "RETIRED"}},
		{deployed, "", []any{"IN_STOCK", "IN_REPAIR", "LOST", "STOLEN"}},
		{stock, "IN_REPAIR", []any{"IN_STOCK", "LOST", "STOLEN"}},
		{deployed, "LOST", []any{"IN_STOCK"}},
		{ordered, "STOLEN", []any{"IN_STOCK"}},
		{stock, "IN_STOCK", []any{"IN_REPAIR", "LOST", "STOLEN", "RETIRED"}},
		{stock, "RETIRED", []any{}},
	}
	for i, c := range cases {
		if c.to != "" {
			l.ok(l.admin, transitionQ, map[string]any{"id": c.id, "s": c.to})
		}
		got := get(l.state(l.admin, c.id), "allowedTransitions")
		require.Equal(t, c.allowed, got, "case %d", i)
		// Every listed target is accepted; every other refused, naming the list.
		for _, to := range []string{"ORDERED", "IN_STOCK", "DEPLOYED", "IN_REPAIR", "LOST", "STOLEN", "RETIRED", "DISPOSED"} {
			listed := false
			for _, s := range c.allowed {
				listed = listed || s == to
			}
			if listed {
				continue // accepting it would change the asset under the next cases
			}
			r := l.do(l.admin, transitionQ, map[string]any{"id": c.id, "s": to})
			require.NotEmpty(t, r.Errors, "case %d → %s", i, to)
			require.Equal(t, "BAD_USER_INPUT", r.Errors[0].Extensions["code"])
		}
	}
}

// TestAssignMovesTheAsset: to a location, the asset goes there; to a
// person, to their location when they have one; locationId wins; an
// unknown locationId is NOT_FOUND naming it and writes nothing.
func TestAssignMovesTheAsset(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	d := l.ok(l.admin, `mutation { s: createLocation(input: {kind: ROOM, name: "Stockroom"}) { location { id } }
		h: createLocation(input: {kind: ROOM, name: "Helpdesk"}) { location { id } } }`, nil)
	stockroom, helpdesk := str(d, "s.location.id"), str(d, "h.location.id")
	otherOrg := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	foreign := str(l.ok(otherOrg, `mutation { createLocation(input: {kind: ROOM, name: "Theirs"}) { location { id } } }`, nil), "createLocation.location.id")

	tests := []struct {
		name     string
		in       map[string]any
		location string
	}{
		{"to a person with a location", map[string]any{"assigneeId": l.ids["ada"]}, "Berlin"},
		{"to a person without one: stays", map[string]any{"assigneeId": l.ids["grace"]}, "Stockroom"},
		{"to a person, placed explicitly", map[string]any{"assigneeId": l.ids["ada"], "locationId": helpdesk}, "Helpdesk"},
		{"to a location", map[string]any{"assigneeId": helpdesk}, "Helpdesk"},
	}
	for _, tt := range tests {
		id := l.asset(map[string]any{"locationId": stockroom})
		tt.in["id"] = id
		d := l.ok(l.admin, assignAssetQ, map[string]any{"in": tt.in})
		require.Equal(t, tt.location, str(d, "assignAsset.asset.location.name"), tt.name)
	}
	id := l.asset(map[string]any{"locationId": stockroom})
	before := l.state(l.admin, id)
	for _, bad := range []string{foreign, l.ids["team"]} {
		r := l.do(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["ada"], "locationId": bad}})
		require.NotEmpty(t, r.Errors)
		require.Equal(t, "locationId", r.Errors[0].Extensions["field"])
	}
	l.code(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["ada"], "locationId": foreign}}, "NOT_FOUND", "locationId")
	require.Equal(t, before, l.state(l.admin, id), "nothing written")
}

// TestUpdatePersonOffboardedRefusedWhileHolding: offboarding through
// updatePerson is refused while the person holds assets, pointing to
// offboardPerson; it goes through once they hold none.
func TestUpdatePersonOffboardedRefusedWhileHolding(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	id := l.asset(map[string]any{"assetTag": "LT-ADA-1", "assigneeId": l.ids["ada"]})
	l.asset(map[string]any{"assetTag": "LT-ADA-2", "assigneeId": l.ids["ada"]})
	const offboard = `mutation($id: ID!, $v: Int!) { updatePerson(input: {id: $id, version: $v, status: OFFBOARDED}) { person { status } } }`
	const person = `query($id: ID!) { node(id: $id) { ... on Person { status version } } }`
	v := get(l.ok(l.admin, person, map[string]any{"id": l.ids["ada"]}), "node.version")
	r := l.code(l.admin, offboard, map[string]any{"id": l.ids["ada"], "v": v}, "BAD_USER_INPUT", "status")
	require.Equal(t, "Ada Lovelace holds 2 assets (e.g. LT-ADA-1): use offboardPerson, which lists what they must return, or unassign them first", r.Errors[0].Message)
	require.Equal(t, "ACTIVE", str(l.ok(l.admin, person, map[string]any{"id": l.ids["ada"]}), "node.status"))

	l.ok(l.admin, `mutation($id: ID!) { unassignAsset(input: {id: $id}) { asset { id } } }`, map[string]any{"id": id})
	l.code(l.admin, offboard, map[string]any{"id": l.ids["ada"], "v": v}, "BAD_USER_INPUT", "status")
	// Grace holds nothing: offboarding her works as before.
	gv := get(l.ok(l.admin, person, map[string]any{"id": l.ids["grace"]}), "node.version")
	d := l.ok(l.admin, offboard, map[string]any{"id": l.ids["grace"], "v": gv})
	require.Equal(t, "OFFBOARDED", str(d, "updatePerson.person.status"))
}

// TestLifecycleRoles: only ADMIN and MANAGER assign, unassign and move
// assets; AUDITOR and EMPLOYEE are FORBIDDEN and change nothing; another
// organization's asset is NOT_FOUND.
func TestLifecycleRoles(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	id := l.asset(map[string]any{"assigneeId": l.ids["ada"]})
	before := l.state(l.admin, id)
	require.Equal(t, "admin@acme.test", str(before, "currentCheckout.checkedOutBy"), "created assigned: checked out by its creator")
	mutations := []struct {
		q    string
		vars map[string]any
	}{
		{assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["grace"], "reassign": true}}},
		{transitionQ, map[string]any{"id": id, "s": "IN_REPAIR"}},
		{`mutation($id: ID!) { unassignAsset(input: {id: $id}) { asset { id } } }`, map[string]any{"id": id}},
	}
	for _, role := range []itam.Role{itam.RoleAuditor, itam.RoleEmployee} {
		tok := mint(t, "acme", role, "ada@example.com")
		for i, m := range mutations {
			r := l.do(tok, m.q, m.vars)
			require.NotEmpty(t, r.Errors, "%s mutation %d", role, i)
			require.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"], "%s mutation %d", role, i)
		}
	}
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	for i, m := range mutations {
		r := l.do(other, m.q, m.vars)
		require.NotEmpty(t, r.Errors, "other org, mutation %d", i)
		require.Equal(t, "NOT_FOUND", r.Errors[0].Extensions["code"], fmt.Sprint(r.Errors))
	}
	require.Equal(t, before, l.state(l.admin, id), "nothing written")
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	l.ok(manager, transitionQ, map[string]any{"id": id, "s": "IN_REPAIR"})
}
