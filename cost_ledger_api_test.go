package main

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// ledAPI is the API with the owner's pool (to count rows as nobody's
// tenant), acme's admin and reference records, and one asset.
type ledAPI struct {
	*api
	owner *pgxpool.Pool
	admin string
	ids   map[string]string
	asset string
}

func newLedAPI(t *testing.T) *ledAPI {
	t.Helper()
	t.Parallel()
	a := newAPI(t)
	l := &ledAPI{api: a, owner: a.owner(), admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test")}
	l.ids = a.inventory(l.admin)
	l.asset = l.newAsset(l.admin, nil)
	return l
}

// newAsset creates an asset of acme's model (with extra input) and returns its id.
func (l *ledAPI) newAsset(tok string, extra map[string]any) string {
	l.t.Helper()
	in := map[string]any{"modelId": l.ids["model"]}
	for k, v := range extra {
		in[k] = v
	}
	return str(l.ok(tok, createAsset, map[string]any{"in": in}), "createAsset.asset.id")
}

// rows counts a table's rows of every organization, as the owner.
func (l *ledAPI) rows(table string) int {
	l.t.Helper()
	var n int
	require.NoError(l.t, l.owner.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

const ledEntrySelection = `id kind date amount { amount currency } asset { id } license { id } supplier { id }
	invoiceReference notes version`

const (
	ledCreateQ  = `mutation($in: CreateCostEntryInput!) { createCostEntry(input: $in) { costEntry { ` + ledEntrySelection + ` } } }`
	ledUpdateQ  = `mutation($in: UpdateCostEntryInput!) { updateCostEntry(input: $in) { costEntry { ` + ledEntrySelection + ` } } }`
	ledDeleteQ  = `mutation($id: ID!, $v: Int) { deleteCostEntry(input: {id: $id, version: $v}) { deletedId } }`
	ledHistoryQ = `query($id: ID!) { costHistory(id: $id) { totalCount nodes { action actor changes { field from to } } } }`
)

func ledMoney(amount, currency string) map[string]any {
	return map[string]any{"amount": amount, "currency": currency}
}

// createEntry books a cost with in (against acme's asset unless in names a
// target) and returns the entry.
func (l *ledAPI) createEntry(tok string, in map[string]any) map[string]any {
	l.t.Helper()
	if in["assetId"] == nil && in["licenseId"] == nil && in["contractId"] == nil {
		in["assetId"] = l.asset
	}
	return get(l.ok(tok, ledCreateQ, map[string]any{"in": in}), "createCostEntry.costEntry").(map[string]any)
}

// TestCostEntryAPIRoundTrip: entries are booked, read, changed and deleted
// to the exact amount in currencies of 2, 0 and 3 minor units, each change
// recorded in the entry's history, which outlives the entry.
func TestCostEntryAPIRoundTrip(t *testing.T) {
	l := newLedAPI(t)
	for _, tc := range []struct{ amount, currency, want string }{
		{"120.45", "usd", "120.45"},
		{"150000", "JPY", "150000"},
		// itam.ValidateMoney accepts up to 4 places whatever the currency
		// (numeric(18,4), like assets.purchase_price, which is this same
		// fact): the ledger keeps what the invoice says, and reports round
		// to the minor unit. 1.5 JPY is kept exactly, not rounded.
		{"1.5", "JPY", "1.5"},
		{"12.345", "BHD", "12.345"},
		{"0.0001", "BHD", "0.0001"},
	} {
		e := l.createEntry(l.admin, map[string]any{"kind": "REPAIR", "date": "2025-03-01", "amount": ledMoney(tc.amount, tc.currency),
			"supplierId": l.ids["supplier"], "invoiceReference": " INV-1 ", "notes": "screen"})
		require.Equal(t, tc.want, str(e, "amount.amount"), tc.amount)
		require.Equal(t, strings.ToUpper(tc.currency), str(e, "amount.currency"))
		require.Equal(t, "2025-03-01", str(e, "date"))
		require.Equal(t, l.asset, str(e, "asset.id"))
		require.Equal(t, l.ids["supplier"], str(e, "supplier.id"))
		require.Equal(t, "INV-1", str(e, "invoiceReference"), "trimmed")
		require.EqualValues(t, 1, e["version"])
		d := l.ok(l.admin, `query($id: ID!) { node(id: $id) { ... on CostEntry { amount { amount currency } } } }`, map[string]any{"id": e["id"]})
		require.Equal(t, tc.want, str(d, "node.amount.amount"), "read back exactly")
	}

	e := l.createEntry(l.admin, map[string]any{"kind": "MAINTENANCE", "date": "2025-04-01", "amount": ledMoney("99.99", "EUR"), "notes": "visit"})
	d := l.ok(l.admin, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 1, "amount": ledMoney("100.01", "EUR"),
		"date": "2025-04-02", "notes": nil, "supplierId": l.ids["supplier"]}})
	u := get(d, "updateCostEntry.costEntry").(map[string]any)
	require.Equal(t, "100.01", str(u, "amount.amount"))
	require.Equal(t, "2025-04-02", str(u, "date"))
	require.Nil(t, u["notes"], "null clears")
	require.Equal(t, "MAINTENANCE", str(u, "kind"), "absent stays")
	require.EqualValues(t, 2, u["version"])
	// The same patch again changes nothing and writes nothing.
	h := l.rows("cost_history")
	d = l.ok(l.admin, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 2, "amount": ledMoney("100.01", "eur")}})
	require.EqualValues(t, 2, get(d, "updateCostEntry.costEntry.version"))
	require.Equal(t, h, l.rows("cost_history"))
	l.code(l.admin, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 1, "notes": "late"}}, "CONFLICT", "version")

	l.ok(l.admin, ledDeleteQ, map[string]any{"id": e["id"], "v": 2})
	require.Nil(t, l.ok(l.admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": e["id"]})["node"])
	l.code(l.admin, ledDeleteQ, map[string]any{"id": e["id"]}, "NOT_FOUND", "")

	// The history outlives the entry: CREATE, UPDATE (what changed, from → to), DELETE.
	d = l.ok(mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), ledHistoryQ, map[string]any{"id": e["id"]})
	require.EqualValues(t, 3, get(d, "costHistory.totalCount"))
	require.Equal(t, "CREATE", str(d, "costHistory.nodes.0.action"))
	require.Equal(t, "admin@acme.test", str(d, "costHistory.nodes.0.actor"))
	require.Equal(t, "UPDATE", str(d, "costHistory.nodes.1.action"))
	changes := map[string][2]any{}
	for _, c := range get(d, "costHistory.nodes.1.changes").([]any) {
		changes[str(c, "field")] = [2]any{get(c, "from"), get(c, "to")}
	}
	require.Equal(t, map[string][2]any{
		"amount":     {map[string]any{"amount": "99.99", "currency": "EUR"}, map[string]any{"amount": "100.01", "currency": "EUR"}},
		"date":       {"2025-04-01", "2025-04-02"},
		"notes":      {"visit", nil},
		"supplierId": {nil, l.ids["supplier"]}, // a reference reads as its global id
	}, changes)
	require.Equal(t, "DELETE", str(d, "costHistory.nodes.2.action"))

	// CostEntry.history reads the same entries while the entry exists.
	k := l.createEntry(l.admin, map[string]any{"kind": "OTHER", "date": "2025-05-01", "amount": ledMoney("1", "USD")})
	d = l.ok(l.admin, `query($id: ID!) { node(id: $id) { ... on CostEntry { history { totalCount nodes { action changes { field to } } } } } }`,
		map[string]any{"id": k["id"]})
	require.EqualValues(t, 1, get(d, "node.history.totalCount"))
	require.Equal(t, "CREATE", str(d, "node.history.nodes.0.action"))
}

