package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

const (
	createPublisher = `mutation($in: CreateSoftwarePublisherInput!) { createSoftwarePublisher(input: $in) { softwarePublisher { id name website version } } }`
	updatePublisher = `mutation($in: UpdateSoftwarePublisherInput!) { updateSoftwarePublisher(input: $in) { softwarePublisher { id name website version } } }`
	deletePublisher = `mutation($id: ID!) { deleteSoftwarePublisher(input: {id: $id}) { deletedId } }`
	createProduct   = `mutation($in: CreateSoftwareProductInput!) { createSoftwareProduct(input: $in) { softwareProduct { id name editions notes version publisher { id name } } } }`
	updateProduct   = `mutation($in: UpdateSoftwareProductInput!) { updateSoftwareProduct(input: $in) { softwareProduct { id name editions notes version publisher { name } } } }`
	deleteProduct   = `mutation($id: ID!) { deleteSoftwareProduct(input: {id: $id}) { deletedId } }`
	catalogCounts   = `{ softwarePublishers { totalCount } softwareProducts { totalCount } }`
)

// TestSoftwareCatalogAPI: publishers and products through GraphQL — create,
// update, delete; bad input is BAD_USER_INPUT on its field and writes
// nothing; duplicates, stale versions and deletes of referenced rows are
// CONFLICT.
func TestSoftwareCatalogAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")

	d := a.ok(manager, createPublisher, map[string]any{"in": map[string]any{"name": "  Adobe ", "website": "https://adobe.com"}})
	pub := get(d, "createSoftwarePublisher.softwarePublisher")
	require.Equal(t, "Adobe", str(pub, "name"))
	pubID := str(pub, "id")
	d = a.ok(manager, createProduct, map[string]any{"in": map[string]any{"publisherId": pubID, "name": "Acrobat Pro",
		"editions": []any{"Standard", " standard", "Pro "}, "notes": "contract 7"}})
	prod := get(d, "createSoftwareProduct.softwareProduct")
	prodID := str(prod, "id")
	require.Equal(t, []any{"Standard", "Pro"}, get(prod, "editions"))
	require.Equal(t, "Adobe", str(prod, "publisher.name"))
	counts := a.ok(admin, catalogCounts, nil)

	long := strings.Repeat("x", 201)
	bad := []struct {
		name, query string
		in          map[string]any
		code, field string
	}{
		{"empty publisher name", createPublisher, map[string]any{"name": " "}, "BAD_USER_INPUT", "name"},
		{"publisher name too long", createPublisher, map[string]any{"name": long}, "BAD_USER_INPUT", "name"},
		{"bad website", createPublisher, map[string]any{"name": "X", "website": "adobe.com"}, "BAD_USER_INPUT", "website"},
		{"NUL in a name", createPublisher, map[string]any{"name": "A\x00"}, "BAD_USER_INPUT", "name"},
		{"duplicate publisher", createPublisher, map[string]any{"name": "ADOBE"}, "CONFLICT", "name"},
		{"null publisher name", updatePublisher, map[string]any{"id": pubID, "version": 1, "name": nil}, "BAD_USER_INPUT", "name"},
		{"stale publisher", updatePublisher, map[string]any{"id": pubID, "version": 7, "name": "Y"}, "CONFLICT", "version"},
		{"product id as publisher id", updatePublisher, map[string]any{"id": prodID, "version": 1}, "BAD_USER_INPUT", "id"},
		{"empty product name", createProduct, map[string]any{"publisherId": pubID, "name": ""}, "BAD_USER_INPUT", "name"},
		{"product name too long", createProduct, map[string]any{"publisherId": pubID, "name": long}, "BAD_USER_INPUT", "name"},
		{"blank edition", createProduct, map[string]any{"publisherId": pubID, "name": "Y", "editions": []any{"A", " "}}, "BAD_USER_INPUT", "editions[1]"},
		{"unknown publisher", createProduct, map[string]any{"publisherId": relay.ID(relay.TypeSoftwarePublisher, uuid.New()), "name": "Y"}, "BAD_USER_INPUT", "publisherId"},
		{"malformed publisher id", createProduct, map[string]any{"publisherId": "nope", "name": "Y"}, "BAD_USER_INPUT", "publisherId"},
		{"duplicate product", createProduct, map[string]any{"publisherId": pubID, "name": "acrobat pro"}, "CONFLICT", "name"},
		{"null product publisher", updateProduct, map[string]any{"id": prodID, "version": 1, "publisherId": nil}, "BAD_USER_INPUT", "publisherId"},
		{"stale product", updateProduct, map[string]any{"id": prodID, "version": 3, "name": "Z"}, "CONFLICT", "version"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			a.code(admin, tc.query, map[string]any{"in": tc.in}, tc.code, tc.field)
			require.Equal(t, counts, a.ok(admin, catalogCounts, nil), "nothing written")
		})
	}
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on SoftwareProduct { name version editions } } }`, map[string]any{"id": prodID})
	require.Equal(t, "Acrobat Pro", str(d, "node.name"), "refused updates changed nothing")
	require.EqualValues(t, 1, get(d, "node.version"))

	t.Run("delete refused while referenced", func(t *testing.T) {
		r := a.code(admin, deletePublisher, map[string]any{"id": pubID}, "CONFLICT", "id")
		require.Contains(t, r.Errors[0].Message, "still referenced by 1 product")
		org := a.orgID(admin)
		owner := a.owner()
		_, err := owner.Exec(context.Background(), `INSERT INTO licenses (org_id, product_id, license_model, seats) VALUES ($1, $2, 'PER_USER', 3)`, org, uid(t, prodID))
		require.NoError(t, err)
		r = a.code(admin, deleteProduct, map[string]any{"id": prodID}, "CONFLICT", "id")
		require.Contains(t, r.Errors[0].Message, "still referenced by 1 license")
		require.Equal(t, counts, a.ok(admin, catalogCounts, nil), "nothing deleted")
		_, err = owner.Exec(context.Background(), `DELETE FROM licenses WHERE org_id = $1`, org)
		require.NoError(t, err)
	})

	t.Run("update and delete", func(t *testing.T) {
		d := a.ok(manager, updatePublisher, map[string]any{"in": map[string]any{"id": pubID, "version": 1, "website": nil, "name": "Adobe Inc."}})
		require.Nil(t, get(d, "updateSoftwarePublisher.softwarePublisher.website"))
		require.EqualValues(t, 2, get(d, "updateSoftwarePublisher.softwarePublisher.version"))
		d = a.ok(admin, createPublisher, map[string]any{"in": map[string]any{"name": "Slack"}})
		slack := str(d, "createSoftwarePublisher.softwarePublisher.id")
		d = a.ok(manager, updateProduct, map[string]any{"in": map[string]any{"id": prodID, "version": 1, "publisherId": slack, "editions": nil, "notes": " "}})
		p := get(d, "updateSoftwareProduct.softwareProduct")
		require.Equal(t, "Slack", str(p, "publisher.name"))
		require.Equal(t, []any{}, get(p, "editions"))
		require.Nil(t, get(p, "notes"))
		require.EqualValues(t, 2, get(p, "version"))
		a.ok(manager, deleteProduct, map[string]any{"id": prodID})
		a.ok(manager, deletePublisher, map[string]any{"id": pubID})
		a.code(manager, deletePublisher, map[string]any{"id": pubID}, "NOT_FOUND", "")
		d = a.ok(admin, `{ softwarePublishers { totalCount nodes { name } } softwareProducts { totalCount } }`, nil)
		require.EqualValues(t, 1, get(d, "softwarePublishers.totalCount"))
		require.Equal(t, "Slack", str(d, "softwarePublishers.nodes.0.name"))
		require.EqualValues(t, 0, get(d, "softwareProducts.totalCount"))
	})
}

// TestSoftwareCatalogRolesAndTenants: ADMIN and MANAGER write the catalog,
// AUDITOR and EMPLOYEE get FORBIDDEN; every role reads it, EMPLOYEE without
// product notes; another organization sees none of it, by list or node(id:),
// and cannot change it.
func TestSoftwareCatalogRolesAndTenants(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createPublisher, map[string]any{"in": map[string]any{"name": "Adobe"}})
	pubID := str(d, "createSoftwarePublisher.softwarePublisher.id")
	d = a.ok(admin, createProduct, map[string]any{"in": map[string]any{"publisherId": pubID, "name": "Acrobat Pro", "notes": "contract 7"}})
	prodID := str(d, "createSoftwareProduct.softwareProduct.id")

	readers := map[itam.Role]string{
		itam.RoleAdmin: admin, itam.RoleManager: mint(t, "acme", itam.RoleManager, "it@acme.test"),
		itam.RoleAuditor: mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), itam.RoleEmployee: mint(t, "acme", itam.RoleEmployee, "ada@example.com"),
	}
	const read = `query($id: ID!) { softwarePublishers { totalCount nodes { name } }
		softwareProducts(filter: {search: "acro"}) { totalCount nodes { name notes publisher { name } } }
		node(id: $id) { ... on SoftwareProduct { name notes } } }`
	for role, tok := range readers {
		t.Run("read "+string(role), func(t *testing.T) {
			d := a.ok(tok, read, map[string]any{"id": prodID})
			require.EqualValues(t, 1, get(d, "softwarePublishers.totalCount"))
			require.Equal(t, "Acrobat Pro", str(d, "softwareProducts.nodes.0.name"))
			require.Equal(t, "Adobe", str(d, "softwareProducts.nodes.0.publisher.name"))
			require.Equal(t, "Acrobat Pro", str(d, "node.name"))
			if role == itam.RoleEmployee {
				require.Nil(t, get(d, "softwareProducts.nodes.0.notes"), "notes are hidden from EMPLOYEE")
				require.Nil(t, get(d, "node.notes"))
			} else {
				require.Equal(t, "contract 7", str(d, "softwareProducts.nodes.0.notes"))
			}
		})
	}
	writes := []struct {
		query string
		in    map[string]any
	}{
		{createPublisher, map[string]any{"in": map[string]any{"name": "X"}}},
		{updatePublisher, map[string]any{"in": map[string]any{"id": pubID, "version": 1, "name": "X"}}},
		{deletePublisher, map[string]any{"id": pubID}},
		{createProduct, map[string]any{"in": map[string]any{"publisherId": pubID, "name": "X"}}},
		{updateProduct, map[string]any{"in": map[string]any{"id": prodID, "version": 1, "name": "X"}}},
		{deleteProduct, map[string]any{"id": prodID}},
	}
	counts := a.ok(admin, catalogCounts, nil)
	for _, role := range []itam.Role{itam.RoleAuditor, itam.RoleEmployee} {
		for _, w := range writes {
			a.code(readers[role], w.query, w.in, "FORBIDDEN", "")
		}
	}
	require.Equal(t, counts, a.ok(admin, catalogCounts, nil), "refused writes wrote nothing")
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on SoftwareProduct { name version } } }`, map[string]any{"id": prodID})
	require.EqualValues(t, 1, get(d, "node.version"))

	t.Run("offboarded EMPLOYEE reads nothing", func(t *testing.T) {
		d := a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Person { version } } }`, map[string]any{"id": ids["ada"]})
		a.ok(admin, `mutation($id: ID!, $v: Int!) { updatePerson(input: {id: $id, version: $v, status: OFFBOARDED}) { person { status } } }`,
			map[string]any{"id": ids["ada"], "v": get(d, "node.version")})
		a.code(readers[itam.RoleEmployee], `{ softwarePublishers { totalCount } }`, nil, "FORBIDDEN", "")
		a.code(readers[itam.RoleEmployee], `{ softwareProducts { nodes { name } } }`, nil, "FORBIDDEN", "")
	})

	t.Run("another organization", func(t *testing.T) {
		globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
		d := a.ok(globex, `query($p: ID!, $q: ID!) { softwarePublishers { totalCount } softwareProducts { totalCount }
			p: node(id: $p) { id } q: node(id: $q) { id } nodes(ids: [$p, $q]) { id } }`, map[string]any{"p": pubID, "q": prodID})
		require.EqualValues(t, 0, get(d, "softwarePublishers.totalCount"))
		require.EqualValues(t, 0, get(d, "softwareProducts.totalCount"))
		require.Nil(t, get(d, "p"))
		require.Nil(t, get(d, "q"))
		require.Equal(t, []any{nil, nil}, get(d, "nodes"))
		a.code(globex, updatePublisher, map[string]any{"in": map[string]any{"id": pubID, "version": 1, "name": "Mine"}}, "NOT_FOUND", "")
		a.code(globex, deleteProduct, map[string]any{"id": prodID}, "NOT_FOUND", "")
		a.code(globex, createProduct, map[string]any{"in": map[string]any{"publisherId": pubID, "name": "Mine"}}, "BAD_USER_INPUT", "publisherId")
		a.code(globex, `{ softwareProducts(filter: {publisherId: "nope"}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.publisherId")
		d = a.ok(globex, `query($p: ID!) { softwareProducts(filter: {publisherId: $p}) { totalCount } }`, map[string]any{"p": pubID})
		require.EqualValues(t, 0, get(d, "softwareProducts.totalCount"))
		require.Equal(t, counts, a.ok(admin, catalogCounts, nil))
	})
}

