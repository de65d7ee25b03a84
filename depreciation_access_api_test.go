package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// Depreciation through the API, continued from depreciation_api_test.go:
// tenants, roles, history redaction and batching.

// TestDepreciationAPICrossOrg: another organization's profile is unknown
// everywhere: as an id on an asset, category, model or the default, and to
// read, update or delete.
func TestDepreciationAPICrossOrg(t *testing.T) {
	d := newDepAPI(t)
	mine := d.profile(d.admin, straightLine("Acme", "USD"))
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	theirs := d.profile(globex, straightLine("Globex", "USD"))
	asset := d.asset(map[string]any{})
	before := [3]int{d.count(`SELECT count(*) FROM assets`), d.count(`SELECT count(*) FROM asset_history`), d.count(`SELECT count(*) FROM categories`)}
	d.code(d.admin, createAsset, map[string]any{"in": map[string]any{"modelId": d.ids["model"], "depreciationProfileId": theirs}}, "NOT_FOUND", "depreciationProfileId")
	d.code(d.admin, `mutation($id: ID!, $p: ID) { updateAsset(input: {id: $id, version: 1, depreciationProfileId: $p}) { asset { id } } }`,
		map[string]any{"id": asset, "p": theirs}, "NOT_FOUND", "depreciationProfileId")
	d.code(d.admin, `mutation($p: ID) { createCategory(input: {name: "X", kind: OTHER, depreciationProfileId: $p}) { category { id } } }`,
		map[string]any{"p": theirs}, "NOT_FOUND", "depreciationProfileId")
	d.code(d.admin, `mutation($id: ID!, $p: ID) { updateCategory(input: {id: $id, version: 1, depreciationProfileId: $p}) { category { id } } }`,
		map[string]any{"id": d.ids["category"], "p": theirs}, "NOT_FOUND", "depreciationProfileId")
	d.code(d.admin, `mutation($m: ID!, $c: ID!, $p: ID) { createModel(input: {name: "X", manufacturerId: $m, categoryId: $c, depreciationProfileId: $p}) { model { id } } }`,
		map[string]any{"m": d.ids["manufacturer"], "c": d.ids["category"], "p": theirs}, "NOT_FOUND", "depreciationProfileId")
	d.code(d.admin, `mutation($id: ID!, $p: ID) { updateModel(input: {id: $id, version: 1, depreciationProfileId: $p}) { model { id } } }`,
		map[string]any{"id": d.ids["model"], "p": theirs}, "NOT_FOUND", "depreciationProfileId")
	d.code(d.admin, `mutation($p: ID) { updateOrganization(input: {defaultDepreciationProfileId: $p}) { organization { id } } }`,
		map[string]any{"p": theirs}, "NOT_FOUND", "defaultDepreciationProfileId")
	require.Equal(t, before, [3]int{d.count(`SELECT count(*) FROM assets`), d.count(`SELECT count(*) FROM asset_history`), d.count(`SELECT count(*) FROM categories`)})
	require.Zero(t, d.count(`SELECT count(*) FROM assets WHERE depreciation_profile_id IS NOT NULL`)+
		d.count(`SELECT count(*) FROM categories WHERE depreciation_profile_id IS NOT NULL`)+
		d.count(`SELECT count(*) FROM models WHERE depreciation_profile_id IS NOT NULL`)+
		d.count(`SELECT count(*) FROM organizations WHERE default_depreciation_profile_id IS NOT NULL`))

	// Globex cannot see, change or delete acme's profile.
	r := d.ok(globex, `query($id: ID!) { node(id: $id) { id } depreciationProfiles { totalCount nodes { id } } }`, map[string]any{"id": mine})
	require.Nil(t, get(r, "node"))
	require.EqualValues(t, 1, get(r, "depreciationProfiles.totalCount"))
	require.Equal(t, theirs, str(r, "depreciationProfiles.nodes.0.id"))
	d.code(globex, `mutation($id: ID!) { updateDepreciationProfile(input: {id: $id, version: 1, name: "Mine now"}) { depreciationProfile { id } } }`,
		map[string]any{"id": mine}, "NOT_FOUND", "")
	d.code(globex, `mutation($id: ID!) { deleteDepreciationProfile(input: {id: $id}) { deletedId } }`, map[string]any{"id": mine}, "NOT_FOUND", "")
	require.Equal(t, "Acme", str(d.ok(d.admin, `query($id: ID!) { node(id: $id) { ... on DepreciationProfile { name } } }`, map[string]any{"id": mine}), "node.name"))
}

