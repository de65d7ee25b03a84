package jamftest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// The HTTP side of the fake: Jamf Pro's token endpoints and the
// computers-inventory API, as documented, with the faults the tests queue.

// ---- authentication ----

func (s *Server) issue(lifetime time.Duration) (string, time.Time) {
	s.tokenSeq++
	tok := fmt.Sprintf("jamftest.%d.%x", s.tokenSeq, s.tokens.Now().UnixNano())
	exp := s.tokens.Issue(tok, lifetime)
	s.stats.TokensIssued++
	return tok, exp
}

func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.OAuthTokenRequests++
	s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens.Revoked() || id != s.ClientID || secret != s.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	secs := int(math.Ceil(s.tokens.Lifetime().Seconds()))
	tok, _ := s.issue(time.Duration(secs) * time.Second)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "scope": "api-role:1", "token_type": "Bearer", "expires_in": secs,
	})
}

func (s *Server) basicToken(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.BasicTokenRequests++
	if !ok || s.tokens.Revoked() || user != s.Username || pass != s.Password {
		apiError(w, http.StatusUnauthorized, "INVALID_CREDENTIALS", "Unauthorized")
		return
	}
	tok, exp := s.issue(s.tokens.Lifetime())
	writeJSON(w, http.StatusOK, map[string]string{"token": tok, "expires": exp.UTC().Format("2006-01-02T15:04:05.000Z")})
}

