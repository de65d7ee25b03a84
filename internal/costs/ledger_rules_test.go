package costs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func TestEntryPatchApply(t *testing.T) {
	asset, supplier := uuid.New(), uuid.New()
	cur := costs.Entry{AssetID: &asset, Kind: costs.KindRepair, Date: finDay(2025, 3, 1), Amount: finMoney("120.50", "EUR"),
		SupplierID: &supplier, InvoiceReference: finPtr("INV-1"), Notes: finPtr("screen"), Version: 3}
	kind := func(k costs.EntryKind) *costs.EntryKind { return &k }
	money := func(a, c string) *itam.Money { m := finMoney(a, c); return &m }
	tests := []struct {
		name  string
		patch costs.EntryPatch
		want  func(*costs.Entry)
		field string // "" = accepted
	}{
		{"nothing", costs.EntryPatch{}, func(*costs.Entry) {}, ""},
		{"kind", costs.EntryPatch{Kind: kind(costs.KindMaintenance)}, func(e *costs.Entry) { e.Kind = costs.KindMaintenance }, ""},
		{"date loses its time", costs.EntryPatch{Date: finPtr(time.Date(2025, 4, 2, 15, 4, 0, 0, time.UTC))},
			func(e *costs.Entry) { e.Date = finDay(2025, 4, 2) }, ""},
		{"amount, currency upper-cased", costs.EntryPatch{Amount: money("99.999", "bhd")},
			func(e *costs.Entry) { e.Amount = finMoney("99.999", "BHD") }, ""},
		{"clear supplier, reference, notes", costs.EntryPatch{SupplierID: itam.Optional[uuid.UUID]{Set: true},
			InvoiceReference: itam.Optional[string]{Set: true}, Notes: itam.Optional[string]{Set: true}},
			func(e *costs.Entry) { e.SupplierID, e.InvoiceReference, e.Notes = nil, nil, nil }, ""},
		{"blank notes clear", costs.EntryPatch{Notes: itam.Some("   ")}, func(e *costs.Entry) { e.Notes = nil }, ""},
		{"negative amount", costs.EntryPatch{Amount: money("-1", "EUR")}, nil, "amount.amount"},
		{"unknown currency", costs.EntryPatch{Amount: money("1", "ABC")}, nil, "amount.currency"},
		{"unknown kind", costs.EntryPatch{Kind: kind("GIFT")}, nil, "kind"},
		{"long reference", costs.EntryPatch{InvoiceReference: itam.Some(strings.Repeat("r", costs.MaxReferenceLength+1))}, nil, "invoiceReference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cur
			got, err := tt.patch.Apply(cur)
			require.Equal(t, before, cur, "Apply never changes the current entry")
			if tt.field != "" {
				finRequireInvalid(t, err, tt.field)
				return
			}
			require.NoError(t, err)
			want := cur
			tt.want(&want)
			finRequireMoney(t, want.Amount, got.Amount)
			got.Amount, want.Amount = itam.Money{}, itam.Money{}
			require.Equal(t, want, got)
		})
	}
}

func TestPurchaseOf(t *testing.T) {
	asset, license := uuid.New(), uuid.New()
	entry := func(kind costs.EntryKind, target *uuid.UUID, lic bool) *costs.Entry {
		e := &costs.Entry{Kind: kind, Date: time.Date(2025, 5, 6, 13, 0, 0, 0, time.UTC), Amount: finMoney("1299.00", "USD")}
		if lic {
			e.LicenseID = target
		} else {
			e.AssetID = target
		}
		return e
	}
	purchase, repair := entry(costs.KindPurchase, &asset, false), entry(costs.KindRepair, &asset, false)
	tests := []struct {
		name          string
		before, after *costs.Entry
		touches       bool
		sets          bool
	}{
		{"create a purchase", nil, purchase, true, true},
		{"edit a purchase", purchase, purchase, true, true},
		{"repair becomes the purchase", repair, purchase, true, true},
		{"purchase becomes a repair", purchase, repair, true, false},
		{"delete the purchase", purchase, nil, true, false},
		{"create a repair", nil, repair, false, false},
		{"edit a repair", repair, repair, false, false},
		{"delete a repair", repair, nil, false, false},
		{"a license's purchase", nil, entry(costs.KindPurchase, &license, true), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, ok := costs.PurchaseOf(tt.before, tt.after)
			require.Equal(t, tt.touches, ok)
			if !ok {
				return
			}
			require.Equal(t, asset, ch.AssetID)
			if !tt.sets {
				require.Nil(t, ch.Price)
				require.Nil(t, ch.Date)
				return
			}
			finRequireMoney(t, finMoney("1299", "USD"), *ch.Price)
			require.Equal(t, finDay(2025, 5, 6), *ch.Date, "the asset's purchase date is the entry's day")
		})
	}
}

