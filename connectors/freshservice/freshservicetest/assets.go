package freshservicetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// types is the fake account's asset type hierarchy.
var types = []struct {
	id, parent int64
	name       string
	fields     []string // type fields this type defines
}{
	{TypeHardware, 0, "Hardware", []string{"product", "vendor", "cost", "salvage", "depreciation_id", "warranty", "acquisition_date", "warranty_expiry_date", "domain", "asset_state", "serial_number", "last_audit_date"}},
	{TypeComputer, TypeHardware, "Computer", []string{"os", "os_version", "memory", "disk_space", "cpu_speed", "mac_address", "uuid", "hostname"}},
	{TypeLaptop, TypeComputer, "Laptop", nil},
	{TypeMonitor, TypeHardware, "Monitor", nil},
	{TypeServices, 0, "Services", nil},
}

// fieldKeys maps every type-field key valid for typeID (suffixed with the
// id of the ancestor defining it) to its base name.
func fieldKeys(typeID int64) map[string]string {
	out := map[string]string{}
	for id := typeID; id != 0; {
		found := false
		for _, t := range types {
			if t.id == id {
				for _, f := range t.fields {
					out[f+"_"+itoa(t.id)] = f
				}
				id, found = t.parent, true
				break
			}
		}
		if !found {
			break
		}
	}
	return out
}

func knownType(id int64) bool {
	return slices.ContainsFunc(types, func(t struct {
		id, parent int64
		name       string
		fields     []string
	}) bool {
		return t.id == id
	})
}

// generatedUpdatedAt is when every untouched generated asset last changed.
var generatedUpdatedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// generate renders generated asset i without storing it.
func (s *Server) generate(displayID int64) *Asset {
	i := displayID - GeneratedBase
	return &Asset{
		DisplayID: displayID, AssetTypeID: TypeLaptop,
		Name: fmt.Sprintf("Laptop %06d", i), AssetTag: fmt.Sprintf("FS-%06d", i),
		TypeFields: map[string]any{
			"serial_number": fmt.Sprintf("FSN%07d", i), "product": ProductMacBook, "asset_state": "In Use",
			"cost": 1999.5, "acquisition_date": "2025-03-01T00:00:00Z",
		},
		UpdatedAt: generatedUpdatedAt,
	}
}

// lookup finds an asset; the caller holds s.mu.
func (s *Server) lookup(displayID int64) *Asset {
	if a, ok := s.assets[displayID]; ok {
		return a
	}
	if s.deleted[displayID] || displayID < GeneratedBase || displayID >= GeneratedBase+int64(s.generated) {
		return nil
	}
	return s.generate(displayID)
}

