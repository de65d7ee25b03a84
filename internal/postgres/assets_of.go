package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// assetsOfSQL renders the condition tying an asset (alias a) to a parent id.
func assetsOfCond(o itam.AssetsOf) func(parent string) string {
	return func(parent string) string { return assetsOfSQL(o, parent) }
}

func assetsOfSQL(o itam.AssetsOf, parent string) string {
	switch o {
	case itam.AssetsOfPerson:
		return "a.assigned_person_id = " + parent
	case itam.AssetsOfTeam:
		return "a.owner_team_id = " + parent
	case itam.AssetsOfLocation:
		// Expanded to an array first, so the planner looks assets up by
		// location id rather than walking another index and filtering.
		return "a.location_id = ANY(ARRAY(SELECT l.id FROM locations l WHERE l.path @> ARRAY[" + parent + "]))"
	}
	panic("postgres: unknown AssetsOf " + string(o))
}

// ListAssetsOf returns, for each parent, the page of its assets that q and
// page select — the same page ListAssets returns for one parent — in one
// round trip for all of them.
func (s *AssetStore) ListAssetsOf(ctx context.Context, of itam.AssetsOf, parents []uuid.UUID, q itam.AssetQuery, page itam.PageArgs) (map[uuid.UUID]itam.Page[*itam.Asset], error) {
	spec, p, err := s.listSpec(ctx, q)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, spec, parents, assetsOfCond(of), page)
}

// CountAssetsOf returns how many assets matching f each parent has, in one
// round trip.
func (s *AssetStore) CountAssetsOf(ctx context.Context, of itam.AssetsOf, parents []uuid.UUID, f *itam.AssetFilter) (map[uuid.UUID]int, error) {
	p, where, args, err := s.where(ctx, f)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "assets a", where, args, parents, assetsOfCond(of))
}
