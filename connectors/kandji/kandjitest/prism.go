package kandjitest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// GET /api/v1/prism/apps, the Visibility (Prism) "Applications" category:
// one row per app per device. What the fake follows, and where it is
// documented:
//
//   - Parameters blueprint_ids, device_families, filter, sort_by, limit,
//     offset: the Prism "Applications" operation of Kandji's API reference
//     (PrismApi.md in Kandji-Community-SDKs/kandji-python-sdk). limit has a
//     hard upper bound of 300 and defaults to 300.
//   - filter is a JSON object of response keys to operators, e.g.
//     {"name":{"not_in":["Okta Verify"]}} (the same reference's example);
//     the fake implements "in" and "not_in" on string keys.
//   - cursor: an opaque token from the previous answer's "cursor", valid only
//     for the same query parameters; absent means the first page; paging ends
//     when the answer has no cursor (kandji-inc/support
//     api-tools/code-examples/prism_pagination_with_limit_and_cursor_example.py).
//   - The answer is {"offset","limit","total","data":[...],"cursor"}; every
//     row carries the device columns device_id, device__name, serial_number
//     next to the category's own (name, bundle_id, version, path, ...).

// PrismApp is one row of the Prism apps category.
type PrismApp struct {
	DeviceID        string `json:"device_id"`
	DeviceName      string `json:"device__name"`
	DeviceFamily    string `json:"device__family"`
	SerialNumber    string `json:"serial_number"`
	BlueprintID     string `json:"blueprint_id"`
	BlueprintName   string `json:"blueprint_name"`
	Name            string `json:"name"`
	BundleID        string `json:"bundle_id"`
	Version         string `json:"version"`
	ShortVersion    string `json:"short_version"`
	Path            string `json:"path"`
	Source          string `json:"source"`
	LastCollectedAt string `json:"last_collected_at"`
}

type prismResponse struct {
	Offset int        `json:"offset"`
	Limit  int        `json:"limit"`
	Total  int        `json:"total"`
	Data   []PrismApp `json:"data"`
	Cursor *string    `json:"cursor"`
}

// PrismCall records one answered Prism apps request.
type PrismCall struct {
	Limit, Offset int
	// Filter is the filter parameter as sent ("" when absent).
	Filter string
	// Cursor reports whether the request carried a cursor.
	Cursor bool
}

// prismFilterOps are the filter operators the fake implements.
var prismFilterOps = map[string]bool{"in": true, "not_in": true}

