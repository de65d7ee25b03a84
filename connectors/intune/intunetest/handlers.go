package intunetest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// The HTTP side of the fake: the Microsoft identity platform token
// endpoint and the Graph API endpoints, as documented, with the faults the
// tests queue.

// serveToken implements POST /{tenant}/oauth2/v2.0/token for the client
// credentials grant with a shared secret.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.TokenRequests++
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[1] != "oauth2" || parts[2] != "v2.0" || parts[3] != "token" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		aadError(w, http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests.")
		return
	}
	tenant := parts[0]
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		aadError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	if err := r.ParseForm(); err != nil {
		aadError(w, http.StatusBadRequest, "invalid_request", 900144, "Malformed request body.")
		return
	}
	form := r.PostForm
	s.tokenRequests = append(s.tokenRequests, TokenRequest{Host: r.Host, Tenant: tenant, Form: form})
	switch {
	case tenant != s.TenantID:
		aadError(w, http.StatusBadRequest, "invalid_request", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
	case form.Get("grant_type") != "client_credentials":
		aadError(w, http.StatusBadRequest, "unsupported_grant_type", 70003,
			"The app requested an unsupported grant type '"+form.Get("grant_type")+"'.")
	case form.Get("client_id") != s.ClientID:
		aadError(w, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", form.Get("client_id"), tenant))
	case form.Get("client_secret") == "":
		aadError(w, http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	case s.tokens.Revoked() || form.Get("client_secret") != s.ClientSecret:
		aadError(w, http.StatusUnauthorized, "invalid_client", 7000215,
			"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
	case form.Get("scope") != s.Scope():
		aadError(w, http.StatusBadRequest, "invalid_scope", 1002012,
			fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", form.Get("scope")))
	default:
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		tok := "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b)
		life := s.tokens.Lifetime()
		s.tokens.Issue(tok, life)
		s.counts.TokensIssued++
		secs := int(life / time.Second)
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type":     "Bearer",
			"expires_in":     secs,
			"ext_expires_in": secs,
			"access_token":   tok,
		})
	}
}

func aadError(w http.ResponseWriter, status int, code string, aadsts int, msg string) {
	now := time.Now().UTC()
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: 00000000-0000-0000-0000-000000000000 Correlation ID: 00000000-0000-0000-0000-000000000000 Timestamp: %s", aadsts, msg, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":       []int{aadsts},
		"timestamp":         now.Format("2006-01-02 15:04:05Z"),
		"trace_id":          "00000000-0000-0000-0000-000000000000",
		"correlation_id":    "00000000-0000-0000-0000-000000000000",
	})
}

// --- Graph ---------------------------------------------------------------

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.Graph++
	s.requests = append(s.requests, Request{
		Method:        r.Method,
		Host:          r.Host,
		URL:           s.GraphURL + r.RequestURI,
		Path:          r.URL.Path,
		Query:         r.URL.Query(),
		Authorization: r.Header.Get("Authorization"),
	})
	if !s.authorizedLocked(r) {
		s.counts.Unauthorized++
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
		return
	}
	if len(s.faults) > 0 {
		f := &s.faults[0]
		f.left--
		status, ra := f.status, f.retryAfter
		if f.left <= 0 {
			s.faults = s.faults[1:]
		}
		switch status {
		case http.StatusTooManyRequests:
			s.counts.Throttled++
		case http.StatusServiceUnavailable:
			s.counts.Unavailable++
		}
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		code := strings.ReplaceAll(http.StatusText(status), " ", "")
		graphError(w, status, code, "Injected failure: "+http.StatusText(status)+".")
		return
	}
	if r.Method != http.MethodGet {
		graphError(w, http.StatusMethodNotAllowed, "BadRequest", "Method not allowed in this fake.")
		return
	}
	// Route on the escaped path so an id holding "%2F" stays one segment.
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for k, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			segs[k] = u
		}
	}
	switch {
	case len(segs) == 3 && segs[0] == "v1.0" && segs[1] == "deviceManagement" && segs[2] == "managedDevices":
		s.listDevicesLocked(w, r)
	case len(segs) == 4 && (segs[0] == "v1.0" || segs[0] == "beta") && segs[1] == "deviceManagement" && segs[2] == "managedDevices":
		s.getDeviceLocked(w, r, segs[0], segs[3])
	case len(segs) == 5 && segs[0] == "beta" && segs[1] == "deviceManagement" && segs[2] == "managedDevices" && segs[4] == "detectedApps":
		s.listAppsLocked(w, r, segs[3])
	case len(segs) == 5 && segs[0] == "v1.0" && segs[2] == "managedDevices" && segs[4] == "detectedApps":
		// v1.0 managedDevice has no detectedApps navigation property.
		graphError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'detectedApps'.")
	default:
		graphError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+segs[len(segs)-1]+"'.")
	}
}

