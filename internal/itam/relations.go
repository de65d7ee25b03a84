package itam

import "github.com/google/uuid"

// AssetRelationIDs names the records a page of assets refers to, by kind.
// An empty list skips that kind.
type AssetRelationIDs struct {
	Models, Manufacturers, People, Teams, Locations []uuid.UUID
	// CategoriesOfModels are model ids whose categories to load, keyed by
	// model, so the categories need not wait for the models.
	CategoriesOfModels []uuid.UUID
}

// AssetRelationKinds says which of an asset's relations a caller shows.
type AssetRelationKinds struct {
	Model, Manufacturer, Category, Assignee, Owner, Location bool
}

// RelationIDsOf collects the distinct ids assets refer to for the relation
// kinds wanted, in first-seen order, ready for the relation store's AssetRelations.
func RelationIDsOf(assets []*Asset, want AssetRelationKinds) AssetRelationIDs {
	var models, mfrs, people, teams, locations idSet
	for _, a := range assets {
		if want.Model || want.Category {
			models.add(&a.ModelID)
		}
		if want.Manufacturer {
			mfrs.add(&a.ManufacturerID)
		}
		if want.Assignee {
			people.add(a.AssignedPersonID)
			locations.add(a.AssignedLocationID)
		}
		if want.Owner {
			people.add(a.OwnerPersonID)
			teams.add(a.OwnerTeamID)
		}
		if want.Location {
			locations.add(a.LocationID)
		}
	}
	ids := AssetRelationIDs{Manufacturers: mfrs.ids, People: people.ids, Teams: teams.ids, Locations: locations.ids}
	if want.Model {
		ids.Models = models.ids
	}
	if want.Category {
		ids.CategoriesOfModels = models.ids
	}
	return ids
}

// idSet collects distinct ids in the order first seen.
type idSet struct {
	ids  []uuid.UUID
	seen map[uuid.UUID]struct{}
}

func (s *idSet) add(id *uuid.UUID) {
	if id == nil {
		return
	}
	if s.seen == nil {
		s.seen = make(map[uuid.UUID]struct{})
	}
	if _, ok := s.seen[*id]; !ok {
		s.seen[*id] = struct{}{}
		s.ids = append(s.ids, *id)
	}
}

// AssetsOf names a nested asset connection: which assets belong to a parent
// object.
type AssetsOf string

const (
	// AssetsOfPerson are the assets assigned to a person (Person.assets).
	AssetsOfPerson AssetsOf = "person"
	// AssetsOfTeam are the assets a team owns (Team.ownedAssets).
	AssetsOfTeam AssetsOf = "team"
	// AssetsOfLocation are the assets at a location or anywhere below it
	// (Location.assets).
	AssetsOfLocation AssetsOf = "location"
)