func (s *Server) invalidateToken(w http.ResponseWriter, r *http.Request) {
	tok, ok := bearer(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok || !s.validLocked(tok) {
		apiError(w, http.StatusUnauthorized, "INVALID_TOKEN", "Unauthorized")
		return
	}
	s.tokens.Forget(tok)
	w.WriteHeader(http.StatusNoContent)
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "Bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

func (s *Server) validLocked(tok string) bool { return s.tokens.Valid(tok) }

// ---- inventory ----

// inventory wraps the inventory endpoints: in-flight accounting, latency,
// injected 429/503, the version check and bearer authentication.
func (s *Server) inventory(h func(w http.ResponseWriter, r *http.Request, version string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		mobile := strings.Contains(r.URL.Path, "/mobile-devices/")
		switch {
		case strings.HasSuffix(r.URL.Path, "/computers-inventory"):
			s.stats.InventoryRequests++
			s.requests = append(s.requests, Request{Version: r.PathValue("v"), Query: cloneValues(r.URL.Query())})
		case strings.HasSuffix(r.URL.Path, "/mobile-devices/detail"):
			s.stats.MobileRequests++
			s.mobileRequests = append(s.mobileRequests, Request{Version: r.PathValue("v"), Query: cloneValues(r.URL.Query())})
		default:
			s.stats.DetailRequests++
		}
		s.inFlight++
		s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
		}()
		if !vendorfake.Latency(r, s.opt.Latency) {
			return
		}
		if s.opt.BeforeServe != nil {
			s.opt.BeforeServe(r)
		}
		s.mu.Lock()
		var status int
		var retryAfter string
		switch {
		case s.rateLimit.n > 0:
			s.rateLimit.n--
			s.stats.RateLimited++
			status, retryAfter = http.StatusTooManyRequests, s.rateLimit.retryAfter
		case s.unavailable.n > 0:
			s.unavailable.n--
			s.stats.Unavailable++
			status, retryAfter = http.StatusServiceUnavailable, s.unavailable.retryAfter
		}
		s.mu.Unlock()
		if status != 0 {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			apiError(w, status, http.StatusText(status), http.StatusText(status))
			return
		}
		v := r.PathValue("v")
		// The computers-inventory versions are a server option; the
		// mobile-devices handlers check their own (v2).
		if !mobile && !slices.Contains(s.versions, v) {
			apiError(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint")
			return
		}
		tok, ok := bearer(r)
		s.mu.Lock()
		if !ok || !s.validLocked(tok) {
			s.stats.Unauthorized++
			s.mu.Unlock()
			apiError(w, http.StatusUnauthorized, "INVALID_TOKEN", "Unauthorized")
			return
		}
		s.mu.Unlock()
		h(w, r, v)
	}
}

// sectionNames are the ComputerSection values the fake accepts; the ones
// it has data for are served, the others come back null.
var sectionNames = []string{"GENERAL", "DISK_ENCRYPTION", "PURCHASING", "APPLICATIONS", "STORAGE", "USER_AND_LOCATION",
	"CONFIGURATION_PROFILES", "PRINTERS", "SERVICES", "HARDWARE", "LOCAL_USER_ACCOUNTS", "CERTIFICATES", "ATTACHMENTS",
	"PLUGINS", "PACKAGE_RECEIPTS", "FONTS", "SECURITY", "OPERATING_SYSTEM", "LICENSED_SOFTWARE", "IBEACONS",
	"SOFTWARE_UPDATES", "EXTENSION_ATTRIBUTES", "CONTENT_CACHING", "GROUP_MEMBERSHIPS"}

type sections map[string]bool

func parseSections(vals []string) (sections, error) {
	out := sections{}
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			name := strings.ToUpper(strings.TrimSpace(part))
			if !slices.Contains(sectionNames, name) {
				return nil, fmt.Errorf("unknown section %q", part)
			}
			out[name] = true
		}
	}
	if len(out) == 0 {
		out["GENERAL"] = true // the documented default
	}
	return out, nil
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, version string) {
	q := r.URL.Query()
	secs, err := parseSections(q["section"])
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_FIELD", err.Error())
		return
	}
	page, size := 0, 100
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETER", "page must be a number ≥ 0")
			return
		}
	}
	if v := q.Get("page-size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETER", "page-size must be a number ≥ 1")
			return
		}
	}
	size = min(size, s.opt.MaxPageSize) // silently, as Jamf does
	desc := false
	for _, v := range q["sort"] {
		for _, crit := range strings.Split(v, ",") {
			switch strings.TrimSpace(crit) {
			case "id:asc", "id":
			case "id:desc":
				desc = true
			default:
				apiError(w, http.StatusBadRequest, "INVALID_SORT", "jamftest sorts only by id:asc or id:desc, not "+crit)
				return
			}
		}
	}
	f, err := parseFilter(q.Get("filter"), computerFields)
	if err == nil {
		s.mu.Lock()
		for _, field := range f.fields() {
			if s.refused[version+" "+field] {
				err = fmt.Errorf("field %q is not filterable", field)
			}
		}
		s.mu.Unlock()
	}
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_RSQL_FILTER", err.Error())
		return
	}

	// Select the page's ids under the lock; generate and encode outside it.
	s.mu.Lock()
	// The page of a full listing this answer is: its page number plus the
	// records a key bound (id>N) skipped, in pages.
	index := page
	if n, ok := f.keyBound(); ok {
		index += s.existingUpTo(n) / size
	}
	malform := s.malformed[index]
	if malform != 0 {
		s.stats.Malformed++
	}
	total, from := 0, page*size
	ids := make([]int, 0, min(size, 2048))
	fixed := map[int]*Computer{}
	needs := f.needsRecord()
	for i := 1; i <= s.maxID; i++ {
		id := i
		if desc {
			id = s.maxID + 1 - i
		}
		if s.removed[id] {
			continue
		}
		if f != nil {
			var c *Computer
			if needs {
				c = s.lookup(id, false)
			}
			if !f.match(id, c) {
				continue
			}
		}
		if total >= from && len(ids) < size {
			ids = append(ids, id)
			if c := s.overrides[id]; c != nil {
				fixed[id] = c
			}
		}
		total++
	}
	s.mu.Unlock()

	switch malform {
	case HTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<html><body><h1>Service temporarily unavailable</h1></body></html>")
		return
	case NoTotalCount:
		writeJSON(w, http.StatusOK, map[string]any{"results": []any{}})
		return
	}

	var buf bytes.Buffer
	var out *bufio.Writer
	if malform == Truncated {
		out = bufio.NewWriter(&buf)
	} else {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		out = bufio.NewWriterSize(w, 64<<10)
	}
	fmt.Fprintf(out, `{"totalCount":%d,"results":[`, total)
	enc := json.NewEncoder(out)
	for i, id := range ids {
		if i > 0 {
			out.WriteByte(',')
		}
		c := fixed[id]
		if c == nil {
			g := generate(s.opt.Seed, s.opt.Epoch, s.opt.Apps, id, secs["APPLICATIONS"])
			c = &g
		}
		wc := toWire(c, secs, version)
		if malform == MissingID && i == 0 {
			wc.ID = ""
		}
		if err := enc.Encode(wc); err != nil {
			return // client gone
		}
	}
	out.WriteString("]}")
	if err := out.Flush(); err != nil {
		return
	}
	if malform == Truncated {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes()[:buf.Len()/2])
	}
}

