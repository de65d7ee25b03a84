package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// expectedEndsOfLife returns each of ids' expected end of life as
// forecastSQL computes it (nil when none is known).
func expectedEndsOfLife(t *testing.T, db *DB, org uuid.UUID, ids []uuid.UUID) map[uuid.UUID]*time.Time {
	t.Helper()
	type row struct {
		id  uuid.UUID
		day *time.Time
	}
	rows, err := query(context.Background(), db, org, `WITH `+endOfLifeCTE+` SELECT a.id, `+endOfLifeSQL+` FROM `+endOfLifeFrom+` WHERE a.id = ANY($1::uuid[])`,
		[]any{ids}, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.day)
		})
	require.NoError(t, err)
	out := map[uuid.UUID]*time.Time{}
	for _, r := range rows {
		out[r.id] = r.day
	}
	return out
}

type eolLease struct {
	kind costs.ContractKind
	end  *time.Time
}

// TestEndOfLifeSQLAgrees holds the SQL the forecast aggregates over to
// costs.ExpectedEndOfLife: every case is stored, computed by the database
// and by the domain from the same stored facts, and the two must match.
func TestEndOfLifeSQLAgrees(t *testing.T) {
	f := newFixture(t)
	d := func(y int, m time.Month, day int) *time.Time { v := date(y, m, day); return &v }
	n := func(v int) *int { return &v }
	o := f.a
	profile := func(months int) uuid.UUID {
		return f.id(`INSERT INTO depreciation_profiles (org_id, name, method, useful_life_months, convention)
			VALUES ($1, $2, 'STRAIGHT_LINE', $3, 'ANNUAL') RETURNING id`, o.id, fmt.Sprintf("life %d", months), months)
	}
	p12, p24, p36, p48 := profile(12), profile(24), profile(36), profile(48)
	lives := map[uuid.UUID]int{p12: 12, p24: 24, p36: 36, p48: 48}
	tests := []struct {
		name                             string
		orgDefault                       bool
		explicit, inService, purchase    *time.Time
		modelLife                        *int
		assetProfile, modelProf, catProf *uuid.UUID
		leases                           []eolLease
	}{
		{name: "explicit wins over lease and life", orgDefault: true, explicit: d(2027, 6, 30), purchase: d(2024, 1, 10), modelLife: n(36),
			leases: []eolLease{{costs.ContractLease, d(2028, 3, 31)}}},
		{name: "latest lease end over life", orgDefault: true, purchase: d(2024, 1, 10), modelLife: n(36),
			leases: []eolLease{{costs.ContractLease, d(2026, 3, 31)}, {costs.ContractLease, d(2027, 9, 30)}, {costs.ContractLease, nil}}},
		{name: "a support contract is no lease", orgDefault: true, purchase: d(2024, 1, 10), modelLife: n(36),
			leases: []eolLease{{costs.ContractSupport, d(2026, 3, 31)}}},
		{name: "an open-ended lease has no end", orgDefault: true, purchase: d(2024, 1, 10), modelLife: n(36),
			leases: []eolLease{{costs.ContractLease, nil}}},
		{name: "in service + model life", orgDefault: true, inService: d(2024, 3, 15), purchase: d(2024, 1, 10), modelLife: n(36)},
		{name: "purchase + model life over every profile", orgDefault: true, purchase: d(2024, 1, 10), modelLife: n(30), assetProfile: &p12},
		{name: "asset profile", orgDefault: true, purchase: d(2024, 1, 10), assetProfile: &p12, modelProf: &p24, catProf: &p36},
		{name: "model profile", orgDefault: true, purchase: d(2024, 1, 10), modelProf: &p24, catProf: &p36},
		{name: "category profile", orgDefault: true, purchase: d(2024, 1, 10), catProf: &p36},
		{name: "organization default", orgDefault: true, purchase: d(2024, 1, 10)},
		{name: "month end clamped (Aug 31 + 6)", purchase: d(2024, 8, 31), modelLife: n(6)},
		{name: "month end clamped in a leap year (Aug 31 + 18)", purchase: d(2026, 8, 31), modelLife: n(18)},
		{name: "Jan 31 + 1 month", inService: d(2025, 1, 31), modelLife: n(1)},
		{name: "no date", orgDefault: true, modelLife: n(36)},
		{name: "no life anywhere", purchase: d(2024, 1, 10)},
	}
	var known int
	for i, tt := range tests {
		var def *uuid.UUID
		if tt.orgDefault {
			def = &p48
		}
		f.exec(`UPDATE organizations SET default_depreciation_profile_id = $2 WHERE id = $1`, o.id, def)
		cat := f.id(`INSERT INTO categories (org_id, name, kind, depreciation_profile_id) VALUES ($1, $2, 'LAPTOP', $3) RETURNING id`,
			o.id, tt.name, tt.catProf)
		model := f.id(`INSERT INTO models (org_id, name, manufacturer_id, category_id, useful_life_months, depreciation_profile_id)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, o.id, tt.name, o.manufacturer, cat, tt.modelLife, tt.modelProf)
		asset := f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id, end_of_life, in_service_date,
			purchase_date, depreciation_profile_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			o.id, fmt.Sprintf("EOL-%d", i), model, o.manufacturer, o.team, tt.explicit, tt.inService, tt.purchase, tt.assetProfile)
		var contracts []costs.Contract
		for _, l := range tt.leases {
			c := f.id(`INSERT INTO contracts (org_id, kind, start_date, end_date) VALUES ($1, $2, '2024-01-01', $3) RETURNING id`, o.id, l.kind, l.end)
			f.exec(`INSERT INTO contract_assets (org_id, contract_id, asset_id) VALUES ($1, $2, $3)`, o.id, c, asset)
			contracts = append(contracts, costs.Contract{Kind: l.kind, End: l.end})
		}
		var profileLife *int
		if p, _ := costs.EffectiveProfile(tt.assetProfile, tt.modelProf, tt.catProf, def); p != nil {
			l := lives[*p]
			profileLife = &l
		}
		w, _ := costs.ExpectedEndOfLife(tt.explicit, costs.LeaseEnd(contracts), costs.InServiceDay(tt.inService, tt.purchase),
			costs.LifeMonths(tt.modelLife, profileLife))
		// The organization default is read when the query runs, so each
		// case is computed before the next one changes it.
		got := expectedEndsOfLife(t, f.db, o.id, []uuid.UUID{asset})
		require.Contains(t, got, asset, tt.name)
		require.Equal(t, w, got[asset], tt.name)
		if w != nil {
			known++
		}
	}
	require.Equal(t, len(tests)-2, known, "all but the two cases without a date or a life have an end of life")
}

// TestRefreshForecastPrices checks the prices the estimate comes from:
// the model's newest purchase (ties by the greatest id), else the
// category's two-year average in its most used currency.
func TestRefreshForecastPrices(t *testing.T) {
	f := newFixture(t)
	o := f.a
	store := NewCostReportStore(f.db)
	today := date(2026, 12, 5)
	tag := 0
	asset := func(model uuid.UUID, status string, eol, purchased *time.Time, price *string, currency *string) uuid.UUID {
		tag++
		return f.id(`INSERT INTO assets (id, org_id, asset_tag, model_id, manufacturer_id, owner_team_id, status, end_of_life,
			purchase_date, purchase_price, purchase_currency)
			VALUES ($1, $2, $3, $4, $5, $6, $7::asset_status, $8, $9, $10::numeric, $11) RETURNING id`,
			uuid.Must(uuid.NewV7()), o.id, fmt.Sprintf("P-%d", tag), model, o.manufacturer, o.team, status, eol, purchased, price, currency)
	}
	d := func(y int, m time.Month, day int) *time.Time { v := date(y, m, day); return &v }
	s := func(v string) *string { return &v }
	eol := d(2027, 2, 1) // Q1 2027: the window's second quarter

	// Laptops: the latitude's newest purchase is 2026-05-01; two on that
	// day, the later id wins. A retired one still prices its model.
	asset(o.laptop, "RETIRED", nil, d(2026, 5, 1), s("1100"), s("EUR"))
	asset(o.laptop, "IN_STOCK", nil, d(2026, 5, 1), s("1200"), s("EUR"))
	asset(o.laptop, "IN_STOCK", nil, d(2020, 1, 1), s("900"), s("USD"))
	asset(o.laptop, "STOLEN", nil, d(2025, 6, 1), s("500"), s("USD"))
	asset(o.laptop, "DEPLOYED", eol, nil, nil, nil)
	// The mac was never bought with a price: the laptops' average over the
	// two years to today in their most used currency (EUR: 1100, 1200,
	// 1450 → 1250; one USD purchase of 500 is the minority, the 2020 one
	// too old).
	asset(o.mac, "DEPLOYED", eol, d(2025, 12, 1), nil, nil)
	asset(o.mac, "IN_STOCK", nil, d(2025, 1, 1), nil, nil)
	asset(o.laptop, "RETIRED", nil, d(2025, 2, 1), s("1450"), s("EUR"))
	// Phones: none ever priced → unpriced.
	asset(o.phone, "DEPLOYED", eol, nil, nil, nil)
	// Gone assets are not forecast.
	asset(o.phone, "LOST", eol, nil, nil, nil)

	fc, err := store.RefreshForecast(as(o.id, itam.RoleAuditor, "audit@x"), 2, nil, today)
	require.NoError(t, err)
	require.Nil(t, fc.Overdue)
	require.Zero(t, fc.Quarters[0].Count)
	q := fc.Quarters[1]
	require.Equal(t, [2]int{2027, 1}, [2]int{q.Year, q.Quarter})
	require.Equal(t, 3, q.Count)
	require.Len(t, q.Categories, 2)
	laptops, phones := q.Categories[0], q.Categories[1]
	require.Equal(t, o.laptops, laptops.CategoryID)
	require.Equal(t, 2, laptops.Count)
	require.Zero(t, laptops.UnpricedCount)
	require.Len(t, laptops.EstimatedCost, 1)
	require.Equal(t, "EUR", laptops.EstimatedCost[0].Currency)
	require.Equal(t, "2450", laptops.EstimatedCost[0].Amount.String(), "1200 (the latitude's newest) + 1250 (the laptops' EUR average)")
	require.Equal(t, costs.ForecastCategory{CategoryID: o.phones, Count: 1, UnpricedCount: 1}, phones)

	_, err = store.RefreshForecast(as(o.id, itam.RoleAuditor, "audit@x"), 41, nil, today)
	requireCode(t, err, itam.CodeInvalid, "quarters")
	_, err = store.RefreshForecast(as(o.id, itam.RoleEmployee, "alice@alpha.test"), 2, nil, today)
	requireCode(t, err, itam.CodeForbidden, "")
}
