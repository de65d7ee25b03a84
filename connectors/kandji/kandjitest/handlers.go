package kandjitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// The HTTP side of the fake: Kandji's device and apps endpoints, as
// documented, with the faults the tests queue.

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts.Total++
		s.inFlight++
		s.max = max(s.max, s.inFlight)
		var f *fault
		ep := endpointOf(r.URL.Path)
		for k, cand := range s.faults {
			if cand.endpoint == "" || cand.endpoint == ep {
				f = cand
				if f.remaining--; f.remaining <= 0 {
					s.faults = append(s.faults[:k:k], s.faults[k+1:]...)
				}
				s.counts.Faulted++
				break
			}
		}
		authorized := r.Header.Get("Authorization") == "Bearer "+s.token
		if f == nil && !authorized {
			s.counts.Unauthorized++
		}
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
		}()

		if !vendorfake.Latency(r, s.delay) {
			return
		}
		if s.hold != nil {
			s.hold(r)
		}
		switch {
		case f != nil:
			if f.retryAfter != nil {
				w.Header().Set("Retry-After", f.retryAfter(time.Now()))
			}
			writeJSON(w, f.status, map[string]string{"detail": http.StatusText(f.status)})
		case !authorized:
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Incorrect authentication credentials."})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// endpointOf classifies a request path.
func endpointOf(path string) Endpoint {
	if strings.TrimRight(path, "/") == "/api/v1/prism/apps" {
		return EndpointPrismApps
	}
	rest, ok := strings.CutPrefix(strings.TrimRight(path, "/"), "/api/v1/devices")
	switch {
	case !ok:
		return ""
	case rest == "":
		return EndpointList
	case strings.HasSuffix(rest, "/apps"):
		return EndpointApps
	case strings.HasSuffix(rest, "/details"):
		return EndpointDetails
	}
	return EndpointDevice
}

// orderings are the documented values of the list "ordering" parameter.
// The fake validates them but always serves index order, which is
// device_id order.
var orderings = map[string]bool{
	"asset_tag": true, "blueprint_id": true, "device_id": true, "device_name": true,
	"last_check_in": true, "model": true, "platform": true, "os_version": true,
	"serial_number": true, "user": true,
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := MaxLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"limit": {"A valid integer is required."}})
			return
		}
		limit = min(n, MaxLimit)
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"offset": {"A valid integer is required."}})
			return
		}
		offset = n
	}
	ordering := q.Get("ordering")
	for _, o := range strings.Split(ordering, ",") {
		if o = strings.TrimPrefix(strings.TrimSpace(o), "-"); o != "" && !orderings[o] {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"ordering": {"Invalid ordering field: " + o}})
			return
		}
	}

	s.mu.Lock()
	s.counts.List++
	s.lists = append(s.lists, ListCall{Limit: limit, Offset: offset, RawLimit: q.Get("limit"), Ordering: ordering})
	visible := s.n - len(s.removed)
	var page []Device
	if offset < visible {
		page = make([]Device, 0, min(limit, visible-offset))
		u := s.underlying(offset)
		for ; len(page) < limit && u < s.n; u++ {
			if !s.removed[u] {
				page = append(page, s.deviceLocked(u))
			}
		}
	} else {
		page = []Device{}
	}
	bad, isBad := s.badPages[offset/limit]
	s.mu.Unlock()

	w.Header().Set("X-Total-Count", strconv.Itoa(visible))
	if isBad {
		writeMalformed(w, page, bad)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// underlying maps a list position to a device index, skipping removed ones.
func (s *Server) underlying(pos int) int {
	if len(s.removed) == 0 {
		return pos
	}
	gone := make([]int, 0, len(s.removed))
	for i := range s.removed {
		gone = append(gone, i)
	}
	sort.Ints(gone)
	u := pos
	for _, g := range gone {
		if g <= u {
			u++
		} else {
			break
		}
	}
	return u
}

func (s *Server) device(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.countedDevice(w, r, &s.counts.Device); ok {
		writeJSON(w, http.StatusOK, d)
	}
}

// countedDevice counts a request to a device's endpoint (counter) and finds
// the device, answering Kandji's 404 itself when there is none.
func (s *Server) countedDevice(w http.ResponseWriter, r *http.Request, counter *int) (Device, bool) {
	s.mu.Lock()
	*counter++
	i, ok := s.lookup(r.PathValue("id"))
	var d Device
	if ok {
		d = s.deviceLocked(i)
	} else {
		s.counts.NotFound++
	}
	s.mu.Unlock()
	if !ok {
		notFound(w)
	}
	return d, ok
}

func (s *Server) deviceApps(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts.Apps++
	id := r.PathValue("id")
	i, ok := s.lookup(id)
	var apps []App
	bad, isBad := Malformation(0), false
	if ok {
		apps = s.appsLocked(i)
		bad, isBad = s.badApps[i]
	} else {
		s.counts.NotFound++
	}
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	body := appsResponse{DeviceID: id, Apps: apps}
	// Kandji sends these on the apps answer too; it is never paged.
	w.Header().Set("X-Total-Count", strconv.Itoa(len(apps)))
	w.Header().Set("X-Total-Pages", "1")
	if isBad {
		writeMalformed(w, body, bad)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) deviceDetails(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.countedDevice(w, r, &s.counts.Details); ok {
		writeJSON(w, http.StatusOK, details(d))
	}
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	vendorfake.WriteJSON(w, status, "application/json", v)
}

func writeMalformed(w http.ResponseWriter, v any, m Malformation) {
	switch m {
	case NotJSON:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	case WrongShape:
		b, _ := json.Marshal(v)
		if bytes.HasPrefix(b, []byte("[")) {
			writeJSON(w, http.StatusOK, map[string]any{"results": v})
		} else {
			writeJSON(w, http.StatusOK, []any{v})
		}
	default: // Truncated
		b, _ := json.Marshal(v)
		cut := len(b) / 2
		if cut < 1 {
			cut = 1
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b[:cut])
	}
}

// String describes the server for test logs.
func (s *Server) String() string {
	return fmt.Sprintf("kandjitest.Server(%s, %d devices)", s.URL, s.DeviceCount())
}