func TestEntryFilterValidate(t *testing.T) {
	tests := []struct {
		name   string
		filter costs.EntryFilter
		field  string
	}{
		{"empty", costs.EntryFilter{}, ""},
		{"every kind", costs.EntryFilter{Kinds: costs.EntryKinds}, ""},
		{"nine kinds", costs.EntryFilter{Kinds: append(costs.EntryKinds, costs.KindOther)}, "filter.kinds"},
		{"unknown kind", costs.EntryFilter{Kinds: []costs.EntryKind{"GIFT"}}, "filter.kinds"},
		{"search at the bound", costs.EntryFilter{Search: finPtr(strings.Repeat("s", itam.MaxSearchLength))}, ""},
		{"search too long", costs.EntryFilter{Search: finPtr(strings.Repeat("s", itam.MaxSearchLength+1))}, "filter.search"},
		{"one day", costs.EntryFilter{From: finDayP(2025, 1, 1), To: finDayP(2025, 1, 1)}, ""},
		{"to before from", costs.EntryFilter{From: finDayP(2025, 1, 2), To: finDayP(2025, 1, 1)}, "filter.to"},
		{"open ended", costs.EntryFilter{From: finDayP(2025, 1, 2)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.filter.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			finRequireInvalid(t, err, tt.field)
		})
	}
}

func TestEntryFieldsDiff(t *testing.T) {
	asset := uuid.New()
	before := costs.Entry{AssetID: &asset, Kind: costs.KindRepair, Date: finDay(2025, 3, 1), Amount: finMoney("120.50", "EUR")}
	after := before
	after.Amount = finMoney("99", "EUR")
	after.Notes = finPtr("refund")
	changes := costs.Diff(&before, &after, costs.EntryFields)
	require.Len(t, changes, 2)
	require.JSONEq(t, `{"amount":"120.5","currency":"EUR"}`, string(changes["amount"]["from"]))
	require.JSONEq(t, `{"amount":"99","currency":"EUR"}`, string(changes["amount"]["to"]))
	require.JSONEq(t, `"refund"`, string(changes["notes"]["to"]))
	created := costs.Diff(nil, &before, costs.EntryFields)
	require.ElementsMatch(t, []string{"assetId", "kind", "date", "amount"}, ledgerKeys(created))
	require.JSONEq(t, `"2025-03-01"`, string(created["date"]["to"]))
}

func ledgerKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRateKeyAndFilter(t *testing.T) {
	r, err := costs.RateKey("eur", "usd", time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, "EUR", r.From)
	require.Equal(t, "USD", r.To)
	require.Equal(t, finDay(2025, 1, 1), r.ValidFrom)
	_, err = costs.RateKey("EUR", "EUR", finDay(2025, 1, 1))
	finRequireInvalid(t, err, "to")
	_, err = costs.RateKey("EURO", "USD", finDay(2025, 1, 1))
	finRequireInvalid(t, err, "from")

	f, err := costs.RateFilter{From: finPtr("jpy")}.Normalize()
	require.NoError(t, err)
	require.Equal(t, "JPY", *f.From)
	require.Nil(t, f.To)
	_, err = costs.RateFilter{To: finPtr("XX")}.Normalize()
	finRequireInvalid(t, err, "filter.to")

	changes := costs.Diff(&costs.Rate{From: "EUR", To: "USD", Rate: decimal.RequireFromString("1.10"), ValidFrom: finDay(2025, 1, 1)},
		&costs.Rate{From: "EUR", To: "USD", Rate: decimal.RequireFromString("1.0850"), ValidFrom: finDay(2025, 1, 1)}, costs.RateFields)
	require.Len(t, changes, 1)
	require.JSONEq(t, `"1.1"`, string(changes["rate"]["from"]))
	require.JSONEq(t, `"1.085"`, string(changes["rate"]["to"]))
}
