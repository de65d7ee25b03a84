package reconcile_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/reconcile"
)

// TestWithoutEchoesPriceWithoutCurrency: Freshservice and JSM Assets
// report a cost without a currency (unless the connector's currency
// option is set), ServiceNow's alm_hardware too; itam's values carry one.
// An amount the ITSM still holds as pushed is the same value, so a newer
// itam price is not undone by the pull, and what the record holds stays
// the pushed value (no needless PURCHASE push afterwards).
func TestWithoutEchoesPriceWithoutCurrency(t *testing.T) {
	cases := []struct {
		name     string
		dev      reconcile.Device
		believed reconcile.Believed
		want     reconcile.Device
		held     reconcile.PushValues
	}{
		{
			name: "itam's newer price stands against the old amount",
			dev:  reconcile.Device{ExternalID: "r1", PurchasePrice: "1299.00"},
			believed: reconcile.Believed{Known: reconcile.PushValues{"purchasePrice": "1299 USD"},
				Current: reconcile.PushValues{"purchasePrice": "1500 USD"}},
			want: reconcile.Device{ExternalID: "r1"},
			held: reconcile.PushValues{"purchasePrice": "1299 USD"},
		},
		{
			name: "in agreement: the record holds the pushed value",
			dev:  reconcile.Device{ExternalID: "r1", PurchasePrice: "1299"},
			believed: reconcile.Believed{Known: reconcile.PushValues{"purchasePrice": "1299 USD"},
				Current: reconcile.PushValues{"purchasePrice": "1299 USD"}},
			want: reconcile.Device{ExternalID: "r1", PurchasePrice: "1299"},
			held: reconcile.PushValues{"purchasePrice": "1299 USD"},
		},
		{
			name: "a new amount at the ITSM is a change",
			dev:  reconcile.Device{ExternalID: "r1", PurchasePrice: "1100"},
			believed: reconcile.Believed{Known: reconcile.PushValues{"purchasePrice": "1299 USD"},
				Current: reconcile.PushValues{"purchasePrice": "1500 USD"}},
			want: reconcile.Device{ExternalID: "r1", PurchasePrice: "1100"},
			held: reconcile.PushValues{"purchasePrice": "1100 "},
		},
	}
	for _, tc := range cases {
		out, held := reconcile.WithoutEchoes([]reconcile.Device{tc.dev}, map[string]reconcile.Believed{"r1": tc.believed})
		require.Equal(t, []reconcile.Device{tc.want}, out, tc.name)
		require.Equal(t, tc.held, held["r1"], tc.name)
	}
}
