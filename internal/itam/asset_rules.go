package itam

import (
	"fmt"
	"slices"
	"strings"
)

// Validate checks that an assignee names exactly one person or one
// location; whether that person or location exists is the store's to check.
func (as Assignee) Validate() error {
	if (as.PersonID == nil) == (as.LocationID == nil) {
		return Invalid("assigneeId", "assign to exactly one person or one location")
	}
	return nil
}

// Validate checks the links a new asset is created with: each names a
// source and an id in it (blank after trimming is refused).
func (in AssetInput) Validate() error {
	for i, e := range in.ExternalIDs {
		if strings.TrimSpace(e.Source) == "" || strings.TrimSpace(e.ExternalID) == "" {
			return Invalid(fmt.Sprintf("externalIds[%d]", i), "source and external id are required")
		}
	}
	return nil
}

// Normalize checks the rules every stored asset satisfies, naming the field
// at fault, and returns a copy with its price's currency in canonical form.
// Stores call it on the final state of every create and change, after
// defaults (owner, tag) are filled in, so no path can store an asset that
// breaks them. The copy keeps a from being changed through shared pointers.
func (a Asset) Normalize() (*Asset, error) {
	if strings.TrimSpace(a.AssetTag) == "" {
		return nil, Invalid("assetTag", "asset tag cannot be blank")
	}
	if len(a.AssetTag) > 64 {
		return nil, Invalid("assetTag", "asset tag is at most 64 characters")
	}
	if a.PurchasePrice != nil {
		if err := ValidateMoney(*a.PurchasePrice, "purchasePrice"); err != nil {
			return nil, err
		}
		price := *a.PurchasePrice
		price.Currency, _ = ParseCurrency(price.Currency)
		a.PurchasePrice = &price
	}
	if (a.OwnerPersonID == nil) == (a.OwnerTeamID == nil) {
		return nil, Invalid("ownerId", "an asset has exactly one owner: a person or a team")
	}
	if a.WarrantyEnd != nil && a.PurchaseDate != nil && a.WarrantyEnd.Before(*a.PurchaseDate) {
		return nil, Invalid("warrantyEnd", "warranty cannot end before the purchase date")
	}
	if a.EndOfLife != nil && a.PurchaseDate != nil && a.EndOfLife.Before(*a.PurchaseDate) {
		return nil, Invalid("endOfLife", "end of life cannot be before the purchase date")
	}
	if a.Condition != "" && !ValidCondition(a.Condition) {
		return nil, Invalid("condition", "unknown condition %q", a.Condition)
	}
	return &a, nil
}

// ValidCondition reports whether c is a known condition.
func ValidCondition(c Condition) bool {
	switch c {
	case ConditionNew, ConditionGood, ConditionFair, ConditionPoor, ConditionBroken:
		return true
	}
	return false
}

// Apply returns a with the patch's descriptive fields changed. Text is
// trimmed and blank clears it; the tag, condition and model can be changed
// but not removed. The model's manufacturer and the custom fields against
// its category are the store's to look up and check (it has the model).
func (p AssetPatch) Apply(a Asset) (Asset, error) {
	if p.AssetTag.Set {
		if p.AssetTag.Value == nil {
			return a, Invalid("assetTag", "asset tag cannot be removed")
		}
		a.AssetTag = strings.TrimSpace(*p.AssetTag.Value)
	}
	PatchText(&a.SerialNumber, p.SerialNumber)
	PatchText(&a.Name, p.Name)
	if p.Condition.Set {
		if p.Condition.Value == nil {
			return a, Invalid("condition", "condition cannot be removed")
		}
		a.Condition = *p.Condition.Value
	}
	// One owner replaces the other: setting either sets both.
	if p.OwnerPersonID.Set || p.OwnerTeamID.Set {
		a.OwnerPersonID, a.OwnerTeamID = p.OwnerPersonID.Value, p.OwnerTeamID.Value
	}
	Patch(&a.LocationID, p.LocationID)
	Patch(&a.PurchaseDate, p.PurchaseDate)
	Patch(&a.PurchasePrice, p.PurchasePrice)
	Patch(&a.SupplierID, p.SupplierID)
	PatchText(&a.OrderNumber, p.OrderNumber)
	PatchText(&a.InvoiceNumber, p.InvoiceNumber)
	Patch(&a.WarrantyEnd, p.WarrantyEnd)
	Patch(&a.EndOfLife, p.EndOfLife)
	Patch(&a.Notes, p.Notes)
	Patch(&a.DepreciationProfileID, p.DepreciationProfileID)
	Patch(&a.InServiceDate, p.InServiceDate)
	if p.CustomFields.Set {
		a.CustomFields = map[string]any{}
		if p.CustomFields.Value != nil {
			a.CustomFields = *p.CustomFields.Value
		}
	}
	if p.CustomFieldsPatch != nil {
		if p.CustomFields.Set {
			return a, Invalid("customFieldsPatch", "give customFields (replaces the whole object) or customFieldsPatch (changes the keys it names), not both")
		}
		a.CustomFields = MergeCustomFields(a.CustomFields, p.CustomFieldsPatch)
	}
	if p.ModelID.Set {
		if p.ModelID.Value == nil {
			return a, Invalid("modelId", "model cannot be removed")
		}
		a.ModelID = *p.ModelID.Value
	}
	return a, nil
}

// ChecksModel reports whether the patch changes what the model decides: the
// model itself, or custom fields, which its category's definitions check.
func (p AssetPatch) ChecksModel() bool {
	return p.ModelID.Set || p.CustomFields.Set || p.CustomFieldsPatch != nil
}

// CustomFieldsField is the input field custom field errors name: the patch
// when one is given, else customFields.
func (p AssetPatch) CustomFieldsField() string {
	if p.CustomFieldsPatch != nil {
		return "customFieldsPatch"
	}
	return "customFields"
}

// ChecksDepreciation reports whether the patch changes what decides whether
// the asset's own depreciation profile fits it: the profile or the price.
func (p AssetPatch) ChecksDepreciation() bool {
	return p.DepreciationProfileID.Set || p.PurchasePrice.Set
}

// Patch applies an optional change to a nullable field: set means replace
// (nil clears), unset leaves it.
func Patch[T any](dst **T, o Optional[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// PatchText applies an optional change to an optional text field, trimmed;
// blank clears it.
func PatchText(dst **string, o Optional[string]) {
	if o.Set {
		*dst = Trimmed(o.Value)
	}
}

// CheckGrouping checks assetCounts' dimensions: each known, none twice
// (a repeated one would only duplicate a column of every group's key).
func CheckGrouping(groupBy []AssetGroupBy) error {
	for i, g := range groupBy {
		if !slices.Contains(AssetGroupBys, g) {
			return Invalid(fmt.Sprintf("groupBy[%d]", i), "cannot group by %q", g)
		}
		if slices.Contains(groupBy[:i], g) {
			return Invalid(fmt.Sprintf("groupBy[%d]", i), "%s is listed twice", g)
		}
	}
	return nil
}
