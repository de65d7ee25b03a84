package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

const pushConnectorFields = `id pushFields pushCreate pushErrorCount
	pushErrors(first: 10) { edges { node { fields message httpStatus at asset { id } connector { name } } } pageInfo { hasNextPage } }`

// TestConnectorPushThroughAPI: write-back settings are ITSM-only and
// validated with the field named; refused pushes show on the asset for
// the roles that manage it (the connector only to ADMIN) and on the
// connector (ADMIN); another organization sees none of it.
func TestConnectorPushThroughAPI(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	auditor := mint(t, "acme", itam.RoleAuditor, "audit@acme.test")
	employee := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	otherAdmin := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	ids := a.inventory(admin)

	create := `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { connector { ` + pushConnectorFields + ` } } }`
	in := func(kind string, fields []string, create any) map[string]any {
		m := map[string]any{"kind": kind, "name": kind + " push", "baseUrl": "http://127.0.0.1:9",
			"credentials": map[string]any{"username": "svc", "password": "pw-SECRET-1"}, "pushFields": fields}
		if kind == "KANDJI" {
			m["credentials"] = map[string]any{"apiToken": "tok-SECRET-2"}
		}
		if create != nil {
			m["pushCreate"] = create
		}
		return m
	}
	a.code(admin, create, map[string]any{"in": in("SERVICENOW", []string{"STATUS", "STATUS"}, nil)}, "BAD_USER_INPUT", "pushFields")
	a.code(admin, create, map[string]any{"in": in("KANDJI", []string{"STATUS"}, nil)}, "BAD_USER_INPUT", "pushFields")
	a.code(admin, create, map[string]any{"in": in("KANDJI", nil, true)}, "BAD_USER_INPUT", "pushCreate")
	a.code(admin, create, map[string]any{"in": in("SERVICENOW", nil, true)}, "BAD_USER_INPUT", "pushCreate") // would never create anything
	a.code(manager, create, map[string]any{"in": in("SERVICENOW", []string{"STATUS"}, nil)}, "FORBIDDEN", "")
	mdm := get(a.ok(admin, create, map[string]any{"in": in("KANDJI", nil, nil)}), "createConnector.connector")
	require.Equal(t, []any{}, get(mdm, "pushFields"), "empty by default")
	require.Equal(t, false, get(mdm, "pushCreate"))

	c := get(a.ok(admin, create, map[string]any{"in": in("SERVICENOW", []string{"LOCATION", "STATUS"}, true)}), "createConnector.connector")
	require.Equal(t, []any{"STATUS", "LOCATION"}, get(c, "pushFields"), "stored in the API's order")
	require.Equal(t, true, get(c, "pushCreate"))
	id := str(c, "id")

	update := `mutation($in: UpdateConnectorInput!) { updateConnector(input: $in) { connector { pushFields pushCreate version } } }`
	a.code(admin, update, map[string]any{"in": map[string]any{"id": id, "version": 1, "pushCreate": nil}}, "BAD_USER_INPUT", "pushCreate")
	u := get(a.ok(admin, update, map[string]any{"in": map[string]any{"id": id, "version": 1, "pushFields": []string{"ASSIGNEE", "PURCHASE"}}}), "updateConnector.connector")
	require.Equal(t, []any{"ASSIGNEE", "PURCHASE"}, get(u, "pushFields"))
	require.Equal(t, true, get(u, "pushCreate"), "omitted stays")

	// A refused push (as the worker records it) on an asset held by Ada.
	asset := str(a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "serialNumber": "PUSH-API-1"}}), "createAsset.asset.id")
	a.ok(admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to}) { asset { id } } }`, map[string]any{"id": asset, "to": ids["ada"]})
	_, assetRow, _ := relay.Parse(asset)
	_, connRow, _ := relay.Parse(id)
	_, err := a.owner.Exec(context.Background(), `INSERT INTO connector_push_state (org_id, connector_id, asset_id, error_message, error_status, error_fields, error_at)
		SELECT org_id, $1, id, 'Location Atlantis is not a valid choice', 400, '{LOCATION}', now() FROM assets WHERE id = $2`, connRow, assetRow)
	require.NoError(t, err)

	q := `query($id: ID!) { node(id: $id) { ... on Asset { pushErrors { fields message httpStatus connector { name } asset { id } } } } }`
	for _, tc := range []struct {
		tok       string
		role      string
		errors    int
		connector any
	}{
		{admin, "ADMIN", 1, "SERVICENOW push"},
		{manager, "MANAGER", 1, nil},
		{auditor, "AUDITOR", 1, nil},
		{employee, "EMPLOYEE", 0, nil},
	} {
		errs := get(a.ok(tc.tok, q, map[string]any{"id": asset}), "node.pushErrors").([]any)
		require.Len(t, errs, tc.errors, tc.role)
		if tc.errors == 0 {
			continue
		}
		require.Equal(t, "Location Atlantis is not a valid choice", str(errs[0], "message"), tc.role)
		require.EqualValues(t, 400, get(errs[0], "httpStatus"), tc.role)
		require.Equal(t, []any{"LOCATION"}, get(errs[0], "fields"), tc.role)
		require.Equal(t, tc.connector, get(errs[0], "connector.name"), tc.role)
		require.Equal(t, asset, str(errs[0], "asset.id"), tc.role)
	}

	cq := `query($id: ID!) { node(id: $id) { ... on Connector { ` + pushConnectorFields + ` } } }`
	got := get(a.ok(admin, cq, map[string]any{"id": id}), "node")
	require.EqualValues(t, 1, get(got, "pushErrorCount"))
	edges := get(got, "pushErrors.edges").([]any)
	require.Len(t, edges, 1)
	require.Equal(t, asset, str(edges[0], "node.asset.id"))
	for _, tok := range []string{manager, auditor, employee} {
		require.Nil(t, get(a.do(tok, cq, map[string]any{"id": id}).Data, "node"), "connectors are ADMIN only")
	}

	// Another organization sees neither the connector nor the asset's errors.
	require.Nil(t, get(a.ok(otherAdmin, cq, map[string]any{"id": id}), "node"))
	require.Nil(t, get(a.ok(otherAdmin, q, map[string]any{"id": asset}), "node"))
	a.noLeak("pw-SECRET-1", "tok-SECRET-2")
}
