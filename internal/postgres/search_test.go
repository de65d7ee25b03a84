package postgres

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

// vm is a virtual machine as an MDM reports it: its serial is not hardware
// identity, so the sync keeps it on the link only.
func vm(ext, serial, name string) connectors.Device {
	return connectors.Device{ExternalID: ext, SerialNumber: serial, Name: name, Manufacturer: "VMware, Inc.", Model: "VMware7,1", Virtual: true}
}

// searchAsApp calls itam.search_assets directly, as the application role,
// with org (or none) as the tenant setting.
func (f *fixture) searchAsApp(org *uuid.UUID, pattern string) []uuid.UUID {
	f.t.Helper()
	var ids []uuid.UUID
	err := f.inAppTx(org, func(tx pgx.Tx) error {
		rows, err := tx.Query(context.Background(), `SELECT itam.search_assets($1)`, likePattern(pattern))
		require.NoError(f.t, err)
		defer rows.Close()
		for rows.Next() {
			var id uuid.UUID
			require.NoError(f.t, rows.Scan(&id))
			ids = append(ids, id)
		}
		return rows.Err()
	})
	require.NoError(f.t, err)
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return ids
}

// TestSearchAssetsFunctionIsScoped: the SECURITY DEFINER search function
// runs outside RLS, so its own organization filter is all that keeps other
// tenants' ids out when it is called directly. Each organization has one
// asset matched by each branch (tag/serial/name, assignee's name, link
// serial, model name), so dropping the filter from any branch shows.
func TestSearchAssetsFunctionIsScoped(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	seed := func(o orgFixture, slug string) []uuid.UUID {
		byTag := f.newAsset(o, func(in *itam.AssetInput) { in.AssetTag = ptr("QQ-" + slug) })
		person := f.id(`INSERT INTO people (org_id, name, email) VALUES ($1, 'Quinn Qq', 'quinn@`+slug+`.test') RETURNING id`, o.id)
		byPerson := f.newAsset(o, func(in *itam.AssetInput) { in.AssetTag = ptr("P-" + slug) })
		f.exec(`UPDATE assets SET assigned_person_id = $2, status = 'DEPLOYED' WHERE id = $1`, byPerson.ID, person)
		c := f.connector(o, "JAMF_PRO", "Jamf", false)
		f.apply(o, c, vm("vm-1", "VMware-56 4d QQ "+slug, "vm-"+slug))
		link := f.assetBySerial(o, "VMware-56 4d QQ "+slug)
		require.Nil(t, link.SerialNumber, "a VM's serial is on its link only")
		qqModel := f.id(`INSERT INTO models (org_id, name, manufacturer_id, category_id) VALUES ($1, 'QQ-Book', $2, $3) RETURNING id`,
			o.id, o.manufacturer, o.laptops)
		byModel := f.newAsset(o, func(in *itam.AssetInput) { in.AssetTag = ptr("M-" + slug); in.ModelID = qqModel })
		ids := []uuid.UUID{byTag.ID, byPerson.ID, link.ID, byModel.ID}
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
		return ids
	}
	inA, inB := seed(f.a, "alpha"), seed(f.b, "bravo")

	require.Equal(t, inA, f.searchAsApp(&f.a.id, "qq"), "org A's four matches, none of B's")
	require.Equal(t, inB, f.searchAsApp(&f.b.id, "qq"))
	require.Empty(t, f.searchAsApp(nil, "qq"), "no tenant set: nothing")
	other := uuid.New()
	require.Empty(t, f.searchAsApp(&other, "qq"))
}

