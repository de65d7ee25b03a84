package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// FuzzMutationInputs sends fuzzed text, amounts and times through the real
// handler to a real database in createAsset, updateAsset and createPerson,
// and checks the two promises every mutation makes: the caller's input is
// never an INTERNAL error, and a refused mutation writes nothing. `go test`
// runs the committed corpus (testdata/fuzz/FuzzMutationInputs); `go test
// -fuzz FuzzMutationInputs -run '^$'` searches for more.
func FuzzMutationInputs(f *testing.F) {
	a := newAPI(f)
	admin := mint(f, "acme", itam.RoleAdmin, "admin@acme.test")
	inv := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "assetTag": "FUZZ-0"}})
	target := str(d, "createAsset.asset.id")
	f.Add("Latitude", "1299.00", "2024-05-01T12:00:00Z")

	f.Fuzz(func(t *testing.T, text, amount, lastSeen string) {
		c := &api{t: t, srv: a.srv, db: a.db}
		mutations := []struct {
			name, query, count string
			vars               map[string]any
		}{
			{"createAsset text", createAsset, "assets", map[string]any{"in": map[string]any{
				"modelId": inv["model"], "name": text, "serialNumber": text, "notes": text, "orderNumber": text,
				"customFields": map[string]any{"ram_gb": 16},
			}}},
			{"createAsset numbers", createAsset, "assets", map[string]any{"in": map[string]any{
				"modelId":       inv["model"],
				"purchasePrice": map[string]any{"amount": decimalArg(amount), "currency": "USD"},
				"externalIds":   []any{map[string]any{"source": "fuzz", "externalId": text, "lastSeenAt": lastSeen}},
			}}},
			{"createPerson", `mutation($in: CreatePersonInput!) { createPerson(input: $in) { person { id } } }`, "people", map[string]any{"in": map[string]any{
				"name": text, "email": "p@" + text, "title": text, "employeeNumber": text,
			}}},
		}
		for _, m := range mutations {
			before := c.count(admin, m.count)
			r := c.do(admin, m.query, m.vars)
			noInternal(t, m.name, r)
			after := c.count(admin, m.count)
			if len(r.Errors) > 0 {
				require.Equal(t, before, after, "%s: a refused mutation wrote nothing: %+v", m.name, r.Errors)
			} else {
				require.Equal(t, before+1, after, "%s: a created row is counted", m.name)
			}
		}

		// An update refused for its input leaves the row as it was.
		q := `query($id: ID!) { node(id: $id) { ... on Asset { version name notes purchasePrice { amount } } } }`
		before := c.ok(admin, q, map[string]any{"id": target})
		r := c.do(admin, `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { id } } }`, map[string]any{"in": map[string]any{
			"id": target, "version": get(before, "node.version"), "name": text, "notes": text,
			"purchasePrice": map[string]any{"amount": decimalArg(amount), "currency": "EUR"},
		}})
		noInternal(t, "updateAsset", r)
		if len(r.Errors) > 0 {
			require.Equal(t, before, c.ok(admin, q, map[string]any{"id": target}), "a refused update changed nothing: %+v", r.Errors)
		}
	})
}

func noInternal(t *testing.T, name string, r gqlResponse) {
	t.Helper()
	for _, e := range r.Errors {
		require.NotEqual(t, "INTERNAL", e.Extensions["code"], "%s: %+v", name, e)
		require.NotNil(t, e.Extensions["code"], "%s: every error has a code: %+v", name, e)
	}
}

// decimalArg sends amount as a JSON number when it is one (1e999999 is a
// valid JSON number), else as a string.
func decimalArg(amount string) any {
	if n := json.Number(amount); json.Valid([]byte(amount)) && len(amount) > 0 && (amount[0] == '-' || amount[0] >= '0' && amount[0] <= '9') {
		return n
	}
	return amount
}

// count returns the totalCount of a top-level connection.
func (a *api) count(tok, connection string) int {
	a.t.Helper()
	d := a.ok(tok, `{ `+connection+` { totalCount } }`, nil)
	n, _ := get(d, connection+".totalCount").(float64)
	return int(n)
}
