package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestAssetTenantIsolation proves org A's principal can neither see nor
// change org B's assets through any store method.
func TestAssetTenantIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bAsset := f.newAsset(f.b, func(in *itam.AssetInput) { in.AssetTag = ptr("B-1"); in.SerialNumber = ptr("BSER") })
	f.newAsset(f.a, nil)
	ctx := f.admin(f.a)

	m, err := f.assets.AssetsByIDs(ctx, []uuid.UUID{bAsset.ID})
	require.NoError(t, err)
	require.Empty(t, m)
	_, err = f.assets.AssetByTag(ctx, "B-1")
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.assets.AssetBySerial(ctx, "BSER", nil)
	requireCode(t, err, itam.CodeNotFound, "")
	page, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{First: ptr(500)})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	n, err := f.assets.CountAssets(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	groups, err := f.assets.AssetCounts(ctx, nil, nil)
	require.NoError(t, err)
	require.Equal(t, 1, groups[0].Count)
	_, err = f.assets.AssetHistory(ctx, bAsset.ID, itam.PageArgs{})
	requireCode(t, err, itam.CodeNotFound, "")

	_, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: bAsset.ID, Version: 1, Name: itam.Some("pwned")})
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.assets.AssignAsset(ctx, bAsset.ID, itam.Assignee{PersonID: &f.a.alice}, nil)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.assets.TransitionAsset(ctx, bAsset.ID, itam.StatusLost, nil)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.assets.DeleteAsset(ctx, bAsset.ID, nil)
	requireCode(t, err, itam.CodeNotFound, "")
	// Referencing B's rows from A's asset fails as unknown references.
	a := f.newAsset(f.a, nil)
	_, err = f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.b.bob}, nil)
	requireCode(t, err, itam.CodeInvalid, "assigneeId")
	_, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, LocationID: itam.Some(f.b.site)})
	requireCode(t, err, itam.CodeInvalid, "locationId")

	var name *string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT name FROM assets WHERE id = $1`, bAsset.ID).Scan(&name))
	require.Nil(t, name, "B's asset untouched")

	// Without a principal nothing is readable at all.
	_, err = f.assets.ListAssets(context.Background(), itam.AssetQuery{}, itam.PageArgs{})
	requireCode(t, err, itam.CodeUnauthenticated, "")
}

func TestRLSWithoutOrgSettingSeesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.newAsset(f.a, nil)
	var n int
	require.NoError(t, f.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM assets`).Scan(&n))
	require.Zero(t, n, "the app role reads nothing unless a transaction names its org")
	var super, bypass bool
	require.NoError(t, f.db.Pool.QueryRow(context.Background(), `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass))
	require.False(t, super)
	require.False(t, bypass)
	// The transaction-local setting does not leak to the next use of a connection.
	_, err := f.assets.ListAssets(f.admin(f.a), itam.AssetQuery{}, itam.PageArgs{})
	require.NoError(t, err)
	for range 5 {
		var org *string
		require.NoError(t, f.db.Pool.QueryRow(context.Background(), `SELECT nullif(current_setting('itam.org_id', true), '')`).Scan(&org))
		require.Nil(t, org)
	}
}

func TestAssetRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := f.newAsset(f.a, func(in *itam.AssetInput) {
		in.PurchasePrice, in.OrderNumber, in.InvoiceNumber = money("1299.00", "EUR"), ptr("PO-1"), ptr("INV-1")
	})
	_, err := f.assets.AssignAsset(f.admin(f.a), mine.ID, itam.Assignee{PersonID: &f.a.bob}, nil)
	require.NoError(t, err)
	other := f.newAsset(f.a, nil)

	auditor := as(f.a.id, itam.RoleAuditor, "auditor@test")
	_, err = f.assets.CreateAsset(auditor, itam.AssetInput{ModelID: f.a.laptop}, nil)
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.assets.TransitionAsset(auditor, other.ID, itam.StatusLost, nil)
	requireCode(t, err, itam.CodeForbidden, "")
	n, err := f.assets.CountAssets(auditor, nil)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	_, err = f.assets.AssetCounts(auditor, []itam.AssetGroupBy{itam.GroupByStatus}, nil)
	require.NoError(t, err)

	manager := as(f.a.id, itam.RoleManager, "it@test")
	_, err = f.assets.TransitionAsset(manager, other.ID, itam.StatusInRepair, nil)
	require.NoError(t, err)

	// Bob's token (email differs in case from his record) sees only his asset.
	bob := as(f.a.id, itam.RoleEmployee, "bob@alpha.test")
	page, err := f.assets.ListAssets(bob, itam.AssetQuery{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, mine.ID, page.Items[0].ID)
	m, err := f.assets.AssetsByIDs(bob, []uuid.UUID{other.ID, mine.ID})
	require.NoError(t, err)
	require.Len(t, m, 1)
	_, err = f.assets.AssetByTag(bob, other.AssetTag)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.assets.AssetHistory(bob, other.ID, itam.PageArgs{})
	requireCode(t, err, itam.CodeNotFound, "")
	// His asset's history shows what changed, but not its costs: those
	// fields are hidden on the asset, so they are hidden in its history.
	changed := func(ctx context.Context) map[string]bool {
		hist, err := f.assets.AssetHistory(ctx, mine.ID, itam.PageArgs{})
		require.NoError(t, err)
		require.NotEmpty(t, hist.Items)
		fields := map[string]bool{}
		for _, h := range hist.Items {
			for _, c := range h.Changes {
				fields[c.Field] = true
			}
		}
		return fields
	}
	seen := changed(auditor)
	require.True(t, seen["purchasePrice"] && seen["orderNumber"] && seen["invoiceNumber"] && seen["assetTag"], "%v", seen)
	seen = changed(bob)
	require.True(t, seen["assetTag"], "%v", seen)
	require.False(t, seen["purchasePrice"] || seen["orderNumber"] || seen["invoiceNumber"], "%v", seen)
	_, err = f.assets.AssetCounts(bob, nil, nil)
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.assets.UnassignAsset(bob, mine.ID, nil)
	requireCode(t, err, itam.CodeForbidden, "")
	alice := as(f.a.id, itam.RoleEmployee, "alice@alpha.test")
	page, err = f.assets.ListAssets(alice, itam.AssetQuery{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
}
