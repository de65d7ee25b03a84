// Package jamftest is a fake Jamf Pro server for tests and benchmarks. It
// speaks the documented Jamf Pro API the connector uses:
//
//   - POST /api/oauth/token (and /api/v1/oauth/token): OAuth 2.0 client
//     credentials, form fields grant_type=client_credentials, client_id,
//     client_secret; answers {"access_token","scope","token_type","expires_in"}.
//   - POST /api/v1/auth/token with HTTP Basic: {"token","expires"}.
//   - POST /api/v1/auth/invalidate-token.
//   - GET /api/{v1,v2,v3,v4}/computers-inventory with section, page
//     (0-based), page-size (default 100, silently clamped to 2000 as Jamf
//     does), sort (id:asc or id:desc) and an RSQL filter (a subset: see
//     rsql.go); answers {"totalCount": N, "results": [...]}, with null for
//     every section not requested. /v4 reports general.lastContact and
//     general.lastCheckIn where older versions report lastContactTime.
//   - GET /api/{v}/computers-inventory/{id} (requested sections) and
//     /api/{v}/computers-inventory-detail/{id} (all sections); 404 with an
//     ApiError body when the computer does not exist.
//   - GET /api/v2/mobile-devices/detail (the paginated mobile device
//     inventory: section, page, page-size, sort by mobileDeviceId or the
//     documented default displayName:asc, RSQL filter on mobileDeviceId,
//     lastInventoryUpdateDate and a few text fields) and
//     /api/v2/mobile-devices/{id}/detail; see mobile.go.
//
// A key-paging client (filter=id>N&sort=id:asc, page 0) is served like
// any other filter: totalCount counts the records above N. Reports and
// check-ins are separate events (Touch moves reportDate and the last
// contact, CheckIn only the last contact), as Jamf's weekly inventory and
// ~15-minute check-ins are.
//
// Computers are generated deterministically from a seed and their id, page
// by page as they are served: 50,000 computers with applications cost
// nothing until asked for and never sit in memory as JSON. Tests change,
// add and remove computers, inject faults (429 or 503 with any Retry-After,
// malformed pages, expired tokens, revoked credentials) and read counters.
package jamftest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// Options configure a Server. Zero values take the defaults.
type Options struct {
	// Computers is the number of generated computers, ids 1..Computers.
	Computers int
	// MobileDevices is the number of generated mobile devices (iPhones and
	// iPads), mobileDeviceId 1..MobileDevices.
	MobileDevices int
	// Seed makes the generated data; the same seed gives the same computers.
	Seed uint64
	// Apps is the number of applications per computer: 0 varies it between
	// 5 and 25, a negative number gives none.
	Apps int
	// Epoch is the generator's "now": last contacts fall in the 90 days
	// before it, inventory reports up to a week before the last contact
	// (default 2026-01-01T00:00:00Z).
	Epoch time.Time
	// TokenLifetime is how long issued tokens live (default 20 minutes;
	// OAuth lifetimes are whole seconds, as expires_in is).
	TokenLifetime time.Duration
	// MaxPageSize is the page-size cap, applied silently (default 2000).
	MaxPageSize int
	// APIVersions are the computers-inventory versions served (default
	// v1–v4); others answer 404.
	APIVersions []string
	// Latency is added to every inventory request (the sync benchmark).
	Latency time.Duration
	// BeforeServe, when set, runs for every inventory request while it
	// counts as in flight, before it is answered: a test blocks there (a
	// testkit.Barrier) to make requests meet instead of hoping that
	// latencies overlap.
	BeforeServe func(r *http.Request)
	// Now is the clock tokens are issued and checked on (default
	// time.Now): a test shares one it advances by hand with the client.
	Now func() time.Time
	// Credentials accepted; defaults are generated.
	ClientID, ClientSecret, Username, Password string
}

// Malformation is a way to break a page.
type Malformation int

const (
	// Truncated declares the full Content-Length and sends half the body,
	// as a connection dropped mid-page.
	Truncated Malformation = iota + 1
	// HTML answers 200 with an HTML error page, as a misbehaving proxy.
	HTML
	// MissingID sends a record without an id.
	MissingID
	// NoTotalCount sends a JSON object without totalCount.
	NoTotalCount
)

