package graph

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// loadNodes resolves global ids through the request's loaders, so nodes(ids:)
// costs one query per type however many ids it names; assets, models and
// sync conflicts get their relations in one assetNodes, modelNodes and
// conflictNodes call for all of them. Every type implementing Node has a
// case here (TestNodeResolvesEveryNodeType walks the schema to keep it so).
// An id that is malformed, unknown or belongs to another organization
// resolves to null: RLS hides other tenants' rows, and null is
// indistinguishable from absent.
func (r *Resolver) loadNodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > itam.MaxPageSize {
		// One request lists at most a page: 150,000 repeated ids made a 14 MB answer.
		return nil, itam.Invalid("ids", "at most %d ids per request, got %d", itam.MaxPageSize, len(ids))
	}
	if _, err := itam.RequirePrincipal(ctx); err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	out := make([]model.Node, len(ids))
	// The objects' own nested connections (an asset's history, a person's
	// assets) batch over all of them.
	decoded := make([]uuid.UUID, 0, len(ids))
	for _, g := range ids {
		if _, id, ok := relay.Parse(g); ok {
			decoded = append(decoded, id)
		}
	}
	loaders.Siblings(ctx, fieldPath(ctx), decoded)
	var (
		others    queued[any]
		assets    queued[*itam.Asset]
		models    queued[*itam.Model]
		conflicts queued[*itam.SyncConflict]
	)
	for i, g := range ids {
		typ, id, ok := relay.Parse(g)
		if !ok {
			continue
		}
		switch typ {
		case relay.TypeAsset:
			assets.add(i, l.Asset.LoadThunk(ctx, id))
		case relay.TypeModel:
			models.add(i, l.Model.LoadThunk(ctx, id))
		case relay.TypePerson:
			others.add(i, thunk(ctx, l.Person.LoadThunk(ctx, id)))
		case relay.TypeTeam:
			others.add(i, thunk(ctx, l.Team.LoadThunk(ctx, id)))
		case relay.TypeLocation:
			others.add(i, thunk(ctx, l.Location.LoadThunk(ctx, id)))
		case relay.TypeManufacturer:
			others.add(i, thunk(ctx, l.Manufacturer.LoadThunk(ctx, id)))
		case relay.TypeCategory:
			others.add(i, thunk(ctx, l.Category.LoadThunk(ctx, id)))
		case relay.TypeSupplier:
			others.add(i, thunk(ctx, l.Supplier.LoadThunk(ctx, id)))
		case relay.TypeOrganization:
			others.add(i, r.orgNode(ctx, id))
		case relay.TypeConnector:
			others.add(i, thunk(ctx, l.Connectors(r.Connectors).Connector.LoadThunk(ctx, id)))
		case relay.TypeSyncRun:
			others.add(i, thunk(ctx, l.Connectors(r.Connectors).SyncRun.LoadThunk(ctx, id)))
		case relay.TypeAuditCampaign:
			others.add(i, r.campaignNode(ctx, id))
		case relay.TypeLicense:
			others.add(i, thunk(ctx, l.Licenses(r.LicenseStore).License.LoadThunk(ctx, id)))
		case relay.TypeLicenseSeat:
			others.add(i, thunk(ctx, l.Licenses(r.LicenseStore).Seat.LoadThunk(ctx, id)))
		case relay.TypeSyncConflict:
			conflicts.add(i, l.SyncConflict.LoadThunk(ctx, id))
		case relay.TypeSoftwarePublisher:
			others.add(i, thunk(ctx, r.catalog(ctx).Publisher.LoadThunk(ctx, id)))
		case relay.TypeSoftwareProduct:
			others.add(i, thunk(ctx, r.catalog(ctx).Product.LoadThunk(ctx, id)))
		case relay.TypeSoftwareTitleRule:
			others.add(i, thunk(ctx, l.SoftwareRules(r.SoftwareRules).Rule.LoadThunk(ctx, id)))
		case relay.TypeSoftwareNormalizationRun:
			others.add(i, thunk(ctx, l.SoftwareRules(r.SoftwareRules).Run.LoadThunk(ctx, id)))
		case relay.TypeDepreciationProfile:
			others.add(i, r.depreciationProfileNode(ctx, id))
		case relay.TypeCostEntry:
			others.add(i, r.costEntryNode(ctx, id))
		case relay.TypeContract:
			others.add(i, r.contractNode(ctx, id))
		case relay.TypeNotification, relay.TypeWebhookSubscription, relay.TypeWebhookDelivery:
			others.add(i, r.notifyNode(ctx, typ, id))
		case relay.TypeOffboardingChecklist:
			others.add(i, r.checklistNode(ctx, id))
		case relay.TypeAssetCheckout:
			others.add(i, thunk(ctx, l.Checkouts(r.Checkouts).Checkout.LoadThunk(ctx, id)))
		case relay.TypePurchaseOrder:
			others.add(i, r.purchaseOrderNode(ctx, id))
		case relay.TypePurchaseOrderLine:
			others.add(i, r.purchaseOrderLineNode(ctx, id))
		case relay.TypeImportRun:
			others.add(i, r.importRunNode(ctx, id))
		case relay.TypeImportMapping:
			others.add(i, r.importMappingNode(ctx, id))
		case relay.TypeSanitizationRecord:
			others.add(i, thunk(ctx, r.historyLoaders(ctx).Sanitization.LoadThunk(ctx, id)))
		}
	}
	at, vs, err := others.found()
	if err != nil {
		return nil, err
	}
	for k, v := range vs {
		out[at[k]] = v
	}
	at, as, err := assets.found()
	if err != nil {
		return nil, err
	}
	if len(as) > 0 {
		an, err := r.assetNodes(ctx, as, fieldSelection(ctx))
		if err != nil {
			return nil, err
		}
		for k, n := range an {
			out[at[k]] = n
		}
	}
	at, ms, err := models.found()
	if err != nil {
		return nil, err
	}
	mn, err := r.modelNodes(ctx, ms)
	if err != nil {
		return nil, err
	}
	for k, n := range mn {
		out[at[k]] = n
	}
	at, cs, err := conflicts.found()
	if err != nil {
		return nil, err
	}
	cn, err := r.conflictNodes(ctx, cs, fieldSelection(ctx))
	if err != nil {
		return nil, err
	}
	for k, n := range cn {
		out[at[k]] = n
	}
	return out, nil
}

