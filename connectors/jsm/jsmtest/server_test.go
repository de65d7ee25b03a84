package jsmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func (s *Server) post(t *testing.T, path, body string, auth bool) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if auth {
		req.SetBasicAuth(s.Email(), s.APIToken())
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return resp, out
}

func TestFakeRefusesWhatAssetsRefuses(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Generated: 3})
	aql := "/jsm/assets/workspace/" + s.WorkspaceID() + "/v1/object/aql?startAt=0&maxResults=2"

	resp, body := s.post(t, aql, `{"qlQuery": "objectType = \"Computers\""}`, false)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, "Client must be authenticated to access this resource.", body["message"])

	resp, body = s.post(t, aql, `{"qlQuery": "objectType == Computers"}`, true)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "AQL the fake does not understand is refused, not ignored")
	require.NotEmpty(t, body["errorMessages"])

	resp, body = s.post(t, aql, `{"qlQuery": "objectType = \"Computers\""}`, true)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, float64(3), body["total"])
	require.Equal(t, false, body["isLast"])
	require.Len(t, body["values"], 2)

	resp, _ = s.post(t, "/jsm/assets/workspace/other/v1/object/aql", `{"qlQuery": "objectType = \"Computers\""}`, true)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "another workspace")
}
