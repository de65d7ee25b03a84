package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// selection is the tree of field names a query selects below a field,
// merged across fragments and union branches.
type selection map[string]selection

func (s selection) has(path ...string) bool {
	cur := s
	for _, p := range path {
		next, ok := cur[p]
		if !ok {
			return false
		}
		cur = next
	}
	return true
}

func collect(oc *graphql.OperationContext, set ast.SelectionSet) selection {
	out := selection{}
	for _, f := range graphql.CollectFields(oc, set, nil) {
		sub := collect(oc, f.Selections)
		if prev, ok := out[f.Name]; ok {
			sub = mergeSelections(prev, sub)
		}
		out[f.Name] = sub
	}
	return out
}

// fieldSelection returns what the current field selects.
func fieldSelection(ctx context.Context) selection {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return selection{}
	}
	return collect(graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx).Field.Selections)
}

// nodeSelection returns what a connection field selects on its nodes,
// through either edges.node or nodes.
func nodeSelection(ctx context.Context) selection {
	conn := fieldSelection(ctx)
	return mergeSelections(conn["nodes"], conn["edges"]["node"])
}

// assetNodes attaches to each asset the related objects sel selects. Every
// relation is read for all the assets at once, all in one round trip
// (postgres.RelationStore.AssetRelations), so a page costs the same whatever its
// size; the results also prime the request's loaders, so nested fields (a
// model's manufacturer, an assignee's team) find them there.
func (r *Resolver) assetNodes(ctx context.Context, assets []*itam.Asset, sel selection) ([]*model.Asset, error) {
	sel = withConflictAsset(sel)
	out := make([]*model.Asset, len(assets))
	for i, a := range assets {
		out[i] = &model.Asset{Asset: a, ID: relay.ID(relay.TypeAsset, a.ID)}
	}
	if len(assets) == 0 {
		return out, nil
	}
	l := loaders.For(ctx)
	want := itam.RelationIDsOf(assets, itam.AssetRelationKinds{
		// endOfLife may be derived from the model's useful life.
		Model:        sel.has("model") || sel.has("endOfLife") || sel.has("endOfLifeSource"),
		Manufacturer: sel.has("manufacturer") || sel.has("model", "manufacturer"),
		Category:     sel.has("category") || sel.has("model", "category"),
		Assignee:     sel.has("assignee"),
		Owner:        sel.has("owner"),
		Location:     sel.has("location"),
	})
	rel, err := r.RelationStore.AssetRelations(ctx, want)
	if err != nil {
		return nil, err
	}
	modelByID, mfrByID, catByMdl := rel.Models, rel.Manufacturers, rel.CategoryByModel
	personBy, teamBy, locBy := rel.People, rel.Teams, rel.Locations
	for _, m := range modelByID {
		l.Model.Prime(m.ID, m)
	}
	for _, m := range mfrByID {
		l.Manufacturer.Prime(m.ID, m)
	}
	for _, c := range catByMdl {
		l.Category.Prime(c.ID, c)
	}
	for _, p := range personBy {
		l.Person.Prime(p.ID, p)
	}
	for _, t := range teamBy {
		l.Team.Prime(t.ID, t)
	}
	for _, loc := range locBy {
		l.Location.Prime(loc.ID, loc)
	}
	modelNodes := make(map[uuid.UUID]*model.Model, len(modelByID))
	for id, m := range modelByID {
		modelNodes[id] = &model.Model{Model: m, ID: relay.ID(relay.TypeModel, m.ID), Manufacturer: mfrByID[m.ManufacturerID], Category: catByMdl[id]}
	}
	for _, n := range out {
		a := n.Asset
		n.Model, n.Manufacturer, n.Category = modelNodes[a.ModelID], mfrByID[a.ManufacturerID], catByMdl[a.ModelID]
		switch {
		case a.AssignedPersonID != nil && personBy[*a.AssignedPersonID] != nil:
			n.Assignee = personBy[*a.AssignedPersonID]
		case a.AssignedLocationID != nil && locBy[*a.AssignedLocationID] != nil:
			n.Assignee = locBy[*a.AssignedLocationID]
		}
		switch {
		case a.OwnerPersonID != nil && personBy[*a.OwnerPersonID] != nil:
			n.Owner = personBy[*a.OwnerPersonID]
		case a.OwnerTeamID != nil && teamBy[*a.OwnerTeamID] != nil:
			n.Owner = teamBy[*a.OwnerTeamID]
		}
		if a.LocationID != nil {
			n.Location = locBy[*a.LocationID]
		}
	}
	// Second level, through loaders: queued now, in one batch each.
	if len(personBy) > 0 && (sel.has("assignee", "team") || sel.has("assignee", "location") || sel.has("assignee", "manager") ||
		sel.has("owner", "team") || sel.has("owner", "location") || sel.has("owner", "manager")) {
		ps := make([]*itam.Person, 0, len(personBy))
		for _, p := range personBy {
			ps = append(ps, p)
		}
		prefetchPeopleRelations(ctx, l, ps)
	}
	if len(locBy) > 0 && (sel.has("location", "parent") || sel.has("assignee", "parent")) {
		var parents []uuid.UUID
		for _, loc := range locBy {
			parents = appendID(parents, loc.ParentID)
		}
		l.Location.LoadAllThunk(ctx, parents)
	}
	if sel.has("supplier") {
		var suppliers []uuid.UUID
		for _, a := range assets {
			suppliers = appendID(suppliers, a.SupplierID)
		}
		l.Supplier.LoadAllThunk(ctx, suppliers)
	}
	if sel.has("externalIds") {
		ids := make([]uuid.UUID, len(assets))
		for i, a := range assets {
			ids[i] = a.ID
		}
		l.ExternalIDs.LoadAllThunk(ctx, ids)
	}
	return out, nil
}