func (s *Server) authorizedLocked(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") || s.rejectTokens {
		return false
	}
	return s.tokens.Valid(strings.TrimPrefix(h, "Bearer "))
}

func graphError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code":    code,
		"message": msg,
		"innerError": map[string]any{
			"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id":        "00000000-0000-0000-0000-000000000000",
			"client-request-id": "00000000-0000-0000-0000-000000000000",
		},
	}})
}

const odataContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

func writeJSON(w http.ResponseWriter, status int, v any) {
	vendorfake.WriteJSON(w, status, odataContentType, v)
}

// parseSelect validates $select against the resource's properties.
func parseSelect(q url.Values, allowed []string, typeName string) ([]string, string) {
	raw := q.Get("$select")
	if raw == "" {
		return nil, ""
	}
	var out []string
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(allowed, p) {
			return nil, fmt.Sprintf("Could not find a property named '%s' on type '%s'.", p, typeName)
		}
		out = append(out, p)
	}
	return out, ""
}

func project(m map[string]any, sel []string) map[string]any {
	if sel == nil {
		return m
	}
	out := make(map[string]any, len(sel))
	for _, k := range sel {
		out[k] = m[k]
	}
	return out
}

// parseTop reads $top: 1..max, default max.
func parseTop(q url.Values, max int) (int, string) {
	raw := q.Get("$top")
	if raw == "" {
		return max, ""
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, "Invalid value '" + raw + "' for query option $top."
	}
	if n > max {
		return 0, fmt.Sprintf("The limit of '%d' for Top query has been exceeded. The value from the incoming request is '%d'.", max, n)
	}
	return n, ""
}

// skiptoken is opaque to clients: base64 of the next index, the page
// number and the server's salt.
func (s *Server) encodeSkip(next, page int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%d:%s", next, page, s.salt)))
}

func (s *Server) decodeSkip(tok string) (next, page int, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, false
	}
	f := strings.Split(string(b), ":")
	if len(f) != 3 || f[2] != s.salt {
		return 0, 0, false
	}
	next, err1 := strconv.Atoi(f[0])
	page, err2 := strconv.Atoi(f[1])
	return next, page, err1 == nil && err2 == nil && next >= 0 && page >= 1
}

// nextLink rebuilds the request's own query (all but $skiptoken) plus a
// new $skiptoken, as Graph does.
func (s *Server) nextLink(r *http.Request, skip string) string {
	q := r.URL.Query()
	var parts []string
	for _, k := range []string{"$select", "$filter", "$top"} {
		if v := q.Get(k); v != "" {
			parts = append(parts, k+"="+odataEscape(v))
		}
	}
	parts = append(parts, "$skiptoken="+skip)
	link := s.GraphURL + r.URL.Path + "?" + strings.Join(parts, "&")
	if s.rewriteLink != nil {
		link = s.rewriteLink(link)
	}
	return link
}

func odataEscape(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "+", "%20") }

// selectAndTop reads a collection request's $select (against the
// resource's properties) and $top (at most maxTop), answering Graph's 400
// BadRequest itself when either is wrong.
func selectAndTop(w http.ResponseWriter, q url.Values, props []string, typ string, maxTop int) (sel []string, top int, ok bool) {
	sel, msg := parseSelect(q, props, typ)
	if msg == "" {
		top, msg = parseTop(q, maxTop)
	}
	if msg != "" {
		graphError(w, http.StatusBadRequest, "BadRequest", msg)
		return nil, 0, false
	}
	return sel, top, true
}

