// Package intunetest is a fake Microsoft Graph (Intune) and Microsoft
// identity platform token endpoint for tests. It speaks the documented
// payloads: the client-credentials token request and response
// (POST /{tenant}/oauth2/v2.0/token, scope {Graph origin}/.default), OData
// collections ({"@odata.context", "value", "@odata.nextLink"}) with an
// opaque $skiptoken in the next link, $top, $select (checked against the
// v1.0 managedDevice properties) and $filter as the managedDevice property
// docs allow it and nothing else (filter.go), GET of one managedDevice, and
// the per-device detectedApps list, which Graph only offers under /beta.
// With Options.GraphURL and LoginURL it poses as a national cloud, reached
// through Route.
//
// Devices are generated deterministically on the fly (see Generate and
// Kind), so a tenant of any size costs nothing until it is read; tests
// change individual devices with SetDevice and DeleteDevice. Fault hooks
// inject throttling (429 with Retry-After), 503s, malformed pages and
// token expiry or revocation; Counts and Requests report what was asked.
package intunetest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// Defaults for Options.
const (
	DefaultTenantID     = "11111111-2222-4333-8444-555555555555"
	DefaultClientID     = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	DefaultClientSecret = "fake~intune.client-secret_0123"
	// DefaultMaxTop is the largest $top served; Intune pages managedDevices
	// by 1000.
	DefaultMaxTop = 1000
	// DefaultAppsPageSize is the page size of the detectedApps list.
	DefaultAppsPageSize = 50
	// DefaultTokenLifetime is the expires_in of issued tokens (Entra issues
	// tokens for about an hour: 3599 s).
	DefaultTokenLifetime = 3599 * time.Second
)

// DefaultNow is the generated tenant's clock origin: generated
// lastSyncDateTime values lie within 30 days before it.
var DefaultNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// Options configure a Server.
type Options struct {
	// Devices is the number of generated devices (0: an empty tenant).
	Devices int
	// MaxTop is the server page size and the largest $top accepted (default 1000).
	MaxTop int
	// AppsPageSize pages each device's detectedApps (default 50).
	AppsPageSize int
	// TokenLifetime is the lifetime of issued access tokens (default 3599s).
	TokenLifetime time.Duration
	// Now is the clock origin of generated dates (default DefaultNow).
	Now time.Time
	// Credentials accepted by the token endpoint (defaults above).
	TenantID, ClientID, ClientSecret string
	// GraphURL and LoginURL are the URLs the fake answers as, e.g.
	// https://graph.microsoft.us and https://login.microsoftonline.us to
	// pose as a national cloud: its links, its @odata.context and the token
	// scope it accepts use GraphURL. Clients reach them through Route.
	// Default: the fake's own listeners.
	GraphURL, LoginURL string
}

// Malformation is how a malformed page is broken.
type Malformation int

const (
	// Truncated cuts the JSON body in half (Content-Length matches the cut).
	Truncated Malformation = iota + 1
	// InvalidJSON serves a body that is not JSON at all.
	InvalidJSON
	// MissingValue serves a collection without its "value" array.
	MissingValue
)

// Counts are request counters.
type Counts struct {
	TokenRequests int // POSTs to the token endpoint, refused or not
	TokensIssued  int
	Graph         int // Graph requests of any outcome
	ListPages     int // managedDevices pages served (200)
	DeviceGets    int // single managedDevice reads served (200 or 404)
	AppPages      int // detectedApps pages served (200)
	Throttled     int // 429s served
	Unavailable   int // 503s served
	Unauthorized  int // 401s served by Graph
	Malformed     int // malformed bodies served
}

// Request is one Graph request as received.
type Request struct {
	Method string
	// Host is the Host the client addressed (GraphURL's unless routed oddly).
	Host string
	// URL is the absolute URL as the client sent it (GraphURL + RequestURI).
	URL           string
	Path          string
	Query         url.Values
	Authorization string
}

// TokenRequest is one token endpoint request as received.
type TokenRequest struct {
	// Host is the Host the client addressed (LoginURL's).
	Host   string
	Tenant string
	Form   url.Values
}

type fault struct {
	status     int
	retryAfter string
	left       int
}

// Server is a running fake. Its fields are read-only.
type Server struct {
	// GraphURL is the Graph base URL (connectors.Config.BaseURL).
	GraphURL string
	// LoginURL is the identity platform base URL (connectors.Config.AuthURL).
	LoginURL string
	// TenantID, ClientID and ClientSecret are the accepted credentials.
	TenantID, ClientID, ClientSecret string

	graph, login *httptest.Server
	salt         string

	mu            sync.Mutex
	now           time.Time
	n             int
	maxTop        int
	appsPage      int
	overrides     map[int]ManagedDevice
	apps          map[int][]DetectedApp
	deleted       map[int]bool
	faults        []fault
	appFaults     map[int]fault
	rewriteLink   func(string) string
	malformed     map[int]Malformation
	tokens        *vendorfake.Tokens
	rejectTokens  bool
	counts        Counts
	requests      []Request
	tokenRequests []TokenRequest
}