// installFixture gives acme n products of one publisher and a few assets
// (the first assigned to Ada), each product installed on two assets from
// two sources, plus an ended installation per product, written as the
// owner the way syncs write them. It returns the product ids in name order
// and the asset ids.
func installFixture(t *testing.T, a *api, admin string, n int) (products, assets []string) {
	t.Helper()
	ids := a.inventory(admin)
	for i := range 4 {
		in := map[string]any{"modelId": ids["model"], "assetTag": fmt.Sprintf("SW%d", i)}
		if i == 0 {
			in["assigneeId"] = ids["ada"]
		}
		d := a.ok(admin, createAsset, map[string]any{"in": in})
		assets = append(assets, str(d, "createAsset.asset.id"))
	}
	pub := str(a.ok(admin, createPublisher, map[string]any{"in": map[string]any{"name": "Acme Soft"}}), "createSoftwarePublisher.softwarePublisher.id")
	for k := 0; k < n; k += 50 {
		var fields []string
		for i := k; i < min(n, k+50); i++ {
			fields = append(fields, fmt.Sprintf(`p%d: createSoftwareProduct(input: {publisherId: %q, name: "Prod%03d"}) { softwareProduct { id } }`, i, pub, i))
		}
		d := a.ok(admin, "mutation {\n"+strings.Join(fields, "\n")+"\n}", nil)
		for i := k; i < min(n, k+50); i++ {
			products = append(products, str(d, fmt.Sprintf("p%d.softwareProduct.id", i)))
		}
	}
	org := a.orgID(admin)
	prodIDs := uuids(t, products)
	// Product i is on asset i%4 (JAMF_PRO) and asset (i+1)%4 (INTUNE), and
	// ended on asset (i+2)%4.
	_, err := a.owner().Exec(context.Background(), `
		INSERT INTO software_installations (org_id, asset_id, source, app_key, title, product_id, ended_at)
		SELECT $1, a.asset, s.source, 'app' || p.i, 'App ' || p.i, p.product, s.ended
		FROM unnest($2::uuid[]) WITH ORDINALITY p(product, i)
		CROSS JOIN (VALUES ('JAMF_PRO', 0, NULL::timestamptz), ('INTUNE', 1, NULL), ('KANDJI', 2, now())) s(source, shift, ended)
		CROSS JOIN LATERAL (SELECT ($3::uuid[])[((p.i - 1 + s.shift) % $4) + 1] AS asset) a`,
		org, prodIDs, uuids(t, assets), len(assets))
	require.NoError(t, err)
	return products, assets
}

