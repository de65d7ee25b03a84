package jsmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) assets(w http.ResponseWriter, r *http.Request, p string, body []byte) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case p == "/object/aql" && r.Method == http.MethodPost:
		s.aql(w, r, body)
	case p == "/object/create" && r.Method == http.MethodPost:
		s.write(w, "", body)
	case len(parts) == 2 && parts[0] == "object" && r.Method == http.MethodGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		if o := s.findLocked(func(x *object) bool { return x.ID == parts[1] }); o != nil {
			writeJSON(w, http.StatusOK, s.render(o))
			return
		}
		notFound(w)
	case len(parts) == 2 && parts[0] == "object" && r.Method == http.MethodPut:
		s.write(w, parts[1], body)
	case len(parts) == 3 && parts[0] == "objecttype" && parts[2] == "attributes" && r.Method == http.MethodGet:
		t := s.types[parts[1]]
		if t == nil {
			notFound(w)
			return
		}
		out := []map[string]any{}
		for _, a := range t.Attrs {
			out = append(out, s.renderAttr(a))
		}
		writeJSON(w, http.StatusOK, out)
	case p == "/config/statustype" && r.Method == http.MethodGet:
		out := []map[string]any{}
		for _, st := range s.statuses {
			out = append(out, map[string]any{"id": st.ID, "name": st.Name, "category": 1, "objectSchemaId": "1"})
		}
		writeJSON(w, http.StatusOK, out)
	case p == "/objectschema/list" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"startAt": 0, "maxResults": 25, "total": 1, "isLast": true,
			"values": []map[string]any{{"workspaceId": s.opt.WorkspaceID, "id": "1", "name": "IT", "objectSchemaKey": "IT", "status": "Ok"}}})
	case p == "/objectschema/1/objecttypes/flat" && r.Method == http.MethodGet:
		out := []map[string]any{}
		for _, id := range []string{TypeComputers, TypeMonitors, TypeLocations, TypePeople} {
			out = append(out, map[string]any{"id": id, "name": s.types[id].Name, "objectSchemaId": "1"})
		}
		writeJSON(w, http.StatusOK, out)
	case len(parts) == 3 && parts[0] == "objectconnectedtickets" && parts[2] == "tickets" && r.Method == http.MethodGet:
		s.connectedTickets(w, parts[1])
	default:
		notFound(w)
	}
}

var (
	reType    = regexp.MustCompile(`^objectType\s*=\s*"([^"]*)"$`)
	reTypeID  = regexp.MustCompile(`^objectTypeId\s*=\s*(\d+)$`)
	reUpdated = regexp.MustCompile(`^Updated\s*>\s*now\(-(\d+)m\)$`)
	reKeyIn   = regexp.MustCompile(`^Key\s+IN\s+\((.*)\)$`)
	reEquals  = regexp.MustCompile(`^("([^"]+)"|[A-Za-z]+)\s*=\s*"((?:[^"\\]|\\.)*)"$`)
	reOrder   = regexp.MustCompile(`(?i)\s+ORDER\s+BY\s+Created\s+ASC$`)
)

type predicate func(*object) bool

// parseAQL understands the AQL the connector sends (and refuses the rest
// with Assets' 400 body): objectType = "…", objectTypeId = n, Key IN (…),
// Label = "…", "<attribute>" = "…", Updated > now(-Nm), joined by AND,
// parenthesised, with an optional ORDER BY Created ASC.
func (s *Server) parseAQL(q string) ([]predicate, bool, error) {
	q = reOrder.ReplaceAllString(strings.TrimSpace(q), "")
	var preds []predicate
	onlyType := true
	for _, c := range splitAnd(q) {
		c = strings.TrimSpace(c)
		for strings.HasPrefix(c, "(") && strings.HasSuffix(c, ")") {
			inner := c[1 : len(c)-1]
			sub, only, err := s.parseAQL(inner)
			if err != nil {
				return nil, false, err
			}
			preds = append(preds, sub...)
			onlyType = onlyType && only
			c = ""
		}
		if c == "" {
			continue
		}
		if m := reType.FindStringSubmatch(c); m != nil {
			name := m[1]
			preds = append(preds, func(o *object) bool { return strings.EqualFold(s.types[o.TypeID].Name, name) })
			continue
		}
		if m := reTypeID.FindStringSubmatch(c); m != nil {
			id := m[1]
			preds = append(preds, func(o *object) bool { return o.TypeID == id })
			continue
		}
		onlyType = false
		if m := reUpdated.FindStringSubmatch(c); m != nil {
			n, _ := strconv.Atoi(m[1])
			since := s.opt.Now().Add(-time.Duration(n) * time.Minute)
			preds = append(preds, func(o *object) bool { return o.Updated.After(since) })
			continue
		}
		if m := reKeyIn.FindStringSubmatch(c); m != nil {
			keys := map[string]bool{}
			for _, k := range strings.Split(m[1], ",") {
				k, err := strconv.Unquote(strings.TrimSpace(k))
				if err != nil {
					return nil, false, fmt.Errorf("AQL: bad key list in %q", c)
				}
				keys[k] = true
			}
			preds = append(preds, func(o *object) bool { return keys[o.Key] })
			continue
		}
		if m := reEquals.FindStringSubmatch(c); m != nil {
			attr := m[2]
			if attr == "" {
				attr = m[1]
			}
			want, err := strconv.Unquote(`"` + m[3] + `"`)
			if err != nil {
				return nil, false, fmt.Errorf("AQL: bad value in %q", c)
			}
			if strings.EqualFold(attr, "Label") {
				attr = "Name"
			}
			preds = append(preds, func(o *object) bool { return strings.EqualFold(o.Values[attr], want) })
			continue
		}
		return nil, false, fmt.Errorf("AQL: could not parse %q", c)
	}
	return preds, onlyType, nil
}

