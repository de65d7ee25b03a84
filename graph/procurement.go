package graph

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/procurement"
	"github.com/itam-dev/itam/internal/relay"
)

// Adapters for purchase orders (helpers of graph/procurement.resolvers.go).
// They translate; the rules are internal/procurement's, applied by
// postgres.PurchaseOrderStore.

func purchaseOrderID(o *procurement.Order) uuid.UUID { return o.ID }

// purchaseOrderNode loads an order for node(id:) through the request's
// batching loader: nil when missing, FORBIDDEN for an EMPLOYEE (node(id:)
// shows both as null).
func (r *Resolver) purchaseOrderNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return thunk(ctx, loaders.For(ctx).Procurement(r.PurchaseOrders).Order.LoadThunk(ctx, id))
}

// purchaseOrderLineNode is purchaseOrderNode for a line.
func (r *Resolver) purchaseOrderLineNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return thunk(ctx, loaders.For(ctx).Procurement(r.PurchaseOrders).Line.LoadThunk(ctx, id))
}

// poLinesInput reads a list of lines: ids decoded (a malformed id or one
// of another type is NOT_FOUND naming lines[i].modelId).
func poLinesInput(in []*model.PurchaseOrderLineInput) ([]procurement.LineInput, error) {
	out := make([]procurement.LineInput, len(in))
	for i, l := range in {
		id, err := relay.DecodeAs(fmt.Sprintf("lines[%d].modelId", i), l.ModelID, relay.TypeModel)
		if err != nil {
			return nil, err
		}
		out[i] = procurement.LineInput{ModelID: id, Quantity: l.Quantity}
		if l.UnitPrice != nil {
			out[i].UnitPrice = *l.UnitPrice
		}
	}
	return out, nil
}

// purchaseOrderInput reads createPurchaseOrder's input.
func purchaseOrderInput(in model.CreatePurchaseOrderInput) (procurement.Input, error) {
	supplier, err := relay.DecodeAs("supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return procurement.Input{}, err
	}
	lines, err := poLinesInput(in.Lines)
	if err != nil {
		return procurement.Input{}, err
	}
	return procurement.Input{SupplierID: supplier, OrderNumber: in.OrderNumber, OrderDate: in.OrderDate,
		ExpectedDelivery: val(in.ExpectedDelivery), Currency: in.Currency, Notes: val(in.Notes), Lines: lines}, nil
}

// purchaseOrderPatch reads updatePurchaseOrder's input: absent stays; null
// clears expectedDelivery and notes and is ignored elsewhere.
func purchaseOrderPatch(in model.UpdatePurchaseOrderInput) (procurement.Patch, error) {
	id, err := relay.DecodeAs("id", in.ID, relay.TypePurchaseOrder)
	if err != nil {
		return procurement.Patch{}, err
	}
	supplier, err := idOf("supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return procurement.Patch{}, err
	}
	p := procurement.Patch{ID: id, Version: in.Version, SupplierID: supplier, OrderNumber: val(in.OrderNumber),
		OrderDate: val(in.OrderDate), ExpectedDelivery: opt(in.ExpectedDelivery), Currency: val(in.Currency), Notes: opt(in.Notes)}
	if v := in.Lines.Value(); v != nil {
		lines, err := poLinesInput(v)
		if err != nil {
			return p, err
		}
		p.Lines = &lines
	}
	return p, nil
}

func purchaseOrderPayload(o *procurement.Order, err error) (*model.PurchaseOrderPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.PurchaseOrderPayload{PurchaseOrder: o}, nil
}

// receiveInput reads receivePurchaseOrderLine's input.
func receiveInput(in model.ReceivePurchaseOrderLineInput) (line, location uuid.UUID, items []procurement.ReceiptItem, err error) {
	if line, err = relay.DecodeAs("lineId", in.LineID, relay.TypePurchaseOrderLine); err != nil {
		return
	}
	if location, err = relay.DecodeAs("locationId", in.LocationID, relay.TypeLocation); err != nil {
		return
	}
	items = make([]procurement.ReceiptItem, len(in.Items))
	for i, it := range in.Items {
		items[i] = procurement.ReceiptItem{SerialNumber: it.SerialNumber, AssetTag: val(it.AssetTag)}
	}
	return
}