// TestNoNPlusOneSoftwareProductInstallations: SoftwareProduct.installations
// (with each installation's asset and its relations, and its product) is
// fetched for every product of a page at once: 10 and 100 products cost
// the same round trips, and each product gets exactly its own page.
func TestNoNPlusOneSoftwareProductInstallations(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	const n = 100
	products, assets := installFixture(t, a, admin, n)
	const q = `query($n: Int) { softwareProducts(first: $n, filter: {search: "Prod"}) { nodes { id name publisher { name }
		installations(first: 5) { totalCount pageInfo { hasNextPage } nodes { title source endedAt
			asset { id assetTag model { name } } product { id name } } } } } }`
	measure := func(first int) (int64, []any) {
		before := a.rounds.Load()
		d := a.ok(admin, q, map[string]any{"n": first})
		nodes := get(d, "softwareProducts.nodes").([]any)
		require.Len(t, nodes, first)
		return a.rounds.Load() - before, nodes
	}
	small, _ := measure(10)
	large, nodes := measure(n)
	t.Logf("round trips: 10 products → %d, %d products → %d", small, n, large)
	require.Equal(t, small, large)
	for i, p := range nodes {
		require.Equal(t, products[i], str(p, "id"))
		require.Equal(t, "Acme Soft", str(p, "publisher.name"))
		require.EqualValues(t, 2, get(p, "installations.totalCount"), "the ended installation is history, not current")
		require.Equal(t, false, get(p, "installations.pageInfo.hasNextPage"))
		got := map[string]string{}
		for _, x := range get(p, "installations.nodes").([]any) {
			require.Equal(t, fmt.Sprintf("App %d", i+1), str(x, "title"))
			require.Nil(t, get(x, "endedAt"))
			require.Equal(t, products[i], str(x, "product.id"))
			require.Equal(t, "Latitude 7440", str(x, "asset.model.name"))
			got[str(x, "source")] = str(x, "asset.id")
		}
		require.Equal(t, map[string]string{"JAMF_PRO": assets[i%4], "INTUNE": assets[(i+1)%4]}, got)
	}
}

