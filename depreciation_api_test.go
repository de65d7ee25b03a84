package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// depAPI is the API with acme's reference records, an ADMIN token and the
// owner's pool for counting what was written.
type depAPI struct {
	*api
	owner *pgxpool.Pool
	admin string
	ids   map[string]string
}

func newDepAPI(t *testing.T) *depAPI {
	t.Helper()
	t.Parallel()
	a := newAPI(t)
	d := &depAPI{api: a, owner: a.owner(), admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test")}
	d.ids = a.inventory(d.admin)
	return d
}

// count is a number the owner reads (rows of every organization).
func (d *depAPI) count(sql string, args ...any) int {
	d.t.Helper()
	var n int
	require.NoError(d.t, d.owner.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// written is how many profiles and profile history rows exist, to prove a
// refused call wrote nothing.
func (d *depAPI) written() [2]int {
	return [2]int{d.count(`SELECT count(*) FROM depreciation_profiles`),
		d.count(`SELECT count(*) FROM cost_history WHERE entity_type = 'DepreciationProfile'`)}
}

const createProfileQ = `mutation($in: CreateDepreciationProfileInput!) { createDepreciationProfile(input: $in) {
	depreciationProfile { id name method usefulLifeMonths salvageValue { amount currency } salvagePercent rate convention isDefault version } } }`

func (d *depAPI) profile(tok string, in map[string]any) string {
	d.t.Helper()
	return str(d.ok(tok, createProfileQ, map[string]any{"in": in}), "createDepreciationProfile.depreciationProfile.id")
}

// straightLine is a five-year annual profile with salvage 1,000 in cur.
func straightLine(name, cur string) map[string]any {
	return map[string]any{"name": name, "method": "STRAIGHT_LINE", "usefulLifeMonths": 60, "convention": "ANNUAL",
		"salvageValue": map[string]any{"amount": "1000", "currency": cur}}
}

func (d *depAPI) asset(in map[string]any) string {
	d.t.Helper()
	if in["modelId"] == nil {
		in["modelId"] = d.ids["model"]
	}
	return str(d.ok(d.admin, createAsset, map[string]any{"in": in}), "createAsset.asset.id")
}

const scheduleQ = `query($id: ID!, $asOf: Date) { node(id: $id) { ... on Asset {
	inServiceDate depreciationProfileSource depreciationProfile { id name }
	depreciationSchedule { start end openingValue { amount currency } depreciation { amount currency } closingValue { amount currency } }
	bookValue(asOf: $asOf) { amount currency } } } }`

// schedule returns an asset's depreciation amounts and its book value at asOf.
func (d *depAPI) schedule(tok, asset, asOf string) (amounts []string, book any, node map[string]any) {
	d.t.Helper()
	var vars = map[string]any{"id": asset}
	if asOf != "" {
		vars["asOf"] = asOf
	}
	n, _ := get(d.ok(tok, scheduleQ, vars), "node").(map[string]any)
	for _, p := range get(n, "depreciationSchedule").([]any) {
		amounts = append(amounts, depAmount(d.t, get(p, "depreciation")))
	}
	if b := get(n, "bookValue"); b != nil {
		book = depAmount(d.t, b)
	}
	return amounts, book, n
}

// depAmount checks a Money is written in its currency's minor units and
// returns its value without trailing zeros, as the reference cases list them.
func depAmount(t testing.TB, m any) string {
	t.Helper()
	v := decimal.RequireFromString(str(m, "amount"))
	require.Equal(t, itam.FormatAmount(v, str(m, "currency")), str(m, "amount"), "money in minor units")
	return v.String()
}

// TestDepreciationAPIReferenceCases reads issue #10's reference case through
// the API (annual convention, cost 10,000, salvage 1,000, five years). The
// 150% line switches to straight line in year 4, the rule of IRS
// Publication 946 ("Declining Balance Method": switch "in the first year
// for which it will give an equal or greater deduction"); straight line,
// sum-of-the-years'-digits and double declining balance are the textbook
// figures (Kieso, Weygandt & Warfield, Intermediate Accounting, ch. 11,
// "Depreciation Methods", the same 10,000/1,000/5-year asset pattern).
// The book value at the end of each year is the closing value.
func TestDepreciationAPIReferenceCases(t *testing.T) {
	d := newDepAPI(t)
	cases := []struct {
		method string
		rate   any
		want   []string
	}{
		{"STRAIGHT_LINE", nil, []string{"1800", "1800", "1800", "1800", "1800"}},
		{"SUM_OF_YEARS_DIGITS", nil, []string{"3000", "2400", "1800", "1200", "600"}},
		{"DOUBLE_DECLINING_BALANCE", nil, []string{"4000", "2400", "1440", "864", "296"}},
		{"DECLINING_BALANCE", "1.5", []string{"3000", "2100", "1470", "1215", "1215"}},
	}
	for _, tc := range cases {
		in := straightLine(tc.method, "USD")
		in["method"] = tc.method
		if tc.rate != nil {
			in["rate"] = tc.rate
		}
		prof := d.profile(d.admin, in)
		asset := d.asset(map[string]any{"purchasePrice": map[string]any{"amount": "10000", "currency": "USD"},
			"purchaseDate": "2020-01-01", "depreciationProfileId": prof})
		got, book, n := d.schedule(d.admin, asset, "2019-12-31")
		require.Equal(t, tc.want, got, tc.method)
		require.Equal(t, "10000", book, "%s: before service the book value is the cost", tc.method)
		require.Equal(t, "ASSET", get(n, "depreciationProfileSource"))
		require.Equal(t, prof, str(n, "depreciationProfile.id"))
		require.Equal(t, "2020-01-01", str(n, "depreciationSchedule.0.start"))
		require.Equal(t, "2020-12-31", str(n, "depreciationSchedule.0.end"))
		require.Equal(t, "1000.00", str(n, "depreciationSchedule.4.closingValue.amount"))
		require.Equal(t, "USD", str(n, "depreciationSchedule.4.closingValue.currency"))
		value := 10000
		for year, amount := range tc.want {
			var a int
			_, err := fmt.Sscan(amount, &a)
			require.NoError(t, err)
			value -= a
			end := fmt.Sprintf("%d-12-31", 2020+year)
			_, book, _ = d.schedule(d.admin, asset, end)
			require.Equal(t, fmt.Sprint(value), book, "%s at %s", tc.method, end)
			// The day before a period closes, its depreciation is not booked yet.
			_, book, _ = d.schedule(d.admin, asset, fmt.Sprintf("%d-12-30", 2020+year))
			require.Equal(t, fmt.Sprint(value+a), book, "%s at the day before %s", tc.method, end)
		}
	}
}

// TestDepreciationAPIMonthlyAndCurrencies: the MONTHLY convention and
// currencies of 0 and 3 minor units through the API.
func TestDepreciationAPIMonthlyAndCurrencies(t *testing.T) {
	d := newDepAPI(t)
	// Partial-year straight line, as taught for the sandblasting equipment
	// exercise (cost $64,000, residual $4,000, eight years, in service on
	// April 1: 60,000 / 8 × 9/12 = 5,625 for the first calendar year).
	monthly := d.profile(d.admin, map[string]any{"name": "Sandblaster", "method": "STRAIGHT_LINE", "usefulLifeMonths": 96,
		"convention": "MONTHLY", "salvageValue": map[string]any{"amount": "4000", "currency": "USD"}})
	asset := d.asset(map[string]any{"purchasePrice": map[string]any{"amount": "64000", "currency": "USD"},
		"purchaseDate": "2023-02-10", "inServiceDate": "2023-04-01", "depreciationProfileId": monthly})
	got, book, n := d.schedule(d.admin, asset, "2023-12-31")
	require.Len(t, got, 96)
	require.Equal(t, "625", got[0])
	require.Equal(t, "625", got[95])
	require.Equal(t, "58375", book, "64,000 − 5,625")
	require.Equal(t, "2023-04-01", get(n, "inServiceDate"), "inServiceDate overrides the purchase date")
	require.Equal(t, "2023-04-30", str(n, "depreciationSchedule.0.end"))

	// JPY has no minor unit, BHD three: 100,000 / 3 and 1,000 / 7 per period.
	jpy := d.profile(d.admin, map[string]any{"name": "Yen 3y", "method": "STRAIGHT_LINE", "usefulLifeMonths": 36, "convention": "ANNUAL"})
	asset = d.asset(map[string]any{"purchasePrice": map[string]any{"amount": "100000", "currency": "JPY"},
		"purchaseDate": "2024-01-01", "depreciationProfileId": jpy})
	got, book, n = d.schedule(d.admin, asset, "2024-12-31")
	require.Equal(t, []string{"33333", "33333", "33334"}, got)
	require.Equal(t, "66667", book)
	require.Equal(t, "JPY", str(n, "bookValue.currency"))

	bhd := d.profile(d.admin, map[string]any{"name": "Dinar 7m", "method": "STRAIGHT_LINE", "usefulLifeMonths": 7, "convention": "MONTHLY"})
	asset = d.asset(map[string]any{"purchasePrice": map[string]any{"amount": "1000", "currency": "BHD"},
		"purchaseDate": "2024-01-15", "depreciationProfileId": bhd})
	got, book, _ = d.schedule(d.admin, asset, "2024-01-31")
	require.Equal(t, []string{"142.857", "142.857", "142.857", "142.857", "142.857", "142.857", "142.858"}, got)
	require.Equal(t, "857.143", book)
}

// TestDepreciationAPIInheritance: the profile that applies comes from the
// asset, else its model, else its category, else the organization's
// default; the source says which.
func TestDepreciationAPIInheritance(t *testing.T) {
	d := newDepAPI(t)
	org := d.profile(d.admin, straightLine("Org default", "USD"))
	cat := d.profile(d.admin, straightLine("Category", "USD"))
	mod := d.profile(d.admin, straightLine("Model", "USD"))
	own := d.profile(d.admin, straightLine("Own", "USD"))
	asset := d.asset(map[string]any{"purchasePrice": map[string]any{"amount": "10000", "currency": "USD"}, "purchaseDate": "2020-01-01"})
	check := func(source, profile string) {
		t.Helper()
		_, book, n := d.schedule(d.admin, asset, "2020-12-31")
		if source == "" {
			require.Nil(t, get(n, "depreciationProfileSource"))
			require.Nil(t, get(n, "depreciationProfile"))
			require.Empty(t, get(n, "depreciationSchedule"))
			require.Equal(t, "10000", book, "no profile: the book value is the cost")
			return
		}
		require.Equal(t, source, get(n, "depreciationProfileSource"))
		require.Equal(t, profile, str(n, "depreciationProfile.id"))
		require.Equal(t, "8200", book)
	}
	check("", "")
	d.ok(d.admin, `mutation($p: ID) { updateOrganization(input: {defaultDepreciationProfileId: $p}) { organization { defaultDepreciationProfile { id } } } }`,
		map[string]any{"p": org})
	check("ORGANIZATION", org)
	require.Equal(t, true, get(d.ok(d.admin, `query($id: ID!) { node(id: $id) { ... on DepreciationProfile { isDefault } } }`,
		map[string]any{"id": org}), "node.isDefault"))
	d.ok(d.admin, `mutation($id: ID!, $p: ID) { updateCategory(input: {id: $id, version: 1, depreciationProfileId: $p}) { category { id } } }`,
		map[string]any{"id": d.ids["category"], "p": cat})
	check("CATEGORY", cat)
	d.ok(d.admin, `mutation($id: ID!, $p: ID) { updateModel(input: {id: $id, version: 1, depreciationProfileId: $p}) { model { id } } }`,
		map[string]any{"id": d.ids["model"], "p": mod})
	check("MODEL", mod)
	d.ok(d.admin, `mutation($id: ID!, $p: ID) { updateAsset(input: {id: $id, version: 1, depreciationProfileId: $p}) { asset { id } } }`,
		map[string]any{"id": asset, "p": own})
	check("ASSET", own)
	r := d.ok(d.admin, `query($c: ID!, $m: ID!) { c: node(id: $c) { ... on Category { depreciationProfile { id } } }
		m: node(id: $m) { ... on Model { depreciationProfile { id } } } organization { defaultDepreciationProfile { id } } }`,
		map[string]any{"c": d.ids["category"], "m": d.ids["model"]})
	require.Equal(t, cat, str(r, "c.depreciationProfile.id"))
	require.Equal(t, mod, str(r, "m.depreciationProfile.id"))
	require.Equal(t, org, str(r, "organization.defaultDepreciationProfile.id"))

	// null clears the asset's own: the model's applies again. inServiceDate
	// set moves the schedule; null goes back to the purchase date.
	d.ok(d.admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 2, depreciationProfileId: null, inServiceDate: "2021-01-01"}) { asset { id } } }`,
		map[string]any{"id": asset})
	_, book, n := d.schedule(d.admin, asset, "2021-12-31")
	require.Equal(t, "MODEL", get(n, "depreciationProfileSource"))
	require.Equal(t, "2021-01-01", get(n, "inServiceDate"))
	require.Equal(t, "8200", book, "one year after the in-service date, not two after the purchase")
	d.ok(d.admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 3, inServiceDate: null}) { asset { id } } }`, map[string]any{"id": asset})
	_, book, n = d.schedule(d.admin, asset, "2021-12-31")
	require.Equal(t, "2020-01-01", get(n, "inServiceDate"))
	require.Equal(t, "6400", book)

	// Creating a category or model with a profile works the same.
	r = d.ok(d.admin, `mutation($p: ID) { createCategory(input: {name: "Phones", kind: PHONE, depreciationProfileId: $p}) { category { id depreciationProfile { id } } } }`,
		map[string]any{"p": cat})
	require.Equal(t, cat, str(r, "createCategory.category.depreciationProfile.id"))
	r = d.ok(d.admin, `mutation($p: ID, $m: ID!, $c: ID!) { createModel(input: {name: "Pixel", manufacturerId: $m, categoryId: $c, depreciationProfileId: $p}) {
		model { depreciationProfile { id } } } }`, map[string]any{"p": mod, "m": d.ids["manufacturer"], "c": str(r, "createCategory.category.id")})
	require.Equal(t, mod, str(r, "createModel.model.depreciationProfile.id"))
}