// splitAnd splits on AND outside parentheses and quotes.
func splitAnd(q string) []string {
	var out []string
	depth, quoted, last := 0, false, 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '"' && (i == 0 || q[i-1] != '\\'):
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(q[i:], " AND "):
			out = append(out, q[last:i])
			last = i + len(" AND ")
			i += len(" AND ") - 1
		}
	}
	return append(out, q[last:])
}

func (s *Server) aql(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		QLQuery string `json:"qlQuery"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.QLQuery == "" {
		badRequest(w, "", "qlQuery is required")
		return
	}
	q := r.URL.Query()
	start, _ := strconv.Atoi(q.Get("startAt"))
	size := 25 // when absent; the connector always sends maxResults
	if v := q.Get("maxResults"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	if s.opt.MaxResults > 0 && size > s.opt.MaxResults {
		size = s.opt.MaxResults
	}
	withAttrs := q.Get("includeAttributes") != "false"
	preds, onlyType, err := s.parseAQL(in.QLQuery)
	if err != nil {
		badRequest(w, "", err.Error())
		return
	}
	match := func(o *object) bool {
		for _, p := range preds {
			if !p(o) {
				return false
			}
		}
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*object
	for _, o := range s.objects {
		if match(o) {
			hits = append(hits, o)
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Created.Before(hits[j].Created) })
	// Generated objects follow, counted without building them when only
	// the type filters (the large-tenant case).
	var gen []int
	genCount := 0
	if s.opt.Generated > 0 {
		if onlyType && match(s.generated(0)) {
			genCount = s.opt.Generated
		} else if !onlyType {
			for i := 0; i < s.opt.Generated; i++ {
				if match(s.generated(i)) {
					gen = append(gen, i)
				}
			}
			genCount = len(gen)
		}
	}
	total := len(hits) + genCount
	values := []map[string]any{}
	for i := start; i < total && len(values) < size; i++ {
		var o *object
		switch {
		case i < len(hits):
			o = hits[i]
		case gen != nil:
			o = s.generated(gen[i-len(hits)])
		default:
			o = s.generated(i - len(hits))
		}
		v := s.render(o)
		if !withAttrs {
			delete(v, "attributes")
		}
		values = append(values, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"startAt": start, "maxResults": size, "total": total,
		"isLast": start+len(values) >= total, "values": values})
}

// write is PUT object/{id} (id != "") or POST object/create: the
// documented body {"objectTypeId", "attributes": [{"objectTypeAttributeId",
// "objectAttributeValues": [{"value"}]}]}; an empty list clears.
func (s *Server) write(w http.ResponseWriter, id string, body []byte) {
	var in struct {
		ObjectTypeID string `json:"objectTypeId"`
		Attributes   []struct {
			ObjectTypeAttributeID string `json:"objectTypeAttributeId"`
			ObjectAttributeValues []struct {
				Value string `json:"value"`
			} `json:"objectAttributeValues"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "", "Unrecognized request body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.types[in.ObjectTypeID]
	if t == nil {
		badRequest(w, "objectTypeId", "The object type does not exist")
		return
	}
	var o *object
	if id != "" {
		if o = s.findLocked(func(x *object) bool { return x.ID == id }); o == nil {
			notFound(w)
			return
		}
		if o.TypeID != t.ID {
			badRequest(w, "objectTypeId", "The object is not of this object type")
			return
		}
	}
	vals := map[string]string{}
	for _, a := range in.Attributes {
		def := t.attrByID(a.ObjectTypeAttributeID)
		if def == nil {
			badRequest(w, "", "No object type attribute with id "+a.ObjectTypeAttributeID)
			return
		}
		if len(a.ObjectAttributeValues) == 0 {
			vals[def.Name] = ""
			continue
		}
		v := a.ObjectAttributeValues[0].Value
		switch def.Type {
		case typeUser:
			if s.users[v] == nil {
				badRequest(w, def.Name, "The user "+v+" could not be found")
				return
			}
		case typeStatus:
			if s.statusName(v) == "" {
				badRequest(w, def.Name, "The status "+v+" does not exist")
				return
			}
		case typeReference:
			if s.findLocked(func(x *object) bool { return x.TypeID == def.RefType && (x.Key == v || x.ID == v) }) == nil {
				badRequest(w, def.Name, "The referenced object "+v+" could not be found")
				return
			}
		}
		if def.DefaultType == "Date" {
			if _, err := time.Parse("2006-01-02", v); err != nil {
				badRequest(w, def.Name, "Invalid date "+v)
				return
			}
		}
		vals[def.Name] = v
	}
	if o == nil {
		if vals["Name"] == "" {
			badRequest(w, "Name", "Name is required")
			return
		}
		s.nextID++
		now := s.opt.Now().UTC()
		o = &object{ID: strconv.Itoa(s.nextID), TypeID: t.ID, Created: now, Values: map[string]string{}}
		o.Key = "IT-" + o.ID
		s.objects = append(s.objects, o)
	}
	for k, v := range vals {
		if v == "" {
			delete(o.Values, k)
		} else {
			o.Values[k] = v
		}
	}
	o.Updated = s.opt.Now().UTC()
	status := http.StatusOK
	if id == "" {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.render(o))
}

