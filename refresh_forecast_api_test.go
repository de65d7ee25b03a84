package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/relay"
)

const refreshForecastQuery = `query($q: Int, $f: AssetFilter) { refreshForecast(quarters: $q, filter: $f) {
	overdue { year quarter start end count estimatedCost { amount currency } categories { category { id name } count estimatedCost { amount currency } unpricedCount } }
	quarters { year quarter start end count estimatedCost { amount currency } categories { category { id name } count estimatedCost { amount currency } unpricedCount } }
} }`

// forecastFixture is an organization whose assets reach their end of life
// in known quarters from today, each by a different rule, written as the
// owner (profiles and lease contracts belong to other slices' mutations).
type forecastFixture struct {
	owner                          *pgxpool.Pool
	org                            uuid.UUID
	laptops, monitors              uuid.UUID // categories
	latitude, thinkpad, monitor    uuid.UUID // models
	start                          time.Time // this quarter's first day
	explicit, lease, life, profile uuid.UUID // active assets, one per rule
	retired, overdue               uuid.UUID
	tag                            int
}

func newForecastFixture(t *testing.T, a *api, slug string) *forecastFixture {
	t.Helper()
	f := &forecastFixture{owner: a.owner()}
	t.Cleanup(f.owner.Close)
	f.org = f.id(t, `SELECT id FROM organizations WHERE slug = $1`, slug)
	mfr := f.id(t, `INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Dell') RETURNING id`, f.org)
	f.laptops = f.id(t, `INSERT INTO categories (org_id, name, kind) VALUES ($1, 'Laptops', 'LAPTOP') RETURNING id`, f.org)
	twoYears := f.id(t, `INSERT INTO depreciation_profiles (org_id, name, method, useful_life_months, convention)
		VALUES ($1, 'Two years', 'STRAIGHT_LINE', 24, 'ANNUAL') RETURNING id`, f.org)
	f.monitors = f.id(t, `INSERT INTO categories (org_id, name, kind, depreciation_profile_id) VALUES ($1, 'Monitors', 'MONITOR', $2) RETURNING id`, f.org, twoYears)
	model := func(name string, cat uuid.UUID, life *int) uuid.UUID {
		return f.id(t, `INSERT INTO models (org_id, name, manufacturer_id, category_id, useful_life_months) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			f.org, name, mfr, cat, life)
	}
	threeYears := 36
	f.latitude, f.thinkpad, f.monitor = model("Latitude", f.laptops, nil), model("ThinkPad", f.laptops, &threeYears), model("U2720", f.monitors, nil)
	f.start, _ = costs.ForecastWindow(time.Now(), 1)
	q := func(i, day int) time.Time { return f.start.AddDate(0, 3*i, day) }
	today := itam.CalendarDay(time.Now())

	// Prices: the Latitude's newest purchase is 1200 EUR (a retired one);
	// the laptops bought in the last two years average 1100 EUR in their
	// most used currency (1200, 1000 EUR; 800 USD is the minority).
	f.retired = f.asset(t, f.latitude, "RETIRED", forecastPtr(q(0, 10)), nil, forecastPtr(today.AddDate(0, 0, -30)), "1200", "EUR")
	// Quarter 1: an explicit end of life (Latitude: 1200 EUR), and a
	// monitor placed in service two years before, by its category's
	// profile (never priced anywhere: unpriced).
	f.explicit = f.asset(t, f.latitude, "DEPLOYED", forecastPtr(q(1, 10)), nil, forecastPtr(today.AddDate(-4, 0, 0)), "700", "EUR")
	f.profile = f.asset(t, f.monitor, "IN_STOCK", nil, nil, forecastPtr(q(1, 3).AddDate(-2, 0, 0)), "", "")
	// Quarter 2: a lease ends (Latitude: 1200 EUR).
	f.lease = f.asset(t, f.latitude, "DEPLOYED", nil, nil, forecastPtr(today.AddDate(0, 0, -200)), "1000", "EUR")
	contract := f.id(t, `INSERT INTO contracts (org_id, kind, start_date, end_date) VALUES ($1, 'LEASE', $2, $3) RETURNING id`,
		f.org, today.AddDate(0, 0, -200), q(2, 20))
	f.exec(t, `INSERT INTO contract_assets (org_id, contract_id, asset_id) VALUES ($1, $2, $3)`, f.org, contract, f.lease)
	f.asset(t, f.latitude, "DISPOSED", nil, nil, forecastPtr(today.AddDate(0, 0, -400)), "800", "USD")
	// Quarter 3: in service + the model's three years (ThinkPad: never
	// bought with a price, so the laptops' average, 1100 EUR).
	f.life = f.asset(t, f.thinkpad, "DEPLOYED", nil, forecastPtr(q(3, 5).AddDate(-3, 0, 0)), forecastPtr(q(3, 5).AddDate(-3, 0, -10)), "", "")
	// Overdue: an end of life before this quarter (Latitude: 1200 EUR).
	f.overdue = f.asset(t, f.latitude, "IN_REPAIR", forecastPtr(f.start.AddDate(0, 0, -40)), nil, nil, "", "")
	return f
}

func forecastPtr[T any](v T) *T { return &v }

func (f *forecastFixture) id(t *testing.T, sql string, args ...any) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, f.owner.QueryRow(context.Background(), sql, args...).Scan(&id))
	return id
}

func (f *forecastFixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := f.owner.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// asset adds an asset; price "" leaves it unpriced. A disposed one gets
// the disposal fields its status requires.
func (f *forecastFixture) asset(t *testing.T, model uuid.UUID, status string, eol, inService, purchased *time.Time, price, currency string) uuid.UUID {
	t.Helper()
	f.tag++
	var amount, cur any
	if price != "" {
		amount, cur = price, currency
	}
	var disposed, method any
	if status == "DISPOSED" {
		disposed, method = time.Now().UTC().Format(time.DateOnly), "RECYCLED"
	}
	return f.id(t, `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id, status, end_of_life,
		in_service_date, purchase_date, purchase_price, purchase_currency, disposal_date, disposal_method)
		SELECT $1, $2, m.id, m.manufacturer_id, o.default_owner_team_id, $4::asset_status, $5, $6, $7, $8::numeric, $9, $10::date, $11::disposal_method
		  FROM models m, organizations o WHERE m.id = $3 AND o.id = $1 RETURNING id`,
		f.org, fmt.Sprintf("FC-%04d", f.tag), model, status, eol, inService, purchased, amount, cur, disposed, method)
}

func forecastMoney(m map[string]any) string { return fmt.Sprintf("%v %v", m["amount"], m["currency"]) }

// forecastCategories summarizes a quarter's categories as
// "name count unpriced [costs]", sorted (categories of equal counts come
// in id order, which the test does not choose).
func forecastCategories(q any) []string {
	var out []string
	for _, c := range get(q, "categories").([]any) {
		var money []string
		for _, m := range get(c, "estimatedCost").([]any) {
			money = append(money, forecastMoney(m.(map[string]any)))
		}
		out = append(out, fmt.Sprintf("%s %v %v %v", str(c, "category.name"), get(c, "count"), get(c, "unpricedCount"), money))
	}
	slices.Sort(out)
	return out
}

func TestRefreshForecastAPIQuarters(t *testing.T) {
	a := newAPI(t)
	f := newForecastFixture(t, a, "acme")
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")

	a.ok(admin, `{ refreshForecast { quarters { count } } }`, nil) // the organization is looked up once per server
	before := a.rounds.Load()
	d := a.ok(admin, refreshForecastQuery, map[string]any{"q": 4})
	require.EqualValues(t, 2, a.rounds.Load()-before, "the forecast, then every quarter's categories in one batch")
	qs := get(d, "refreshForecast.quarters").([]any)
	require.Len(t, qs, 4)
	for i, q := range qs {
		y, n := costs.Quarter(f.start.AddDate(0, 3*i, 0))
		require.Equal(t, []any{float64(y), float64(n)}, []any{get(q, "year"), get(q, "quarter")}, "quarter %d", i)
		require.Equal(t, f.start.AddDate(0, 3*i, 0).Format(time.DateOnly), str(q, "start"))
		require.Equal(t, f.start.AddDate(0, 3*i+3, -1).Format(time.DateOnly), str(q, "end"))
	}
	// This quarter: the retired Latitude ends its life in it, but is gone.
	require.Equal(t, float64(0), get(qs[0], "count"))
	require.Empty(t, get(qs[0], "categories"))
	require.Empty(t, get(qs[0], "estimatedCost"))
	// Next: the explicit end of life and the monitor by its profile.
	require.Equal(t, float64(2), get(qs[1], "count"))
	require.Equal(t, []string{"Laptops 1 0 [1200.00 EUR]", "Monitors 1 1 []"}, forecastCategories(qs[1]))
	require.Equal(t, []any{map[string]any{"amount": "1200.00", "currency": "EUR"}}, get(qs[1], "estimatedCost"))
	// The lease end, at the Latitude's latest price.
	require.Equal(t, []string{"Laptops 1 0 [1200.00 EUR]"}, forecastCategories(qs[2]))
	// In service + the model's life, at the laptops' two-year average.
	require.Equal(t, []string{"Laptops 1 0 [1100.00 EUR]"}, forecastCategories(qs[3]))
	require.Equal(t, relay.ID(relay.TypeCategory, f.laptops), str(qs[3], "categories.0.category.id"))

	o := get(d, "refreshForecast.overdue")
	require.NotNil(t, o)
	require.Equal(t, float64(1), get(o, "count"))
	require.Equal(t, []string{"Laptops 1 0 [1200.00 EUR]"}, forecastCategories(o))
	require.Equal(t, f.start.AddDate(0, 0, -1).Format(time.DateOnly), str(o, "end"))
	require.Equal(t, f.start.AddDate(0, -3, 0).Format(time.DateOnly), str(o, "start"), "40 days back is the previous quarter")

	// The default horizon is eight quarters; one quarter leaves the rest out.
	d = a.ok(admin, refreshForecastQuery, nil)
	require.Len(t, get(d, "refreshForecast.quarters"), costs.DefaultForecastQuarters)
	d = a.ok(admin, refreshForecastQuery, map[string]any{"q": 1})
	require.Len(t, get(d, "refreshForecast.quarters"), 1)
	require.Equal(t, float64(0), get(d, "refreshForecast.quarters.0.count"))
	require.Equal(t, float64(1), get(d, "refreshForecast.overdue.count"))

	// A filter selects the assets forecast (the prices still come from
	// every purchase).
	d = a.ok(admin, refreshForecastQuery, map[string]any{"q": 4, "f": map[string]any{"categoryIds": []string{relay.ID(relay.TypeCategory, f.monitors)}}})
	qs = get(d, "refreshForecast.quarters").([]any)
	require.Equal(t, []string{"Monitors 1 1 []"}, forecastCategories(qs[1]))
	for _, i := range []int{0, 2, 3} {
		require.Equal(t, float64(0), get(qs[i], "count"))
	}
	require.Nil(t, get(d, "refreshForecast.overdue"))
	d = a.ok(admin, refreshForecastQuery, map[string]any{"q": 4, "f": map[string]any{"statusIn": []string{"DEPLOYED"}}})
	qs = get(d, "refreshForecast.quarters").([]any)
	require.Equal(t, []any{float64(0), float64(1), float64(1), float64(1)},
		[]any{get(qs[0], "count"), get(qs[1], "count"), get(qs[2], "count"), get(qs[3], "count")})
}

func TestRefreshForecastAPIBadInput(t *testing.T) {
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	for _, q := range []int{0, 41, -1} {
		a.code(admin, refreshForecastQuery, map[string]any{"q": q}, "BAD_USER_INPUT", "quarters")
	}
	a.code(admin, refreshForecastQuery, map[string]any{"q": 4, "f": map[string]any{"categoryIds": []string{"nope"}}}, "BAD_USER_INPUT", "filter.categoryIds")
	d := a.ok(admin, refreshForecastQuery, map[string]any{"q": 40})
	require.Len(t, get(d, "refreshForecast.quarters"), 40)
}

func TestRefreshForecastAPIRoles(t *testing.T) {
	a := newAPI(t)
	newForecastFixture(t, a, "acme")
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		d := a.ok(mint(t, "acme", role, "someone@acme.test"), refreshForecastQuery, map[string]any{"q": 4})
		require.Equal(t, float64(1), get(d, "refreshForecast.overdue.count"), role)
	}
	r := a.code(mint(t, "acme", itam.RoleEmployee, "ada@example.com"), refreshForecastQuery, map[string]any{"q": 4}, "FORBIDDEN", "")
	require.Nil(t, r.Data["refreshForecast"])
}

func TestRefreshForecastAPICrossOrg(t *testing.T) {
	a := newAPI(t)
	f := newForecastFixture(t, a, "acme")
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	d := a.ok(globex, refreshForecastQuery, map[string]any{"q": 4})
	require.Nil(t, get(d, "refreshForecast.overdue"))
	for _, q := range get(d, "refreshForecast.quarters").([]any) {
		require.Equal(t, float64(0), get(q, "count"))
	}
	// acme's category id filters globex's assets to none, and reveals nothing.
	d = a.ok(globex, refreshForecastQuery, map[string]any{"q": 4, "f": map[string]any{"categoryIds": []string{relay.ID(relay.TypeCategory, f.laptops)}}})
	require.Nil(t, get(d, "refreshForecast.overdue"))

	// A globex asset with acme's model name is priced from globex's
	// purchases only: never bought there, so unpriced.
	g := &forecastFixture{owner: f.owner, org: f.id(t, `SELECT id FROM organizations WHERE slug = 'globex'`)}
	mfr := g.id(t, `INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Dell') RETURNING id`, g.org)
	cat := g.id(t, `INSERT INTO categories (org_id, name, kind) VALUES ($1, 'Laptops', 'LAPTOP') RETURNING id`, g.org)
	model := g.id(t, `INSERT INTO models (org_id, name, manufacturer_id, category_id) VALUES ($1, 'Latitude', $2, $3) RETURNING id`, g.org, mfr, cat)
	g.asset(t, model, "DEPLOYED", forecastPtr(f.start.AddDate(0, 0, -40)), nil, nil, "", "")
	d = a.ok(globex, refreshForecastQuery, map[string]any{"q": 4})
	require.Equal(t, []string{"Laptops 1 1 []"}, forecastCategories(get(d, "refreshForecast.overdue")))
}

// TestRefreshForecastSeedCommand: `itam seed` books money with the assets
// unless --no-money.
func TestRefreshForecastSeedCommand(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "ITAM_JWT_SECRET": hex.EncodeToString(testSecret)}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"seed", "--org", "plain", "--assets", "30", "--software-products", "-1", "--no-money"}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), "CostEntries:0 ")
	out.Reset()
	require.NoError(t, run(ctx, []string{"seed", "--org", "money", "--assets", "30", "--software-products", "-1"}, getenv, &out, io.Discard))
	require.Regexp(t, `CostEntries:[1-9]`, out.String())
	require.Regexp(t, `Contracts:[1-9]`, out.String())
}