// Stats counts what the server saw.
type Stats struct {
	// InventoryRequests and DetailRequests count inventory API requests
	// (list; single computer and detail), faulted ones included;
	// MobileRequests counts mobile-devices/detail list requests.
	InventoryRequests, DetailRequests, MobileRequests int
	// OAuthTokenRequests and BasicTokenRequests count token requests,
	// refused ones included; TokensIssued counts successes.
	OAuthTokenRequests, BasicTokenRequests, TokensIssued int
	// RateLimited, Unavailable, Malformed and Unauthorized count faulted
	// answers (429, 503, broken pages, 401 to API requests).
	RateLimited, Unavailable, Malformed, Unauthorized int
	// MaxInFlight is the largest number of inventory requests served at
	// once.
	MaxInFlight int
}

// TokenRequests is the number of token requests of both kinds.
func (s Stats) TokenRequests() int { return s.OAuthTokenRequests + s.BasicTokenRequests }

// Request is one recorded inventory list request.
type Request struct {
	Version string
	Query   url.Values
}

type fault struct {
	n          int
	retryAfter string
}

// Server is a running fake Jamf Pro instance.
type Server struct {
	// URL is the instance URL (the connector's BaseURL).
	URL string
	// The credentials it accepts.
	ClientID, ClientSecret, Username, Password string

	srv      *httptest.Server
	opt      Options
	versions []string

	mu          sync.Mutex
	maxID       int
	overrides   map[int]*Computer
	removed     map[int]bool
	tokens      *vendorfake.Tokens
	tokenSeq    int
	rateLimit   fault
	unavailable fault
	malformed   map[int]Malformation
	refused     map[string]bool // "version field": filter fields answered 400
	stats       Stats
	requests    []Request
	inFlight    int

	mobileMax       int
	mobileOverrides map[int]*MobileDevice
	mobileRemoved   map[int]bool
	mobileRequests  []Request
}

