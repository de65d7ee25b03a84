package itam

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestAddMonths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2024-01-15", 1, "2024-02-15"},
		{"2024-01-31", 1, "2024-02-29"}, // leap year: clamped to Feb 29
		{"2023-01-31", 1, "2023-02-28"},
		{"2024-08-31", 6, "2025-02-28"},
		{"2024-03-31", 1, "2024-04-30"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2024-11-30", 3, "2025-02-28"},
		{"2024-12-31", 0, "2024-12-31"},
		{"2024-05-10", 600, "2074-05-10"},
	} {
		got := AddMonths(*day(tc.from), tc.months)
		require.Equal(t, tc.want, got.Format(time.DateOnly), "%s + %d months", tc.from, tc.months)
	}
	// A time of day or zone never moves the day.
	late := time.Date(2024, 1, 31, 23, 30, 0, 0, time.FixedZone("x", -10*3600))
	require.Equal(t, "2024-02-29", AddMonths(late, 1).Format(time.DateOnly))
}

func TestEndOfLife(t *testing.T) {
	t.Parallel()
	life := func(n int) *int { return &n }
	for _, tc := range []struct {
		name                string
		explicit, purchased *time.Time
		life                *int
		want                string
		source              EndOfLifeSource
	}{
		{"explicit wins over the model", day("2027-01-01"), day("2024-01-31"), life(12), "2027-01-01", EndOfLifeExplicit},
		{"explicit without purchase", day("2027-01-01"), nil, nil, "2027-01-01", EndOfLifeExplicit},
		{"derived, clamped", nil, day("2024-08-31"), life(6), "2025-02-28", EndOfLifeModelUsefulLife},
		{"derived, 48 months", nil, day("2024-02-01"), life(48), "2028-02-01", EndOfLifeModelUsefulLife},
		{"no purchase date", nil, nil, life(48), "", ""},
		{"no useful life", nil, day("2024-02-01"), nil, "", ""},
		{"zero useful life", nil, day("2024-02-01"), life(0), "", ""},
	} {
		got, src := EndOfLife(tc.explicit, tc.purchased, tc.life)
		require.Equal(t, tc.source, src, tc.name)
		if tc.want == "" {
			require.Nil(t, got, tc.name)
			continue
		}
		require.Equal(t, tc.want, got.Format(time.DateOnly), tc.name)
	}
}

func TestMergeCustomFields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		current, patch map[string]any
		want           map[string]any
	}{
		{"sets and keeps", map[string]any{"ram_gb": 16.0, "os": "macOS"}, map[string]any{"ram_gb": 32}, map[string]any{"ram_gb": 32, "os": "macOS"}},
		{"adds", map[string]any{"os": "macOS"}, map[string]any{"cpu": "M3"}, map[string]any{"os": "macOS", "cpu": "M3"}},
		{"null removes", map[string]any{"ram_gb": 16.0, "os": "macOS"}, map[string]any{"os": nil}, map[string]any{"ram_gb": 16.0}},
		{"null of a missing key", map[string]any{"os": "macOS"}, map[string]any{"cpu": nil}, map[string]any{"os": "macOS"}},
		{"onto nothing", nil, map[string]any{"os": "Linux"}, map[string]any{"os": "Linux"}},
		{"empty patch", map[string]any{"os": "macOS"}, map[string]any{}, map[string]any{"os": "macOS"}},
	} {
		before := map[string]any{}
		for k, v := range tc.current {
			before[k] = v
		}
		require.Equal(t, tc.want, MergeCustomFields(tc.current, tc.patch), tc.name)
		if tc.current != nil {
			require.Equal(t, before, tc.current, "%s: the current fields are not changed", tc.name)
		}
	}
}

func TestAssetPatchCustomFieldsPatch(t *testing.T) {
	t.Parallel()
	a := Asset{AssetTag: "LT-1", CustomFields: map[string]any{"ram_gb": 16.0, "os": "macOS"}}
	got, err := AssetPatch{CustomFieldsPatch: map[string]any{"os": nil, "cpu": "M3"}}.Apply(a)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"ram_gb": 16.0, "cpu": "M3"}, got.CustomFields)
	require.Equal(t, map[string]any{"ram_gb": 16.0, "os": "macOS"}, a.CustomFields, "the asset applied to is unchanged")

	_, err = AssetPatch{CustomFields: Some(map[string]any{}), CustomFieldsPatch: map[string]any{"os": "x"}}.Apply(a)
	require.Equal(t, "customFieldsPatch", err.(*Error).Field)
	require.Equal(t, CodeInvalid, err.(*Error).Code)

	require.True(t, AssetPatch{CustomFieldsPatch: map[string]any{}}.ChecksModel())
	require.Equal(t, "customFieldsPatch", AssetPatch{CustomFieldsPatch: map[string]any{}}.CustomFieldsField())
	require.Equal(t, "customFields", AssetPatch{CustomFields: Some(map[string]any{})}.CustomFieldsField())
}

