package freshservicetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	assetRe      = regexp.MustCompile(`^/api/v2/assets/(\d+)$`)
	requestsRe   = regexp.MustCompile(`^/api/v2/assets/(\d+)/requests$`)
	typeFieldsRe = regexp.MustCompile(`^/api/v2/asset_types/(\d+)/fields$`)
	filterRe     = regexp.MustCompile(`^"updated_at:>'(\d{4}-\d{2}-\d{2})'"$`)
	searchRe     = regexp.MustCompile(`^"(asset_tag|name|serial_number):'([^']*)'"$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body)})
	key := s.key
	var hit *fault
	for i, f := range s.faults {
		if (f.method == "" || f.method == r.Method) && strings.HasPrefix(r.URL.Path, f.prefix) {
			hit = f
			if f.remaining > 0 {
				f.remaining--
				if f.remaining == 0 {
					s.faults = slices.Delete(s.faults, i, i+1)
				}
			}
			break
		}
	}
	s.mu.Unlock()

	// Every answer carries the account's rate-limit headers.
	w.Header().Set("X-RateLimit-Total", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.Header().Set("X-RateLimit-Used-CurrentRequest", "1")
	user, _, ok := basic(r)
	if !ok || user != key {
		writeRaw(w, http.StatusUnauthorized, UnauthorizedBody)
		return
	}
	if hit != nil {
		if hit.retryAfter != "" {
			w.Header().Set("Retry-After", hit.retryAfter)
		}
		writeRaw(w, hit.status, hit.body)
		return
	}
	if (r.Method == http.MethodPut || r.Method == http.MethodPost) && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeRaw(w, http.StatusUnsupportedMediaType, `{"code":"invalid_content_type","message":"Content-Type header is set to `+r.Header.Get("Content-Type")+`. It should be set to application/json"}`)
		return
	}
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && p == "/api/v2/assets":
		s.listAssets(w, r)
	case r.Method == http.MethodPost && p == "/api/v2/assets":
		s.createAsset(w, body)
	case assetRe.MatchString(p):
		id, _ := strconv.ParseInt(assetRe.FindStringSubmatch(p)[1], 10, 64)
		switch r.Method {
		case http.MethodGet:
			s.getAsset(w, r, id)
		case http.MethodPut:
			s.updateAsset(w, id, body)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	case r.Method == http.MethodGet && requestsRe.MatchString(p):
		id, _ := strconv.ParseInt(requestsRe.FindStringSubmatch(p)[1], 10, 64)
		s.assetRequests(w, id)
	case r.Method == http.MethodGet && typeFieldsRe.MatchString(p):
		id, _ := strconv.ParseInt(typeFieldsRe.FindStringSubmatch(p)[1], 10, 64)
		s.typeFields(w, id)
	case r.Method == http.MethodGet && p == "/api/v2/asset_types":
		var out []map[string]any
		for _, t := range types {
			out = append(out, map[string]any{"id": t.id, "name": t.name, "parent_asset_type_id": nilIfZero(t.parent), "visible": true, "description": nil})
		}
		s.paged(w, r, "asset_types", out)
	case r.Method == http.MethodGet && (p == "/api/v2/locations" || p == "/api/v2/departments" || p == "/api/v2/products"):
		s.listNamed(w, r, strings.TrimPrefix(p, "/api/v2/"))
	case r.Method == http.MethodGet && (p == "/api/v2/requesters" || p == "/api/v2/agents"):
		s.listUsers(w, r, strings.TrimPrefix(p, "/api/v2/"))
	case r.Method == http.MethodPost && p == "/api/v2/tickets":
		s.createTicket(w, body)
	default:
		writeRaw(w, http.StatusNotFound, `{"code":"not_found","message":"The requested resource was not found"}`)
	}
}

func basic(r *http.Request) (string, string, bool) {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Basic ") {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
	if err != nil {
		return "", "", false
	}
	u, p, ok := strings.Cut(string(b), ":")
	return u, p, ok
}

func nilIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// pageParams reads page and per_page (default 30, at most 100: larger is
// a validation error).
func pageParams(w http.ResponseWriter, r *http.Request) (page, perPage int, ok bool) {
	page, perPage = 1, 30
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			validation(w, "page", "It should be a/an Positive Integer", "invalid_value")
			return 0, 0, false
		}
		page = n
	}
	if v := r.URL.Query().Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			validation(w, "per_page", "It should be a/an Positive Integer less than or equal to 100", "invalid_value")
			return 0, 0, false
		}
		perPage = n
	}
	return page, perPage, true
}

// link sets the Link header to the next page when there is one (and the
// server is not told to omit it); the caller holds s.mu.
func (s *Server) link(w http.ResponseWriter, r *http.Request, page int, more bool) {
	if !more || s.noLink {
		return
	}
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(page+1))
	w.Header().Set("Link", fmt.Sprintf(`<https://%s%s?%s>; rel="next"`, r.Host, r.URL.Path, q.Encode()))
}

