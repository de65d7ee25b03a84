package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/offboarding"
	"github.com/itam-dev/itam/internal/relay"
)

// Adapters for offboarding (helpers of graph/offboarding.resolvers.go).
// They translate; the rules are internal/offboarding's, applied by
// postgres.OffboardingStore.

// checklistNode loads one for node(id:) through the request's batching
// loader: nil when missing, FORBIDDEN for an EMPLOYEE (node(id:) shows
// both as null).
func (r *Resolver) checklistNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return thunk(ctx, loaders.For(ctx).Offboarding(r.Offboarding).Checklist.LoadThunk(ctx, id))
}

// offboardInput reads offboardPerson's input.
func offboardInput(in model.OffboardPersonInput) (offboarding.Input, error) {
	person, err := relay.DecodeAs("personId", in.PersonID, relay.TypePerson)
	if err != nil {
		return offboarding.Input{}, err
	}
	return offboarding.Input{PersonID: person, EffectiveDate: in.EffectiveDate}, nil
}

// writeOffInput reads writeOffOffboardingItem's input. Item ids are the
// items' own UUIDs (OffboardingItem is not a Node).
func writeOffInput(in model.WriteOffOffboardingItemInput) (offboarding.WriteOffInput, error) {
	checklist, err := relay.DecodeAs("checklistId", in.ChecklistID, relay.TypeOffboardingChecklist)
	if err != nil {
		return offboarding.WriteOffInput{}, err
	}
	item, err := uuid.Parse(in.ItemID)
	if err != nil {
		return offboarding.WriteOffInput{}, itam.Invalid("itemId", "%q is not a valid item id", in.ItemID)
	}
	return offboarding.WriteOffInput{ChecklistID: checklist, ItemID: item, Reason: in.Reason}, nil
}

// checklistFilter reads offboardingChecklists' filter.
func checklistFilter(in *model.OffboardingChecklistFilter) (offboarding.Filter, error) {
	if in == nil {
		return offboarding.Filter{}, nil
	}
	if err := checkInput("filter", in); err != nil {
		return offboarding.Filter{}, err
	}
	person, err := idOf("filter.personId", in.PersonID, relay.TypePerson)
	if err != nil {
		return offboarding.Filter{}, err
	}
	return offboarding.Filter{Open: val(in.Open), PersonID: person}, nil
}

// Suffixes naming, under a list's path, the set of assets and of seats its
// rows point to (recorded by the list, read by heldAsset and heldSeat).
const (
	heldAssetsOf = seatAssetsOf
	heldSeatsOf  = "#seats"
	peopleOf     = "#people"
)

// recordPeople records, under each of paths, the people rows point to, so
// their person fields load in one batch.
func recordPeople(ctx context.Context, paths []string, people []uuid.UUID) {
	for _, p := range paths {
		loaders.Siblings(ctx, p+peopleOf, distinctIDs(people))
	}
}

// personOf is OffboardingChecklist.person and OffboardingException.person,
// batched over the rows of their list.
func (r *Resolver) personOf(ctx context.Context, id uuid.UUID) (*itam.Person, error) {
	key, parentPath := nestedKey(ctx)
	return loaders.Nested(ctx, key, parentPath+peopleOf, id, r.PersonStore.PeopleByIDs)
}

// recordChecklists records what the checklists at paths point to: their
// people, and their items' assets and seats (under paths' ".items").
func recordChecklists(ctx context.Context, paths []string, cs []*offboarding.Checklist) {
	people := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		people[i] = c.PersonID
	}
	recordPeople(ctx, paths, people)
	items := make([]string, len(paths))
	for i, p := range paths {
		items[i] = p + ".items"
	}
	recordItems(ctx, items, cs)
}

// recordHeld records, under each of paths, the assets and seats the rows
// point to, so their asset and licenseSeat fields load in one batch each.
func recordHeld(ctx context.Context, paths []string, assets, seats []uuid.UUID) {
	for _, p := range paths {
		loaders.Siblings(ctx, p+heldAssetsOf, distinctIDs(assets))
		loaders.Siblings(ctx, p+heldSeatsOf, distinctIDs(seats))
	}
}

