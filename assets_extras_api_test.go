package main

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// newAsset creates an asset through the API and returns its global id.
func (a *api) newAsset(tok string, in map[string]any) string {
	a.t.Helper()
	return str(a.ok(tok, createAsset, map[string]any{"in": in}), "createAsset.asset.id")
}

// searchTags lists the tags of the assets search finds, sorted.
func (a *api) searchTags(tok, q string) []string {
	a.t.Helper()
	d := a.ok(tok, `query($q: String) { assets(first: 100, filter: {search: $q}) { nodes { assetTag } } }`, map[string]any{"q": q})
	var tags []string
	for _, n := range get(d, "assets.nodes").([]any) {
		tags = append(tags, str(n, "assetTag"))
	}
	slices.Sort(tags)
	return tags
}

// TestAssetSearchFindsCatalogNames: search finds assets by their model's
// name or number, their manufacturer's name and their category's name or
// kind, in the caller's organization only.
func TestAssetSearchFindsCatalogNames(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin) // Dell Latitude 7440, category Laptops (LAPTOP)
	d := a.ok(admin, `mutation {
		apple: createManufacturer(input: {name: "Apple"}) { manufacturer { id } }
		screens: createCategory(input: {name: "Screens", kind: MONITOR}) { category { id } }
	}`, nil)
	apple, screens := str(d, "apple.manufacturer.id"), str(d, "screens.category.id")
	d = a.ok(admin, `mutation($apple: ID!, $dell: ID!, $laptops: ID!, $screens: ID!) {
		mbp: createModel(input: {name: "MacBook Pro 14", modelNumber: "A2992", manufacturerId: $apple, categoryId: $laptops}) { model { id } }
		u27: createModel(input: {name: "U2723QE", manufacturerId: $dell, categoryId: $screens}) { model { id } }
	}`, map[string]any{"apple": apple, "dell": ids["manufacturer"], "laptops": ids["category"], "screens": screens})
	a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "LAT-1"})
	a.newAsset(admin, map[string]any{"modelId": str(d, "mbp.model.id"), "assetTag": "MBP-1"})
	a.newAsset(admin, map[string]any{"modelId": str(d, "u27.model.id"), "assetTag": "MON-1"})

	// Another organization's Latitude stays invisible.
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	a.newAsset(other, map[string]any{"modelId": a.inventory(other)["model"], "assetTag": "GLOBEX-LAT"})

	for q, want := range map[string][]string{
		"Latitude": {"LAT-1"},                   // model name
		"macbook":  {"MBP-1"},                   // model name, any case
		"a2992":    {"MBP-1"},                   // model number
		"Dell":     {"LAT-1", "MON-1"},          // manufacturer
		"laptop":   {"LAT-1", "MBP-1"},          // category name
		"monitor":  {"MON-1"},                   // category kind
		"LAT-":     {"LAT-1"},                   // the tag, as before
		"Apple M":  nil,                         // nothing matches the whole text
		"e":        {"LAT-1", "MBP-1", "MON-1"}, // several branches, each asset once
	} {
		require.Equal(t, want, a.searchTags(admin, q), q)
	}
	require.Equal(t, []string{"GLOBEX-LAT"}, a.searchTags(other, "latitude"))
	d = a.ok(admin, `{ assets(filter: {search: "laptop", not: {search: "apple"}}) { totalCount } }`, nil)
	require.EqualValues(t, 1, get(d, "assets.totalCount"))
}