func (s *Server) listDevicesLocked(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel, top, ok := selectAndTop(w, q, v1Properties, "microsoft.graph.managedDevice", s.maxTop)
	if !ok {
		return
	}
	filter, msg := parseFilter(q.Get("$filter"))
	if msg != "" {
		graphError(w, http.StatusBadRequest, "BadRequest", msg)
		return
	}
	start, page := 0, 1
	if tok := q.Get("$skiptoken"); tok != "" {
		var ok bool
		if start, page, ok = s.decodeSkip(tok); !ok {
			graphError(w, http.StatusBadRequest, "BadRequest", "The skip token is invalid or expired.")
			return
		}
	}
	value := make([]map[string]any, 0, min(top, max(s.n-start, 0)))
	i := start
	for ; i < s.n && len(value) < top; i++ {
		d, ok := s.deviceLocked(i)
		if !ok {
			continue
		}
		if !filter.match(d) {
			continue
		}
		value = append(value, project(d.render(), sel))
	}
	body := map[string]any{
		"@odata.context": s.GraphURL + "/v1.0/$metadata#deviceManagement/managedDevices",
		"value":          value,
	}
	if filter == nil && start == 0 {
		body["@odata.count"] = s.n - len(s.deleted)
	}
	if i < s.n {
		body["@odata.nextLink"] = s.nextLink(r, s.encodeSkip(i, page+1))
	}
	if m, ok := s.malformed[page]; ok {
		s.counts.Malformed++
		writeMalformed(w, body, m)
		return
	}
	s.counts.ListPages++
	writeJSON(w, http.StatusOK, body)
}

func writeMalformed(w http.ResponseWriter, body map[string]any, m Malformation) {
	var b []byte
	switch m {
	case Truncated:
		full, _ := json.Marshal(body)
		b = full[:len(full)/2]
	case InvalidJSON:
		b = []byte("<html><body>Service temporarily degraded</body></html>")
	case MissingValue:
		delete(body, "value")
		b, _ = json.Marshal(body)
	}
	w.Header().Set("Content-Type", odataContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (s *Server) getDeviceLocked(w http.ResponseWriter, r *http.Request, version, id string) {
	s.counts.DeviceGets++
	sel, msg := parseSelect(r.URL.Query(), v1Properties, "microsoft.graph.managedDevice")
	if msg != "" && version == "v1.0" {
		graphError(w, http.StatusBadRequest, "BadRequest", msg)
		return
	}
	i, ok := s.indexLocked(id)
	d, found := s.deviceLocked(i)
	if !ok || !found {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "{\r\n  \"_version\": 3,\r\n  \"Message\": \"An error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000\"\r\n}")
		return
	}
	body := project(d.render(), sel)
	body["@odata.context"] = s.GraphURL + "/" + version + "/$metadata#deviceManagement/managedDevices/$entity"
	writeJSON(w, http.StatusOK, body)
}

// indexLocked finds a device by id, overridden ids included.
func (s *Server) indexLocked(id string) (int, bool) {
	for i, d := range s.overrides {
		if d.ID == id && !s.deleted[i] && i < s.n {
			return i, true
		}
	}
	i, ok := deviceIndex(id)
	if !ok {
		return 0, false
	}
	if d, over := s.overrides[i]; over && d.ID != id {
		return 0, false
	}
	return i, true
}

func (s *Server) listAppsLocked(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	i, ok := s.indexLocked(id)
	if _, found := s.deviceLocked(i); !ok || !found {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "Resource not found.")
		return
	}
	if f, ok := s.appFaults[i]; ok && f.left > 0 {
		f.left--
		s.appFaults[i] = f
		if f.status == http.StatusTooManyRequests {
			s.counts.Throttled++
		}
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		graphError(w, f.status, strings.ReplaceAll(http.StatusText(f.status), " ", ""), "Injected failure: "+http.StatusText(f.status)+".")
		return
	}
	sel, top, ok := selectAndTop(w, q, detectedAppProperties, "microsoft.graph.detectedApp", s.appsPage)
	if !ok {
		return
	}
	start, page := 0, 1
	if tok := q.Get("$skiptoken"); tok != "" {
		if start, page, ok = s.decodeSkip(tok); !ok {
			graphError(w, http.StatusBadRequest, "BadRequest", "The skip token is invalid or expired.")
			return
		}
	}
	apps := s.appsLocked(i)
	value := []map[string]any{}
	j := start
	for ; j < len(apps) && len(value) < top; j++ {
		b, _ := json.Marshal(apps[j])
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		value = append(value, project(m, sel))
	}
	body := map[string]any{
		"@odata.context": s.GraphURL + "/beta/$metadata#deviceManagement/managedDevices('" + id + "')/detectedApps",
		"value":          value,
	}
	if j < len(apps) {
		body["@odata.nextLink"] = s.nextLink(r, s.encodeSkip(j, page+1))
	}
	s.counts.AppPages++
	writeJSON(w, http.StatusOK, body)
}
