package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

func money(amount, currency string) *itam.Money {
	return &itam.Money{Amount: decimal.RequireFromString(amount), Currency: currency}
}

func TestCreateAsset(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)

	a, err := f.assets.CreateAsset(ctx, itam.AssetInput{
		ModelID: f.a.laptop, SerialNumber: ptr("  sn-001 "), Name: ptr("Dev laptop"),
		PurchasePrice: money("1299.5", "eur"), PurchaseDate: ptr(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)),
		CustomFields: map[string]any{"ram_gb": 32, "os": "Linux"}, LocationID: &f.a.room,
		ExternalIDs: []itam.ExternalID{{Source: "jamf", ExternalID: "42"}},
	}, nil)
	require.NoError(t, err)
	require.Equal(t, "A-000001", a.AssetTag, "tag generated from the org's prefix and sequence")
	require.Equal(t, "sn-001", *a.SerialNumber)
	require.Equal(t, itam.StatusInStock, a.Status)
	require.Equal(t, f.a.manufacturer, a.ManufacturerID, "manufacturer copied from the model")
	require.Equal(t, &f.a.team, a.OwnerTeamID, "default owner team applied")
	require.Equal(t, "EUR", a.PurchasePrice.Currency)
	require.True(t, a.PurchasePrice.Amount.Equal(decimal.RequireFromString("1299.50")))
	require.Equal(t, map[string]any{"ram_gb": float64(32), "os": "Linux"}, a.CustomFields)
	require.Equal(t, 1, a.Version)

	b := f.newAsset(f.a, nil)
	require.Equal(t, "A-000002", b.AssetTag)

	hist, err := f.assets.AssetHistory(ctx, a.ID, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, hist.Items, 1)
	h := hist.Items[0]
	require.Equal(t, itam.HistoryCreate, h.Action)
	require.Equal(t, itam.ActorUser, h.ActorKind)
	require.Equal(t, "admin@test", h.Actor)
	require.Equal(t, itam.StatusInStock, *h.ToStatus)
	fields := []string{}
	for _, c := range h.Changes {
		fields = append(fields, c.Field)
	}
	require.Contains(t, fields, "serialNumber")
	require.Contains(t, fields, "purchasePrice")

	// Created with an assignee: starts DEPLOYED.
	d, err := f.assets.CreateAsset(ctx, itam.AssetInput{ModelID: f.a.laptop, AssetTag: ptr("LAP-1")}, &itam.Assignee{PersonID: &f.a.alice})
	require.NoError(t, err)
	require.Equal(t, itam.StatusDeployed, d.Status)
	require.Equal(t, &f.a.alice, d.AssignedPersonID)
}

func TestCreateAssetInvalidInputChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	existing := f.newAsset(f.a, func(in *itam.AssetInput) { in.AssetTag = ptr("TAKEN-1"); in.SerialNumber = ptr("SER-1") })

	cases := []struct {
		name  string
		in    itam.AssetInput
		to    *itam.Assignee
		code  itam.Code
		field string
	}{
		{"unknown model", itam.AssetInput{ModelID: uuid.New()}, nil, itam.CodeInvalid, "modelId"},
		{"model of another org", itam.AssetInput{ModelID: f.b.laptop}, nil, itam.CodeInvalid, "modelId"},
		{"duplicate tag, other case", itam.AssetInput{ModelID: f.a.laptop, AssetTag: ptr("taken-1")}, nil, itam.CodeConflict, "assetTag"},
		{"duplicate serial same manufacturer", itam.AssetInput{ModelID: f.a.phone, SerialNumber: ptr("ser-1"), CustomFields: map[string]any{"imei": "1"}}, nil, itam.CodeConflict, "serialNumber"},
		{"negative price", itam.AssetInput{ModelID: f.a.laptop, PurchasePrice: money("-1", "USD")}, nil, itam.CodeInvalid, "purchasePrice.amount"},
		{"unknown currency", itam.AssetInput{ModelID: f.a.laptop, PurchasePrice: money("10", "ABC")}, nil, itam.CodeInvalid, "purchasePrice.currency"},
		{"too many decimals", itam.AssetInput{ModelID: f.a.laptop, PurchasePrice: money("1.00001", "USD")}, nil, itam.CodeInvalid, "purchasePrice.amount"},
		{"blank tag", itam.AssetInput{ModelID: f.a.laptop, AssetTag: ptr("  ")}, nil, itam.CodeInvalid, "assetTag"},
		{"created deployed", itam.AssetInput{ModelID: f.a.laptop, Status: ptr(itam.StatusDeployed)}, nil, itam.CodeInvalid, "status"},
		{"created retired", itam.AssetInput{ModelID: f.a.laptop, Status: ptr(itam.StatusRetired)}, nil, itam.CodeInvalid, "status"},
		{"unknown custom field", itam.AssetInput{ModelID: f.a.laptop, CustomFields: map[string]any{"gpu": "x"}}, nil, itam.CodeInvalid, "customFields.gpu"},
		{"custom field wrong type", itam.AssetInput{ModelID: f.a.laptop, CustomFields: map[string]any{"ram_gb": "lots"}}, nil, itam.CodeInvalid, "customFields.ram_gb"},
		{"custom enum outside options", itam.AssetInput{ModelID: f.a.laptop, CustomFields: map[string]any{"os": "BeOS"}}, nil, itam.CodeInvalid, "customFields.os"},
		{"required custom field missing", itam.AssetInput{ModelID: f.a.phone}, nil, itam.CodeInvalid, "customFields.imei"},
		{"unknown owner team", itam.AssetInput{ModelID: f.a.laptop, OwnerTeamID: &f.b.team}, nil, itam.CodeInvalid, "ownerTeamId"},
		{"unknown location", itam.AssetInput{ModelID: f.a.laptop, LocationID: &f.b.room}, nil, itam.CodeInvalid, "locationId"},
		{"unknown supplier", itam.AssetInput{ModelID: f.a.laptop, SupplierID: ptr(uuid.New())}, nil, itam.CodeInvalid, "supplierId"},
		{"assignee of another org", itam.AssetInput{ModelID: f.a.laptop}, &itam.Assignee{PersonID: &f.b.alice}, itam.CodeInvalid, "assigneeId"},
		{"offboarded assignee", itam.AssetInput{ModelID: f.a.laptop}, &itam.Assignee{PersonID: &f.a.carol}, itam.CodeInvalid, "assigneeId"},
		{"warranty before purchase", itam.AssetInput{ModelID: f.a.laptop, PurchaseDate: ptr(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)), WarrantyEnd: ptr(time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC))}, nil, itam.CodeInvalid, "warrantyEnd"},
		{"duplicate external id", itam.AssetInput{ModelID: f.a.laptop, ExternalIDs: []itam.ExternalID{{Source: "jamf", ExternalID: "7"}, {Source: "jamf", ExternalID: "7"}}}, nil, itam.CodeConflict, "externalIds"},
	}
	assetsBefore, historyBefore := f.count("assets", f.a.id), f.count("asset_history", f.a.id)
	var seqBefore int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT asset_tag_seq FROM organizations WHERE id = $1`, f.a.id).Scan(&seqBefore))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.assets.CreateAsset(ctx, tc.in, tc.to)
			requireCode(t, err, tc.code, tc.field)
		})
	}
	require.Equal(t, assetsBefore, f.count("assets", f.a.id))
	require.Equal(t, historyBefore, f.count("asset_history", f.a.id))
	var seqAfter int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT asset_tag_seq FROM organizations WHERE id = $1`, f.a.id).Scan(&seqAfter))
	require.Equal(t, seqBefore, seqAfter, "a refused create does not consume a tag number")
	_ = existing

	// The same serial under another manufacturer is a different device.
	_, err := f.assets.CreateAsset(ctx, itam.AssetInput{ModelID: f.a.mac, SerialNumber: ptr("SER-1")}, nil)
	require.NoError(t, err)
}