// TestAssetCountsByAssignee: assetCounts groups by the assignee's team and
// location; assets assigned to nobody (or to someone without one) fall in
// the null group, and book values follow the same groups.
func TestAssetCountsByAssignee(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin) // Ada: Engineering, Berlin; Grace: Engineering, no location
	d := a.ok(admin, `mutation {
		sales: createTeam(input: {name: "Sales"}) { team { id } }
		paris: createLocation(input: {kind: SITE, name: "Paris"}) { location { id } }
	}`, nil)
	sales, paris := str(d, "sales.team.id"), str(d, "paris.location.id")
	d = a.ok(admin, `mutation($t: ID!, $l: ID!) { createPerson(input: {name: "Bob", email: "bob@acme.test", teamId: $t, locationId: $l}) { person { id } } }`,
		map[string]any{"t": sales, "l": paris})
	bob := str(d, "createPerson.person.id")
	price := map[string]any{"amount": "100", "currency": "USD"}
	for _, assignee := range []string{ids["ada"], ids["grace"], bob, paris, ""} {
		in := map[string]any{"modelId": ids["model"], "purchasePrice": price, "purchaseDate": "2024-01-01"}
		if assignee != "" {
			in["assigneeId"] = assignee
		}
		a.newAsset(admin, in)
	}

	type group struct {
		name  string
		count float64
		value string
	}
	groups := func(by, field string) []group {
		d := a.ok(admin, `query($by: [AssetGroupBy!]!) { assetCounts(groupBy: $by) {
			count assigneeTeam { name } assigneeLocation { name } purchaseValue { amount } bookValue { amount } } }`,
			map[string]any{"by": []string{by}})
		var out []group
		for _, g := range get(d, "assetCounts").([]any) {
			out = append(out, group{str(g, field+".name"), get(g, "count").(float64), str(g, "purchaseValue.0.amount")})
			require.Nil(t, get(g, map[string]string{"assigneeTeam": "assigneeLocation", "assigneeLocation": "assigneeTeam"}[field]),
				"the dimension not grouped by is null")
			require.NotEmpty(t, get(g, "bookValue"), "book values come in the same groups")
		}
		slices.SortFunc(out, func(x, y group) int { return int(y.count-x.count)*10 + cmpStr(x.name, y.name) })
		return out
	}
	require.Equal(t, []group{{"", 2, "200.00"}, {"Engineering", 2, "200.00"}, {"Sales", 1, "100.00"}}, groups("ASSIGNEE_TEAM", "assigneeTeam"),
		"Ada and Grace in Engineering, Bob in Sales; the location-assigned and the unassigned asset have no team")
	require.Equal(t, []group{{"", 2, "200.00"}, {"Paris", 2, "200.00"}, {"Berlin", 1, "100.00"}}, groups("ASSIGNEE_LOCATION", "assigneeLocation"),
		"Paris: assigned there, and Bob who works there; Grace has no location and one asset is unassigned")

	d = a.ok(admin, `{ assetCounts(groupBy: [ASSIGNEE_TEAM, ASSIGNEE_LOCATION]) { count assigneeTeam { name } assigneeLocation { name } } }`, nil)
	require.Len(t, get(d, "assetCounts"), 5, "each asset its own pair")
	a.code(mint(t, "acme", itam.RoleEmployee, "ada@example.com"), `{ assetCounts(groupBy: [ASSIGNEE_TEAM]) { count } }`, nil, "FORBIDDEN", "")
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestDerivedEndOfLife: without an explicit end of life, the purchase date
// plus the model's useful life (month ends clamped) is the end of life,
// and endOfLifeSource says which rule gave it.
func TestDerivedEndOfLife(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin) // Latitude 7440: usefulLifeMonths 48
	d := a.ok(admin, `mutation($m: ID!, $c: ID!) {
		short: createModel(input: {name: "Loaner", manufacturerId: $m, categoryId: $c, usefulLifeMonths: 6}) { model { id version } }
		none: createModel(input: {name: "No life", manufacturerId: $m, categoryId: $c}) { model { id } }
	}`, map[string]any{"m": ids["manufacturer"], "c": ids["category"]})
	short, none := str(d, "short.model.id"), str(d, "none.model.id")
	derived := a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "D1", "purchaseDate": "2024-02-29"})
	clamped := a.newAsset(admin, map[string]any{"modelId": short, "assetTag": "D2", "purchaseDate": "2024-08-31"})
	explicit := a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "D3", "purchaseDate": "2024-02-01", "endOfLife": "2026-12-31"})
	a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "D4"})                                          // no purchase date
	a.newAsset(admin, map[string]any{"modelId": none, "assetTag": "D5", "purchaseDate": "2024-02-01"})                    // no useful life
	a.newAsset(admin, map[string]any{"modelId": short, "assetTag": "D6", "purchaseDate": "2024-01-31", "endOfLife": nil}) // Jan 31 + 6

	list := func() map[string][2]any {
		d := a.ok(admin, `{ assets(first: 10) { nodes { assetTag endOfLife endOfLifeSource } } }`, nil)
		out := map[string][2]any{}
		for _, n := range get(d, "assets.nodes").([]any) {
			out[str(n, "assetTag")] = [2]any{get(n, "endOfLife"), get(n, "endOfLifeSource")}
		}
		return out
	}
	require.Equal(t, map[string][2]any{
		"D1": {"2028-02-29", "MODEL_USEFUL_LIFE"},
		"D2": {"2025-02-28", "MODEL_USEFUL_LIFE"}, // Aug 31 + 6 months
		"D3": {"2026-12-31", "EXPLICIT"},
		"D4": {nil, nil},
		"D5": {nil, nil},
		"D6": {"2024-07-31", "MODEL_USEFUL_LIFE"},
	}, list())

	// node(id:) and a mutation's payload answer the same; endOfLife alone
	// (no model selected) still sees the model.
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { endOfLife } } }`, map[string]any{"id": clamped})
	require.Equal(t, "2025-02-28", str(d, "node.endOfLife"))
	d = a.ok(admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 1, purchaseDate: "2024-09-30"}) { asset { endOfLife endOfLifeSource } } }`,
		map[string]any{"id": clamped})
	require.Equal(t, "2025-03-30", str(d, "updateAsset.asset.endOfLife"))

	// A derived date follows the model; an explicit one does not.
	a.ok(admin, `mutation($id: ID!) { updateModel(input: {id: $id, version: 1, usefulLifeMonths: 12}) { model { id } } }`, map[string]any{"id": short})
	got := list()
	require.Equal(t, [2]any{"2025-09-30", "MODEL_USEFUL_LIFE"}, got["D2"])
	require.Equal(t, [2]any{"2026-12-31", "EXPLICIT"}, got["D3"])

	// Clearing the explicit date goes back to the derived one; setting one wins.
	d = a.ok(admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 1, endOfLife: null}) { asset { endOfLife endOfLifeSource } } }`,
		map[string]any{"id": explicit})
	require.Equal(t, "2028-02-01", str(d, "updateAsset.asset.endOfLife"))
	require.Equal(t, "MODEL_USEFUL_LIFE", str(d, "updateAsset.asset.endOfLifeSource"))
	d = a.ok(admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 1, endOfLife: "2027-06-30"}) { asset { endOfLife endOfLifeSource } } }`,
		map[string]any{"id": derived})
	require.Equal(t, [2]any{"2027-06-30", "EXPLICIT"}, [2]any{str(d, "updateAsset.asset.endOfLife"), str(d, "updateAsset.asset.endOfLifeSource")})

	// A derived date is not stored: history of the model change has no
	// entry on the asset.
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { history { nodes { action } } } } }`, map[string]any{"id": clamped})
	require.Len(t, get(d, "node.history.nodes"), 2, "CREATE and the purchase date UPDATE only")

	// The EMPLOYEE holding an asset reads its end of life too.
	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	a.ok(admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to}) { asset { id } } }`, map[string]any{"id": clamped, "to": ids["ada"]})
	d = a.ok(ada, `{ assets { nodes { endOfLife endOfLifeSource } } }`, nil)
	require.Equal(t, "2025-09-30", str(d, "assets.nodes.0.endOfLife"))
}

