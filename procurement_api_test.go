package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// poAPI is the API with acme's reference records and the owner's pool
// (to count rows a refusal must not write).
type poAPI struct {
	*api
	owner *pgxpool.Pool
	admin string
	ids   map[string]string
	org   uuid.UUID
}

func newPOAPI(t *testing.T) *poAPI {
	t.Helper()
	t.Parallel()
	a := newAPI(t)
	c := &poAPI{api: a, owner: a.owner(), admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test")}
	c.ids = a.inventory(c.admin)
	c.org = a.orgID(c.admin)
	return c
}

const poFields = `id orderNumber orderDate expectedDelivery currency status version total { amount currency }
	expectedCount receivedCount supplier { id }
	lines { id position quantity received remaining unitPrice { amount currency } lineTotal { amount currency } model { id } }`

const poCreateQ = `mutation($in: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $in) { purchaseOrder { ` + poFields + ` } } }`
const poApproveQ = `mutation($id: ID!) { approvePurchaseOrder(input: {id: $id}) { purchaseOrder { ` + poFields + ` } } }`
const poReceiveQ = `mutation($in: ReceivePurchaseOrderLineInput!) { receivePurchaseOrderLine(input: $in) {
	purchaseOrder { id status receivedCount version } line { id received remaining }
	assets { id assetTag serialNumber status location { id } purchaseOrderLine { id purchaseOrder { orderNumber } } } } }`

func poLine(model string, qty int, amount, currency string) map[string]any {
	return map[string]any{"modelId": model, "quantity": qty, "unitPrice": map[string]any{"amount": amount, "currency": currency}}
}

// input is a valid order of acme's model: 2 at 1000.00 and 1 at 250.50.
func (c *poAPI) input(number string) map[string]any {
	return map[string]any{"supplierId": c.ids["supplier"], "orderNumber": number, "orderDate": "2026-03-02",
		"expectedDelivery": "2026-03-16", "currency": "EUR",
		"lines": []any{poLine(c.ids["model"], 2, "1000.00", "EUR"), poLine(c.ids["model"], 1, "250.50", "EUR")}}
}

// create creates an order as admin and returns it.
func (c *poAPI) create(in map[string]any) map[string]any {
	c.t.Helper()
	return get(c.ok(c.admin, poCreateQ, map[string]any{"in": in}), "createPurchaseOrder.purchaseOrder").(map[string]any)
}

// approved creates and approves an order and returns it.
func (c *poAPI) approved(number string) map[string]any {
	c.t.Helper()
	po := c.create(c.input(number))
	return get(c.ok(c.admin, poApproveQ, map[string]any{"id": po["id"]}), "approvePurchaseOrder.purchaseOrder").(map[string]any)
}

// count runs a count(*) as the owner (outside RLS).
func (c *poAPI) count(sql string, args ...any) int {
	c.t.Helper()
	var n int
	require.NoError(c.t, c.owner.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// requireMoney checks a Money value by amount (however many decimals it
// is written with) and currency.
func requireMoney(t *testing.T, amount, currency string, got any) {
	t.Helper()
	require.Equal(t, currency, str(got, "currency"), "%v", got)
	want, have := decimal.RequireFromString(amount), decimal.RequireFromString(str(got, "amount"))
	require.True(t, want.Equal(have), "amount %s, want %s", have, want)
}

func receiveIn(line, location string, serials ...string) map[string]any {
	items := make([]any, len(serials))
	for i, s := range serials {
		items[i] = map[string]any{"serialNumber": s}
	}
	return map[string]any{"lineId": line, "locationId": location, "items": items}
}

// TestPurchaseOrderApprovalCreatesOrderedAssets: approving a DRAFT order
// creates one ORDERED asset per unit with the purchase data, a tag from
// the organization's sequence, a PURCHASE cost entry each (the assets
// trigger), provenance "procurement" for the purchase fields and a CREATE
// history entry with source procurement; the order's history records
// CREATE then APPROVE.
func TestPurchaseOrderApprovalCreatesOrderedAssets(t *testing.T) {
	c := newPOAPI(t)
	po := c.create(c.input("PO-1001"))
	require.Equal(t, "DRAFT", po["status"])
	requireMoney(t, "2250.50", "EUR", po["total"])
	require.EqualValues(t, 3, po["expectedCount"])
	require.EqualValues(t, 0, po["receivedCount"])
	requireMoney(t, "2000", "EUR", get(po, "lines.0.lineTotal"))
	require.Zero(t, c.count(`SELECT count(*) FROM assets WHERE order_number = 'PO-1001'`), "a DRAFT has no assets")

	d := c.ok(c.admin, poApproveQ, map[string]any{"id": po["id"]})
	require.Equal(t, "APPROVED", str(d, "approvePurchaseOrder.purchaseOrder.status"))

	d = c.ok(c.admin, `query($id: ID!) { node(id: $id) { ... on PurchaseOrder { status approvedBy
		lines { quantity assets(first: 10) { totalCount nodes { id assetTag status purchaseDate purchasePrice { amount currency } orderNumber
			supplier { id } model { id } fieldProvenance { field source }
			history(first: 5) { nodes { action source } } } } }
		history(first: 10) { totalCount nodes { action actor changes { field from to } } } } } }`, map[string]any{"id": po["id"]})
	node := get(d, "node").(map[string]any)
	require.Equal(t, "admin@acme.test", node["approvedBy"])
	var tags []string
	for i, want := range []int{2, 1} {
		line := get(node, fmt.Sprintf("lines.%d", i))
		require.EqualValues(t, want, get(line, "assets.totalCount"))
		price := []string{"1000.00", "250.50"}[i]
		for _, a := range get(line, "assets.nodes").([]any) {
			require.Equal(t, "ORDERED", str(a, "status"))
			require.Equal(t, "2026-03-02", str(a, "purchaseDate"))
			requireMoney(t, price, "EUR", get(a, "purchasePrice"))
			require.Equal(t, "PO-1001", str(a, "orderNumber"))
			require.Equal(t, c.ids["supplier"], str(a, "supplier.id"))
			require.Equal(t, c.ids["model"], str(a, "model.id"))
			require.ElementsMatch(t, []any{map[string]any{"field": "purchaseDate", "source": "procurement"},
				map[string]any{"field": "purchasePrice", "source": "procurement"}}, get(a, "fieldProvenance"))
			require.Equal(t, []any{map[string]any{"action": "CREATE", "source": "procurement"}}, get(a, "history.nodes"))
			tags = append(tags, str(a, "assetTag"))
		}
	}
	require.Len(t, tags, 3)
	// The tags come from the organization's sequence, as createAsset's do.
	next := str(c.ok(c.admin, createAsset, map[string]any{"in": map[string]any{"modelId": c.ids["model"]}}), "createAsset.asset.assetTag")
	require.Greater(t, next, tags[len(tags)-1])
	require.Equal(t, tags[0][:len(tags[0])-6], next[:len(next)-6], "same prefix")

	// Each asset's PURCHASE entry comes from the assets trigger.
	require.Equal(t, 3, c.count(`SELECT count(*) FROM cost_entries e JOIN assets a ON a.id = e.asset_id
		WHERE a.order_number = 'PO-1001' AND e.kind = 'PURCHASE' AND e.currency = 'EUR' AND e.entry_date = '2026-03-02'`))
	require.Equal(t, 3, c.count(`SELECT count(*) FROM assets WHERE order_number = 'PO-1001' AND purchase_order_line_id IS NOT NULL`))

	hist := get(node, "history.nodes").([]any)
	require.EqualValues(t, 2, get(node, "history.totalCount"))
	require.Equal(t, "CREATE", str(hist[0], "action"))
	require.Equal(t, "APPROVE", str(hist[1], "action"))
	require.Contains(t, get(hist[1], "changes"), map[string]any{"field": "createdAssets", "from": nil, "to": float64(3)})

	// Approving twice is refused, nothing more is created.
	c.code(c.admin, poApproveQ, map[string]any{"id": po["id"]}, "BAD_USER_INPUT", "id")
	require.Equal(t, 3, c.count(`SELECT count(*) FROM assets WHERE order_number = 'PO-1001'`))
}

// TestPurchaseOrderPartialThenFullReceiving: a line received in two
// deliveries moves the order APPROVED → PARTIALLY_RECEIVED → RECEIVED;
// each received asset is IN_STOCK at the location with its serial (and
// the tag given, when one is).
func TestPurchaseOrderPartialThenFullReceiving(t *testing.T) {
	c := newPOAPI(t)
	po := c.approved("PO-2001")
	l0, l1 := str(po, "lines.0.id"), str(po, "lines.1.id")

	d := c.ok(c.admin, poReceiveQ, map[string]any{"in": receiveIn(l0, c.ids["location"], "SN-A1")})
	r := get(d, "receivePurchaseOrderLine")
	require.Equal(t, "PARTIALLY_RECEIVED", str(r, "purchaseOrder.status"))
	require.EqualValues(t, 1, get(r, "purchaseOrder.receivedCount"))
	require.EqualValues(t, 1, get(r, "line.received"))
	require.EqualValues(t, 1, get(r, "line.remaining"))
	a := get(r, "assets.0")
	require.Equal(t, "SN-A1", str(a, "serialNumber"))
	require.Equal(t, "IN_STOCK", str(a, "status"))
	require.Equal(t, c.ids["location"], str(a, "location.id"))
	require.Equal(t, l0, str(a, "purchaseOrderLine.id"), "an asset names the line it was ordered on")
	require.Equal(t, "PO-2001", str(a, "purchaseOrderLine.purchaseOrder.orderNumber"))

	in := receiveIn(l0, c.ids["location"], "SN-A2")
	in["items"].([]any)[0].(map[string]any)["assetTag"] = "DESK-0001"
	r = get(c.ok(c.admin, poReceiveQ, map[string]any{"in": in}), "receivePurchaseOrderLine")
	require.Equal(t, "PARTIALLY_RECEIVED", str(r, "purchaseOrder.status"))
	require.Equal(t, "DESK-0001", str(r, "assets.0.assetTag"))

	r = get(c.ok(c.admin, poReceiveQ, map[string]any{"in": receiveIn(l1, c.ids["location"], "SN-B1")}), "receivePurchaseOrderLine")
	require.Equal(t, "RECEIVED", str(r, "purchaseOrder.status"))
	require.EqualValues(t, 3, get(r, "purchaseOrder.receivedCount"))

	d = c.ok(c.admin, `query($id: ID!) { node(id: $id) { ... on PurchaseOrder { status
		lines { received assets(first: 10) { nodes { serialNumber status history(first: 5) { nodes { action source fromStatus toStatus } } } } }
		history(first: 10) { nodes { action changes { field from to } } } } } }`, map[string]any{"id": po["id"]})
	node := get(d, "node")
	require.Equal(t, "RECEIVED", str(node, "status"))
	var serials []string
	for _, l := range get(node, "lines").([]any) {
		for _, a := range get(l, "assets.nodes").([]any) {
			require.Equal(t, "IN_STOCK", str(a, "status"))
			serials = append(serials, str(a, "serialNumber"))
			require.Equal(t, map[string]any{"action": "TRANSITION", "source": "procurement", "fromStatus": "ORDERED", "toStatus": "IN_STOCK"},
				get(a, "history.nodes.1"))
		}
	}
	require.ElementsMatch(t, []string{"SN-A1", "SN-A2", "SN-B1"}, serials)
	var actions []string
	for _, h := range get(node, "history.nodes").([]any) {
		actions = append(actions, str(h, "action"))
	}
	require.Equal(t, []string{"CREATE", "APPROVE", "RECEIVE", "RECEIVE", "RECEIVE"}, actions)
	require.Contains(t, get(node, "history.nodes.2.changes"), map[string]any{"field": "status", "from": "APPROVED", "to": "PARTIALLY_RECEIVED"})

	// A RECEIVED order receives nothing more.
	c.code(c.admin, poReceiveQ, map[string]any{"in": receiveIn(l1, c.ids["location"], "SN-B2")}, "BAD_USER_INPUT", "lineId")
}

// poSnapshot counts what a refused receipt must leave alone.
func (c *poAPI) poSnapshot() [4]int {
	return [4]int{
		c.count(`SELECT count(*) FROM assets WHERE status = 'ORDERED'`),
		c.count(`SELECT count(*) FROM asset_history`),
		c.count(`SELECT count(*) FROM purchase_order_history`),
		c.count(`SELECT coalesce(sum(received), 0)::int FROM purchase_order_lines`),
	}
}

// TestPurchaseOrderReceiveRefusals: over-receiving, a serial another asset
// holds, a serial or tag given twice, a tag in use and a line of a DRAFT
// order are BAD_USER_INPUT naming the item, and write nothing.
func TestPurchaseOrderReceiveRefusals(t *testing.T) {
	c := newPOAPI(t)
	po := c.approved("PO-3001")
	l0 := str(po, "lines.0.id")
	held := c.ok(c.admin, createAsset, map[string]any{"in": map[string]any{"modelId": c.ids["model"], "serialNumber": "TAKEN-1", "assetTag": "TAKEN-TAG"}})
	require.NotEmpty(t, str(held, "createAsset.asset.id"))
	draft := c.create(c.input("PO-3002"))

	withTag := func(in map[string]any, i int, tag string) map[string]any {
		in["items"].([]any)[i].(map[string]any)["assetTag"] = tag
		return in
	}
	loc := c.ids["location"]
	for _, tc := range []struct {
		name, field string
		in          map[string]any
	}{
		{"over-receiving", "items[2]", receiveIn(l0, loc, "S1", "S2", "S3")},
		{"serial held by another asset", "items[1].serialNumber", receiveIn(l0, loc, "S1", "taken-1")},
		{"serial twice in the call", "items[1].serialNumber", receiveIn(l0, loc, "S1", "s1")},
		{"blank serial", "items[0].serialNumber", receiveIn(l0, loc, "  ")},
		{"no items", "items", receiveIn(l0, loc)},
		{"tag in use", "items[0].assetTag", withTag(receiveIn(l0, loc, "S1"), 0, "taken-tag")},
		{"tag twice", "items[1].assetTag", withTag(withTag(receiveIn(l0, loc, "S1", "S2"), 0, "T-1"), 1, "t-1")},
		{"DRAFT order", "lineId", receiveIn(str(draft, "lines.0.id"), loc, "S1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := c.poSnapshot()
			c.code(c.admin, poReceiveQ, map[string]any{"in": tc.in}, "BAD_USER_INPUT", tc.field)
			require.Equal(t, before, c.poSnapshot(), "nothing written")
		})
	}
	// Unknown references are NOT_FOUND naming their field.
	// Unknown references (another organization's) are NOT_FOUND naming
	// their field; an id of another type is BAD_USER_INPUT.
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	other := c.inventory(globex)
	c.code(c.admin, poReceiveQ, map[string]any{"in": receiveIn(l0, other["location"], "S1")}, "NOT_FOUND", "locationId")
	c.code(c.admin, poReceiveQ, map[string]any{"in": receiveIn(l0, c.ids["supplier"], "S1")}, "BAD_USER_INPUT", "locationId")
	c.code(c.admin, poReceiveQ, map[string]any{"in": receiveIn(c.ids["model"], loc, "S1")}, "BAD_USER_INPUT", "lineId")
	require.Equal(t, 3, c.count(`SELECT count(*) FROM assets WHERE status = 'ORDERED'`))
}

// TestPurchaseOrderInvalidInput: every invalid create input is a typed
// error naming its field, and writes nothing.
func TestPurchaseOrderInvalidInput(t *testing.T) {
	c := newPOAPI(t)
	c.create(c.input("PO-DUP"))
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	other := c.inventory(globex)
	set := func(k string, v any) map[string]any {
		in := c.input("PO-NEW")
		in[k] = v
		return in
	}
	line := func(l map[string]any) map[string]any {
		return set("lines", []any{poLine(c.ids["model"], 1, "1", "EUR"), l})
	}
	for _, tc := range []struct {
		name, code, field string
		in                map[string]any
	}{
		{"no lines", "BAD_USER_INPUT", "lines", set("lines", []any{})},
		{"zero quantity", "BAD_USER_INPUT", "lines[1].quantity", line(poLine(c.ids["model"], 0, "1", "EUR"))},
		{"quantity over 1000", "BAD_USER_INPUT", "lines[1].quantity", line(poLine(c.ids["model"], 1001, "1", "EUR"))},
		{"negative price", "BAD_USER_INPUT", "lines[1].unitPrice.amount", line(poLine(c.ids["model"], 1, "-1", "EUR"))},
		{"price in another currency", "BAD_USER_INPUT", "lines[1].unitPrice.currency", line(poLine(c.ids["model"], 1, "1", "USD"))},
		{"bad currency", "BAD_USER_INPUT", "currency", set("currency", "EURO")},
		{"blank number", "BAD_USER_INPUT", "orderNumber", set("orderNumber", " ")},
		{"delivery before order", "BAD_USER_INPUT", "expectedDelivery", set("expectedDelivery", "2026-03-01")},
		{"duplicate number for the supplier", "CONFLICT", "orderNumber", set("orderNumber", "po-dup")},
		{"unknown supplier", "NOT_FOUND", "supplierId", set("supplierId", other["supplier"])},
		{"unknown model", "NOT_FOUND", "lines[1].modelId", line(poLine(other["model"], 1, "1", "EUR"))},
		{"supplier id of another type", "BAD_USER_INPUT", "supplierId", set("supplierId", c.ids["model"])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.code(c.admin, poCreateQ, map[string]any{"in": tc.in}, tc.code, tc.field)
		})
	}
	lines := make([]any, 101)
	for i := range lines {
		lines[i] = poLine(c.ids["model"], 1, "1", "EUR")
	}
	c.code(c.admin, poCreateQ, map[string]any{"in": set("lines", lines)}, "BAD_USER_INPUT", "lines")
	require.Equal(t, 1, c.count(`SELECT count(*) FROM purchase_orders`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM purchase_order_history`))
}
