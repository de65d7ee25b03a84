package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// ctrAPI is the API with acme's reference records, a few assets and the
// owner's pool (for rows the money helpers' other slices write).
type ctrAPI struct {
	*api
	owner *pgxpool.Pool
	admin string
	ids   map[string]string
	org   uuid.UUID
}

func newCtrAPI(t *testing.T) *ctrAPI {
	t.Helper()
	t.Parallel()
	a := newAPI(t)
	c := &ctrAPI{api: a, owner: a.owner(), admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test")}
	c.ids = a.inventory(c.admin)
	c.org = a.orgID(c.admin)
	return c
}

// asset creates an asset of acme's model with the extra input fields.
func (c *ctrAPI) asset(extra map[string]any) string {
	c.t.Helper()
	in := map[string]any{"modelId": c.ids["model"]}
	for k, v := range extra {
		in[k] = v
	}
	return str(c.ok(c.admin, createAsset, map[string]any{"in": in}), "createAsset.asset.id")
}

const ctrCreateQ = `mutation($in: CreateContractInput!) { createContract(input: $in) { contract {
	id kind number start end version supplier { id } charges { amount { amount currency } every start end } } } }`

// contract creates a contract as admin and returns its id.
func (c *ctrAPI) contract(in map[string]any) string {
	c.t.Helper()
	return str(c.ok(c.admin, ctrCreateQ, map[string]any{"in": in}), "createContract.contract.id")
}

// rows counts a table's rows of every organization, as the owner.
func (c *ctrAPI) rows(table string) int {
	c.t.Helper()
	var n int
	require.NoError(c.t, c.owner.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

func ctrMoney(amount, currency string) map[string]any {
	return map[string]any{"amount": amount, "currency": currency}
}

func ctrMonthly(amount, currency string) map[string]any {
	return map[string]any{"amount": ctrMoney(amount, currency), "every": "MONTH"}
}

// TestContractCreateUpdateDeleteHistory: a contract is created with its
// charges and coverage, updated under its version (lists replaced whole, a
// stale version refused), deleted; each change is one history entry
// recording the terms, the charges and the coverage as counts and ids.
func TestContractCreateUpdateDeleteHistory(t *testing.T) {
	c := newCtrAPI(t)
	a1, a2, a3 := c.asset(nil), c.asset(nil), c.asset(nil)
	d := c.ok(c.admin, ctrCreateQ, map[string]any{"in": map[string]any{
		"kind": "SUPPORT", "supplierId": c.ids["supplier"], "number": " SUP-1 ", "start": "2025-01-01", "end": "2025-12-31",
		"assetIds": []string{a1, a2}, "charges": []any{ctrMonthly("100.00", "eur")}, "notes": "gold",
	}})
	id := str(d, "createContract.contract.id")
	require.Equal(t, "SUP-1", str(d, "createContract.contract.number"))
	require.Equal(t, c.ids["supplier"], str(d, "createContract.contract.supplier.id"))
	require.Equal(t, "EUR", str(d, "createContract.contract.charges.0.amount.currency"))
	require.Equal(t, float64(1), get(d, "createContract.contract.version"))

	const read = `query($id: ID!) { node(id: $id) { ... on Contract { version coveredAssets { totalCount nodes { id } }
		history { totalCount nodes { action actor changes { field from to } } } } } }`
	d = c.ok(c.admin, read, map[string]any{"id": id})
	require.Equal(t, float64(2), get(d, "node.coveredAssets.totalCount"))
	require.Equal(t, float64(1), get(d, "node.history.totalCount"))
	created := ctrChanges(get(d, "node.history.nodes.0"))
	require.JSONEq(t, `2`, created["assetCount"])
	require.JSONEq(t, `"SUPPORT"`, created["kind"])
	require.Contains(t, created["charges"], `"every":"MONTH"`)
	require.Contains(t, created["assetsAdded"], ctrID(a1).String())

	const update = `mutation($in: UpdateContractInput!) { updateContract(input: $in) { contract { version number end
		coveredAssets { totalCount } charges { amount { amount } } } } }`
	d = c.ok(c.admin, update, map[string]any{"in": map[string]any{"id": id, "version": 1, "number": nil, "end": "2026-12-31",
		"assetIds": []string{a2, a3}}})
	require.Equal(t, float64(2), get(d, "updateContract.contract.version"))
	require.Nil(t, get(d, "updateContract.contract.number"))
	require.Equal(t, float64(2), get(d, "updateContract.contract.coveredAssets.totalCount"))
	require.Equal(t, "100.00", str(d, "updateContract.contract.charges.0.amount.amount"), "charges not given stay")
	c.code(c.admin, update, map[string]any{"in": map[string]any{"id": id, "version": 1, "notes": "x"}}, "CONFLICT", "version")
	// Changing nothing writes nothing.
	d = c.ok(c.admin, update, map[string]any{"in": map[string]any{"id": id, "version": 2, "end": "2026-12-31"}})
	require.Equal(t, float64(2), get(d, "updateContract.contract.version"))

	d = c.ok(c.admin, read, map[string]any{"id": id})
	require.Equal(t, float64(2), get(d, "node.history.totalCount"))
	updated := ctrChanges(get(d, "node.history.nodes.1"))
	require.Contains(t, updated["assetsAdded"], ctrID(a3).String())
	require.Contains(t, updated["assetsRemoved"], ctrID(a1).String())
	require.NotContains(t, updated, "assetCount", "two for two: the count is unchanged")
	require.Contains(t, updated, "number")
	require.Contains(t, updated, "end")

	// Its ledger entries go with it; the history stays, closed by DELETE.
	_, cid, _ := relay.Parse(id)
	var entry uuid.UUID
	require.NoError(t, c.owner.QueryRow(context.Background(), `INSERT INTO cost_entries (org_id, contract_id, kind, entry_date, amount, currency)
		VALUES ($1, $2, 'OTHER', '2025-02-01', 50, 'EUR') RETURNING id`, c.org, cid).Scan(&entry))
	c.code(c.admin, `mutation($id: ID!) { deleteContract(input: {id: $id, version: 1}) { deletedId } }`, map[string]any{"id": id}, "CONFLICT", "version")
	d = c.ok(c.admin, `mutation($id: ID!) { deleteContract(input: {id: $id, version: 2}) { deletedId } }`, map[string]any{"id": id})
	require.Equal(t, id, str(d, "deleteContract.deletedId"))
	require.Zero(t, c.rows("contracts"))
	require.Zero(t, c.rows("contract_assets"))
	require.Zero(t, c.rows("contract_charges"))
	require.Zero(t, c.rows("cost_entries WHERE contract_id IS NOT NULL"))
	var action string
	var changes map[string]map[string]any
	require.NoError(t, c.owner.QueryRow(context.Background(), `SELECT action, changes FROM cost_history WHERE entity_id = $1 ORDER BY id DESC LIMIT 1`, cid).
		Scan(&action, &changes))
	require.Equal(t, "DELETE", action)
	require.EqualValues(t, 1, changes["costEntryCount"]["from"])
	require.EqualValues(t, 2, changes["assetCount"]["from"])
	require.Nil(t, get(c.ok(c.admin, read, map[string]any{"id": id}), "node"))
	// The entry that went with it has its own DELETE, with what it was.
	d = c.ok(c.admin, `query($id: ID!) { costHistory(id: $id) { nodes { action changes { field from } } } }`,
		map[string]any{"id": relay.ID(relay.TypeCostEntry, entry)})
	require.Len(t, get(d, "costHistory.nodes"), 1)
	require.Equal(t, "DELETE", str(d, "costHistory.nodes.0.action"))
	require.Contains(t, ctrChanges(get(d, "costHistory.nodes.0"))["amount"], "50")
}

// changesOf maps a history entry's changes by field to "from → to" JSON.
func ctrChanges(entry any) map[string]string {
	out := map[string]string{}
	for _, ch := range get(entry, "changes").([]any) {
		m := ch.(map[string]any)
		from, to := ctrJSON(m["from"]), ctrJSON(m["to"])
		out[m["field"].(string)] = to
		if m["to"] == nil {
			out[m["field"].(string)] = from
		}
	}
	return out
}

func ctrJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ctrID(global string) uuid.UUID {
	_, id, _ := relay.Parse(global)
	return id
}

// TestContractBadInput: every refused input names its field, and nothing
// is written: no contract, charge, coverage or history row.
func TestContractBadInput(t *testing.T) {
	c := newCtrAPI(t)
	a1 := c.asset(nil)
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	gids := c.inventory(globex)
	theirs := str(c.ok(globex, createAsset, map[string]any{"in": map[string]any{"modelId": gids["model"]}}), "createAsset.asset.id")
	unknown := relay.ID(relay.TypeAsset, uuid.New())
	base := func(f func(in map[string]any)) map[string]any {
		in := map[string]any{"kind": "MAINTENANCE", "start": "2025-01-01", "end": "2025-12-31", "assetIds": []string{a1},
			"charges": []any{ctrMonthly("10", "EUR")}}
		f(in)
		return in
	}
	manyLicenses := make([]string, 1001)
	for i := range manyLicenses {
		manyLicenses[i] = relay.ID(relay.TypeLicense, uuid.New())
	}
	tests := []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"end before start", base(func(in map[string]any) { in["end"] = "2024-12-31" }), "BAD_USER_INPUT", "end"},
		{"negative charge", base(func(in map[string]any) { in["charges"] = []any{ctrMonthly("-1", "EUR")} }), "BAD_USER_INPUT", "charges[0].amount.amount"},
		{"unknown currency", base(func(in map[string]any) { in["charges"] = []any{ctrMonthly("1", "EURO")} }), "BAD_USER_INPUT", "charges[0].amount.currency"},
		{"charge before the contract", base(func(in map[string]any) {
			in["charges"] = []any{ctrMonthly("1", "EUR"), map[string]any{"amount": ctrMoney("1", "EUR"), "every": "YEAR", "start": "2024-06-01"}}
		}), "BAD_USER_INPUT", "charges[1].start"},
		{"charge after the contract", base(func(in map[string]any) {
			in["charges"] = []any{map[string]any{"amount": ctrMoney("1", "EUR"), "every": "QUARTER", "start": "2026-01-01"}}
		}), "BAD_USER_INPUT", "charges[0].start"},
		{"asset twice", base(func(in map[string]any) { in["assetIds"] = []string{a1, a1} }), "BAD_USER_INPUT", "assetIds"},
		{"too many licenses", base(func(in map[string]any) { in["licenseIds"] = manyLicenses }), "BAD_USER_INPUT", "licenseIds"},
		{"unknown asset", base(func(in map[string]any) { in["assetIds"] = []string{a1, unknown} }), "NOT_FOUND", "assetIds[1]"},
		{"another organization's asset", base(func(in map[string]any) { in["assetIds"] = []string{theirs} }), "NOT_FOUND", "assetIds[0]"},
		{"another organization's supplier", base(func(in map[string]any) { in["supplierId"] = gids["supplier"] }), "NOT_FOUND", "supplierId"},
		{"unknown license", base(func(in map[string]any) { in["licenseIds"] = manyLicenses[:1] }), "NOT_FOUND", "licenseIds[0]"},
	}
	for _, tc := range tests {
		c.code(c.admin, ctrCreateQ, map[string]any{"in": tc.in}, tc.code, tc.field)
	}
	for _, table := range []string{"contracts", "contract_charges", "contract_assets", "contract_licenses", "cost_history"} {
		require.Zero(t, c.rows(table), table)
	}

	// The same on update: refused, the contract as it was.
	id := c.contract(base(func(map[string]any) {}))
	const update = `mutation($in: UpdateContractInput!) { updateContract(input: $in) { contract { version } } }`
	for _, tc := range []struct {
		in          map[string]any
		code, field string
	}{
		{map[string]any{"end": "2024-01-01"}, "BAD_USER_INPUT", "end"},
		{map[string]any{"charges": []any{ctrMonthly("-5", "EUR")}}, "BAD_USER_INPUT", "charges[0].amount.amount"},
		{map[string]any{"renewalDate": "2024-01-01"}, "BAD_USER_INPUT", "renewalDate"},
		{map[string]any{"charges": []any{map[string]any{"amount": ctrMoney("1", "EUR"), "every": "MONTH", "start": "2026-01-01"}}}, "BAD_USER_INPUT", "charges[0].start"},
		{map[string]any{"assetIds": []string{theirs}}, "NOT_FOUND", "assetIds[0]"},
		{map[string]any{"supplierId": gids["supplier"]}, "NOT_FOUND", "supplierId"},
	} {
		tc.in["id"], tc.in["version"] = id, 1
		c.code(c.admin, update, map[string]any{"in": tc.in}, tc.code, tc.field)
	}
	require.Equal(t, 1, c.rows("cost_history"))
	require.Equal(t, 1, c.rows("contract_assets"))
	d := c.ok(c.admin, `query($id: ID!) { node(id: $id) { ... on Contract { version end } } }`, map[string]any{"id": id})
	require.Equal(t, float64(1), get(d, "node.version"))
	require.Equal(t, "2025-12-31", str(d, "node.end"))
}

// TestContractRoles: ADMIN and MANAGER write, AUDITOR reads, EMPLOYEE gets
// FORBIDDEN on every contract query, field and mutation, and null from
// node(id:); expectedEndOfLife reveals no money and stays readable.
func TestContractRoles(t *testing.T) {
	c := newCtrAPI(t)
	asset := c.asset(map[string]any{"assigneeId": c.ids["ada"], "purchaseDate": "2024-03-15"})
	_, lic := ctrLicense(c, "PER_DEVICE", map[string]any{"seats": 5})
	c.ok(c.admin, `mutation($l: ID!, $a: ID!) { assignLicenseSeat(input: {licenseId: $l, assetId: $a}) { seat { id } } }`,
		map[string]any{"l": lic, "a": asset})
	id := c.contract(map[string]any{"kind": "LEASE", "start": "2024-01-01", "end": "2026-06-30", "assetIds": []string{asset},
		"licenseIds": []string{lic}})
	const del = `mutation($id: ID!) { deleteContract(input: {id: $id}) { deletedId } }`
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager} {
		tok := mint(t, "acme", role, "staff@acme.test")
		made := str(c.ok(tok, ctrCreateQ, map[string]any{"in": map[string]any{"kind": "SUPPORT", "start": "2025-01-01"}}), "createContract.contract.id")
		c.ok(tok, `mutation($id: ID!) { updateContract(input: {id: $id, version: 1, notes: "n"}) { contract { id } } }`, map[string]any{"id": made})
		c.ok(tok, del, map[string]any{"id": made})
	}
	reads := []string{
		`{ contracts { totalCount nodes { id } } }`,
		`query($a: ID!) { node(id: $a) { ... on Asset { contracts { id } } } }`,
		`query($a: ID!) { node(id: $a) { ... on Asset { totalCostOfOwnership { total { amount } } } } }`,
		`query($l: ID!) { node(id: $l) { ... on License { contracts { id } } } }`,
	}
	vars := map[string]any{"a": asset, "l": lic}
	auditor := mint(t, "acme", itam.RoleAuditor, "audit@acme.test")
	for _, q := range reads {
		c.ok(auditor, q, vars)
	}
	d := c.ok(auditor, `query($id: ID!) { node(id: $id) { ... on Contract { id coveredAssets { totalCount } coveredLicenses { totalCount } } } }`, map[string]any{"id": id})
	require.Equal(t, float64(1), get(d, "node.coveredLicenses.totalCount"))
	c.code(auditor, ctrCreateQ, map[string]any{"in": map[string]any{"kind": "SUPPORT", "start": "2025-01-01"}}, "FORBIDDEN", "")
	c.code(auditor, del, map[string]any{"id": id}, "FORBIDDEN", "")

	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	for _, q := range reads {
		c.code(ada, q, vars, "FORBIDDEN", "")
	}
	c.code(ada, ctrCreateQ, map[string]any{"in": map[string]any{"kind": "SUPPORT", "start": "2025-01-01"}}, "FORBIDDEN", "")
	c.code(ada, `mutation($id: ID!) { updateContract(input: {id: $id, version: 1, notes: "n"}) { contract { id } } }`, map[string]any{"id": id}, "FORBIDDEN", "")
	c.code(ada, del, map[string]any{"id": id}, "FORBIDDEN", "")
	require.Nil(t, get(c.ok(ada, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}), "node"))
	// Her own asset's expected end of life is hers to read: the lease's end.
	d = c.ok(ada, `query($a: ID!) { node(id: $a) { ... on Asset { expectedEndOfLife } } }`, vars)
	require.Equal(t, "2026-06-30", str(d, "node.expectedEndOfLife"))
	require.Equal(t, 1, c.rows("contracts"))
}

