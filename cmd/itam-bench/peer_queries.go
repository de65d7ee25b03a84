package main

// The peer's equivalents of the workloads it can express, built from its
// introspected schema (its relation fields are named after the foreign
// keys, e.g. modelByOrgIdAndModelId), and the fingerprints of its answers
// in the server's format, so the first answer is compared like the floors'.

import (
	"encoding/json"
	"fmt"
	"strings"
)

// peerQueries are PostGraphile's documents, keyed by workload peerKey.
type peerQueries struct {
	allAssets string // the root field of assets (allAssets)
	walk      string // pages of 500 assets' cursors in tag order
	docs      map[string]string
	fps       map[string]func(json.RawMessage) ([]string, error)
	// notes say how a peer query differs from the server's, per peerKey.
	notes map[string]string
}

// buildPeerQueries writes the peer's queries; an error names the fields
// its schema lacks.
func buildPeerQueries(s peerSchema) (peerQueries, error) {
	var miss []string
	rel := func(typ, prefix, suffix string) string { return s.field(typ, prefix, suffix, &miss) }
	q := peerQueries{docs: map[string]string{}, fps: map[string]func(json.RawMessage) ([]string, error){}, notes: map[string]string{}}
	q.allAssets = rel("Query", "allAssets", "allAssets")
	people := rel("Query", "allPeople", "allPeople")
	locations := rel("Query", "allLocations", "allLocations")
	// The order enums are <Type>OrderBy in 5.1.5 (<Types>OrderBy before).
	for _, want := range [][2]string{{"Asset", "ASSET_TAG_ASC"}, {"Person", "NAME_ASC"}, {"Location", "NAME_ASC"}} {
		if !s.has(want[0]+"OrderBy", want[1]) && !s.has(want[0]+"sOrderBy", want[1]) {
			miss = append(miss, want[0]+"OrderBy."+want[1])
		}
	}
	model := rel("Asset", "modelBy", "ModelId")
	mfr := rel("Asset", "manufacturerBy", "ManufacturerId")
	mMfr := rel("Model", "manufacturerBy", "ManufacturerId")
	mCat := rel("Model", "categoryBy", "CategoryId")
	aPerson := rel("Asset", "personBy", "AssignedPersonId")
	aLoc := rel("Asset", "locationBy", "AssignedLocationId")
	oPerson := rel("Asset", "personBy", "OwnerPersonId")
	oTeam := rel("Asset", "teamBy", "OwnerTeamId")
	loc := rel("Asset", "locationBy", "AndLocationId")
	personAssets := rel("Person", "assetsBy", "AssignedPersonId")
	locAssets := rel("Location", "assetsBy", "AndLocationId")
	if len(miss) > 0 {
		return q, fmt.Errorf("its schema lacks %s", strings.Join(miss, ", "))
	}
	q.walk = fmt.Sprintf(`query PeerWalk($after: Cursor) { %s(first: 500, after: $after, orderBy: [ASSET_TAG_ASC]) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, q.allAssets)
	q.docs["list"] = fmt.Sprintf(`query PeerListAssets($after: Cursor) {
  %s(first: 100, after: $after, orderBy: [ASSET_TAG_ASC]) {
    edges {
      cursor
      node {
        id assetTag serialNumber name status condition purchaseDate warrantyEnd
        %s { id name modelNumber %s { id name } %s { id name kind } }
        %s { id name }
        %s { id name email } %s { id name }
        %s { id name } %s { id name }
        %s { id name kind }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`, q.allAssets, model, mMfr, mCat, mfr, aPerson, aLoc, oPerson, oTeam, loc)
	q.notes["list"] = "the asset's category is its model's (PostGraphile has no asset.category; the server's is the same)"
	q.fps["list"] = func(data json.RawMessage) ([]string, error) {
		var d map[string]struct {
			Edges []struct {
				Node map[string]json.RawMessage `json:"node"`
			} `json:"edges"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, err
		}
		var out []string
		for _, e := range d[q.allAssets].Edges {
			n := e.Node
			var tag string
			_ = json.Unmarshal(n["assetTag"], &tag)
			var mm map[string]json.RawMessage
			_ = json.Unmarshal(n[model], &mm)
			out = append(out, strings.Join([]string{tag, nameIn(n[model]), nameIn(mm[mMfr]), nameIn(mm[mCat]), nameIn(n[mfr]), nameIn(mm[mCat]),
				firstName(n[aPerson], n[aLoc]), firstName(n[oPerson], n[oTeam]), nameIn(n[loc])}, "|"))
		}
		return out, nil
	}
	q.docs["nested-people"] = fmt.Sprintf(`query PeerNestedPeople { %s(first: 100, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { name %s(first: 5, orderBy: [ASSET_TAG_ASC]) { totalCount nodes { assetTag %s { name } } } } } }`,
		people, personAssets, model)
	q.fps["nested-people"] = func(data json.RawMessage) ([]string, error) {
		// Renamed to the server's field names, then read like its answer.
		s := strings.NewReplacer(`"`+people+`"`, `"people"`, `"`+personAssets+`"`, `"assets"`, `"`+model+`"`, `"model"`).Replace(string(data))
		return serverNestedPeopleFP(json.RawMessage(s))
	}
	q.docs["nested-locations"] = fmt.Sprintf(`query PeerNestedLocations { %s(first: 100, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { name %s(first: 1) { totalCount } } } }`,
		locations, locAssets)
	q.notes["nested-locations"] = "the peer counts the assets directly at each location: its schema cannot ask for those anywhere below"
	q.fps["nested-locations"] = func(data json.RawMessage) ([]string, error) {
		s := strings.NewReplacer(`"`+locations+`"`, `"locations"`, `"`+locAssets+`"`, `"assets"`).Replace(string(data))
		fp, err := serverNestedLocationsFP(json.RawMessage(s))
		return namesOnly(fp), err
	}
	return q, nil
}

// namesOnly keeps the part of each fingerprint before the first "|".
func namesOnly(fp []string) []string {
	out := make([]string, len(fp))
	for i, s := range fp {
		out[i], _, _ = strings.Cut(s, "|")
	}
	return out
}

// nameIn is the name of a JSON object, "-" when null.
func nameIn(raw json.RawMessage) string {
	var n *named
	_ = json.Unmarshal(raw, &n)
	return nameOf(n)
}

// firstName is the name of the first non-null object of a union's members.
func firstName(raws ...json.RawMessage) string {
	for _, r := range raws {
		if s := nameIn(r); s != "-" {
			return s
		}
	}
	return "-"
}
