package compiled_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/graph/compiled"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var secret = []byte("compiled-test-secret-0123456789abcdef")

// servers is one seeded database behind two handlers: gqlgen's executor
// alone (off) and with compiled execution (on).
type servers struct {
	off, on http.Handler
	tokens  map[itam.Role]string
}

var (
	shared     *servers
	sharedOnce sync.Once
	sharedErr  error
)

// newServers seeds one organization with assets (people, teams, locations,
// models) once per test binary; the handlers only read it.
func newServers(tb testing.TB, assets int) *servers {
	tb.Helper()
	sharedOnce.Do(func() {
		ctx := context.Background()
		url := pgtest.NewURL(tb)
		owner, err := pgxpool.New(ctx, url)
		if err != nil {
			sharedErr = err
			return
		}
		defer owner.Close()
		if _, err = seed.Run(ctx, owner, seed.Options{OrgSlug: "acme", Assets: assets, RandSeed: 7, SoftwareProducts: -1, NoMoney: true}); err != nil {
			sharedErr = err
			return
		}
		db, err := postgres.Open(ctx, url, nil)
		if err != nil {
			sharedErr = err
			return
		}
		v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: secret})
		if err != nil {
			sharedErr = err
			return
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		s := &servers{
			off:    httpapi.NewServer(log, db, v, metrics.New(db.Pool), "", httpapi.WithGraphQL(graph.Options{})),
			on:     httpapi.NewServer(log, db, v, metrics.New(db.Pool), "", httpapi.WithGraphQL(graph.Options{CompiledExecution: true})),
			tokens: map[itam.Role]string{},
		}
		for _, r := range []itam.Role{itam.RoleAdmin, itam.RoleEmployee, itam.RoleAuditor} {
			tok, err := auth.IssueHS256(secret, auth.Claims{Subject: "t@acme.test", Org: "acme", Role: r}, time.Hour, auth.IssueOptions{})
			if err != nil {
				sharedErr = err
				return
			}
			s.tokens[r] = tok
		}
		shared = s
	})
	require.NoError(tb, sharedErr)
	return shared
}

