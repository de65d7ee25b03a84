package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

// params are one request's random inputs, shared by the server and the
// floor so both fetch the same data.
type params struct {
	after *string // workload 1 (the server's and the stores' cursor)
	// afterID is the asset after's cursor points at (the SQL floor's
	// position), afterPeer the peer's cursor for the same position.
	afterID   *uuid.UUID
	afterPeer *string
	search    string    // workload 2
	tag       string    // workload 3 by tag
	id        uuid.UUID // workload 3 by node id
	// product: the compliance one-product workload (compliance.go)
	product uuid.UUID
}

// workload is one kind of request: a GraphQL operation for the server and
// the same data fetched through the stores for the floor.
type workload struct {
	key, title string
	op, doc    string
	gen        func(r *rand.Rand, s *samples) params
	vars       func(p params) map[string]any
	// floor fetches the data with the stores; when fp is non-nil it also
	// returns a fingerprint of the data comparable with serverFP's.
	floor    func(ctx context.Context, st stores, p params, fp *[]string) error
	serverFP func(data json.RawMessage) ([]string, error)
	// sql is the SQL floor (sqlfloor*.go): the same data with one
	// hand-written statement, written as the response's JSON; nil: none.
	sql func(ctx context.Context, f *sqlFloor, p params, fp *[]string) error
	// peerKey names the peer's equivalent query (peer_queries.go); "": none.
	peerKey string
	// group and variant: workloads reported together in one compact table
	// (the sorted and deep pages); clients overrides -clients (1: single
	// client); prepare runs once before the workload (deep's cursor walk).
	group, variant string
	clients        int
	prepare        func(ctx context.Context, st stores, s *samples) error
}

type stores struct {
	assets    *postgres.AssetStore
	models    *postgres.ModelStore
	people    *postgres.PersonStore   // nested-people
	locations *postgres.LocationStore // nested-locations
	relations *postgres.RelationStore
	// compliance: the compliance workloads (compliance.go)
	compliance *postgres.LicenseComplianceStore
	catalog    *postgres.SoftwareCatalogStore // the report's products
	// forecast: the refresh forecast workload (refresh_forecast.go)
	forecast *postgres.CostReportStore
	// liveCompliance: the whole report's floor computes live (-compliance-live-floor).
	liveCompliance bool
	costReports    *postgres.CostReportStore // the cost report workloads (cost_reports.go)
}

const listDoc = benchkit.ListAssetsDoc

const searchDoc = `query SearchAssets($search: String!) {
  assets(first: 50, filter: {search: $search, statusIn: [DEPLOYED, IN_STOCK]}) {
    edges {
      node {
        id assetTag serialNumber name status
        model { id name }
        assignee { ... on Person { id name email } ... on Location { id name } }
        location { id name }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`

const historyDoc = `query AssetHistory($tag: String!) {
  assetByTag(assetTag: $tag) {
    id assetTag status
    history(first: 20) {
      edges { node { action actor at changes { field from to } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`

const historyByIDDoc = `query AssetHistory($id: ID!) {
  node(id: $id) {
    ... on Asset {
      id assetTag status
      history(first: 20) {
        edges { node { action actor at changes { field from to } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`

// flatDoc is workload 1 without any relation: what the page costs when
// no dataloader, and no goroutine per relation field, is involved.
const flatDoc = `query ListAssetsFlat($after: String) {
  assets(first: 100, after: $after) {
    edges {
      cursor
      node { id assetTag serialNumber name status condition purchaseDate warrantyEnd }
    }
    pageInfo { hasNextPage endCursor }
  }
}`

const countsDoc = `query AssetCountsByCategory {
  assetCounts(groupBy: [CATEGORY]) {
    category { name }
    count
    purchaseValue { amount currency }
  }
}`

// defaultWorkloads are run unless -only names others.
var defaultWorkloads = []string{"list", "search", "history", "counts", "compliance", "compliance-one",
	"cost-rollup", "spend-by-period", "refresh-forecast", "nested-locations", "nested-people", "sorted", "deep"}

// randomPage picks a page start: one request in ten reads the first page,
// the rest start after a random cursor.
func randomPage(r *rand.Rand, s *samples) params {
	if len(s.cursors) == 0 || r.IntN(10) == 0 {
		return params{}
	}
	i := r.IntN(len(s.cursors))
	p := params{after: &s.cursors[i], afterID: &s.cursorIDs[i]}
	if i < len(s.peerCursors) {
		p.afterPeer = &s.peerCursors[i]
	}
	return p
}

