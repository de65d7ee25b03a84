package fleettest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// listHosts serves GET /api/v1/fleet/hosts as Fleet's listOptionsFromRequest
// and hostListOptionsFromRequest read it (server/service/transport.go in
// fleetdm/fleet): order_direction and after need order_key ("order_key must
// be specified with after"), after keeps the rows past that value of the
// order column, then page/per_page apply; without per_page every host is
// answered. The fake orders by id only and refuses other order keys rather
// than pretend. populate_software ("true", "false" or
// "without_vulnerability_details", as the List hosts reference documents)
// adds each host's software to the list.
func (s *Server) listHosts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// Fleet's own messages for bad paging values.
	page, perPage := 0, -1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			writeError(w, http.StatusBadRequest, "non-int page value")
			return
		case n < 0:
			writeError(w, http.StatusBadRequest, "negative page value")
			return
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			writeError(w, http.StatusBadRequest, "non-int per_page value")
			return
		case n <= 0:
			writeError(w, http.StatusBadRequest, "invalid per_page value")
			return
		}
		perPage = n
	}
	orderKey, after, dir := q.Get("order_key"), q.Get("after"), q.Get("order_direction")
	switch {
	case orderKey == "" && dir != "":
		writeError(w, http.StatusBadRequest, "order_key must be specified with order_direction")
		return
	case orderKey == "" && after != "":
		writeError(w, http.StatusBadRequest, "order_key must be specified with after")
		return
	case orderKey != "" && orderKey != "id":
		writeError(w, http.StatusBadRequest, "fleettest orders hosts by id only, not "+orderKey)
		return
	case dir != "" && dir != "asc" && dir != "desc":
		writeError(w, http.StatusBadRequest, "unknown order_direction: "+dir)
		return
	}
	var afterID uint64
	if after != "" {
		n, err := strconv.ParseUint(after, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid after value for order_key id")
			return
		}
		afterID = n
	}
	var software, withVulnDetails bool
	switch ps := q.Get("populate_software"); {
	case ps == "without_vulnerability_details" && !s.opt.BoolPopulateSoftware:
		software = true
	case ps == "":
	default:
		b, err := strconv.ParseBool(ps)
		if err != nil && s.opt.BoolPopulateSoftware {
			writeError(w, http.StatusBadRequest, "Invalid boolean parameter populate_software: "+ps)
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, `Invalid value for populate_software. Should be one of "true", "false", or "without_vulnerability_details".`)
			return
		}
		software, withVulnDetails = b, b
	}
	_ = withVulnDetails // the fake's software has no vulnerabilities to detail
	software = software && !s.opt.IgnorePopulateSoftware
	withMapping := q.Get("device_mapping") == "true" && !s.opt.OmitListDeviceMapping

	s.mu.Lock()
	s.lastList = q
	s.lists = append(s.lists, q)
	// Live ids in the requested order, past after.
	var ids []uint
	for id := uint(1); id <= uint(s.hosts); id++ {
		if _, gone := slices.BinarySearch(s.removed, id); gone {
			continue
		}
		if after != "" && (dir == "desc" && uint64(id) >= afterID || dir != "desc" && uint64(id) <= afterID) {
			continue
		}
		ids = append(ids, id)
	}
	if dir == "desc" {
		slices.Reverse(ids)
	}
	if perPage < 0 {
		perPage = max(len(ids), 1)
	}
	from := min(page*perPage, len(ids))
	ids = ids[from:min(from+perPage, len(ids))]
	hosts := make([]listedHost, 0, len(ids))
	for _, id := range ids {
		h, _ := s.lookup(id)
		lh := listedHost{Host: h}
		if withMapping {
			lh.DeviceMapping = &h.DeviceMapping
		}
		if software {
			sw := h.Software
			if sw == nil {
				sw = []Software{}
			}
			lh.Software = &sw
		}
		hosts = append(hosts, lh)
	}
	m := s.malformed[page]
	if after != "" {
		m = s.malformedAfter[afterID]
	}
	s.stats.Lists++
	if m != 0 {
		s.stats.Malformed++
	}
	s.mu.Unlock()

	switch m {
	case Truncated:
		b, _ := json.Marshal(map[string]any{"hosts": hosts})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b[:len(b)/2])
	case NotJSON:
		w.Header().Set("Content-Type", "text/html")
		_, _ = fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
	case WrongShape:
		writeJSON(w, http.StatusOK, map[string]any{"hosts": map[string]any{"id": 1}})
	case MissingHosts:
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"hosts": hosts})
	}
}
