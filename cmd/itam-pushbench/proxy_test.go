package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
)

// The proxy's counts are what the bench's checks judge: a record PATCHed
// twice with 2xx is a duplicate, a 429 is not, and sys_user lookups and
// token requests are told apart.
func TestProxyCountsWhatTheVendorAnswered(t *testing.T) {
	throttle := true
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/a") && throttle {
			throttle = false
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer backend.Close()
	p, err := startProxy(backend.URL)
	require.NoError(t, err)
	defer p.Close()
	send := func(method, path string) {
		req, err := http.NewRequest(method, p.URL+path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	send(http.MethodPost, "/oauth_token.do")
	send(http.MethodGet, "/api/now/table/sys_user")
	p.reset() // the setup sync's requests are not counted
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/oauth_token.do"},
		{http.MethodGet, "/api/now/table/sys_user"},
		{http.MethodPatch, "/api/now/table/cmdb_ci_computer/a"}, // 429
		{http.MethodPatch, "/api/now/table/cmdb_ci_computer/a"},
		{http.MethodPatch, "/api/now/table/cmdb_ci_computer/b"},
		{http.MethodPatch, "/api/now/table/cmdb_ci_computer/b"}, // duplicate
		{http.MethodGet, "/api/now/table/incident"},
	} {
		send(r.method, r.path)
	}
	require.Equal(t, VendorCounts{PatchOK: 3, Patch429: 1, LookupOK: 1, Tokens: 1, Other: 1, RecordsPatched: 2, Duplicates: 1, Requests2xx: 5}, p.counts())
}

// A Batch API request is one request; each call in it counts as the PATCH
// it carries, by its own status_code, so a record PATCHed alone and again
// in a batch is a duplicate.
func TestProxyCountsTheCallsOfABatch(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != servicenowtest.BatchPath {
			w.WriteHeader(http.StatusOK)
			return
		}
		_, _ = io.WriteString(w, `{"batch_request_id":"1","serviced_requests":[{"id":"0","status_code":200,"body":""},
			{"id":"1","status_code":403,"body":""},{"id":"2","status_code":200,"body":""}],"unserviced_requests":["3"]}`)
	}))
	defer backend.Close()
	p, err := startProxy(backend.URL)
	require.NoError(t, err)
	defer p.Close()
	req, err := http.NewRequest(http.MethodPatch, p.URL+"/api/now/table/cmdb_ci_computer/c", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	batch := `{"batch_request_id":"1","rest_requests":[
		{"id":"0","method":"PATCH","url":"/api/now/table/cmdb_ci_computer/a?sysparm_fields=sys_id"},
		{"id":"1","method":"PATCH","url":"/api/now/table/cmdb_ci_computer/b?sysparm_fields=sys_id"},
		{"id":"2","method":"PATCH","url":"/api/now/table/cmdb_ci_computer/c?sysparm_fields=sys_id"},
		{"id":"3","method":"PATCH","url":"/api/now/table/cmdb_ci_computer/d?sysparm_fields=sys_id"}]}`
	resp, err = http.Post(p.URL+servicenowtest.BatchPath, "application/json", strings.NewReader(batch))
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Contains(t, string(got), `"unserviced_requests":["3"]`, "the answer reaches the client whole")
	require.Equal(t, VendorCounts{PatchOK: 3, PatchOther: 1, BatchOK: 1, BatchCalls: 3, Requests2xx: 2, RecordsPatched: 2, Duplicates: 1}, p.counts())
}

// A run that lost or doubled a push fails its checks whatever the time.
func TestJudgeFailsALostOrDoubledPush(t *testing.T) {
	for _, tc := range []struct {
		name   string
		res    Results
		failed string
	}{
		{"all pushed once", Results{Changes: 2, Rate: 10, Held: 2, Wall: 1e9,
			Vendor: VendorCounts{PatchOK: 2, RecordsPatched: 2}, Jobs: jobCounts{Total: 2, Completed: 2}}, ""},
		{"one lost", Results{Changes: 2, Rate: 10, Held: 1, Wall: 1e9,
			Vendor: VendorCounts{PatchOK: 1, RecordsPatched: 1}, Jobs: jobCounts{Total: 2, Completed: 2}}, "the fake holds every new assignee"},
		{"one doubled", Results{Changes: 2, Rate: 10, Held: 2, Wall: 1e9,
			Vendor: VendorCounts{PatchOK: 3, RecordsPatched: 2, Duplicates: 1}, Jobs: jobCounts{Total: 2, Completed: 2}}, "none twice"},
		{"one refused", Results{Changes: 2, Rate: 10, Held: 2, Wall: 1e9, PushErrors: 1,
			Vendor: VendorCounts{PatchOK: 2, RecordsPatched: 2}, Jobs: jobCounts{Total: 2, Completed: 2}}, "no push refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := judge(&tc.res)
			if tc.failed == "" {
				require.Empty(t, got)
				return
			}
			require.Contains(t, got, tc.failed)
		})
	}
}