// TestSoftwareProductInstallationsEmployee: an EMPLOYEE sees a product's
// installations on the devices assigned to them only; an AUDITOR all of
// them; another organization none; pages follow cursors.
func TestSoftwareProductInstallationsEmployee(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	products, assets := installFixture(t, a, admin, 4)
	const q = `query($id: ID!, $after: String) { node(id: $id) { ... on SoftwareProduct {
		installations(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { source asset { id assetTag } } } } } }`
	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	// Product 0 is on Ada's asset (JAMF_PRO) and asset 1; product 3 on
	// asset 3 and Ada's (INTUNE); products 1 and 2 not on hers.
	for i, want := range []string{"JAMF_PRO", "", "", "INTUNE"} {
		d := a.ok(ada, q, map[string]any{"id": products[i]})
		if want == "" {
			require.EqualValues(t, 0, get(d, "node.installations.totalCount"), "product %d", i)
			require.Empty(t, get(d, "node.installations.nodes"))
			continue
		}
		require.EqualValues(t, 1, get(d, "node.installations.totalCount"), "product %d", i)
		require.Equal(t, want, str(d, "node.installations.nodes.0.source"))
		require.Equal(t, assets[0], str(d, "node.installations.nodes.0.asset.id"))
	}
	auditor := mint(t, "acme", itam.RoleAuditor, "audit@acme.test")
	var seen []string
	var after any
	for range 3 {
		d := a.ok(auditor, q, map[string]any{"id": products[0], "after": after})
		require.EqualValues(t, 2, get(d, "node.installations.totalCount"))
		for _, x := range get(d, "node.installations.nodes").([]any) {
			seen = append(seen, str(x, "asset.assetTag"))
		}
		if get(d, "node.installations.pageInfo.hasNextPage") != true {
			break
		}
		after = get(d, "node.installations.pageInfo.endCursor")
	}
	require.ElementsMatch(t, []string{"SW0", "SW1"}, seen)
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	d := a.ok(globex, q, map[string]any{"id": products[0]})
	require.Nil(t, get(d, "node"))
}