func (s *Server) paged(w http.ResponseWriter, r *http.Request, wrap string, all []map[string]any) {
	page, per, ok := pageParams(w, r)
	if !ok {
		return
	}
	lo := min((page-1)*per, len(all))
	hi := min(lo+per, len(all))
	s.mu.Lock()
	s.link(w, r, page, hi < len(all))
	s.mu.Unlock()
	items := all[lo:hi]
	if items == nil {
		items = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{wrap: items})
}

func (s *Server) listNamed(w http.ResponseWriter, r *http.Request, which string) {
	s.mu.Lock()
	list := map[string][]Named{"locations": s.locations, "departments": s.departments, "products": s.products}[which]
	s.mu.Unlock()
	out := make([]map[string]any, 0, len(list))
	for _, n := range list {
		m := map[string]any{"id": n.ID, "name": n.Name, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}
		if which == "products" {
			m["manufacturer"], m["asset_type_id"], m["status"] = n.Manufacturer, TypeHardware, "In Production"
		}
		out = append(out, m)
	}
	s.paged(w, r, which, out)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, which string) {
	s.mu.Lock()
	list := slices.Clone(s.requesters)
	if which == "agents" {
		list = slices.Clone(s.agents)
	}
	s.mu.Unlock()
	email := r.URL.Query().Get("email")
	out := make([]map[string]any, 0, len(list))
	for _, u := range list {
		if email != "" && !strings.EqualFold(email, u.Email) {
			continue
		}
		m := map[string]any{
			"id": u.ID, "first_name": u.FirstName, "last_name": u.LastName, "job_title": nilIfEmpty(u.JobTitle),
			"department_ids": u.DepartmentIDs, "reporting_manager_id": u.ReportingManagerID, "location_id": u.LocationID,
			"active": u.Active, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
		}
		if u.DepartmentIDs == nil {
			m["department_ids"] = []int64{}
		}
		if which == "agents" {
			m["email"] = u.Email
		} else {
			m["primary_email"], m["secondary_emails"] = u.Email, []string{}
			if u.EmployeeID != "" {
				m["employee_id"] = u.EmployeeID
			}
		}
		out = append(out, m)
	}
	s.paged(w, r, which, out)
}

func (s *Server) createTicket(w http.ResponseWriter, body []byte) {
	var in struct {
		Email       string `json:"email"`
		RequesterID *int64 `json:"requester_id"`
		Subject     string `json:"subject"`
		Description string `json:"description"`
		Status      int    `json:"status"`
		Priority    int    `json:"priority"`
		Assets      []struct {
			DisplayID int64 `json:"display_id"`
		} `json:"assets"`
	}
	if json.Unmarshal(body, &in) != nil {
		writeRaw(w, http.StatusBadRequest, `{"code":"invalid_json","message":"Request body has invalid json format"}`)
		return
	}
	switch {
	case in.Email == "" && in.RequesterID == nil:
		validation(w, "requester_id", "Please fill at least 1 of requester_id, phone, email fields", "missing_field")
		return
	case in.Subject == "":
		validation(w, "subject", "It should not be blank as this is a mandatory field", "missing_field")
		return
	case in.Status < 2 || in.Status > 5:
		validation(w, "status", "It should be one of these values: '2,3,4,5'", "missing_field")
		return
	case in.Priority < 1 || in.Priority > 4:
		validation(w, "priority", "It should be one of these values: '1,2,3,4'", "missing_field")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &Ticket{ID: s.id(), Subject: in.Subject, Description: in.Description, Email: in.Email, Status: in.Status, Priority: in.Priority, CreatedAt: s.now().UTC()}
	for _, a := range in.Assets {
		if s.lookup(a.DisplayID) == nil {
			validation(w, "assets", "There is no asset matching the given display_id", "invalid_value")
			return
		}
		t.Assets = append(t.Assets, a.DisplayID)
	}
	s.tickets[t.ID] = t
	ts := t.CreatedAt.Format(time.RFC3339)
	writeJSON(w, http.StatusCreated, map[string]any{"ticket": map[string]any{
		"id": t.ID, "subject": t.Subject, "description": t.Description, "status": t.Status, "priority": t.Priority,
		"type": "Incident", "source": 2, "created_at": ts, "updated_at": ts,
	}})
}
