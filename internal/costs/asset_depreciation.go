package costs

import (
	"errors"
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// How a single asset is depreciated on read. A profile is shared by many
// assets and edited on its own, so a profile and an asset's cost can stop
// fitting together after both were accepted (an amount salvage above a
// cheap asset's cost, or in another currency). Reading must not fail a
// whole page for one such asset, so the rule is: an asset whose profile
// and cost do not fit is not depreciated — its schedule is empty and its
// book value stays its cost, the same as an asset without a profile. Writes
// that set an asset's own profile or price are checked (CheckAssetProfile),
// so this happens only through an inherited or later-edited profile.

// InServiceDate is the day an asset is placed in service: the date set for
// it, else its purchase date (nil when neither is known).
func InServiceDate(inService, purchase *time.Time) *time.Time {
	if inService != nil {
		return itam.CalendarDayPtr(inService)
	}
	return itam.CalendarDayPtr(purchase)
}

// AssetSchedule is an asset's depreciation schedule for Asset.depreciationSchedule:
// empty without a profile, a cost or an in-service day, and empty when the
// profile does not fit the cost (see above), never an error.
func AssetSchedule(p *Profile, cost *itam.Money, inService *time.Time) []Period {
	if p == nil || cost == nil || inService == nil {
		return []Period{}
	}
	s, err := Schedule(*p, *cost, *inService)
	if err != nil {
		return []Period{}
	}
	return s
}

// AssetBookValue is an asset's book value at the end of asOf: nil without a
// cost; the cost (rounded to its currency's minor unit) when no profile
// applies, it has no in-service day, or the profile does not fit the cost;
// else BookValue.
func AssetBookValue(p *Profile, cost *itam.Money, inService *time.Time, asOf time.Time) *itam.Money {
	if cost == nil {
		return nil
	}
	if p != nil && inService != nil {
		if v, err := BookValue(*p, *cost, *inService, asOf); err == nil {
			return &v
		}
	}
	code, err := itam.ParseCurrency(cost.Currency)
	if err != nil {
		code = cost.Currency
	}
	return &itam.Money{Amount: cost.Amount.Round(itam.MinorUnits(code)), Currency: code}
}

// CheckAssetProfile refuses giving an asset its own profile (or a price
// under its own profile) that cannot depreciate that cost: salvage above
// the cost or in another currency. The fault is named on
// depreciationProfileId, the choice the caller made for this asset.
func CheckAssetProfile(p Profile, cost itam.Money) error {
	if _, err := Schedule(p, cost, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		msg := "this profile cannot depreciate the asset's purchase price"
		var e *itam.Error
		if errors.As(err, &e) {
			msg = e.Message
		}
		return itam.Invalid("depreciationProfileId", "%s", msg)
	}
	return nil
}

// AssetProfile is the profile that applies to an asset and where it comes
// from (costs.EffectiveProfile); both empty when none applies.
type AssetProfile struct {
	Profile *Profile
	Source  ProfileSource
}