// assetNode is assetNodes for one asset (nil stays nil).
func (r *Resolver) assetNode(ctx context.Context, a *itam.Asset, sel selection) (*model.Asset, error) {
	if a == nil {
		return nil, nil
	}
	n, err := r.assetNodes(ctx, []*itam.Asset{a}, sel)
	if err != nil {
		return nil, err
	}
	return n[0], nil
}

// withConflictAsset adds to sel what it selects under syncConflicts.asset:
// Asset.syncConflicts answers each conflict's asset with the asset itself,
// so that asset must carry the relations the conflicts select on it too.
func withConflictAsset(sel selection) selection {
	inner := sel["syncConflicts"]["asset"]
	if len(inner) == 0 {
		return sel
	}
	return mergeSelections(sel, withConflictAsset(inner))
}

// mergeSelections returns the union of a and b, leaving both unchanged.
func mergeSelections(a, b selection) selection {
	out := make(selection, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = mergeSelections(out[k], v)
	}
	return out
}

// conflictNodes attaches their assets to sync conflicts when sel (what is
// selected on each conflict) asks for them: the assets are read in one
// loader batch and their relations in one assetNodes call, so a page of
// conflicts costs the same whatever its size. An asset the caller cannot
// see stays null.
func (r *Resolver) conflictNodes(ctx context.Context, cs []*itam.SyncConflict, sel selection) ([]*model.SyncConflict, error) {
	out := make([]*model.SyncConflict, len(cs))
	for i, c := range cs {
		out[i] = &model.SyncConflict{SyncConflict: c}
	}
	assetSel, ok := sel["asset"]
	if !ok || len(cs) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.AssetID
	}
	byID, err := r.loadAssetNodes(ctx, distinctIDs(ids), assetSel)
	if err != nil {
		return nil, err
	}
	for _, c := range out {
		c.Asset = byID[c.AssetID]
	}
	return out, nil
}

func prefetchPeopleRelations(ctx context.Context, l *loaders.Loaders, ps []*itam.Person) {
	var teams, locations, managers []uuid.UUID
	for _, p := range ps {
		if p != nil {
			teams = appendID(teams, p.TeamID)
			locations = appendID(locations, p.LocationID)
			managers = appendID(managers, p.ManagerID)
		}
	}
	l.Team.LoadAllThunk(ctx, teams)
	l.Location.LoadAllThunk(ctx, locations)
	l.Person.LoadAllThunk(ctx, managers)
}

// prefetchPeople queues a page of people's relations in one batch each,
// those sel (what is selected on each person) shows.
func prefetchPeople(ctx context.Context, sel selection, ps []*itam.Person) {
	if len(ps) == 0 || !(sel.has("team") || sel.has("location") || sel.has("manager")) {
		return
	}
	prefetchPeopleRelations(ctx, loaders.For(ctx), ps)
}

func appendID(ids []uuid.UUID, id *uuid.UUID) []uuid.UUID {
	if id == nil {
		return ids
	}
	return append(ids, *id)
}

// distinctIDs drops repeated ids, keeping the first of each.
func distinctIDs(ids []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// loadAssetNodes reads the assets among ids through the request's loader
// and returns them as assetNodesByID does.
func (r *Resolver) loadAssetNodes(ctx context.Context, ids []uuid.UUID, sel selection) (map[uuid.UUID]*model.Asset, error) {
	assets, err := loaders.For(ctx).Asset.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	return r.assetNodesByID(ctx, assets, sel)
}

// assetNodesByID is assetNodes keyed by asset id, for fields that resolve
// one asset of a list read at once; nil assets (not visible) are skipped.
func (r *Resolver) assetNodesByID(ctx context.Context, assets []*itam.Asset, sel selection) (map[uuid.UUID]*model.Asset, error) {
	visible := make([]*itam.Asset, 0, len(assets))
	for _, a := range assets {
		if a != nil {
			visible = append(visible, a)
		}
	}
	nodes, err := r.assetNodes(ctx, visible, sel)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*model.Asset, len(nodes))
	for _, n := range nodes {
		out[n.Asset.ID] = n
	}
	return out, nil
}

// modelNodes attaches manufacturer and category to models, loading each
// relation for all of them in one batch.
func (r *Resolver) modelNodes(ctx context.Context, ms []*itam.Model) ([]*model.Model, error) {
	l := loaders.For(ctx)
	mfrs := make([]func() (*itam.Manufacturer, error), len(ms))
	cats := make([]func() (*itam.Category, error), len(ms))
	for i, m := range ms {
		if m != nil {
			mfrs[i], cats[i] = l.Manufacturer.LoadThunk(ctx, m.ManufacturerID), l.Category.LoadThunk(ctx, m.CategoryID)
		}
	}
	out := make([]*model.Model, len(ms))
	for i, m := range ms {
		if m == nil {
			continue
		}
		mfr, err := mfrs[i]()
		if err != nil {
			return nil, err
		}
		cat, err := cats[i]()
		if err != nil {
			return nil, err
		}
		out[i] = &model.Model{Model: m, ID: relay.ID(relay.TypeModel, m.ID), Manufacturer: mfr, Category: cat}
	}
	return out, nil
}

// modelNode is modelNodes for one model (nil stays nil); it takes a store
// call's results directly: r.modelNode(ctx)(r.ModelStore.CreateModel(ctx, in)).
func (r *Resolver) modelNode(ctx context.Context) func(*itam.Model, error) (*model.Model, error) {
	return func(m *itam.Model, err error) (*model.Model, error) {
		if err != nil || m == nil {
			return nil, err
		}
		ns, err := r.modelNodes(ctx, []*itam.Model{m})
		if err != nil {
			return nil, err
		}
		return ns[0], nil
	}
}