// New starts a fake Jamf Pro server, closed when t ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	s := Start(opt)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake Jamf Pro server that runs until Close. Programs that
// are not tests (the sync benchmark's fake) use it; tests use New.
func Start(opt Options) *Server {
	if opt.Epoch.IsZero() {
		opt.Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opt.TokenLifetime <= 0 {
		opt.TokenLifetime = 20 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxPageSize <= 0 {
		opt.MaxPageSize = 2000
	}
	if len(opt.APIVersions) == 0 {
		opt.APIVersions = []string{"v1", "v2", "v3", "v4"}
	}
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&opt.ClientID, "a1b2c3d4-jamftest-client")
	def(&opt.ClientSecret, fmt.Sprintf("jamftest-secret-%d", opt.Seed))
	def(&opt.Username, "jamftest-api")
	def(&opt.Password, fmt.Sprintf("jamftest-password-%d", opt.Seed))
	s := &Server{
		ClientID: opt.ClientID, ClientSecret: opt.ClientSecret, Username: opt.Username, Password: opt.Password,
		opt: opt, versions: opt.APIVersions, maxID: opt.Computers, tokens: vendorfake.NewTokens(opt.TokenLifetime, opt.Now),
		overrides: map[int]*Computer{}, removed: map[int]bool{}, malformed: map[int]Malformation{}, refused: map[string]bool{},
		mobileMax: opt.MobileDevices, mobileOverrides: map[int]*MobileDevice{}, mobileRemoved: map[int]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/oauth/token", s.oauthToken)
	mux.HandleFunc("POST /api/v1/oauth/token", s.oauthToken)
	mux.HandleFunc("POST /api/v1/auth/token", s.basicToken)
	mux.HandleFunc("POST /api/v1/auth/invalidate-token", s.invalidateToken)
	mux.HandleFunc("GET /api/{v}/computers-inventory", s.inventory(s.list))
	mux.HandleFunc("GET /api/{v}/computers-inventory/{id}", s.inventory(s.single(false)))
	mux.HandleFunc("GET /api/{v}/computers-inventory-detail/{id}", s.inventory(s.single(true)))
	mux.HandleFunc("GET /api/{v}/mobile-devices/detail", s.inventory(s.mobileList))
	mux.HandleFunc("GET /api/{v}/mobile-devices/{id}/detail", s.inventory(s.mobileDetail))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint in jamftest")
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// ---- data ----

// Len is the number of computers.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxID - len(s.removed)
}

// Computer returns computer id as it is served (applications included);
// false when there is none.
func (s *Server) Computer(id int) (Computer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookup(id, true)
	if c == nil {
		return Computer{}, false
	}
	return c.clone(), true
}

// Update changes computer id: fn edits a copy, served from then on. False
// when there is no such computer.
func (s *Server) Update(id int, fn func(*Computer)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookup(id, true)
	if c == nil {
		return false
	}
	cp := c.clone()
	fn(&cp)
	cp.ID = id
	s.overrides[id] = &cp
	return true
}

// Touch records an inventory report at `at`: reportDate and the last
// contact move there, as when a computer submits inventory (by default
// weekly: Jamf Pro's "Update Inventory" policy).
func (s *Server) Touch(id int, at time.Time) bool {
	return s.Update(id, func(c *Computer) {
		ts := at.UTC().Format("2006-01-02T15:04:05.000Z")
		c.General.ReportDate, c.General.LastContactTime, c.General.LastCheckIn = ts, ts, ts
	})
}

// CheckIn records a check-in at `at` with no inventory report: only the
// last contact (lastContactTime; /v4 lastContact and lastCheckIn) moves,
// reportDate stays, as for the ~15-minute check-ins between weekly
// inventory reports.
func (s *Server) CheckIn(id int, at time.Time) bool {
	return s.Update(id, func(c *Computer) {
		ts := at.UTC().Format("2006-01-02T15:04:05.000Z")
		c.General.LastContactTime, c.General.LastCheckIn = ts, ts
	})
}

// Add appends a computer with the next id, which it returns.
func (s *Server) Add(c Computer) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxID++
	c = c.clone()
	c.ID = s.maxID
	s.overrides[c.ID] = &c
	return c.ID
}

// Remove deletes computer id; false when there is none.
func (s *Server) Remove(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id < 1 || id > s.maxID || s.removed[id] {
		return false
	}
	s.removed[id] = true
	delete(s.overrides, id)
	return true
}

// lookup finds computer id (mu held); nil when absent. Generated computers
// are built on demand.
func (s *Server) lookup(id int, withApps bool) *Computer {
	if id < 1 || id > s.maxID || s.removed[id] {
		return nil
	}
	if c := s.overrides[id]; c != nil {
		return c
	}
	c := generate(s.opt.Seed, s.opt.Epoch, s.opt.Apps, id, withApps)
	return &c
}

// ---- faults ----

// RateLimitNext answers the next k inventory requests 429 Too Many
// Requests with this Retry-After ("" for none): whole seconds ("2"),
// fractional seconds ("0.05") or an HTTP date.
func (s *Server) RateLimitNext(k int, retryAfter string) {
	s.mu.Lock()
	s.rateLimit = fault{n: k, retryAfter: retryAfter}
	s.mu.Unlock()
}

// UnavailableNext answers the next k inventory requests 503 Service
// Unavailable, with this Retry-After ("" for none).
func (s *Server) UnavailableNext(k int, retryAfter string) {
	s.mu.Lock()
	s.unavailable = fault{n: k, retryAfter: retryAfter}
	s.mu.Unlock()
}

// MalformPage breaks every answer for list page `page` (0-based, any page
// size) of a full listing until ClearFaults. A key-paged request (id>N)
// counts as the page its first record falls in: page N/size when ids run
// 1..N without gaps.
func (s *Server) MalformPage(page int, m Malformation) {
	s.mu.Lock()
	s.malformed[page] = m
	s.mu.Unlock()
}

// RefuseFilterField answers 400 to computers-inventory requests of this
// version ("v1"…"v4") that filter on field, as a Jamf Pro that does not
// know the field does: a client's fallback can be tested against it.
func (s *Server) RefuseFilterField(version, field string) {
	s.mu.Lock()
	s.refused[version+" "+field] = true
	s.mu.Unlock()
}

// ClearFaults removes pending 429s and 503s and malformed pages.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.rateLimit, s.unavailable = fault{}, fault{}
	s.malformed = map[int]Malformation{}
	s.mu.Unlock()
}

// ExpireTokens ends every token issued so far, as their expiry would: the
// next request with one is answered 401, and new tokens can be had.
func (s *Server) ExpireTokens() { s.tokens.ExpireAll() }

// RevokeCredentials ends every token and refuses the credentials from now
// on, as rotating an API client's secret or disabling the account does.
func (s *Server) RevokeCredentials() { s.tokens.Revoke() }

// RestoreCredentials accepts the credentials again.
func (s *Server) RestoreCredentials() { s.tokens.Restore() }

// SetTokenLifetime changes the lifetime of tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) { s.tokens.SetLifetime(d) }

// ---- counters ----

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ResetStats zeroes the counters and forgets recorded requests.
func (s *Server) ResetStats() {
	s.mu.Lock()
	s.stats, s.requests, s.mobileRequests = Stats{}, nil, nil
	s.mu.Unlock()
}

// Requests returns the inventory list requests received, in order, those
// answered with a fault or a 404 included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Version: r.Version, Query: cloneValues(r.Query)}
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