// TestCostEntryAPIBadInput: what the caller sent wrong is BAD_USER_INPUT
// (or NOT_FOUND for an unknown record) naming the field, and writes
// nothing: no entry, no history.
func TestCostEntryAPIBadInput(t *testing.T) {
	l := newLedAPI(t)
	license := l.licenseOf("acme")
	base := func() map[string]any {
		return map[string]any{"assetId": l.asset, "kind": "REPAIR", "date": "2025-03-01", "amount": ledMoney("10", "USD")}
	}
	with := func(f func(map[string]any)) map[string]any { in := base(); f(in); return in }
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	theirs := str(l.ok(globex, `mutation { createSupplier(input: {name: "Globex supply"}) { supplier { id } } }`, nil), "createSupplier.supplier.id")
	tests := []struct {
		name, code, field string
		in                map[string]any
	}{
		{"negative amount", "BAD_USER_INPUT", "amount.amount", with(func(in map[string]any) { in["amount"] = ledMoney("-0.01", "USD") })},
		{"five decimals", "BAD_USER_INPUT", "amount.amount", with(func(in map[string]any) { in["amount"] = ledMoney("1.00001", "USD") })},
		{"too large", "BAD_USER_INPUT", "amount.amount", with(func(in map[string]any) { in["amount"] = ledMoney("100000000000000", "USD") })},
		{"unknown currency", "BAD_USER_INPUT", "amount.currency", with(func(in map[string]any) { in["amount"] = ledMoney("1", "XYZ") })},
		{"not a decimal", "BAD_USER_INPUT", "amount.amount", with(func(in map[string]any) { in["amount"] = ledMoney("ten", "USD") })},
		{"no target", "BAD_USER_INPUT", "assetId", with(func(in map[string]any) { delete(in, "assetId") })},
		{"two targets", "BAD_USER_INPUT", "assetId", with(func(in map[string]any) { in["licenseId"] = license })},
		{"long invoice reference", "BAD_USER_INPUT", "invoiceReference", with(func(in map[string]any) { in["invoiceReference"] = strings.Repeat("r", 256) })},
		{"long notes", "BAD_USER_INPUT", "notes", with(func(in map[string]any) { in["notes"] = strings.Repeat("n", itam.MaxTextLength+1) })},
		{"NUL in notes", "BAD_USER_INPUT", "notes", with(func(in map[string]any) { in["notes"] = "a\x00b" })},
		{"malformed asset id", "BAD_USER_INPUT", "assetId", with(func(in map[string]any) { in["assetId"] = "nope" })},
		{"a license id as asset", "BAD_USER_INPUT", "assetId", with(func(in map[string]any) { in["assetId"] = license })},
		{"another org's supplier", "NOT_FOUND", "supplierId", with(func(in map[string]any) { in["supplierId"] = theirs })},
		{"another org's license", "NOT_FOUND", "licenseId", with(func(in map[string]any) { delete(in, "assetId"); in["licenseId"] = l.licenseOf("globex") })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, h := l.rows("cost_entries"), l.rows("cost_history")
			l.code(l.admin, ledCreateQ, map[string]any{"in": tt.in}, tt.code, tt.field)
			require.Equal(t, n, l.rows("cost_entries"), "nothing written")
			require.Equal(t, h, l.rows("cost_history"), "no history")
		})
	}

	e := l.createEntry(l.admin, base())
	for _, tt := range []struct {
		name, code, field string
		in                map[string]any
	}{
		{"negative amount", "BAD_USER_INPUT", "amount.amount", map[string]any{"amount": ledMoney("-1", "USD")}},
		{"unknown currency", "BAD_USER_INPUT", "amount.currency", map[string]any{"amount": ledMoney("1", "ABC")}},
		{"long invoice reference", "BAD_USER_INPUT", "invoiceReference", map[string]any{"invoiceReference": strings.Repeat("r", 256)}},
		{"another org's supplier", "NOT_FOUND", "supplierId", map[string]any{"supplierId": theirs}},
		{"stale version", "CONFLICT", "version", map[string]any{"version": 7, "notes": "x"}},
		{"malformed id", "BAD_USER_INPUT", "id", map[string]any{"id": "nope"}},
	} {
		t.Run("update "+tt.name, func(t *testing.T) {
			in := map[string]any{"id": e["id"], "version": 1}
			for k, v := range tt.in {
				in[k] = v
			}
			h := l.rows("cost_history")
			l.code(l.admin, ledUpdateQ, map[string]any{"in": in}, tt.code, tt.field)
			require.Equal(t, h, l.rows("cost_history"), "no history")
			d := l.ok(l.admin, `query($id: ID!) { node(id: $id) { ... on CostEntry { version amount { amount } } } }`, map[string]any{"id": e["id"]})
			require.EqualValues(t, 1, get(d, "node.version"), "unchanged")
			require.Equal(t, "10.00", str(d, "node.amount.amount"))
		})
	}
	l.code(l.admin, ledDeleteQ, map[string]any{"id": e["id"], "v": 9}, "CONFLICT", "version")
	l.code(l.admin, ledHistoryQ, map[string]any{"id": "nope"}, "BAD_USER_INPUT", "id")
	l.code(l.admin, ledHistoryQ, map[string]any{"id": l.asset}, "BAD_USER_INPUT", "id")
}

// licenseOf adds a license to org (as the owner: licenses are another
// part's) and returns its id.
func (l *ledAPI) licenseOf(org string) string {
	l.t.Helper()
	ctx := context.Background()
	orgID := l.orgID(org)
	product := insertProduct(l.t, l.owner, orgID, org+" ledger publisher "+uuid.NewString(), "ledger product")
	var id uuid.UUID
	require.NoError(l.t, l.owner.QueryRow(ctx, `INSERT INTO licenses (org_id, product_id, license_model) VALUES ($1, $2, 'SITE') RETURNING id`,
		orgID, product).Scan(&id))
	return relay.ID(relay.TypeLicense, id)
}

// orgID is an organization's id by slug.
func (l *ledAPI) orgID(slug string) uuid.UUID {
	l.t.Helper()
	var id uuid.UUID
	require.NoError(l.t, l.owner.QueryRow(context.Background(), `SELECT id FROM organizations WHERE slug = $1`, slug).Scan(&id))
	return id
}
