package main

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph/relay"
	"github.com/itam-dev/itam/internal/itam"
)

// TestOrgClaimByID: a token may name its organization by id, but only one
// that exists; a well-signed token with a made-up id is refused like an
// unknown slug.
func TestOrgClaimByID(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	a.inventory(admin)
	_, org, _ := relay.Parse(str(a.ok(admin, `{ organization { id } }`, nil), "organization.id"))

	d := a.ok(mint(t, org.String(), itam.RoleAuditor, "audit@acme.test"), `{ organization { name } people { totalCount } }`, nil)
	require.Equal(t, "Acme", str(d, "organization.name"))
	require.EqualValues(t, 2, get(d, "people.totalCount"))

	for _, claim := range []string{uuid.NewString(), uuid.Nil.String()} {
		r := a.do(mint(t, claim, itam.RoleAdmin, "admin@acme.test"), `{ organization { name } }`, nil)
		require.Equal(t, http.StatusUnauthorized, r.status, claim)
		require.Equal(t, "UNAUTHENTICATED", r.Errors[0].Extensions["code"], claim)
		require.Equal(t, "unknown organization", r.Errors[0].Message, claim)
		require.Nil(t, r.Data)
	}
}

// TestOffboardedEmployeeThroughAPI: offboarding a person ends what their
// EMPLOYEE token reads (FORBIDDEN), while staff tokens keep working; a
// token for an email with no person record reads nothing, without error.
func TestOffboardedEmployeeThroughAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["ada"]}})
	asset := str(d, "createAsset.asset.id")
	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	const mine = `{ assets { totalCount nodes { id } } viewer { person { name } } }`
	d = a.ok(ada, mine, nil)
	require.EqualValues(t, 1, get(d, "assets.totalCount"))

	// Offboarding takes the assets back first.
	a.ok(admin, `mutation($id: ID!) { unassignAsset(input: {id: $id}) { asset { id } } }`, map[string]any{"id": asset})
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Person { version } } }`, map[string]any{"id": ids["ada"]})
	a.ok(admin, `mutation($id: ID!, $v: Int!) { updatePerson(input: {id: $id, version: $v, status: OFFBOARDED}) { person { status } } }`,
		map[string]any{"id": ids["ada"], "v": get(d, "node.version")})

	a.code(ada, `{ assets { totalCount } }`, nil, "FORBIDDEN", "")
	a.code(ada, `{ viewer { person { name } } }`, nil, "FORBIDDEN", "")
	a.code(ada, `{ people { nodes { name } } }`, nil, "FORBIDDEN", "")
	a.code(ada, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ids["ada"]}, "FORBIDDEN", "")
	a.code(ada, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{asset, ids["model"]}}, "FORBIDDEN", "")
	d = a.ok(mint(t, "acme", itam.RoleManager, "ada@example.com"), `{ assets { totalCount } }`, nil)
	require.EqualValues(t, 1, get(d, "assets.totalCount"), "only EMPLOYEE tokens read through a person record")

	d = a.ok(mint(t, "acme", itam.RoleEmployee, "nobody@example.com"), mine, nil)
	require.EqualValues(t, 0, get(d, "assets.totalCount"))
	require.Nil(t, get(d, "viewer.person"))
}
