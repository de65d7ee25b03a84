package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/relay"
)

// Bulk mutations (schema/bulk.graphqls): read the selection and the change,
// hand them to the store, and answer item by item. The rules are
// itam.BulkSelection's and each single-item mutation's.

// setBulkComplexity prices a bulk mutation by its items: the answer's cost
// once per id, or per itam.MaxBulkItems for a filter (which may match that
// many), plus the filter's conditions; so a caller's budget refuses a call
// whose answer would be too large before anything is changed.
func setBulkComplexity(c *generated.ComplexityRoot) {
	type af = *model.AssetFilter
	c.Mutation.BulkUpdateAssets = func(child int, ids []string, f af, _ model.BulkAssetPatch, _ *bool) int {
		return bulkCost(child, ids, f)
	}
	c.Mutation.BulkTransitionAssets = func(child int, ids []string, f af, _ itam.AssetStatus, _ *bool) int {
		return bulkCost(child, ids, f)
	}
	c.Mutation.BulkAssignAssets = func(child int, ids []string, f af, _ model.BulkAssignInput, _ *bool) int {
		return bulkCost(child, ids, f)
	}
	c.Mutation.BulkAssignLicenseSeats = func(child int, _ string, ids []string, f af, _ *bool) int {
		return bulkCost(child, ids, f)
	}
}

func bulkCost(child int, ids []string, filter *model.AssetFilter) int {
	n := len(ids)
	if filter != nil {
		n = itam.MaxBulkItems
	}
	return addCost(addCost(1, mulCost(child, n)), FilterLeafCost*filterLeaves(filter, itam.MaxFilterLeaves+1))
}

// bulkSelection reads ids (each of one of types; people marks those of
// Person) or filter. A malformed id fails the call (BAD_USER_INPUT,
// field ids[i]): the caller sent a bad list, not a bad item.
func bulkSelection(ids []string, filter *model.AssetFilter, types ...string) (itam.BulkSelection, map[uuid.UUID]bool, error) {
	sel := itam.BulkSelection{HasIDs: ids != nil}
	var err error
	if sel.Filter, err = assetFilter(filter, "filter"); err != nil {
		return sel, nil, err
	}
	if len(ids) > itam.MaxBulkItems {
		// Refused by count before a million ids are decoded.
		sel.IDs = make([]uuid.UUID, len(ids))
		return sel, nil, sel.Check()
	}
	people := map[uuid.UUID]bool{}
	sel.IDs = make([]uuid.UUID, len(ids))
	for i, g := range ids {
		typ, id, err := relay.Decode(fmt.Sprintf("ids[%d]", i), g, types...)
		if err != nil {
			return sel, nil, err
		}
		sel.IDs[i] = id
		if typ == relay.TypePerson {
			people[id] = true
		}
	}
	return sel, people, nil
}

// bulkPatch reads a BulkAssetPatch with updateAssetInput's rules, as the
// patch of an updateAsset whose id and version the bulk store ignores.
func bulkPatch(in model.BulkAssetPatch) (itam.AssetPatch, error) {
	if err := checkInput("patch", in); err != nil {
		return itam.AssetPatch{}, err
	}
	p, err := updateAssetInput(model.UpdateAssetInput{
		ID: relay.ID(relay.TypeAsset, uuid.Nil), Name: in.Name, ModelID: in.ModelID, Condition: in.Condition,
		OwnerID: in.OwnerID, LocationID: in.LocationID, PurchaseDate: in.PurchaseDate, PurchasePrice: in.PurchasePrice,
		SupplierID: in.SupplierID, OrderNumber: in.OrderNumber, InvoiceNumber: in.InvoiceNumber,
		WarrantyEnd: in.WarrantyEnd, EndOfLife: in.EndOfLife, Notes: in.Notes, CustomFields: in.CustomFields,
		CustomFieldsPatch: in.CustomFieldsPatch, DepreciationProfileID: in.DepreciationProfileID, InServiceDate: in.InServiceDate,
	})
	return p, under("patch", err)
}

// under names an input error's field below the argument it came from
// (patch.modelId), the single mutation's conversion having named it
// relative to its own input.
func under(arg string, err error) error {
	var e *itam.Error
	if errors.As(err, &e) && e.Field != "" {
		return &itam.Error{Code: e.Code, Field: arg + "." + e.Field, Message: e.Message}
	}
	return err
}

// bulkAssignRequest reads a BulkAssignInput as assignAsset reads its
// input, for an asset the bulk store supplies item by item.
func bulkAssignRequest(in model.BulkAssignInput) (lifecycle.AssignRequest, error) {
	if err := checkInput("assignee", in); err != nil {
		return lifecycle.AssignRequest{}, err
	}
	_, req, err := assignRequest(model.AssignAssetInput{ID: relay.ID(relay.TypeAsset, uuid.Nil), AssigneeID: in.AssigneeID,
		Reassign: in.Reassign, LocationID: in.LocationID, ExpectedReturnDate: in.ExpectedReturnDate,
		RequireAcceptance: in.RequireAcceptance})
	return req, under("assignee", err)
}

// bulkItemError is a refused item's error as extensions would carry it.
func bulkItemError(e *itam.Error) *model.BulkItemError {
	if e == nil {
		return nil
	}
	out := &model.BulkItemError{Code: string(e.Code), Message: e.Message}
	if e.Field != "" {
		out.Field = &e.Field
	}
	return out
}

// bulkAssetResult answers a bulk asset change: each changed asset with the
// relations items.asset selects, read for all of them at once.
func (r *Resolver) bulkAssetResult(ctx context.Context) func(itam.BulkResult[*itam.Asset], error) (*model.BulkAssetResult, error) {
	return func(res itam.BulkResult[*itam.Asset], err error) (*model.BulkAssetResult, error) {
		if err != nil {
			return nil, err
		}
		changed := make([]*itam.Asset, 0, len(res.Items))
		for _, it := range res.Items {
			if it.Value != nil {
				changed = append(changed, it.Value)
			}
		}
		nodes, err := r.assetNodesByID(ctx, changed, fieldSelection(ctx)["items"]["asset"])
		if err != nil {
			return nil, err
		}
		out := &model.BulkAssetResult{Succeeded: res.Succeeded(), Failed: res.Failed(), Applied: res.Applied,
			Items: make([]*model.BulkAssetItemResult, len(res.Items))}
		for i, it := range res.Items {
			item := &model.BulkAssetItemResult{ID: relay.ID(relay.TypeAsset, it.ID), Error: bulkItemError(it.Err)}
			if it.Value != nil {
				item.Asset = nodes[it.ID]
			}
			out.Items[i] = item
		}
		return out, nil
	}
}

// bulkSeatResult answers bulkAssignLicenseSeats; people marks the holders
// that are people (the others are assets).
func bulkSeatResult(res itam.BulkResult[*licenses.Seat], people map[uuid.UUID]bool, err error) (*model.BulkLicenseSeatResult, error) {
	if err != nil {
		return nil, err
	}
	out := &model.BulkLicenseSeatResult{Succeeded: res.Succeeded(), Failed: res.Failed(), Applied: res.Applied,
		Items: make([]*model.BulkLicenseSeatItemResult, len(res.Items))}
	for i, it := range res.Items {
		typ := relay.TypeAsset
		if people[it.ID] {
			typ = relay.TypePerson
		}
		out.Items[i] = &model.BulkLicenseSeatItemResult{ID: relay.ID(typ, it.ID), Seat: it.Value, Error: bulkItemError(it.Err)}
	}
	return out, nil
}

// isSet reads an optional Boolean argument with a false default.
func isSet(b *bool) bool { return b != nil && *b }