// ids lists every asset's display_id in listing order (ascending); the
// caller holds s.mu.
func (s *Server) ids() []int64 {
	out := make([]int64, 0, len(s.assets)+s.generated)
	for id := range s.assets {
		if id < GeneratedBase || id >= GeneratedBase+int64(s.generated) {
			out = append(out, id)
		}
	}
	for i := 0; i < s.generated; i++ {
		if id := int64(GeneratedBase + i); !s.deleted[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Server) render(a *Asset, typeFields bool) map[string]any {
	out := map[string]any{
		"id": 21000000000000 + a.DisplayID, "display_id": a.DisplayID, "name": a.Name, "description": nil,
		"asset_type_id": a.AssetTypeID, "impact": "low", "author_type": "User", "usage_type": "permanent",
		"asset_tag": nilIfEmpty(a.AssetTag), "user_id": a.UserID, "location_id": a.LocationID,
		"department_id": a.DepartmentID, "agent_id": nil, "group_id": nil, "assigned_on": nil,
		"created_at": "2025-01-01T00:00:00Z", "updated_at": a.UpdatedAt.Format(time.RFC3339),
	}
	if typeFields {
		tf := map[string]any{}
		for key, base := range fieldKeys(a.AssetTypeID) {
			tf[key] = a.TypeFields[base] // null when unset, as Freshservice sends
		}
		out["type_fields"] = tf
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, per, ok := pageParams(w, r)
	if !ok {
		return
	}
	withTF := q.Get("include") == "type_fields"
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.ids()
	if f := q.Get("filter"); f != "" {
		m := filterRe.FindStringSubmatch(f)
		if m == nil {
			validation(w, "filter", "Invalid filter query", "invalid_value")
			return
		}
		after, _ := time.Parse(time.DateOnly, m[1])
		after = after.AddDate(0, 0, 1) // > a day: from the next day on
		ids = slices.DeleteFunc(ids, func(id int64) bool { return s.lookup(id).UpdatedAt.Before(after) })
		per = 30 // per_page does not apply to filtered lists
		if page > 40 {
			validation(w, "page", "It should be a/an Positive Integer less than or equal to 40", "invalid_value")
			return
		}
	}
	if sq := q.Get("search"); sq != "" {
		m := searchRe.FindStringSubmatch(sq)
		if m == nil {
			validation(w, "search", "Invalid search query", "invalid_value")
			return
		}
		ids = slices.DeleteFunc(ids, func(id int64) bool {
			a := s.lookup(id)
			v := map[string]string{"asset_tag": a.AssetTag, "name": a.Name, "serial_number": fmt.Sprint(a.TypeFields["serial_number"])}[m[1]]
			return !strings.EqualFold(v, m[2])
		})
	}
	lo := min((page-1)*per, len(ids))
	hi := min(lo+per, len(ids))
	out := make([]map[string]any, 0, hi-lo)
	for _, id := range ids[lo:hi] {
		out = append(out, s.render(s.lookup(id), withTF))
	}
	s.link(w, r, page, hi < len(ids))
	writeJSON(w, http.StatusOK, map[string]any{"assets": out})
}

func (s *Server) getAsset(w http.ResponseWriter, r *http.Request, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(id)
	if a == nil {
		writeRaw(w, http.StatusNotFound, `{"code":"not_found","message":"The requested resource was not found"}`)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"asset": s.render(a, r.URL.Query().Get("include") == "type_fields")})
}

// assetInput is a PUT/POST body; ids may be numbers or null.
type assetInput map[string]json.RawMessage

// apply validates and applies in to a (a copy); the caller holds s.mu.
func (s *Server) apply(w http.ResponseWriter, a *Asset, in assetInput) bool {
	for k, raw := range in {
		switch k {
		case "name":
			_ = json.Unmarshal(raw, &a.Name)
		case "asset_tag":
			var v *string
			if json.Unmarshal(raw, &v) != nil {
				validation(w, k, "It should be a/an String", "datatype_mismatch")
				return false
			}
			a.AssetTag = ""
			if v != nil {
				a.AssetTag = *v
			}
		case "user_id", "location_id", "department_id":
			var v *int64
			if json.Unmarshal(raw, &v) != nil {
				validation(w, k, "It should be a/an Positive Integer", "datatype_mismatch")
				return false
			}
			if v != nil && !s.exists(k, *v) {
				validation(w, k, "There is no record matching the given id", "invalid_value")
				return false
			}
			*map[string]**int64{"user_id": &a.UserID, "location_id": &a.LocationID, "department_id": &a.DepartmentID}[k] = v
		case "asset_type_id":
			// read by createAsset; the type of an existing asset is kept
		case "type_fields":
			var tf map[string]any
			d := json.NewDecoder(bytes.NewReader(raw))
			d.UseNumber()
			if d.Decode(&tf) != nil {
				validation(w, k, "It should be a/an key/value pair", "datatype_mismatch")
				return false
			}
			valid := fieldKeys(a.AssetTypeID)
			for key, v := range tf {
				base, ok := valid[key]
				if !ok {
					validation(w, "type_fields."+key, "Unexpected/invalid field in request", "invalid_field")
					return false
				}
				if base == "asset_state" && v != nil && !slices.Contains(States, fmt.Sprint(v)) {
					validation(w, "type_fields."+key, "It should be one of these values: '"+strings.Join(States, ",")+"'", "invalid_value")
					return false
				}
				if n, isNum := v.(json.Number); isNum {
					f, _ := n.Float64()
					v = f
				}
				a.TypeFields[base] = v
			}
		default:
			validation(w, k, "Unexpected/invalid field in request", "invalid_field")
			return false
		}
	}
	return true
}

func (s *Server) exists(field string, id int64) bool {
	var lists [][]Named
	switch field {
	case "user_id":
		return slices.ContainsFunc(s.requesters, func(u User) bool { return u.ID == id }) ||
			slices.ContainsFunc(s.agents, func(u User) bool { return u.ID == id })
	case "location_id":
		lists = [][]Named{s.locations}
	case "department_id":
		lists = [][]Named{s.departments}
	}
	for _, l := range lists {
		if slices.ContainsFunc(l, func(n Named) bool { return n.ID == id }) {
			return true
		}
	}
	return false
}

func (s *Server) updateAsset(w http.ResponseWriter, id int64, body []byte) {
	var in assetInput
	if json.Unmarshal(body, &in) != nil {
		writeRaw(w, http.StatusBadRequest, `{"code":"invalid_json","message":"Request body has invalid json format"}`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.lookup(id)
	if cur == nil {
		writeRaw(w, http.StatusNotFound, `{"code":"not_found","message":"The requested resource was not found"}`)
		return
	}
	a := *cur
	a.TypeFields = make(map[string]any, len(cur.TypeFields))
	for k, v := range cur.TypeFields {
		a.TypeFields[k] = v
	}
	if !s.apply(w, &a, in) {
		return
	}
	a.UpdatedAt = s.now().UTC()
	s.assets[id] = &a
	writeJSON(w, http.StatusOK, map[string]any{"asset": s.render(&a, true)})
}

func (s *Server) createAsset(w http.ResponseWriter, body []byte) {
	var in assetInput
	if json.Unmarshal(body, &in) != nil {
		writeRaw(w, http.StatusBadRequest, `{"code":"invalid_json","message":"Request body has invalid json format"}`)
		return
	}
	var typeID int64
	if raw, ok := in["asset_type_id"]; !ok || json.Unmarshal(raw, &typeID) != nil || !knownType(typeID) {
		validation(w, "asset_type_id", "It should be a valid asset type id", "missing_field")
		return
	}
	if raw, ok := in["name"]; !ok || string(raw) == `""` || string(raw) == "null" {
		validation(w, "name", "It should not be blank as this is a mandatory field", "missing_field")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := Asset{AssetTypeID: typeID, TypeFields: map[string]any{}}
	if !s.apply(w, &a, in) {
		return
	}
	a.DisplayID = s.id()
	a.UpdatedAt = s.now().UTC()
	s.assets[a.DisplayID] = &a
	writeJSON(w, http.StatusCreated, map[string]any{"asset": s.render(&a, true)})
}

func (s *Server) assetRequests(w http.ResponseWriter, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookup(id) == nil {
		writeRaw(w, http.StatusNotFound, `{"code":"not_found","message":"The requested resource was not found"}`)
		return
	}
	out := slices.Clone(s.requests[id])
	for _, t := range s.tickets {
		if slices.Contains(t.Assets, id) {
			out = append(out, map[string]any{"id": t.ID + 7, "request_type": "Ticket", "request_id": t.ID,
				"request_details": t.Subject, "request_status": map[int]string{2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}[t.Status]})
		}
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": out})
}

func (s *Server) typeFields(w http.ResponseWriter, id int64) {
	if !knownType(id) {
		writeRaw(w, http.StatusNotFound, `{"code":"not_found","message":"The requested resource was not found"}`)
		return
	}
	fields := []map[string]any{
		{"name": "name", "label": "Display Name", "asset_type_id": nil, "field_type": "default_text", "required": true},
		{"name": "asset_tag", "label": "Asset Tag", "asset_type_id": nil, "field_type": "default_text", "required": false},
	}
	for key, base := range fieldKeys(id) {
		owner, _ := strconv.ParseInt(strings.TrimPrefix(key, base+"_"), 10, 64)
		fields = append(fields, map[string]any{"name": base, "label": base, "asset_type_id": owner, "field_type": "custom_text", "required": false})
	}
	writeJSON(w, http.StatusOK, map[string]any{"asset_type_fields": []map[string]any{{"field_header": "General", "fields": fields}}})
}
