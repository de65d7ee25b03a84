package postgres

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/procurement"
)

// approvedOrder creates and approves an order of o's laptop model (one
// line of quantity units at 899.00 EUR, ordered 2026-02-03) through the
// store and returns it.
func approvedOrder(f *fixture, o orgFixture, number string, quantity int) *procurement.Order {
	f.t.Helper()
	s := NewPurchaseOrderStore(f.db)
	po, err := s.CreatePurchaseOrder(f.admin(o), procurement.Input{SupplierID: o.supplier, OrderNumber: number,
		OrderDate: date(2026, 2, 3), Currency: "EUR", Lines: []procurement.LineInput{
			{ModelID: o.laptop, Quantity: quantity, UnitPrice: itam.Money{Amount: decimal.RequireFromString("899"), Currency: "EUR"}}}})
	require.NoError(f.t, err)
	po, err = s.ApprovePurchaseOrder(f.admin(o), po.ID, nil)
	require.NoError(f.t, err)
	return po
}

// procurementTenantRows gives o a purchase order with a line, its history
// and an asset linked to the line (purchase_orders, purchase_order_lines,
// purchase_order_history).
func procurementTenantRows(f *fixture, o orgFixture) {
	f.t.Helper()
	approvedOrder(f, o, "RLS-PO-1", 1)
}

// TestProcurementPurchaseDataSurvivesSync: the purchase data approval
// wrote is recorded as coming from "procurement", so an MDM reporting
// another purchase date and price for the received device does not
// overwrite it — under the default precedence, and under one that ranks
// the MDM above people but below procurement (where a value without that
// provenance would be taken as a person's and lose). The supplier, which
// no sync sets, stays too.
func TestProcurementPurchaseDataSurvivesSync(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	for _, o := range []orgFixture{f.a, f.b} {
		po := approvedOrder(f.fixture, o, "PO-SYNC", 1)
		_, err := NewPurchaseOrderStore(f.db).ReceivePurchaseOrderLine(f.admin(o), po.Lines[0].ID, o.site,
			[]procurement.ReceiptItem{{SerialNumber: "C02PROC001"}})
		require.NoError(t, err)
	}
	// Organization B trusts its MDM over people, procurement over both.
	for _, field := range []string{"purchaseDate", "purchasePrice"} {
		f.exec(`INSERT INTO field_precedence (org_id, field, sources) VALUES ($1, $2, ARRAY['procurement','JAMF_PRO','manual'])`, f.b.id, field)
	}
	for _, o := range []orgFixture{f.a, f.b} {
		jamf := f.connector(o, "JAMF_PRO", "Jamf", false)
		d := mac("j1", "C02PROC001", "")
		reported := date(2020, 1, 1)
		d.PurchaseDate, d.PurchasePrice, d.PurchaseCurrency = &reported, "1.00", "USD"
		f.apply(o, jamf, d)

		a := f.assetBySerial(o, "C02PROC001")
		require.Equal(t, itam.StatusInStock, a.Status)
		require.Equal(t, date(2026, 2, 3), a.PurchaseDate.UTC().Truncate(24*time.Hour))
		require.True(t, decimal.RequireFromString("899").Equal(a.PurchasePrice.Amount), "price kept: %v", a.PurchasePrice)
		require.Equal(t, "EUR", a.PurchasePrice.Currency)
		require.Equal(t, &o.supplier, a.SupplierID)
		require.Equal(t, "PO-SYNC", *a.OrderNumber)
	}
}

// TestProcurementReceiveRefusesSerialOfOtherManufacturer: a serial is
// refused when any asset of the organization holds it, even of another
// manufacturer (the database's own uniqueness is per manufacturer), and
// nothing is written.
func TestProcurementReceiveRefusesSerialOfOtherManufacturer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.newAsset(f.a, func(in *itam.AssetInput) { in.ModelID, in.SerialNumber = f.a.mac, ptr("SHARED-1") })
	po := approvedOrder(f, f.a, "PO-SER", 2)
	history := f.count("asset_history", f.a.id)
	_, err := NewPurchaseOrderStore(f.db).ReceivePurchaseOrderLine(f.admin(f.a), po.Lines[0].ID, f.a.site,
		[]procurement.ReceiptItem{{SerialNumber: "OK-1"}, {SerialNumber: "shared-1"}})
	requireCode(t, err, itam.CodeInvalid, "items[1].serialNumber")
	require.Equal(t, history, f.count("asset_history", f.a.id))
	got, err := NewPurchaseOrderStore(f.db).PurchaseOrder(f.admin(f.a), po.ID)
	require.NoError(t, err)
	require.Equal(t, procurement.StatusApproved, got.Status)
	require.Zero(t, got.Lines[0].Received)
}