// TestCustomFieldsPatch: customFieldsPatch merges into the current custom
// fields (null removes a key), is validated like customFields on the
// merged result, records only the keys that changed, and cannot be given
// with customFields; customFields still replaces the whole object.
func TestCustomFieldsPatch(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, `mutation {
		c: createCategory(input: {name: "Workstations", kind: DESKTOP, fieldDefinitions: [
			{key: "ram_gb", label: "RAM", type: NUMBER},
			{key: "os", label: "OS", type: ENUM, options: ["macOS", "Linux"], required: true},
			{key: "note", label: "Note", type: TEXT}]}) { category { id } }
	}`, nil)
	d = a.ok(admin, `mutation($m: ID!, $c: ID!) { createModel(input: {name: "Precision", manufacturerId: $m, categoryId: $c}) { model { id } } }`,
		map[string]any{"m": ids["manufacturer"], "c": str(d, "c.category.id")})
	id := a.newAsset(admin, map[string]any{"modelId": str(d, "createModel.model.id"),
		"customFields": map[string]any{"ram_gb": 16, "os": "macOS", "note": "desk 4"}})

	const update = `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { version customFields } } }`
	in := func(version int, fields map[string]any) map[string]any {
		m := map[string]any{"id": id, "version": version}
		for k, v := range fields {
			m[k] = v
		}
		return map[string]any{"in": m}
	}
	d = a.ok(admin, update, in(1, map[string]any{"customFieldsPatch": map[string]any{"ram_gb": 32, "note": nil}}))
	require.Equal(t, map[string]any{"ram_gb": 32.0, "os": "macOS"}, get(d, "updateAsset.asset.customFields"), "ram changed, note removed, os kept")
	require.EqualValues(t, 2, get(d, "updateAsset.asset.version"))

	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { history { nodes { action changes { field from to } } } } } }`, map[string]any{"id": id})
	changes := map[string][2]any{}
	for _, c := range get(d, "node.history.nodes.1.changes").([]any) {
		changes[str(c, "field")] = [2]any{get(c, "from"), get(c, "to")}
	}
	require.Equal(t, map[string][2]any{"customFields.ram_gb": {16.0, 32.0}, "customFields.note": {"desk 4", nil}}, changes,
		"history records only the keys that changed")

	// Refusals: nothing written (the version stays 2, the fields as they were).
	for _, tc := range []struct {
		name   string
		fields map[string]any
		field  string
	}{
		{"value outside the enum", map[string]any{"customFieldsPatch": map[string]any{"os": "BeOS"}}, "customFieldsPatch.os"},
		{"wrong type", map[string]any{"customFieldsPatch": map[string]any{"ram_gb": "lots"}}, "customFieldsPatch.ram_gb"},
		{"unknown key", map[string]any{"customFieldsPatch": map[string]any{"gpu": "x"}}, "customFieldsPatch.gpu"},
		{"removing a required field", map[string]any{"customFieldsPatch": map[string]any{"os": nil}}, "customFieldsPatch.os"},
		{"both given", map[string]any{"customFields": map[string]any{"os": "Linux"}, "customFieldsPatch": map[string]any{"ram_gb": 8}}, "customFieldsPatch"},
		{"not an object", map[string]any{"customFieldsPatch": []any{1}}, "customFieldsPatch"},
		{"null", map[string]any{"customFieldsPatch": nil}, "customFieldsPatch"},
	} {
		a.code(admin, update, in(2, tc.fields), "BAD_USER_INPUT", tc.field)
		d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { version customFields } } }`, map[string]any{"id": id})
		require.EqualValues(t, 2, get(d, "node.version"), tc.name)
		require.Equal(t, map[string]any{"ram_gb": 32.0, "os": "macOS"}, get(d, "node.customFields"), tc.name)
	}

	// customFields still replaces the whole object.
	d = a.ok(admin, update, in(2, map[string]any{"customFields": map[string]any{"os": "Linux"}}))
	require.Equal(t, map[string]any{"os": "Linux"}, get(d, "updateAsset.asset.customFields"))

	// Roles are as for updateAsset: readers cannot patch.
	for _, role := range []itam.Role{itam.RoleAuditor, itam.RoleEmployee} {
		a.code(mint(t, "acme", role, "ada@example.com"), update, in(3, map[string]any{"customFieldsPatch": map[string]any{"ram_gb": 1}}), "FORBIDDEN", "")
	}
}