func TestUpdateAsset(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	a := f.newAsset(f.a, func(in *itam.AssetInput) { in.Name = ptr("old"); in.Notes = ptr("keep me") })

	u, err := f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, Name: itam.Some("new"),
		OwnerPersonID: itam.Some(f.a.bob), OwnerTeamID: itam.Optional[uuid.UUID]{Set: true}, PurchasePrice: itam.Some(*money("10", "USD"))})
	require.NoError(t, err)
	require.Equal(t, "new", *u.Name)
	require.Equal(t, "keep me", *u.Notes, "omitted fields stay")
	require.Equal(t, &f.a.bob, u.OwnerPersonID)
	require.Nil(t, u.OwnerTeamID)
	require.Equal(t, a.Version+1, u.Version)

	// A stale version is a conflict and writes nothing.
	histBefore := f.count("asset_history", f.a.id)
	_, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, Name: itam.Some("lost update")})
	requireCode(t, err, itam.CodeConflict, "version")
	got, err := f.assets.Asset(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, "new", *got.Name)
	require.Equal(t, histBefore, f.count("asset_history", f.a.id))

	// Clearing with null, and the diff recorded in history.
	u2, err := f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: u.Version, Notes: itam.Optional[string]{Set: true}})
	require.NoError(t, err)
	require.Nil(t, u2.Notes)
	hist, err := f.assets.AssetHistory(ctx, a.ID, itam.PageArgs{})
	require.NoError(t, err)
	last := hist.Items[len(hist.Items)-1]
	require.Equal(t, itam.HistoryUpdate, last.Action)
	require.Len(t, last.Changes, 1)
	require.Equal(t, "notes", last.Changes[0].Field)
	require.JSONEq(t, `"keep me"`, string(last.Changes[0].From))
	require.JSONEq(t, `null`, string(last.Changes[0].To))

	// An update that changes nothing writes no history and keeps the version.
	histBefore = f.count("asset_history", f.a.id)
	same, err := f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: u2.Version, Name: itam.Some("new")})
	require.NoError(t, err)
	require.Equal(t, u2.Version, same.Version)
	require.Equal(t, histBefore, f.count("asset_history", f.a.id))

	// Invalid patches.
	_, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: u2.Version, OwnerPersonID: itam.Optional[uuid.UUID]{Set: true}, OwnerTeamID: itam.Optional[uuid.UUID]{Set: true}})
	requireCode(t, err, itam.CodeInvalid, "ownerId")
	_, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: u2.Version, ModelID: itam.Some(f.a.phone)})
	requireCode(t, err, itam.CodeInvalid, "customFields.imei")
	_, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: uuid.New(), Version: 1, Name: itam.Some("x")})
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: u2.Version, ModelID: itam.Some(f.a.mac)})
	require.NoError(t, err, "changing the model re-derives the manufacturer")
	got, _ = f.assets.Asset(ctx, a.ID)
	require.Equal(t, f.a.mfr2, got.ManufacturerID)
}

// setStatus forces an asset into a status through the owner connection,
// bypassing the lifecycle so every starting point of the table can be tested.
func (f *fixture) setStatus(id uuid.UUID, s itam.AssetStatus, assignee *uuid.UUID) {
	f.exec(`UPDATE assets SET status = $2::text::asset_status, assigned_person_id = $3,
		disposal_date = CASE WHEN $2 = 'DISPOSED' THEN current_date END,
		disposal_method = CASE WHEN $2 = 'DISPOSED' THEN 'RECYCLED'::disposal_method END WHERE id = $1`, id, string(s), assignee)
}

