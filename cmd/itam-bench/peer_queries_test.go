package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// peerTestSchema is the part of PostGraphile's schema the bench reads, with
// its relation fields named after composite foreign keys.
func peerTestSchema() peerSchema {
	return peerSchema{
		"Query":           {"allAssets", "allPeople", "allLocations"},
		"AssetOrderBy":    {"PRIMARY_KEY_ASC", "ASSET_TAG_ASC"},
		"PersonOrderBy":   {"PRIMARY_KEY_ASC", "NAME_ASC"},
		"LocationOrderBy": {"PRIMARY_KEY_ASC", "NAME_ASC"},
		"Asset": {"assetTag", "modelByOrgIdAndModelId", "manufacturerByOrgIdAndManufacturerId", "personByOrgIdAndAssignedPersonId",
			"locationByOrgIdAndAssignedLocationId", "personByOrgIdAndOwnerPersonId", "teamByOrgIdAndOwnerTeamId", "locationByOrgIdAndLocationId"},
		"Model":    {"manufacturerByOrgIdAndManufacturerId", "categoryByOrgIdAndCategoryId"},
		"Person":   {"assetsByOrgIdAndAssignedPersonId", "assetsByOrgIdAndOwnerPersonId"},
		"Location": {"assetsByOrgIdAndAssignedLocationId", "assetsByOrgIdAndLocationId"},
	}
}

func TestBuildPeerQueries(t *testing.T) {
	q, err := buildPeerQueries(peerTestSchema())
	require.NoError(t, err)
	require.Contains(t, q.docs["list"], "personByOrgIdAndAssignedPersonId { id name email } locationByOrgIdAndAssignedLocationId { id name }")
	require.Contains(t, q.docs["list"], "locationByOrgIdAndLocationId { id name kind }")
	require.Contains(t, q.docs["nested-locations"], "assetsByOrgIdAndLocationId(first: 1)")
	require.Contains(t, q.docs["nested-people"], "assetsByOrgIdAndAssignedPersonId(first: 5")

	// A PostGraphile answer reads like the server's fingerprint.
	data := json.RawMessage(`{"allAssets":{"edges":[{"cursor":"c","node":{"assetTag":"LT-1",
		"modelByOrgIdAndModelId":{"name":"X1","manufacturerByOrgIdAndManufacturerId":{"name":"Lenovo"},"categoryByOrgIdAndCategoryId":{"name":"Laptops"}},
		"manufacturerByOrgIdAndManufacturerId":{"name":"Lenovo"},"personByOrgIdAndAssignedPersonId":null,
		"locationByOrgIdAndAssignedLocationId":{"name":"Berlin"},"personByOrgIdAndOwnerPersonId":null,
		"teamByOrgIdAndOwnerTeamId":{"name":"IT"},"locationByOrgIdAndLocationId":null}}]}}`)
	fp, err := q.fps["list"](data)
	require.NoError(t, err)
	require.Equal(t, []string{"LT-1|X1|Lenovo|Laptops|Lenovo|Laptops|Berlin|IT|-"}, fp)

	people := json.RawMessage(`{"allPeople":{"nodes":[{"name":"Ada","assetsByOrgIdAndAssignedPersonId":{"totalCount":7,
		"nodes":[{"assetTag":"LT-1","modelByOrgIdAndModelId":{"name":"X1"}}]}}]}}`)
	fp, err = q.fps["nested-people"](people)
	require.NoError(t, err)
	require.Equal(t, []string{"Ada|7|LT-1:X1"}, fp)
}

func TestBuildPeerQueriesNamesWhatIsMissing(t *testing.T) {
	s := peerTestSchema()
	s["AssetOrderBy"] = []string{"PRIMARY_KEY_ASC"}
	delete(s, "Model")
	_, err := buildPeerQueries(s)
	require.ErrorContains(t, err, "AssetOrderBy.ASSET_TAG_ASC")
	require.ErrorContains(t, err, "Model.manufacturerBy…ManufacturerId")
}
