package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// TestImportCommitLicenses: a license of a new product (and publisher) is
// created, an existing one updated, each with its license history written
// as the import; the snapshot then reads them in the canonical text the
// planner compares with (so re-importing plans UNCHANGED).
func TestImportCommitLicenses(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	o := f.a
	pub := f.id(`INSERT INTO software_publishers (org_id, name) VALUES ($1, 'Microsoft') RETURNING id`, o.id)
	office := f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, 'Office') RETURNING id`, o.id, pub)
	e3 := f.id(`INSERT INTO licenses (org_id, product_id, name, license_model, seats, seat_cost, cost_currency)
		VALUES ($1, $2, 'Office E3', 'PER_USER', 10, 20, 'EUR') RETURNING id`, o.id, office)
	refs := []imports.Reference{
		{Kind: imports.RefPublisher, Name: "Salesforce", NameKey: "salesforce", FirstLine: 2, Rows: 1},
		{Kind: imports.RefProduct, Name: "Slack", NameKey: "slack", Parent: "salesforce", Extra: map[string]string{"publisher": "Salesforce"}, FirstLine: 2, Rows: 1},
		{Kind: imports.RefSupplier, Name: "Softline", NameKey: "softline", FirstLine: 2, Rows: 1},
	}
	rows := []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "Slack Pro", Values: map[string]string{"name": "Slack Pro", "product": "Slack", "publisher": "Salesforce",
			"licenseModel": "PER_USER", "editions": "Pro; Enterprise", "seats": "40", "termStart": "2024-01-01", "termEnd": "2024-12-31",
			"totalCost": "1200.50", "costCurrency": "USD", "billingPeriod": "ANNUAL", "supplier": "Softline", "autoRenew": "true"}},
		{Line: 3, Action: imports.ActionUpdate, Key: "Office E3", TargetID: &e3, TargetVersion: 1, Values: map[string]string{"seats": "12", "seatCost": "22.50"}},
	}
	f.commitAll(o, f.committingOf(o, imports.KindLicenses, rows, refs))
	sn, err := f.store.LoadSnapshot(f.admin(o), imports.KindLicenses, imports.Lookup{Licenses: []string{"slack pro", "office e3"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"name": "Slack Pro", "product": "Slack", "publisher": "Salesforce", "licenseModel": "PER_USER",
		"editions": "Pro; Enterprise", "versions": "", "seats": "40", "termStart": "2024-01-01", "termEnd": "2024-12-31", "renewalDate": "",
		"autoRenew": "true", "seatCost": "", "totalCost": "1200.50", "costCurrency": "USD", "billingPeriod": "ANNUAL", "supplier": "Softline",
		"purchaseOrder": "", "contractReference": "", "notes": ""}, sn.Licenses["slack pro"].Values)
	e3rec := sn.Licenses["office e3"]
	require.Equal(t, 2, e3rec.Version)
	require.Equal(t, "12", e3rec.Values["seats"])
	require.Equal(t, "22.50", e3rec.Values["seatCost"])
	require.Equal(t, "EUR", e3rec.Values["costCurrency"])
	require.Equal(t, 2, f.countWhere(`SELECT count(*) FROM license_history WHERE actor_kind = 'IMPORT' AND org_id = $1`, o.id))
	require.Equal(t, 1, f.countWhere(`SELECT count(*) FROM license_history WHERE license_id = $1 AND action = 'UPDATE'
		AND changes ? 'seats' AND changes ? 'seatCost' AND NOT changes ? 'name'`, e3))

	// The license moved since the dry run: the chunk is refused, nothing written.
	stale := []imports.RowPlan{{Line: 2, Action: imports.ActionUpdate, Key: "Office E3", TargetID: &e3, TargetVersion: 1, Values: map[string]string{"seats": "99"}}}
	_, err = f.store.CommitChunk(f.admin(o), f.committingOf(o, imports.KindLicenses, stale, nil).ID, 0)
	requireCode(t, err, itam.CodeConflict, "line")
	require.Equal(t, 12, f.countWhere(`SELECT seats FROM licenses WHERE id = $1`, e3))
}

// TestImportCommitSeatsAndCosts: seats are assigned with ASSIGN_SEAT
// history; an asset's cost entries are booked with their history; the
// snapshot then holds both, so the same files plan UNCHANGED; a seat whose
// holder left since the dry run refuses the chunk.
func TestImportCommitSeatsAndCosts(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	o := f.a
	pub := f.id(`INSERT INTO software_publishers (org_id, name) VALUES ($1, 'Adobe') RETURNING id`, o.id)
	prod := f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, 'Acrobat') RETURNING id`, o.id, pub)
	users := f.id(`INSERT INTO licenses (org_id, product_id, name, license_model, seats) VALUES ($1, $2, 'Acrobat Users', 'PER_USER', 1) RETURNING id`, o.id, prod)
	devices := f.id(`INSERT INTO licenses (org_id, product_id, name, license_model, seats) VALUES ($1, $2, 'Acrobat Devices', 'PER_DEVICE', 5) RETURNING id`, o.id, prod)
	mac := f.newAsset(o, func(in *itam.AssetInput) { tag := "MAC-1"; in.AssetTag = &tag })

	seats := []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "Acrobat Users", TargetID: &users, Values: map[string]string{"license": "Acrobat Users", "person": "alice@alpha.test"}},
		{Line: 3, Action: imports.ActionCreate, Key: "Acrobat Devices", TargetID: &devices, Values: map[string]string{"license": "Acrobat Devices", "assetTag": "mac-1"}},
	}
	f.commitAll(o, f.committingOf(o, imports.KindLicenseSeats, seats, nil))
	sn, err := f.store.LoadSnapshot(f.admin(o), imports.KindLicenseSeats, imports.Lookup{Licenses: []string{"acrobat users", "acrobat devices"},
		PersonEmails: []string{"alice@alpha.test"}, AssetTags: []string{"mac-1"}})
	require.NoError(t, err)
	require.Equal(t, map[imports.SeatKey]bool{{License: users, Holder: o.alice}: true, {License: devices, Holder: mac.ID}: true}, sn.Seats)
	require.Equal(t, "PER_DEVICE", sn.Licenses["acrobat devices"].Values["licenseModel"])
	require.Equal(t, "ACTIVE", sn.ExistingPeople["alice@alpha.test"].Values["status"])
	require.Equal(t, 2, f.countWhere(`SELECT count(*) FROM license_history WHERE action = 'ASSIGN_SEAT' AND actor_kind = 'IMPORT' AND org_id = $1`, o.id))

	// Bob is offboarded after the dry run planned his seat: refused, nothing written.
	f.exec(`UPDATE people SET status = 'OFFBOARDED' WHERE id = $1`, o.bob)
	left := []imports.RowPlan{{Line: 2, Action: imports.ActionCreate, Key: "Acrobat Users", TargetID: &users, Values: map[string]string{"license": "Acrobat Users", "person": "bob@alpha.test"}}}
	_, err = f.store.CommitChunk(f.admin(o), f.committingOf(o, imports.KindLicenseSeats, left, nil).ID, 0)
	requireCode(t, err, itam.CodeConflict, "line")
	require.Contains(t, err.Error(), "line 2")
	require.Equal(t, 0, f.countWhere(`SELECT count(*) FROM license_seats WHERE person_id = $1`, o.bob))

	refs := []imports.Reference{{Kind: imports.RefSupplier, Name: "Fixit", NameKey: "fixit", FirstLine: 2, Rows: 1}}
	costRows := []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "MAC-1", Values: map[string]string{"assetTag": "MAC-1", "date": "2024-04-01", "kind": "REPAIR",
			"amount": "250.00", "currency": "EUR", "supplier": "Fixit", "invoiceReference": "INV-1", "notes": "screen"}},
		{Line: 3, Action: imports.ActionCreate, Key: "MAC-1", Values: map[string]string{"assetTag": "mac-1", "date": "2024-05-01", "kind": "OTHER",
			"amount": "10.00", "currency": "EUR"}},
	}
	f.commitAll(o, f.committingOf(o, imports.KindCostEntries, costRows, refs))
	sn, err = f.store.LoadSnapshot(f.admin(o), imports.KindCostEntries, imports.Lookup{AssetTags: []string{"mac-1"}})
	require.NoError(t, err)
	require.True(t, sn.CostEntries[imports.CostEntryKey{Asset: mac.ID, Date: "2024-04-01", Kind: "REPAIR", Amount: "250.00", Currency: "EUR", InvoiceReference: "INV-1"}])
	require.True(t, sn.CostEntries[imports.CostEntryKey{Asset: mac.ID, Date: "2024-05-01", Kind: "OTHER", Amount: "10.00", Currency: "EUR"}])
	require.Equal(t, 2, f.countWhere(`SELECT count(*) FROM cost_history WHERE actor_kind = 'IMPORT' AND action = 'CREATE' AND org_id = $1`, o.id))
	require.Equal(t, 1, f.countWhere(`SELECT count(*) FROM cost_entries e JOIN suppliers s ON s.id = e.supplier_id WHERE s.name = 'Fixit'`))

	// The same plan committed a second time books nothing twice.
	f.commitAll(o, f.committingOf(o, imports.KindCostEntries, costRows, refs))
	require.Equal(t, 2, f.countWhere(`SELECT count(*) FROM cost_entries WHERE asset_id = $1 AND kind <> 'PURCHASE'`, mac.ID))
}
