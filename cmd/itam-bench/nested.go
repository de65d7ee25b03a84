package main

// The analyst queries over nested connections (issue 14, target 4): the
// first 100 locations with how many assets are at or below each, and the
// first 100 people with their asset count and first five assets.

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

const nestedLocationsDoc = `query NestedLocations { locations(first: 100) { nodes { name assets(first: 1) { totalCount } } } }`

const nestedPeopleDoc = `query NestedPeople { people(first: 100) { nodes { name assets(first: 5) { totalCount nodes { assetTag model { name } } } } } }`

func nestedWorkloads() []workload {
	none := func(*rand.Rand, *samples) params { return params{} }
	noVars := func(params) map[string]any { return nil }
	return []workload{
		{
			key: "nested-locations", title: "10 locations(100) × assets totalCount", op: "NestedLocations", doc: nestedLocationsDoc,
			gen: none, vars: noVars, floor: floorNestedLocations, sql: sqlNestedLocations, serverFP: serverNestedLocationsFP,
			peerKey: "nested-locations",
		},
		{
			key: "nested-people", title: "11 people(100) × assets(5) + model", op: "NestedPeople", doc: nestedPeopleDoc,
			gen: none, vars: noVars, floor: floorNestedPeople, sql: sqlNestedPeople, serverFP: serverNestedPeopleFP,
			peerKey: "nested-people",
		},
	}
}

func floorNestedLocations(ctx context.Context, st stores, _ params, fp *[]string) error {
	first := 100
	page, err := st.locations.ListLocations(ctx, itam.LocationFilter{}, itam.PageArgs{First: &first})
	if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(page.Items))
	for i, l := range page.Items {
		ids[i] = l.ID
	}
	counts, err := st.assets.CountAssetsOf(ctx, itam.AssetsOfLocation, ids, nil)
	if err != nil {
		return err
	}
	if fp != nil {
		for _, l := range page.Items {
			*fp = append(*fp, l.Name+"|"+strconv.Itoa(counts[l.ID]))
		}
	}
	return nil
}

func floorNestedPeople(ctx context.Context, st stores, _ params, fp *[]string) error {
	first, five := 100, 5
	page, err := st.people.ListPeople(ctx, itam.PersonQuery{}, itam.PageArgs{First: &first})
	if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(page.Items))
	for i, p := range page.Items {
		ids[i] = p.ID
	}
	assets, err := st.assets.ListAssetsOf(ctx, itam.AssetsOfPerson, ids, itam.AssetQuery{}, itam.PageArgs{First: &five})
	if err != nil {
		return err
	}
	counts, err := st.assets.CountAssetsOf(ctx, itam.AssetsOfPerson, ids, nil)
	if err != nil {
		return err
	}
	var modelIDs []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, pg := range assets {
		for _, a := range pg.Items {
			if !seen[a.ModelID] {
				seen[a.ModelID] = true
				modelIDs = append(modelIDs, a.ModelID)
			}
		}
	}
	models, err := st.models.ModelsByIDs(ctx, modelIDs)
	if err != nil {
		return err
	}
	if fp != nil {
		for _, p := range page.Items {
			items := assets[p.ID].Items
			*fp = append(*fp, nestedPersonFP(p.Name, counts[p.ID], func(yield func(string, string) bool) {
				for _, a := range items {
					name := ""
					if m := models[a.ModelID]; m != nil {
						name = m.Name
					}
					if !yield(a.AssetTag, name) {
						return
					}
				}
			}))
		}
	}
	return nil
}

func serverNestedLocationsFP(data json.RawMessage) ([]string, error) {
	var d struct {
		Locations struct {
			Nodes []struct {
				Name   string `json:"name"`
				Assets struct {
					TotalCount int `json:"totalCount"`
				} `json:"assets"`
			} `json:"nodes"`
		} `json:"locations"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, n := range d.Locations.Nodes {
		out = append(out, n.Name+"|"+strconv.Itoa(n.Assets.TotalCount))
	}
	return out, nil
}

// nestedPeopleData is nestedPeopleDoc's answer (the peer's is mapped to it).
type nestedPeopleData struct {
	People struct {
		Nodes []struct {
			Name   string `json:"name"`
			Assets struct {
				TotalCount int `json:"totalCount"`
				Nodes      []struct {
					AssetTag string `json:"assetTag"`
					Model    named  `json:"model"`
				} `json:"nodes"`
			} `json:"assets"`
		} `json:"nodes"`
	} `json:"people"`
}

func serverNestedPeopleFP(data json.RawMessage) ([]string, error) {
	var d nestedPeopleData
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, n := range d.People.Nodes {
		out = append(out, nestedPersonFP(n.Name, n.Assets.TotalCount, func(yield func(string, string) bool) {
			for _, a := range n.Assets.Nodes {
				if !yield(a.AssetTag, a.Model.Name) {
					return
				}
			}
		}))
	}
	return out, nil
}
