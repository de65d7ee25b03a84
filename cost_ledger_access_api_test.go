package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestCostEntryAPIRoles: ADMIN and MANAGER book costs, AUDITOR reads
// them, EMPLOYEE sees no money anywhere (FORBIDDEN, nested fields
// included; node(id:) is null); exchange rates are set by ADMIN only.
func TestCostEntryAPIRoles(t *testing.T) {
	l := newLedAPI(t)
	// Ada's own device: she can read it, but not what it cost.
	mine := l.newAsset(l.admin, map[string]any{"assigneeId": l.ids["ada"]})
	license := l.licenseOf("acme")
	seed := l.createEntry(l.admin, map[string]any{"assetId": mine, "kind": "REPAIR", "date": "2025-01-01", "amount": ledMoney("5", "USD")})
	l.createEntry(l.admin, map[string]any{"licenseId": license, "kind": "SUBSCRIPTION", "date": "2025-01-01", "amount": ledMoney("7", "USD")})
	l.ok(l.admin, `mutation { setExchangeRate(from: "EUR", to: "USD", rate: "1.1", validFrom: "2025-01-01") { exchangeRate { rate } } }`, nil)

	reads := map[string]string{
		"costEntries":         `{ costEntries { totalCount nodes { id amount { amount } } } }`,
		"costHistory":         `query($e: ID!) { costHistory(id: $e) { totalCount } }`,
		"Asset.costEntries":   `query($a: ID!) { node(id: $a) { ... on Asset { costEntries { totalCount nodes { amount { amount } } } } } }`,
		"License.costEntries": `query($l: ID!) { node(id: $l) { ... on License { costEntries { totalCount } } } }`,
		"CostEntry.history":   `{ costEntries { nodes { history { totalCount } } } }`,
		"exchangeRates":       `{ exchangeRates { totalCount nodes { from to rate validFrom history { totalCount } } } }`,
	}
	vars := map[string]any{"e": seed["id"], "a": mine, "l": license}
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		tok := mint(t, "acme", role, "ada@example.com")
		for name, q := range reads {
			if role == itam.RoleEmployee {
				if name == "License.costEntries" {
					// Ada holds no seat of the license: she cannot see it at all.
					require.Nil(t, l.ok(tok, q, vars)["node"], name)
					continue
				}
				r := l.code(tok, q, vars, "FORBIDDEN", "")
				require.NotEmpty(t, r.Errors[0].Path, name)
				continue
			}
			l.ok(tok, q, vars)
		}
		node := l.ok(tok, `query($e: ID!) { node(id: $e) { id } }`, vars)["node"]
		if role == itam.RoleEmployee {
			require.Nil(t, node, "an EMPLOYEE sees no cost entry")
		} else {
			require.NotNil(t, node, role)
		}

		n, h := l.rows("cost_entries"), l.rows("cost_history")
		writes := role == itam.RoleAdmin || role == itam.RoleManager
		in := map[string]any{"assetId": l.asset, "kind": "REPAIR", "date": "2025-02-01", "amount": ledMoney("1", "USD")}
		if writes {
			e := l.createEntry(tok, in)
			l.ok(tok, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 1, "notes": string(role)}})
			l.ok(tok, ledDeleteQ, map[string]any{"id": e["id"], "v": 2})
			require.Equal(t, h+3, l.rows("cost_history"), role)
		} else {
			l.code(tok, ledCreateQ, map[string]any{"in": in}, "FORBIDDEN", "")
			l.code(tok, ledUpdateQ, map[string]any{"in": map[string]any{"id": seed["id"], "version": 1, "notes": "x"}}, "FORBIDDEN", "")
			l.code(tok, ledDeleteQ, map[string]any{"id": seed["id"]}, "FORBIDDEN", "")
			require.Equal(t, h, l.rows("cost_history"), role)
		}
		require.Equal(t, n, l.rows("cost_entries"), role)

		set := fmt.Sprintf(`mutation { setExchangeRate(from: "GBP", to: "USD", rate: "1.27", validFrom: "2025-0%d-01") { exchangeRate { rate } } }`, len(role)%9+1)
		del := `mutation { deleteExchangeRate(from: "EUR", to: "USD", validFrom: "2025-01-01") { deletedId } }`
		if role == itam.RoleAdmin {
			l.ok(tok, set, nil)
			continue
		}
		l.code(tok, set, nil, "FORBIDDEN", "")
		l.code(tok, del, nil, "FORBIDDEN", "")
	}
}

