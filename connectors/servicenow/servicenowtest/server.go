// Package servicenowtest is a fake ServiceNow instance for tests and the
// sync benchmark: an httptest server speaking the Table API and the OAuth
// token endpoint as ServiceNow documents them.
//
//	GET    /api/now/table/{table}            list: sysparm_query (terms joined by ^,
//	                                          =, !=, >=, <=, >, <, IN, dot-walked fields,
//	                                          ORDERBY/ORDERBYDESC), sysparm_fields,
//	                                          sysparm_limit (default 10000),
//	                                          sysparm_offset, sysparm_display_value
//	                                          (false|true|all), sysparm_exclude_reference_link;
//	                                          Link (rel first/prev/next/last, written
//	                                          `<url>;rel="next"` without a space) and
//	                                          X-Total-Count headers ("Table API",
//	                                          GET /now/table/{tableName})
//	GET    /api/now/table/{table}/{sys_id}   one record, 404 "No Record found"
//	PATCH  /api/now/table/{table}/{sys_id}   update the fields sent (PUT too)
//	POST   /api/now/table/{table}            create, 201
//	POST   /oauth_token.do                   form-encoded password or client_credentials
//	                                          grant ("OAuth API request parameters")
//	POST   /api/now/v1/batch                 Batch API: rest_requests (Base64 bodies) run
//	                                          as the calls above, answered in
//	                                          serviced_requests/unserviced_requests; one
//	                                          request for the rate limit (batch.go)
//
// Every value is a string; a reference is {"link","value"} or "" unless
// sysparm_exclude_reference_link=true. Unauthenticated requests get
// ServiceNow's 401 body; throttled ones 429 with Retry-After and the
// X-RateLimit-* headers ("Inbound REST API rate limiting"). The main table's
// records are generated on demand from their index, so 50,000 of them cost
// nothing until listed, and a page is rendered on its own.
package servicenowtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// Defaults the server accepts unless Options say otherwise.
const (
	DefaultUsername     = "itam.integration"
	DefaultPassword     = "sn-test-password"
	DefaultClientID     = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	DefaultClientSecret = "sn-test-client-secret"
	// DefaultTable is the generated records' table.
	DefaultTable = "cmdb_ci_computer"
	// MaxLimit is the Table API's default (and here maximum) sysparm_limit.
	MaxLimit = 10000
)

// Options configure a Server.
type Options struct {
	// Table is the table the generated records live in (DefaultTable;
	// "alm_hardware" generates hardware assets with that table's fields).
	Table string
	// Records is how many records of Table are generated.
	Records int
	// Users is how many sys_user records are generated (default 20).
	Users                  int
	Username, Password     string
	ClientID, ClientSecret string
	// TokenLifetime is expires_in of issued tokens (default 1800s, the
	// instance default).
	TokenLifetime time.Duration
	// Now is the instance clock (sys_updated_on of changes, token expiry).
	Now func() time.Time
	// Latency delays every API answer (the benchmark).
	Latency time.Duration
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	// Body is the request body as sent (writes and token requests; token
	// requests' secrets included, so tests can check the grant).
	Body string
}

// Stats are the server's counters (the benchmark reports them).
type Stats struct {
	Requests     int `json:"requests"`
	Lists        int `json:"lists"`
	Records      int `json:"recordsServed"`
	Throttled    int `json:"throttled"`
	Unauthorized int `json:"unauthorized"`
	Tokens       int `json:"tokens"`
	// Batches are Batch API requests served; BatchCalls the calls in them.
	Batches    int `json:"batches"`
	BatchCalls int `json:"batchCalls"`
}

type fault struct {
	method, path string // path prefix; "" matches all
	status       int
	retryAfter   string
	message      string
	detail       string
	left         int
}

// Server is a fake ServiceNow instance.
type Server struct {
	// URL is the instance URL (https://<instance>.service-now.com).
	URL string

	srv    *httptest.Server
	api    *http.ServeMux // the calls a batch may carry (batch.go)
	opt    Options
	tokens *vendorfake.Tokens

	mu       sync.Mutex
	data     *store
	faults   []*fault
	log      []Request
	stats    Stats
	perSec   int
	window   time.Time
	inWindow int
	// serveAtMost is how many calls of a batch are serviced (0: all).
	serveAtMost int
}