// TestTransitionTable walks every (from, to, assigned) combination and
// checks transitionAsset does exactly what the lifecycle table says.
func TestTransitionTable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	a := f.newAsset(f.a, nil)
	for _, from := range itam.AssetStatuses {
		for _, to := range itam.AssetStatuses {
			for _, assigned := range []bool{false, true} {
				if assigned && (from == itam.StatusRetired || from == itam.StatusDisposed) {
					continue // the schema forbids the starting state itself
				}
				name := fmt.Sprintf("%s->%s assigned=%v", from, to, assigned)
				var person *uuid.UUID
				if assigned {
					person = &f.a.alice
				}
				f.setStatus(a.ID, from, person)
				want := lifecycle.Transition(from, to, assigned)
				got, err := f.assets.TransitionAsset(ctx, a.ID, to, nil)
				if want != nil {
					requireCode(t, err, itam.CodeInvalid, "status")
					require.Contains(t, err.Error(), string(from), name)
					cur, _ := f.assets.Asset(ctx, a.ID)
					require.Equal(t, from, cur.Status, name)
					continue
				}
				require.NoError(t, err, name)
				require.Equal(t, to, got.Status, name)
				if to == itam.StatusInStock {
					require.Nil(t, got.AssignedPersonID, "%s: returning to stock checks the asset in", name)
				}
			}
		}
	}
	// The table itself: the documented edges and nothing else.
	allowed := map[string]bool{}
	for from, tos := range lifecycle.Edges {
		for _, to := range tos {
			allowed[string(from)+">"+string(to)] = true
		}
	}
	require.Equal(t, map[string]bool{
		"ORDERED>IN_STOCK": true, "ORDERED>LOST": true, "ORDERED>STOLEN": true,
		"IN_STOCK>DEPLOYED": true, "IN_STOCK>IN_REPAIR": true, "IN_STOCK>LOST": true, "IN_STOCK>STOLEN": true, "IN_STOCK>RETIRED": true,
		"DEPLOYED>IN_STOCK": true, "DEPLOYED>IN_REPAIR": true, "DEPLOYED>LOST": true, "DEPLOYED>STOLEN": true,
		"IN_REPAIR>IN_STOCK": true, "IN_REPAIR>LOST": true, "IN_REPAIR>STOLEN": true,
		"LOST>IN_STOCK": true, "STOLEN>IN_STOCK": true, "RETIRED>DISPOSED": true,
	}, allowed)
}

func TestAssignUnassignDispose(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	a := f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchaseDate = ptr(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)) })

	dep, err := f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.a.alice}, &a.Version)
	require.NoError(t, err)
	require.Equal(t, itam.StatusDeployed, dep.Status)

	_, err = f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.a.bob}, &a.Version)
	requireCode(t, err, itam.CodeConflict, "version")

	re, err := f.assets.AssignAsset(ctx, a.ID, itam.Assignee{LocationID: &f.a.room}, nil)
	require.NoError(t, err, "reassigning to a location")
	require.Nil(t, re.AssignedPersonID)
	require.Equal(t, &f.a.room, re.LocationID, "assigning to a location moves the asset there")

	_, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusRetired, nil)
	requireCode(t, err, itam.CodeInvalid, "status")

	in, err := f.assets.UnassignAsset(ctx, a.ID, nil)
	require.NoError(t, err)
	require.Equal(t, itam.StatusInStock, in.Status)
	_, err = f.assets.UnassignAsset(ctx, a.ID, nil)
	requireCode(t, err, itam.CodeInvalid, "id")

	_, err = f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Now(), Method: itam.DisposalRecycled}, nil)
	requireCode(t, err, itam.CodeInvalid, "status")

	_, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusRetired, nil)
	require.NoError(t, err)
	_, err = f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.a.alice}, nil)
	requireCode(t, err, itam.CodeInvalid, "status")
	_, err = f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Now(), Method: "BURNED"}, nil)
	requireCode(t, err, itam.CodeInvalid, "method")
	_, err = f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Method: itam.DisposalRecycled}, nil)
	requireCode(t, err, itam.CodeInvalid, "date")
	disp, err := f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Method: itam.DisposalDonated, Certificate: ptr("CERT-9")}, nil)
	require.NoError(t, err)
	require.Equal(t, itam.StatusDisposed, disp.Status)
	require.Equal(t, "CERT-9", *disp.DisposalCertificate)

	_, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusInStock, nil)
	requireCode(t, err, itam.CodeInvalid, "status")
	_, err = f.assets.DeleteAsset(ctx, a.ID, nil)
	requireCode(t, err, itam.CodeInvalid, "id")

	hist, err := f.assets.AssetHistory(ctx, a.ID, itam.PageArgs{})
	require.NoError(t, err)
	var actions []itam.HistoryAction
	for _, h := range hist.Items {
		actions = append(actions, h.Action)
	}
	require.Equal(t, []itam.HistoryAction{itam.HistoryCreate, itam.HistoryAssign, itam.HistoryAssign, itam.HistoryUnassign,
		itam.HistoryTransition, itam.HistoryDispose}, actions)

	// Delete: only never-used stock; the history survives the row.
	b := f.newAsset(f.a, nil)
	_, err = f.assets.DeleteAsset(ctx, b.ID, ptr(b.Version+1))
	requireCode(t, err, itam.CodeConflict, "version")
	_, err = f.assets.DeleteAsset(ctx, b.ID, &b.Version)
	require.NoError(t, err)
	_, err = f.assets.Asset(ctx, b.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	var n int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM asset_history WHERE asset_id = $1`, b.ID).Scan(&n))
	require.Equal(t, 2, n, "CREATE and DELETE remain")
}

func TestHistoryIsAppendOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.newAsset(f.a, nil)
	ctx := context.Background()
	// As the application role: no UPDATE/DELETE privilege at all.
	conn, err := f.db.Pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, `SELECT set_config('itam.org_id', $1, false)`, f.a.id.String())
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE asset_history SET actor = 'forged' WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "permission denied")
	_, err = conn.Exec(ctx, `DELETE FROM asset_history WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "permission denied")
	_, err = conn.Exec(ctx, `RESET itam.org_id`)
	require.NoError(t, err)
	// Even the owner is stopped by the trigger.
	_, err = f.owner.Exec(ctx, `UPDATE asset_history SET actor = 'forged' WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "append-only")
	_, err = f.owner.Exec(ctx, `DELETE FROM asset_history WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "append-only")
}

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