// TestDeleteRefusalsNameTheirBlockers: a delete refused because other
// records point at the row says what they are, how many, and gives one as
// an example by global id; nothing is deleted and the code and field stay.
func TestDeleteRefusalsNameTheirBlockers(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	first := a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "LT-0001", "locationId": ids["location"],
		"ownerId": ids["team"], "supplierId": ids["supplier"], "assigneeId": ids["ada"]})
	second := a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "LT-0002", "locationId": ids["location"], "supplierId": ids["supplier"]})
	d := a.ok(admin, `mutation($l: ID!) { createLocation(input: {kind: BUILDING, name: "HQ", parentId: $l}) { location { id } } }`, map[string]any{"l": ids["location"]})
	_ = str(d, "createLocation.location.id")
	d = a.ok(admin, `{ viewer { organization { defaultOwnerTeam { id name } } } }`, nil)
	defaultTeam := str(d, "viewer.organization.defaultOwnerTeam.id")
	require.NotEmpty(t, defaultTeam)

	ex := func(id, label string) string { return "(e.g. Asset " + id + " " + label + ")" }
	for _, tc := range []struct {
		name, mutation, id string
		want               []string
	}{
		{"location", "deleteLocation", ids["location"], []string{`location "Berlin" is still referenced by 2 assets ` + ex(first, "tag LT-0001"), "1 person", "1 location inside it"}},
		{"supplier", "deleteSupplier", ids["supplier"], []string{`supplier "CDW" is still referenced by 2 assets ` + ex(first, "tag LT-0001")}},
		{"model", "deleteModel", ids["model"], []string{`model "Latitude 7440" is still referenced by 2 assets ` + ex(first, "tag LT-0001")}},
		{"manufacturer", "deleteManufacturer", ids["manufacturer"], []string{`manufacturer "Dell" is still referenced by 2 assets ` + ex(first, "tag LT-0001"), "1 model"}},
		{"category", "deleteCategory", ids["category"], []string{`category "Laptops" is still referenced by 1 model (e.g. Model ` + ids["model"] + " Latitude 7440)"}},
		{"person", "deletePerson", ids["ada"], []string{`person "Ada Lovelace" is still referenced by`, "1 asset " + ex(first, "tag LT-0001")}},
		{"team", "deleteTeam", ids["team"], []string{`team "Engineering" is still referenced by 1 asset ` + ex(first, "tag LT-0001") + " and 2 people"}},
		{"default team", "deleteTeam", defaultTeam, []string{"1 asset " + ex(second, "tag LT-0002"), "the organization's default owner team setting"}},
	} {
		r := a.code(admin, `mutation($id: ID!) { `+tc.mutation+`(input: {id: $id}) { deletedId } }`, map[string]any{"id": tc.id}, "CONFLICT", "id")
		for _, w := range tc.want {
			require.Contains(t, r.Errors[0].Message, w, tc.name)
		}
		d := a.ok(admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": tc.id})
		require.Equal(t, tc.id, str(d, "node.id"), "%s: nothing deleted", tc.name)
	}

	// The example opens with node(id:).
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { assetTag } } }`, map[string]any{"id": first})
	require.Equal(t, "LT-0001", str(d, "node.assetTag"))
	// Unreferenced records still delete.
	d = a.ok(admin, `mutation { createSupplier(input: {name: "Unused"}) { supplier { id } } }`, nil)
	a.ok(admin, `mutation($id: ID!) { deleteSupplier(input: {id: $id}) { deletedId } }`, map[string]any{"id": str(d, "createSupplier.supplier.id")})
}

// TestDuplicateTagOrSerialNamesTheHolder: a duplicate asset tag or serial
// number is CONFLICT on its field naming the asset that holds it.
func TestDuplicateTagOrSerialNamesTheHolder(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	holder := a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "LT-0001", "serialNumber": "C02XL0GJ"})
	other := a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": "LT-0002"})
	named := "Asset " + holder + " (tag LT-0001)"

	r := a.code(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assetTag": " lt-0001 "}}, "CONFLICT", "assetTag")
	require.Equal(t, `asset tag "lt-0001" is already used by `+named, r.Errors[0].Message)
	r = a.code(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "serialNumber": "c02xl0gj"}}, "CONFLICT", "serialNumber")
	require.Equal(t, `serial number "c02xl0gj" is already recorded for this manufacturer on `+named, r.Errors[0].Message)

	const update = `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { id } } }`
	r = a.code(admin, update, map[string]any{"in": map[string]any{"id": other, "version": 1, "assetTag": "LT-0001"}}, "CONFLICT", "assetTag")
	require.Contains(t, r.Errors[0].Message, named)
	r = a.code(admin, update, map[string]any{"in": map[string]any{"id": other, "version": 1, "serialNumber": "C02XL0GJ"}}, "CONFLICT", "serialNumber")
	require.Contains(t, r.Errors[0].Message, named)
	d := a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { assetTag serialNumber version } } }`, map[string]any{"id": other})
	require.Equal(t, map[string]any{"assetTag": "LT-0002", "serialNumber": nil, "version": 1.0}, get(d, "node"), "nothing written")

	// A stale version is still the plain version conflict.
	a.code(admin, update, map[string]any{"in": map[string]any{"id": other, "version": 7, "assetTag": "LT-0001"}}, "CONFLICT", "version")
}

