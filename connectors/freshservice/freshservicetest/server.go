// Package freshservicetest is a fake Freshservice account for tests: an
// httptest server answering the API v2 endpoints the Freshservice connector
// uses (https://api.freshservice.com/v2/), with Freshservice's payloads,
// paging (page/per_page ≤ 100, a Link header with rel="next" on every page
// but the last), errors ({"code","message"}, {"description","errors"}),
// rate-limit headers, fault injection, generated assets rendered page by
// page, and a log of every request received.
//
//	GET  /api/v2/assets?include=type_fields&page=&per_page=   {"assets": [...]}
//	     &filter="updated_at:>'YYYY-MM-DD'"                   (30 a page, 40 pages)
//	     &search="asset_tag:'X'"                              (also name, serial_number)
//	GET  /api/v2/assets/{display_id}[?include=type_fields]    {"asset": {...}}
//	PUT  /api/v2/assets/{display_id}                          {"asset": {...}}
//	POST /api/v2/assets                                       201 {"asset": {...}}
//	GET  /api/v2/assets/{display_id}/requests                 {"requests": [...]}
//	GET  /api/v2/asset_types, /asset_types/{id}/fields, /locations,
//	     /departments, /products, /requesters[?email=], /agents[?email=]
//	POST /api/v2/tickets                                      201 {"ticket": {...}}
//
// Authentication is basic with the API key as the user name.
package freshservicetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultAPIKey is the key the server accepts unless Options.APIKey is set.
const DefaultAPIKey = "fs-test-api-key"

// The asset types every fake account has: Freshservice's default
// hierarchy (Hardware > Computer > Laptop, Hardware > Monitor), with ids
// in Freshservice's format. Type fields are defined by Hardware (product,
// cost, asset_state, serial_number, …) and Computer (os, memory, …), so a
// laptop's serial is serial_number_<TypeHardware>.
const (
	TypeHardware int64 = 21000000001
	TypeComputer int64 = 21000000002
	TypeLaptop   int64 = 21000000003
	TypeMonitor  int64 = 21000000004
	TypeServices int64 = 21000000005
)

// GeneratedBase is the display_id of the first generated asset.
const GeneratedBase = 100000

// States are the asset_state choices the account accepts.
var States = []string{"In Use", "In Stock", "Missing", "Retired", "Disposed", "In Repair"}

// Messages Freshservice answers with.
const (
	UnauthorizedBody = `{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}`
	ForbiddenBody    = `{"code":"access_denied","message":"You are not authorized to perform this action."}`
)

// Options configure a Server.
type Options struct {
	// APIKey is the accepted key (default DefaultAPIKey).
	APIKey string
	// Generated is how many generated laptops the account has (display_id
	// GeneratedBase+i, serial FSN%07d, tag FS-%06d).
	Generated int
	// Now is the server's clock (default time.Now).
	Now func() time.Time
}

// Asset is a stored asset. TypeFields are keyed by base name (no suffix):
// the server renders and accepts them suffixed with the defining type's id.
type Asset struct {
	DisplayID    int64
	AssetTypeID  int64
	Name         string
	AssetTag     string
	UserID       *int64
	LocationID   *int64
	DepartmentID *int64
	TypeFields   map[string]any
	UpdatedAt    time.Time
}

// User is a requester or an agent.
type User struct {
	ID                 int64
	FirstName          string
	LastName           string
	Email              string
	JobTitle           string
	DepartmentIDs      []int64
	ReportingManagerID *int64
	LocationID         *int64
	Active             bool
	EmployeeID         string
}

// Named is a location, department or product (Manufacturer set).
type Named struct {
	ID           int64
	Name         string
	Manufacturer string
}

// Ticket is a ticket created through the API.
type Ticket struct {
	ID          int64
	Subject     string
	Description string
	Email       string
	Status      int
	Priority    int
	Assets      []int64
	CreatedAt   time.Time
}

// Request is one request the server received (refused ones included).
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

type fault struct {
	method, prefix string
	status         int
	body           string
	retryAfter     string
	remaining      int // <0: until cleared
}

// Server is a fake Freshservice account.
type Server struct {
	// URL is the account URL (like https://<domain>.freshservice.com).
	URL string

	srv *httptest.Server
	now func() time.Time

	mu          sync.Mutex
	key         string
	generated   int
	assets      map[int64]*Asset // explicit and changed generated assets
	deleted     map[int64]bool
	requesters  []User
	agents      []User
	locations   []Named
	departments []Named
	products    []Named
	tickets     map[int64]*Ticket
	requests    map[int64][]map[string]any // extra associations (problems, changes)
	nextID      int64
	faults      []*fault
	log         []Request
	noLink      bool
}

