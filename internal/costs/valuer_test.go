package costs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestValuerMatchesAssetBookValue: the Valuer's shortcut (one schedule per
// profile and cost, periods closed counted by date) gives exactly
// AssetBookValue for every in-service day and asOf around month ends, leap
// days and the end of the life, for both conventions and lives that are
// not whole years, and for profiles that do not fit the cost.
func TestValuerMatchesAssetBookValue(t *testing.T) {
	t.Parallel()
	var profiles []Profile
	for i, c := range []struct {
		m      Method
		months int
		conv   Convention
	}{{StraightLine, 60, Annual}, {SumOfYearsDigits, 30, Annual}, {DoubleDecliningBalance, 36, Monthly}, {StraightLine, 7, Monthly}, {DecliningBalance, 1, Annual}} {
		p := profile(c.m, c.months, c.conv)
		if c.m == DecliningBalance {
			p.Rate = dp("1.5")
		}
		p.SalvageValue = mp("100", "USD")
		p.ID[0] = byte(i + 1)
		profiles = append(profiles, p)
	}
	costs := []*itam.Money{mp("10000", "USD"), mp("9876.54", "USD"), mp("50", "USD"), mp("10000", "EUR"), nil}
	inServices := []time.Time{day(2024, 1, 31), day(2024, 2, 29), day(2023, 3, 31), day(2024, 12, 1)}
	var asOfs []time.Time
	for d := day(2023, 12, 25); d.Before(day(2030, 3, 1)); d = d.AddDate(0, 0, 9) {
		asOfs = append(asOfs, d)
	}
	asOfs = append(asOfs, day(2024, 2, 28), day(2024, 2, 29), day(2025, 1, 30), day(2025, 1, 31), day(2029, 1, 30), day(2029, 1, 31))
	for _, asOf := range asOfs {
		v := NewValuer(asOf)
		for i := range profiles {
			for _, cost := range costs {
				for _, in := range inServices {
					want := AssetBookValue(&profiles[i], cost, &in, asOf)
					got := v.BookValue(&profiles[i], cost, &in)
					if want == nil {
						require.Nil(t, got)
						continue
					}
					require.NotNil(t, got)
					require.True(t, want.Amount.Equal(got.Amount), "%s %v in service %s at %s: want %s, got %s",
						profiles[i].Method, cost, in.Format(time.DateOnly), asOf.Format(time.DateOnly), want.Amount, got.Amount)
					require.Equal(t, want.Currency, got.Currency)
				}
			}
		}
	}
	require.Nil(t, NewValuer(day(2025, 1, 1)).BookValue(&profiles[0], nil, nil))
	require.Equal(t, "10000", NewValuer(day(2025, 1, 1)).BookValue(nil, mp("10000", "USD"), nil).Amount.String())
}