// New starts a fake Graph and token endpoint, closed when the test ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.MaxTop <= 0 {
		opt.MaxTop = DefaultMaxTop
	}
	if opt.AppsPageSize <= 0 {
		opt.AppsPageSize = DefaultAppsPageSize
	}
	if opt.TokenLifetime <= 0 {
		opt.TokenLifetime = DefaultTokenLifetime
	}
	if opt.Now.IsZero() {
		opt.Now = DefaultNow
	}
	if opt.TenantID == "" {
		opt.TenantID = DefaultTenantID
	}
	if opt.ClientID == "" {
		opt.ClientID = DefaultClientID
	}
	if opt.ClientSecret == "" {
		opt.ClientSecret = DefaultClientSecret
	}
	salt := make([]byte, 6)
	_, _ = rand.Read(salt)
	s := &Server{
		TenantID:     opt.TenantID,
		ClientID:     opt.ClientID,
		ClientSecret: opt.ClientSecret,
		salt:         hex.EncodeToString(salt),
		now:          opt.Now,
		n:            opt.Devices,
		maxTop:       opt.MaxTop,
		appsPage:     opt.AppsPageSize,
		overrides:    map[int]ManagedDevice{},
		apps:         map[int][]DetectedApp{},
		deleted:      map[int]bool{},
		malformed:    map[int]Malformation{},
		appFaults:    map[int]fault{},
		tokens:       vendorfake.NewTokens(opt.TokenLifetime, time.Now),
	}
	s.graph = httptest.NewServer(http.HandlerFunc(s.serveGraph))
	s.login = httptest.NewServer(http.HandlerFunc(s.serveToken))
	s.GraphURL, s.LoginURL = s.graph.URL, s.login.URL
	if opt.GraphURL != "" {
		s.GraphURL = strings.TrimRight(opt.GraphURL, "/")
	}
	if opt.LoginURL != "" {
		s.LoginURL = strings.TrimRight(opt.LoginURL, "/")
	}
	t.Cleanup(func() {
		s.graph.Close()
		s.login.Close()
	})
	return s
}

// Credentials returns the credentials map the Intune connector expects.
func (s *Server) Credentials() map[string]string {
	return map[string]string{"tenantId": s.TenantID, "clientId": s.ClientID, "clientSecret": s.ClientSecret}
}

// Scope is the only scope the token endpoint accepts: GraphURL's origin
// followed by /.default, as the identity platform wants for a Graph of
// that cloud.
func (s *Server) Scope() string { return s.GraphURL + "/.default" }

// Route wraps a client transport (connectors.Egress.WrapTransport) so that
// requests to GraphURL's and LoginURL's hosts reach the fake's listeners,
// their Host header kept; a request to any other host fails, so a test
// sees a client going anywhere else. The guarded transport underneath
// still dials only what the policy allows (the loopback listeners).
func (s *Server) Route(next http.RoundTripper) http.RoundTripper {
	targets := map[string]string{}
	for public, listener := range map[string]string{s.GraphURL: s.graph.URL, s.LoginURL: s.login.URL} {
		if u, err := url.Parse(public); err == nil {
			targets[strings.ToLower(u.Host)] = listener
		}
	}
	return routed(func(r *http.Request) (*http.Response, error) {
		to, ok := targets[strings.ToLower(r.URL.Host)]
		if !ok {
			return nil, fmt.Errorf("intunetest: request to unexpected host %q", r.URL.Host)
		}
		lu, _ := url.Parse(to)
		r = r.Clone(r.Context())
		r.Host = r.URL.Host
		r.URL.Scheme, r.URL.Host = lu.Scheme, lu.Host
		return next.RoundTrip(r)
	})
}

type routed func(*http.Request) (*http.Response, error)

func (f routed) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Now returns the generated tenant's clock origin.
func (s *Server) Now() time.Time { return s.now }

// --- devices -------------------------------------------------------------

// DeviceCount returns the number of generated device slots (deleted ones included).
func (s *Server) DeviceCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Device returns device i as currently served; false when it does not exist.
func (s *Server) Device(i int) (ManagedDevice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deviceLocked(i)
}

func (s *Server) deviceLocked(i int) (ManagedDevice, bool) {
	if i < 0 || i >= s.n || s.deleted[i] {
		return ManagedDevice{}, false
	}
	if d, ok := s.overrides[i]; ok {
		return d, true
	}
	return Generate(i, s.now), true
}

