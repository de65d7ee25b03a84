package postgres

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// TestExchangeRateStorePages: rates page by pair then newest validFrom
// first, one row a page, across centuries (the cursor's key is computed in
// Go and compared in SQL: both must agree), and only ADMIN sets them.
func TestExchangeRateStorePages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := NewExchangeRateStore(f.db)
	ctx := f.admin(f.a)
	days := []time.Time{
		time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2199, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
	}
	for i, d := range days {
		_, err := s.SetRate(ctx, costs.Rate{From: "usd", To: "eur", Rate: decimal.NewFromInt(int64(i + 1)), ValidFrom: d})
		require.NoError(t, err)
	}
	_, err := s.SetRate(ctx, costs.Rate{From: "CHF", To: "EUR", Rate: decimal.RequireFromString("1.05"), ValidFrom: days[0]})
	require.NoError(t, err)

	var got []string
	var after *string
	for range 10 {
		one := 1
		page, err := s.ListRates(ctx, costs.RateFilter{}, itam.PageArgs{First: &one, After: after})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		r := page.Items[0]
		got = append(got, r.From+r.To+" "+r.ValidFrom.Format(time.DateOnly))
		if !page.HasNextPage {
			break
		}
		after = &page.Cursors[0]
	}
	require.Equal(t, []string{"CHFEUR 1999-01-01", "USDEUR 2199-12-31", "USDEUR 2025-07-01", "USDEUR 2025-06-30", "USDEUR 1999-01-01"}, got)

	n, err := s.CountRates(ctx, costs.RateFilter{From: ptr("usd")})
	require.NoError(t, err)
	require.Equal(t, 4, n)
	all, err := s.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, 5, "conversion reads every rate")

	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		_, err := s.SetRate(as(f.a.id, role, "x@test"), costs.Rate{From: "USD", To: "EUR", Rate: decimal.NewFromInt(1), ValidFrom: days[0]})
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = s.DeleteRate(as(f.a.id, role, "x@test"), "USD", "EUR", days[0])
		requireCode(t, err, itam.CodeForbidden, "")
	}
	_, err = s.ListRates(as(f.a.id, itam.RoleEmployee, "x@test"), costs.RateFilter{}, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	page, err := s.ListRates(f.admin(f.b), costs.RateFilter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, page.Items, "another organization's rates are not listed")
}

// TestCostEntryStoreTargets: a target or supplier that does not exist in
// the caller's organization is NOT_FOUND naming its field, and nothing is
// written.
func TestCostEntryStoreTargets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := NewCostEntryStore(f.db)
	ctx := f.admin(f.a)
	asset := f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id) VALUES ($1, 'L-1', $2, $3, $4) RETURNING id`,
		f.a.id, f.a.laptop, f.a.manufacturer, f.a.team)
	theirs := f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id) VALUES ($1, 'L-1', $2, $3, $4) RETURNING id`,
		f.b.id, f.b.laptop, f.b.manufacturer, f.b.team)
	entry := func(mod func(*costs.Entry)) costs.Entry {
		e := costs.Entry{AssetID: &asset, Kind: costs.KindRepair, Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			Amount: itam.Money{Amount: decimal.NewFromInt(10), Currency: "EUR"}}
		mod(&e)
		return e
	}
	for _, tc := range []struct {
		field string
		entry costs.Entry
	}{
		{"assetId", entry(func(e *costs.Entry) { e.AssetID = &theirs })},
		{"supplierId", entry(func(e *costs.Entry) { e.SupplierID = &f.b.supplier })},
		{"licenseId", entry(func(e *costs.Entry) { e.AssetID, e.LicenseID = nil, &asset })},
		{"contractId", entry(func(e *costs.Entry) { e.AssetID, e.ContractID = nil, &asset })},
	} {
		_, err := s.CreateEntry(ctx, tc.entry)
		requireCode(t, err, itam.CodeNotFound, tc.field)
	}
	require.Zero(t, f.count("cost_entries", f.a.id))
	require.Zero(t, f.count("cost_history", f.a.id))

	e, err := s.CreateEntry(ctx, entry(func(e *costs.Entry) { e.SupplierID = &f.a.supplier }))
	require.NoError(t, err)
	_, err = s.UpdateEntry(ctx, costs.EntryPatch{ID: e.ID, Version: 1, SupplierID: itam.Some(f.b.supplier)})
	requireCode(t, err, itam.CodeNotFound, "supplierId")
	_, err = s.UpdateEntry(f.admin(f.b), costs.EntryPatch{ID: e.ID, Version: 1, Notes: itam.Some("x")})
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = s.DeleteEntry(f.admin(f.b), e.ID, nil)
	requireCode(t, err, itam.CodeNotFound, "")
	require.Equal(t, 1, f.count("cost_history", f.a.id), "only the creation")
}
