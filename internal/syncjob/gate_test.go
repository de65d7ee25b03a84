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
	pages   pageIndex
}

// pageIndex numbers the pages of a full Jamf listing. The connector pages
// by key (page=0&filter=id>N, N the last id read), so the n-th distinct
// bound asked is page n; a targeted fetch (id==…) or an incremental
// filter is not a page of a full listing.
type pageIndex struct {
	mu     sync.Mutex
	bounds map[string]int
}

func (p *pageIndex) of(path string, q url.Values) (int, bool) {
	f := q.Get("filter")
	if !strings.Contains(path, "computers-inventory") || !strings.HasPrefix(f, "id>") || strings.ContainsAny(f, ";,") {
		return 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bounds == nil {
		p.bounds = map[string]int{}
	}
	n, ok := p.bounds[f]
	if !ok {
		n = len(p.bounds)
		p.bounds[f] = n
	}
	return n, true
}

// newGate proxies to the fake Jamf at target and holds page (0-based).
func newGate(t *testing.T, target string, page int) *gate {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	g := &gate{page: strconv.Itoa(page), reached: make(chan struct{}), release: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, ok := g.pages.of(r.URL.Path, r.URL.Query()); ok && strconv.Itoa(n) == g.page {
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

// pageRequests counts the fake Jamf's list requests per page number of a
// full listing (a targeted fetch, filtered by id, is not a page).
func pageRequests(j *jamftest.Server) map[string]int {
	n := map[string]int{}
	var pages pageIndex
	for _, r := range j.Requests() {
		if i, ok := pages.of("/computers-inventory", r.Query); ok {
			n[strconv.Itoa(i)]++
		}
	}
	return n
}