// TestMoneyInMinorUnits: every Money amount is written with the
// currency's minor-unit digits, wherever it appears.
func TestMoneyInMinorUnits(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	for tag, price := range map[string][2]string{
		"USD-1": {"1649", "USD"}, "USD-2": {"1649.5", "USD"}, "JPY-1": {"1649", "JPY"}, "JPY-2": {"200000.0000", "JPY"},
		"BHD-1": {"12.5", "BHD"}, "USD-3": {"0.0125", "USD"},
	} {
		a.newAsset(admin, map[string]any{"modelId": ids["model"], "assetTag": tag, "purchaseDate": "2024-01-01",
			"purchasePrice": map[string]any{"amount": price[0], "currency": price[1]}})
	}
	d := a.ok(admin, `{ assets(first: 10) { nodes { assetTag purchasePrice { amount currency } costEntries { nodes { amount { amount } } } } }
		assetCounts { purchaseValue { amount currency } bookValue { amount currency } } }`, nil)
	want := map[string]string{"USD-1": "1649.00", "USD-2": "1649.50", "JPY-1": "1649", "JPY-2": "200000", "BHD-1": "12.500", "USD-3": "0.0125"}
	nodes := get(d, "assets.nodes").([]any)
	require.Len(t, nodes, len(want))
	for _, n := range nodes {
		tag := str(n, "assetTag")
		require.Equal(t, want[tag], str(n, "purchasePrice.amount"), tag)
		require.Equal(t, want[tag], str(n, "costEntries.nodes.0.amount.amount"), "%s: the PURCHASE ledger entry", tag)
	}
	sums := map[string]string{}
	for _, m := range get(d, "assetCounts.0.purchaseValue").([]any) {
		sums[str(m, "currency")] = str(m, "amount")
	}
	require.Equal(t, map[string]string{"USD": "3298.5125", "JPY": "201649", "BHD": "12.500"}, sums)
	book := get(d, "assetCounts.0.bookValue").([]any)
	require.NotEmpty(t, book)
	for _, m := range book {
		require.NotContains(t, str(m, "amount"), "e", "plain decimals")
	}
}