// TestLinkSerialsAreFindable: a virtual machine's serial, kept on its link,
// is found by assetBySerial and by text search, without being unique.
func TestLinkSerialsAreFindable(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	ctx := f.admin(f.a)
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	const serial = "VMware-56 4d 1a 2b 3c"
	f.apply(f.a, jamf, vm("vm-1", serial, "build-01"))

	a, err := f.assets.AssetBySerial(ctx, "  vmware-56 4D 1a 2b 3c ", nil)
	require.NoError(t, err)
	require.Equal(t, "build-01", *a.Name)
	require.Nil(t, a.SerialNumber)
	vmMfr := a.ManufacturerID
	got, err := f.assets.AssetBySerial(ctx, serial, &vmMfr)
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	_, err = f.assets.AssetBySerial(ctx, serial, &f.a.manufacturer)
	requireCode(t, err, itam.CodeNotFound, "")

	search := func(q string) []string {
		t.Helper()
		page, err := f.assets.ListAssets(ctx, itam.AssetQuery{Filter: &itam.AssetFilter{Search: ptr(q)}}, itam.PageArgs{})
		require.NoError(t, err)
		var names []string
		for _, a := range page.Items {
			names = append(names, deref(a.Name))
		}
		slices.Sort(names)
		return names
	}
	require.Equal(t, []string{"build-01"}, search("VMware-56 4d 1a"))
	require.Equal(t, []string{"build-01"}, search("4D 1A 2B"))

	// Another organization's VM with the same serial stays invisible.
	bravo := f.connector(f.b, "JAMF_PRO", "Jamf", false)
	f.apply(f.b, bravo, vm("vm-1", serial, "bravo-vm"))
	got, err = f.assets.AssetBySerial(ctx, serial, nil)
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	require.Equal(t, []string{"build-01"}, search("VMware-56 4d 1a"))

	// A clone shares the serial: two assets, both found by search;
	// assetBySerial cannot pick one and says so.
	f.apply(f.a, jamf, vm("vm-2", serial, "build-02"))
	require.Equal(t, []string{"build-01", "build-02"}, search("vmware-56 4d 1a"))
	_, err = f.assets.AssetBySerial(ctx, serial, nil)
	requireCode(t, err, itam.CodeInvalid, "serialNumber")
	_, err = f.assets.AssetBySerial(ctx, serial, &vmMfr)
	requireCode(t, err, itam.CodeInvalid, "serialNumber")

	// An asset's own serial wins over link serials.
	own := f.newAsset(f.a, func(in *itam.AssetInput) { in.SerialNumber = ptr(serial); in.Name = ptr("hardware") })
	got, err = f.assets.AssetBySerial(ctx, serial, nil)
	require.NoError(t, err)
	require.Equal(t, own.ID, got.ID)

	// A later report without a serial (or a placeholder) keeps the link's.
	d := vm("vm-1", "To be filled by O.E.M.", "build-01")
	f.apply(f.a, jamf, d)
	require.Equal(t, []string{"build-01", "build-02", "hardware"}, search("VMware-56 4d 1a"))
	// A new serial replaces it.
	d.SerialNumber = "VMware-99 ff"
	f.apply(f.a, jamf, d)
	got, err = f.assets.AssetBySerial(ctx, "vmware-99 FF", nil)
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	require.Equal(t, []string{"build-02", "hardware"}, search("VMware-56 4d 1a"))

	// EMPLOYEEs only find what is assigned to them.
	emp := as(f.a.id, itam.RoleEmployee, "alice@alpha.test")
	_, err = f.assets.AssetBySerial(emp, "vmware-99 ff", nil)
	requireCode(t, err, itam.CodeNotFound, "")
}

// TestSearchAssetsRunsWithoutJIT: the search function's statement is planned
// on every call with the pattern unknown, and that guess costs enough to pass
// jit_above_cost, so without its own jit = off every search first spent
// 250–340 ms compiling with LLVM (migration 00037). Nothing in a small test
// database costs enough to trigger JIT, so the setting itself is checked.
func TestSearchAssetsRunsWithoutJIT(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var config []string
	require.NoError(t, f.owner.QueryRow(context.Background(),
		`SELECT coalesce(proconfig, '{}') FROM pg_proc WHERE oid = 'itam.search_assets(text)'::regprocedure`).Scan(&config))
	require.Contains(t, config, "jit=off")
}

// TestServerConnectionsRunWithoutJIT: every pooled connection of the server
// has JIT off, so no statement pays LLVM compilation on a big table.
func TestServerConnectionsRunWithoutJIT(t *testing.T) {
	t.Parallel()
	db, _ := openTestDB(t)
	var jit string
	require.NoError(t, db.Pool.QueryRow(context.Background(), `SHOW jit`).Scan(&jit))
	require.Equal(t, "off", jit)
}
