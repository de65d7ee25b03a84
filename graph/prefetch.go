package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/internal/itam"
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
			for k, v := range sub {
				prev[k] = v
			}
			continue
		}
		out[f.Name] = sub
	}
	return out
}

// nodeSelection returns what a connection field selects on its nodes,
// through either edges.node or nodes.
func nodeSelection(ctx context.Context) selection {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return selection{}
	}
	conn := collect(graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx).Field.Selections)
	out := selection{}
	for _, s := range []selection{conn["nodes"], conn["edges"]["node"]} {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}

// prefetchAssets queues, in one pass, every relation a page of assets will
// resolve, so each loader sends one query per level. Without it, the
// resolvers of a large page start over several milliseconds and their loads
// straggle into several batches: the query count would grow with the page.
// Only what the query selects is fetched.
func prefetchAssets(ctx context.Context, assets []*itam.Asset) {
	if len(assets) == 0 {
		return
	}
	sel := nodeSelection(ctx)
	l := loaders.For(ctx)
	var models, mfrs, people, teams, locations, suppliers, ids []uuid.UUID
	for _, a := range assets {
		ids = append(ids, a.ID)
		models = append(models, a.ModelID)
		mfrs = append(mfrs, a.ManufacturerID)
		if sel.has("assignee") {
			people = appendID(people, a.AssignedPersonID)
			locations = appendID(locations, a.AssignedLocationID)
		}
		if sel.has("owner") {
			people = appendID(people, a.OwnerPersonID)
			teams = appendID(teams, a.OwnerTeamID)
		}
		if sel.has("location") {
			locations = appendID(locations, a.LocationID)
		}
		suppliers = appendID(suppliers, a.SupplierID)
	}
	var modelThunk func() ([]*itam.Model, error)
	if sel.has("model") || sel.has("category") {
		modelThunk = l.Model.LoadAllThunk(ctx, models)
	}
	if sel.has("manufacturer") || sel.has("model", "manufacturer") {
		l.Manufacturer.LoadAllThunk(ctx, mfrs)
	}
	if sel.has("supplier") {
		l.Supplier.LoadAllThunk(ctx, suppliers)
	}
	if sel.has("externalIds") {
		l.ExternalIDs.LoadAllThunk(ctx, ids)
	}
	personThunk := l.Person.LoadAllThunk(ctx, people)
	l.Team.LoadAllThunk(ctx, teams)
	locationThunk := l.Location.LoadAllThunk(ctx, locations)

	// Second level: queued as soon as the first level arrives, before the
	// resolvers waiting on it wake up one by one.
	if modelThunk != nil && (sel.has("category") || sel.has("model", "category")) {
		go func() {
			ms, _ := modelThunk()
			var cats []uuid.UUID
			for _, m := range ms {
				if m != nil {
					cats = append(cats, m.CategoryID)
				}
			}
			l.Category.LoadAllThunk(ctx, cats)
		}()
	}
	if len(people) > 0 && (sel.has("assignee", "team") || sel.has("assignee", "location") || sel.has("assignee", "manager") || sel.has("owner", "team")) {
		go func() {
			ps, _ := personThunk()
			prefetchPeopleRelations(ctx, l, ps)
		}()
	}
	if len(locations) > 0 && (sel.has("location", "parent") || sel.has("assignee", "parent")) {
		go func() {
			ls, _ := locationThunk()
			var parents []uuid.UUID
			for _, loc := range ls {
				if loc != nil {
					parents = appendID(parents, loc.ParentID)
				}
			}
			l.Location.LoadAllThunk(ctx, parents)
		}()
	}
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

// prefetchPeople does for a page of people what prefetchAssets does for assets.
func prefetchPeople(ctx context.Context, ps []*itam.Person) {
	sel := nodeSelection(ctx)
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
