package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestNoNPlusOneNestedConnections: a nested connection (a
// person's assets, a team's members and owned assets, a location's assets)
// is fetched for all parents of a page at once, so 10 and 100 parents cost
// the same round trips, and each parent still gets exactly its own page.
func TestNoNPlusOneNestedConnections(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	const n = 100
	// batch runs one mutation document of many aliased fields, 50 at a time.
	batch := func(fields []string) map[string]any {
		out := map[string]any{}
		for len(fields) > 0 {
			k := min(50, len(fields))
			for key, v := range a.ok(admin, "mutation {\n"+strings.Join(fields[:k], "\n")+"\n}", nil) {
				out[key] = v
			}
			fields = fields[k:]
		}
		return out
	}
	var fields []string
	for i := range n {
		fields = append(fields, fmt.Sprintf(`t%d: createTeam(input: {name: "Team%03d"}) { team { id } }`, i, i),
			fmt.Sprintf(`b%d: createLocation(input: {kind: BUILDING, name: "B%03d", parentId: %q}) { location { id } }`, i, i, ids["location"]))
	}
	d := batch(fields)
	team := func(i int) string { return str(d, fmt.Sprintf("t%d.team.id", i)) }
	building := func(i int) string { return str(d, fmt.Sprintf("b%d.location.id", i)) }
	room := str(a.ok(admin, `mutation($p: ID!) { createLocation(input: {kind: ROOM, name: "R0", parentId: $p}) { location { id } } }`,
		map[string]any{"p": building(0)}), "createLocation.location.id")
	fields = nil
	for i := range n {
		fields = append(fields, fmt.Sprintf(`p%d: createPerson(input: {name: "Pers%03d", email: "p%d@acme.test", teamId: %q}) { person { id } }`, i, i, i, team(i)))
	}
	pd := batch(fields)
	person := func(i int) string { return str(pd, fmt.Sprintf("p%d.person.id", i)) }
	fields = nil
	for i := range n {
		fields = append(fields, fmt.Sprintf(`a%d: createAsset(input: {assetTag: "A%03d", modelId: %q, assigneeId: %q, ownerId: %q, locationId: %q}) { asset { id } }`,
			i, i, ids["model"], person(i), team(i), building(i)))
	}
	fields = append(fields, fmt.Sprintf(`x: createAsset(input: {assetTag: "A999", modelId: %q, assigneeId: %q, ownerId: %q, locationId: %q}) { asset { id } }`,
		ids["model"], person(0), team(0), room))
	batch(fields)

	queries := map[string]string{
		"person.assets": `query($n: Int) { people(first: $n, filter: {search: "Pers"}) { nodes { name
			assets(first: 1) { totalCount pageInfo { hasNextPage } nodes { assetTag model { name } location { name } } } } } }`,
		"team.members+ownedAssets": `query($n: Int) { teams(first: $n, filter: {search: "Team"}) { nodes { name
			members(first: 1) { totalCount nodes { name team { name } } }
			ownedAssets(first: 1, orderBy: {field: ASSET_TAG, direction: DESC}) { totalCount nodes { assetTag } } } } }`,
		"location.assets": `query($n: Int) { locations(first: $n) { nodes { name assets(first: 1) { totalCount nodes { assetTag } } } } }`,
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			measure := func(first int) (int64, []any) {
				before := a.rounds.Load()
				d := a.ok(admin, q, map[string]any{"n": first})
				rounds := a.rounds.Load() - before
				for _, v := range d {
					nodes := v.(map[string]any)["nodes"].([]any)
					require.Len(t, nodes, first)
					return rounds, nodes
				}
				panic("no data")
			}
			small, _ := measure(10)
			large, nodes := measure(n)
			t.Logf("round trips: 10 parents → %d, %d parents → %d", small, n, large)
			require.Equal(t, small, large)

			switch name {
			case "person.assets":
				// P000 holds A000 and the room's A999; everyone else one asset.
				require.Equal(t, "Pers000", str(nodes[0], "name"))
				require.EqualValues(t, 2, get(nodes[0], "assets.totalCount"))
				require.Equal(t, true, get(nodes[0], "assets.pageInfo.hasNextPage"))
				require.Equal(t, "A000", str(nodes[0], "assets.nodes.0.assetTag"))
				require.Equal(t, "B000", str(nodes[0], "assets.nodes.0.location.name"))
				for i, p := range nodes[1:] {
					require.EqualValues(t, 1, get(p, "assets.totalCount"))
					require.Equal(t, false, get(p, "assets.pageInfo.hasNextPage"))
					require.Equal(t, fmt.Sprintf("A%03d", i+1), str(p, "assets.nodes.0.assetTag"))
					require.Equal(t, "Latitude 7440", str(p, "assets.nodes.0.model.name"))
				}
			case "team.members+ownedAssets":
				require.Equal(t, "Team000", str(nodes[0], "name"))
				require.Equal(t, "A999", str(nodes[0], "ownedAssets.nodes.0.assetTag"), "each team's own order applies")
				require.EqualValues(t, 2, get(nodes[0], "ownedAssets.totalCount"))
				for i, tm := range nodes {
					require.EqualValues(t, 1, get(tm, "members.totalCount"))
					require.Equal(t, fmt.Sprintf("Pers%03d", i), str(tm, "members.nodes.0.name"))
					require.Equal(t, fmt.Sprintf("Team%03d", i), str(tm, "members.nodes.0.team.name"))
				}
			case "location.assets":
				byName := map[string]any{}
				for _, l := range nodes {
					byName[str(l, "name")] = l
				}
				// A location's assets include everything below it.
				require.EqualValues(t, 2, get(byName["B000"], "assets.totalCount"))
				require.EqualValues(t, 1, get(byName["B042"], "assets.totalCount"))
				require.Equal(t, "A042", str(byName["B042"], "assets.nodes.0.assetTag"))
			}
		})
	}

	// The site holds every building's assets, the room only its own.
	d = a.ok(admin, `{ locations(first: 200) { nodes { name assets(first: 1) { totalCount nodes { assetTag } } } } }`, nil)
	byName := map[string]any{}
	for _, l := range get(d, "locations.nodes").([]any) {
		byName[str(l, "name")] = l
	}
	require.EqualValues(t, n+1, get(byName["Berlin"], "assets.totalCount"))
	require.Equal(t, "A000", str(byName["Berlin"], "assets.nodes.0.assetTag"))
	require.EqualValues(t, 1, get(byName["R0"], "assets.totalCount"))
	require.Equal(t, "A999", str(byName["R0"], "assets.nodes.0.assetTag"))

	// Cursors of a nested page work as a top-level page's: the second page
	// of P000's assets (after A000) is A999, and nothing after that.
	d = a.ok(admin, `{ people(first: 1, filter: {search: "Pers000"}) { nodes { assets(first: 1) { edges { cursor } } } } }`, nil)
	cur := str(d, "people.nodes.0.assets.edges.0.cursor")
	d = a.ok(admin, `query($c: String) { people(first: 1, filter: {search: "Pers000"}) { nodes { assets(first: 1, after: $c) {
		pageInfo { hasNextPage hasPreviousPage } nodes { assetTag } } } } }`, map[string]any{"c": cur})
	require.Equal(t, "A999", str(d, "people.nodes.0.assets.nodes.0.assetTag"))
	require.Equal(t, false, get(d, "people.nodes.0.assets.pageInfo.hasNextPage"))
	require.Equal(t, true, get(d, "people.nodes.0.assets.pageInfo.hasPreviousPage"))

	// An employee reading people sees only themself, and through it only
	// their own assets; a manager's nested filters apply per parent.
	emp := mint(t, "acme", itam.RoleEmployee, "p0@acme.test")
	d = a.ok(emp, `{ people(first: 5) { nodes { name assets { totalCount nodes { assetTag } } } } }`, nil)
	require.Len(t, get(d, "people.nodes").([]any), 1)
	require.EqualValues(t, 2, get(d, "people.nodes.0.assets.totalCount"))
	d = a.ok(admin, `{ people(first: 3, filter: {search: "Pers00"}) { nodes { assets(filter: {search: "A999"}) { totalCount } } } }`, nil)
	require.EqualValues(t, 1, get(d, "people.nodes.0.assets.totalCount"))
	require.EqualValues(t, 0, get(d, "people.nodes.1.assets.totalCount"))
}

