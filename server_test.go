package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

func TestAssetLifecycleThroughAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)

	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{
		"modelId": ids["model"], "serialNumber": "SN1", "purchasePrice": map[string]any{"amount": "1299.00", "currency": "EUR"},
		"purchaseDate": "2024-02-01", "supplierId": ids["supplier"], "locationId": ids["location"], "customFields": map[string]any{"ram_gb": 16},
	}})
	asset := get(d, "createAsset.asset")
	id := str(asset, "id")
	require.Equal(t, "A-000001", str(asset, "assetTag"))

	d = a.ok(admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to}) { asset { status assignee { ... on Person { name } } } } }`,
		map[string]any{"id": id, "to": ids["ada"]})
	require.Equal(t, "DEPLOYED", str(d, "assignAsset.asset.status"))
	require.Equal(t, "Ada Lovelace", str(d, "assignAsset.asset.assignee.name"))

	// Offboarding question: what does Ada hold?
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Person { assets { totalCount nodes { id } } } } }`, map[string]any{"id": ids["ada"]})
	require.EqualValues(t, 1, get(d, "node.assets.totalCount"))

	// Stale version → CONFLICT, nothing written.
	a.ok(admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 2, name: "Ada's laptop"}) { asset { version } } }`, map[string]any{"id": id})
	a.code(admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 2, name: "overwrite"}) { asset { version } } }`, map[string]any{"id": id}, "CONFLICT", "version")

	a.code(admin, `mutation($id: ID!) { transitionAsset(input: {id: $id, status: RETIRED}) { asset { status } } }`, map[string]any{"id": id}, "BAD_USER_INPUT", "status")
	a.ok(admin, `mutation($id: ID!) { unassignAsset(input: {id: $id}) { asset { status } } }`, map[string]any{"id": id})
	a.ok(admin, `mutation($id: ID!) { transitionAsset(input: {id: $id, status: RETIRED}) { asset { status } } }`, map[string]any{"id": id})
	d = a.ok(admin, `mutation($id: ID!) { disposeAsset(input: {id: $id, date: "2025-01-15", method: RECYCLED, certificate: "R-1", sanitization: {method: PURGE, performedAt: "2025-01-14T09:00:00Z", verifiedBy: "it@acme.test"}}) { asset { status disposal { date method certificate } } } }`, map[string]any{"id": id})
	require.Equal(t, "2025-01-15", str(d, "disposeAsset.asset.disposal.date"))

	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { history { nodes { action actor fromStatus toStatus changes { field from to } } } } } }`, map[string]any{"id": id})
	var actions []string
	for _, h := range get(d, "node.history.nodes").([]any) {
		actions = append(actions, str(h, "action"))
	}
	require.Equal(t, []string{"CREATE", "ASSIGN", "UPDATE", "UNASSIGN", "TRANSITION", "DISPOSE"}, actions)
	require.Equal(t, "admin@acme.test", str(d, "node.history.nodes.0.actor"))

	// Models carry their manufacturer and category wherever they appear.
	d = a.ok(admin, `query($m: ID!) { models { nodes { id name manufacturer { name } category { name } } }
		node(id: $m) { ... on Model { manufacturer { name } category { kind } } }
		assetCounts(groupBy: [MODEL]) { model { name manufacturer { name } } count } }`, map[string]any{"m": ids["model"]})
	require.Equal(t, ids["model"], str(d, "models.nodes.0.id"))
	require.Equal(t, "Dell", str(d, "models.nodes.0.manufacturer.name"))
	require.Equal(t, "Laptops", str(d, "models.nodes.0.category.name"))
	require.Equal(t, "Dell", str(d, "node.manufacturer.name"))
	require.Equal(t, "LAPTOP", str(d, "node.category.kind"))
	require.Equal(t, "Dell", str(d, "assetCounts.0.model.manufacturer.name"))
	d = a.ok(admin, `mutation($m: ID!, $c: ID!) { createModel(input: {name: "Precision 5690", manufacturerId: $m, categoryId: $c}) { model { name manufacturer { name } category { name } } } }`,
		map[string]any{"m": ids["manufacturer"], "c": ids["category"]})
	require.Equal(t, "Dell", str(d, "createModel.model.manufacturer.name"))

	// Location tree through loaders: a root has no ancestors and, here, no children.
	d = a.ok(admin, `{ locations { nodes { name parent { name } children { name } ancestors { name } } } }`, nil)
	require.Equal(t, []any{}, get(d, "locations.nodes.0.children"))
	require.Equal(t, []any{}, get(d, "locations.nodes.0.ancestors"))

	// Lookups.
	d = a.ok(admin, `{ assetByTag(assetTag: "a-000001") { id } assetBySerial(serialNumber: "sn1") { id } missing: assetByTag(assetTag: "nope") { id } }`, nil)
	require.Equal(t, id, str(d, "assetByTag.id"))
	require.Equal(t, id, str(d, "assetBySerial.id"))
	require.Nil(t, get(d, "missing"))
}

func TestInvalidInputErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assetTag": "TAG-1", "serialNumber": "S-1"}})

	cases := []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"malformed model id", map[string]any{"modelId": "nope"}, "BAD_USER_INPUT", "modelId"},
		{"wrong id type", map[string]any{"modelId": ids["team"]}, "BAD_USER_INPUT", "modelId"},
		{"duplicate tag", map[string]any{"modelId": ids["model"], "assetTag": "tag-1"}, "CONFLICT", "assetTag"},
		{"duplicate serial", map[string]any{"modelId": ids["model"], "serialNumber": "s-1"}, "CONFLICT", "serialNumber"},
		{"negative price", map[string]any{"modelId": ids["model"], "purchasePrice": map[string]any{"amount": "-5", "currency": "USD"}}, "BAD_USER_INPUT", "purchasePrice.amount"},
		{"unknown currency", map[string]any{"modelId": ids["model"], "purchasePrice": map[string]any{"amount": "5", "currency": "XYZ"}}, "BAD_USER_INPUT", "purchasePrice.currency"},
		{"custom field type", map[string]any{"modelId": ids["model"], "customFields": map[string]any{"ram_gb": "many"}}, "BAD_USER_INPUT", "customFields.ram_gb"},
		{"owner of wrong type", map[string]any{"modelId": ids["model"], "ownerId": ids["location"]}, "BAD_USER_INPUT", "ownerId"},
	}
	for _, tc := range cases {
		a.code(admin, createAsset, map[string]any{"in": tc.in}, tc.code, tc.field)
	}
	// A malformed scalar is input error too.
	r := a.do(admin, `mutation($m: ID!) { createAsset(input: {modelId: $m, purchaseDate: "yesterday"}) { asset { id } } }`, map[string]any{"m": ids["model"]})
	require.NotEmpty(t, r.Errors)
	d := a.ok(admin, `{ assets { totalCount } }`, nil)
	require.EqualValues(t, 1, get(d, "assets.totalCount"), "refused mutations wrote nothing")
	// Errors never leak internals.
	r = a.do(admin, `{ assets(first: 501) { totalCount } }`, nil)
	require.Equal(t, "BAD_USER_INPUT", r.Errors[0].Extensions["code"])
}

// TestTenantIsolationThroughAPI: a token for one organization can never
// read or change another's rows, whichever query or id it uses.
func TestTenantIsolationThroughAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	acme := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	gids := a.inventory(globex)
	a.inventory(acme)
	d := a.ok(globex, createAsset, map[string]any{"in": map[string]any{"modelId": gids["model"], "assetTag": "G-1", "serialNumber": "GS-1"}})
	gids["asset"] = str(d, "createAsset.asset.id")
	d = a.ok(globex, `{ organization { id } }`, nil)
	gids["organization"] = str(d, "organization.id")

	for name, id := range gids {
		d := a.ok(acme, `query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`, map[string]any{"id": id})
		require.Nil(t, d["node"], "node(%s) of another org must be null", name)
		require.Equal(t, []any{nil}, d["nodes"], name)
	}
	lists := map[string]string{
		"assets": `{ assets { totalCount nodes { assetTag } } }`, "people": `{ people { totalCount } }`, "teams": `{ teams { totalCount } }`,
		"locations": `{ locations { totalCount } }`, "models": `{ models { totalCount } }`, "manufacturers": `{ manufacturers { totalCount } }`,
		"categories": `{ categories { totalCount } }`, "suppliers": `{ suppliers { totalCount } }`,
	}
	own := map[string]float64{"assets": 0, "people": 2, "teams": 2, "locations": 1, "models": 1, "manufacturers": 1, "categories": 1, "suppliers": 1}
	for field, q := range lists {
		d := a.ok(acme, q, nil)
		require.EqualValues(t, own[field], get(d, field+".totalCount"), field)
	}
	d = a.ok(acme, `{ g: assetByTag(assetTag: "G-1") { id } s: assetBySerial(serialNumber: "GS-1") { id } counts: assetCounts { count } }`, nil)
	require.Nil(t, d["g"])
	require.Nil(t, d["s"])
	require.Equal(t, []any{}, d["counts"])

	// Mutations on the other org's ids are NOT_FOUND or unknown references, and change nothing.
	a.code(acme, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 1, name: "x"}) { asset { id } } }`, map[string]any{"id": gids["asset"]}, "NOT_FOUND", "")
	a.code(acme, `mutation($id: ID!) { deleteAsset(input: {id: $id}) { deletedId } }`, map[string]any{"id": gids["asset"]}, "NOT_FOUND", "")
	a.code(acme, createAsset, map[string]any{"in": map[string]any{"modelId": gids["model"]}}, "BAD_USER_INPUT", "modelId")
	for _, typ := range []string{"Person", "Team", "Location", "Manufacturer", "Category", "Model", "Supplier"} {
		key := map[string]string{"Person": "ada", "Team": "team", "Location": "location", "Manufacturer": "manufacturer", "Category": "category", "Model": "model", "Supplier": "supplier"}[typ]
		r := a.do(acme, `mutation($id: ID!) { delete`+typ+`(input: {id: $id}) { deletedId } }`, map[string]any{"id": gids[key]})
		require.NotEmpty(t, r.Errors, typ)
		require.Equal(t, "NOT_FOUND", r.Errors[0].Extensions["code"], typ)
	}
	d = a.ok(globex, `{ node(id: "`+gids["asset"]+`") { ... on Asset { name } } people { totalCount } }`, nil)
	require.Nil(t, get(d, "node.name"))
	require.EqualValues(t, 2, get(d, "people.totalCount"))
}

func TestRolesThroughAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["ada"],
		"purchasePrice": map[string]any{"amount": "10", "currency": "USD"}, "orderNumber": "PO-1"}})
	adas := str(d, "createAsset.asset.id")
	a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"]}})

	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	auditor := mint(t, "acme", itam.RoleAuditor, "audit@acme.test")
	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")

	a.ok(manager, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"]}})
	a.code(manager, `mutation { updateOrganization(input: {name: "Acme Corp"}) { organization { name } } }`, nil, "FORBIDDEN", "")
	a.ok(admin, `mutation { updateOrganization(input: {name: "Acme Corp"}) { organization { name } } }`, nil)

	a.code(auditor, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"]}}, "FORBIDDEN", "")
	a.code(auditor, `mutation { createTeam(input: {name: "X"}) { team { id } } }`, nil, "FORBIDDEN", "")
	d = a.ok(auditor, `{ assets { totalCount nodes { purchasePrice { amount } } } assetCounts(groupBy: [STATUS]) { count } suppliers { totalCount } }`, nil)
	require.EqualValues(t, 3, get(d, "assets.totalCount"))

	d = a.ok(ada, `{ assets { totalCount nodes { id assetTag model { name } } } viewer { role person { name } } people { totalCount } }`, nil)
	require.EqualValues(t, 1, get(d, "assets.totalCount"))
	require.Equal(t, adas, str(d, "assets.nodes.0.id"))
	require.Equal(t, "Ada Lovelace", str(d, "viewer.person.name"))
	require.EqualValues(t, 1, get(d, "people.totalCount"), "an employee sees only their own person record")
	r := a.do(ada, `{ assets { nodes { assetTag purchasePrice { amount } } } }`, nil)
	require.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"], "no costs for employees")
	a.code(ada, `{ assetCounts { count } }`, nil, "FORBIDDEN", "")
	a.code(ada, `mutation($id: ID!) { unassignAsset(input: {id: $id}) { asset { id } } }`, map[string]any{"id": adas}, "FORBIDDEN", "")
}

func TestAuthRejectsBadTokens(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	good := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	other := bytes.Repeat([]byte{0x17}, 32)
	forged, err := auth.IssueHS256(other, auth.Claims{Subject: "x", Org: "acme", Role: itam.RoleAdmin}, time.Hour, auth.IssueOptions{})
	require.NoError(t, err)
	expired, err := auth.IssueHS256(testSecret, auth.Claims{Subject: "x", Org: "acme", Role: itam.RoleAdmin}, time.Minute, auth.IssueOptions{Now: time.Now().Add(-time.Hour)})
	require.NoError(t, err)
	future, err := auth.IssueHS256(testSecret, auth.Claims{Subject: "x", Org: "acme", Role: itam.RoleAdmin}, time.Hour, auth.IssueOptions{Now: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	unknownOrg := mint(t, "initech", itam.RoleAdmin, "x")
	parts := strings.Split(good, ".")
	none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
	cases := map[string]string{"missing": "", "garbage": "not-a-jwt", "bad signature": forged, "expired": expired,
		"not yet valid": future, "alg none": none, "unknown org": unknownOrg}
	for name, tok := range cases {
		r := a.do(tok, `{ assets { totalCount } }`, nil)
		require.Equal(t, http.StatusUnauthorized, r.status, name)
		require.Equal(t, "UNAUTHENTICATED", r.Errors[0].Extensions["code"], name)
		require.Nil(t, r.Data, name)
	}
	require.Empty(t, a.do(good, `{ assets { totalCount } }`, nil).Errors)

	// Health and metrics need no token.
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		res, err := http.Get(a.srv.URL + p)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, p)
	}
}

// TestSyncDetailsThroughAPI: what syncs record (provenance, software,
// conflicts, stale links) is queryable, and precedence and locks are
// managed through the API.
func TestSyncDetailsThroughAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	d := a.ok(admin, `{ organization { id } }`, nil)
	_, org, _ := relay.Parse(str(d, "organization.id"))
	ctx := context.Background()
	sys := itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "Jamf", ActorKind: itam.ActorConnector})
	var jamfID, intuneID, runID uuid.UUID
	owner, err := pgxpool.New(ctx, a.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'JAMF_PRO', 'Jamf', '\x00') RETURNING id`, org).Scan(&jamfID))
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'INTUNE', 'Intune', '\x00') RETURNING id`, org).Scan(&intuneID))
	sync := postgres.NewSyncStore(a.db)
	apply := func(c *itam.Connector, d connectors.Device) {
		require.NoError(t, owner.QueryRow(ctx, `INSERT INTO sync_runs (org_id, connector_id, mode) VALUES ($1, $2, 'FULL') RETURNING id`, org, c.ID).Scan(&runID))
		_, err := sync.ApplyPage(sys, postgres.SyncTarget{Connector: c, RunID: runID}, []connectors.Device{d}, "")
		require.NoError(t, err)
	}
	jamf := &itam.Connector{ID: jamfID, Kind: "JAMF_PRO", Name: "Jamf"}
	intune := &itam.Connector{ID: intuneID, Kind: "INTUNE", Name: "Intune"}
	dev := connectors.Device{ExternalID: "42", SerialNumber: "C02SYNC1", Name: "Jamf name", Manufacturer: "Apple", Model: "MacBook Air",
		Software: []connectors.Software{{Title: "Slack", Version: "4.41", Identifier: "com.tinyspeck.slackmacgap"}}}
	apply(jamf, dev)
	dev.ExternalID, dev.Name = "intune-1", "Intune name"
	apply(intune, dev)
	_, err = owner.Exec(ctx, `UPDATE asset_external_ids SET stale_since = now(), missing_since = now() - interval '40 days' WHERE source LIKE 'INTUNE:%'`)
	require.NoError(t, err)

	d = a.ok(admin, `{ assets(filter: {stale: true}) { nodes { id name
		externalIds { source externalId staleSince connector { name } }
		fieldProvenance { field source locked } software { title version identifier }
		syncConflicts { field keptSource otherSource keptValue otherValue } } }
		syncConflicts { totalCount nodes { field asset { name } } }
		fieldPrecedence { field sources isDefault } }`, nil)
	asset := get(d, "assets.nodes.0")
	require.Equal(t, "Jamf name", str(asset, "name"))
	require.Len(t, get(asset, "externalIds"), 2)
	require.Equal(t, "Slack", str(asset, "software.0.title"))
	require.Equal(t, "name", str(asset, "syncConflicts.0.field"))
	require.Equal(t, "Intune name", get(asset, "syncConflicts.0.otherValue"))
	require.EqualValues(t, 1, get(d, "syncConflicts.totalCount"))
	require.Equal(t, true, get(d, "fieldPrecedence.0.isDefault"))

	// Reordering precedence through the API lets Intune win names.
	a.code(mint(t, "acme", itam.RoleManager, "it@acme.test"), `mutation { setFieldPrecedence(input: {field: "name", sources: ["INTUNE"]}) { field } }`, nil, "FORBIDDEN", "")
	a.code(admin, `mutation { setFieldPrecedence(input: {field: "name", sources: ["SCCM"]}) { field } }`, nil, "BAD_USER_INPUT", "sources[0]")
	a.ok(admin, `mutation { setFieldPrecedence(input: {field: "name", sources: ["INTUNE", "JAMF_PRO", "manual"]}) { sources } }`, nil)
	apply(intune, dev)
	id := str(asset, "id")
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { name version } } }`, map[string]any{"id": id})
	require.Equal(t, "Intune name", str(d, "node.name"))

	// A manual edit locks the name; unlocking hands it back to the syncs.
	d = a.ok(admin, `mutation($id: ID!, $v: Int!) { updateAsset(input: {id: $id, version: $v, name: "Mine"}) { asset { version fieldProvenance { field locked } } } }`,
		map[string]any{"id": id, "v": get(d, "node.version")})
	locked := map[string]bool{}
	for _, fp := range get(d, "updateAsset.asset.fieldProvenance").([]any) {
		locked[str(fp, "field")] = get(fp, "locked") == true
	}
	require.True(t, locked["name"], "the edited field is locked")
	require.Contains(t, locked, "serialNumber", "the sync recorded who set the serial")
	require.False(t, locked["serialNumber"], "fields nobody edited stay unlocked")
	apply(intune, dev)
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { name } } }`, map[string]any{"id": id})
	require.Equal(t, "Mine", str(d, "node.name"))
	a.ok(admin, `mutation($id: ID!) { unlockAssetField(input: {assetId: $id, field: "name"}) { asset { id } } }`, map[string]any{"id": id})
	apply(intune, dev)
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { name } } }`, map[string]any{"id": id})
	require.Equal(t, "Intune name", str(d, "node.name"))
}
