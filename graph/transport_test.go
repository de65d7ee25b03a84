package graph

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// respond must produce what encoding/json makes of a
// graphql.Response, member for member, with the data copied verbatim:
// encoding/json would also escape <, > and & in it, which JSON does not
// need (responses are application/json with nosniff).
func TestRespondMatchesEncodingJSON(t *testing.T) {
	yes := true
	cases := map[string]*graphql.Response{
		"data only":     {Data: json.RawMessage(`{"assets":{"totalCount":3,"nodes":[{"name":"a<b>&\u2028"}]}}`)},
		"no data":       {},
		"request error": {Errors: gqlerror.List{{Message: "bad", Extensions: map[string]any{"code": "BAD_REQUEST"}}}},
		"null data":     {Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "boom"}}},
		"errors":        {Errors: gqlerror.List{{Message: "boom <x>", Path: ast.Path{ast.PathName("a"), ast.PathIndex(0)}, Extensions: map[string]any{"code": "NOT_FOUND", "field": "id"}}}, Data: json.RawMessage(`{"a":[null]}`)},
		"incremental":   {Data: json.RawMessage(`{"x":1}`), Label: "slow", Path: ast.Path{ast.PathName("x")}, HasNext: &yes, Extensions: map[string]any{"cost": 12}},
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(resp)
			require.NoError(t, err)
			if len(resp.Data) == 0 {
				// A request that never ran has no data entry (GraphQL over HTTP).
				want = bytes.Replace(want, []byte(`"data":null`), nil, 1)
				want = bytes.Replace(bytes.Replace(want, []byte("{,"), []byte("{"), 1), []byte(",}"), []byte("}"), 1)
			}
			rec := httptest.NewRecorder()
			respond(rec, http.StatusOK, resp)
			got := rec.Body
			require.Equal(t, strconv.Itoa(got.Len()), rec.Header().Get("Content-Length"))
			require.True(t, json.Valid(got.Bytes()), got.String())
			require.JSONEq(t, string(want), got.String())
			if len(resp.Data) > 0 {
				require.Contains(t, got.String(), `"data":`+string(resp.Data))
			}
			if !bytes.ContainsAny(resp.Data, "<>&") {
				require.Equal(t, string(want), got.String())
			}
		})
	}
}

func testHandler(opts Options) http.Handler {
	return NewHandler(&Resolver{}, nil, slog.New(slog.DiscardHandler), opts)
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

// code is the first error's extensions.code.
func (r reply) code() any {
	errs, _ := r.body["errors"].([]any)
	if len(errs) == 0 {
		return nil
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	return ext["code"]
}

func serve(t *testing.T, h http.Handler, req *http.Request) reply {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), "a GraphQL response body: %q", rec.Body.String())
	return reply{status: rec.Code, header: rec.Header(), body: body}
}

func postJSON(t *testing.T, h http.Handler, accept string, params map[string]any) reply {
	t.Helper()
	b, err := json.Marshal(params)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return serve(t, h, req)
}

// GraphQL over HTTP: a well-formed request whose document does not parse
// or validate is answered 200 under application/json, 400 under
// application/graphql-response+json, and has no data entry either way. A
// request with no query is not a GraphQL request: 400.
func TestRequestErrorStatus(t *testing.T) {
	h := testHandler(Options{})
	cases := []struct {
		name   string
		params map[string]any
		json   int // status under Accept: application/json (and no Accept)
		code   string
	}{
		{"parse failure", map[string]any{"query": "{"}, http.StatusOK, "GRAPHQL_PARSE_FAILED"},
		{"validation failure", map[string]any{"query": "{nope}"}, http.StatusOK, "GRAPHQL_VALIDATION_FAILED"},
		{"variable coercion failure", map[string]any{"query": "query($n:Int){assets(first:$n){totalCount}}", "variables": map[string]any{"n": "x"}}, http.StatusOK, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown operation", map[string]any{"query": "query A{__typename}", "operationName": "B"}, http.StatusOK, "GRAPHQL_VALIDATION_FAILED"},
		{"limit", map[string]any{"query": fanOut(30)}, http.StatusOK, codeComplexity},
		{"no query", map[string]any{"qeury": "{__typename}"}, http.StatusBadRequest, codeBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for accept, status := range map[string]int{"": c.json, mediaJSON: c.json, mediaGraphQLResponse: http.StatusBadRequest} {
				r := postJSON(t, h, accept, c.params)
				require.Equal(t, status, r.status, "Accept %q: %v", accept, r.body)
				require.Equal(t, c.code, r.code(), "Accept %q: %v", accept, r.body)
				require.NotContains(t, r.body, "data", "a request that never ran has no data entry")
			}
		})
	}
	r := postJSON(t, h, mediaGraphQLResponse, map[string]any{"query": "{__typename}"})
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, map[string]any{"__typename": "Query"}, r.body["data"])
}

