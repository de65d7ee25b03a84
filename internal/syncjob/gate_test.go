package syncjob

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors/jamf/jamftest"
)

// gate stands in front of the fake Jamf and holds the request for one
// inventory page until the test opens it, so a test knows where a sync is
// without sleeping: while the gate is shut the sync cannot get past the page.
type gate struct {
	URL     string
	page    string
	reached chan struct{} // closed when the held page is first asked for
	release chan struct{} // closed by open
	once    sync.Once
	opened  sync.Once
}

// newGate proxies to the fake Jamf at target and holds page (0-based).
func newGate(t *testing.T, target string, page int) *gate {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	g := &gate{page: strconv.Itoa(page), reached: make(chan struct{}), release: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if strings.Contains(r.URL.Path, "computers-inventory") && q.Get("page") == g.page && q.Get("filter") == "" {
			g.once.Do(func() { close(g.reached) })
			select {
			case <-g.release:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(g.open) // a held request must not keep the server from closing
	g.URL = srv.URL
	return g
}

// waitReached waits until the held page has been asked for.
func (g *gate) waitReached(t *testing.T) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(60 * time.Second):
		t.Fatalf("page %s was never asked for", g.page)
	}
}

// open lets the held page and every later request through.
func (g *gate) open() { g.opened.Do(func() { close(g.release) }) }

// pageRequests counts the fake Jamf's list requests per page number (a
// targeted fetch, filtered by id, is not a page).
func pageRequests(j *jamftest.Server) map[string]int {
	n := map[string]int{}
	for _, r := range j.Requests() {
		if r.Query.Get("filter") == "" {
			n[r.Query.Get("page")]++
		}
	}
	return n
}
