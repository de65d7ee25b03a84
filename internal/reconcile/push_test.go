package reconcile_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/reconcile"
)

// TestWithoutEchoes: a pulled value the ITSM still holds as believed does
// not undo a newer itam value; a value the ITSM changed is applied; what
// the record holds afterwards is every value it reported.
func TestWithoutEchoes(t *testing.T) {
	cases := []struct {
		name     string
		dev      reconcile.Device
		believed *reconcile.Believed
		want     reconcile.Device // after echo removal
		held     reconcile.PushValues
	}{
		{
			name: "new record keeps everything",
			dev:  reconcile.Device{ExternalID: "r1", UserEmail: "Ann@X.test", Status: "DEPLOYED"},
			want: reconcile.Device{ExternalID: "r1", UserEmail: "Ann@X.test", Status: "DEPLOYED"},
			held: reconcile.PushValues{"assignee": "ann@x.test", "status": "DEPLOYED"},
		},
		{
			name: "itam moved on: the old pushed value is an echo",
			dev:  reconcile.Device{ExternalID: "r1", UserEmail: "ann@x.test", UserName: "Ann", Status: "DEPLOYED"},
			believed: &reconcile.Believed{Known: reconcile.PushValues{"assignee": "ann@x.test", "status": "DEPLOYED"},
				Current: reconcile.PushValues{"assignee": "bob@x.test", "status": "IN_REPAIR"}},
			want: reconcile.Device{ExternalID: "r1"},
			held: reconcile.PushValues{"assignee": "ann@x.test", "status": "DEPLOYED"},
		},
		{
			name: "the ITSM changed it: applied",
			dev:  reconcile.Device{ExternalID: "r1", Status: "RETIRED"},
			believed: &reconcile.Believed{Known: reconcile.PushValues{"status": "DEPLOYED"},
				Current: reconcile.PushValues{"status": "IN_REPAIR"}},
			want: reconcile.Device{ExternalID: "r1", Status: "RETIRED"},
			held: reconcile.PushValues{"status": "RETIRED"},
		},
		{
			name: "in agreement: nothing to drop",
			dev:  reconcile.Device{ExternalID: "r1", Location: "Paris"},
			believed: &reconcile.Believed{Known: reconcile.PushValues{"location": "paris"},
				Current: reconcile.PushValues{"location": "paris"}},
			want: reconcile.Device{ExternalID: "r1", Location: "Paris"},
			held: reconcile.PushValues{"location": "paris"},
		},
		{
			name: "price and currency go together; unknown values are kept",
			dev:  reconcile.Device{ExternalID: "r1", PurchasePrice: "1299.00", PurchaseCurrency: "eur", AssetTag: "T-1"},
			believed: &reconcile.Believed{Known: reconcile.PushValues{"purchasePrice": "1299 EUR", "orderNumber": "PO-1"},
				Current: reconcile.PushValues{"purchasePrice": "1400 EUR", "assetTag": "t-2"}},
			want: reconcile.Device{ExternalID: "r1", AssetTag: "T-1"},
			held: reconcile.PushValues{"purchasePrice": "1299 EUR", "orderNumber": "PO-1", "assetTag": "t-1"},
		},
	}
	for _, tc := range cases {
		believed := map[string]reconcile.Believed{}
		if tc.believed != nil {
			believed["r1"] = *tc.believed
		}
		out, held := reconcile.WithoutEchoes([]reconcile.Device{tc.dev}, believed)
		require.Equal(t, []reconcile.Device{tc.want}, out, tc.name)
		require.Equal(t, tc.held, held["r1"], tc.name)
	}
}

// TestChangedFields: a push writes the opted fields whose values differ
// from the believed ones, an unknown value counting as different.
func TestChangedFields(t *testing.T) {
	day := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	cur := reconcile.CanonicalValues("Ann@X.test", "DEPLOYED", "Paris", "T-1", &day, "10.50", "usd", "PO-1", nil)
	cases := []struct {
		name  string
		opted []string
		known reconcile.PushValues
		want  []string
	}{
		{"nothing known", []string{"ASSIGNEE", "PURCHASE"}, nil, []string{"ASSIGNEE", "PURCHASE"}},
		{"all known", []string{"ASSIGNEE", "STATUS"}, reconcile.PushValues{"assignee": "ann@x.test", "status": "DEPLOYED"}, nil},
		{"one differs", []string{"ASSIGNEE", "STATUS"}, reconcile.PushValues{"assignee": "ann@x.test", "status": "IN_STOCK"}, []string{"STATUS"}},
		{"not opted", []string{"LOCATION"}, reconcile.PushValues{"location": "paris", "status": "IN_STOCK"}, nil},
		{"purchase part", []string{"PURCHASE"}, reconcile.PushValues{"purchaseDate": "2025-01-02", "purchasePrice": "10.5 USD",
			"orderNumber": "PO-1", "warrantyEnd": "2027-01-01"}, []string{"PURCHASE"}},
		{"purchase same", []string{"PURCHASE"}, reconcile.PushValues{"purchaseDate": "2025-01-02", "purchasePrice": "10.5 USD",
			"orderNumber": "PO-1", "warrantyEnd": ""}, nil},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, reconcile.ChangedFields(tc.opted, cur, tc.known), tc.name)
	}
}