// TestNoNPlusOneAssetHistory: a page of assets with their history costs the
// same round trips for 10 and 100 assets, and each asset gets its own page.
func TestNoNPlusOneAssetHistory(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	var fields []string
	for i := range 100 {
		fields = append(fields, fmt.Sprintf(`a%d: createAsset(input: {assetTag: "H%03d", modelId: %q}) { asset { id version } }`, i, i, ids["model"]))
	}
	created := map[string]any{}
	for len(fields) > 0 {
		k := min(50, len(fields))
		for key, v := range a.ok(admin, "mutation {\n"+strings.Join(fields[:k], "\n")+"\n}", nil) {
			created[key] = v
		}
		fields = fields[k:]
	}
	// Every third asset gets a second entry, so pages differ per asset.
	for i := 0; i < 100; i += 3 {
		a.ok(admin, `mutation($id: ID!, $v: Int!) { updateAsset(input: {id: $id, version: $v, notes: "checked"}) { asset { id } } }`,
			map[string]any{"id": str(created, fmt.Sprintf("a%d.asset.id", i)), "v": get(created, fmt.Sprintf("a%d.asset.version", i))})
	}
	q := `query($n: Int) { assets(first: $n, filter: {search: "H"}) { nodes { assetTag
		history(first: 5) { pageInfo { hasNextPage } nodes { action changes { field } } } } } }`
	measure := func(n int) (int64, []any) {
		before := a.rounds.Load()
		d := a.ok(admin, q, map[string]any{"n": n})
		return a.rounds.Load() - before, get(d, "assets.nodes").([]any)
	}
	small, _ := measure(10)
	large, nodes := measure(100)
	t.Logf("round trips: history of 10 assets → %d, of 100 → %d", small, large)
	require.Equal(t, small, large)
	require.Len(t, nodes, 100)
	for i, n := range nodes {
		require.Equal(t, fmt.Sprintf("H%03d", i), str(n, "assetTag"))
		entries := get(n, "history.nodes").([]any)
		require.Equal(t, "CREATE", str(entries[0], "action"))
		if i%3 == 0 {
			require.Len(t, entries, 2, "asset %d", i)
			require.Equal(t, "UPDATE", str(entries[1], "action"))
		} else {
			require.Len(t, entries, 1, "asset %d", i)
		}
	}
}

// TestNodesSiblingsLeakNothing: nodes(ids:) records every id as a sibling
// for nested batching, including ids the caller may not see; those stay
// null and nothing of them is returned.
func TestNodesSiblingsLeakNothing(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	mine := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["ada"]}})
	other := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["grace"]}})
	emp := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	d := a.ok(emp, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Asset { assetTag history { nodes { action } } } } }`,
		map[string]any{"ids": []any{str(mine, "createAsset.asset.id"), str(other, "createAsset.asset.id")}})
	nodes := get(d, "nodes").([]any)
	require.NotNil(t, nodes[0])
	require.Nil(t, nodes[1], "another person's asset stays null")
	require.NotEmpty(t, get(nodes[0], "history.nodes"))
}