// TestDepreciationAPIBadInput: refused profiles name the field and write
// nothing (no profile, no history).
func TestDepreciationAPIBadInput(t *testing.T) {
	d := newDepAPI(t)
	prof := d.profile(d.admin, straightLine("Laptops", "USD"))
	before := d.written()
	usd := map[string]any{"amount": "100", "currency": "USD"}
	cases := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"useful life 0", map[string]any{"usefulLifeMonths": 0}, "usefulLifeMonths"},
		{"salvage percent 100", map[string]any{"salvagePercent": "100"}, "salvagePercent"},
		{"both salvage fields", map[string]any{"salvagePercent": "10", "salvageValue": usd}, "salvagePercent"},
		{"rate 0", map[string]any{"method": "DECLINING_BALANCE", "rate": "0"}, "rate"},
		{"negative rate", map[string]any{"method": "DECLINING_BALANCE", "rate": "-1.5"}, "rate"},
		{"declining without rate", map[string]any{"method": "DECLINING_BALANCE"}, "rate"},
		{"rate on straight line", map[string]any{"rate": "1.5"}, "rate"},
		{"unknown currency", map[string]any{"salvageValue": map[string]any{"amount": "100", "currency": "XYZ"}}, "salvageValue.currency"},
		{"negative salvage", map[string]any{"salvageValue": map[string]any{"amount": "-1", "currency": "USD"}}, "salvageValue.amount"},
		{"blank name", map[string]any{"name": "  "}, "name"},
	}
	for _, tc := range cases {
		create := map[string]any{"name": "New", "method": "STRAIGHT_LINE", "usefulLifeMonths": 36, "convention": "ANNUAL"}
		update := map[string]any{"id": prof, "version": 1}
		for k, v := range tc.in {
			create[k], update[k] = v, v
		}
		if tc.name == "both salvage fields" {
			delete(update, "salvagePercent") // the stored salvageValue plus a percent
			update["salvagePercent"] = "10"
			delete(update, "salvageValue")
		}
		d.code(d.admin, createProfileQ, map[string]any{"in": create}, "BAD_USER_INPUT", tc.field)
		d.code(d.admin, `mutation($in: UpdateDepreciationProfileInput!) { updateDepreciationProfile(input: $in) { depreciationProfile { id } } }`,
			map[string]any{"in": update}, "BAD_USER_INPUT", tc.field)
		require.Equal(t, before, d.written(), tc.name)
	}
	// Names are unique regardless of case.
	d.code(d.admin, createProfileQ, map[string]any{"in": straightLine(" LAPTOPS ", "USD")}, "CONFLICT", "name")
	require.Equal(t, before, d.written())
	// A stale version is refused.
	d.code(d.admin, `mutation($id: ID!) { updateDepreciationProfile(input: {id: $id, version: 7, name: "X"}) { depreciationProfile { id } } }`,
		map[string]any{"id": prof}, "CONFLICT", "version")
	require.Equal(t, before, d.written())
}

