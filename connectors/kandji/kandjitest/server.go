// Package kandjitest is a fake Kandji API for tests: an httptest server
// answering the endpoints the Kandji connector uses with Kandji's documented
// payloads, deterministic generated devices (produced page by page, so a
// large tenant costs nothing up front), fault injection and request counters.
//
//	GET /api/v1/devices?limit=&offset=&ordering=   bare JSON array; limit
//	                                               defaults to and is clamped at 300
//	GET /api/v1/devices/{device_id}                one device, 404 when unknown
//	GET /api/v1/devices/{device_id}/apps           {"device_id", "apps": [...]}
//	GET /api/v1/devices/{device_id}/details        general / mdm / hardware_overview
//	GET /api/v1/prism/apps?filter=&limit=&cursor=  {"offset","limit","total","data","cursor"}
//	                                               (Prism apps, one row per app per device; see prism.go)
//
// Every request must carry "Authorization: Bearer <token>"; anything else
// gets 401. See GenerateDevice for the quirks the generated devices carry.
package kandjitest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// DefaultToken is the API token the server accepts unless Options.Token is set.
const DefaultToken = "kandji-test-token"

// MaxLimit is Kandji's hard upper limit on records per list request.
const MaxLimit = 300

// DefaultAppsPerDevice is the base number of apps per device.
const DefaultAppsPerDevice = 3

// Options configure a Server.
type Options struct {
	// Token is the accepted bearer token (default DefaultToken).
	Token string
	// Devices is how many devices the tenant has.
	Devices int
	// AppsPerDevice is the base app count: device i has AppsPerDevice + i%3
	// apps (0: DefaultAppsPerDevice; negative: no apps at all).
	AppsPerDevice int
	// Latency delays every API response (the sync benchmark).
	Latency time.Duration
	// BeforeServe, when set, runs for every request while it counts as in
	// flight, before it is answered: a test blocks there (a
	// testkit.Barrier) to make requests meet instead of hoping that
	// latencies overlap.
	BeforeServe func(r *http.Request)
}

// Endpoint names the routes for counters.
type Endpoint string

const (
	EndpointList    Endpoint = "list"
	EndpointDevice  Endpoint = "device"
	EndpointApps    Endpoint = "apps"
	EndpointDetails Endpoint = "details"
	// EndpointPrismApps is GET /api/v1/prism/apps.
	EndpointPrismApps Endpoint = "prism_apps"
)

// Counts are the requests the server has seen.
type Counts struct {
	// Total counts every request, including refused and faulted ones.
	Total   int
	List    int
	Device  int
	Apps    int
	Details int
	// PrismApps counts answered GET /api/v1/prism/apps requests.
	PrismApps    int
	Unauthorized int
	// Faulted counts requests answered by an injected fault (429/503/...).
	Faulted  int
	NotFound int
}

// ListCall records one authenticated, unfaulted list request.
type ListCall struct {
	// Limit and Offset are the values served (Limit after clamping).
	Limit, Offset int
	// RawLimit is the limit parameter as sent ("" when absent).
	RawLimit string
	Ordering string
}

// Malformation is how a malformed body is broken.
type Malformation int

const (
	// Truncated cuts a valid body in the middle, as a dropped connection would.
	Truncated Malformation = iota
	// NotJSON answers 200 with an HTML page, as a misbehaving proxy would.
	NotJSON
	// WrongShape answers a JSON object where an array is expected (or the
	// reverse).
	WrongShape
)

// RetryAfter renders a Retry-After header value when a fault fires.
type RetryAfter func(now time.Time) string

// Seconds is a whole-seconds Retry-After ("2").
func Seconds(n int) RetryAfter {
	return func(time.Time) string { return strconv.Itoa(n) }
}

// FractionalSeconds is a fractional Retry-After ("0.25").
func FractionalSeconds(d time.Duration) RetryAfter {
	return func(time.Time) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
}

// HTTPDate is a Retry-After HTTP date d after the moment the fault fires.
func HTTPDate(d time.Duration) RetryAfter {
	return func(now time.Time) string { return now.Add(d).UTC().Format(http.TimeFormat) }
}

type fault struct {
	endpoint   Endpoint // "" matches every endpoint
	status     int
	retryAfter RetryAfter
	remaining  int
}

// Server is a fake Kandji tenant.
type Server struct {
	// URL is the tenant API base URL (like https://<subdomain>.api.kandji.io).
	URL string

	srv   *httptest.Server
	token string
	base  int
	delay time.Duration
	hold  func(r *http.Request)

	mu            sync.Mutex
	n             int
	removed       map[int]bool
	changed       map[int]Device
	apps          map[int][]App
	faults        []*fault
	badPages      map[int]Malformation
	badApps       map[int]Malformation
	badPrism      *Malformation
	counts        Counts
	lists         []ListCall
	prism         []PrismCall
	inFlight, max int
}