// existingUpTo counts the computers with an id ≤ n (mu held).
func (s *Server) existingUpTo(n int) int {
	n = min(n, s.maxID)
	out := 0
	for id := 1; id <= n; id++ {
		if !s.removed[id] {
			out++
		}
	}
	return out
}

// single serves one computer: the requested sections, or all of them for
// the detail endpoint.
func (s *Server) single(detail bool) func(w http.ResponseWriter, r *http.Request, version string) {
	return func(w http.ResponseWriter, r *http.Request, version string) {
		secs := sections{}
		if detail {
			for _, n := range sectionNames {
				secs[n] = true
			}
		} else {
			var err error
			if secs, err = parseSections(r.URL.Query()["section"]); err != nil {
				apiError(w, http.StatusBadRequest, "INVALID_FIELD", err.Error())
				return
			}
		}
		id, err := strconv.Atoi(r.PathValue("id"))
		var c *Computer
		if err == nil {
			s.mu.Lock()
			c = s.lookup(id, true)
			s.mu.Unlock()
		}
		if c == nil {
			apiError(w, http.StatusNotFound, "NOT_FOUND", "Specified computer object does not exist.")
			return
		}
		writeJSON(w, http.StatusOK, toWire(c, secs, version))
	}
}

// wireComputer is one ComputerInventory record on the wire: every section
// key present, null unless requested.
type wireComputer struct {
	ID                    string           `json:"id"`
	UDID                  string           `json:"udid"`
	General               any              `json:"general"`
	DiskEncryption        *struct{}        `json:"diskEncryption"`
	Purchasing            *Purchasing      `json:"purchasing"`
	Applications          []Application    `json:"applications"`
	Storage               *struct{}        `json:"storage"`
	UserAndLocation       *UserAndLocation `json:"userAndLocation"`
	ConfigurationProfiles *[]struct{}      `json:"configurationProfiles"`
	Printers              *[]struct{}      `json:"printers"`
	Services              *[]struct{}      `json:"services"`
	Hardware              *Hardware        `json:"hardware"`
	LocalUserAccounts     *[]struct{}      `json:"localUserAccounts"`
	Certificates          *[]struct{}      `json:"certificates"`
	Attachments           *[]struct{}      `json:"attachments"`
	PackageReceipts       *struct{}        `json:"packageReceipts"`
	Security              *struct{}        `json:"security"`
	OperatingSystem       *OperatingSystem `json:"operatingSystem"`
	LicensedSoftware      *[]struct{}      `json:"licensedSoftware"`
	Ibeacons              *[]struct{}      `json:"ibeacons"`
	SoftwareUpdates       *[]struct{}      `json:"softwareUpdates"`
	ExtensionAttributes   *[]struct{}      `json:"extensionAttributes"`
	ContentCaching        *struct{}        `json:"contentCaching"`
	GroupMemberships      *[]struct{}      `json:"groupMemberships"`
}

// generalV1 is ComputerGeneral (/v1–/v3).
type generalV1 struct {
	General
	LastContactTime string `json:"lastContactTime"`
}

// generalV4 is ComputerGeneralV4 (/v4).
type generalV4 struct {
	General
	LastContact string `json:"lastContact"`
	LastCheckIn string `json:"lastCheckIn"`
}

func toWire(c *Computer, secs sections, version string) wireComputer {
	w := wireComputer{ID: strconv.Itoa(c.ID), UDID: c.UDID}
	if secs["GENERAL"] {
		if version == "v4" {
			w.General = generalV4{General: c.General, LastContact: c.General.LastContactTime, LastCheckIn: c.General.LastCheckIn}
		} else {
			w.General = generalV1{General: c.General, LastContactTime: c.General.LastContactTime}
		}
	}
	if secs["HARDWARE"] {
		h := c.Hardware
		w.Hardware = &h
	}
	if secs["OPERATING_SYSTEM"] {
		o := c.OperatingSystem
		w.OperatingSystem = &o
	}
	if secs["USER_AND_LOCATION"] {
		u := c.UserAndLocation
		w.UserAndLocation = &u
	}
	if secs["PURCHASING"] {
		p := c.Purchasing
		w.Purchasing = &p
	}
	if secs["APPLICATIONS"] {
		w.Applications = c.Applications
		if w.Applications == nil {
			w.Applications = []Application{}
		}
	}
	return w
}

// ---- responses ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError writes Jamf's ApiError body.
func apiError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]any{
		"httpStatus": status,
		"errors":     []map[string]any{{"code": code, "description": description, "id": "0", "field": nil}},
	})
}

// oauthError writes the token endpoint's RFC 6749 error body.
func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}