// New starts a fake account, closed when the test ends.
func New(t testing.TB, opt Options) *Server {
	s := &Server{
		key: opt.APIKey, generated: opt.Generated, now: opt.Now,
		assets: map[int64]*Asset{}, deleted: map[int64]bool{}, tickets: map[int64]*Ticket{},
		requests: map[int64][]map[string]any{}, nextID: 500000,
	}
	if s.key == "" {
		s.key = DefaultAPIKey
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.products = []Named{{ID: 21000100001, Name: "MacBook Pro 14", Manufacturer: "Apple"}, {ID: 21000100002, Name: "Dell P2723DE", Manufacturer: "Dell"}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// ProductMacBook and ProductMonitor are the products every account has.
const (
	ProductMacBook int64 = 21000100001
	ProductMonitor int64 = 21000100002
)

func (s *Server) id() int64 { s.nextID++; return s.nextID }

// AddAsset stores an asset (display_id assigned when 0) and returns its display_id.
func (s *Server) AddAsset(a Asset) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.DisplayID == 0 {
		a.DisplayID = s.id()
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = s.now().UTC()
	}
	if a.TypeFields == nil {
		a.TypeFields = map[string]any{}
	}
	s.assets[a.DisplayID] = &a
	delete(s.deleted, a.DisplayID)
	return a.DisplayID
}

// ChangeAsset edits a stored or generated asset in place, as a person in
// Freshservice would (updated_at moves to now).
func (s *Server) ChangeAsset(displayID int64, edit func(*Asset)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(displayID)
	if a == nil {
		panic("freshservicetest: no asset " + itoa(displayID))
	}
	edit(a)
	a.UpdatedAt = s.now().UTC()
	s.assets[displayID] = a
}

// DeleteAsset removes an asset: later pages shift, as offset paging does.
func (s *Server) DeleteAsset(displayID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.assets, displayID)
	s.deleted[displayID] = true
}

// Asset returns a copy of an asset as stored now (nil when unknown).
func (s *Server) Asset(displayID int64) *Asset {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(displayID)
	if a == nil {
		return nil
	}
	cp := *a
	cp.TypeFields = make(map[string]any, len(a.TypeFields))
	for k, v := range a.TypeFields {
		cp.TypeFields[k] = v
	}
	return &cp
}

// AddRequester, AddAgent, AddLocation and AddDepartment store directory
// records and return their ids (assigned when 0).
func (s *Server) AddRequester(u User) int64 { return s.addUser(&s.requesters, u) }
func (s *Server) AddAgent(u User) int64     { return s.addUser(&s.agents, u) }

func (s *Server) addUser(list *[]User, u User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		u.ID = s.id()
	}
	*list = append(*list, u)
	return u.ID
}

// DeactivateRequester marks a requester inactive, as deactivating a
// contact in Freshservice does (the record stays, active false).
func (s *Server) DeactivateRequester(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.requesters {
		if s.requesters[i].ID == id {
			s.requesters[i].Active = false
		}
	}
}

// SetManager sets a requester's reporting manager.
func (s *Server) SetManager(id, managerID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.requesters {
		if s.requesters[i].ID == id {
			s.requesters[i].ReportingManagerID = &managerID
		}
	}
}

func (s *Server) AddLocation(name string) int64 { return s.addNamed(&s.locations, name) }
func (s *Server) AddDepartment(name string) int64 {
	return s.addNamed(&s.departments, name)
}

func (s *Server) addNamed(list *[]Named, name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	*list = append(*list, Named{ID: id, Name: name})
	return id
}

// AddAssetRequest associates a non-ticket request (e.g. "Problem") with an asset.
func (s *Server) AddAssetRequest(displayID int64, requestType string, requestID int64, details, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[displayID] = append(s.requests[displayID], map[string]any{
		"id": s.id(), "request_type": requestType, "request_id": requestID, "request_details": details, "request_status": status,
	})
}

// Tickets returns the tickets created so far, by id.
func (s *Server) Tickets() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ticket, 0, len(s.tickets))
	for _, t := range s.tickets {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Ticket) int { return int(a.ID - b.ID) })
	return out
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// RequestsTo returns the received requests with method whose path is path.
func (s *Server) RequestsTo(method, path string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// ResetLog forgets the requests received so far.
func (s *Server) ResetLog() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
}

// Throttle answers the next n requests whose path starts with prefix with
// 429 and Retry-After retryAfter ("" for none).
func (s *Server) Throttle(prefix string, n int, retryAfter string) {
	s.addFault(&fault{prefix: prefix, status: http.StatusTooManyRequests, retryAfter: retryAfter, remaining: n,
		body: `{"message":"You have exceeded the limit of requests per minute"}`})
}

// Fail answers the next n requests with method ("" any) under prefix with
// status and body.
func (s *Server) Fail(method, prefix string, n, status int, body string) {
	s.addFault(&fault{method: method, prefix: prefix, status: status, body: body, remaining: n})
}

// Forbid answers every request with method ("" any) under prefix with 403
// and Freshservice's access_denied body until ClearFaults.
func (s *Server) Forbid(method, prefix string) {
	s.addFault(&fault{method: method, prefix: prefix, status: http.StatusForbidden, body: ForbiddenBody, remaining: -1})
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

func (s *Server) addFault(f *fault) {
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// OmitLinkHeader makes the server answer without Link headers, as a proxy
// that drops them would.
func (s *Server) OmitLinkHeader(omit bool) {
	s.mu.Lock()
	s.noLink = omit
	s.mu.Unlock()
}

// RotateKey makes the server accept only key from now on.
func (s *Server) RotateKey(key string) {
	s.mu.Lock()
	s.key = key
	s.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, string(b))
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// validation answers 400 with Freshservice's validation body.
func validation(w http.ResponseWriter, field, message, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"description": "Validation failed",
		"errors":      []map[string]string{{"field": field, "message": message, "code": code}},
	})
}

func itoa(n int64) string { return strings.TrimSpace(jsonNumber(n)) }

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
