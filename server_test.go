package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"riverqueue.com/riverui"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/syncjob"
	"github.com/itam-dev/itam/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var testSecret = bytes.Repeat([]byte{0x42}, 32)

// api is a running server over a fresh database with two organizations.
type api struct {
	t      testing.TB
	srv    *httptest.Server
	db     *postgres.DB
	dbURL  string
	rounds atomic.Int64
}

func newAPI(t testing.TB) *api {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	defer owner.Close()
	for _, slug := range []string{"acme", "globex"} {
		_, _, err := seed.EnsureOrg(ctx, owner, slug, "")
		require.NoError(t, err)
	}
	db, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	a := &api{t: t, db: db, dbURL: dbURL}
	db.Queries = func() { a.rounds.Add(1) }
	a.srv = httptest.NewServer(httpapi.NewServer(newLogger(io.Discard, "error"), db, v, metrics.New(db.Pool), ""))
	t.Cleanup(a.srv.Close)
	return a
}

func mint(t testing.TB, org string, role itam.Role, sub string) string {
	t.Helper()
	tok, err := auth.IssueHS256(testSecret, auth.Claims{Subject: sub, Org: org, Role: role}, time.Hour, auth.IssueOptions{})
	require.NoError(t, err)
	return tok
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
	status int
}

func (a *api) do(tok, query string, vars map[string]any) gqlResponse {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(a.t, err)
	defer res.Body.Close()
	var out gqlResponse
	require.NoError(a.t, json.NewDecoder(res.Body).Decode(&out))
	out.status = res.StatusCode
	return out
}

// ok runs a query that must succeed and returns its data.
func (a *api) ok(tok, query string, vars map[string]any) map[string]any {
	a.t.Helper()
	r := a.do(tok, query, vars)
	require.Empty(a.t, r.Errors, "query: %s", query)
	return r.Data
}

// code runs a query that must fail with code (and field when given).
func (a *api) code(tok, query string, vars map[string]any, code, field string) gqlResponse {
	a.t.Helper()
	r := a.do(tok, query, vars)
	require.NotEmpty(a.t, r.Errors, "query should fail: %s", query)
	require.Equal(a.t, code, r.Errors[0].Extensions["code"], "%+v", r.Errors)
	if field != "" {
		require.Equal(a.t, field, r.Errors[0].Extensions["field"], "%+v", r.Errors)
	}
	return r
}

// get digs a value out of decoded JSON by a dotted path.
func get(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path string) string { s, _ := get(v, path).(string); return s }

// inventory creates the reference records of one organization through the
// API and returns their global ids.
func (a *api) inventory(tok string) map[string]string {
	a.t.Helper()
	ids := map[string]string{}
	d := a.ok(tok, `mutation {
		m: createManufacturer(input: {name: "Dell"}) { manufacturer { id } }
		c: createCategory(input: {name: "Laptops", kind: LAPTOP, fieldDefinitions: [{key: "ram_gb", label: "RAM", type: NUMBER}]}) { category { id } }
		t: createTeam(input: {name: "Engineering"}) { team { id } }
		s: createSupplier(input: {name: "CDW"}) { supplier { id } }
		l: createLocation(input: {kind: SITE, name: "Berlin", address: {city: "Berlin", country: "de"}}) { location { id } }
	}`, nil)
	ids["manufacturer"], ids["category"], ids["team"] = str(d, "m.manufacturer.id"), str(d, "c.category.id"), str(d, "t.team.id")
	ids["supplier"], ids["location"] = str(d, "s.supplier.id"), str(d, "l.location.id")
	d = a.ok(tok, `mutation($m: ID!, $c: ID!, $t: ID!, $l: ID!) {
		model: createModel(input: {name: "Latitude 7440", manufacturerId: $m, categoryId: $c, usefulLifeMonths: 48}) { model { id } }
		p: createPerson(input: {name: "Ada Lovelace", email: "Ada@Example.com", teamId: $t, locationId: $l}) { person { id } }
		q: createPerson(input: {name: "Grace Hopper", email: "grace@example.com", teamId: $t}) { person { id } }
	}`, map[string]any{"m": ids["manufacturer"], "c": ids["category"], "t": ids["team"], "l": ids["location"]})
	ids["model"], ids["ada"], ids["grace"] = str(d, "model.model.id"), str(d, "p.person.id"), str(d, "q.person.id")
	return ids
}

