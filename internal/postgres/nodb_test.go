// Tests of the store's pure functions: no database needed.
package postgres

import (
	"strings"
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
	all := RelationIDsOf(assets, AssetRelationKinds{Model: true, Manufacturer: true, Category: true, Assignee: true, Owner: true, Location: true})
	require.Equal(t, AssetRelationIDs{
		Models:             []uuid.UUID{m1, m2},
		Manufacturers:      []uuid.UUID{mf},
		CategoriesOfModels: []uuid.UUID{m1, m2},
		People:             []uuid.UUID{ann, bob},
		Teams:              []uuid.UUID{team},
		Locations:          []uuid.UUID{room, site},
	}, all, "distinct, in first-seen order")

	// Only what is shown is loaded: categories need the model ids, not the models.
	some := RelationIDsOf(assets, AssetRelationKinds{Category: true, Owner: true})
	require.Equal(t, AssetRelationIDs{
		CategoriesOfModels: []uuid.UUID{m1, m2},
		People:             []uuid.UUID{bob, ann},
		Teams:              []uuid.UUID{team},
	}, some)
	require.Equal(t, AssetRelationIDs{}, RelationIDsOf(assets, AssetRelationKinds{}))
}

func TestKnownSource(t *testing.T) {
	id := uuid.New()
	for s, want := range map[string]bool{
		"manual": true, "procurement": true, "authoritative": true,
		"JAMF_PRO": true, "INTUNE": true, "KANDJI": true, "FLEET": true,
		"INTUNE:" + id.String():                  true,
		"INTUNE:" + strings.ToUpper(id.String()): false, // sources are recorded lower-case
		"INTUNE:not-a-uuid":                      false,
		"SCCM":                                   false,
		"SCCM:" + id.String():                    false,
		"":                                       false,
		"Manual":                                 false,
	} {
		require.Equal(t, want, knownSource(s), s)
	}
	require.NoError(t, requireSyncedField("name"))
	require.Error(t, requireSyncedField("notes"))
}