// TestPaginationStableUnderInserts pages through assets while another
// goroutine inserts more: every asset that existed at the start is seen
// exactly once, in order, forwards and backwards.
func TestPaginationStableUnderInserts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	var initial []uuid.UUID
	for i := range 40 {
		a := f.newAsset(f.a, func(in *itam.AssetInput) { in.AssetTag = ptr(fmt.Sprintf("T-%03d", i*2)) })
		initial = append(initial, a.ID)
	}
	for _, sort := range []itam.AssetSortField{itam.AssetSortTag, itam.AssetSortCreatedAt, itam.AssetSortName} {
		for _, dir := range []itam.SortDirection{itam.Asc, itam.Desc} {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					_, err := f.assets.CreateAsset(ctx, itam.AssetInput{ModelID: f.a.laptop, AssetTag: ptr(fmt.Sprintf("T-%03d-%s%s-%d", i*2+1, sort, dir, i))}, nil)
					if err != nil {
						panic(err)
					}
				}
			}()
			seen := map[uuid.UUID]int{}
			var after *string
			for pages := 0; ; pages++ {
				page, err := f.assets.ListAssets(ctx, itam.AssetQuery{Sort: sort, Dir: dir}, itam.PageArgs{First: ptr(7), After: after})
				require.NoError(t, err)
				for _, a := range page.Items {
					seen[a.ID]++
				}
				if !page.HasNextPage || pages > 200 {
					break
				}
				after = &page.Cursors[len(page.Cursors)-1]
			}
			close(stop)
			wg.Wait()
			for id, n := range seen {
				require.Equal(t, 1, n, "%s %s: asset %s seen %d times", sort, dir, id, n)
			}
			for _, id := range initial {
				require.Contains(t, seen, id, "%s %s: an existing asset was skipped", sort, dir)
			}
		}
	}

	// Backwards with last/before returns the same sequence as forwards.
	var forward []uuid.UUID
	var after *string
	for {
		page, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{First: ptr(50), After: after})
		require.NoError(t, err)
		for _, a := range page.Items {
			forward = append(forward, a.ID)
		}
		if !page.HasNextPage {
			break
		}
		after = &page.Cursors[len(page.Cursors)-1]
	}
	var backward []uuid.UUID
	var before *string
	for {
		page, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{Last: ptr(9), Before: before})
		require.NoError(t, err)
		ids := []uuid.UUID{}
		for _, a := range page.Items {
			ids = append(ids, a.ID)
		}
		backward = append(ids, backward...)
		if !page.HasPreviousPage {
			break
		}
		before = &page.Cursors[0]
	}
	require.Equal(t, forward, backward)

	_, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{First: ptr(501)})
	requireCode(t, err, itam.CodeInvalid, "first")
	_, err = f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{After: ptr("garbage!")})
	requireCode(t, err, itam.CodeInvalid, "after")
}

func TestAssetFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	day := func(y, m, d int) *time.Time { return ptr(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)) }
	mk := func(tag string, mut func(*itam.AssetInput)) *itam.Asset {
		return f.newAsset(f.a, func(in *itam.AssetInput) {
			in.AssetTag = ptr(tag)
			if mut != nil {
				mut(in)
			}
		})
	}
	l1 := mk("L1", func(in *itam.AssetInput) {
		in.SerialNumber = ptr("ABC123")
		in.LocationID = &f.a.room
		in.PurchaseDate = day(2021, 5, 1)
		in.WarrantyEnd = day(2024, 5, 1)
		in.CustomFields = map[string]any{"ram_gb": 16, "os": "Linux"}
	})
	l2 := mk("L2", func(in *itam.AssetInput) {
		in.Name = ptr("Design 50% laptop")
		in.LocationID = &f.a.building
		in.PurchaseDate = day(2023, 1, 1)
		in.WarrantyEnd = day(2026, 1, 1)
		in.CustomFields = map[string]any{"ram_gb": 32}
		in.OwnerTeamID = &f.a.team2
	})
	m1 := mk("M1", func(in *itam.AssetInput) { in.ModelID = f.a.mac; in.SupplierID = &f.a.supplier })
	p1 := mk("P1", func(in *itam.AssetInput) { in.ModelID = f.a.phone; in.CustomFields = map[string]any{"imei": "3"} })
	_, err := f.assets.AssignAsset(ctx, l1.ID, itam.Assignee{PersonID: &f.a.alice}, nil)
	require.NoError(t, err)
	_, err = f.assets.AssignAsset(ctx, m1.ID, itam.Assignee{LocationID: &f.a.site}, nil)
	require.NoError(t, err)
	_, err = f.assets.TransitionAsset(ctx, p1.ID, itam.StatusInRepair, nil)
	require.NoError(t, err)
	_ = l2

	cases := []struct {
		name   string
		filter itam.AssetFilter
		want   []string
	}{
		{"all", itam.AssetFilter{}, []string{"L1", "L2", "M1", "P1"}},
		{"status in", itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusDeployed}}, []string{"L1", "M1"}},
		{"status in none", itam.AssetFilter{StatusIn: []itam.AssetStatus{}}, nil},
		{"category", itam.AssetFilter{CategoryIDs: []uuid.UUID{f.a.laptops}}, []string{"L1", "L2", "M1"}},
		{"model", itam.AssetFilter{ModelIDs: []uuid.UUID{f.a.phone}}, []string{"P1"}},
		{"manufacturer", itam.AssetFilter{ManufacturerIDs: []uuid.UUID{f.a.mfr2}}, []string{"M1"}},
		{"location with descendants", itam.AssetFilter{LocationIDs: []uuid.UUID{f.a.building}}, []string{"L1", "L2"}},
		{"location root", itam.AssetFilter{LocationIDs: []uuid.UUID{f.a.site}}, []string{"L1", "L2", "M1"}},
		{"assigned person", itam.AssetFilter{AssignedPersonIDs: []uuid.UUID{f.a.alice}}, []string{"L1"}},
		{"assigned location", itam.AssetFilter{AssignedLocationIDs: []uuid.UUID{f.a.site}}, []string{"M1"}},
		{"owner team", itam.AssetFilter{OwnerTeamIDs: []uuid.UUID{f.a.team2}}, []string{"L2"}},
		{"supplier", itam.AssetFilter{SupplierIDs: []uuid.UUID{f.a.supplier}}, []string{"M1"}},
		{"search serial", itam.AssetFilter{Search: ptr("abc1")}, []string{"L1"}},
		{"search assignee name", itam.AssetFilter{Search: ptr("ALICE")}, []string{"L1"}},
		{"search literal percent", itam.AssetFilter{Search: ptr("50%")}, []string{"L2"}},
		{"search tag", itam.AssetFilter{Search: ptr("p1")}, []string{"P1"}},
		{"purchased range", itam.AssetFilter{PurchasedAfter: day(2021, 5, 1), PurchasedBefore: day(2022, 1, 1)}, []string{"L1"}},
		{"warranty expiring", itam.AssetFilter{WarrantyExpiresBefore: day(2025, 1, 1)}, []string{"L1"}},
		{"unassigned", itam.AssetFilter{Unassigned: ptr(true)}, []string{"L2", "P1"}},
		{"assigned", itam.AssetFilter{Unassigned: ptr(false)}, []string{"L1", "M1"}},
		{"custom field", itam.AssetFilter{CustomFields: map[string]any{"ram_gb": 32}}, []string{"L2"}},
		{"or", itam.AssetFilter{Or: []itam.AssetFilter{{ModelIDs: []uuid.UUID{f.a.phone}}, {ManufacturerIDs: []uuid.UUID{f.a.mfr2}}}}, []string{"M1", "P1"}},
		{"and", itam.AssetFilter{And: []itam.AssetFilter{{CategoryIDs: []uuid.UUID{f.a.laptops}}, {Unassigned: ptr(true)}}}, []string{"L2"}},
		{"not", itam.AssetFilter{Not: &itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusDeployed}}}, []string{"L2", "P1"}},
		{"not over nulls", itam.AssetFilter{Not: &itam.AssetFilter{PurchasedAfter: day(2022, 1, 1)}}, []string{"L1", "M1", "P1"}},
		{"nested", itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusInStock, itam.StatusDeployed}, Not: &itam.AssetFilter{Or: []itam.AssetFilter{{Search: ptr("abc")}, {ModelIDs: []uuid.UUID{f.a.mac}}}}}, []string{"L2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := f.assets.ListAssets(ctx, itam.AssetQuery{Filter: &tc.filter}, itam.PageArgs{First: ptr(100)})
			require.NoError(t, err)
			var got []string
			for _, a := range page.Items {
				got = append(got, a.AssetTag)
			}
			require.Equal(t, tc.want, got)
			n, err := f.assets.CountAssets(ctx, &tc.filter)
			require.NoError(t, err)
			require.Equal(t, len(tc.want), n)
		})
	}
}

func TestAssetCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchasePrice = money("100.10", "USD") })
	f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchasePrice = money("200", "USD") })
	f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchasePrice = money("50", "EUR") })
	f.newAsset(f.a, func(in *itam.AssetInput) { in.ModelID = f.a.phone; in.CustomFields = map[string]any{"imei": "1"} })
	f.newAsset(f.b, func(in *itam.AssetInput) { in.PurchasePrice = money("999", "USD") })

	groups, err := f.assets.AssetCounts(ctx, []itam.AssetGroupBy{itam.GroupByCategory}, nil)
	require.NoError(t, err)
	require.Len(t, groups, 2)
	require.Equal(t, f.a.laptops, *groups[0].CategoryID)
	require.Equal(t, 3, groups[0].Count)
	require.Len(t, groups[0].PurchaseValue, 2)
	require.Equal(t, "EUR", groups[0].PurchaseValue[0].Currency)
	require.Equal(t, "50", groups[0].PurchaseValue[0].Amount.String())
	require.Equal(t, "USD", groups[0].PurchaseValue[1].Currency)
	require.Equal(t, "300.1", groups[0].PurchaseValue[1].Amount.String())
	require.Equal(t, 1, groups[1].Count)
	require.Empty(t, groups[1].PurchaseValue)

	groups, err = f.assets.AssetCounts(ctx, []itam.AssetGroupBy{itam.GroupByStatus, itam.GroupByOwnerTeam}, &itam.AssetFilter{ModelIDs: []uuid.UUID{f.a.laptop}})
	require.NoError(t, err)
	require.Len(t, groups, 1)
	require.Equal(t, itam.StatusInStock, *groups[0].Status)
	require.Equal(t, f.a.team, *groups[0].OwnerTeamID)
	require.Nil(t, groups[0].CategoryID)
	require.Equal(t, 3, groups[0].Count)

	_, err = f.assets.AssetCounts(ctx, []itam.AssetGroupBy{itam.GroupByModel, itam.GroupByModel}, nil)
	requireCode(t, err, itam.CodeInvalid, "groupBy[1]")
}
