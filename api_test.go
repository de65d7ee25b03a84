package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/seed"
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

	// keep makes do record every response body in bodies, for tests
	// that prove no secret ever leaves.
	keep   bool
	mu     sync.Mutex
	bodies []string
}

func newAPI(t testing.TB) *api {
	t.Helper()
	return newAPIWith(t, io.Discard, "error")
}

// newAPIWith is newAPI with the server's log (at level) and options under
// the test's control.
func newAPIWith(t testing.TB, logs io.Writer, level string, opts ...httpapi.ServerOption) *api {
	t.Helper()
	return newAPIFrom(t, logs, level, func(*postgres.DB) []httpapi.ServerOption { return opts })
}

// newAPIFrom is newAPIWith for options that need the server's database
// (a River client over its pool).
func newAPIFrom(t testing.TB, logs io.Writer, level string, opts func(*postgres.DB) []httpapi.ServerOption) *api {
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
	a.srv = httptest.NewServer(httpapi.NewServer(newLogger(logs, level), db, v, metrics.New(db.Pool), "", opts(db)...))
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

// getAuthed GETs url with tok as its bearer token (none when empty) and
// reads the whole body, for the routes beside /graphql.
func getAuthed(t testing.TB, url, tok string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

func (a *api) do(tok, query string, vars map[string]any) gqlResponse {
	a.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(a.t, err)
	return a.raw(tok, string(body))
}

// raw posts a request body as is (for JSON no map can express).
func (a *api) raw(tok, body string) gqlResponse {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(body))
	require.NoError(a.t, err)
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(a.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(a.t, err)
	if a.keep {
		a.mu.Lock()
		a.bodies = append(a.bodies, string(raw))
		a.mu.Unlock()
	}
	var out gqlResponse
	require.NoError(a.t, json.Unmarshal(raw, &out), string(raw))
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
