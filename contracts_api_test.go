package main

import (
	"context"
	"encoding/json"
	"testing"

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

const createContractQ = `mutation($in: CreateContractInput!) { createContract(input: $in) { contract {
	id kind number start end version supplier { id } charges { amount { amount currency } every start end } } } }`

// contract creates a contract as admin and returns its id.
func (c *ctrAPI) contract(in map[string]any) string {
	c.t.Helper()
	return str(c.ok(c.admin, createContractQ, map[string]any{"in": in}), "createContract.contract.id")
}

// rows counts a table's rows of every organization, as the owner.
func (c *ctrAPI) rows(table string) int {
	c.t.Helper()
	var n int
	require.NoError(c.t, c.owner.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

func money(amount, currency string) map[string]any { return map[string]any{"amount": amount, "currency": currency} }

func monthly(amount, currency string) map[string]any {
	return map[string]any{"amount": money(amount, currency), "every": "MONTH"}
}

// TestContractCreateUpdateDeleteHistory: a contract is created with its
// charges and coverage, updated under its version (lists replaced whole, a
// stale version refused), deleted; each change is one history entry
// recording the terms, the charges and the coverage as counts and ids.
func TestContractCreateUpdateDeleteHistory(t *testing.T) {
	c := newCtrAPI(t)
	a1, a2, a3 := c.asset(nil), c.asset(nil), c.asset(nil)
	d := c.ok(c.admin, createContractQ, map[string]any{"in": map[string]any{
		"kind": "SUPPORT", "supplierId": c.ids["supplier"], "number": " SUP-1 ", "start": "2025-01-01", "end": "2025-12-31",
		"assetIds": []string{a1, a2}, "charges": []any{monthly("100.00", "eur")}, "notes": "gold",
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
	created := changesOf(get(d, "node.history.nodes.0"))
	require.JSONEq(t, `2`, created["assetCount"])
	require.JSONEq(t, `"SUPPORT"`, created["kind"])
	require.Contains(t, created["charges"], `"every":"MONTH"`)
	require.Contains(t, created["assetsAdded"], idOf(a1).String())

	const update = `mutation($in: UpdateContractInput!) { updateContract(input: $in) { contract { version number end
		coveredAssets { totalCount } charges { amount { amount } } } } }`
	d = c.ok(c.admin, update, map[string]any{"in": map[string]any{"id": id, "version": 1, "number": nil, "end": "2026-12-31",
		"assetIds": []string{a2, a3}}})
	require.Equal(t, float64(2), get(d, "updateContract.contract.version"))
	require.Nil(t, get(d, "updateContract.contract.number"))
	require.Equal(t, float64(2), get(d, "updateContract.contract.coveredAssets.totalCount"))
	require.Equal(t, "100", str(d, "updateContract.contract.charges.0.amount.amount"), "charges not given stay")
	c.code(c.admin, update, map[string]any{"in": map[string]any{"id": id, "version": 1, "notes": "x"}}, "CONFLICT", "version")
	// Changing nothing writes nothing.
	d = c.ok(c.admin, update, map[string]any{"in": map[string]any{"id": id, "version": 2, "end": "2026-12-31"}})
	require.Equal(t, float64(2), get(d, "updateContract.contract.version"))

	d = c.ok(c.admin, read, map[string]any{"id": id})
	require.Equal(t, float64(2), get(d, "node.history.totalCount"))
	updated := changesOf(get(d, "node.history.nodes.1"))
	require.Contains(t, updated["assetsAdded"], idOf(a3).String())
	require.Contains(t, updated["assetsRemoved"], idOf(a1).String())
	require.NotContains(t, updated, "assetCount", "two for two: the count is unchanged")
	require.Contains(t, updated, "number")
	require.Contains(t, updated, "end")

	// Its ledger entries go with it; the history stays, closed by DELETE.
	_, cid, _ := relay.Parse(id)
	_, err := c.owner.Exec(context.Background(), `INSERT INTO cost_entries (org_id, contract_id, kind, entry_date, amount, currency)
		VALUES ($1, $2, 'OTHER', '2025-02-01', 50, 'EUR')`, c.org, cid)
	require.NoError(t, err)
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
}

// changesOf maps a history entry's changes by field to "from → to" JSON.
func changesOf(entry any) map[string]string {
	out := map[string]string{}
	for _, ch := range get(entry, "changes").([]any) {
		m := ch.(map[string]any)
		from, to := jsonText(m["from"]), jsonText(m["to"])
		out[m["field"].(string)] = to
		if m["to"] == nil {
			out[m["field"].(string)] = from
		}
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func idOf(global string) uuid.UUID {
	_, id, _ := relay.Parse(global)
	return id
}
