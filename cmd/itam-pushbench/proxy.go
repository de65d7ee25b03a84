package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
)

// proxy stands between the connector and the fake ServiceNow and counts
// what the vendor answered, per kind of request: the fake's own log does
// not keep statuses, and a duplicate PATCH is one answered 2xx twice.
type proxy struct {
	URL string
	srv *httptest.Server

	mu      sync.Mutex
	c       VendorCounts
	patched map[string]int // path → PATCHes answered 2xx
}

// VendorCounts are the requests the fake received during the measured phase.
type VendorCounts struct {
	PatchOK        int `json:"patch_2xx"`
	Patch429       int `json:"patch_429"`
	PatchOther     int `json:"patch_other"`
	LookupOK       int `json:"sys_user_lookups_2xx"`
	Lookup429      int `json:"sys_user_lookups_429"`
	Tokens         int `json:"token_requests"`
	Other          int `json:"other_requests"`
	RecordsPatched int `json:"records_patched"`
	// Duplicates are PATCHes answered 2xx beyond the first of their record.
	Duplicates int `json:"duplicate_patches"`
}

func startProxy(target string) (*proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	p := &proxy{patched: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		p.count(resp.Request.Method, resp.Request.URL.Path, resp.StatusCode)
		return nil
	}
	p.srv = httptest.NewServer(rp)
	p.URL = p.srv.URL
	return p, nil
}

func (p *proxy) Close() { p.srv.Close() }

func (p *proxy) count(method, path string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok := status >= 200 && status < 300
	switch {
	case path == "/oauth_token.do":
		p.c.Tokens++
	case method == http.MethodPatch && ok:
		p.c.PatchOK++
		p.patched[path]++
	case method == http.MethodPatch && status == http.StatusTooManyRequests:
		p.c.Patch429++
	case method == http.MethodPatch:
		p.c.PatchOther++
	case method == http.MethodGet && strings.HasPrefix(path, "/api/now/table/sys_user") && ok:
		p.c.LookupOK++
	case method == http.MethodGet && strings.HasPrefix(path, "/api/now/table/sys_user") && status == http.StatusTooManyRequests:
		p.c.Lookup429++
	default:
		p.c.Other++
	}
}

// reset starts counting afresh (after the setup sync).
func (p *proxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.c, p.patched = VendorCounts{}, map[string]int{}
}

func (p *proxy) counts() VendorCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.c
	c.RecordsPatched = len(p.patched)
	for _, n := range p.patched {
		c.Duplicates += n - 1
	}
	return c
}
