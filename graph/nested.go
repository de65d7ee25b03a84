package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
)

// Nested connections (a person's assets, a team's members, …) are resolved
// once per parent object by gqlgen. Each goes through a loader that collects
// the parents of the whole request and fetches all their pages in one
// statement (a LATERAL join per parent), their relations in one more, and
// their counts in one when totalCount is selected: a page of 10 or 100
// parents costs the same round trips.

// nestedKey identifies a nested connection field across the parents of one
// request: its parent type and its response path without list indices.
// Fields sharing both have the same arguments (GraphQL's validation demands
// it) and gqlgen merges their selections, so one fetch answers for all.
// parentPath is where its parents sit, for loaders.Nested's siblings.
func nestedKey(ctx context.Context) (key, parentPath string) {
	names := pathNames(ctx)
	return graphql.GetFieldContext(ctx).Object + ":" + strings.Join(names, "."), strings.Join(names[:len(names)-1], ".")
}

// fieldPath is the current field's response path without list indices.
func fieldPath(ctx context.Context) string { return strings.Join(pathNames(ctx), ".") }

func pathNames(ctx context.Context) []string {
	var names []string
	for _, el := range graphql.GetFieldContext(ctx).Path() {
		if name, ok := el.(ast.PathName); ok {
			names = append(names, string(name))
		}
	}
	return names
}

// nestedConnection is a connection hanging off parent, batched over every
// parent the request resolves the same field on (their list recorded them
// as siblings): page reads the pages of all of them in one go, count their
// totals, only when totalCount is asked for. Every nested connection goes
// through it, so a page of parents costs the same round trips whatever its
// size.
func nestedConnection[T any](ctx context.Context, parent uuid.UUID,
	page func(context.Context, []uuid.UUID) (map[uuid.UUID]itam.Page[T], error),
	count func(context.Context, []uuid.UUID) (map[uuid.UUID]int, error)) (*model.Connection[T], error) {
	key, parentPath := nestedKey(ctx)
	pg, err := loaders.Nested(ctx, key, parentPath, parent, page)
	if err != nil {
		return nil, err
	}
	return &model.Connection[T]{Page: pg, Count: func(ctx context.Context) (int, error) {
		return loaders.Nested(ctx, key+"#count", parentPath, parent, count)
	}}, nil
}

// siblings records the objects a list field resolved (loaders.Siblings), so
// nested connections below them batch over all of them.
func siblings[T any](ctx context.Context, path string, items []T, id func(T) uuid.UUID) {
	ids := make([]uuid.UUID, len(items))
	for i, it := range items {
		ids[i] = id(it)
	}
	loaders.Siblings(ctx, path, ids)
}

// nestedAssets is an asset connection hanging off parent (Person.assets,
// Team.ownedAssets, Location.assets), batched over every parent the request
// resolves the same field on.
func (r *Resolver) nestedAssets(ctx context.Context, of itam.AssetsOf, parent uuid.UUID, filter *model.AssetFilter, orderBy *model.AssetOrder, p itam.PageArgs) (*model.AssetConnection, error) {
	q, err := assetQuery(filter, orderBy)
	if err != nil {
		return nil, err
	}
	return r.assetConnectionOf(ctx, parent, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*itam.Asset], error) {
		return r.AssetStore.ListAssetsOf(ctx, of, parents, q, p)
	}, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]int, error) {
		return r.AssetStore.CountAssetsOf(ctx, of, parents, q.Filter)
	})
}

// assetConnectionOf is every asset connection below a list (a person's,
// a team's or a location's assets, a contract's covered assets, a purchase
// order line's assets): list reads the pages of all the parents the
// request resolves the field on at once, count their totals; the assets'
// relations come in one assetNodes call for all of them, and the assets
// are recorded as siblings for the connections below them.
func (r *Resolver) assetConnectionOf(ctx context.Context, parent uuid.UUID,
	list func(context.Context, []uuid.UUID) (map[uuid.UUID]itam.Page[*itam.Asset], error),
	count func(context.Context, []uuid.UUID) (map[uuid.UUID]int, error)) (*model.AssetConnection, error) {
	path, sel := fieldPath(ctx), nodeSelection(ctx)
	return nestedConnection(ctx, parent, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*model.Asset], error) {
		pages, err := list(ctx, parents)
		if err != nil {
			return nil, err
		}
		var all []*itam.Asset
		for _, id := range parents {
			all = append(all, pages[id].Items...)
		}
		siblings(ctx, path, all, assetID)
		nodes, err := r.assetNodes(ctx, all, sel)
		if err != nil {
			return nil, err
		}
		out := make(map[uuid.UUID]itam.Page[*model.Asset], len(parents))
		for _, id := range parents {
			pg := pages[id]
			n := len(pg.Items)
			out[id] = itam.Page[*model.Asset]{Items: nodes[:n:n], Cursors: pg.Cursors, HasNextPage: pg.HasNextPage, HasPreviousPage: pg.HasPreviousPage}
			nodes = nodes[n:]
		}
		return out, nil
	}, count)
}

// teamMembers is Team.members, batched over every team the request
// resolves it on; the members' own relations are queued in one batch each.
func (r *Resolver) teamMembers(ctx context.Context, team uuid.UUID, p itam.PageArgs) (*model.PersonConnection, error) {
	var q itam.PersonQuery
	path, sel := fieldPath(ctx), nodeSelection(ctx)
	return nestedConnection(ctx, team, func(ctx context.Context, teams []uuid.UUID) (map[uuid.UUID]itam.Page[*itam.Person], error) {
		pages, err := r.PersonStore.TeamMembers(ctx, teams, q, p)
		if err != nil {
			return nil, err
		}
		var all []*itam.Person
		for _, id := range teams {
			all = append(all, pages[id].Items...)
		}
		siblings(ctx, path, all, personID)
		prefetchPeople(ctx, sel, all)
		return pages, nil
	}, func(ctx context.Context, teams []uuid.UUID) (map[uuid.UUID]int, error) {
		return r.PersonStore.CountTeamMembers(ctx, teams, q.Filter)
	})
}

// assetHistory is Asset.history, batched over every asset the request
// resolves it on (their parent list recorded them as siblings).
func (r *Resolver) assetHistory(ctx context.Context, asset uuid.UUID, p itam.PageArgs) (*model.AssetHistoryConnection, error) {
	key, parentPath := nestedKey(ctx)
	page, err := loaders.Nested(ctx, key, parentPath, asset, func(ctx context.Context, assets []uuid.UUID) (map[uuid.UUID]itam.Page[itam.HistoryEntry], error) {
		return r.AssetStore.HistoriesOf(ctx, assets, p)
	})
	if err != nil {
		return nil, err
	}
	return &model.AssetHistoryConnection{Page: page}, nil
}

func assetID(a *itam.Asset) uuid.UUID       { return a.ID }
func personID(p *itam.Person) uuid.UUID     { return p.ID }
func teamID(t *itam.Team) uuid.UUID         { return t.ID }
func locationID(l *itam.Location) uuid.UUID { return l.ID }