// recordItems records the assets and seats of the items of cs for the
// items lists at paths.
func recordItems(ctx context.Context, paths []string, cs []*offboarding.Checklist) {
	var assets, seats []uuid.UUID
	for _, c := range cs {
		for _, it := range c.Items {
			assets, seats = appendID(assets, it.AssetID), appendID(seats, it.SeatID)
		}
	}
	recordHeld(ctx, paths, assets, seats)
}

// connectionPaths are where the rows of the connection at path sit.
func connectionPaths(path, below string) []string {
	return []string{path + ".nodes" + below, path + ".edges.node" + below}
}

// heldAsset is OffboardingItem.asset and OffboardingException.asset,
// batched over the rows of their list (LicenseSeat.asset's mechanism).
func (r *Resolver) heldAsset(ctx context.Context, id *uuid.UUID) (*model.Asset, error) {
	return r.seatAsset(ctx, id)
}

// heldSeat is OffboardingItem.licenseSeat and OffboardingException.licenseSeat,
// batched over the rows of their list.
func (r *Resolver) heldSeat(ctx context.Context, id *uuid.UUID) (*licenses.Seat, error) {
	if id == nil {
		return nil, nil
	}
	key, parentPath := nestedKey(ctx)
	return loaders.Nested(ctx, key, parentPath+heldSeatsOf, *id, r.LicenseStore.SeatsByIDs)
}

// personOffboarding is Person.offboarding, batched over the people of the
// request, with the items' assets and seats recorded for their own batch.
func (r *Resolver) personOffboarding(ctx context.Context, person uuid.UUID) (*offboarding.Checklist, error) {
	key, parentPath := nestedKey(ctx)
	path := fieldPath(ctx)
	return loaders.Nested(ctx, key, parentPath, person, func(ctx context.Context, people []uuid.UUID) (map[uuid.UUID]*offboarding.Checklist, error) {
		m, err := r.Offboarding.LatestChecklists(ctx, people)
		if err != nil {
			return nil, err
		}
		cs := make([]*offboarding.Checklist, 0, len(m))
		for _, c := range m {
			cs = append(cs, c)
		}
		recordChecklists(ctx, []string{path}, cs)
		siblings(ctx, path, cs, checklistID)
		return m, nil
	})
}

func checklistID(c *offboarding.Checklist) uuid.UUID { return c.ID }

// checklistHistory is OffboardingChecklist.history, batched over the
// checklists of the request.
func (r *Resolver) checklistHistory(ctx context.Context, checklist uuid.UUID) ([]*offboarding.HistoryEntry, error) {
	key, parentPath := nestedKey(ctx)
	out, err := loaders.Nested(ctx, key, parentPath, checklist, r.Offboarding.HistoriesOf)
	if out == nil && err == nil {
		out = []*offboarding.HistoryEntry{}
	}
	return out, err
}

// checklistPayload answers a mutation with its checklist; the items'
// assets and seats load in one batch each.
func checklistPayload(ctx context.Context, c *offboarding.Checklist) {
	recordChecklists(ctx, []string{fieldPath(ctx) + ".checklist"}, []*offboarding.Checklist{c})
}

// setOffboardingComplexity prices the checklists and exceptions by page
// size (plus each filter condition), a checklist's items as a default page
// (a person holds few things), and Person.offboarding as one checklist.
func setOffboardingComplexity(c *generated.ComplexityRoot) {
	c.Query.OffboardingChecklists = func(child int, first *int, _ *string, last *int, _ *string, f *model.OffboardingChecklistFilter) int {
		n := 0
		if f != nil {
			n = setCount(f.Open.Value() != nil, f.PersonID.Value() != nil)
		}
		return pageCost(child, first, last) + FilterLeafCost*n
	}
	c.Query.OffboardingExceptions = connectionCost
	held := func(child int) int { return pageCost(child, nil, nil) }
	c.OffboardingChecklist.Items, c.OffboardingChecklist.History = held, held
	c.Person.Offboarding = func(child int) int { return addCost(child, 1) }
}
