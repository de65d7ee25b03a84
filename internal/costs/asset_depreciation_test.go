package costs

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestAssetDepreciationOnRead: the read rule for one asset. A profile that
// does not fit the asset's cost never fails the read: no depreciation, the
// book value stays the cost.
func TestAssetDepreciationOnRead(t *testing.T) {
	t.Parallel()
	sl := profile(StraightLine, 60, Annual)
	sl.SalvageValue = mp("1000", "USD")
	inService := day(2024, 1, 1)
	asOf := day(2025, 1, 1) // after the first year closed
	cases := []struct {
		name      string
		p         *Profile
		cost      *itam.Money
		inService *time.Time
		periods   int
		book      *string // nil: no book value
	}{
		{"fits", &sl, mp("10000", "USD"), &inService, 5, new("8200")},
		{"no cost", &sl, nil, &inService, 0, nil},
		{"no profile: at cost, rounded to the minor unit", nil, mp("10000.005", "usd"), &inService, 0, new("10000.01")},
		{"no in-service day", &sl, mp("10000", "USD"), nil, 0, new("10000")},
		{"salvage above cost", &sl, mp("500", "USD"), &inService, 0, new("500")},
		{"salvage in another currency", &sl, mp("10000", "EUR"), &inService, 0, new("10000")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := AssetSchedule(tc.p, tc.cost, tc.inService)
			require.NotNil(t, s, "an empty schedule is a list, never null")
			require.Len(t, s, tc.periods)
			got := AssetBookValue(tc.p, tc.cost, tc.inService, asOf)
			if tc.book == nil {
				require.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			require.True(t, d(*tc.book).Equal(got.Amount), "want %s, got %s", *tc.book, got.Amount)
			require.Equal(t, itamCode(tc.cost.Currency), got.Currency)
		})
	}
}

func itamCode(c string) string { code, _ := itam.ParseCurrency(c); return code }

func TestInServiceDate(t *testing.T) {
	t.Parallel()
	set, bought := day(2024, 3, 1), time.Date(2024, 1, 5, 15, 0, 0, 0, time.UTC)
	require.Equal(t, set, *InServiceDate(&set, &bought))
	require.Equal(t, day(2024, 1, 5), *InServiceDate(nil, &bought))
	require.Nil(t, InServiceDate(nil, nil))
}

func TestCheckAssetProfile(t *testing.T) {
	t.Parallel()
	amount := profile(StraightLine, 36, Monthly)
	amount.SalvageValue = mp("1000", "USD")
	percent := profile(StraightLine, 36, Monthly)
	percent.SalvagePercent = dp("10")
	cases := []struct {
		name string
		p    Profile
		cost itam.Money
		bad  bool
	}{
		{"salvage below cost", amount, money("5000", "USD"), false},
		{"salvage equal to cost", amount, money("1000", "USD"), false},
		{"salvage above cost", amount, money("999.99", "USD"), true},
		{"salvage in another currency", amount, money("5000", "EUR"), true},
		{"percent fits any cost", percent, money("1", "JPY"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckAssetProfile(tc.p, tc.cost)
			if !tc.bad {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, "depreciationProfileId")
		})
	}
}

func TestProfilePatchApply(t *testing.T) {
	t.Parallel()
	base := profile(DecliningBalance, 60, Annual)
	base.Rate = dp("1.5")
	sl, ddb, mon := StraightLine, DoubleDecliningBalance, Monthly
	zero, name := 0, "  Laptops 3y "
	cases := []struct {
		name  string
		patch ProfilePatch
		field string // "" = valid
		check func(t *testing.T, p Profile)
	}{
		{"nothing", ProfilePatch{}, "", func(t *testing.T, p Profile) { require.Equal(t, "1.5", p.Rate.String()) }},
		{"rename trims", ProfilePatch{Name: &name}, "", func(t *testing.T, p Profile) { require.Equal(t, "Laptops 3y", p.Name) }},
		{"to straight line keeping the rate", ProfilePatch{Method: &sl}, "rate", nil},
		{"to straight line clearing the rate", ProfilePatch{Method: &sl, Rate: itam.Optional[decimal.Decimal]{Set: true}}, "", func(t *testing.T, p Profile) {
			require.Nil(t, p.Rate)
			require.Equal(t, StraightLine, p.Method)
		}},
		{"to double declining keeping the rate", ProfilePatch{Method: &ddb}, "rate", nil},
		{"clear the rate of a declining profile", ProfilePatch{Rate: itam.Optional[decimal.Decimal]{Set: true}}, "rate", nil},
		{"life 0", ProfilePatch{UsefulLifeMonths: &zero}, "usefulLifeMonths", nil},
		{"salvage percent 100", ProfilePatch{SalvagePercent: itam.Some(d("100"))}, "salvagePercent", nil},
		{"both salvages", ProfilePatch{SalvagePercent: itam.Some(d("5")), SalvageValue: itam.Some(money("1", "USD"))}, "salvagePercent", nil},
		{"salvage currency canonical", ProfilePatch{SalvageValue: itam.Some(money("1", "eur"))}, "", func(t *testing.T, p Profile) {
			require.Equal(t, "EUR", p.SalvageValue.Currency)
		}},
		{"monthly", ProfilePatch{Convention: &mon}, "", func(t *testing.T, p Profile) { require.Equal(t, Monthly, p.Convention) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.patch.Apply(base)
			if tc.field != "" {
				requireInvalid(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			tc.check(t, got)
		})
	}
	require.Equal(t, "1.5", base.Rate.String(), "Apply leaves its argument alone")
}

func TestProfileUseCheckDelete(t *testing.T) {
	t.Parallel()
	cases := []struct {
		use  ProfileUse
		want string // "" = allowed
	}{
		{ProfileUse{}, ""},
		{ProfileUse{Default: true}, "used by the organization's default:"},
		{ProfileUse{Categories: 1}, "used by 1 category:"},
		{ProfileUse{Categories: 2, Assets: 1}, "used by 2 categories and 1 asset:"},
		{ProfileUse{Default: true, Models: 3, Assets: 12}, "used by the organization's default, 3 models and 12 assets:"},
	}
	for _, tc := range cases {
		err := tc.use.CheckDelete()
		if tc.want == "" {
			require.NoError(t, err)
			continue
		}
		var e *itam.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, itam.CodeConflict, e.Code)
		require.Contains(t, e.Message, tc.want)
	}
}

func TestProfileFieldsDiff(t *testing.T) {
	t.Parallel()
	before := profile(StraightLine, 60, Annual)
	after := before
	after.SalvagePercent = dp("10")
	ch := Diff(&before, &after, ProfileFields)
	require.Len(t, ch, 1)
	require.JSONEq(t, `"10"`, string(ch["salvagePercent"]["to"]))
	require.NotEmpty(t, Diff(nil, &before, ProfileFields), "a creation records the fields")
}