// New starts a fake instance, closed when the test ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	s := Start(opt)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake instance outside a test (the benchmark's child
// process); Close stops it.
func Start(opt Options) *Server {
	if opt.Table == "" {
		opt.Table = DefaultTable
	}
	if opt.Users == 0 {
		opt.Users = 20
	}
	if opt.Username == "" {
		opt.Username, opt.Password = DefaultUsername, DefaultPassword
	}
	if opt.ClientID == "" {
		opt.ClientID, opt.ClientSecret = DefaultClientID, DefaultClientSecret
	}
	if opt.TokenLifetime == 0 {
		opt.TokenLifetime = 1800 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{opt: opt, tokens: vendorfake.NewTokens(opt.TokenLifetime, opt.Now)}
	s.data = newStore(opt)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth_token.do", s.token)
	mux.HandleFunc("GET /api/now/table/{table}", s.authed(s.list))
	mux.HandleFunc("GET /api/now/table/{table}/{id}", s.authed(s.get))
	mux.HandleFunc("PATCH /api/now/table/{table}/{id}", s.authed(s.update))
	mux.HandleFunc("PUT /api/now/table/{table}/{id}", s.authed(s.update))
	mux.HandleFunc("POST /api/now/table/{table}", s.authed(s.create))
	mux.HandleFunc("POST "+BatchPath, s.authed(s.batch)) // batch.go
	s.api = http.NewServeMux()
	s.api.HandleFunc("GET /api/now/table/{table}", s.item(s.list))
	s.api.HandleFunc("GET /api/now/table/{table}/{id}", s.item(s.get))
	s.api.HandleFunc("PATCH /api/now/table/{table}/{id}", s.item(s.update))
	s.api.HandleFunc("PUT /api/now/table/{table}/{id}", s.item(s.update))
	s.api.HandleFunc("POST /api/now/table/{table}", s.item(s.create))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options are the server's effective options (credentials included).
func (s *Server) Options() Options { return s.opt }

// Requests are the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// RequestsTo are the requests with method to path (exact), oldest first.
func (s *Server) RequestsTo(method, path string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Stats are the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Throttle answers the next n requests whose path starts with prefix ("":
// any) with 429, Retry-After retryAfter ("" leaves the header out) and
// the X-RateLimit-* headers.
func (s *Server) Throttle(prefix string, n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{path: prefix, status: http.StatusTooManyRequests, retryAfter: retryAfter,
		message: "Rate limit exceeded", detail: "Too many requests for the rate limit rule", left: n})
}

// Fail answers the next n requests with method ("" any) to a path
// starting with prefix with status and ServiceNow's error body
// {"error":{"message","detail"},"status":"failure"}.
func (s *Server) Fail(method, prefix string, n, status int, message, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, path: prefix, status: status, message: message, detail: detail, left: n})
}

// LimitRate answers 429 (Retry-After: 1) to API requests beyond perSecond
// in one second of the server's clock, as a rate limit rule would; 0 lifts it.
func (s *Server) LimitRate(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perSec = perSecond
}

// ExpireTokens ends every issued token, as their expiry would.
func (s *Server) ExpireTokens() { s.tokens.ExpireAll() }

// Revoke refuses the credentials (basic and OAuth) until Restore.
func (s *Server) Revoke() { s.tokens.Revoke() }

// Restore accepts the credentials again.
func (s *Server) Restore() { s.tokens.Restore() }

// TokensIssued counts the tokens the endpoint has handed out.
func (s *Server) TokensIssued() int { return s.Stats().Tokens }

func (s *Server) record(r *http.Request, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	if len(s.log) < 100000 {
		s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body})
	}
}

