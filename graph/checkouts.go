package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/relay"
)

// Checkouts in GraphQL (graph/schema/checkouts.graphqls). Every list of
// checkouts (overdueCheckouts, Asset.checkouts, Asset.currentCheckout,
// myPendingAcceptances) records what its checkouts will resolve below them
// (checkoutSiblings), so a page's assets load with their relations in one
// batch and its people and locations in one more, whatever the page size.

// checkoutAssetsOf suffixes the path of a list of checkouts to name the set
// of their assets (recorded by the list, read by checkoutAsset).
const checkoutAssetsOf = "#assets"

// checkoutSiblings records the assets of the checkouts a list at path
// resolved and, when the list selects assignees, enqueues their people and
// locations together.
func checkoutSiblings(ctx context.Context, path string, cs []*lifecycle.Checkout, assignees bool) {
	var assets, people, places []uuid.UUID
	for _, c := range cs {
		if c == nil {
			continue
		}
		assets = append(assets, c.AssetID)
		people, places = appendID(people, c.PersonID), appendID(places, c.LocationID)
	}
	assets = distinctIDs(assets)
	for _, under := range []string{"", ".nodes", ".edges.node"} {
		loaders.Siblings(ctx, path+under+checkoutAssetsOf, assets)
	}
	if !assignees {
		return
	}
	l := loaders.For(ctx)
	if len(people) > 0 {
		l.Person.LoadAllThunk(ctx, distinctIDs(people))
	}
	if len(places) > 0 {
		l.Location.LoadAllThunk(ctx, distinctIDs(places))
	}
}

// checkoutAsset is AssetCheckout.asset with the relations it selects,
// batched over the assets of every checkout of its list.
func (r *Resolver) checkoutAsset(ctx context.Context, asset uuid.UUID) (*model.Asset, error) {
	key, parentPath := nestedKey(ctx)
	sel := fieldSelection(ctx)
	return loaders.Nested(ctx, key, parentPath+checkoutAssetsOf, asset, func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*model.Asset, error) {
		found, err := r.AssetStore.AssetsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		list := make([]*itam.Asset, 0, len(found))
		for _, a := range found {
			list = append(list, a)
		}
		return r.assetNodesByID(ctx, list, sel)
	})
}

// checkoutAssignee is AssetCheckout.assignee: the person or location,
// null when the caller may not see it.
func checkoutAssignee(ctx context.Context, c *lifecycle.Checkout) (model.Assignee, error) {
	l := loaders.For(ctx)
	if c.PersonID != nil {
		p, err := l.Person.Load(ctx, *c.PersonID)
		if err != nil || p == nil {
			return nil, err
		}
		return p, nil
	}
	if c.LocationID != nil {
		loc, err := l.Location.Load(ctx, *c.LocationID)
		if err != nil || loc == nil {
			return nil, err
		}
		return loc, nil
	}
	return nil, nil
}

// currentCheckout is Asset.currentCheckout, batched over the assets of the
// request's list.
func (r *Resolver) currentCheckout(ctx context.Context, asset uuid.UUID) (*lifecycle.Checkout, error) {
	key, parentPath := nestedKey(ctx)
	path := fieldPath(ctx)
	assignees := fieldSelection(ctx).has("assignee")
	return loaders.Nested(ctx, key, parentPath, asset, func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*lifecycle.Checkout, error) {
		m, err := r.Checkouts.CurrentCheckouts(ctx, ids)
		if err != nil {
			return nil, err
		}
		list := make([]*lifecycle.Checkout, 0, len(m))
		for _, c := range m {
			list = append(list, c)
		}
		checkoutSiblings(ctx, path, list, assignees)
		return m, nil
	})
}

// assetCheckouts is Asset.checkouts, batched over the assets of the
// request's list (see nested.go).
func (r *Resolver) assetCheckouts(ctx context.Context, asset uuid.UUID, p itam.PageArgs) (*model.AssetCheckoutConnection, error) {
	path := fieldPath(ctx)
	assignees := nodeSelection(ctx).has("assignee")
	return nestedConnection(ctx, asset, func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]itam.Page[*lifecycle.Checkout], error) {
		pages, err := r.Checkouts.CheckoutsOf(ctx, ids, p)
		if err != nil {
			return nil, err
		}
		var all []*lifecycle.Checkout
		for _, pg := range pages {
			all = append(all, pg.Items...)
		}
		checkoutSiblings(ctx, path, all, assignees)
		return pages, nil
	}, r.Checkouts.CountCheckoutsOf)
}

// overdueFilter reads overdueCheckouts' filter.
func overdueFilter(in *model.OverdueCheckoutFilter) (lifecycle.OverdueFilter, error) {
	var f lifecycle.OverdueFilter
	if in == nil {
		return f, nil
	}
	if ids := in.AssigneeIds.Value(); ids != nil {
		f.Assignees = make([]uuid.UUID, len(ids))
		for i, g := range ids {
			_, id, err := relay.Decode("filter.assigneeIds", g, relay.TypePerson, relay.TypeLocation)
			if err != nil {
				return f, err
			}
			f.Assignees[i] = id
		}
	}
	f.MinDaysOverdue = in.MinDaysOverdue.Value()
	return f, nil
}

// assignRequest reads assignAsset's input.
func assignRequest(in model.AssignAssetInput) (uuid.UUID, lifecycle.AssignRequest, error) {
	id, err := relay.DecodeAs("id", in.ID, relay.TypeAsset)
	if err != nil {
		return id, lifecycle.AssignRequest{}, err
	}
	to, err := assigneeOf("assigneeId", in.AssigneeID)
	if err != nil {
		return id, lifecycle.AssignRequest{}, err
	}
	loc, err := idOf("locationId", in.LocationID, relay.TypeLocation)
	if err != nil {
		return id, lifecycle.AssignRequest{}, err
	}
	req := lifecycle.AssignRequest{To: to, LocationID: loc, ExpectedReturn: val(in.ExpectedReturnDate)}
	if v := val(in.Reassign); v != nil {
		req.Reassign = *v
	}
	if v := val(in.RequireAcceptance); v != nil {
		req.RequireAcceptance = *v
	}
	return id, req, nil
}

// checkoutPayload answers a checkout mutation with the asset (its
// relations as selected) and the checkout.
func (r *Resolver) checkoutPayload(ctx context.Context, a *itam.Asset, c *lifecycle.Checkout) (*model.CheckoutPayload, error) {
	n, err := r.assetNode(ctx, a, fieldSelection(ctx)["asset"])
	if err != nil {
		return nil, err
	}
	return &model.CheckoutPayload{Asset: n, Checkout: c}, nil
}

// setCheckoutComplexity prices the checkout lists by their page size;
// overdueCheckouts' filter conditions count like an asset filter's.
func setCheckoutComplexity(c *generated.ComplexityRoot) {
	c.Query.OverdueCheckouts = func(child int, first *int, _ *string, last *int, _ *string, f *model.OverdueCheckoutFilter) int {
		n := 0
		if f != nil {
			n = setCount(f.AssigneeIds.Value() != nil, f.MinDaysOverdue.Value() != nil)
		}
		return pageCost(child, first, last) + FilterLeafCost*n
	}
	c.Asset.Checkouts = connectionCost
	c.Query.MyPendingAcceptances = func(child int) int { return addCost(1, mulCost(child, itam.MaxListItems)) }
}
