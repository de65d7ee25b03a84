// Package fleettest is a fake Fleet server for tests: the documented host
// endpoints of Fleet's REST API with their payload shapes, bearer-token
// authentication, page/per_page paging, hosts generated on the fly (so a
// fleet of a million costs nothing until it is read), mutations, injected
// faults and request counters.
//
// Served routes (anything else is 404):
//
//	GET /api/v1/fleet/hosts                          {"hosts": [...]}, key paging by
//	                                                 order_key=id&after=, software with
//	                                                 populate_software
//	GET /api/v1/fleet/hosts/{id}                     {"host": {..., "software": [...], "end_users": [...]}}
//	GET /api/v1/fleet/hosts/{id}/device_mapping      {"host_id": id, "device_mapping": [...]}
package fleettest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// DefaultToken is the API token a server accepts when Options.Token is empty.
const DefaultToken = "fleet-test-token"

// Options configure a fake Fleet server.
type Options struct {
	// Token is the API token accepted as "Authorization: Bearer <token>"
	// (default DefaultToken); any other answers 401.
	Token string
	// Hosts is how many hosts the fleet has: ids 1..Hosts, built by
	// GeneratedHost when read.
	Hosts int
	// OmitListDeviceMapping makes the host list ignore device_mapping=true,
	// as servers older than that parameter do, so a client has to ask
	// /hosts/{id}/device_mapping.
	OmitListDeviceMapping bool
	// IgnorePopulateSoftware makes the host list ignore populate_software,
	// as servers older than that parameter do, so a client has to read
	// each host's detail for its software.
	IgnorePopulateSoftware bool
	// BoolPopulateSoftware makes the host list parse populate_software as
	// a boolean only, as servers older than its
	// "without_vulnerability_details" value do (400 otherwise).
	BoolPopulateSoftware bool
	// Latency delays every answer, so concurrent requests overlap and
	// Stats.MaxInFlight shows how many a client sends at once.
	Latency time.Duration
	// BeforeServe, when set, runs for every authenticated request before it
	// is answered, e.g. to remove a host between a list and its detail.
	BeforeServe func(r *http.Request)
}

// Malformation is a way of breaking a list page's body.
type Malformation int

const (
	// Truncated cuts the JSON off halfway, like a dropped connection.
	Truncated Malformation = iota + 1
	// NotJSON answers an HTML error page with status 200.
	NotJSON
	// WrongShape answers "hosts" as an object instead of an array.
	WrongShape
	// MissingHosts answers {} without a "hosts" key.
	MissingHosts
)

// Stats counts the requests a server received.
type Stats struct {
	// Requests is every request, faults included.
	Requests int
	// Lists, Details and DeviceMappings count answered (200) requests of
	// each endpoint; Malformed counts broken list pages among Lists.
	Lists, Details, DeviceMappings, Malformed int
	// Unauthorized, RateLimited, Unavailable and NotFound count the 401,
	// 429, 503 and 404 answers.
	Unauthorized, RateLimited, Unavailable, NotFound int
	// MaxInFlight is the most requests that were being answered at once.
	MaxInFlight int
}

// Server is a running fake Fleet server; its methods are safe for
// concurrent use.
type Server struct {
	// URL is the server's base URL (the Fleet server URL a connector is
	// configured with).
	URL string
	// Token is the API token the server accepts.
	Token string

	opt Options

	mu        sync.Mutex
	hosts     int
	changed   map[uint]Host
	removed   []uint // sorted
	limitN    int
	limitHdr  string
	unavailN  int
	unavailRA string
	malformed map[int]Malformation
	// malformedAfter breaks key-paged list answers by their after value.
	malformedAfter map[uint64]Malformation
	lastList       url.Values
	lists          []url.Values
	stats          Stats

	inFlight atomic.Int64
}

// New starts a fake Fleet server, closed when the test ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.Token == "" {
		opt.Token = DefaultToken
	}
	s := &Server{
		Token:     opt.Token,
		opt:       opt,
		hosts:     opt.Hosts,
		changed:   map[uint]Host{},
		malformed: map[int]Malformation{},

		malformedAfter: map[uint64]Malformation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/fleet/hosts", s.listHosts)
	mux.HandleFunc("GET /api/v1/fleet/hosts/{id}", s.getHost)
	mux.HandleFunc("GET /api/v1/fleet/hosts/{id}/device_mapping", s.getDeviceMapping)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		s.count(func(st *Stats) { st.NotFound++ })
		writeError(w, http.StatusNotFound, "Resource Not Found")
	})
	srv := httptest.NewServer(s.middleware(mux))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// RateLimitNext answers the next k requests with 429 and the given
// Retry-After value (seconds, fractional seconds or an HTTP date; "" for
// none), as Fleet's rate limiter does.
func (s *Server) RateLimitNext(k int, retryAfter string) {
	s.mu.Lock()
	s.limitN, s.limitHdr = k, retryAfter
	s.mu.Unlock()
}

// UnavailableNext answers the next k requests with 503 (and Retry-After
// when retryAfter is not empty), like a load balancer during a deploy.
func (s *Server) UnavailableNext(k int, retryAfter string) {
	s.mu.Lock()
	s.unavailN, s.unavailRA = k, retryAfter
	s.mu.Unlock()
}

