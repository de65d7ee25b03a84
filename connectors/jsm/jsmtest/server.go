// Package jsmtest is a fake Jira Service Management site with Assets
// (cloud) for tests: one httptest server answering both the site paths and
// the Assets API paths the jsm connector uses, with Atlassian's documented
// payloads (developer.atlassian.com/cloud/assets/rest/ and the Jira and
// JSM REST references):
//
//	GET  /rest/servicedeskapi/assets/workspace                  {"values": [{"workspaceId"}]}
//	POST /jsm/assets/workspace/{ws}/v1/object/aql               ?startAt&maxResults&includeAttributes, body {"qlQuery"}
//	GET  /jsm/assets/workspace/{ws}/v1/objecttype/{id}/attributes
//	GET|PUT /jsm/assets/workspace/{ws}/v1/object/{id}
//	POST /jsm/assets/workspace/{ws}/v1/object/create
//	GET  /jsm/assets/workspace/{ws}/v1/config/statustype
//	GET  /jsm/assets/workspace/{ws}/v1/objectschema/list, objectschema/{id}/objecttypes/flat
//	GET  /jsm/assets/workspace/{ws}/v1/objectconnectedtickets/{id}/tickets
//	GET  /rest/api/3/user/bulk?accountId=…, /rest/api/3/user/search?query=…
//	POST /rest/servicedeskapi/request
//
// Every request needs basic auth with the account email and API token;
// otherwise 401 with the body Jira Cloud sends ({"message": "Client must
// be authenticated to access this resource.", "status-code": 401}, as
// reported in jira-node/node-jira-client#255). Users' emails are hidden in
// Assets user values (as profile visibility usually does) and appear only
// through /rest/api/3/user/bulk, unless the user hides them there too.
package jsmtest

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// Defaults the server accepts unless Options say otherwise.
const (
	DefaultEmail       = "it-bot@example.com"
	DefaultAPIToken    = "jsm-test-token"
	DefaultWorkspaceID = "0b9d7f3e-6c1a-4b8e-9d2f-1a2b3c4d5e6f"
	// ServiceDeskID and RequestTypeID are the only ones requests may be opened in.
	ServiceDeskID = "1"
	RequestTypeID = "10"
)

// Object type ids of the fake schema ("IT", id 1).
const (
	TypeComputers = "10"
	TypeMonitors  = "11"
	TypeLocations = "12"
	TypePeople    = "13"
)

// Options configure a Server.
type Options struct {
	Email, APIToken, WorkspaceID string
	// Generated adds that many Computers, produced page by page on demand
	// after the explicit objects (the bench's large tenant).
	Generated int
	// MaxResults caps a page (0: no cap).
	MaxResults int
	// Now is the server clock (AQL now(), updated times); time.Now when nil.
	Now func() time.Time
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

type fault struct {
	method, path string // path is a substring; "" matches all
	status       int
	body         string
	retryAfter   string
	remaining    int
}

// Server is the fake site.
type Server struct {
	*httptest.Server
	opt Options

	mu       sync.Mutex
	log      []Request
	faults   []*fault
	types    map[string]*objectType
	objects  []*object // explicit objects, in creation order
	users    map[string]*User
	statuses []status
	tickets  map[string][]Ticket
	nextID   int
}

// New starts a server; it is closed when the test ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.Email == "" {
		opt.Email = DefaultEmail
	}
	if opt.APIToken == "" {
		opt.APIToken = DefaultAPIToken
	}
	if opt.WorkspaceID == "" {
		opt.WorkspaceID = DefaultWorkspaceID
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{opt: opt, users: map[string]*User{}, tickets: map[string][]Ticket{}, nextID: 1000}
	s.seedSchema()
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// Email, APIToken and WorkspaceID are the accepted credentials and the workspace.
func (s *Server) Email() string { return s.opt.Email }
func (s *Server) APIToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opt.APIToken
}
func (s *Server) WorkspaceID() string { return s.opt.WorkspaceID }

// SetAPIToken replaces the accepted API token, as revoking the old one in
// the Atlassian account does: requests with the old one get 401.
func (s *Server) SetAPIToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.APIToken = token
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// RequestsTo returns the requests whose method matches and whose path
// contains pathPart.
func (s *Server) RequestsTo(method, pathPart string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method == method && strings.Contains(r.Path, pathPart) {
			out = append(out, r)
		}
	}
	return out
}

// FailNext answers the next n requests (method "" for any) whose path
// contains pathPart with status and body.
func (s *Server) FailNext(method, pathPart string, n, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, path: pathPart, status: status, body: body, remaining: n})
}

// ThrottleNext answers the next n matching requests 429 with Retry-After
// retryAfter ("" for none) and Atlassian's rate-limit body.
func (s *Server) ThrottleNext(method, pathPart string, n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, path: pathPart, status: http.StatusTooManyRequests,
		body: `{"errorMessages":["Rate limit exceeded."],"errors":{}}`, retryAfter: retryAfter, remaining: n})
}

// Forbid answers the next n matching requests 403 with the body Assets
// sends when the account lacks the schema role.
func (s *Server) Forbid(method, pathPart string, n int) {
	s.FailNext(method, pathPart, n, http.StatusForbidden, `{"errorMessages":["The user does not have permission to perform this action."],"errors":{}}`)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body)})
	var hit *fault
	for _, f := range s.faults {
		if f.remaining > 0 && (f.method == "" || f.method == r.Method) && strings.Contains(r.URL.Path, f.path) {
			f.remaining--
			hit = f
			break
		}
	}
	s.mu.Unlock()
	if !s.authorized(r) {
		vendorfake.WriteJSON(w, http.StatusUnauthorized, "application/json;charset=UTF-8",
			map[string]any{"message": "Client must be authenticated to access this resource.", "status-code": 401})
		return
	}
	if hit != nil {
		if hit.retryAfter != "" {
			w.Header().Set("Retry-After", hit.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(hit.status)
		_, _ = io.WriteString(w, hit.body)
		return
	}
	s.route(w, r, body)
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	s.mu.Lock()
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.opt.Email+":"+s.opt.APIToken))
	s.mu.Unlock()
	return h == want
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	p := r.URL.Path
	prefix := "/jsm/assets/workspace/" + s.opt.WorkspaceID + "/v1"
	switch {
	case p == "/rest/servicedeskapi/assets/workspace" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"size": 1, "start": 0, "limit": 50, "isLastPage": true,
			"values": []map[string]string{{"workspaceId": s.opt.WorkspaceID}}})
	case p == "/rest/api/3/user/bulk" && r.Method == http.MethodGet:
		s.userBulk(w, r)
	case p == "/rest/api/3/user/search" && r.Method == http.MethodGet:
		s.userSearch(w, r)
	case p == "/rest/servicedeskapi/request" && r.Method == http.MethodPost:
		s.createRequest(w, body)
	case strings.HasPrefix(p, prefix+"/"):
		s.assets(w, r, strings.TrimPrefix(p, prefix), body)
	default:
		notFound(w)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	vendorfake.WriteJSON(w, status, "application/json;charset=UTF-8", v)
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]any{"errorMessages": []string{"Not found"}, "errors": map[string]string{}})
}

func badRequest(w http.ResponseWriter, field, msg string) {
	errs := map[string]string{}
	var msgs []string
	if field != "" {
		errs[field] = msg
	} else {
		msgs = []string{msg}
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": append([]string{}, msgs...), "errors": errs})
}