func (s *Server) prismApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := MaxLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "limit must be a positive integer"})
			return
		}
		limit = min(n, MaxLimit)
	}
	filter, err := parsePrismFilter(q.Get("filter"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "Invalid filter: " + err.Error()})
		return
	}
	families := splitList(q.Get("device_families"))
	key := prismQueryKey(q)
	offset := 0
	if c := q.Get("cursor"); c != "" {
		n, ok := decodeCursor(c, key)
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "Invalid cursor."})
			return
		}
		offset = n
	} else if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "offset must be a non-negative integer"})
			return
		}
		offset = n
	}

	s.mu.Lock()
	s.counts.PrismApps++
	s.prism = append(s.prism, PrismCall{Limit: limit, Offset: offset, Filter: q.Get("filter"), Cursor: q.Get("cursor") != ""})
	var rows []PrismApp
	for _, i := range s.prismDevicesLocked(filter) {
		d := s.deviceLocked(i)
		if len(families) > 0 && !families[d.Platform] {
			continue
		}
		for _, a := range s.appsLocked(i) {
			row := prismRow(d, a)
			if filter.match(row) {
				rows = append(rows, row)
			}
		}
	}
	bad := s.badPrism
	s.mu.Unlock()

	resp := prismResponse{Offset: offset, Limit: limit, Total: len(rows), Data: []PrismApp{}}
	if offset < len(rows) {
		resp.Data = rows[offset:min(offset+limit, len(rows))]
	}
	if next := offset + limit; next < len(rows) {
		c := encodeCursor(next, key)
		resp.Cursor = &c
	}
	if bad != nil {
		writeMalformed(w, resp, *bad)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// prismDevicesLocked lists the indexes of the listed devices the filter may
// select, in device_id order; a device_id "in" filter is looked up directly
// so a large tenant costs only the devices asked for.
func (s *Server) prismDevicesLocked(f prismFilter) []int {
	var out []int
	if ids, ok := f["device_id"]["in"]; ok {
		for _, id := range ids {
			if i, ok := s.lookup(id); ok {
				out = append(out, i)
			}
		}
		slices.Sort(out)
		out = slices.Compact(out)
		return out
	}
	for i := range s.n {
		if !s.removed[i] {
			out = append(out, i)
		}
	}
	return out
}

func prismRow(d Device, a App) PrismApp {
	return PrismApp{
		DeviceID:        d.DeviceID,
		DeviceName:      d.DeviceName,
		DeviceFamily:    d.Platform,
		SerialNumber:    d.SerialNumber,
		BlueprintID:     d.BlueprintID,
		BlueprintName:   d.BlueprintName,
		Name:            a.AppName,
		BundleID:        a.BundleID,
		Version:         a.Version,
		ShortVersion:    a.Version,
		Path:            a.Path,
		Source:          a.Source,
		LastCollectedAt: a.ModificationDate,
	}
}

// prismFilter is key -> operator -> values.
type prismFilter map[string]map[string][]string

func parsePrismFilter(raw string) (prismFilter, error) {
	f := prismFilter{}
	if strings.TrimSpace(raw) == "" {
		return f, nil
	}
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return nil, fmt.Errorf("not a JSON object of key: {operator: [values]}")
	}
	for k, ops := range f {
		if _, ok := prismColumns[k]; !ok {
			return nil, fmt.Errorf("unknown key %q", k)
		}
		for op := range ops {
			if !prismFilterOps[op] {
				return nil, fmt.Errorf("unsupported operator %q on %q", op, k)
			}
		}
	}
	return f, nil
}

// prismColumns reads a row's filterable string columns.
var prismColumns = map[string]func(PrismApp) string{
	"device_id":      func(r PrismApp) string { return r.DeviceID },
	"device__name":   func(r PrismApp) string { return r.DeviceName },
	"device__family": func(r PrismApp) string { return r.DeviceFamily },
	"serial_number":  func(r PrismApp) string { return r.SerialNumber },
	"name":           func(r PrismApp) string { return r.Name },
	"bundle_id":      func(r PrismApp) string { return r.BundleID },
	"version":        func(r PrismApp) string { return r.Version },
	"path":           func(r PrismApp) string { return r.Path },
}

func (f prismFilter) match(r PrismApp) bool {
	for k, ops := range f {
		v := prismColumns[k](r)
		for op, vals := range ops {
			found := false
			for _, x := range vals {
				if x == v {
					found = true
					break
				}
			}
			if (op == "in") != found {
				return false
			}
		}
	}
	return true
}

// prismQueryKey fingerprints the parameters a cursor is bound to.
func prismQueryKey(q url.Values) string {
	h := sha256.New()
	for _, k := range []string{"blueprint_ids", "device_families", "filter", "sort_by", "limit"} {
		fmt.Fprintf(h, "%s=%s\n", k, q.Get(k))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func encodeCursor(offset int, key string) string {
	return base64.URLEncoding.EncodeToString([]byte(key + ":" + strconv.Itoa(offset)))
}

func decodeCursor(c, key string) (int, bool) {
	b, err := base64.URLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	k, n, ok := strings.Cut(string(b), ":")
	if !ok || k != key {
		return 0, false
	}
	off, err := strconv.Atoi(n)
	return off, err == nil && off >= 0
}

func splitList(s string) map[string]bool {
	out := map[string]bool{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out[v] = true
		}
	}
	return out
}