const createAsset = `mutation($in: CreateAssetInput!) { createAsset(input: $in) { asset { id assetTag version status } } }`

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
	d = a.ok(admin, `mutation($id: ID!) { disposeAsset(input: {id: $id, date: "2025-01-15", method: RECYCLED, certificate: "R-1"}) { asset { status disposal { date method certificate } } } }`, map[string]any{"id": id})
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

func TestGETQueriesAndLimits(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/graphql?query="+url.QueryEscape(`query Count { assets { totalCount } }`), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/graphql-response+json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.JSONEq(t, `{"data":{"assets":{"totalCount":0}}}`, string(body))

	// Mutations are not allowed over GET.
	req, _ = http.NewRequest(http.MethodGet, a.srv.URL+"/graphql?query="+url.QueryEscape(`mutation { createTeam(input: {name: "x"}) { team { id } } }`), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.NotEqual(t, http.StatusOK, res.StatusCode)

	// The operation shows up in the metrics by name, and errors by code.
	a.do("", `{ assets { totalCount } }`, nil)
	res, err = http.Get(a.srv.URL + "/metrics")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(t, string(body), `itam_graphql_request_duration_seconds_count{operation="Count",type="query"} 1`)
	require.Contains(t, string(body), `itam_db_pool_max_connections`)
	require.Contains(t, string(body), `itam_http_requests_total{route="/graphql",status="4xx"} 2`)

	r := a.do(tok, `{ assets(first: 500) { nodes { history(first: 500) { nodes { changes { field } } } } } }`, nil)
	require.Equal(t, "COMPLEXITY_LIMIT_EXCEEDED", r.Errors[0].Extensions["code"])
	deep := `{ people { nodes { manager { manager { manager { manager { manager { manager { manager { manager { manager { manager { manager { name } } } } } } } } } } } } } }`
	r = a.do(tok, deep, nil)
	require.Equal(t, "QUERY_TOO_DEEP", r.Errors[0].Extensions["code"])

	res, err = http.Get(a.srv.URL + "/metrics")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(t, string(body), `itam_graphql_errors_total{code="QUERY_TOO_DEEP"} 1`)
}

// TestPOSTTransport: GraphQL over HTTP POST negotiates the media type and
// answers undecodable or invalid requests with the spec's status codes.
func TestPOSTTransport(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	post := func(accept, body string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer "+tok)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		require.True(t, json.Valid(b), string(b))
		return res.StatusCode, res.Header, string(b)
	}
	cases := []struct {
		name, accept, body string
		status             int
		contentType        string
		contains           string
	}{
		{"no accept", "", `{"query":"{ viewer { role } }"}`, 200, "application/json", `{"data":{"viewer":{"role":"ADMIN"}}}`},
		{"graphql-response", "application/graphql-response+json", `{"query":"{ viewer { role } }"}`, 200, "application/graphql-response+json", `{"data":{"viewer":{"role":"ADMIN"}}}`},
		{"wildcard", "*/*", `{"query":"{ viewer { role } }"}`, 200, "application/json", `"role":"ADMIN"`},
		{"invalid query, json", "application/json", `{"query":"{ nope }"}`, 200, "application/json", `"code":"GRAPHQL_VALIDATION_FAILED"`},
		{"invalid query, graphql-response", "application/graphql-response+json", `{"query":"{ nope }"}`, 400, "application/graphql-response+json", `"code":"GRAPHQL_VALIDATION_FAILED"`},
		{"malformed body", "", `{"query":`, 400, "application/json", `"code":"BAD_REQUEST"`},
		{"body too large", "", `{"query":"` + strings.Repeat(" ", graph.MaxRequestBytes) + `{ viewer { role } }"}`, 400, "application/json", `request body too large`},
	}
	for _, c := range cases {
		status, header, body := post(c.accept, c.body)
		require.Equal(t, c.status, status, "%s: %s", c.name, body)
		require.Equal(t, c.contentType, header.Get("Content-Type"), c.name)
		require.Equal(t, "nosniff", header.Get("X-Content-Type-Options"), c.name)
		require.Contains(t, body, c.contains, c.name)
	}
}

// TestNoNPlusOne: listing assets with every relation costs the same number
// of database round trips for 10 assets as for 100.
func TestNoNPlusOne(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	people := []string{ids["ada"], ids["grace"]}
	for i := range 100 {
		in := map[string]any{"modelId": ids["model"], "locationId": ids["location"], "supplierId": ids["supplier"]}
		if i%3 == 0 {
			in["assigneeId"] = people[i%2]
			in["ownerId"] = ids["team"]
		} else if i%3 == 1 {
			in["ownerId"] = people[(i+1)%2]
		}
		a.ok(admin, createAsset, map[string]any{"in": in})
	}
	q := `query($n: Int) { assets(first: $n) { totalCount edges { cursor node { id assetTag
		model { name manufacturer { name } category { name } } manufacturer { name } category { name }
		assignee { ... on Person { name team { name } location { name } } ... on Location { name } }
		owner { ... on Person { name } ... on Team { name } } location { name parent { name } } supplier { name } externalIds { source } } } } }`
	measure := func(n int) int64 {
		before := a.rounds.Load()
		d := a.ok(admin, q, map[string]any{"n": n})
		require.Len(t, get(d, "assets.edges").([]any), n)
		return a.rounds.Load() - before
	}
	small, large := measure(10), measure(100)
	t.Logf("round trips: 10 assets → %d, 100 assets → %d", small, large)
	require.Equal(t, small, large)
	require.LessOrEqual(t, large, int64(14))

	// nodes(ids:) batches the same way: 2 assets and a model cost what 30
	// assets and a model cost.
	var assetIDs []any
	for _, e := range get(a.ok(admin, `{ assets(first: 30) { nodes { id } } }`, nil), "assets.nodes").([]any) {
		assetIDs = append(assetIDs, e.(map[string]any)["id"])
	}
	nq := `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Asset { assetTag model { name manufacturer { name } }
		assignee { ... on Person { name } ... on Location { name } } owner { ... on Person { name } ... on Team { name } } location { name } }
		... on Model { name category { name } } } }`
	nodes := func(n int) int64 {
		before := a.rounds.Load()
		d := a.ok(admin, nq, map[string]any{"ids": append(slices.Clone(assetIDs[:n]), ids["model"])})
		got := get(d, "nodes").([]any)
		require.Len(t, got, n+1)
		require.NotEmpty(t, str(got[n-1], "model.name"), "relations attached")
		require.NotEmpty(t, str(got[n], "category.name"), "the model's category attached")
		return a.rounds.Load() - before
	}
	few, many := nodes(2), nodes(30)
	t.Logf("round trips: nodes of 2 assets → %d, of 30 → %d", few, many)
	require.Equal(t, few, many)
}

// TestRunServesFromScratch starts the real binary's run() against an empty
// database: migrations apply, the server answers health, and a token it
// minted with `token` works.
func TestRunServesFromScratch(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	dbURL := pgtest.NewURL(t)
	secret := hex.EncodeToString(testSecret)
	env := map[string]string{"DATABASE_URL": dbURL, "ITAM_ADDR": "127.0.0.1:0", "ITAM_JWT_SECRET": secret,
		"ITAM_DEBUG_ADDR": "127.0.0.1:0", "ITAM_METRICS_TOKEN": "scrape-secret"}
	getenv := func(k string) string { return env[k] }

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"seed", "--org", "acme"}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), "organization acme created")
	out.Reset()
	require.NoError(t, run(ctx, []string{"token", "--org", "acme", "--role", "MANAGER", "--sub", "it@acme.test"}, getenv, &out, io.Discard))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	tok := lines[len(lines)-1]

	logR, logW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, io.Discard, logW); logW.Close() }()
	addrRe := regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)
	debugRe := regexp.MustCompile(`"msg":"serving profiles","addr":"([^"]+)"`)
	var addr, debugAddr string
	sc := bufio.NewScanner(logR)
	for sc.Scan() {
		if m := debugRe.FindStringSubmatch(sc.Text()); m != nil {
			debugAddr = m[1]
		}
		if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go io.Copy(io.Discard, logR) //nolint:errcheck
	require.NotEmpty(t, addr)
	require.NotEmpty(t, debugAddr)
	// Outside dev mode and without ITAM_OPERATOR_TOKEN there is no job
	// dashboard; /metrics wants ITAM_METRICS_TOKEN, except on the debug listener.
	for url, want := range map[string]int{"http://" + addr + "/riverui/": http.StatusNotFound,
		"http://" + addr + "/metrics": http.StatusUnauthorized, "http://" + debugAddr + "/metrics": http.StatusOK} {
		res, err := http.Get(url)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, want, res.StatusCode, url)
	}
	res, err := http.Get("http://" + addr + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ viewer { role organization { slug } } }"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.JSONEq(t, `{"data":{"viewer":{"role":"MANAGER","organization":{"slug":"acme"}}}}`, string(body))
	cancel()
	require.NoError(t, <-done)

	// Migrations are idempotent.
	applied, err := migrations.UpURL(context.Background(), dbURL)
	require.NoError(t, err)
	require.Empty(t, applied)
}