func TestDiffAssetsCustomFieldsByKey(t *testing.T) {
	t.Parallel()
	before := &Asset{AssetTag: "LT-1", CustomFields: map[string]any{"ram_gb": 16.0, "os": "macOS", "cpu": "M1"}}
	after := &Asset{AssetTag: "LT-1", CustomFields: map[string]any{"ram_gb": 32.0, "cpu": "M1", "color": "silver"}}
	got := DiffAssets(before, after)
	js := func(v map[string]json.RawMessage) [2]string { return [2]string{string(v["from"]), string(v["to"])} }
	want := map[string][2]string{
		"customFields.ram_gb": {"16", "32"},
		"customFields.os":     {`"macOS"`, "null"},
		"customFields.color":  {"null", `"silver"`},
	}
	gotPairs := map[string][2]string{}
	for k, v := range got {
		gotPairs[k] = js(v)
	}
	require.Equal(t, want, gotPairs, "only the keys that changed; cpu did not")

	created := DiffAssets(nil, &Asset{AssetTag: "LT-2", CustomFields: map[string]any{"os": "Linux"}})
	require.Equal(t, [2]string{"null", `"Linux"`}, js(created["customFields.os"]))
	require.NotContains(t, created, "customFields")
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount, currency, want string
	}{
		{"1649", "USD", "1649.00"},
		{"1649.0000", "USD", "1649.00"},
		{"242779.8", "EUR", "242779.80"},
		{"1649", "JPY", "1649"},
		{"1649.0000", "JPY", "1649"},
		{"12.5", "BHD", "12.500"},
		{"0", "USD", "0.00"},
		{"0", "JPY", "0"},
		{"0.0125", "USD", "0.0125"}, // entered finer than a cent: kept, never rounded away
		{"1649.5", "JPY", "1649.5"},
		{"10", "XYZ", "10.00"}, // unknown code: 2 places, as MinorUnits
	} {
		got := Money{Amount: decimal.RequireFromString(tc.amount), Currency: tc.currency}.AmountString()
		require.Equal(t, tc.want, got, "%s %s", tc.amount, tc.currency)
	}
}

func TestStillReferenced(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		blockers []Blocker
		want     string
	}{
		{"counts and one example", []Blocker{
			{Singular: "asset", Plural: "assets", Count: 12, Example: "Asset X tag LT-0001"},
			{Singular: "person", Plural: "people", Count: 3, Example: "Person Y Ada"},
		}, `location "Berlin" is still referenced by 12 assets (e.g. Asset X tag LT-0001) and 3 people; reassign or delete them first`},
		{"singular", []Blocker{{Singular: "sub-location", Plural: "sub-locations", Count: 1}},
			`location "Berlin" is still referenced by 1 sub-location; reassign or delete them first`},
		{"example from the first kind that has one", []Blocker{
			{Singular: "asset checkout", Plural: "asset checkouts", Count: 2},
			{Singular: "asset", Plural: "assets", Count: 1, Example: "Asset X tag LT-1"},
			{Phrase: "the organization's default owner team setting", Count: 1},
		}, `location "Berlin" is still referenced by 2 asset checkouts, 1 asset (e.g. Asset X tag LT-1) and the organization's default owner team setting; reassign or delete them first`},
	} {
		err := StillReferenced("location", "Berlin", tc.blockers)
		require.Equal(t, CodeConflict, err.Code, tc.name)
		require.Equal(t, "id", err.Field, tc.name)
		require.Equal(t, tc.want, err.Message, tc.name)
	}
}

func TestNouns(t *testing.T) {
	t.Parallel()
	for plural, want := range map[string]string{
		"assets": "asset", "people": "person", "categories": "category", "purchase order lines": "purchase order line",
		"license seats": "license seat", "licenses": "license", "addresses": "address", "staff": "staff",
	} {
		s, p := Nouns(plural)
		require.Equal(t, want, s, plural)
		require.Equal(t, plural, p)
	}
}