// MalformPage breaks every answer for list page p (0-based, requests
// without after) in the given way.
func (s *Server) MalformPage(p int, m Malformation) {
	s.mu.Lock()
	s.malformed[p] = m
	s.mu.Unlock()
}

// MalformAfter breaks every list answer for requests with after=id.
func (s *Server) MalformAfter(id uint, m Malformation) {
	s.mu.Lock()
	s.malformedAfter[uint64(id)] = m
	s.mu.Unlock()
}

// ChangeHost edits host id (generated or already changed) in place.
func (s *Server) ChangeHost(id uint, edit func(*Host)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.lookup(id)
	if !ok {
		panic(fmt.Sprintf("fleettest: no host %d to change", id))
	}
	edit(&h)
	h.ID = id
	s.changed[id] = h
}

// RemoveHost deletes host id: lists skip it and its endpoints answer 404.
func (s *Server) RemoveHost(id uint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, found := slices.BinarySearch(s.removed, id); !found {
		s.removed = slices.Insert(s.removed, i, id)
	}
	delete(s.changed, id)
}

// AddHosts enrolls k new hosts with the next ids.
func (s *Server) AddHosts(k int) {
	s.mu.Lock()
	s.hosts += k
	s.mu.Unlock()
}

// Host returns host id as the server currently has it.
func (s *Server) Host(id uint) (Host, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookup(id)
}

// Stats returns the request counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// LastListQuery returns the query string of the last host list request.
func (s *Server) LastListQuery() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastList
}

// ListQueries returns the query strings of every host list request, in order.
func (s *Server) ListQueries() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lists)
}

// lookup must be called with s.mu held.
func (s *Server) lookup(id uint) (Host, bool) {
	if id == 0 || id > uint(s.hosts) {
		return Host{}, false
	}
	if _, gone := slices.BinarySearch(s.removed, id); gone {
		return Host{}, false
	}
	if h, ok := s.changed[id]; ok {
		return h, true
	}
	return GeneratedHost(id), true
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// middleware counts, delays, injects faults and checks the token, in that
// order: faults come from in front of Fleet, so they precede its auth.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		s.mu.Lock()
		s.stats.Requests++
		s.stats.MaxInFlight = max(s.stats.MaxInFlight, int(n))
		var status int
		var retryAfter string
		switch {
		case s.limitN > 0:
			s.limitN--
			s.stats.RateLimited++
			status, retryAfter = http.StatusTooManyRequests, s.limitHdr
		case s.unavailN > 0:
			s.unavailN--
			s.stats.Unavailable++
			status, retryAfter = http.StatusServiceUnavailable, s.unavailRA
		case r.Header.Get("Authorization") != "Bearer "+s.Token:
			s.stats.Unauthorized++
			status = http.StatusUnauthorized
		}
		s.mu.Unlock()
		if !vendorfake.Latency(r, s.opt.Latency) {
			return
		}
		switch status {
		case http.StatusTooManyRequests:
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			writeError(w, status, "limit exceeded, retry after: "+retryAfter+"s")
			return
		case http.StatusServiceUnavailable:
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			writeError(w, status, "Service Unavailable")
			return
		case http.StatusUnauthorized:
			writeError(w, status, "Authentication required")
			return
		}
		if s.opt.BeforeServe != nil {
			s.opt.BeforeServe(r)
		}
		next.ServeHTTP(w, r)
	})
}

// getHost serves GET /api/v1/fleet/hosts/{id}, with software unless
// exclude_software=true.
func (s *Server) getHost(w http.ResponseWriter, r *http.Request) {
	h, ok := s.found(w, r)
	if !ok {
		return
	}
	s.count(func(st *Stats) { st.Details++ })
	dh := detailHost{Host: h, Software: h.Software, EndUsers: h.EndUsers}
	if r.URL.Query().Get("exclude_software") == "true" {
		dh.Software = nil
	} else if dh.Software == nil {
		dh.Software = []Software{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"host": dh})
}

// getDeviceMapping serves GET /api/v1/fleet/hosts/{id}/device_mapping.
func (s *Server) getDeviceMapping(w http.ResponseWriter, r *http.Request) {
	h, ok := s.found(w, r)
	if !ok {
		return
	}
	s.count(func(st *Stats) { st.DeviceMappings++ })
	writeJSON(w, http.StatusOK, struct {
		HostID        uint            `json:"host_id"`
		DeviceMapping []DeviceMapping `json:"device_mapping"`
	}{h.ID, h.DeviceMapping})
}

// found looks up the {id} of the path, answering 404 when there is none.
func (s *Server) found(w http.ResponseWriter, r *http.Request) (Host, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	var h Host
	ok := err == nil
	if ok {
		h, ok = s.Host(uint(id))
	}
	if !ok {
		s.count(func(st *Stats) { st.NotFound++ })
		writeError(w, http.StatusNotFound, "Resource Not Found")
	}
	return h, ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	vendorfake.WriteJSON(w, status, "application/json", v)
}

// writeError answers in Fleet's documented error shape.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"message": msg,
		"errors":  []map[string]string{{"name": "base", "reason": msg}},
	})
}