// queued is the pending loads of one kind of node, with the positions of
// their ids.
type queued[T comparable] struct {
	at    []int
	loads []func() (T, error)
}

func (q *queued[T]) add(i int, load func() (T, error)) {
	q.at, q.loads = append(q.at, i), append(q.loads, load)
}

// found waits for the loads and returns the objects they found with their
// positions. A missing object, or one the caller may not see, is left out
// (null); any other error fails them all.
func (q *queued[T]) found() ([]int, []T, error) {
	var (
		at   []int
		vs   []T
		zero T
	)
	for k, load := range q.loads {
		v, err := load()
		switch {
		case err != nil:
			code := itam.ErrorCode(err)
			// An offboarded caller is refused outright, not shown nulls.
			hidden := (code == itam.CodeForbidden || code == itam.CodeNotFound) && !errors.Is(err, itam.ErrPersonOffboarded)
			if !hidden {
				return nil, nil, err
			}
		case v != zero:
			at, vs = append(at, q.at[k]), append(vs, v)
		}
	}
	return at, vs, nil
}

// thunk adapts a loader thunk, keeping missing objects a true nil interface.
func thunk[V any](ctx context.Context, f func() (*V, error)) func() (any, error) {
	return func() (any, error) { return nonNil(f()) }
}

func (r *Resolver) orgNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return func() (any, error) {
		org, err := r.OrganizationStore.Organization(ctx)
		if err != nil || org.ID != id {
			return nil, err
		}
		return org, nil
	}
}