// SetDevice changes device i (undeleting it); fn gets the current state.
func (s *Server) SetDevice(i int, fn func(*ManagedDevice)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.deleted, i)
	d, ok := s.deviceLocked(i)
	if !ok {
		d = Generate(i, s.now)
	}
	fn(&d)
	s.overrides[i] = d
}

// DeleteDevice removes device i: it leaves the list and its GET answers 404.
func (s *Server) DeleteDevice(i int) {
	s.mu.Lock()
	s.deleted[i] = true
	s.mu.Unlock()
}

// Apps returns the detected apps of device i as currently served.
func (s *Server) Apps(i int) []DetectedApp {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appsLocked(i)
}

func (s *Server) appsLocked(i int) []DetectedApp {
	if a, ok := s.apps[i]; ok {
		return a
	}
	d, ok := s.deviceLocked(i)
	if !ok {
		return nil
	}
	return GenerateApps(i, d)
}

// SetApps replaces the detected apps of device i.
func (s *Server) SetApps(i int, apps []DetectedApp) {
	s.mu.Lock()
	s.apps[i] = apps
	s.mu.Unlock()
}

// --- faults --------------------------------------------------------------

// Throttle makes the next k Graph requests answer 429 Too Many Requests
// with the given Retry-After value (seconds, fractional seconds or an HTTP
// date; "" sends no header).
func (s *Server) Throttle(k int, retryAfter string) {
	s.FailNext(k, http.StatusTooManyRequests, retryAfter)
}

// Unavailable makes the next k Graph requests answer 503 Service
// Unavailable, with Retry-After when retryAfter is not "".
func (s *Server) Unavailable(k int, retryAfter string) {
	s.FailNext(k, http.StatusServiceUnavailable, retryAfter)
}

// FailNext makes the next k Graph requests (after authentication) answer
// status with a Graph error body. Queued failures are served in order.
func (s *Server) FailNext(k, status int, retryAfter string) {
	if k <= 0 {
		return
	}
	s.mu.Lock()
	s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter, left: k})
	s.mu.Unlock()
}

// FailApps makes the next k detectedApps requests of device i answer
// status with a Graph error body, with Retry-After when retryAfter is not
// "" (Graph throttles this per-device beta call, sometimes without one).
// Other requests are unaffected.
func (s *Server) FailApps(i, k, status int, retryAfter string) {
	s.mu.Lock()
	s.appFaults[i] = fault{status: status, retryAfter: retryAfter, left: k}
	s.mu.Unlock()
}

// ThrottleApps makes the next k detectedApps requests of device i answer
// 429 Too Many Requests ("" sends no Retry-After).
func (s *Server) ThrottleApps(i, k int, retryAfter string) {
	s.FailApps(i, k, http.StatusTooManyRequests, retryAfter)
}

// RewriteNextLinks passes every @odata.nextLink the fake serves through fn
// (nil: served as built), e.g. to point one at another host.
func (s *Server) RewriteNextLinks(fn func(link string) string) {
	s.mu.Lock()
	s.rewriteLink = fn
	s.mu.Unlock()
}

// MalformPage breaks managedDevices page p (1-based, counted along the
// next links of one listing) until ClearFaults.
func (s *Server) MalformPage(p int, m Malformation) {
	s.mu.Lock()
	s.malformed[p] = m
	s.mu.Unlock()
}

// ClearFaults drops queued failures and malformed pages, un-revokes the
// credentials and accepts tokens again.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults, s.malformed, s.appFaults = nil, map[int]Malformation{}, map[int]fault{}
	s.rejectTokens = false
	s.tokens.Restore()
	s.mu.Unlock()
}

// ExpireTokens makes every token issued so far invalid, as if it had
// expired: Graph answers 401 to it, and a fresh token works.
func (s *Server) ExpireTokens() { s.tokens.ExpireAll() }

// RevokeCredentials invalidates the client secret and every issued token:
// Graph answers 401 and the token endpoint answers 401 invalid_client.
func (s *Server) RevokeCredentials() { s.tokens.Revoke() }

// RejectTokens makes Graph answer 401 to every token, fresh ones too, while
// the token endpoint keeps issuing them.
func (s *Server) RejectTokens(reject bool) {
	s.mu.Lock()
	s.rejectTokens = reject
	s.mu.Unlock()
}

// SetTokenLifetime changes expires_in of tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) { s.tokens.SetLifetime(d) }

// --- observation ---------------------------------------------------------

// Counts returns the request counters.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// Requests returns the Graph requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ListRequests returns the managedDevices list requests received, in order.
func (s *Server) ListRequests() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Path == "/v1.0/deviceManagement/managedDevices" {
			out = append(out, r)
		}
	}
	return out
}

// TokenRequests returns the token endpoint requests received, in order.
func (s *Server) TokenRequests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tokenRequests)
}

// --- token endpoint ------------------------------------------------------