// TestCostEntryAPICrossOrg: another organization can neither read, change
// nor delete acme's entries, nor book against acme's records; acme cannot
// book against theirs.
func TestCostEntryAPICrossOrg(t *testing.T) {
	l := newLedAPI(t)
	e := l.createEntry(l.admin, map[string]any{"kind": "REPAIR", "date": "2025-01-01", "amount": ledMoney("5", "USD")})
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	require.EqualValues(t, 0, get(l.ok(globex, `{ costEntries { totalCount nodes { id } } }`, nil), "costEntries.totalCount"))
	require.Nil(t, l.ok(globex, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": e["id"]})["node"])
	require.EqualValues(t, 0, get(l.ok(globex, ledHistoryQ, map[string]any{"id": e["id"]}), "costHistory.totalCount"))
	h := l.rows("cost_history")
	l.code(globex, ledUpdateQ, map[string]any{"in": map[string]any{"id": e["id"], "version": 1, "notes": "x"}}, "NOT_FOUND", "")
	l.code(globex, ledDeleteQ, map[string]any{"id": e["id"]}, "NOT_FOUND", "")
	l.code(globex, ledCreateQ, map[string]any{"in": map[string]any{"assetId": l.asset, "kind": "REPAIR", "date": "2025-01-01",
		"amount": ledMoney("1", "USD")}}, "NOT_FOUND", "assetId")
	require.Equal(t, h, l.rows("cost_history"))

	// Globex's asset as acme's target.
	gi := l.inventory(globex)
	theirs := str(l.ok(globex, createAsset, map[string]any{"in": map[string]any{"modelId": gi["model"]}}), "createAsset.asset.id")
	l.code(l.admin, ledCreateQ, map[string]any{"in": map[string]any{"assetId": theirs, "kind": "REPAIR", "date": "2025-01-01",
		"amount": ledMoney("1", "USD")}}, "NOT_FOUND", "assetId")
	d := l.ok(l.admin, `query($id: ID!) { node(id: $id) { ... on CostEntry { version notes } } }`, map[string]any{"id": e["id"]})
	require.EqualValues(t, 1, get(d, "node.version"), "untouched")
}

// TestCostEntryAPIPagination: costEntries pages newest first (date, then
// id, both descending) forwards and backwards without gaps or repeats,
// filters combine, and an unbounded filter is refused before it runs.
func TestCostEntryAPIPagination(t *testing.T) {
	l := newLedAPI(t)
	other := l.newAsset(l.admin, nil)
	license := l.licenseOf("acme")
	dates := []string{"2024-01-05", "2024-03-01", "2024-03-01", "2024-03-01", "2024-12-31", "2025-02-10", "2023-07-07"}
	for i, d := range dates {
		in := map[string]any{"kind": []string{"REPAIR", "SUPPORT"}[i%2], "date": d, "amount": ledMoney(fmt.Sprint(i+1), "EUR"),
			"invoiceReference": fmt.Sprintf("INV-%d", i)}
		switch i {
		case 5:
			in["assetId"] = other
		case 6:
			in["licenseId"] = license
			in["supplierId"] = l.ids["supplier"]
		}
		l.createEntry(l.admin, in)
	}
	const q = `query($f: Int, $a: String, $l: Int, $b: String, $filter: CostEntryFilter) {
		costEntries(first: $f, after: $a, last: $l, before: $b, filter: $filter) {
		totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { date invoiceReference } } }`
	type row struct{ date, ref string }
	page := func(vars map[string]any) ([]row, map[string]any) {
		d := l.ok(l.admin, q, vars)
		var out []row
		for _, n := range get(d, "costEntries.nodes").([]any) {
			out = append(out, row{str(n, "date"), str(n, "invoiceReference")})
		}
		return out, get(d, "costEntries").(map[string]any)
	}
	all, c := page(map[string]any{"f": 50})
	require.EqualValues(t, 7, c["totalCount"])
	for i := 1; i < len(all); i++ {
		require.GreaterOrEqual(t, all[i-1].date, all[i].date, "newest first")
	}
	require.Equal(t, "2025-02-10", all[0].date)
	require.Equal(t, "2023-07-07", all[6].date)

	var forward []row
	var after any
	for range 10 { // bounded: a cursor that never advances fails instead of spinning
		got, c := page(map[string]any{"f": 2, "a": after})
		forward = append(forward, got...)
		if !get(c, "pageInfo.hasNextPage").(bool) {
			break
		}
		after = get(c, "pageInfo.endCursor")
	}
	require.Equal(t, all, forward, "pages of 2 join into the whole list")
	var backward []row
	var before any
	for range 10 {
		got, c := page(map[string]any{"l": 3, "b": before})
		backward = append(got, backward...)
		if !get(c, "pageInfo.hasPreviousPage").(bool) {
			break
		}
		before = get(c, "pageInfo.startCursor")
	}
	require.Equal(t, all, backward, "pages backwards too")

	for _, tc := range []struct {
		filter map[string]any
		want   int
	}{
		{map[string]any{"assetId": l.asset}, 5},
		{map[string]any{"assetId": other}, 1},
		{map[string]any{"licenseId": license}, 1},
		{map[string]any{"supplierId": l.ids["supplier"]}, 1},
		{map[string]any{"kinds": []string{"SUPPORT"}}, 3},
		{map[string]any{"kinds": []string{"SUPPORT", "REPAIR"}, "from": "2024-03-01", "to": "2024-12-31"}, 4},
		{map[string]any{"from": "2024-03-01", "to": "2024-03-01"}, 3},
		{map[string]any{"search": "inv-6"}, 1},
		{map[string]any{"assetId": l.asset, "kinds": []string{"REPAIR"}, "to": "2024-03-01"}, 2},
	} {
		_, c := page(map[string]any{"f": 50, "filter": tc.filter})
		require.EqualValues(t, tc.want, c["totalCount"], "%v", tc.filter)
		require.Len(t, get(c, "nodes"), tc.want, "%v", tc.filter)
	}
	nine := []string{"PURCHASE", "MAINTENANCE", "REPAIR", "SUPPORT", "SUBSCRIPTION", "LEASE", "DISPOSAL", "OTHER", "OTHER"}
	l.code(l.admin, q, map[string]any{"filter": map[string]any{"kinds": nine}}, "BAD_USER_INPUT", "filter.kinds")
	l.code(l.admin, q, map[string]any{"filter": map[string]any{"search": strings.Repeat("s", 257)}}, "BAD_USER_INPUT", "filter.search")
	l.code(l.admin, q, map[string]any{"filter": map[string]any{"from": "2025-01-02", "to": "2025-01-01"}}, "BAD_USER_INPUT", "filter.to")
	l.code(l.admin, q, map[string]any{"filter": map[string]any{"assetId": "nope"}}, "BAD_USER_INPUT", "filter.assetId")
}

// TestCostEntryAPIBatched: a page of 2 or 12 assets (or licenses) with
// their entries, the entries' history and the counts costs the same round
// trips whatever the page size.
func TestCostEntryAPIBatched(t *testing.T) {
	l := newLedAPI(t)
	for i := range 12 {
		asset := l.newAsset(l.admin, nil)
		license := l.licenseOf("acme")
		for _, target := range []map[string]any{{"assetId": asset, "kind": "SUPPORT"}, {"licenseId": license, "kind": "SUBSCRIPTION"}} {
			for k := range 2 {
				in := map[string]any{"date": fmt.Sprintf("2025-01-%02d", k+1), "amount": ledMoney(fmt.Sprint(i), "USD")}
				for key, v := range target {
					in[key] = v
				}
				l.createEntry(l.admin, in)
			}
		}
	}
	queries := map[string]string{
		"assets": `query($n: Int!) { assets(first: $n) { nodes { costEntries(first: 5) { totalCount
			nodes { amount { amount } history { totalCount nodes { action } } } } } } }`,
		"licenses": `query($n: Int!) { licenses(first: $n) { nodes { costEntries { totalCount nodes { kind } } } } }`,
		"costEntries": `query($n: Int!) { costEntries(first: $n, filter: {kinds: [SUPPORT]}) { nodes { history { totalCount nodes { action } }
			asset { assetTag model { name } location { name } } } } }`,
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			rounds := func(n int) int64 {
				before := l.rounds.Load()
				d := l.ok(l.admin, q, map[string]any{"n": n})
				require.Len(t, get(d, name+".nodes"), n)
				return l.rounds.Load() - before
			}
			small, large := rounds(2), rounds(12)
			require.Equal(t, small, large, "round trips grow with the page")
		})
	}
}

// TestCostEntryAPICost: the ledger's connections are priced by page size
// (and the filter by its conditions), so 500 assets each with 500 entries
// is refused before it runs.
func TestCostEntryAPICost(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	for _, q := range []string{
		`{ assets(first: 500) { nodes { costEntries(first: 500) { nodes { id amount { amount } } } } } }`,
		`{ costEntries(first: 500) { nodes { history(first: 500) { nodes { action at } } } } }`,
		`{ licenses(first: 500) { nodes { costEntries(first: 500) { nodes { id } } } } }`,
		`{ costEntries(first: 500) { nodes { license { costEntries(first: 200) { nodes { id } } } } } }`,
		`{ exchangeRates(first: 500) { nodes { history(first: 500) { nodes { action } } } } }`,
	} {
		r := a.do(admin, q, nil)
		require.NotEmpty(t, r.Errors, q)
		require.Equal(t, "COMPLEXITY_LIMIT_EXCEEDED", r.Errors[0].Extensions["code"], "%s: %+v", q, r.Errors)
	}
	a.ok(admin, `{ costEntries(first: 100, filter: {kinds: [REPAIR], from: "2025-01-01"}) { nodes { id history(first: 10) { nodes { action } } } } }`, nil)
}