// processCPU is this process's CPU time so far, in nanoseconds.
func processCPU(tb testing.TB) int64 {
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func post(tb testing.TB, h http.Handler, tok, body string) []byte {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(tb, http.StatusOK, rec.Code, rec.Body.String())
	return rec.Body.Bytes()
}

func body(tb testing.TB, query string, vars map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(tb, err)
	return string(b)
}

// listDoc is workload 1 of cmd/itam-bench.
const listDoc = benchkit.ListAssetsDoc

// TestCompiledResponsesAreByteIdentical sends each document to both
// handlers and requires the same bytes: field order, aliases, merged and
// nested fragments, union branches, __typename, @skip/@include with
// variables, nulls, fields left to resolvers (partial compilation), roles.
func TestCompiledResponsesAreByteIdentical(t *testing.T) {
	s := newServers(t, 300)
	cases := []struct {
		name  string
		role  itam.Role
		query string
		vars  map[string]any
	}{
		{"workload 1", itam.RoleAdmin, listDoc, nil},
		{"workload 1 as employee", itam.RoleEmployee, listDoc, nil},
		{"nodes with aliases and typename", itam.RoleAdmin, `{ a: assets(first: 30) { nodes { __typename tag: assetTag id t2: __typename status } } }`, nil},
		{"repeated key merged", itam.RoleAdmin, `{ assets(first: 20) { nodes { model { name } model { id manufacturer { name } } model { name category { kind } } } } }`, nil},
		{"named and inline fragments", itam.RoleAdmin, `query { assets(first: 25) { ...Page } }
fragment Page on AssetConnection { edges { node { ...A ... on Asset { name model { ...M } } } cursor } pageInfo { ...P } }
fragment A on Asset { id assetTag ... on Node { id } }
fragment M on Model { id name manufacturer { id } }
fragment P on PageInfo { hasNextPage hasPreviousPage startCursor endCursor }`, nil},
		{"union branches and typename", itam.RoleAdmin, `{ assets(first: 60) { nodes { assignee { __typename ... on Person { id name email } ... on Location { name kind } } owner { __typename ... on Node { id } ... on Team { name } } } } }`, nil},
		{"union fragment spreads", itam.RoleAdmin, `{ assets(first: 60) { nodes { assignee { ...W } owner { ...W ...T } } } } fragment W on Person { name email } fragment T on Team { name }`, nil},
		{"skip and include true", itam.RoleAdmin, `query($a: Boolean!, $b: Boolean!) { assets(first: 20) { nodes { id name @skip(if: $a) status @include(if: $b) model { name modelNumber @include(if: $b) } ... on Asset @skip(if: $b) { assetTag } } } }`, map[string]any{"a": true, "b": true}},
		{"skip and include false", itam.RoleAdmin, `query($a: Boolean!, $b: Boolean!) { assets(first: 20) { nodes { id name @skip(if: $a) status @include(if: $b) model { name modelNumber @include(if: $b) } ... on Asset @skip(if: $b) { assetTag } } } }`, map[string]any{"a": false, "b": false}},
		{"skip literal", itam.RoleAdmin, `{ assets(first: 5) { nodes { id @skip(if: true) name @include(if: false) assetTag } } }`, nil},
		{"resolver fields fall back", itam.RoleAdmin, `{ assets(first: 15) { totalCount nodes { id purchasePrice { amount currency } supplier { name } externalIds { source } customFields model { name } } } }`, nil},
		{"cost fields as employee", itam.RoleEmployee, `{ assets(first: 15) { nodes { id purchasePrice { amount } orderNumber model { name } } } }`, nil},
		{"people with team resolver", itam.RoleAdmin, `{ people(first: 40) { nodes { id name email team { id name } location { name } } pageInfo { endCursor } } }`, nil},
		{"locations", itam.RoleAdmin, `{ locations(first: 50) { edges { cursor node { id name kind parent { name } } } } }`, nil},
		{"models", itam.RoleAdmin, `{ models(first: 50) { nodes { id name modelNumber manufacturer { name } category { name kind } } } }`, nil},
		{"empty page", itam.RoleAdmin, `{ assets(first: 0) { edges { node { id } } nodes { id } pageInfo { hasNextPage endCursor startCursor } } }`, nil},
		{"times, ints, enums, nulls", itam.RoleAdmin, `{ assets(first: 40) { nodes { createdAt updatedAt version endOfLife endOfLifeSource notes purchaseDate warrantyEnd condition status } } }`, nil},
		{"catalog leaves", itam.RoleAdmin, `{ manufacturers(first: 20) { edges { cursor node { id name website supportUrl version createdAt updatedAt } } pageInfo { hasPreviousPage startCursor } } categories(first: 20) { nodes { id name kind fieldDefinitions { key label type required options } version createdAt } } }`, nil},
		{"teams and people leaves", itam.RoleAdmin, `{ teams(first: 20) { nodes { id name description version createdAt updatedAt } } people(first: 30) { nodes { id name email employeeNumber title } } }`, nil},
		{"viewer", itam.RoleAuditor, `{ viewer { subject role } }`, nil},
		{"node by id", itam.RoleAdmin, `query($id: ID!) { node(id: $id) { __typename id ... on Asset { assetTag model { name } owner { ... on Team { name } } } } }`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := c.vars
			if c.name == "node by id" {
				var page struct {
					Data struct {
						Assets struct{ Nodes []struct{ ID string } }
					}
				}
				require.NoError(t, json.Unmarshal(post(t, s.off, s.tokens[itam.RoleAdmin], body(t, `{ assets(first: 1) { nodes { id } } }`, nil)), &page))
				vars = map[string]any{"id": page.Data.Assets.Nodes[0].ID}
			}
			b := body(t, c.query, vars)
			want := post(t, s.off, s.tokens[c.role], b)
			require.NotContains(t, string(want), `"errors"`, "a case must be a valid query: %s", want)
			before := compiled.Written()
			for range 2 { // the second answer comes from the cached plan
				require.Equal(t, string(want), string(post(t, s.on, s.tokens[c.role], b)))
			}
			if c.query == listDoc {
				// Equal bodies prove nothing if nothing was compiled: a
				// middleware handing every field back to gqlgen compares equal.
				require.Greater(t, compiled.Written(), before, "no subtree of the list page was written from a plan")
			}
		})
	}
}

// BenchmarkListPage is workload 1 through the whole handler, gqlgen's
// executor alone and with compiled execution:
//
//	go test -run x -bench ListPage -benchmem ./graph/compiled/
func BenchmarkListPage(b *testing.B) {
	s := newServers(b, 300)
	req := body(b, listDoc, nil)
	for _, mode := range []struct {
		name string
		h    http.Handler
	}{{"gqlgen", s.off}, {"compiled", s.on}} {
		b.Run(mode.name, func(b *testing.B) {
			var size int
			cpu0 := processCPU(b)
			for b.Loop() {
				size = len(post(b, mode.h, s.tokens[itam.RoleAdmin], req))
			}
			// The Go process's CPU (user + system) per request: unlike
			// ns/op, PostgreSQL's time and other load on the machine are
			// not in it.
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(size), "bytes/response")
		})
		if out := post(b, mode.h, s.tokens[itam.RoleAdmin], req); bytes.Contains(out, []byte(`"errors"`)) {
			b.Fatalf("%s: %s", mode.name, out) // an error measured is no measure
		}
	}
	if !bytes.Equal(post(b, s.off, s.tokens[itam.RoleAdmin], req), post(b, s.on, s.tokens[itam.RoleAdmin], req)) {
		b.Fatal("responses differ")
	}
}
