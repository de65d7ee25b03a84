package costs

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// ProfilePatch changes a depreciation profile: an unset field stays as it
// is; salvageValue, salvagePercent and rate can be cleared (set to nil).
// The other fields cannot be removed, so a nil value leaves them.
type ProfilePatch struct {
	Name             *string
	Method           *Method
	UsefulLifeMonths *int
	SalvageValue     itam.Optional[itam.Money]
	SalvagePercent   itam.Optional[decimal.Decimal]
	Rate             itam.Optional[decimal.Decimal]
	Convention       *Convention
}

// Apply returns p changed by the patch, validated as a whole (Validate), so
// a patch that leaves a broken profile (a rate kept on a method moved to
// STRAIGHT_LINE, say) is refused naming the field at fault.
func (in ProfilePatch) Apply(p Profile) (Profile, error) {
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Method != nil {
		p.Method = *in.Method
	}
	if in.UsefulLifeMonths != nil {
		p.UsefulLifeMonths = *in.UsefulLifeMonths
	}
	itam.Patch(&p.SalvageValue, in.SalvageValue)
	itam.Patch(&p.SalvagePercent, in.SalvagePercent)
	itam.Patch(&p.Rate, in.Rate)
	if in.Convention != nil {
		p.Convention = *in.Convention
	}
	if p.SalvageValue != nil {
		// Validate canonicalizes the currency in place: never through a
		// pointer the caller's profile shares.
		sv := *p.SalvageValue
		p.SalvageValue = &sv
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	return p, nil
}

// ProfileFields are a profile's recorded fields by GraphQL name, for its
// history (costs.Diff).
func ProfileFields(p *Profile) map[string]any {
	m := map[string]any{
		"name": p.Name, "method": p.Method, "usefulLifeMonths": p.UsefulLifeMonths, "convention": p.Convention,
		"salvageValue": nil, "salvagePercent": decimalJSON(p.SalvagePercent), "rate": decimalJSON(p.Rate),
	}
	if p.SalvageValue != nil {
		m["salvageValue"] = map[string]string{"amount": p.SalvageValue.Amount.String(), "currency": p.SalvageValue.Currency}
	}
	return m
}

// decimalJSON records a decimal as its exact text (a JSON number would
// lose 1.50 vs 1.5 to floats; the text keeps what was stored).
func decimalJSON(d *decimal.Decimal) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}

// ProfileUse is what still points at a depreciation profile.
type ProfileUse struct {
	Default    bool // the organization's default
	Categories int
	Models     int
	Assets     int
}

// CheckDelete refuses deleting a profile still in use, naming what uses it
// and how many: deleting it would silently change the book value of every
// asset that inherits it.
func (u ProfileUse) CheckDelete() error {
	var parts []string
	if u.Default {
		parts = append(parts, "the organization's default")
	}
	for _, x := range []struct {
		n    int
		what string
	}{{u.Categories, "categor"}, {u.Models, "model"}, {u.Assets, "asset"}} {
		if x.n == 0 {
			continue
		}
		name := x.what + "s"
		switch {
		case x.what == "categor" && x.n == 1:
			name = "category"
		case x.what == "categor":
			name = "categories"
		case x.n == 1:
			name = x.what
		}
		parts = append(parts, fmt.Sprintf("%d %s", x.n, name))
	}
	if len(parts) == 0 {
		return nil
	}
	msg := parts[0]
	for i, s := range parts[1:] {
		if i == len(parts)-2 {
			msg += " and " + s
		} else {
			msg += ", " + s
		}
	}
	return itam.Conflict("id", "this depreciation profile is used by %s: point them at another profile first", msg)
}
