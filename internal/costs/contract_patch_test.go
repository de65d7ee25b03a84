package costs_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func TestNewContractBounds(t *testing.T) {
	base := costs.Contract{Kind: costs.ContractLease, Start: finDay(2025, 1, 1)}
	ids := func(n int) []uuid.UUID {
		out := make([]uuid.UUID, n)
		for i := range out {
			out[i] = uuid.New()
		}
		return out
	}
	tests := []struct {
		name             string
		assets, licenses int
		field            string
	}{
		{"none", 0, 0, ""},
		{"the most", costs.MaxContractAssets, costs.MaxContractLicenses, ""},
		{"too many assets", costs.MaxContractAssets + 1, 0, "assetIds"},
		{"too many licenses", 0, costs.MaxContractLicenses + 1, "licenseIds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			c.AssetIDs, c.LicenseIDs = ids(tc.assets), ids(tc.licenses)
			_, err := costs.NewContract(c)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			finRequireInvalid(t, err, tc.field)
		})
	}
}

func TestContractPatchApply(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	cur := costs.Contract{Kind: costs.ContractSupport, Start: finDay(2025, 1, 1), End: finDayP(2025, 12, 31), Number: finPtr("N-1"),
		AssetIDs: []uuid.UUID{a}, Charges: []costs.Charge{{Amount: finMoney("10", "EUR"), Every: costs.EveryMonth}}, Version: 3}
	lease := costs.ContractLease
	tests := []struct {
		name  string
		patch costs.ContractPatch
		check func(t *testing.T, c costs.Contract)
		field string
	}{
		{"nothing", costs.ContractPatch{}, func(t *testing.T, c costs.Contract) {
			require.Equal(t, []uuid.UUID{a}, c.AssetIDs)
			require.Len(t, c.Charges, 1)
			require.Equal(t, "N-1", *c.Number)
		}, ""},
		{"clear number and end, change kind", costs.ContractPatch{Kind: &lease, Number: itam.Optional[string]{Set: true}, End: itam.Optional[time.Time]{Set: true}},
			func(t *testing.T, c costs.Contract) {
				require.Nil(t, c.Number)
				require.Nil(t, c.End)
				require.Equal(t, costs.ContractLease, c.Kind)
			}, ""},
		{"replace coverage and charges", costs.ContractPatch{AssetIDs: &[]uuid.UUID{b}, Charges: &[]costs.Charge{}},
			func(t *testing.T, c costs.Contract) {
				require.Equal(t, []uuid.UUID{b}, c.AssetIDs)
				require.Empty(t, c.Charges)
			}, ""},
		{"trims the number", costs.ContractPatch{Number: itam.Some(" N-2 ")}, func(t *testing.T, c costs.Contract) { require.Equal(t, "N-2", *c.Number) }, ""},
		{"end before start", costs.ContractPatch{End: itam.Some(finDay(2024, 1, 1))}, nil, "end"},
		{"start after a charge's first due day is fine: it defaults to the start", costs.ContractPatch{Start: finDayP(2025, 6, 1)}, nil, ""},
		{"negative charge", costs.ContractPatch{Charges: &[]costs.Charge{{Amount: finMoney("-1", "EUR"), Every: costs.EveryYear}}}, nil, "charges[0].amount.amount"},
		{"duplicate asset", costs.ContractPatch{AssetIDs: &[]uuid.UUID{a, a}}, nil, "assetIds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.patch.Apply(cur)
			if tc.field != "" {
				finRequireInvalid(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			if tc.check != nil {
				tc.check(t, got)
			}
			require.Equal(t, []uuid.UUID{a}, cur.AssetIDs, "cur is left alone")
		})
	}
}

func TestMissingReference(t *testing.T) {
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	tests := []struct {
		ids   []uuid.UUID
		found map[uuid.UUID]bool
		field string
	}{
		{nil, nil, ""},
		{[]uuid.UUID{a, b}, map[uuid.UUID]bool{a: true, b: true}, ""},
		{[]uuid.UUID{a, b, c}, map[uuid.UUID]bool{a: true}, "assetIds[1]"},
		{[]uuid.UUID{c}, map[uuid.UUID]bool{a: true}, "assetIds[0]"},
	}
	for _, tc := range tests {
		err := costs.MissingReference("assetIds", "asset", tc.ids, tc.found)
		if tc.field == "" {
			require.NoError(t, err)
			continue
		}
		var e *itam.Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, itam.CodeNotFound, e.Code)
		require.Equal(t, tc.field, e.Field)
	}
}

func TestContractChanges(t *testing.T) {
	ids := make([]uuid.UUID, costs.MaxHistoryIDs+50)
	for i := range ids {
		ids[i] = uuid.New()
	}
	before := costs.Contract{Kind: costs.ContractLease, Start: finDay(2025, 1, 1), AssetIDs: ids[:10],
		Charges: []costs.Charge{{Amount: finMoney("10", "EUR"), Every: costs.EveryMonth}}}
	after := before
	after.AssetIDs = ids[5:]
	after.Charges = []costs.Charge{{Amount: finMoney("12", "EUR"), Every: costs.EveryMonth}}

	created := costs.ContractChanges(nil, &before)
	require.JSONEq(t, `10`, string(created["assetCount"]["to"]))
	require.Contains(t, string(created["charges"]["to"]), `"amount":"10"`)
	var added []uuid.UUID
	require.NoError(t, json.Unmarshal(created["assetsAdded"]["to"], &added))
	require.Len(t, added, 10)

	ch := costs.ContractChanges(&before, &after)
	require.JSONEq(t, `10`, string(ch["assetCount"]["from"]))
	require.JSONEq(t, `145`, string(ch["assetCount"]["to"]))
	require.NoError(t, json.Unmarshal(ch["assetsAdded"]["to"], &added))
	require.Len(t, added, costs.MaxHistoryIDs, "bounded; the count says how many")
	var removed []uuid.UUID
	require.NoError(t, json.Unmarshal(ch["assetsRemoved"]["to"], &removed))
	require.ElementsMatch(t, ids[:5], removed)
	require.Contains(t, ch, "charges")
	require.NotContains(t, ch, "kind")

	require.Empty(t, costs.ContractChanges(&before, &before), "no change, no entry")
	deleted := costs.ContractChanges(&before, nil)
	require.JSONEq(t, `10`, string(deleted["assetCount"]["from"]))
	require.Contains(t, deleted, "assetsRemoved")
}
