package itam_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestRelationIDsOf(t *testing.T) {
	m1, m2, mf, ann, bob, team, room, site := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	assets := []*itam.Asset{
		{ModelID: m1, ManufacturerID: mf, AssignedPersonID: &ann, OwnerTeamID: &team, LocationID: &room},
		{ModelID: m2, ManufacturerID: mf, AssignedLocationID: &site, OwnerPersonID: &bob, LocationID: &room},
		{ModelID: m1, ManufacturerID: mf, AssignedPersonID: &ann, OwnerPersonID: &ann},
	}
	all := itam.RelationIDsOf(assets, itam.AssetRelationKinds{Model: true, Manufacturer: true, Category: true, Assignee: true, Owner: true, Location: true})
	require.Equal(t, itam.AssetRelationIDs{
		Models:             []uuid.UUID{m1, m2},
		Manufacturers:      []uuid.UUID{mf},
		CategoriesOfModels: []uuid.UUID{m1, m2},
		People:             []uuid.UUID{ann, bob},
		Teams:              []uuid.UUID{team},
		Locations:          []uuid.UUID{room, site},
	}, all, "distinct, in first-seen order")

	// Only what is shown is loaded: categories need the model ids, not the models.
	some := itam.RelationIDsOf(assets, itam.AssetRelationKinds{Category: true, Owner: true})
	require.Equal(t, itam.AssetRelationIDs{
		CategoriesOfModels: []uuid.UUID{m1, m2},
		People:             []uuid.UUID{bob, ann},
		Teams:              []uuid.UUID{team},
	}, some)
	require.Equal(t, itam.AssetRelationIDs{}, itam.RelationIDsOf(assets, itam.AssetRelationKinds{}))
}
