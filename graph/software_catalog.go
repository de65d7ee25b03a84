package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// Helpers of graph/software.resolvers.go (kept out of it: gqlgen moves
// non-resolver code out of resolver files when it regenerates).

// catalog is the request's catalog loaders.
func (r *Resolver) catalog(ctx context.Context) *loaders.CatalogLoaders {
	return loaders.For(ctx).SoftwareCatalog(r.SoftwareCatalog)
}

// productInstallations is SoftwareProduct.installations, batched over every
// product the request resolves it on (see nested.go): a page of products
// costs the same round trips whatever its size. The installations' assets
// and products are queued for all of them at once too.
func (r *Resolver) productInstallations(ctx context.Context, product uuid.UUID, p itam.PageArgs) (*model.SoftwareInstallationConnection, error) {
	path, sel := fieldPath(ctx), nodeSelection(ctx)
	return nestedConnection(ctx, product, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*software.Installation], error) {
		pages, err := r.SoftwareCatalog.InstallationsOf(ctx, parents, p)
		if err != nil {
			return nil, err
		}
		var all []*software.Installation
		for _, id := range parents {
			all = append(all, pages[id].Items...)
		}
		r.prefetchInstallations(ctx, path, sel, all)
		return pages, nil
	}, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]int, error) {
		return r.SoftwareCatalog.CountInstallationsOf(ctx, parents)
	})
}

// prefetchInstallations prepares what sel (the selection on each
// installation at path) asks of a list of installations: their assets are
// recorded as siblings so installationAsset reads them (with their
// relations) in one batch, and their products are queued in one load.
func (r *Resolver) prefetchInstallations(ctx context.Context, path string, sel selection, xs []*software.Installation) {
	if sel.has("asset") {
		assets := make([]uuid.UUID, len(xs))
		for i, x := range xs {
			assets[i] = x.AssetID
		}
		loaders.Siblings(ctx, path, distinctIDs(assets))
	}
	if sel.has("product") {
		var products []uuid.UUID
		for _, x := range xs {
			products = appendID(products, x.ProductID)
		}
		r.catalog(ctx).Product.LoadAllThunk(ctx, products)
	}
	if _, err := software.RequireRuleRead(ctx); err == nil && sel.has("matchedBy") {
		var rules []uuid.UUID
		for _, x := range xs {
			rules = appendID(rules, x.RuleID)
		}
		loaders.For(ctx).SoftwareRules(r.SoftwareRules).Rule.LoadAllThunk(ctx, rules)
	}
}

// assetSoftware is Asset.software: every asset of the page at once (its
// siblings), current installations or, with ended, all of them; what the
// installations select (asset, product, matchedBy) is queued for all of
// them in the same pass, so the round trips do not depend on the page size
// nor on how a busy machine schedules the resolvers.
func (r *Resolver) assetSoftware(ctx context.Context, asset uuid.UUID, ended bool) ([]*software.Installation, error) {
	key, parentPath := nestedKey(ctx)
	if ended {
		key += "#ended"
	}
	path, sel := fieldPath(ctx), fieldSelection(ctx)
	fetch := r.ProvenanceStore.SoftwareByAssetIDs
	if ended {
		fetch = r.SoftwareRules.InstallationHistoryByAssetIDs
	}
	sw, err := loaders.Nested(ctx, key, parentPath, asset, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID][]*software.Installation, error) {
		m, err := fetch(ctx, parents)
		if err != nil {
			return nil, err
		}
		out := make(map[uuid.UUID][]*software.Installation, len(m))
		var all []*software.Installation
		for id, xs := range m {
			out[id] = ptrs(xs)
			all = append(all, out[id]...)
		}
		r.prefetchInstallations(ctx, path, sel, all)
		return out, nil
	})
	return sw, err
}

// installationAsset is SoftwareInstallation.asset: the assets of every
// installation a list resolved are read at once, with the relations the
// query selects on them (assetNodes), so a page of installations costs the
// same whatever its size. An asset the caller may not see is NOT_FOUND:
// the field is not nullable, and an EMPLOYEE only lists installations on
// their own devices, so that happens only when an assignment changes
// under the request.
func (r *Resolver) installationAsset(ctx context.Context, asset uuid.UUID) (*model.Asset, error) {
	key, parentPath := nestedKey(ctx)
	sel := fieldSelection(ctx)
	a, err := loaders.Nested(ctx, key, parentPath, asset, func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*model.Asset, error) {
		return r.loadAssetNodes(ctx, ids, sel)
	})
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, itam.NotFound("asset")
	}
	return a, nil
}

// editionsArg turns the editions input into the domain's Optional:
// absent keeps them, null or [] clears them.
func editionsArg(o graphql.Omittable[[]string]) itam.Optional[[]string] {
	v, set := o.ValueOK()
	if !set {
		return itam.Optional[[]string]{}
	}
	return itam.Optional[[]string]{Set: true, Value: &v}
}

func productID(x *software.Product) uuid.UUID { return x.ID }