// TestContractCrossOrg: another organization sees none of acme's
// contracts, by list, node or coverage, and cannot change them.
func TestContractCrossOrg(t *testing.T) {
	c := newCtrAPI(t)
	asset := c.asset(nil)
	id := c.contract(map[string]any{"kind": "SUPPORT", "start": "2025-01-01", "assetIds": []string{asset}, "charges": []any{ctrMonthly("5", "EUR")}})
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	d := c.ok(globex, `{ contracts { totalCount nodes { id } } }`, nil)
	require.Equal(t, float64(0), get(d, "contracts.totalCount"))
	require.Nil(t, get(c.ok(globex, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}), "node"))
	c.code(globex, `mutation($id: ID!) { updateContract(input: {id: $id, version: 1, notes: "x"}) { contract { id } } }`, map[string]any{"id": id}, "NOT_FOUND", "")
	c.code(globex, `mutation($id: ID!) { deleteContract(input: {id: $id}) { deletedId } }`, map[string]any{"id": id}, "NOT_FOUND", "")
	d = c.ok(globex, `query($a: ID!) { contracts(filter: {assetId: $a}) { totalCount } }`, map[string]any{"a": asset})
	require.Equal(t, float64(0), get(d, "contracts.totalCount"))
	require.Equal(t, 1, c.rows("contracts"))
	require.Equal(t, float64(1), get(c.ok(c.admin, `{ contracts { totalCount } }`, nil), "contracts.totalCount"))
}