// New starts a fake Kandji tenant, closed when the test ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	s := &Server{
		token:    opt.Token,
		base:     opt.AppsPerDevice,
		delay:    opt.Latency,
		hold:     opt.BeforeServe,
		n:        opt.Devices,
		removed:  map[int]bool{},
		changed:  map[int]Device{},
		apps:     map[int][]App{},
		badPages: map[int]Malformation{},
		badApps:  map[int]Malformation{},
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	if s.base == 0 {
		s.base = DefaultAppsPerDevice
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/devices", s.list)
	mux.HandleFunc("GET /api/v1/devices/{id}", s.device)
	mux.HandleFunc("GET /api/v1/devices/{id}/apps", s.deviceApps)
	mux.HandleFunc("GET /api/v1/devices/{id}/details", s.deviceDetails)
	mux.HandleFunc("GET /api/v1/prism/apps", s.prismApps)
	s.srv = httptest.NewServer(s.middleware(mux))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Token is the accepted API token.
func (s *Server) Token() string { return s.token }

// Close stops the server early (New already arranges it for test end).
func (s *Server) Close() { s.srv.Close() }

// Faults.

// FailNext answers the next k API requests with status, and a Retry-After
// header when retryAfter is not nil. Faults queue in the order they are
// added; a request takes the first fault that applies to it.
func (s *Server) FailNext(k, status int, retryAfter RetryAfter) {
	s.FailNextOn("", k, status, retryAfter)
}

// FailNextOn is FailNext for requests to one endpoint only ("" for all).
func (s *Server) FailNextOn(ep Endpoint, k, status int, retryAfter RetryAfter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k > 0 {
		s.faults = append(s.faults, &fault{endpoint: ep, status: status, retryAfter: retryAfter, remaining: k})
	}
}

// RateLimitNext answers the next k requests with 429 Too Many Requests.
func (s *Server) RateLimitNext(k int, retryAfter RetryAfter) {
	s.FailNext(k, http.StatusTooManyRequests, retryAfter)
}

// UnavailableNext answers the next k requests with 503 Service Unavailable.
func (s *Server) UnavailableNext(k int, retryAfter RetryAfter) {
	s.FailNext(k, http.StatusServiceUnavailable, retryAfter)
}

// MalformedPage breaks every answer for list page p (offset/limit, from 0)
// until ClearFaults.
func (s *Server) MalformedPage(p int, m Malformation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badPages[p] = m
}

// MalformedApps breaks every apps answer for device i until ClearFaults.
func (s *Server) MalformedApps(i int, m Malformation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badApps[i] = m
}

// MalformedPrism breaks every Prism apps answer until ClearFaults.
func (s *Server) MalformedPrism(m Malformation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badPrism = &m
}

// ClearFaults drops pending status faults and malformed pages and apps.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.badPages = map[int]Malformation{}
	s.badApps = map[int]Malformation{}
	s.badPrism = nil
}

// Counters.

// Counts returns the requests seen so far.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// ListCalls returns the served list requests in order.
func (s *Server) ListCalls() []ListCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ListCall(nil), s.lists...)
}

// MaxInFlight is the most requests the server has handled at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.max
}

// ResetCounts zeroes counters, list calls and the in-flight peak.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts, s.lists, s.prism, s.max = Counts{}, nil, nil, 0
}

// PrismCalls returns the answered Prism apps requests in order.
func (s *Server) PrismCalls() []PrismCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PrismCall(nil), s.prism...)
}

// Devices and mutation. Device indexes are stable: removing one does not
// renumber the others.

// DeviceCount is the number of devices the tenant lists.
func (s *Server) DeviceCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n - len(s.removed)
}

// Device returns the current record of device i.
func (s *Server) Device(i int) Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deviceLocked(i)
}

// Apps returns the current apps of device i.
func (s *Server) Apps(i int) []App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appsLocked(i)
}

// Devices returns every listed device in list order (generated on the
// spot; meant for small tenants).
func (s *Server) Devices() []Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Device, 0, s.n-len(s.removed))
	for i := range s.n {
		if !s.removed[i] {
			out = append(out, s.deviceLocked(i))
		}
	}
	return out
}

// ChangeDevice edits device i's record in place; its device_id is kept.
func (s *Server) ChangeDevice(i int, fn func(*Device)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.deviceLocked(i)
	fn(&d)
	d.DeviceID = DeviceID(i)
	s.changed[i] = d
}

// SetApps replaces device i's apps.
func (s *Server) SetApps(i int, apps []App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[i] = append([]App{}, apps...)
}

// RemoveDevice deletes device i: it leaves the list and its endpoints 404.
func (s *Server) RemoveDevice(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= 0 && i < s.n {
		s.removed[i] = true
	}
}

// AddDevices enrolls k more generated devices and returns the first new index.
func (s *Server) AddDevices(k int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := s.n
	s.n += k
	return first
}

func (s *Server) deviceLocked(i int) Device {
	if d, ok := s.changed[i]; ok {
		return d
	}
	return GenerateDevice(i)
}

func (s *Server) appsLocked(i int) []App {
	if a, ok := s.apps[i]; ok {
		return append([]App{}, a...)
	}
	return GenerateApps(i, s.base)
}

// lookup finds a listed device by device_id.
func (s *Server) lookup(id string) (int, bool) {
	i, ok := indexOf(id)
	if !ok || i >= s.n || s.removed[i] || DeviceID(i) != id {
		return 0, false
	}
	return i, true
}

// HTTP.