// authed checks the Authorization header and the injected faults, then
// serves h with the request body read.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.record(r, string(body))
		if !vendorfake.Latency(r, s.opt.Latency) {
			return
		}
		if !s.authorized(r.Header.Get("Authorization")) {
			s.mu.Lock()
			s.stats.Unauthorized++
			s.mu.Unlock()
			// ServiceNow's answer to a missing or refused login.
			w.Header().Set("WWW-Authenticate", `BASIC realm="Service-now"`)
			writeError(w, http.StatusUnauthorized, "User Not Authenticated", "Required to provide Auth information")
			return
		}
		if f := s.takeFault(r.Method, r.URL.Path, true); f != nil {
			if f.status == http.StatusTooManyRequests {
				s.rateLimited(w, f.retryAfter)
				return
			}
			writeError(w, f.status, f.message, f.detail)
			return
		}
		h(w, r, body)
	}
}

func (s *Server) authorized(h string) bool {
	if s.tokens.Revoked() {
		return false
	}
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return s.tokens.Valid(tok)
	}
	if b, ok := strings.CutPrefix(h, "Basic "); ok {
		raw, err := base64.StdEncoding.DecodeString(b)
		return err == nil && string(raw) == s.opt.Username+":"+s.opt.Password
	}
	return false
}

// takeFault is the injected fault for a request, else (when rate: an
// inbound HTTP request, not a call inside a batch) the rate limit's 429.
func (s *Server) takeFault(method, path string, rate bool) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.method == "" || f.method == method) && strings.HasPrefix(path, f.path) {
			f.left--
			if f.left <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	if rate && s.perSec > 0 {
		now := s.opt.Now().Truncate(time.Second)
		if !now.Equal(s.window) {
			s.window, s.inWindow = now, 0
		}
		s.inWindow++
		if s.inWindow > s.perSec {
			return &fault{status: http.StatusTooManyRequests, retryAfter: "1"}
		}
	}
	return nil
}

func (s *Server) rateLimited(w http.ResponseWriter, retryAfter string) {
	s.mu.Lock()
	s.stats.Throttled++
	s.mu.Unlock()
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("X-RateLimit-Limit", "3600")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(s.opt.Now().Add(time.Hour).Truncate(time.Hour).Unix(), 10))
	w.Header().Set("X-RateLimit-Rule", "3f1dd0f1c0a8010e00000000000000a1")
	writeError(w, http.StatusTooManyRequests, "Rate limit exceeded", "Too many requests for the rate limit rule")
}

// token is /oauth_token.do: form-encoded only (ServiceNow refuses JSON
// there), grant_type password (client and user) or client_credentials.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.record(r, string(body))
	refuse := func() {
		vendorfake.WriteJSON(w, http.StatusUnauthorized, "application/json;charset=UTF-8",
			map[string]string{"error_description": "access_denied", "error": "server_error"})
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		refuse()
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || s.tokens.Revoked() || form.Get("client_id") != s.opt.ClientID || form.Get("client_secret") != s.opt.ClientSecret {
		refuse()
		return
	}
	switch form.Get("grant_type") {
	case "client_credentials":
	case "password":
		if form.Get("username") != s.opt.Username || form.Get("password") != s.opt.Password {
			refuse()
			return
		}
	default:
		refuse()
		return
	}
	s.mu.Lock()
	s.stats.Tokens++
	n := s.stats.Tokens
	s.mu.Unlock()
	tok := fmt.Sprintf("sn-access-%06d", n)
	life := s.tokens.Lifetime()
	s.tokens.Issue(tok, life)
	answer := map[string]any{"access_token": tok, "scope": "useraccount", "token_type": "Bearer", "expires_in": int(life.Seconds())}
	if form.Get("grant_type") == "password" {
		answer["refresh_token"] = fmt.Sprintf("sn-refresh-%06d", n)
	}
	vendorfake.WriteJSON(w, http.StatusOK, "application/json;charset=UTF-8", answer)
}

func writeError(w http.ResponseWriter, status int, message, detail string) {
	vendorfake.WriteJSON(w, status, "application/json;charset=UTF-8", map[string]any{
		"error": map[string]string{"message": message, "detail": detail}, "status": "failure"})
}

func writeResult(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"result": v})
}