// TestContractCostLinesAcrossBoundaries: monthly, quarterly and yearly
// charges starting on month ends fall due on clamped days across month,
// quarter, year and leap-year boundaries, computed on read for the period
// asked; a period over ten years or ending before it starts is refused.
func TestContractCostLinesAcrossBoundaries(t *testing.T) {
	c := newCtrAPI(t)
	id := c.contract(map[string]any{"kind": "SUBSCRIPTION", "start": "2024-01-31", "end": "2025-03-31", "charges": []any{
		ctrMonthly("10.00", "EUR"),
		map[string]any{"amount": ctrMoney("30", "USD"), "every": "QUARTER", "start": "2024-11-30"},
		map[string]any{"amount": ctrMoney("1000", "JPY"), "every": "YEAR", "start": "2024-02-29"},
	}})
	const q = `query($id: ID!, $from: Date!, $to: Date!) { node(id: $id) { ... on Contract { costLines(from: $from, to: $to) {
		date kind charge amount { amount currency } } } } }`
	d := c.ok(c.admin, q, map[string]any{"id": id, "from": "2024-12-15", "to": "2025-03-31"})
	var got []string
	for _, l := range get(d, "node.costLines").([]any) {
		got = append(got, fmt.Sprintf("%s %v %s %s", str(l, "date"), get(l, "charge"), str(l, "amount.amount"), str(l, "amount.currency")))
		require.Equal(t, "SUBSCRIPTION", str(l, "kind"))
	}
	require.Equal(t, []string{
		"2024-12-31 0 10.00 EUR",
		"2025-01-31 0 10.00 EUR",
		"2025-02-28 0 10.00 EUR", // Jan 31 + 13 months, clamped
		"2025-02-28 1 30.00 USD", // Nov 30 + 3 months, clamped
		"2025-02-28 2 1000 JPY",  // Feb 29 + 1 year, clamped
		"2025-03-31 0 10.00 EUR",
	}, got)
	d = c.ok(c.admin, q, map[string]any{"id": id, "from": "2024-02-01", "to": "2024-03-31"})
	require.Equal(t, "2024-02-29", str(d, "node.costLines.0.date"), "leap year")
	require.Equal(t, "2024-02-29", str(d, "node.costLines.1.date"))
	require.Equal(t, "2024-03-31", str(d, "node.costLines.2.date"))
	require.Len(t, get(d, "node.costLines"), 3)
	c.code(c.admin, q, map[string]any{"id": id, "from": "2020-01-01", "to": "2030-12-31"}, "BAD_USER_INPUT", "to")
	c.code(c.admin, q, map[string]any{"id": id, "from": "2025-01-01", "to": "2024-12-31"}, "BAD_USER_INPUT", "to")
}

