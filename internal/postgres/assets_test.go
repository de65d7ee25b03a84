package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
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

	// Created assigned to a location: located there; links stored trimmed.
	r, err := f.assets.CreateAsset(ctx, itam.AssetInput{ModelID: f.a.laptop, AssetTag: ptr("LAP-2"),
		ExternalIDs: []itam.ExternalID{{Source: " intune ", ExternalID: " dev-9 "}}}, &itam.Assignee{LocationID: &f.a.room})
	require.NoError(t, err)
	require.Equal(t, itam.StatusDeployed, r.Status)
	require.Equal(t, &f.a.room, r.AssignedLocationID)
	require.Equal(t, &f.a.room, r.LocationID)
	var src, ext string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT source, external_id FROM asset_external_ids WHERE asset_id = $1`, r.ID).Scan(&src, &ext))
	require.Equal(t, []string{"intune", "dev-9"}, []string{src, ext})
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
