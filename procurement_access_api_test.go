package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestPurchaseOrderRoles: ADMIN and MANAGER create, edit, approve,
// receive and cancel; AUDITOR reads and is FORBIDDEN every mutation;
// EMPLOYEE is FORBIDDEN all of it, reads included (orders are money).
func TestPurchaseOrderRoles(t *testing.T) {
	c := newPOAPI(t)
	po := c.approved("PO-R0")
	line, loc := str(po, "lines.0.id"), c.ids["location"]
	list := `{ purchaseOrders(first: 5) { totalCount nodes { id } } }`
	for _, tc := range []struct {
		role  itam.Role
		write bool
		read  bool
	}{{itam.RoleAdmin, true, true}, {itam.RoleManager, true, true}, {itam.RoleAuditor, false, true}, {itam.RoleEmployee, false, false}} {
		t.Run(string(tc.role), func(t *testing.T) {
			tok := mint(t, "acme", tc.role, "ada@example.com")
			if tc.read {
				require.NotZero(t, get(c.ok(tok, list, nil), "purchaseOrders.totalCount"))
				require.Equal(t, po["id"], str(c.ok(tok, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": po["id"]}), "node.id"))
				require.Equal(t, line, str(c.ok(tok, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": line}), "node.id"))
			} else {
				c.code(tok, list, nil, "FORBIDDEN", "")
				require.Nil(t, get(c.ok(tok, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": po["id"]}), "node"))
			}
			number := "PO-R-" + string(tc.role)
			create := map[string]any{"in": c.input(number)}
			if !tc.write {
				c.code(tok, poCreateQ, create, "FORBIDDEN", "")
				draft := c.create(c.input(number))
				c.code(tok, `mutation($id: ID!) { updatePurchaseOrder(input: {id: $id, version: 1, notes: "x"}) { purchaseOrder { id } } }`,
					map[string]any{"id": draft["id"]}, "FORBIDDEN", "")
				c.code(tok, poApproveQ, map[string]any{"id": draft["id"]}, "FORBIDDEN", "")
				c.code(tok, `mutation($id: ID!) { cancelPurchaseOrder(input: {id: $id}) { purchaseOrder { id } } }`,
					map[string]any{"id": draft["id"]}, "FORBIDDEN", "")
				c.code(tok, poReceiveQ, map[string]any{"in": receiveIn(line, loc, "R-"+string(tc.role))}, "FORBIDDEN", "")
				return
			}
			draft := get(c.ok(tok, poCreateQ, create), "createPurchaseOrder.purchaseOrder").(map[string]any)
			d := c.ok(tok, `mutation($id: ID!) { updatePurchaseOrder(input: {id: $id, version: 1, notes: "rush"}) { purchaseOrder { id version } } }`,
				map[string]any{"id": draft["id"]})
			require.EqualValues(t, 2, get(d, "updatePurchaseOrder.purchaseOrder.version"))
			require.Equal(t, "APPROVED", str(c.ok(tok, poApproveQ, map[string]any{"id": draft["id"]}), "approvePurchaseOrder.purchaseOrder.status"))
			c.ok(tok, poReceiveQ, map[string]any{"in": receiveIn(line, loc, "R-"+string(tc.role))})
			other := get(c.ok(tok, poCreateQ, map[string]any{"in": c.input(number + "-C")}), "createPurchaseOrder.purchaseOrder").(map[string]any)
			c.ok(tok, `mutation($id: ID!) { cancelPurchaseOrder(input: {id: $id}) { purchaseOrder { status } } }`, map[string]any{"id": other["id"]})
		})
	}
}

// TestPurchaseOrderCrossOrg: organization B cannot see organization A's
// orders or lines, nor approve, edit, cancel or receive them (NOT_FOUND),
// nor order A's models from A's supplier.
func TestPurchaseOrderCrossOrg(t *testing.T) {
	c := newPOAPI(t)
	draft := c.create(c.input("PO-X1"))
	po := c.approved("PO-X2")
	line := str(po, "lines.0.id")
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	other := c.inventory(globex)

	require.EqualValues(t, 0, get(c.ok(globex, `{ purchaseOrders { totalCount } }`, nil), "purchaseOrders.totalCount"))
	for _, id := range []any{draft["id"], po["id"], line} {
		require.Nil(t, get(c.ok(globex, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}), "node"))
	}
	c.code(globex, poApproveQ, map[string]any{"id": draft["id"]}, "NOT_FOUND", "")
	c.code(globex, `mutation($id: ID!) { updatePurchaseOrder(input: {id: $id, version: 1, notes: "x"}) { purchaseOrder { id } } }`,
		map[string]any{"id": draft["id"]}, "NOT_FOUND", "")
	c.code(globex, `mutation($id: ID!) { cancelPurchaseOrder(input: {id: $id}) { purchaseOrder { id } } }`,
		map[string]any{"id": po["id"]}, "NOT_FOUND", "")
	c.code(globex, poReceiveQ, map[string]any{"in": receiveIn(line, other["location"], "X-1")}, "NOT_FOUND", "lineId")
	in := c.input("PO-X3")
	c.code(globex, poCreateQ, map[string]any{"in": in}, "NOT_FOUND", "supplierId")
	in["supplierId"] = other["supplier"]
	c.code(globex, poCreateQ, map[string]any{"in": in}, "NOT_FOUND", "lines[0].modelId")

	// Nothing of A's changed.
	d := c.ok(c.admin, `query($id: ID!) { node(id: $id) { ... on PurchaseOrder { status version receivedCount } } }`, map[string]any{"id": po["id"]})
	require.Equal(t, "APPROVED", str(d, "node.status"))
	require.EqualValues(t, 0, get(d, "node.receivedCount"))
	require.Equal(t, "DRAFT", str(c.ok(c.admin, `query($id: ID!) { node(id: $id) { ... on PurchaseOrder { status } } }`, map[string]any{"id": draft["id"]}), "node.status"))
}

// TestPurchaseOrderUpdateAndCancel: a DRAFT is edited under its version
// (lines replaced, history UPDATE), a stale version is CONFLICT, an
// APPROVED order is not editable; cancelling an APPROVED order deletes
// its ORDERED assets (and their PURCHASE entries); once something is
// received it cannot be cancelled.
func TestPurchaseOrderUpdateAndCancel(t *testing.T) {
	c := newPOAPI(t)
	draft := c.create(c.input("PO-U1"))
	upd := `mutation($in: UpdatePurchaseOrderInput!) { updatePurchaseOrder(input: $in) { purchaseOrder { ` + poFields + ` } } }`
	d := c.ok(c.admin, upd, map[string]any{"in": map[string]any{"id": draft["id"], "version": 1, "currency": "usd", "expectedDelivery": nil,
		"lines": []any{poLine(c.ids["model"], 4, "10", "USD")}}})
	po := get(d, "updatePurchaseOrder.purchaseOrder")
	require.Equal(t, "USD", str(po, "currency"))
	require.Nil(t, get(po, "expectedDelivery"))
	require.EqualValues(t, 4, get(po, "expectedCount"))
	requireMoney(t, "40", "USD", get(po, "total"))
	c.code(c.admin, upd, map[string]any{"in": map[string]any{"id": draft["id"], "version": 1, "notes": "x"}}, "CONFLICT", "version")
	c.code(c.admin, upd, map[string]any{"in": map[string]any{"id": draft["id"], "version": 2, "currency": "EUR"}}, "BAD_USER_INPUT", "lines")
	hist := c.ok(c.admin, `query($id: ID!) { node(id: $id) { ... on PurchaseOrder { history { nodes { action changes { field } } } } } }`, map[string]any{"id": draft["id"]})
	require.Equal(t, "UPDATE", str(hist, "node.history.nodes.1.action"))

	cancel := `mutation($id: ID!) { cancelPurchaseOrder(input: {id: $id}) { purchaseOrder { status cancelledAt } } }`
	po2 := c.approved("PO-U2")
	c.code(c.admin, upd, map[string]any{"in": map[string]any{"id": po2["id"], "version": po2["version"], "notes": "x"}}, "BAD_USER_INPUT", "id")
	require.Equal(t, 3, c.count(`SELECT count(*) FROM cost_entries e JOIN assets a ON a.id = e.asset_id WHERE a.order_number = 'PO-U2'`))
	d = c.ok(c.admin, cancel, map[string]any{"id": po2["id"]})
	require.Equal(t, "CANCELLED", str(d, "cancelPurchaseOrder.purchaseOrder.status"))
	require.NotEmpty(t, str(d, "cancelPurchaseOrder.purchaseOrder.cancelledAt"))
	require.Zero(t, c.count(`SELECT count(*) FROM assets WHERE order_number = 'PO-U2'`))
	require.Zero(t, c.count(`SELECT count(*) FROM cost_entries WHERE kind = 'PURCHASE'`))
	require.Equal(t, 3, c.count(`SELECT count(*) FROM asset_history WHERE action = 'DELETE' AND source = 'procurement'`))
	c.code(c.admin, cancel, map[string]any{"id": po2["id"]}, "BAD_USER_INPUT", "id")

	po3 := c.approved("PO-U3")
	c.ok(c.admin, poReceiveQ, map[string]any{"in": receiveIn(str(po3, "lines.1.id"), c.ids["location"], "U3-1")})
	c.code(c.admin, cancel, map[string]any{"id": po3["id"]}, "BAD_USER_INPUT", "id")
	require.Equal(t, 3, c.count(`SELECT count(*) FROM assets WHERE order_number = 'PO-U3'`))
	require.Equal(t, "CANCELLED", str(c.ok(c.admin, cancel, map[string]any{"id": draft["id"]}), "cancelPurchaseOrder.purchaseOrder.status"))
}

// TestPurchaseOrderListFilterAndRoundTrips: the list filters by status,
// supplier, search and order dates; a page of orders with their lines,
// the lines' assets and their relations costs the same round trips for 2
// orders as for 6.
func TestPurchaseOrderListFilterAndRoundTrips(t *testing.T) {
	c := newPOAPI(t)
	for i := range 6 {
		in := c.input(fmt.Sprintf("PO-L%d", i))
		in["orderDate"] = fmt.Sprintf("2026-01-%02d", i+1)
		in["expectedDelivery"] = nil
		po := c.create(in)
		if i%2 == 0 {
			c.ok(c.admin, poApproveQ, map[string]any{"id": po["id"]})
		}
	}
	q := `query($f: PurchaseOrderFilter, $n: Int) { purchaseOrders(first: $n, filter: $f) { totalCount nodes { orderNumber } } }`
	for _, tc := range []struct {
		name  string
		f     map[string]any
		total int
		first string
	}{
		{"all, newest first", nil, 6, "PO-L5"},
		{"approved", map[string]any{"status": []any{"APPROVED"}}, 3, "PO-L4"},
		{"search", map[string]any{"search": "l3"}, 1, "PO-L3"},
		{"dates", map[string]any{"orderedAfter": "2026-01-02", "orderedBefore": "2026-01-04"}, 3, "PO-L3"},
		{"supplier", map[string]any{"supplierId": c.ids["supplier"]}, 6, "PO-L5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := c.ok(c.admin, q, map[string]any{"f": tc.f, "n": 10})
			require.EqualValues(t, tc.total, get(d, "purchaseOrders.totalCount"))
			require.Equal(t, tc.first, str(d, "purchaseOrders.nodes.0.orderNumber"))
		})
	}
	c.code(c.admin, q, map[string]any{"f": map[string]any{"orderedAfter": "2026-02-01", "orderedBefore": "2026-01-01"}}, "BAD_USER_INPUT", "filter.orderedBefore")

	page := `query($n: Int) { purchaseOrders(first: $n) { nodes { orderNumber supplier { name } total { amount }
		history(first: 3) { totalCount nodes { action } }
		lines { quantity model { name manufacturer { name } }
			assets(first: 5) { totalCount nodes { assetTag status model { name } owner { ... on Team { name } } } } } } } }`
	rounds := func(n int) int64 {
		before := c.rounds.Load()
		d := c.ok(c.admin, page, map[string]any{"n": n})
		require.Len(t, get(d, "purchaseOrders.nodes"), n)
		return c.rounds.Load() - before
	}
	small, large := rounds(2), rounds(6)
	require.Equal(t, small, large, "a page of orders costs constant round trips")
}

// purchaseOrderNodeFixtures creates a DRAFT order with one line for
// TestNodeResolvesEveryNodeType and returns the order's and line's ids.
func purchaseOrderNodeFixtures(t *testing.T, a *api, admin string, ids map[string]string) (string, string) {
	t.Helper()
	d := a.ok(admin, `mutation($s: ID!, $m: ID!) { createPurchaseOrder(input: {supplierId: $s, orderNumber: "NODE-1", orderDate: "2026-01-01",
		currency: "USD", lines: [{modelId: $m, quantity: 1, unitPrice: {amount: "1", currency: "USD"}}]}) { purchaseOrder { id lines { id } } } }`,
		map[string]any{"s": ids["supplier"], "m": ids["model"]})
	return str(d, "createPurchaseOrder.purchaseOrder.id"), str(d, "createPurchaseOrder.purchaseOrder.lines.0.id")
}
