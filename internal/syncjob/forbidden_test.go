package syncjob

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestForbiddenFailsTheRunNamingThePrivilege: Jamf refusing the inventory
// with 403 (valid credentials, API role without the privilege) fails the
// run at once with a message naming the endpoint, the Jamf privilege and
// Jamf's own words, not "refused the credentials"; no secret in it or in
// the logs.
func TestForbiddenFailsTheRunNamingThePrivilege(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10)
	e.start()
	// A proxy in front of the fake Jamf answers the inventory with Jamf's
	// documented error body once refusing is on (after the connector is
	// created: creating it tests the connection).
	var refusing atomic.Bool
	target, err := url.Parse(e.jamf.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refusing.Load() && strings.Contains(r.URL.Path, "/computers-inventory") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"httpStatus":403,"errors":[{"code":"INVALID_PRIVILEGE","description":"Forbidden","id":"0","field":null}]}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)
	c := e.connectorAt(gate.URL, 100)
	refusing.Store(true)

	run := e.wait(e.sync(c, itam.SyncFull).ID)
	require.Equal(t, itam.SyncFailed, run.Status)
	msg := deref(run.Message)
	require.Regexp(t, `^the vendor refused GET /api/v\d+/computers-inventory \(HTTP 403\): the API account needs the privilege Read Computers; the vendor said: Forbidden$`, msg)
	require.NotContains(t, msg, "refused the credentials")
	require.NotContains(t, msg, e.jamf.ClientSecret)
	require.NotContains(t, e.logs.String(), e.jamf.ClientSecret)
}