func (s *Server) connectedTickets(w http.ResponseWriter, objectID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findLocked(func(x *object) bool { return x.ID == objectID }) == nil {
		notFound(w)
		return
	}
	out := []map[string]any{}
	for _, t := range s.tickets[objectID] {
		out = append(out, map[string]any{"key": t.Key, "id": t.ID, "title": t.Title, "reporter": "",
			"created": t.Created.Format("2006-01-02T15:04:05.000Z"), "updated": t.Updated.Format("2006-01-02T15:04:05.000Z"),
			"status": map[string]string{"name": t.Status, "colorName": "blue-gray"}, "priority": map[string]string{"name": t.Priority},
			"type": map[string]string{"name": "Incident"}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": out,
		"allTicketsQuery": fmt.Sprintf(`issueFunction in assetsObject("objectId = %s")`, objectID)})
}

func (s *Server) renderUser(u *User) map[string]any {
	out := map[string]any{"accountId": u.AccountID, "accountType": "atlassian", "displayName": u.Name, "active": !u.Inactive}
	if !u.HideEmail {
		out["emailAddress"] = u.Email
	}
	return out
}

func (s *Server) userBulk(w http.ResponseWriter, r *http.Request) {
	ids := r.URL.Query()["accountId"]
	if len(ids) == 0 {
		badRequest(w, "", "accountId is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	values := []map[string]any{}
	for _, id := range ids {
		if u := s.users[id]; u != nil {
			values = append(values, s.renderUser(u))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"maxResults": len(ids), "startAt": 0, "total": len(values), "isLast": true, "values": values})
}

func (s *Server) userSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("query"))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	ids := make([]string, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		u := s.users[id]
		// A hidden email is not searchable either.
		if q != "" && (strings.Contains(strings.ToLower(u.Name), q) || (!u.HideEmail && strings.Contains(strings.ToLower(u.Email), q))) {
			out = append(out, s.renderUser(u))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// createRequest is POST /rest/servicedeskapi/request; errors use JSM's
// {"errorMessage", "i18nErrorMessage"} body.
func (s *Server) createRequest(w http.ResponseWriter, body []byte) {
	var in struct {
		ServiceDeskID      string         `json:"serviceDeskId"`
		RequestTypeID      string         `json:"requestTypeId"`
		RequestFieldValues map[string]any `json:"requestFieldValues"`
		RaiseOnBehalfOf    string         `json:"raiseOnBehalfOf"`
	}
	jsmErr := func(msg string) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessage": msg,
			"i18nErrorMessage": map[string]any{"i18nKey": "sd.request.create.error", "parameters": []string{}}})
	}
	if err := json.Unmarshal(body, &in); err != nil {
		jsmErr("Unrecognized request body")
		return
	}
	if in.ServiceDeskID != ServiceDeskID || in.RequestTypeID != RequestTypeID {
		jsmErr("The request type you are trying to use does not exist in the service desk.")
		return
	}
	summary, _ := in.RequestFieldValues["summary"].(string)
	if strings.TrimSpace(summary) == "" {
		jsmErr("Summary: You must specify a summary of the issue.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	key := "HELP-" + strconv.Itoa(s.nextID)
	now := s.opt.Now().UTC()
	for field, v := range in.RequestFieldValues {
		if !strings.HasPrefix(field, "customfield_") {
			continue
		}
		refs, _ := v.([]any)
		for _, ref := range refs {
			m, _ := ref.(map[string]any)
			if oid, _ := m["objectId"].(string); oid != "" {
				s.tickets[oid] = append(s.tickets[oid], Ticket{Key: key, ID: strconv.Itoa(s.nextID), Title: summary, Status: "Waiting for support", Priority: "Medium", Created: now, Updated: now})
			}
		}
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"issueId": strconv.Itoa(s.nextID), "issueKey": key, "requestTypeId": in.RequestTypeID, "serviceDeskId": in.ServiceDeskID,
		"createdDate":   map[string]any{"iso8601": now.Format("2006-01-02T15:04:05-0700"), "epochMillis": now.UnixMilli()},
		"currentStatus": map[string]any{"status": "Waiting for support", "statusCategory": "NEW"},
		"_links":        map[string]any{"web": s.URL + "/servicedesk/customer/portal/" + in.ServiceDeskID + "/" + key},
	})
}
