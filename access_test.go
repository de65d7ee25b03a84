package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
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

// TestEmployeeHistoryThroughAPI: asset.history shows an EMPLOYEE their own
// person id and "[redacted]" for anyone else's, without supplier or cost
// changes; a MANAGER sees the same entries as recorded.
func TestEmployeeHistoryThroughAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["grace"],
		"supplierId": ids["supplier"], "orderNumber": "PO-9"}})
	asset := str(d, "createAsset.asset.id")
	a.ok(admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to, reassign: true}) { asset { id } } }`,
		map[string]any{"id": asset, "to": ids["ada"]})
	const q = `query($id: ID!) { node(id: $id) { ... on Asset { history { nodes { action changes { field from to } } } } } }`
	changes := func(tok string) map[string][2]any {
		t.Helper()
		d := a.ok(tok, q, map[string]any{"id": asset})
		out := map[string][2]any{}
		for _, h := range get(d, "node.history.nodes").([]any) {
			for _, c := range get(h, "changes").([]any) {
				out[str(h, "action")+" "+str(c, "field")] = [2]any{get(c, "from"), get(c, "to")}
			}
		}
		return out
	}
	all := changes(mint(t, "acme", itam.RoleManager, "it@acme.test"))
	// References read as global ids (node(id:) resolves them).
	require.Equal(t, [2]any{nil, ids["supplier"]}, all["CREATE supplierId"])
	require.Equal(t, [2]any{ids["grace"], ids["ada"]}, all["ASSIGN assignedPersonId"])

	mine := changes(mint(t, "acme", itam.RoleEmployee, "ada@example.com"))
	require.NotContains(t, mine, "CREATE supplierId")
	require.NotContains(t, mine, "CREATE orderNumber")
	require.Equal(t, [2]any{nil, "[redacted]"}, mine["CREATE assignedPersonId"])
	require.Equal(t, [2]any{"[redacted]", ids["ada"]}, mine["ASSIGN assignedPersonId"])
}

// TestRunMessageThroughAPI: a sync run's message names the connector's
// URL for ADMIN only; MANAGER and AUDITOR read it masked.
func TestRunMessageThroughAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	_, org, _ := relay.Parse(str(a.ok(admin, `{ organization { id } }`, nil), "organization.id"))
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, a.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	var connector uuid.UUID
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO connectors (org_id, kind, name, base_url, credentials)
		VALUES ($1, 'JAMF_PRO', 'Jamf', 'https://acme.jamfcloud.example', '\x00') RETURNING id`, org).Scan(&connector))
	_, err = owner.Exec(ctx, `INSERT INTO sync_runs (org_id, connector_id, mode, status, message)
		VALUES ($1, $2, 'FULL', 'FAILED', 'Get "https://acme.jamfcloud.example/api/v1/computers-inventory": 503')`, org, connector)
	require.NoError(t, err)
	const q = `query($c: ID!) { syncRuns(connectorId: $c) { nodes { message } } }`
	vars := map[string]any{"c": relay.ID(relay.TypeConnector, connector)}
	d := a.ok(admin, q, vars)
	require.Equal(t, `Get "https://acme.jamfcloud.example/api/v1/computers-inventory": 503`, str(d, "syncRuns.nodes.0.message"))
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor} {
		d := a.ok(mint(t, "acme", role, "staff@acme.test"), q, vars)
		require.Equal(t, `Get "[redacted]/api/v1/computers-inventory": 503`, str(d, "syncRuns.nodes.0.message"), role)
	}
}
