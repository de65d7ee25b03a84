package servicenowtest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/testkit"
)

func call(t *testing.T, s *Server, method, path string, auth bool) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	require.NoError(t, err)
	if auth {
		req.SetBasicAuth(DefaultUsername, DefaultPassword)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The wire details the connector depends on, as ServiceNow sends them.
func TestWireFormat(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Records: 7})

	resp, body := call(t, s, "GET", "/api/now/table/cmdb_ci_computer", false)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.JSONEq(t, `{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}`, body)

	resp, body = call(t, s, "GET", "/api/now/table/cmdb_ci_computer?sysparm_limit=2&sysparm_offset=2&sysparm_fields=sys_id,assigned_to,assigned_to.email", true)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "7", resp.Header.Get("X-Total-Count"))
	link := resp.Header.Get("Link")
	require.Contains(t, link, `sysparm_offset=4>;rel="next"`, "no space after the semicolon")
	require.Contains(t, link, `;rel="prev"`)
	require.Contains(t, body, `"assigned_to":{"link":"`+s.URL+`/api/now/table/sys_user/`+UserID(2)+`","value":"`+UserID(2)+`"}`)
	require.Contains(t, body, `"assigned_to.email":"`+UserEmail(2)+`"`)

	_, body = call(t, s, "GET", "/api/now/table/cmdb_ci_computer/"+RecordID(6)+"?sysparm_fields=assigned_to", true)
	require.JSONEq(t, `{"result":{"assigned_to":""}}`, body, "an empty reference is an empty string")

	resp, body = call(t, s, "GET", "/api/now/table/cmdb_ci_computer?sysparm_query=name%20LIKEfoo", true)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)

	s.Throttle("", 1, "7")
	resp, _ = call(t, s, "GET", "/api/now/table/cmdb_ci_computer", true)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "7", resp.Header.Get("Retry-After"))
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Reset", "X-RateLimit-Rule"} {
		require.NotEmpty(t, resp.Header.Get(h), h)
	}

	// The token endpoint takes forms only.
	req, _ := http.NewRequest("POST", s.URL+"/oauth_token.do", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// LimitRate answers 429 past the limit within one second of the
// instance's clock, and serves again in the next second.
func TestLimitRate(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	s := New(t, Options{Records: 1, Now: clock.Now})
	s.LimitRate(10)
	for range 10 {
		resp, _ := call(t, s, "GET", "/api/now/table/cmdb_ci_computer", true)
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	resp, _ := call(t, s, "GET", "/api/now/table/cmdb_ci_computer", true)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	clock.Advance(time.Second)
	resp, _ = call(t, s, "GET", "/api/now/table/cmdb_ci_computer", true)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 1, s.Stats().Throttled)
}