// Requests the GET and POST transports do not take still get a GraphQL
// response with extensions.code, and a status saying what is wrong.
func TestRefusedRequests(t *testing.T) {
	h := testHandler(Options{})
	get := func(query string) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/graphql?"+query, nil)
	}
	body := func(method, contentType, body string) *http.Request {
		req := httptest.NewRequest(method, "/graphql", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		return req
	}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
		allow  string
	}{
		{"GET mutation", get("query=" + url.QueryEscape(`mutation{cancelSyncRun(id:"x"){id}}`)), http.StatusMethodNotAllowed, codeMethodNotAllowed, "POST"},
		{"GET bad variables", get("query=%7B__typename%7D&variables=%7B"), http.StatusBadRequest, codeBadRequest, ""},
		{"GET bad extensions", get("query=%7B__typename%7D&extensions=x"), http.StatusBadRequest, codeBadRequest, ""},
		{"GET no query", get(""), http.StatusBadRequest, codeBadRequest, ""},
		{"POST text/plain", body(http.MethodPost, "text/plain", `{"query":"{__typename}"}`), http.StatusUnsupportedMediaType, codeUnsupportedMediaType, ""},
		{"POST form", body(http.MethodPost, "application/x-www-form-urlencoded", "query=%7B__typename%7D"), http.StatusUnsupportedMediaType, codeUnsupportedMediaType, ""},
		{"POST multipart without parts", body(http.MethodPost, "multipart/form-data; boundary=x", "--x--"), http.StatusBadRequest, codeBadRequest, ""},
		{"POST multipart without map", body(http.MethodPost, "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":\"{__typename}\"}\r\n--x--"), http.StatusBadRequest, codeBadRequest, ""},
		{"POST no content type", body(http.MethodPost, "", `{"query":"{__typename}"}`), http.StatusUnsupportedMediaType, codeUnsupportedMediaType, ""},
		{"POST bad JSON", body(http.MethodPost, mediaJSON, `{"query":`), http.StatusBadRequest, codeBadRequest, ""},
		{"PUT", body(http.MethodPut, mediaJSON, `{"query":"{__typename}"}`), http.StatusMethodNotAllowed, codeMethodNotAllowed, "GET, POST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := serve(t, h, c.req)
			require.Equal(t, c.status, r.status, r.body)
			require.Equal(t, c.code, r.code(), r.body)
			require.Equal(t, c.allow, r.header.Get("Allow"))
			require.NotContains(t, r.body, "data")
		})
	}
	r := serve(t, h, get("query="+url.QueryEscape("{__typename}")))
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, map[string]any{"__typename": "Query"}, r.body["data"])
}

// Automatic persisted queries answer with the APQ convention's codes,
// never INTERNAL.
func TestPersistedQueryCodes(t *testing.T) {
	h := testHandler(Options{})
	const query = "{__typename}"
	sum := sha256.Sum256([]byte(query))
	hash := hex.EncodeToString(sum[:])
	apq := func(hash string, version int) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": version, "sha256Hash": hash}}
	}

	r := postJSON(t, h, "", map[string]any{"extensions": apq(hash, 1)})
	require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", r.code(), r.body)
	require.Equal(t, http.StatusOK, r.status)

	r = postJSON(t, h, "", map[string]any{"query": query, "extensions": apq(strings.Repeat("0", 64), 1)})
	require.Equal(t, codeBadRequest, r.code(), r.body)
	require.Equal(t, http.StatusBadRequest, r.status)

	r = postJSON(t, h, "", map[string]any{"query": query, "extensions": apq(hash, 2)})
	require.Equal(t, codeBadRequest, r.code(), r.body)

	r = postJSON(t, h, "", map[string]any{"query": query, "extensions": apq(hash, 1)})
	require.Empty(t, r.body["errors"])
	r = postJSON(t, h, "", map[string]any{"extensions": apq(hash, 1)})
	require.Equal(t, map[string]any{"__typename": "Query"}, r.body["data"], r.body)
}

// A multipart body larger than an import takes is refused before it is
// read, as BAD_USER_INPUT on file; one of unknown length too (gqlgen would
// hold it in memory), as BAD_REQUEST.
func TestUploadRefusals(t *testing.T) {
	h := testHandler(Options{})
	upload := func(length int64) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("--x--"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.ContentLength = length
		return req
	}
	r := serve(t, h, upload(MaxUploadBytes+1))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status, r.body)
	require.Equal(t, "BAD_USER_INPUT", r.code(), r.body)
	errs := r.body["errors"].([]any)
	require.Equal(t, "file", errs[0].(map[string]any)["extensions"].(map[string]any)["field"])
	require.Contains(t, errs[0].(map[string]any)["message"], "at most 50 MB")

	r = serve(t, h, upload(-1))
	require.Equal(t, http.StatusLengthRequired, r.status, r.body)
	require.Equal(t, codeBadRequest, r.code(), r.body)
}