// TestContractLeaseEndsLife: an asset's expected end of life is placed in
// service + the model's useful life, until a lease covering it ends first
// (the latest lease end), and an explicit end of life wins over both.
func TestContractLeaseEndsLife(t *testing.T) {
	c := newCtrAPI(t)
	plain := c.asset(map[string]any{"purchaseDate": "2024-08-31"})
	leased := c.asset(map[string]any{"purchaseDate": "2024-08-31"})
	explicit := c.asset(map[string]any{"purchaseDate": "2024-08-31", "endOfLife": "2025-05-01"})
	c.contract(map[string]any{"kind": "LEASE", "start": "2024-09-01", "end": "2026-08-31", "assetIds": []string{leased, explicit}})
	c.contract(map[string]any{"kind": "LEASE", "start": "2024-09-01", "end": "2027-02-28", "assetIds": []string{leased}})
	c.contract(map[string]any{"kind": "SUPPORT", "start": "2024-09-01", "end": "2029-12-31", "assetIds": []string{plain}})
	d := c.ok(c.admin, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Asset { expectedEndOfLife } } }`,
		map[string]any{"ids": []string{plain, leased, explicit}})
	require.Equal(t, "2028-08-31", str(d, "nodes.0.expectedEndOfLife"), "purchase + 48 months; support contracts do not count")
	require.Equal(t, "2027-02-28", str(d, "nodes.1.expectedEndOfLife"), "the latest lease end")
	require.Equal(t, "2025-05-01", str(d, "nodes.2.expectedEndOfLife"), "explicit wins")
	noDate := c.asset(nil)
	d = c.ok(c.admin, `query($a: ID!) { node(id: $a) { ... on Asset { expectedEndOfLife } } }`, map[string]any{"a": noDate})
	require.Nil(t, get(d, "node.expectedEndOfLife"))
}

// newLicense creates a license of a new product with the extra input
// fields and returns its id and global id.
func ctrLicense(c *ctrAPI, model string, extra map[string]any) (uuid.UUID, string) {
	c.t.Helper()
	product := relay.ID(relay.TypeSoftwareProduct, insertProduct(c.t, c.owner, c.org, "Pub "+uuid.NewString(), "Product "+uuid.NewString()))
	in := map[string]any{"productId": product, "licenseModel": model}
	for k, v := range extra {
		in[k] = v
	}
	id := str(c.ok(c.admin, `mutation($in: CreateLicenseInput!) { createLicense(input: $in) { license { id } } }`, map[string]any{"in": in}), "createLicense.license.id")
	return ctrID(id), id
}

// TestContractListFilters: contracts list by start date with keyset pages
// and totalCount; each filter narrows it; bad filters name their field.
func TestContractListFilters(t *testing.T) {
	c := newCtrAPI(t)
	asset := c.asset(nil)
	_, lic := ctrLicense(c, "PER_USER", map[string]any{"seats": 2})
	soon := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	later := time.Now().UTC().AddDate(0, 0, 200).Format(time.DateOnly)
	lease := c.contract(map[string]any{"kind": "LEASE", "number": "L-77", "start": "2023-05-01", "end": "2030-04-30", "assetIds": []string{asset},
		"noticeDate": soon})
	support := c.contract(map[string]any{"kind": "SUPPORT", "supplierId": c.ids["supplier"], "start": "2024-01-01", "end": "2024-12-31",
		"notes": "Premium hotline", "licenseIds": []string{lic}})
	sub := c.contract(map[string]any{"kind": "SUBSCRIPTION", "start": "2025-01-01", "renewalDate": later, "noticeDate": later})

	const q = `query($f: ContractFilter, $first: Int, $after: String) { contracts(filter: $f, first: $first, after: $after) {
		totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`
	ids := func(d map[string]any) []string {
		var out []string
		for _, n := range get(d, "contracts.nodes").([]any) {
			out = append(out, str(n, "id"))
		}
		return out
	}
	d := c.ok(c.admin, q, map[string]any{"first": 2})
	require.Equal(t, []string{lease, support}, ids(d), "by start date")
	require.Equal(t, float64(3), get(d, "contracts.totalCount"))
	require.Equal(t, true, get(d, "contracts.pageInfo.hasNextPage"))
	d = c.ok(c.admin, q, map[string]any{"first": 2, "after": str(d, "contracts.pageInfo.endCursor")})
	require.Equal(t, []string{sub}, ids(d))

	for _, tc := range []struct {
		name string
		f    map[string]any
		want []string
	}{
		{"kinds", map[string]any{"kinds": []string{"LEASE", "SUBSCRIPTION"}}, []string{lease, sub}},
		{"supplier", map[string]any{"supplierId": c.ids["supplier"]}, []string{support}},
		{"asset", map[string]any{"assetId": asset}, []string{lease}},
		{"license", map[string]any{"licenseId": lic}, []string{support}},
		{"active on", map[string]any{"activeOn": "2024-06-01"}, []string{lease, support}},
		{"notice within", map[string]any{"noticeWithinDays": 30}, []string{lease}},
		{"search number", map[string]any{"search": "l-7"}, []string{lease}},
		{"search notes", map[string]any{"search": "HOTLINE"}, []string{support}},
		{"combined", map[string]any{"kinds": []string{"LEASE"}, "activeOn": "2022-01-01"}, nil},
	} {
		d := c.ok(c.admin, q, map[string]any{"f": tc.f})
		require.Equal(t, tc.want, ids(d), tc.name)
		require.Equal(t, float64(len(tc.want)), get(d, "contracts.totalCount"), tc.name)
	}
	c.code(c.admin, q, map[string]any{"f": map[string]any{"noticeWithinDays": 0}}, "BAD_USER_INPUT", "filter.noticeWithinDays")
	c.code(c.admin, q, map[string]any{"f": map[string]any{"kinds": []string{"LEASE", "LEASE"}}}, "BAD_USER_INPUT", "filter.kinds")
	c.code(c.admin, q, map[string]any{"f": map[string]any{"assetId": lic}}, "BAD_USER_INPUT", "filter.assetId")

	// Asset.contracts and License.contracts.
	d = c.ok(c.admin, `query($a: ID!, $l: ID!) { a: node(id: $a) { ... on Asset { contracts { id number } } }
		l: node(id: $l) { ... on License { contracts { id } } } }`, map[string]any{"a": asset, "l": lic})
	require.Equal(t, lease, str(d, "a.contracts.0.id"))
	require.Equal(t, support, str(d, "l.contracts.0.id"))
}
