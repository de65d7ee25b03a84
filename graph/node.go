package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/graph/relay"
	"github.com/itam-dev/itam/internal/itam"
)

// loadNodes resolves global ids through the request's loaders, so nodes(ids:)
// costs one query per type however many ids it names. An id that is
// malformed, unknown or belongs to another organization resolves to null:
// RLS hides other tenants' rows, and null is indistinguishable from absent.
func (r *Resolver) loadNodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if _, err := itam.RequirePrincipal(ctx); err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	out := make([]model.Node, len(ids))
	type pending struct {
		i    int
		load func() (any, error)
	}
	var todo []pending
	for i, g := range ids {
		typ, id, ok := relay.Parse(g)
		if !ok {
			continue
		}
		var load func() (any, error)
		switch typ {
		case relay.TypeAsset:
			t := l.Asset.LoadThunk(ctx, id)
			load = func() (any, error) {
				a, err := t()
				if err != nil || a == nil {
					return nil, err
				}
				return r.assetNode(ctx, a, fieldSelection(ctx))
			}
		case relay.TypePerson:
			load = thunk(ctx, l.Person.LoadThunk(ctx, id))
		case relay.TypeTeam:
			load = thunk(ctx, l.Team.LoadThunk(ctx, id))
		case relay.TypeLocation:
			load = thunk(ctx, l.Location.LoadThunk(ctx, id))
		case relay.TypeManufacturer:
			load = thunk(ctx, l.Manufacturer.LoadThunk(ctx, id))
		case relay.TypeCategory:
			load = thunk(ctx, l.Category.LoadThunk(ctx, id))
		case relay.TypeModel:
			t := l.Model.LoadThunk(ctx, id)
			load = func() (any, error) {
				m, err := r.modelNode(ctx)(t())
				if err != nil || m == nil {
					return nil, err
				}
				return m, nil
			}
		case relay.TypeSupplier:
			load = thunk(ctx, l.Supplier.LoadThunk(ctx, id))
		case relay.TypeOrganization:
			load = r.orgNode(ctx, id)
		case relay.TypeConnector:
			load = thunk(ctx, l.Connectors(r.Connectors).Connector.LoadThunk(ctx, id))
		case relay.TypeSyncRun:
			load = thunk(ctx, l.Connectors(r.Connectors).SyncRun.LoadThunk(ctx, id))
		default:
			continue
		}
		todo = append(todo, pending{i, load})
	}
	for _, p := range todo {
		v, err := p.load()
		if err != nil {
			if itam.ErrorCode(err) == itam.CodeForbidden || itam.ErrorCode(err) == itam.CodeNotFound {
				continue
			}
			return nil, err
		}
		out[p.i] = v
	}
	return out, nil
}

// thunk adapts a loader thunk, keeping missing objects a true nil interface.
func thunk[V any](ctx context.Context, f func() (*V, error)) func() (any, error) {
	return func() (any, error) { return nonNil(f()) }
}

func (r *Resolver) orgNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return func() (any, error) {
		org, err := r.Catalog.Organization(ctx)
		if err != nil || org.ID != id {
			return nil, err
		}
		return org, nil
	}
}
