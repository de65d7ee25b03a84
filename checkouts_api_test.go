package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

const (
	overdueQ = `query($f: OverdueCheckoutFilter, $first: Int, $after: String) { overdueCheckouts(first: $first, after: $after, filter: $f) {
		totalCount pageInfo { hasNextPage endCursor }
		nodes { id asset { assetTag model { name } } assignee { ... on Person { name } ... on Location { name } }
			checkedOutBy expectedReturnDate daysOverdue requiresAcceptance returnedAt } } }`
	checkinQ = `mutation($in: CheckinAssetInput!) { checkinAsset(input: $in) { asset { status condition location { name } assignee { __typename } currentCheckout { id } }
		checkout { returnedAt returnedBy returnCondition returnNotes daysOverdue } } }`
	acceptQ  = `mutation($id: ID!) { acceptAssetAssignment(input: {assetId: $id}) { asset { assetTag } checkout { acceptedAt acceptedBy requiresAcceptance } } }`
	pendingQ = `{ myPendingAcceptances { id asset { assetTag } requiresAcceptance acceptedAt } }`
)

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly) }

// setDue moves the open checkout of a global asset id's due date, as the
// owner: the API refuses a date in the past, and a test must not wait days.
func (a *api) setDue(asset string, offset int) {
	a.t.Helper()
	_, id, ok := relay.Parse(asset)
	require.True(a.t, ok)
	_, err := a.owner().Exec(context.Background(), `UPDATE asset_checkouts SET expected_return_date = current_date + $2::int
		WHERE asset_id = $1 AND returned_at IS NULL`, id, offset)
	require.NoError(a.t, err)
}