// receivePayload answers receivePurchaseOrderLine, the assets with the
// relations the payload selects.
func (r *Resolver) receivePayload(ctx context.Context, rc *postgres.Receipt, err error) (*model.ReceivePurchaseOrderLinePayload, error) {
	if err != nil {
		return nil, err
	}
	nodes, err := r.assetNodes(ctx, rc.Assets, fieldSelection(ctx)["assets"])
	if err != nil {
		return nil, err
	}
	line := rc.Line
	return &model.ReceivePurchaseOrderLinePayload{PurchaseOrder: rc.Order, Line: &line, Assets: nodes}, nil
}

// purchaseOrderFilter reads the purchaseOrders filter.
func purchaseOrderFilter(in *model.PurchaseOrderFilter) (procurement.Filter, error) {
	if in == nil {
		return procurement.Filter{}, nil
	}
	if err := checkListFilter(in, in.Search.Value()); err != nil {
		return procurement.Filter{}, err
	}
	supplier, err := idOf("filter.supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return procurement.Filter{}, err
	}
	f := procurement.Filter{Statuses: in.Status.Value(), SupplierID: supplier, Search: val(in.Search),
		OrderedAfter: val(in.OrderedAfter), OrderedBefore: val(in.OrderedBefore)}
	return f, f.Validate()
}

// poLineSiblings records the lines of a page of orders as siblings, so
// each line's assets batch over all of them (the lines hang off each
// order's own list, which would record only its own).
func poLineSiblings(ctx context.Context, path string, orders []*procurement.Order) {
	var ids []uuid.UUID
	for _, o := range orders {
		for _, l := range o.Lines {
			ids = append(ids, l.ID)
		}
	}
	for _, p := range []string{path + ".lines", path + ".nodes.lines", path + ".edges.node.lines"} {
		loaders.Siblings(ctx, p, ids)
	}
}

// lineAssets is PurchaseOrderLine.assets, batched over the lines of the
// request, with the assets' relations in one assetNodes call.
func (r *Resolver) lineAssets(ctx context.Context, line uuid.UUID, p itam.PageArgs) (*model.AssetConnection, error) {
	return r.assetConnectionOf(ctx, line, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*itam.Asset], error) {
		return r.PurchaseOrders.AssetsOfLines(ctx, parents, p)
	}, r.PurchaseOrders.CountAssetsOfLines)
}

// purchaseOrderHistory is PurchaseOrder.history, batched over the orders
// of the request.
func (r *Resolver) purchaseOrderHistory(ctx context.Context, order uuid.UUID, p itam.PageArgs) (*model.PurchaseOrderHistoryConnection, error) {
	return nestedConnection(ctx, order, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[procurement.HistoryEntry], error) {
		return r.PurchaseOrders.HistoriesOf(ctx, parents, p)
	}, r.PurchaseOrders.CountHistoriesOf)
}

// setProcurementComplexity prices purchase orders: the list by page size
// plus each filter condition, an order's lines as a default page (there
// are at most 100), and the lines' assets and the history as connections.
func setProcurementComplexity(c *generated.ComplexityRoot) {
	c.Query.PurchaseOrders = func(child int, first *int, _ *string, last *int, _ *string, f *model.PurchaseOrderFilter) int {
		return pageCost(child, first, last) + FilterLeafCost*purchaseOrderFilterLeaves(f)
	}
	c.PurchaseOrder.Lines = func(child int) int { return pageCost(child, nil, nil) }
	c.PurchaseOrder.History, c.PurchaseOrderLine.Assets = connectionCost, connectionCost
}

// purchaseOrderFilterLeaves counts the conditions a purchaseOrders filter sets.
func purchaseOrderFilterLeaves(in *model.PurchaseOrderFilter) int {
	if in == nil {
		return 0
	}
	return setCount(in.Status.Value() != nil, in.SupplierID.Value() != nil, in.Search.Value() != nil,
		in.OrderedAfter.Value() != nil, in.OrderedBefore.Value() != nil)
}

// receiveLists bounds a delivery's items by a line's largest quantity
// rather than the usual 100 (the domain bounds them by what remains).
var receiveLists = map[string]int{"items": procurement.MaxQuantity}