// workloads returns every workload; historyByID makes workload 3 use
// node(id:) instead of assetByTag.
func workloads(historyByID bool) []workload {
	history := workload{
		key: "history", title: "3 asset by tag + history", op: "AssetHistory", doc: historyDoc,
		gen: func(r *rand.Rand, s *samples) params {
			return params{tag: s.tags[r.IntN(len(s.tags))]}
		},
		vars:     func(p params) map[string]any { return map[string]any{"tag": p.tag} },
		floor:    floorHistory,
		sql:      sqlHistory,
		serverFP: serverHistoryFP,
	}
	if historyByID {
		history.title, history.doc = "3 node(id) + history", historyByIDDoc
		history.gen = func(r *rand.Rand, s *samples) params {
			return params{id: s.ids[r.IntN(len(s.ids))]}
		}
		history.vars = func(p params) map[string]any { return map[string]any{"id": relay.ID(relay.TypeAsset, p.id)} }
		history.floor, history.sql = floorHistoryByID, nil
		history.serverFP = func(data json.RawMessage) ([]string, error) {
			return serverHistoryFP(bytes.Replace(data, []byte(`{"node":`), []byte(`{"assetByTag":`), 1))
		}
	}
	return append([]workload{
		{
			key: "list", title: "1 list 100 assets + relations", op: "ListAssets", doc: listDoc,
			gen:      randomPage,
			vars:     func(p params) map[string]any { return map[string]any{"after": p.after} },
			floor:    floorList,
			sql:      sqlList,
			serverFP: serverListFP,
			peerKey:  "list",
		},
		{
			key: "search", title: "2 search 50, filtered", op: "SearchAssets", doc: searchDoc,
			gen: func(r *rand.Rand, s *samples) params {
				return params{search: s.fragments[r.IntN(len(s.fragments))]}
			},
			vars:     func(p params) map[string]any { return map[string]any{"search": p.search} },
			floor:    floorSearch,
			sql:      sqlSearch,
			serverFP: serverSearchFP,
		},
		history,
		{
			key: "counts", title: "4 assetCounts by category", op: "AssetCountsByCategory", doc: countsDoc,
			gen:      func(*rand.Rand, *samples) params { return params{} },
			vars:     func(params) map[string]any { return nil },
			floor:    floorCounts,
			sql:      sqlCounts,
			serverFP: serverCountsFP,
		},
		{
			key: "flat", title: "(diag) list 100, no relations", op: "ListAssetsFlat", doc: flatDoc,
			gen:   randomPage,
			vars:  func(p params) map[string]any { return map[string]any{"after": p.after} },
			floor: floorFlat,
			serverFP: func(data json.RawMessage) ([]string, error) {
				var d struct {
					Assets struct {
						Edges []struct {
							Node struct {
								AssetTag string `json:"assetTag"`
							} `json:"node"`
						} `json:"edges"`
					} `json:"assets"`
				}
				err := json.Unmarshal(data, &d)
				var out []string
				for _, e := range d.Assets.Edges {
					out = append(out, e.Node.AssetTag)
				}
				return out, err
			},
		},
	}, slices.Concat(complianceWorkloads(), costReportWorkloads(), refreshForecastWorkloads(), nestedWorkloads(), sortedWorkloads())...)
}

// ---- the server side: GraphQL over HTTP ----

type gqlClient struct {
	http      *http.Client
	url       string
	token     string
	fastCheck bool     // see do; off for the verification requests
	bodies    sync.Map // bodyKey → []byte (see post)
}

