package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/internal/itam"
)

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
