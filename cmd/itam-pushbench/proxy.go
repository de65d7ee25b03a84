package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
)

// proxy stands between the connector and the fake ServiceNow and counts
// what the vendor answered, per kind of request: the fake's own log does
// not keep statuses, and a duplicate PATCH is one answered 2xx twice. A
// Batch API request counts once as a request and each call in it as the
// request it carries, answered with its own status_code.
type proxy struct {
	URL string
	srv *httptest.Server

	mu      sync.Mutex
	c       VendorCounts
	patched map[string]int // path → PATCHes answered 2xx
}

// VendorCounts are the requests the fake received during the measured phase.
type VendorCounts struct {
	PatchOK    int `json:"patch_2xx"`
	Patch429   int `json:"patch_429"`
	PatchOther int `json:"patch_other"`
	LookupOK   int `json:"sys_user_lookups_2xx"`
	Lookup429  int `json:"sys_user_lookups_429"`
	Tokens     int `json:"token_requests"`
	// BatchOK and Batch429 are Batch API requests; their calls count as
	// PATCHes (PatchOK…) too.
	BatchOK    int `json:"batch_2xx"`
	Batch429   int `json:"batch_429"`
	BatchCalls int `json:"batch_calls"`
	// Requests2xx are the API requests answered 2xx (tokens aside; a batch
	// is one): what a rate limit counted and let through.
	Requests2xx    int `json:"requests_2xx"`
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
		sent, _ := resp.Request.Context().Value(batchBody{}).([]byte)
		if sent == nil {
			p.count(resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, false)
			return nil
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(got))
		if err != nil {
			return err
		}
		p.countBatch(sent, got, resp.StatusCode)
		return nil
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == servicenowtest.BatchPath {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			r = r.WithContext(context.WithValue(r.Context(), batchBody{}, b))
		}
		rp.ServeHTTP(w, r)
	}))
	p.URL = p.srv.URL
	return p, nil
}

// batchBody keys a Batch API request's body in its context.
type batchBody struct{}

// countBatch counts a Batch API request and each call it carried, by the
// call's method, path and status_code (the documented request and answer).
func (p *proxy) countBatch(sent, got []byte, status int) {
	p.mu.Lock()
	ok := status >= 200 && status < 300
	switch {
	case ok:
		p.c.BatchOK++
		p.c.Requests2xx++
	case status == http.StatusTooManyRequests:
		p.c.Batch429++
	default:
		p.c.Other++
	}
	p.mu.Unlock()
	if !ok {
		return
	}
	var req struct {
		RestRequests []struct{ ID, Method, URL string } `json:"rest_requests"`
	}
	var resp struct {
		ServicedRequests []struct {
			ID         string `json:"id"`
			StatusCode int    `json:"status_code"`
		} `json:"serviced_requests"`
	}
	if json.Unmarshal(sent, &req) != nil || json.Unmarshal(got, &resp) != nil {
		return
	}
	calls := map[string][2]string{}
	for _, r := range req.RestRequests {
		path, _, _ := strings.Cut(r.URL, "?")
		calls[r.ID] = [2]string{strings.ToUpper(r.Method), path}
	}
	for _, sr := range resp.ServicedRequests {
		if c, found := calls[sr.ID]; found {
			p.count(c[0], c[1], sr.StatusCode, true)
		}
	}
}

func (p *proxy) Close() { p.srv.Close() }

// count counts one request, or one call inside a batch (inBatch).
func (p *proxy) count(method, path string, status int, inBatch bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok := status >= 200 && status < 300
	if inBatch {
		p.c.BatchCalls++
	} else if ok && path != "/oauth_token.do" {
		p.c.Requests2xx++
	}
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
