package relay

import (
	"encoding/base64"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestIDRoundTripsEveryType(t *testing.T) {
	id := uuid.New()
	seen := map[string]string{}
	for _, typ := range typeCodes {
		if typ == "" {
			continue
		}
		g := ID(typ, id)
		require.Len(t, g, 23, typ)
		require.NotContains(t, seen, g, "%s and %s share an id", typ, seen[g])
		seen[g] = typ
		gotType, gotID, ok := Parse(g)
		require.True(t, ok, typ)
		require.Equal(t, typ, gotType)
		require.Equal(t, id, gotID)
	}
	require.Len(t, seen, 32)
}

func TestParseAcceptsTheFirstFormAndRejectsGarbage(t *testing.T) {
	id := uuid.New()
	old := base64.RawURLEncoding.EncodeToString([]byte("Asset:" + id.String()))
	typ, got, ok := Parse(old)
	require.True(t, ok)
	require.Equal(t, TypeAsset, typ)
	require.Equal(t, id, got)

	unknownCode := base64.RawURLEncoding.EncodeToString(append([]byte{200}, id[:]...))
	for _, bad := range []string{"", "not base64!", unknownCode, base64.RawURLEncoding.EncodeToString([]byte("Asset:nope"))} {
		_, _, ok := Parse(bad)
		require.False(t, ok, bad)
	}
	_, err := DecodeAs("id", ID(TypePerson, id), TypeAsset)
	require.ErrorContains(t, err, "expected the id of a Asset, got a Person")
}

// TestIDsAreStable pins the wire form of every type's id: clients keep ids,
// so changing or reordering a type code must fail here. A new type adds
// its line.
func TestIDsAreStable(t *testing.T) {
	id := uuid.MustParse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
	golden := map[string]string{
		"Asset":        "AQ8eLTxLWml4h5altMPS4fA",
		"Person":       "Ag8eLTxLWml4h5altMPS4fA",
		"Team":         "Aw8eLTxLWml4h5altMPS4fA",
		"Location":     "BA8eLTxLWml4h5altMPS4fA",
		"Manufacturer": "BQ8eLTxLWml4h5altMPS4fA",
		"Category":     "Bg8eLTxLWml4h5altMPS4fA",
		"Model":        "Bw8eLTxLWml4h5altMPS4fA",
		"Supplier":     "CA8eLTxLWml4h5altMPS4fA",
		"Organization": "CQ8eLTxLWml4h5altMPS4fA",
		"SyncConflict": "Cg8eLTxLWml4h5altMPS4fA",
		"Connector":    "Cw8eLTxLWml4h5altMPS4fA",
		"SyncRun":      "DA8eLTxLWml4h5altMPS4fA",

		"SoftwarePublisher":        "DQ8eLTxLWml4h5altMPS4fA",
		"SoftwareProduct":          "Dg8eLTxLWml4h5altMPS4fA",
		"SoftwareTitleRule":        "Dw8eLTxLWml4h5altMPS4fA",
		"SoftwareNormalizationRun": "EA8eLTxLWml4h5altMPS4fA",
		"License":                  "EQ8eLTxLWml4h5altMPS4fA",
		"LicenseSeat":              "Eg8eLTxLWml4h5altMPS4fA",

		"CostEntry":           "Ew8eLTxLWml4h5altMPS4fA",
		"Contract":            "FA8eLTxLWml4h5altMPS4fA",
		"DepreciationProfile": "FQ8eLTxLWml4h5altMPS4fA",

		"PurchaseOrder":        "Fg8eLTxLWml4h5altMPS4fA",
		"PurchaseOrderLine":    "Fw8eLTxLWml4h5altMPS4fA",
		"OffboardingChecklist": "GA8eLTxLWml4h5altMPS4fA",
		"AuditCampaign":        "GQ8eLTxLWml4h5altMPS4fA",
		"WebhookSubscription":  "Gg8eLTxLWml4h5altMPS4fA",
		"WebhookDelivery":      "Gw8eLTxLWml4h5altMPS4fA",
		"Notification":         "HA8eLTxLWml4h5altMPS4fA",
		"SanitizationRecord":   "HQ8eLTxLWml4h5altMPS4fA",
		"AssetCheckout":        "Hg8eLTxLWml4h5altMPS4fA",
		"ImportRun":            "Hw8eLTxLWml4h5altMPS4fA",
		"ImportMapping":        "IA8eLTxLWml4h5altMPS4fA",
	}
	got := map[string]string{}
	for _, typ := range typeCodes {
		if typ != "" {
			got[typ] = ID(typ, id)
		}
	}
	require.Equal(t, golden, got)
	for typ, g := range golden {
		gotType, gotID, ok := Parse(g)
		require.True(t, ok, typ)
		require.Equal(t, typ, gotType)
		require.Equal(t, id, gotID)
	}
}

func TestAppendIDAppendsID(t *testing.T) {
	id := uuid.New()
	for _, typ := range typeCodes {
		if typ == "" {
			continue
		}
		require.Equal(t, `"`+ID(typ, id), string(AppendID([]byte(`"`), typ, id)), typ)
	}
	var buf [40]byte
	require.Zero(t, testing.AllocsPerRun(10, func() { _ = AppendID(buf[:0], TypeAsset, id) }))
}
