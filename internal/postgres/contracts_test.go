package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// contractFixture is the store fixture with a ContractStore and a few
// assets per organization, inserted as the owner.
type contractFixture struct {
	*fixture
	store *ContractStore
}

func newContractFixture(t *testing.T) *contractFixture {
	t.Helper()
	t.Parallel()
	f := newFixture(t)
	return &contractFixture{fixture: f, store: NewContractStore(f.db)}
}

func (f *contractFixture) asset(o orgFixture, tag string, extra string, args ...any) uuid.UUID {
	f.t.Helper()
	return f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id`+extra+`)
		SELECT $1, $2, m.id, m.manufacturer_id, $3`+ctrPlaceholders(len(args))+` FROM models m WHERE m.id = $4 RETURNING id`,
		append([]any{o.id, tag, o.team, o.laptop}, args...)...)
}

// placeholders renders ", $5, $6, …" for n extra arguments after the four
// asset() always passes.
func ctrPlaceholders(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		s += ", $" + string(rune('5'+i))
	}
	return s
}

func (f *contractFixture) count(table string) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.owner.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

func ctrEUR(amount string) itam.Money {
	return itam.Money{Amount: decimal.RequireFromString(amount), Currency: "EUR"}
}

// TestContractStoreRefusesWritesNothing: unknown or other-organization ids
// and bad terms are refused with their field before anything is written.
func TestContractStoreRefusesWritesNothing(t *testing.T) {
	f := newContractFixture(t)
	mine, theirs := f.asset(f.a, "A-1", ""), f.asset(f.b, "B-1", "")
	ctx := f.admin(f.a)
	start := date(2025, 1, 1)
	for _, tc := range []struct {
		c     costs.Contract
		code  itam.Code
		field string
	}{
		{costs.Contract{Kind: costs.ContractSupport, Start: start, AssetIDs: []uuid.UUID{mine, theirs}}, itam.CodeNotFound, "assetIds[1]"},
		{costs.Contract{Kind: costs.ContractSupport, Start: start, SupplierID: &f.b.supplier}, itam.CodeNotFound, "supplierId"},
		{costs.Contract{Kind: costs.ContractSupport, Start: start, LicenseIDs: []uuid.UUID{uuid.New()}}, itam.CodeNotFound, "licenseIds[0]"},
		{costs.Contract{Kind: costs.ContractSupport, Start: start, End: &[]time.Time{date(2024, 1, 1)}[0]}, itam.CodeInvalid, "end"},
		{costs.Contract{Kind: costs.ContractSupport, Start: start, Charges: []costs.Charge{{Amount: ctrEUR("-1"), Every: costs.EveryMonth}}}, itam.CodeInvalid, "charges[0].amount.amount"},
	} {
		_, err := f.store.CreateContract(ctx, tc.c)
		requireCode(t, err, tc.code, tc.field)
	}
	for _, table := range []string{"contracts", "contract_assets", "contract_charges", "cost_history"} {
		require.Zero(t, f.count(table), table)
	}
	_, err := f.store.CreateContract(as(f.a.id, itam.RoleAuditor, "audit@test"), costs.Contract{Kind: costs.ContractSupport, Start: start})
	requireCode(t, err, itam.CodeForbidden, "")
}

// TestContractStoreIsolation: one organization's contracts, coverage and
// charges are invisible to the other, and to an EMPLOYEE.
func TestContractStoreIsolation(t *testing.T) {
	f := newContractFixture(t)
	a1 := f.asset(f.a, "A-1", "")
	c, err := f.store.CreateContract(f.admin(f.a), costs.Contract{Kind: costs.ContractLease, Start: date(2025, 1, 1), AssetIDs: []uuid.UUID{a1},
		Charges: []costs.Charge{{Amount: ctrEUR("10"), Every: costs.EveryMonth}}})
	require.NoError(t, err)

	got, err := f.store.ContractsByIDs(f.admin(f.a), []uuid.UUID{c.ID})
	require.NoError(t, err)
	require.Len(t, got[c.ID].Charges, 1)
	b := f.admin(f.b)
	got, err = f.store.ContractsByIDs(b, []uuid.UUID{c.ID})
	require.NoError(t, err)
	require.Empty(t, got)
	page, err := f.store.ListContracts(b, costs.ContractFilter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
	of, err := f.store.ContractsOfAssets(b, []uuid.UUID{a1})
	require.NoError(t, err)
	require.Empty(t, of[a1])
	covered, err := f.store.CoveredAssetsOf(b, []uuid.UUID{c.ID}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, covered[c.ID].Items)
	_, err = f.store.UpdateContract(b, costs.ContractPatch{ID: c.ID, Version: 1, Notes: itam.Some("x")})
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.DeleteContract(b, c.ID, nil)
	requireCode(t, err, itam.CodeNotFound, "")

	employee := as(f.a.id, itam.RoleEmployee, "alice@alpha.test")
	_, err = f.store.ListContracts(employee, costs.ContractFilter{}, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.store.ContractsOfAssets(employee, []uuid.UUID{a1})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.store.TotalCostsOfOwnership(employee, []uuid.UUID{a1}, nil, date(2025, 6, 30), nil)
	requireCode(t, err, itam.CodeForbidden, "")
}

// TestContractStoreExpectedEndOfLife: the useful life comes from the model,
// else the depreciation profile that applies (asset, model, category,
// organization default); an EMPLOYEE reads it for their own asset only.
func TestContractStoreExpectedEndOfLife(t *testing.T) {
	f := newContractFixture(t)
	profile := func(months int) uuid.UUID {
		return f.id(`INSERT INTO depreciation_profiles (org_id, name, method, useful_life_months, convention)
			VALUES ($1, $2, 'STRAIGHT_LINE', $3, 'ANNUAL') RETURNING id`, f.a.id, uuid.NewString(), months)
	}
	orgDefault, category, own := profile(60), profile(36), profile(12)
	f.exec(`UPDATE organizations SET default_depreciation_profile_id = $2 WHERE id = $1`, f.a.id, orgDefault)
	byOrg := f.asset(f.a, "A-1", ", purchase_date", date(2024, 1, 31))
	f.exec(`UPDATE categories SET depreciation_profile_id = $2 WHERE id = $1`, f.a.phones, category)
	byCategory := f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id, purchase_date, in_service_date)
		VALUES ($1, 'A-2', $2, $3, $4, '2024-01-31', '2024-02-29') RETURNING id`, f.a.id, f.a.phone, f.a.manufacturer, f.a.team)
	byOwn := f.asset(f.a, "A-3", ", purchase_date, depreciation_profile_id, assigned_person_id", date(2024, 1, 31), own, f.a.alice)
	byModel := f.asset(f.a, "A-4", ", purchase_date", date(2024, 1, 31))
	f.exec(`UPDATE models SET useful_life_months = 6 WHERE id = $1`, f.a.laptop)
	// byModel and byOrg share the laptop model: now both follow the model.
	got, err := f.store.ExpectedEndsOfLife(f.admin(f.a), []uuid.UUID{byOrg, byCategory, byOwn, byModel})
	require.NoError(t, err)
	require.Equal(t, date(2024, 7, 31), *got[byOrg])
	require.Equal(t, date(2024, 7, 31), *got[byModel])
	require.Equal(t, date(2027, 2, 28), *got[byCategory], "in service Feb 29 + 36 months, clamped")
	require.Equal(t, date(2024, 7, 31), *got[byOwn], "the model's life before the asset's profile")
	f.exec(`UPDATE models SET useful_life_months = NULL WHERE id = $1`, f.a.laptop)
	got, err = f.store.ExpectedEndsOfLife(f.admin(f.a), []uuid.UUID{byOrg, byOwn})
	require.NoError(t, err)
	require.Equal(t, date(2029, 1, 31), *got[byOrg], "organization default: 60 months")
	require.Equal(t, date(2025, 1, 31), *got[byOwn], "the asset's own profile: 12 months")

	got, err = f.store.ExpectedEndsOfLife(as(f.a.id, itam.RoleEmployee, "alice@alpha.test"), []uuid.UUID{byOrg, byOwn})
	require.NoError(t, err)
	require.Len(t, got, 1, "an EMPLOYEE reads their own asset's")
	require.Contains(t, got, byOwn)
	got, err = f.store.ExpectedEndsOfLife(f.admin(f.b), []uuid.UUID{byOrg})
	require.NoError(t, err)
	require.Empty(t, got)
}
