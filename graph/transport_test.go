package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
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
		"data only":   {Data: json.RawMessage(`{"assets":{"totalCount":3,"nodes":[{"name":"a<b>&\u2028"}]}}`)},
		"null data":   {},
		"errors":      {Errors: gqlerror.List{{Message: "boom <x>", Path: ast.Path{ast.PathName("a"), ast.PathIndex(0)}, Extensions: map[string]any{"code": "NOT_FOUND", "field": "id"}}}, Data: json.RawMessage(`{"a":[null]}`)},
		"incremental": {Data: json.RawMessage(`{"x":1}`), Label: "slow", Path: ast.Path{ast.PathName("x")}, HasNext: &yes, Extensions: map[string]any{"cost": 12}},
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(resp)
			require.NoError(t, err)
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
