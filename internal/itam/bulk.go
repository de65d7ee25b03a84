package itam

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Bulk changes (bulkUpdateAssets, bulkTransitionAssets, bulkAssignAssets,
// bulkAssignLicenseSeats) apply one change to many assets or holders. Each
// item goes through the same rules and store path as its single-item
// mutation; these are the rules of the call around them.

// MaxBulkItems bounds the items of one bulk call. Every item is a few
// statements in one transaction holding its rows' locks, so the bound
// keeps a call within the statement timeout and the locks short; the query
// cost counts every item as well, so a caller's budget limits it first
// when each item's answer is large.
const MaxBulkItems = 1000

// BulkSelection is what a bulk change applies to: exactly one of IDs (in
// the caller's order) and Filter (the assets it matches, in asset tag
// order). HasIDs tells "ids: []" (no items) from no ids at all.
type BulkSelection struct {
	IDs    []uuid.UUID
	HasIDs bool
	Filter *AssetFilter
}

// Check refuses a selection that is not exactly one of ids and filter, ids
// over MaxBulkItems, and an id listed twice (the second change would
// report on the first one's result, not on the asset as the caller read it).
func (s BulkSelection) Check() error {
	switch {
	case s.HasIDs && s.Filter != nil:
		return Invalid("filter", "give ids or filter, not both")
	case !s.HasIDs && s.Filter == nil:
		return Invalid("ids", "give the ids of the items to change, or a filter selecting them")
	}
	if len(s.IDs) > MaxBulkItems {
		return Invalid("ids", "%d ids given; at most %d per call: split the change", len(s.IDs), MaxBulkItems)
	}
	seen := make(map[uuid.UUID]int, len(s.IDs))
	for i, id := range s.IDs {
		if first, dup := seen[id]; dup {
			return Invalid(fmt.Sprintf("ids[%d]", i), "the same id as ids[%d]; list each item once", first)
		}
		seen[id] = i
	}
	return nil
}

// CheckBulkMatches refuses a filter that matches more than MaxBulkItems
// assets, naming how many it matched, before anything is changed.
func CheckBulkMatches(n int) error {
	if n > MaxBulkItems {
		return Invalid("filter", "the filter matches %d items; at most %d per call: narrow the filter or split the change", n, MaxBulkItems)
	}
	return nil
}

// BulkItem is one item's outcome: the changed value, or the item's own
// refusal. ID is the item's asset (or holder) id.
type BulkItem[T any] struct {
	ID    uuid.UUID
	Value T
	Err   *Error
}

// BulkResult is the outcome of a bulk call, item by item in the selection's
// order. Applied says whether the successful items were written: a call is
// all-or-nothing unless partial, so one refused item leaves every item
// unwritten (Applied false), and the items without Err are the ones that
// would have succeeded.
type BulkResult[T any] struct {
	Items   []BulkItem[T]
	Applied bool
}

// Succeeded counts the items without an error: written when Applied, else
// the ones that passed every check.
func (r BulkResult[T]) Succeeded() int { return len(r.Items) - r.Failed() }

// Failed counts the refused items.
func (r BulkResult[T]) Failed() int {
	n := 0
	for _, it := range r.Items {
		if it.Err != nil {
			n++
		}
	}
	return n
}

// Settle decides whether the call's changes are kept: always with partial,
// otherwise only when no item failed. When they are not, every value is
// dropped, since none of them was written; the caller then rolls back.
func (r *BulkResult[T]) Settle(partial bool) bool {
	r.Applied = partial || r.Failed() == 0
	if !r.Applied {
		var zero T
		for i := range r.Items {
			r.Items[i].Value = zero
		}
	}
	return r.Applied
}

// BulkItemError reports whether err is an item's own refusal (bad input,
// an unknown or invisible id, a conflict, a refused move), which the
// result reports next to the item's id while the other items go on; any
// other error (the database failing, the statement timeout, a missing
// caller) fails the whole call, and nothing is written.
func BulkItemError(err error) (*Error, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return nil, false
	}
	switch e.Code {
	case CodeInvalid, CodeNotFound, CodeConflict:
		return e, true
	}
	return nil, false
}

// CheckBulkPatch refuses, in a patch applied to many assets, the fields
// unique per asset: one tag or serial number on several assets can only
// clash.
func CheckBulkPatch(p AssetPatch) error {
	switch {
	case p.AssetTag.Set:
		return Invalid("patch.assetTag", "an asset tag is unique per asset: change it with updateAsset")
	case p.SerialNumber.Set:
		return Invalid("patch.serialNumber", "a serial number is unique per asset: change it with updateAsset")
	}
	return nil
}
