package freshservicetest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	fs "github.com/itam-dev/itam/connectors/freshservice/freshservicetest"
)

func call(t *testing.T, srv *fs.Server, method, path, key, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.SetBasicAuth(key, "X")
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// The fake answers as the documented API does: its 401 body, rate-limit
// headers, validation errors, and a Link header on every page but the last.
func TestFakeSpeaksTheDocumentedAPI(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 3})

	resp, body := call(t, srv, http.MethodGet, "/api/v2/assets", "wrong", "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.JSONEq(t, fs.UnauthorizedBody, body)

	resp, _ = call(t, srv, http.MethodGet, "/api/v2/assets?per_page=2", fs.DefaultAPIKey, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Link"), `page=2`)
	require.Contains(t, resp.Header.Get("Link"), `rel="next"`)
	require.NotEmpty(t, resp.Header.Get("X-RateLimit-Remaining"))
	resp, _ = call(t, srv, http.MethodGet, "/api/v2/assets?per_page=2&page=2", fs.DefaultAPIKey, "")
	require.Empty(t, resp.Header.Get("Link"), "no Link on the last page")

	resp, body = call(t, srv, http.MethodGet, "/api/v2/assets?per_page=101", fs.DefaultAPIKey, "")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, `"field":"per_page"`)

	resp, body = call(t, srv, http.MethodPut, "/api/v2/assets/100000", fs.DefaultAPIKey, `{"type_fields":{"serial_number_1":"x"}}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "Unexpected/invalid field in request")

	resp, body = call(t, srv, http.MethodGet, "/api/v2/assets/100000?include=type_fields", fs.DefaultAPIKey, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, `"serial_number_21000000001":"FSN0000000"`)
	require.Contains(t, body, `"os_21000000002":null`, "inherited from Computer, null when unset")

	srv.Throttle("/api/v2/assets", 1, "7")
	resp, _ = call(t, srv, http.MethodGet, "/api/v2/assets", fs.DefaultAPIKey, "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "7", resp.Header.Get("Retry-After"))
}