type gqlRequest struct {
	OperationName string         `json:"operationName,omitempty"`
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables,omitempty"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// do posts one operation and fails unless the answer is HTTP 200 with data
// and no errors. It returns the data, except on fastCheck's fast path.
func (c *gqlClient) do(ctx context.Context, op, doc string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(gqlRequest{OperationName: op, Query: doc, Variables: vars})
	if err != nil {
		return nil, err
	}
	return c.send(ctx, op, body)
}

// bodyKey identifies a pre-encoded request body: params hold only
// comparable values and pointers into the samples, so equal keys mean
// equal bodies.
type bodyKey struct {
	doc, variant string
	p            params
}

// post is do with the body encoded once per distinct request and reused,
// so the measured client does not pay for JSON encoding every time.
func (c *gqlClient) post(ctx context.Context, op, doc, variant string, p params, vars func(params) map[string]any) (json.RawMessage, error) {
	k := bodyKey{doc: doc, variant: variant, p: p}
	if b, ok := c.bodies.Load(k); ok {
		return c.send(ctx, op, b.([]byte))
	}
	body, err := json.Marshal(gqlRequest{OperationName: op, Query: doc, Variables: vars(p)})
	if err != nil {
		return nil, err
	}
	c.bodies.Store(k, body)
	return c.send(ctx, op, body)
}

func (c *gqlClient) send(ctx context.Context, op string, body []byte) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %.300s", op, resp.StatusCode, b)
	}
	// Fast path: an answer whose bytes never contain "errors" cannot have an
	// errors member (a string value would have its quotes escaped), so it
	// is checked without decoding 70 kB per request on the machine the server
	// shares. Anything else is decoded and checked in full.
	if c.fastCheck && bytes.HasPrefix(b, []byte(`{"data":{`)) && bytes.HasSuffix(bytes.TrimSpace(b), []byte("}")) &&
		!bytes.Contains(b, []byte(`"errors"`)) {
		return nil, nil // the callers that use data turn fastCheck off
	}
	var r gqlResponse
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: bad JSON: %w", op, err)
	}
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		return nil, fmt.Errorf("%s: %d GraphQL errors, first: %s (path %v, %v)", op, len(r.Errors), e.Message, e.Path, e.Extensions)
	}
	if len(r.Data) == 0 || string(r.Data) == "null" {
		return nil, fmt.Errorf("%s: no data", op)
	}
	return r.Data, nil
}

type named struct {
	Name string `json:"name"`
}

func serverListFP(data json.RawMessage) ([]string, error) {
	var d struct {
		Assets struct {
			Edges []struct {
				Node struct {
					AssetTag string `json:"assetTag"`
					Model    struct {
						Name         string `json:"name"`
						Manufacturer named  `json:"manufacturer"`
						Category     named  `json:"category"`
					} `json:"model"`
					Manufacturer named  `json:"manufacturer"`
					Category     named  `json:"category"`
					Assignee     *named `json:"assignee"`
					Owner        named  `json:"owner"`
					Location     *named `json:"location"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"assets"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range d.Assets.Edges {
		n := e.Node
		out = append(out, strings.Join([]string{n.AssetTag, n.Model.Name, n.Model.Manufacturer.Name, n.Model.Category.Name,
			n.Manufacturer.Name, n.Category.Name, nameOf(n.Assignee), n.Owner.Name, nameOf(n.Location)}, "|"))
	}
	return out, nil
}

func serverSearchFP(data json.RawMessage) ([]string, error) {
	var d struct {
		Assets struct {
			Edges []struct {
				Node struct {
					AssetTag string `json:"assetTag"`
					Model    named  `json:"model"`
					Assignee *named `json:"assignee"`
					Location *named `json:"location"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"assets"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range d.Assets.Edges {
		n := e.Node
		out = append(out, strings.Join([]string{n.AssetTag, n.Model.Name, nameOf(n.Assignee), nameOf(n.Location)}, "|"))
	}
	return out, nil
}

func serverHistoryFP(data json.RawMessage) ([]string, error) {
	var d struct {
		AssetByTag *struct {
			AssetTag string `json:"assetTag"`
			History  struct {
				Edges []struct {
					Node struct {
						Action string `json:"action"`
						Actor  string `json:"actor"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"history"`
		} `json:"assetByTag"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	if d.AssetByTag == nil {
		return nil, errors.New("assetByTag is null")
	}
	out := []string{d.AssetByTag.AssetTag}
	for _, e := range d.AssetByTag.History.Edges {
		out = append(out, e.Node.Action+"|"+e.Node.Actor)
	}
	return out, nil
}

func serverCountsFP(data json.RawMessage) ([]string, error) {
	var d struct {
		AssetCounts []struct {
			Category      *named `json:"category"`
			Count         int    `json:"count"`
			PurchaseValue []struct {
				Amount   string `json:"amount"`
				Currency string `json:"currency"`
			} `json:"purchaseValue"`
		} `json:"assetCounts"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, g := range d.AssetCounts {
		var vals []string
		for _, v := range g.PurchaseValue {
			vals = append(vals, normAmount(v.Amount)+" "+v.Currency)
		}
		out = append(out, fmt.Sprintf("%s|%d|%s", nameOf(g.Category), g.Count, strings.Join(vals, ",")))
	}
	sort.Strings(out)
	return out, nil
}

func nameOf(n *named) string {
	if n == nil {
		return "-"
	}
	return n.Name
}

// normAmount strips trailing zeros so "10.5000" and "10.5" compare equal.
func normAmount(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// ---- the floor: the same round trips through the stores, no HTTP, no GraphQL ----
