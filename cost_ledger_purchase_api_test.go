package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

const ledAssetQ = `query($id: ID!) { node(id: $id) { ... on Asset { version purchasePrice { amount currency } purchaseDate
	costEntries { totalCount nodes { id kind date amount { amount currency } version } }
	history { nodes { action changes { field from to } } } } } }`

// ledPurchase reads an asset's purchase fields and its PURCHASE entries.
func (l *ledAPI) ledPurchase(asset string) (a map[string]any, purchases []map[string]any) {
	l.t.Helper()
	a = get(l.ok(l.admin, ledAssetQ, map[string]any{"id": asset}), "node").(map[string]any)
	for _, n := range get(a, "costEntries.nodes").([]any) {
		if str(n, "kind") == "PURCHASE" {
			purchases = append(purchases, n.(map[string]any))
		}
	}
	return a, purchases
}

// lastAssetChange is the field changes of the asset's newest history entry.
func lastAssetChange(t *testing.T, a map[string]any) (string, map[string][2]any) {
	t.Helper()
	nodes := get(a, "history.nodes").([]any)
	last := nodes[len(nodes)-1]
	out := map[string][2]any{}
	for _, c := range get(last, "changes").([]any) {
		out[str(c, "field")] = [2]any{get(c, "from"), get(c, "to")}
	}
	return str(last, "action"), out
}

// TestCostEntryAPIPurchaseFromAsset: the asset's purchase price IS its
// PURCHASE entry: every asset writer (here createAsset and updateAsset)
// keeps the entry in step, through migration 00012's trigger.
func TestCostEntryAPIPurchaseFromAsset(t *testing.T) {
	l := newLedAPI(t)
	asset := l.newAsset(l.admin, map[string]any{"purchasePrice": ledMoney("1299.99", "USD"), "purchaseDate": "2025-02-03"})
	_, ps := l.ledPurchase(asset)
	require.Len(t, ps, 1, "createAsset with a price books the PURCHASE entry")
	require.Equal(t, "1299.99", str(ps[0], "amount.amount"))
	require.Equal(t, "USD", str(ps[0], "amount.currency"))
	require.Equal(t, "2025-02-03", str(ps[0], "date"))

	const update = `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { version } } }`
	l.ok(l.admin, update, map[string]any{"in": map[string]any{"id": asset, "version": 1, "purchasePrice": ledMoney("1100", "EUR"), "purchaseDate": "2025-02-04"}})
	_, ps = l.ledPurchase(asset)
	require.Len(t, ps, 1)
	require.Equal(t, "1100.00", str(ps[0], "amount.amount"))
	require.Equal(t, "EUR", str(ps[0], "amount.currency"))
	require.Equal(t, "2025-02-04", str(ps[0], "date"))

	l.ok(l.admin, update, map[string]any{"in": map[string]any{"id": asset, "version": 2, "purchasePrice": nil}})
	a, ps := l.ledPurchase(asset)
	require.Empty(t, ps, "clearing the price deletes the entry")
	require.EqualValues(t, 0, get(a, "costEntries.totalCount"))
}

// TestCostEntryAPIPurchaseFromLedger: booking, editing, re-kinding and
// deleting an asset's PURCHASE entry sets or clears the asset's purchase
// price and date in the same transaction, with a new asset version and an
// asset history entry naming the changed fields.
func TestCostEntryAPIPurchaseFromLedger(t *testing.T) {
	l := newLedAPI(t)
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	price := func(a map[string]any) any { return get(a, "purchasePrice") }

	e := l.createEntry(manager, map[string]any{"kind": "PURCHASE", "date": "2025-03-04", "amount": ledMoney("12.345", "BHD")})
	a, ps := l.ledPurchase(l.asset)
	require.Len(t, ps, 1)
	require.Equal(t, map[string]any{"amount": "12.345", "currency": "BHD"}, price(a))
	require.Equal(t, "2025-03-04", str(a, "purchaseDate"), "the purchase date is the entry's")
	require.EqualValues(t, 2, a["version"], "the asset's version moves")
	action, changes := lastAssetChange(t, a)
	require.Equal(t, "UPDATE", action)
	require.Equal(t, map[string][2]any{
		"purchasePrice": {nil, map[string]any{"amount": "12.345", "currency": "BHD"}},
		"purchaseDate":  {nil, "2025-03-04"},
	}, changes)
	require.EqualValues(t, 1, get(ps[0], "version"), "the trigger found the entry already equal")

	// A second PURCHASE for the asset is refused and writes nothing.
	n, h := l.rows("cost_entries"), l.rows("cost_history")
	l.code(manager, ledCreateQ, map[string]any{"in": map[string]any{"assetId": l.asset, "kind": "PURCHASE", "date": "2025-03-05",
		"amount": ledMoney("1", "USD")}}, "CONFLICT", "kind")
	require.Equal(t, n, l.rows("cost_entries"))
	require.Equal(t, h, l.rows("cost_history"))

	l.ok(manager, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 1, "amount": ledMoney("150000", "JPY"), "date": "2025-03-06"}})
	a, _ = l.ledPurchase(l.asset)
	require.Equal(t, map[string]any{"amount": "150000", "currency": "JPY"}, price(a))
	require.Equal(t, "2025-03-06", str(a, "purchaseDate"))
	require.EqualValues(t, 3, a["version"])
	_, changes = lastAssetChange(t, a)
	require.Equal(t, [2]any{"2025-03-04", "2025-03-06"}, changes["purchaseDate"])

	// An edit that leaves amount and date alone leaves the asset alone.
	l.ok(manager, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 2, "notes": "via reseller"}})
	a, _ = l.ledPurchase(l.asset)
	require.EqualValues(t, 3, a["version"])

	// No longer the purchase: the asset's price goes; back again: it returns.
	l.ok(manager, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 3, "kind": "REPAIR"}})
	a, ps = l.ledPurchase(l.asset)
	require.Nil(t, price(a))
	require.Nil(t, get(a, "purchaseDate"))
	require.Empty(t, ps)
	require.EqualValues(t, 1, get(a, "costEntries.totalCount"), "the entry stays, as a repair")
	l.ok(manager, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 4, "kind": "PURCHASE"}})
	a, _ = l.ledPurchase(l.asset)
	require.Equal(t, map[string]any{"amount": "150000", "currency": "JPY"}, price(a))

	// The asset side then edits the same entry through the trigger.
	const update = `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { version } } }`
	l.ok(l.admin, update, map[string]any{"in": map[string]any{"id": l.asset, "version": a["version"], "purchasePrice": ledMoney("140000", "JPY")}})
	_, ps = l.ledPurchase(l.asset)
	require.Len(t, ps, 1)
	require.Equal(t, e["id"], ps[0]["id"], "one fact, one entry")
	require.Equal(t, "140000", str(ps[0], "amount.amount"))

	l.ok(manager, ledDeleteQ, map[string]any{"id": e["id"]})
	a, ps = l.ledPurchase(l.asset)
	require.Nil(t, price(a))
	require.Nil(t, get(a, "purchaseDate"))
	require.Empty(t, ps)
	action, changes = lastAssetChange(t, a)
	require.Equal(t, "UPDATE", action)
	require.Equal(t, [2]any{map[string]any{"amount": "140000", "currency": "JPY"}, nil}, changes["purchasePrice"])

	// A license's PURCHASE touches no asset.
	l.createEntry(manager, map[string]any{"licenseId": l.licenseOf("acme"), "kind": "PURCHASE", "date": "2025-01-01", "amount": ledMoney("10", "USD")})
	a, _ = l.ledPurchase(l.asset)
	require.Nil(t, price(a))
}