// TestCheckoutOverdueAndCheckin: a checkout with a due date is listed by
// overdueCheckouts once past it, oldest due first; checkinAsset closes it
// with the condition and notes, returns the asset to stock and drops it
// from the list.
func TestCheckoutOverdueAndCheckin(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	first := l.asset(map[string]any{"assetTag": "LT-DUE-1"})
	second := l.asset(map[string]any{"assetTag": "LT-DUE-2"})
	before := l.state(l.admin, first)
	r := l.code(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": first, "assigneeId": l.ids["ada"], "expectedReturnDate": day(-1)}}, "BAD_USER_INPUT", "expectedReturnDate")
	require.Contains(t, r.Errors[0].Message, "is before today")
	require.Equal(t, before, l.state(l.admin, first), "nothing written")

	l.ok(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": first, "assigneeId": l.ids["ada"], "expectedReturnDate": day(0)}})
	l.ok(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": second, "assigneeId": l.ids["grace"], "expectedReturnDate": day(3)}})
	d := l.ok(l.admin, overdueQ, nil)
	require.Equal(t, float64(0), get(d, "overdueCheckouts.totalCount"), "due today is not overdue yet")

	l.setDue(first, -2)
	l.setDue(second, -5)
	d = l.ok(l.admin, overdueQ, nil)
	require.Equal(t, float64(2), get(d, "overdueCheckouts.totalCount"))
	require.Equal(t, "LT-DUE-2", str(d, "overdueCheckouts.nodes.0.asset.assetTag"), "oldest due first")
	require.Equal(t, float64(5), get(d, "overdueCheckouts.nodes.0.daysOverdue"))
	require.Equal(t, "Grace Hopper", str(d, "overdueCheckouts.nodes.0.assignee.name"))
	require.Equal(t, "admin@acme.test", str(d, "overdueCheckouts.nodes.0.checkedOutBy"))
	require.Equal(t, day(-5), str(d, "overdueCheckouts.nodes.0.expectedReturnDate"))
	require.Equal(t, "LT-DUE-1", str(d, "overdueCheckouts.nodes.1.asset.assetTag"))
	require.Equal(t, float64(2), get(d, "overdueCheckouts.nodes.1.daysOverdue"))

	// Paging and filters.
	d = l.ok(l.admin, overdueQ, map[string]any{"first": 1})
	require.Equal(t, true, get(d, "overdueCheckouts.pageInfo.hasNextPage"))
	d = l.ok(l.admin, overdueQ, map[string]any{"first": 1, "after": str(d, "overdueCheckouts.pageInfo.endCursor")})
	require.Equal(t, "LT-DUE-1", str(d, "overdueCheckouts.nodes.0.asset.assetTag"))
	d = l.ok(l.admin, overdueQ, map[string]any{"f": map[string]any{"minDaysOverdue": 3}})
	require.Equal(t, float64(1), get(d, "overdueCheckouts.totalCount"))
	d = l.ok(l.admin, overdueQ, map[string]any{"f": map[string]any{"assigneeIds": []string{l.ids["ada"]}}})
	require.Equal(t, "LT-DUE-1", str(d, "overdueCheckouts.nodes.0.asset.assetTag"))
	require.Equal(t, float64(1), get(d, "overdueCheckouts.totalCount"))
	l.code(l.admin, overdueQ, map[string]any{"f": map[string]any{"minDaysOverdue": 0}}, "BAD_USER_INPUT", "filter.minDaysOverdue")
	l.code(l.admin, overdueQ, map[string]any{"f": map[string]any{"assigneeIds": []string{l.ids["team"]}}}, "BAD_USER_INPUT", "filter.assigneeIds")

	// Readers: AUDITOR sees all, an EMPLOYEE only their own, another
	// organization nothing.
	d = l.ok(mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), overdueQ, nil)
	require.Equal(t, float64(2), get(d, "overdueCheckouts.totalCount"))
	d = l.ok(mint(t, "acme", itam.RoleEmployee, "ada@example.com"), overdueQ, nil)
	require.Equal(t, float64(1), get(d, "overdueCheckouts.totalCount"))
	require.Equal(t, "LT-DUE-1", str(d, "overdueCheckouts.nodes.0.asset.assetTag"))
	d = l.ok(mint(t, "globex", itam.RoleAdmin, "admin@globex.test"), overdueQ, nil)
	require.Equal(t, float64(0), get(d, "overdueCheckouts.totalCount"))

	// Check-in: invalid input writes nothing.
	before = l.state(l.admin, first)
	l.code(l.admin, checkinQ, map[string]any{"in": map[string]any{"assetId": first, "condition": "FAIR", "locationId": l.ids["ada"]}}, "BAD_USER_INPUT", "locationId")
	foreign := str(l.ok(mint(t, "globex", itam.RoleAdmin, "admin@globex.test"), `mutation { createLocation(input: {kind: ROOM, name: "Theirs"}) { location { id } } }`, nil), "createLocation.location.id")
	l.code(l.admin, checkinQ, map[string]any{"in": map[string]any{"assetId": first, "condition": "FAIR", "locationId": foreign}}, "NOT_FOUND", "locationId")
	l.code(l.admin, checkinQ, map[string]any{"in": map[string]any{"assetId": first, "condition": "FAIR", "version": 1}}, "CONFLICT", "version")
	require.Equal(t, before, l.state(l.admin, first))

	stockroom := str(l.ok(l.admin, `mutation { createLocation(input: {kind: ROOM, name: "Stockroom"}) { location { id } } }`, nil), "createLocation.location.id")
	d = l.ok(l.admin, checkinQ, map[string]any{"in": map[string]any{"assetId": first, "condition": "POOR", "locationId": stockroom, "notes": "cracked hinge"}})
	require.Equal(t, "IN_STOCK", str(d, "checkinAsset.asset.status"))
	require.Equal(t, "POOR", str(d, "checkinAsset.asset.condition"))
	require.Equal(t, "Stockroom", str(d, "checkinAsset.asset.location.name"))
	require.Nil(t, get(d, "checkinAsset.asset.assignee"))
	require.Nil(t, get(d, "checkinAsset.asset.currentCheckout"))
	require.NotEmpty(t, str(d, "checkinAsset.checkout.returnedAt"))
	require.Equal(t, "admin@acme.test", str(d, "checkinAsset.checkout.returnedBy"))
	require.Equal(t, "POOR", str(d, "checkinAsset.checkout.returnCondition"))
	require.Equal(t, "cracked hinge", str(d, "checkinAsset.checkout.returnNotes"))
	require.Equal(t, float64(0), get(d, "checkinAsset.checkout.daysOverdue"), "returned: no longer overdue")
	hist := get(l.state(l.admin, first), "history.nodes").([]any)
	require.Equal(t, "CHECKIN", str(hist[len(hist)-1], "action"))
	d = l.ok(l.admin, overdueQ, nil)
	require.Equal(t, float64(1), get(d, "overdueCheckouts.totalCount"))
	// Checking it in again: not checked out.
	l.code(l.admin, checkinQ, map[string]any{"in": map[string]any{"assetId": first, "condition": "POOR"}}, "BAD_USER_INPUT", "assetId")

	// The asset's checkouts, newest first, batched with the asset list.
	d = l.ok(l.admin, `{ assets { nodes { assetTag checkouts { totalCount nodes { returnCondition assignee { ... on Person { name } } } } } } }`, nil)
	require.Equal(t, "LT-DUE-1", str(d, "assets.nodes.0.assetTag"))
	require.Equal(t, float64(1), get(d, "assets.nodes.0.checkouts.totalCount"))
	require.Equal(t, "POOR", str(d, "assets.nodes.0.checkouts.nodes.0.returnCondition"))
	require.Equal(t, "Ada Lovelace", str(d, "assets.nodes.0.checkouts.nodes.0.assignee.name"))
}

// TestCheckinRoles: only ADMIN and MANAGER check in; AUDITOR and EMPLOYEE
// are FORBIDDEN, another organization NOT_FOUND, and nothing changes.
func TestCheckinRoles(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	id := l.asset(map[string]any{"assigneeId": l.ids["ada"]})
	before := l.state(l.admin, id)
	in := map[string]any{"in": map[string]any{"assetId": id, "condition": "GOOD"}}
	for _, tok := range []string{mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), mint(t, "acme", itam.RoleEmployee, "ada@example.com")} {
		l.code(tok, checkinQ, in, "FORBIDDEN", "")
		l.code(tok, assignAssetQ, map[string]any{"in": map[string]any{"id": l.asset(map[string]any{}), "assigneeId": l.ids["ada"]}}, "FORBIDDEN", "")
	}
	l.code(mint(t, "globex", itam.RoleAdmin, "admin@globex.test"), checkinQ, in, "NOT_FOUND", "")
	require.Equal(t, before, l.state(l.admin, id))
	d := l.ok(mint(t, "acme", itam.RoleManager, "it@acme.test"), checkinQ, in)
	require.Equal(t, "IN_STOCK", str(d, "checkinAsset.asset.status"))
}

// TestAcceptAssetAssignment: the assignee, an EMPLOYEE, confirms receipt
// of an assignment that asks for it, once; anyone else is FORBIDDEN,
// another organization NOT_FOUND; the acceptance is in the history.
func TestAcceptAssetAssignment(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	id := l.asset(map[string]any{"assetTag": "LT-ACC"})
	plain := l.asset(map[string]any{"assetTag": "LT-PLAIN", "assigneeId": l.ids["ada"]})
	l.code(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["location"], "requireAcceptance": true}}, "BAD_USER_INPUT", "requireAcceptance")
	l.ok(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": l.ids["ada"], "requireAcceptance": true}})
	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	grace := mint(t, "acme", itam.RoleEmployee, "grace@example.com")

	d := l.ok(ada, pendingQ, nil)
	require.Len(t, get(d, "myPendingAcceptances"), 1)
	require.Equal(t, "LT-ACC", str(d, "myPendingAcceptances.0.asset.assetTag"))
	require.Empty(t, get(l.ok(grace, pendingQ, nil), "myPendingAcceptances"))

	before := l.state(l.admin, id)
	l.code(grace, acceptQ, map[string]any{"id": id}, "FORBIDDEN", "")
	l.code(l.admin, acceptQ, map[string]any{"id": id}, "FORBIDDEN", "")
	l.code(mint(t, "acme", itam.RoleManager, "it@acme.test"), acceptQ, map[string]any{"id": id}, "FORBIDDEN", "")
	l.code(mint(t, "globex", itam.RoleEmployee, "ada@example.com"), acceptQ, map[string]any{"id": id}, "NOT_FOUND", "")
	l.code(ada, acceptQ, map[string]any{"id": plain}, "BAD_USER_INPUT", "assetId")
	l.code(ada, acceptQ, map[string]any{"id": "nonsense"}, "BAD_USER_INPUT", "assetId")
	require.Equal(t, before, l.state(l.admin, id), "refusals write nothing")

	d = l.ok(ada, acceptQ, map[string]any{"id": id})
	require.Equal(t, "LT-ACC", str(d, "acceptAssetAssignment.asset.assetTag"))
	require.Equal(t, "ada@example.com", str(d, "acceptAssetAssignment.checkout.acceptedBy"))
	at, err := time.Parse(time.RFC3339Nano, str(d, "acceptAssetAssignment.checkout.acceptedAt"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), at, time.Minute)
	r := l.code(ada, acceptQ, map[string]any{"id": id}, "BAD_USER_INPUT", "assetId")
	require.Contains(t, r.Errors[0].Message, "already accepted")
	require.Empty(t, get(l.ok(ada, pendingQ, nil), "myPendingAcceptances"))

	hist := get(l.state(l.admin, id), "history.nodes").([]any)
	last := hist[len(hist)-1]
	require.Equal(t, "ACCEPT", str(last, "action"))
	require.Equal(t, "acceptedAt", str(last, "changes.0.field"))
	require.NotEmpty(t, str(last, "changes.0.to"), "the history carries the time")
	// The checkout as a node: its holder and staff read it; another
	// EMPLOYEE and another organization get null.
	cid := str(l.ok(l.admin, `query($id: ID!) { node(id: $id) { ... on Asset { currentCheckout { id } } } }`, map[string]any{"id": id}), "node.currentCheckout.id")
	const nodeQ = `query($id: ID!) { node(id: $id) { ... on AssetCheckout { id asset { assetTag } } } }`
	for _, tok := range []string{ada, l.admin, mint(t, "acme", itam.RoleAuditor, "audit@acme.test")} {
		require.Equal(t, "LT-ACC", str(l.ok(tok, nodeQ, map[string]any{"id": cid}), "node.asset.assetTag"))
	}
	for _, tok := range []string{grace, mint(t, "globex", itam.RoleAdmin, "admin@globex.test")} {
		require.Nil(t, l.ok(tok, nodeQ, map[string]any{"id": cid})["node"])
	}
	// The EMPLOYEE reads their asset's current checkout, accepted.
	d = l.ok(ada, `query($id: ID!) { node(id: $id) { ... on Asset { currentCheckout { acceptedAt requiresAcceptance } } } }`, map[string]any{"id": id})
	require.Equal(t, true, get(d, "node.currentCheckout.requiresAcceptance"))
	require.NotEmpty(t, str(d, "node.currentCheckout.acceptedAt"))
}

// TestOverdueCheckoutsRoundTrips: a page of overdue checkouts with their
// assets, models and assignees costs the same round trips for 2 items as
// for 12.
func TestOverdueCheckoutsRoundTrips(t *testing.T) {
	t.Parallel()
	l := newLifecycleAPI(t)
	rounds := func() int64 {
		before := l.rounds.Load()
		d := l.ok(l.admin, overdueQ, map[string]any{"first": 50})
		require.NotEmpty(t, get(d, "overdueCheckouts.nodes"))
		return l.rounds.Load() - before
	}
	add := func(n int) {
		for i := range n {
			to := l.ids["ada"]
			if i%2 == 1 {
				to = l.ids["location"]
			}
			id := l.asset(map[string]any{})
			l.ok(l.admin, assignAssetQ, map[string]any{"in": map[string]any{"id": id, "assigneeId": to, "expectedReturnDate": day(1)}})
			l.setDue(id, -1-i)
		}
	}
	add(2)
	few := rounds()
	add(10)
	many := rounds()
	require.Equal(t, few, many, "constant round trips per page")
	// The page, its count, the assets, their relations, the people, the locations.
	require.LessOrEqual(t, many, int64(6), fmt.Sprintf("%d round trips", many))
}
