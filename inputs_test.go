package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// binaryAnd builds a balanced and-tree of n (a power of two) copies of leaf.
func binaryAnd(n int, leaf map[string]any) map[string]any {
	if n == 1 {
		return leaf
	}
	return map[string]any{"and": []any{binaryAnd(n/2, leaf), binaryAnd(n/2, leaf)}}
}

// nestedNot wraps leaf in n levels of not.
func nestedNot(n int, leaf map[string]any) map[string]any {
	f := leaf
	for range n {
		f = map[string]any{"not": f}
	}
	return f
}

func ids(n int, v any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestFilterLimits: filters that would make PostgreSQL work for a minute or
// exhaust its memory are refused before any SQL runs, as BAD_USER_INPUT
// naming the argument path, on every list query; filters inside the limits
// still work.
func TestFilterLimits(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	inv := a.inventory(admin)
	a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "assetTag": "TAG-1", "name": "x-ray"}})

	const assets = `query($f: AssetFilter) { assets(first: 1, filter: $f) { totalCount } }`
	x := map[string]any{"search": "x"}
	cases := []struct {
		name, query string
		filter      any
		field       string
	}{
		{"1,024 leaves", assets, binaryAnd(1024, x), "filter.and"},
		{"51 leaves in an or", assets, map[string]any{"or": []any{binaryAnd(32, x), binaryAnd(16, x), binaryAnd(2, x), x}}, "filter.or"},
		{"3,000 nested nots", assets, nestedNot(3000, x), "filter" + strings.Repeat(".not", itam.MaxFilterDepth+1)},
		{"deep and", assets, map[string]any{"and": []any{nestedNot(itam.MaxFilterDepth, x)}}, "filter.and[0]" + strings.Repeat(".not", itam.MaxFilterDepth)},
		{"1 MB search", assets, map[string]any{"search": strings.Repeat("x", 1<<20)}, "filter.search"},
		{"257-character nested search", assets, map[string]any{"or": []any{x, map[string]any{"search": strings.Repeat("é", 257)}}}, "filter.or[1].search"},
		{"101 statuses", assets, map[string]any{"statusIn": ids(101, "DEPLOYED")}, "filter.statusIn"},
		{"101 category ids", assets, map[string]any{"categoryIds": ids(101, inv["category"])}, "filter.categoryIds"},
		{"101 owner ids deep", assets, map[string]any{"not": map[string]any{"ownerIds": ids(101, inv["team"])}}, "filter.not.ownerIds"},
		{"101 and items", assets, map[string]any{"and": ids(101, map[string]any{})}, "filter.and"},
		{"person assets", `query($f: AssetFilter) { people(first: 1) { nodes { assets(filter: $f) { totalCount } } } }`, binaryAnd(64, x), "filter.and"},
		{"asset counts", `query($f: AssetFilter) { assetCounts(filter: $f) { count } }`, nestedNot(50, x), "filter" + strings.Repeat(".not", itam.MaxFilterDepth+1)},
		{"people search", `query($f: PersonFilter) { people(filter: $f) { totalCount } }`, map[string]any{"search": strings.Repeat("x", 257)}, "filter.search"},
		{"people team ids", `query($f: PersonFilter) { people(filter: $f) { totalCount } }`, map[string]any{"teamIds": ids(101, inv["team"])}, "filter.teamIds"},
		{"teams search", `query($f: TeamFilter) { teams(filter: $f) { totalCount } }`, map[string]any{"search": strings.Repeat("x", 257)}, "filter.search"},
		{"locations search", `query($f: LocationFilter) { locations(filter: $f) { totalCount } }`, map[string]any{"search": strings.Repeat("x", 257)}, "filter.search"},
		{"manufacturers search", `query($f: NameFilter) { manufacturers(filter: $f) { totalCount } }`, map[string]any{"search": strings.Repeat("x", 257)}, "filter.search"},
		{"suppliers search", `query($f: NameFilter) { suppliers(filter: $f) { totalCount } }`, map[string]any{"search": strings.Repeat("x", 257)}, "filter.search"},
		{"categories search", `query($f: CategoryFilter) { categories(filter: $f) { totalCount } }`, map[string]any{"search": strings.Repeat("x", 257)}, "filter.search"},
		{"models ids", `query($f: ModelFilter) { models(filter: $f) { totalCount } }`, map[string]any{"categoryIds": ids(101, inv["category"])}, "filter.categoryIds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(admin, tc.query, map[string]any{"f": tc.filter})
			require.NotEmpty(t, r.Errors)
			require.Equal(t, "BAD_USER_INPUT", r.Errors[0].Extensions["code"], "%+v", r.Errors[0])
			require.Equal(t, tc.field, r.Errors[0].Extensions["field"], "%+v", r.Errors[0].Message)
		})
	}

	// At the limits, filters run.
	d := a.ok(admin, assets, map[string]any{"f": map[string]any{"and": []any{binaryAnd(32, x), binaryAnd(16, x), binaryAnd(2, x)}}})
	require.EqualValues(t, 1, get(d, "assets.totalCount"))
	d = a.ok(admin, assets, map[string]any{"f": nestedNot(itam.MaxFilterDepth, x)})
	require.EqualValues(t, 1, get(d, "assets.totalCount"), "an even number of nots is the filter itself")
	d = a.ok(admin, assets, map[string]any{"f": map[string]any{"search": strings.Repeat("x", 256), "statusIn": ids(100, "IN_STOCK")}})
	require.EqualValues(t, 0, get(d, "assets.totalCount"))
	d = a.ok(admin, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(500, inv["team"])})
	require.Len(t, get(d, "nodes"), 500)
	a.code(admin, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(501, inv["team"])}, "BAD_USER_INPUT", "ids")
}