// TestDepreciationAPIRoles: ADMIN writes profiles; ADMIN, MANAGER and
// AUDITOR read them and every depreciation figure; EMPLOYEE sees none of
// it (FORBIDDEN, and null through node(id:)), not even on their own asset.
func TestDepreciationAPIRoles(t *testing.T) {
	d := newDepAPI(t)
	prof := d.profile(d.admin, straightLine("Laptops", "USD"))
	d.ok(d.admin, `mutation($p: ID) { updateOrganization(input: {defaultDepreciationProfileId: $p}) { organization { id } } }`, map[string]any{"p": prof})
	asset := d.asset(map[string]any{"assigneeId": d.ids["ada"], "purchasePrice": map[string]any{"amount": "10000", "currency": "USD"},
		"purchaseDate": "2020-01-01"})
	readers := map[itam.Role]string{
		itam.RoleAdmin: d.admin, itam.RoleManager: mint(t, "acme", itam.RoleManager, "m@acme.test"),
		itam.RoleAuditor: mint(t, "acme", itam.RoleAuditor, "a@acme.test"),
	}
	employee := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	const listQ = `{ depreciationProfiles(filter: {search: "lap"}) { totalCount nodes { id isDefault salvageValue { amount } history { totalCount } } } }`
	const catalogQ = `query($c: ID!, $m: ID!) { c: node(id: $c) { ... on Category { depreciationProfile { id } } }
		m: node(id: $m) { ... on Model { depreciationProfile { id } } } }`
	const orgQ = `{ organization { defaultDepreciationProfile { id } } }`
	const countsQ = `{ assetCounts(groupBy: [CATEGORY]) { count bookValue(asOf: "2020-12-31") { amount currency } } }`
	vars := map[string]any{"c": d.ids["category"], "m": d.ids["model"]}
	for role, tok := range readers {
		r := d.ok(tok, listQ, nil)
		require.EqualValues(t, 1, get(r, "depreciationProfiles.totalCount"), role)
		require.Equal(t, true, get(r, "depreciationProfiles.nodes.0.isDefault"), role)
		require.Equal(t, "1000.00", str(r, "depreciationProfiles.nodes.0.salvageValue.amount"), role)
		require.EqualValues(t, 1, get(r, "depreciationProfiles.nodes.0.history.totalCount"), role)
		require.Equal(t, prof, str(d.ok(tok, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": prof}), "node.id"), role)
		_, book, n := d.schedule(tok, asset, "2020-12-31")
		require.Equal(t, "8200", book, role)
		require.Equal(t, "ORGANIZATION", get(n, "depreciationProfileSource"), role)
		require.Equal(t, "2020-01-01", get(n, "inServiceDate"), role)
		require.Nil(t, get(d.ok(tok, catalogQ, vars), "c.depreciationProfile"), role)
		require.Equal(t, prof, str(d.ok(tok, orgQ, nil), "organization.defaultDepreciationProfile.id"), role)
		require.Equal(t, "8200.00", str(d.ok(tok, countsQ, nil), "assetCounts.0.bookValue.0.amount"), role)
	}
	d.code(employee, listQ, nil, "FORBIDDEN", "")
	require.Nil(t, get(d.ok(employee, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": prof}), "node"))
	for _, field := range []string{"depreciationProfile { id }", "depreciationProfileSource", "inServiceDate",
		"depreciationSchedule { end }", "bookValue { amount }", `bookValue(asOf: "2020-12-31") { amount }`} {
		d.code(employee, `query($id: ID!) { node(id: $id) { ... on Asset { assetTag `+field+` } } }`, map[string]any{"id": asset}, "FORBIDDEN", "")
	}
	require.NotEmpty(t, str(d.ok(employee, `query($id: ID!) { node(id: $id) { ... on Asset { assetTag } } }`, map[string]any{"id": asset}), "node.assetTag"),
		"the asset itself stays readable")
	d.code(employee, catalogQ, vars, "FORBIDDEN", "")
	d.code(employee, orgQ, nil, "FORBIDDEN", "")
	d.code(employee, countsQ, nil, "FORBIDDEN", "")

	// Writes: ADMIN only.
	before := d.written()
	for _, tok := range []string{readers[itam.RoleManager], readers[itam.RoleAuditor], employee} {
		d.code(tok, createProfileQ, map[string]any{"in": straightLine("New", "USD")}, "FORBIDDEN", "")
		d.code(tok, `mutation($id: ID!) { updateDepreciationProfile(input: {id: $id, version: 1, name: "X"}) { depreciationProfile { id } } }`,
			map[string]any{"id": prof}, "FORBIDDEN", "")
		d.code(tok, `mutation($id: ID!) { deleteDepreciationProfile(input: {id: $id}) { deletedId } }`, map[string]any{"id": prof}, "FORBIDDEN", "")
	}
	require.Equal(t, before, d.written())
	id := d.profile(d.admin, straightLine("Admin's", "USD"))
	d.ok(d.admin, `mutation($id: ID!) { updateDepreciationProfile(input: {id: $id, version: 1, name: "Admin's 2"}) { depreciationProfile { id } } }`, map[string]any{"id": id})
	d.ok(d.admin, `mutation($id: ID!) { deleteDepreciationProfile(input: {id: $id}) { deletedId } }`, map[string]any{"id": id})
	// Attaching a profile to an asset is an inventory write: MANAGER may.
	d.ok(readers[itam.RoleManager], `mutation($id: ID!, $p: ID) { updateAsset(input: {id: $id, version: 1, depreciationProfileId: $p}) { asset { id } } }`,
		map[string]any{"id": asset, "p": prof})
	d.code(readers[itam.RoleAuditor], `mutation($id: ID!) { updateAsset(input: {id: $id, version: 2, inServiceDate: "2021-01-01"}) { asset { id } } }`,
		map[string]any{"id": asset}, "FORBIDDEN", "")
}

// TestDepreciationAPIEmployeeHistory: an asset's history records its
// profile and in-service date; an EMPLOYEE reading it sees neither change.
func TestDepreciationAPIEmployeeHistory(t *testing.T) {
	d := newDepAPI(t)
	prof := d.profile(d.admin, straightLine("Laptops", "USD"))
	asset := d.asset(map[string]any{"assigneeId": d.ids["ada"]})
	d.ok(d.admin, `mutation($id: ID!, $p: ID) { updateAsset(input: {id: $id, version: 1, depreciationProfileId: $p, inServiceDate: "2024-02-01", name: "Ada's"}) { asset { id } } }`,
		map[string]any{"id": asset, "p": prof})
	const q = `query($id: ID!) { node(id: $id) { ... on Asset { history { nodes { action changes { field from to } } } } } }`
	changed := func(tok string) map[string]any {
		out := map[string]any{}
		nodes := get(d.ok(tok, q, map[string]any{"id": asset}), "node.history.nodes").([]any)
		for _, c := range get(nodes[len(nodes)-1], "changes").([]any) {
			out[str(c, "field")] = get(c, "to")
		}
		return out
	}
	all := changed(d.admin)
	require.Equal(t, prof, all["depreciationProfileId"], "a reference reads as its global id")
	require.Equal(t, "2024-02-01", all["inServiceDate"])
	mine := changed(mint(t, "acme", itam.RoleEmployee, "ada@example.com"))
	require.Equal(t, "Ada's", mine["name"], "the employee reads the rest of the change")
	require.NotContains(t, mine, "depreciationProfileId")
	require.NotContains(t, mine, "inServiceDate")
}

// TestDepreciationAPIPageRoundTrips: a page of assets selecting every
// depreciation field costs the same round trips for 3 assets as for 9:
// the profiles that apply are read for the whole page at once.
func TestDepreciationAPIPageRoundTrips(t *testing.T) {
	d := newDepAPI(t)
	prof := d.profile(d.admin, straightLine("Laptops", "USD"))
	d.ok(d.admin, `mutation($p: ID) { updateOrganization(input: {defaultDepreciationProfileId: $p}) { organization { id } } }`, map[string]any{"p": prof})
	add := func(n int) {
		for i := range n {
			in := map[string]any{"purchasePrice": map[string]any{"amount": "10000", "currency": "USD"}, "purchaseDate": "2020-01-01"}
			if i%2 == 0 {
				in["depreciationProfileId"] = prof
			}
			d.asset(in)
		}
	}
	const q = `{ assets(first: 100) { nodes { assetTag depreciationProfile { id name isDefault } depreciationProfileSource inServiceDate
		depreciationSchedule { end depreciation { amount } } bookValue(asOf: "2020-12-31") { amount } } } }`
	measure := func(want int) int64 {
		start := d.rounds.Load()
		r := d.ok(d.admin, q, nil)
		n := d.rounds.Load() - start
		nodes := get(r, "assets.nodes").([]any)
		require.Len(t, nodes, want)
		for _, node := range nodes {
			require.Equal(t, "8200.00", str(node, "bookValue.amount"))
			require.Len(t, get(node, "depreciationSchedule"), 5)
			require.Equal(t, prof, str(node, "depreciationProfile.id"))
		}
		return n
	}
	add(3)
	small := measure(3)
	add(6)
	require.Equal(t, small, measure(9), "batched: no query per asset")
	require.NotZero(t, small)
}

// TestDepreciationAPIAssetCounts: assetCounts' bookValue sums each group's
// book values per currency: depreciated where a profile applies, at cost
// where none does, nothing for assets without a price.
func TestDepreciationAPIAssetCounts(t *testing.T) {
	d := newDepAPI(t)
	prof := d.profile(d.admin, straightLine("Laptops", "USD"))
	eur := d.profile(d.admin, map[string]any{"name": "Percent", "method": "SUM_OF_YEARS_DIGITS", "usefulLifeMonths": 60, "convention": "ANNUAL", "salvagePercent": "10"})
	r := d.ok(d.admin, `mutation { c: createCategory(input: {name: "Phones", kind: PHONE}) { category { id } } }`, nil)
	phones := str(r, "c.category.id")
	r = d.ok(d.admin, `mutation($m: ID!, $c: ID!) { createModel(input: {name: "Pixel", manufacturerId: $m, categoryId: $c}) { model { id } } }`,
		map[string]any{"m": d.ids["manufacturer"], "c": phones})
	pixel := str(r, "createModel.model.id")
	usd := func(a string) map[string]any { return map[string]any{"amount": a, "currency": "USD"} }
	// Laptops: two depreciated alike (8,200 each at the end of 2020), one
	// EUR asset under the percent profile (10,000 → SYD 9,000 × 5/15 =
	// 3,000 the first year: 7,000), one at cost (no profile: 1,234.5), one
	// without a price.
	d.asset(map[string]any{"purchasePrice": usd("10000"), "purchaseDate": "2020-01-01", "depreciationProfileId": prof})
	d.asset(map[string]any{"purchasePrice": usd("10000"), "purchaseDate": "2020-01-01", "depreciationProfileId": prof})
	d.asset(map[string]any{"purchasePrice": map[string]any{"amount": "10000", "currency": "EUR"}, "purchaseDate": "2020-01-01", "depreciationProfileId": eur})
	d.asset(map[string]any{"purchasePrice": usd("1234.5"), "purchaseDate": "2020-01-01"})
	d.asset(map[string]any{})
	// Phones: one priced in JPY, in service later than the asOf (at cost).
	d.asset(map[string]any{"modelId": pixel, "purchasePrice": map[string]any{"amount": "120000", "currency": "JPY"}, "purchaseDate": "2021-06-01",
		"depreciationProfileId": eur})
	const q = `query($f: AssetFilter) { assetCounts(groupBy: [CATEGORY], filter: $f) { category { name } count purchaseValue { amount currency }
		bookValue(asOf: "2020-12-31") { amount currency } today: bookValue { amount currency } } }`
	r = d.ok(d.admin, q, nil)
	byName := map[string]any{}
	for _, g := range get(r, "assetCounts").([]any) {
		byName[str(g, "category.name")] = g
	}
	money := func(v any) []string {
		var out []string
		for _, m := range v.([]any) {
			out = append(out, str(m, "amount")+" "+str(m, "currency"))
		}
		return out
	}
	require.Equal(t, []string{"7000.00 EUR", "17634.50 USD"}, money(get(byName["Laptops"], "bookValue")))
	require.Equal(t, []string{"120000 JPY"}, money(get(byName["Phones"], "bookValue")))
	require.Equal(t, []string{"1000.00 EUR", "3234.50 USD"}, money(get(byName["Laptops"], "today")), "after the life: salvage")
	// Round trips: the counts, then one statement per distinct asOf shared
	// by every group, never one per group. (Without category { name }, whose
	// loader may batch in one or two rounds depending on scheduling.)
	start := d.rounds.Load()
	d.ok(d.admin, `{ assetCounts(groupBy: [CATEGORY]) { count bookValue(asOf: "2020-12-31") { amount } today: bookValue { amount } again: bookValue(asOf: "2020-12-31") { amount } } }`, nil)
	require.Equal(t, int64(3), d.rounds.Load()-start, "assetCounts, one statement per asOf, not one per group")

	// The filter of assetCounts applies to its book values.
	r = d.ok(d.admin, q, map[string]any{"f": map[string]any{"categoryIds": []string{phones}}})
	require.Len(t, get(r, "assetCounts").([]any), 1)
	require.Equal(t, []string{"120000 JPY"}, money(get(r, "assetCounts.0.bookValue")))
	// Without groupBy: one group, everything.
	r = d.ok(d.admin, `{ assetCounts { count bookValue(asOf: "2020-12-31") { amount currency } } }`, nil)
	require.Equal(t, []string{"7000.00 EUR", "120000 JPY", "17634.50 USD"}, money(get(r, "assetCounts.0.bookValue")))
}