// TestDepreciationAPIHistoryAndDelete: create, update and delete are
// recorded; a profile in use cannot be deleted, and the refusal names what
// uses it and writes nothing.
func TestDepreciationAPIHistoryAndDelete(t *testing.T) {
	d := newDepAPI(t)
	prof := d.profile(d.admin, straightLine("Laptops", "USD"))
	d.ok(d.admin, `mutation($id: ID!) { updateDepreciationProfile(input: {id: $id, version: 1, salvageValue: null, salvagePercent: "10", usefulLifeMonths: 48}) {
		depreciationProfile { version salvageValue { amount } salvagePercent usefulLifeMonths } } }`, map[string]any{"id": prof})
	// An update that changes nothing records nothing.
	d.ok(d.admin, `mutation($id: ID!) { updateDepreciationProfile(input: {id: $id, version: 2, usefulLifeMonths: 48}) { depreciationProfile { version } } }`,
		map[string]any{"id": prof})
	const historyQ = `query($id: ID!) { node(id: $id) { ... on DepreciationProfile { version salvagePercent history { totalCount nodes { action actor changes { field from to } } } } } }`
	h := d.ok(d.admin, historyQ, map[string]any{"id": prof})
	require.EqualValues(t, 2, get(h, "node.version"))
	require.EqualValues(t, 2, get(h, "node.history.totalCount"))
	require.Equal(t, "CREATE", str(h, "node.history.nodes.0.action"))
	require.Equal(t, "admin@acme.test", str(h, "node.history.nodes.0.actor"))
	require.Equal(t, "UPDATE", str(h, "node.history.nodes.1.action"))
	fields := map[string]bool{}
	for _, c := range get(h, "node.history.nodes.1.changes").([]any) {
		fields[str(c, "field")] = true
	}
	require.Equal(t, map[string]bool{"salvageValue": true, "salvagePercent": true, "usefulLifeMonths": true}, fields)

	// In use by the default, a category, a model and two assets.
	d.ok(d.admin, `mutation($p: ID) { updateOrganization(input: {defaultDepreciationProfileId: $p}) { organization { id } } }`, map[string]any{"p": prof})
	d.ok(d.admin, `mutation($id: ID!, $p: ID) { updateCategory(input: {id: $id, version: 1, depreciationProfileId: $p}) { category { id } } }`,
		map[string]any{"id": d.ids["category"], "p": prof})
	d.ok(d.admin, `mutation($id: ID!, $p: ID) { updateModel(input: {id: $id, version: 1, depreciationProfileId: $p}) { model { id } } }`,
		map[string]any{"id": d.ids["model"], "p": prof})
	d.asset(map[string]any{"depreciationProfileId": prof})
	d.asset(map[string]any{"depreciationProfileId": prof})
	const deleteQ = `mutation($id: ID!, $v: Int) { deleteDepreciationProfile(input: {id: $id, version: $v}) { deletedId } }`
	before := d.written()
	r := d.code(d.admin, deleteQ, map[string]any{"id": prof, "v": 2}, "CONFLICT", "")
	require.Contains(t, r.Errors[0].Message, "the organization's default, 1 category, 1 model and 2 assets")
	require.Equal(t, before, d.written())

	// Unused, it goes; its history stays with a DELETE entry.
	other := d.profile(d.admin, straightLine("Phones", "USD"))
	d.code(d.admin, deleteQ, map[string]any{"id": other, "v": 9}, "CONFLICT", "version")
	require.Equal(t, other, str(d.ok(d.admin, deleteQ, map[string]any{"id": other, "v": 1}), "deleteDepreciationProfile.deletedId"))
	require.Nil(t, get(d.ok(d.admin, historyQ, map[string]any{"id": other}), "node"))
	require.Equal(t, 1, d.count(`SELECT count(*) FROM cost_history WHERE entity_type = 'DepreciationProfile' AND action = 'DELETE'`))
	require.Equal(t, 2, d.count(`SELECT count(*) FROM cost_history WHERE entity_id = $1`, profileUUID(t, other)), "CREATE and DELETE")
}