// TestFilterCostCountsInComplexity: each filter condition adds to a query's
// complexity, so a large filter on a connection nested in a list of 100 is
// refused before it runs, while the same query with a small filter is not.
func TestFilterCostCountsInComplexity(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	q := `query($f: AssetFilter) { people(first: 100) { nodes { assets(first: 10, filter: $f) { nodes { id } } } } }`
	a.ok(admin, q, map[string]any{"f": map[string]any{"search": "x"}})
	r := a.do(admin, q, map[string]any{"f": binaryAnd(32, map[string]any{"search": "x"})})
	require.NotEmpty(t, r.Errors)
	require.Equal(t, "COMPLEXITY_LIMIT_EXCEEDED", r.Errors[0].Extensions["code"], "%+v", r.Errors)
}

// TestBadTextAndNumbersAreInputErrors: text PostgreSQL cannot store (a
// NUL, invalid UTF-8), numbers no column can hold and malformed times are
// BAD_USER_INPUT naming the field, in every mutation and lookup, and
// nothing is written.
func TestBadTextAndNumbersAreInputErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	inv := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "assetTag": "TAG-1"}})
	asset, version := str(d, "createAsset.asset.id"), get(d, "createAsset.asset.version")
	nul := "a\u0000b"
	const counts = `{ assets { totalCount } people { totalCount } teams { totalCount } locations { totalCount }
		manufacturers { totalCount } categories { totalCount } models { totalCount } suppliers { totalCount }
		organization { name } assetByTag(assetTag: "TAG-1") { version name notes } }`
	before := a.ok(admin, counts, nil)

	cases := []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"asset tag", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "assetTag": nul}}, "assetTag"},
		{"asset notes", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "notes": nul}}, "notes"},
		{"external id", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "externalIds": []any{map[string]any{"source": "jamf", "externalId": nul}}}}, "externalIds[0].externalId"},
		{"last seen", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "externalIds": []any{map[string]any{"source": "jamf", "externalId": "1", "lastSeenAt": "yesterday"}}}}, "externalIds[0].lastSeenAt"},
		{"custom text", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "customFields": map[string]any{"ram_gb": nul}}}, "customFields.ram_gb"},
		{"custom key", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "customFields": map[string]any{nul: 1}}}, "customFields"},
		{"huge amount", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "purchasePrice": map[string]any{"amount": json.Number("1e999999"), "currency": "USD"}}}, "purchasePrice.amount"},
		{"tiny amount", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "purchasePrice": map[string]any{"amount": "1e-2147483647", "currency": "USD"}}}, "purchasePrice.amount"},
		{"purchase date", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "purchaseDate": "yesterday"}}, "purchaseDate"},
		{"update name", `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { id } } }`, map[string]any{"in": map[string]any{"id": asset, "version": version, "name": nul}}, "name"},
		{"dispose certificate", `mutation($in: DisposeAssetInput!) { disposeAsset(input: $in) { asset { id } } }`, map[string]any{"in": map[string]any{"id": asset, "date": "2024-01-01", "method": "RECYCLED", "certificate": nul}}, "certificate"},
		{"person name", `mutation($in: CreatePersonInput!) { createPerson(input: $in) { person { id } } }`, map[string]any{"in": map[string]any{"name": nul, "email": "n@example.com"}}, "name"},
		{"person title", `mutation($in: UpdatePersonInput!) { updatePerson(input: $in) { person { id } } }`, map[string]any{"in": map[string]any{"id": inv["ada"], "version": 1, "title": nul}}, "title"},
		{"team", `mutation($in: CreateTeamInput!) { createTeam(input: $in) { team { id } } }`, map[string]any{"in": map[string]any{"name": "T", "description": nul}}, "description"},
		{"location address", `mutation($in: CreateLocationInput!) { createLocation(input: $in) { location { id } } }`, map[string]any{"in": map[string]any{"kind": "SITE", "name": "L", "address": map[string]any{"line1": nul}}}, "address.line1"},
		{"manufacturer", `mutation($in: CreateManufacturerInput!) { createManufacturer(input: $in) { manufacturer { id } } }`, map[string]any{"in": map[string]any{"name": nul}}, "name"},
		{"category options", `mutation($in: CreateCategoryInput!) { createCategory(input: $in) { category { id } } }`, map[string]any{"in": map[string]any{"name": "C", "kind": "OTHER", "fieldDefinitions": []any{map[string]any{"key": "k", "label": "K", "type": "ENUM", "options": []any{"a", nul}}}}}, "fieldDefinitions[0].options[1]"},
		{"model", `mutation($in: CreateModelInput!) { createModel(input: $in) { model { id } } }`, map[string]any{"in": map[string]any{"name": "M", "manufacturerId": inv["manufacturer"], "categoryId": inv["category"], "modelNumber": nul}}, "modelNumber"},
		{"supplier", `mutation($in: CreateSupplierInput!) { createSupplier(input: $in) { supplier { id } } }`, map[string]any{"in": map[string]any{"name": "S", "phone": nul}}, "phone"},
		{"connector name", `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { connector { id } } }`, map[string]any{"in": map[string]any{"kind": "KANDJI", "name": nul, "baseUrl": "https://x.api.kandji.io", "credentials": map[string]any{"apiToken": "t"}}}, "name"},
		{"organization", `mutation($in: UpdateOrganizationInput!) { updateOrganization(input: $in) { organization { id } } }`, map[string]any{"in": map[string]any{"name": nul}}, "name"},
		{"overlong text", createAsset, map[string]any{"in": map[string]any{"modelId": inv["model"], "notes": strings.Repeat("n", itam.MaxTextLength+1)}}, "notes"},
		{"search", `query($f: AssetFilter) { assets(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"search": nul}}, "filter.search"},
		{"custom field filter", `query($f: AssetFilter) { assets(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"customFields": map[string]any{"ram_gb": nul}}}, "filter.customFields.ram_gb"},
		{"deep custom field filter", `query($f: AssetFilter) { assets(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"customFields": deepJSON(100)}}, ""},
		{"by tag", `query($t: String!) { assetByTag(assetTag: $t) { id } }`, map[string]any{"t": nul}, "assetTag"},
		{"by serial", `query($s: String!) { assetBySerial(serialNumber: $s) { id } }`, map[string]any{"s": nul}, "serialNumber"},
		{"conflicts", `query($s: String) { syncConflicts(source: $s) { totalCount } }`, map[string]any{"s": nul}, "source"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(admin, tc.query, tc.vars)
			require.NotEmpty(t, r.Errors)
			require.Equal(t, "BAD_USER_INPUT", r.Errors[0].Extensions["code"], "%+v", r.Errors[0])
			if tc.field != "" {
				require.Equal(t, tc.field, r.Errors[0].Extensions["field"], "%+v", r.Errors[0].Message)
			}
		})
	}
	require.Equal(t, before, a.ok(admin, counts, nil), "refused mutations wrote nothing")
}

func deepJSON(n int) any {
	var v any = "x"
	for range n {
		v = map[string]any{"k": v}
	}
	return v
}

// TestDeepFilterJSON: a filter nested deeper than the JSON decoder allows
// is still an input error, never INTERNAL.
func TestDeepFilterJSON(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	for _, depth := range []int{3000, 20000} {
		vars := strings.Repeat(`{"not":`, depth) + `{"search":"x"}` + strings.Repeat("}", depth)
		body := fmt.Sprintf(`{"query":"query($f: AssetFilter){assets(first:1,filter:$f){totalCount}}","variables":{"f":%s}}`, vars)
		r := a.raw(admin, body)
		require.NotEmpty(t, r.Errors, "depth %d", depth)
		require.NotEqual(t, "INTERNAL", r.Errors[0].Extensions["code"], "depth %d: %+v", depth, r.Errors[0])
		require.NotNil(t, r.Errors[0].Extensions["code"], "depth %d: %+v", depth, r.Errors[0])
	}
}