// TestJobDashboardNeedsOperatorToken: River's dashboard shows and acts on
// every organization's jobs, so only the operator token opens it; a
// tenant's ADMIN token is refused even for its own organization's jobs, and
// without an operator token the dashboard is not there at all.
func TestJobDashboardNeedsOperatorToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	defer owner.Close()
	orgs := map[string]uuid.UUID{}
	for _, slug := range []string{"acme", "globex"} {
		id, _, err := seed.EnsureOrg(ctx, owner, slug, "")
		require.NoError(t, err)
		orgs[slug] = id
	}
	db, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	log := newLogger(io.Discard, "error")
	rc, err := syncjob.NewClient(syncjob.Deps{DB: db, Log: log}, syncjob.Options{})
	require.NoError(t, err)
	globexJob, err := rc.Insert(ctx, jobs.SyncArgs{OrgID: orgs["globex"], ConnectorID: uuid.New(), RunID: uuid.New()}, nil)
	require.NoError(t, err)
	dash, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: riverui.NewEndpoints(rc, nil), Logger: log, Prefix: "/riverui"})
	require.NoError(t, err)
	dctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	require.NoError(t, dash.Start(dctx))
	operator := strings.Repeat("0123456789abcdef", 4)
	srv := httptest.NewServer(httpapi.NewServer(log, db, v, metrics.New(db.Pool), "", httpapi.WithJobDashboard(dash, operator)))
	t.Cleanup(srv.Close)

	do := func(method, path, tok string, jar http.CookieJar) *http.Response {
		t.Helper()
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(fmt.Sprintf(`{"ids":["%d"]}`, globexJob.Job.ID))
		}
		req, _ := http.NewRequest(method, srv.URL+path, body)
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := (&http.Client{Jar: jar}).Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	job := fmt.Sprintf("/riverui/api/jobs/%d", globexJob.Job.ID)
	acmeAdmin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	globexAdmin := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	cases := []struct {
		name, method, path, tok string
		status                  int
	}{
		{"no token", http.MethodGet, "/riverui/", "", http.StatusUnauthorized},
		{"another org's ADMIN reads a job", http.MethodGet, job, acmeAdmin, http.StatusForbidden},
		{"another org's ADMIN cancels a job", http.MethodPost, "/riverui/api/jobs/cancel", acmeAdmin, http.StatusForbidden},
		{"another org's ADMIN pauses the sync queue", http.MethodPut, "/riverui/api/queues/sync/pause", acmeAdmin, http.StatusForbidden},
		{"the job's own org's ADMIN", http.MethodGet, job, globexAdmin, http.StatusForbidden},
		{"a wrong operator token", http.MethodGet, "/riverui/", operator[1:] + "x", http.StatusForbidden},
		{"the operator reads the job", http.MethodGet, job, operator, http.StatusOK},
		{"the operator lists jobs", http.MethodGet, "/riverui/api/jobs?state=available", operator, http.StatusOK},
	}
	for _, c := range cases {
		require.Equal(t, c.status, do(c.method, c.path, c.tok, nil).StatusCode, c.name)
	}
	var state string
	require.NoError(t, owner.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, globexJob.Job.ID).Scan(&state))
	require.Equal(t, "available", state, "refused requests changed nothing")

	// A browser logs in once with ?token= and then rides the cookie.
	jar, _ := cookiejar.New(nil)
	require.Equal(t, http.StatusUnauthorized, do(http.MethodGet, "/riverui/login", "", jar).StatusCode)
	require.Equal(t, http.StatusForbidden, do(http.MethodGet, "/riverui/login?token="+acmeAdmin, "", jar).StatusCode)
	res := do(http.MethodGet, "/riverui/login?token="+operator, "", jar)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/riverui/", res.Request.URL.Path)
	require.Equal(t, http.StatusOK, do(http.MethodGet, job, "", jar).StatusCode)

	// No operator token: no dashboard.
	off := httptest.NewServer(httpapi.NewServer(log, db, v, metrics.New(db.Pool), "", httpapi.WithJobDashboard(dash, "")))
	t.Cleanup(off.Close)
	for _, p := range []string{"/riverui/", "/riverui/login?token=" + acmeAdmin, job} {
		req, _ := http.NewRequest(http.MethodGet, off.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+acmeAdmin)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusNotFound, res.StatusCode, p)
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
