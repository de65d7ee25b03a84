package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

const softwareHistoryFields = `history { totalCount nodes { action actorKind actor at changes { field from to } } }`

// historyOf reads the history of node id as tok and returns its entries.
func historyOf(a *rulesAPI, tok, typ, id string) []any {
	a.t.Helper()
	d := a.ok(tok, `query($id: ID!) { node(id: $id) { ... on `+typ+` { `+softwareHistoryFields+` } } }`, map[string]any{"id": id})
	require.Equal(a.t, float64(len(get(d, "node.history.nodes").([]any))), get(d, "node.history.totalCount"))
	return get(d, "node.history.nodes").([]any)
}

// actions lists the actions of history entries.
func actions(entries []any) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.(map[string]any)["action"].(string))
	}
	return out
}

// TestSoftwareHistoryAPI: publishers, products and title rules show who
// changed what, field by field, to ADMIN, MANAGER and AUDITOR; EMPLOYEE is
// refused; another organization sees none of it.
func TestSoftwareHistoryAPI(t *testing.T) {
	t.Parallel()
	a := newRulesAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	pub := str(a.ok(admin, `mutation { createSoftwarePublisher(input: {name: "JetBrains"}) { softwarePublisher { id } } }`, nil),
		"createSoftwarePublisher.softwarePublisher.id")
	a.ok(admin, `mutation($id: ID!) { updateSoftwarePublisher(input: {id: $id, version: 1, website: "https://jetbrains.example"}) { softwarePublisher { id } } }`,
		map[string]any{"id": pub})
	prod := str(a.ok(admin, `mutation($p: ID!) { createSoftwareProduct(input: {publisherId: $p, name: "IDEA"}) { softwareProduct { id } } }`,
		map[string]any{"p": pub}), "createSoftwareProduct.softwareProduct.id")
	createRule := `mutation($p: ID!, $pattern: String!) { createSoftwareTitleRule(input: {kind: PREFIX, pattern: $pattern, productId: $p}) {
		softwareTitleRule { id } } }`
	rule := str(a.ok(admin, createRule, map[string]any{"p": prod, "pattern": "IntelliJ"}), "createSoftwareTitleRule.softwareTitleRule.id")
	a.ok(admin, createRule, map[string]any{"p": prod, "pattern": "PyCharm"})
	a.ok(admin, `mutation($id: ID!) { moveSoftwareTitleRule(id: $id, position: 2) { softwareTitleRule { id } } }`, map[string]any{"id": rule})

	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		tok := mint(t, "acme", role, "reader@acme.test")
		h := historyOf(a, tok, "SoftwarePublisher", pub)
		require.Equal(t, []string{"CREATE", "UPDATE"}, actions(h), role)
		update := h[1].(map[string]any)
		require.Equal(t, "USER", update["actorKind"])
		require.Equal(t, "admin@acme.test", update["actor"])
		require.Equal(t, []any{map[string]any{"field": "website", "from": nil, "to": "https://jetbrains.example"}}, update["changes"])
		require.Equal(t, []string{"CREATE"}, actions(historyOf(a, tok, "SoftwareProduct", prod)), role)
		h = historyOf(a, tok, "SoftwareTitleRule", rule)
		require.Equal(t, []string{"CREATE", "MOVE"}, actions(h), role)
		require.Equal(t, []any{map[string]any{"field": "position", "from": float64(1), "to": float64(2)}}, h[1].(map[string]any)["changes"])
	}

	employee := mint(t, "acme", itam.RoleEmployee, "e@acme.test")
	a.code(employee, `{ softwarePublishers { nodes { history { totalCount } } } }`, nil, "FORBIDDEN", "")
	a.code(employee, `{ softwareProducts { nodes { history { nodes { action } } } } }`, nil, "FORBIDDEN", "")
	a.code(employee, `query($id: ID!) { node(id: $id) { ... on SoftwareProduct { history { totalCount } } } }`, map[string]any{"id": prod}, "FORBIDDEN", "")

	// Another organization: acme's nodes are not found, and its own
	// publisher (written by the owner, no history) has none.
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	for _, id := range []string{pub, prod, rule} {
		r := a.do(globex, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
		require.Nil(t, get(r.Data, "node"), "%+v", r)
	}
	d := a.ok(globex, `{ softwarePublishers { nodes { history { totalCount } } } softwareTitleRules { nodes { history { totalCount } } } }`, nil)
	for _, n := range get(d, "softwarePublishers.nodes").([]any) {
		require.Equal(t, float64(0), get(n, "history.totalCount"))
	}
	require.Empty(t, get(d, "softwareTitleRules.nodes"))
}

// TestSoftwareHistoryAPIBatched: the history of a page of publishers,
// products or rules costs the same round trips for 2 parents as for 10.
func TestSoftwareHistoryAPIBatched(t *testing.T) {
	t.Parallel()
	a := newRulesAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	for i := range 10 {
		pub := str(a.ok(admin, `mutation($n: String!) { createSoftwarePublisher(input: {name: $n}) { softwarePublisher { id } } }`,
			map[string]any{"n": fmt.Sprintf("Vendor %02d", i)}), "createSoftwarePublisher.softwarePublisher.id")
		prod := str(a.ok(admin, `mutation($p: ID!) { createSoftwareProduct(input: {publisherId: $p, name: "Tool"}) { softwareProduct { id } } }`,
			map[string]any{"p": pub}), "createSoftwareProduct.softwareProduct.id")
		a.ok(admin, `mutation($p: ID!, $pattern: String!) { createSoftwareTitleRule(input: {kind: EXACT, pattern: $pattern, productId: $p}) {
			softwareTitleRule { id } } }`, map[string]any{"p": prod, "pattern": fmt.Sprintf("Tool %d", i)})
	}
	for name, field := range map[string]string{
		"softwarePublishers": "softwarePublishers", "softwareProducts": "softwareProducts", "softwareTitleRules": "softwareTitleRules",
	} {
		t.Run(name, func(t *testing.T) {
			q := `query($n: Int!) { ` + field + `(first: $n) { nodes { ` + softwareHistoryFields + ` } } }`
			rounds := func(n int) int64 {
				before := a.rounds.Load()
				d := a.ok(admin, q, map[string]any{"n": n})
				nodes := get(d, field+".nodes").([]any)
				require.Len(t, nodes, n)
				require.Equal(t, float64(1), get(nodes[n-1], "history.totalCount"))
				return a.rounds.Load() - before
			}
			small, large := rounds(2), rounds(10)
			require.Equal(t, small, large, "round trips grow with the page")
		})
	}
}
