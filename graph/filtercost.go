package graph

import (
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
)

// FilterLeafCost is what each condition of an asset filter adds to a
// query's complexity: every one becomes a predicate PostgreSQL evaluates per
// row, so a filter-heavy connection nested in a list is refused before it
// runs, like a large page is.
const FilterLeafCost = 20

// assetsCost prices an assets connection: its page, plus its filter.
func assetsCost(child int, first, last *int, filter *model.AssetFilter) int {
	return pageCost(child, first, last) + FilterLeafCost*filterLeaves(filter, itam.MaxFilterLeaves+1)
}

// filterLeaves counts the conditions of a filter tree (an object with no
// condition and no nested filter counts as one), stopping once the count
// passes limit: past it the filter is refused anyway, and the count stays
// cheap for a filter built to be expensive.
func filterLeaves(in *model.AssetFilter, limit int) int {
	if in == nil {
		return 0
	}
	n := filterConditions(in)
	subs := 0
	for _, list := range [][]*model.AssetFilter{in.And.Value(), in.Or.Value(), {in.Not.Value()}} {
		for _, s := range list {
			if n > limit {
				return n
			}
			if s != nil {
				subs++
				n += filterLeaves(s, limit-n)
			}
		}
	}
	if n == 0 && subs == 0 {
		return 1
	}
	return n
}

// setCount counts the filter conditions that are set: each is priced as
// one condition (FilterLeafCost).
func setCount(set ...bool) int {
	n := 0
	for _, s := range set {
		if s {
			n++
		}
	}
	return n
}

// filterConditions counts the conditions one filter object sets itself.
func filterConditions(in *model.AssetFilter) int {
	return setCount(in.StatusIn.Value() != nil, in.CategoryIds.Value() != nil, in.ModelIds.Value() != nil,
		in.ManufacturerIds.Value() != nil, in.LocationIds.Value() != nil, in.AssigneeIds.Value() != nil,
		in.OwnerIds.Value() != nil, in.SupplierIds.Value() != nil, in.Search.Value() != nil,
		in.PurchasedAfter.Value() != nil, in.PurchasedBefore.Value() != nil, in.WarrantyExpiresBefore.Value() != nil,
		in.Unassigned.Value() != nil, in.Stale.Value() != nil, in.CustomFields.Value() != nil)
}