func profileUUID(t *testing.T, global string) uuid.UUID {
	t.Helper()
	id, err := relay.DecodeAs("id", global, relay.TypeDepreciationProfile)
	require.NoError(t, err)
	return id
}

// TestDepreciationAPIAssetWrites: an asset's own profile must fit its
// price: salvage above the cost or in another currency is refused on
// depreciationProfileId and writes nothing. A profile that stops fitting
// later (inherited, or edited) never fails a read: no depreciation, the
// book value stays the cost.
func TestDepreciationAPIAssetWrites(t *testing.T) {
	d := newDepAPI(t)
	usd := d.profile(d.admin, straightLine("USD 1000 salvage", "USD"))
	price := func(amount, cur string) map[string]any { return map[string]any{"amount": amount, "currency": cur} }
	assets := func() int { return d.count(`SELECT count(*) FROM assets`) }
	n := assets()
	d.code(d.admin, createAsset, map[string]any{"in": map[string]any{"modelId": d.ids["model"], "purchasePrice": price("500", "USD"),
		"depreciationProfileId": usd}}, "BAD_USER_INPUT", "depreciationProfileId")
	d.code(d.admin, createAsset, map[string]any{"in": map[string]any{"modelId": d.ids["model"], "purchasePrice": price("5000", "EUR"),
		"depreciationProfileId": usd}}, "BAD_USER_INPUT", "depreciationProfileId")
	require.Equal(t, n, assets())

	asset := d.asset(map[string]any{"purchasePrice": price("5000", "USD"), "purchaseDate": "2024-01-01", "depreciationProfileId": usd})
	const update = `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { id version } } }`
	history := func() int { return d.count(`SELECT count(*) FROM asset_history`) }
	h := history()
	d.code(d.admin, update, map[string]any{"in": map[string]any{"id": asset, "version": 1, "purchasePrice": price("999.99", "USD")}},
		"BAD_USER_INPUT", "depreciationProfileId")
	cheap := d.asset(map[string]any{"purchasePrice": price("500", "USD"), "purchaseDate": "2024-01-01"})
	d.code(d.admin, update, map[string]any{"in": map[string]any{"id": cheap, "version": 1, "depreciationProfileId": usd}},
		"BAD_USER_INPUT", "depreciationProfileId")
	require.Equal(t, h+1, history(), "only the cheap asset's creation was recorded")
	require.Equal(t, 1, d.count(`SELECT count(*) FROM assets WHERE depreciation_profile_id IS NOT NULL`))

	// Unknown ids, and ids of another type, are refused too.
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	other := d.profile(globex, straightLine("Globex", "USD"))
	d.code(d.admin, update, map[string]any{"in": map[string]any{"id": cheap, "version": 1, "depreciationProfileId": other}},
		"NOT_FOUND", "depreciationProfileId")
	d.code(d.admin, update, map[string]any{"in": map[string]any{"id": cheap, "version": 1, "depreciationProfileId": d.ids["model"]}},
		"BAD_USER_INPUT", "depreciationProfileId")

	// The cheap asset inherits the profile through its model: it is read
	// undepreciated, and the page around it still answers.
	d.ok(d.admin, `mutation($id: ID!, $p: ID) { updateModel(input: {id: $id, version: 1, depreciationProfileId: $p}) { model { id } } }`,
		map[string]any{"id": d.ids["model"], "p": usd})
	got, book, node := d.schedule(d.admin, cheap, "2030-01-01")
	require.Empty(t, got)
	require.Equal(t, "500", book)
	require.Equal(t, "MODEL", get(node, "depreciationProfileSource"))
	r := d.ok(d.admin, `{ assets { nodes { assetTag bookValue(asOf: "2030-01-01") { amount } depreciationSchedule { end } } } }`, nil)
	require.Len(t, get(r, "assets.nodes").([]any), 2)
	_, book, _ = d.schedule(d.admin, asset, "2030-01-01")
	require.Equal(t, "1000", book, "the asset that fits is depreciated to salvage")
}
