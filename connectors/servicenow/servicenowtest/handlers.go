package servicenowtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// term is one condition of an encoded query.
type term struct {
	field, op, value string
}

// orderBy is the query's ORDERBY/ORDERBYDESC field ("" for sys_id order).
type query struct {
	terms []term
	order string
	desc  bool
}

// inTerm is "fieldINa,b,c": field names are lower case, the operator not.
var inTerm = regexp.MustCompile(`^([a-z0-9_.]+)IN(.*)$`)

// parseQuery reads an encoded query: terms joined by "^" ("^^" is a
// literal caret in a value). An operator the fake does not know is an
// error, so a connector cannot send something that ServiceNow would
// silently ignore without a test noticing.
func parseQuery(s string) (query, error) {
	var q query
	if s == "" {
		return q, nil
	}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '^' {
			if i+1 < len(s) && s[i+1] == '^' {
				cur.WriteByte('^')
				i++
				continue
			}
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(s[i])
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "ORDERBYDESC"):
			q.order, q.desc = strings.TrimPrefix(p, "ORDERBYDESC"), true
			continue
		case strings.HasPrefix(p, "ORDERBY"):
			q.order = strings.TrimPrefix(p, "ORDERBY")
			continue
		}
		if m := inTerm.FindStringSubmatch(p); m != nil {
			q.terms = append(q.terms, term{field: m[1], op: "IN", value: m[2]})
			continue
		}
		k := strings.IndexAny(p, "=!<>")
		if k <= 0 {
			return q, fmt.Errorf("invalid query term %q", p)
		}
		op := ""
		for _, o := range []string{"!=", ">=", "<=", "=", ">", "<"} {
			if strings.HasPrefix(p[k:], o) {
				op = o
				break
			}
		}
		if op == "" {
			return q, fmt.Errorf("invalid query term %q", p)
		}
		q.terms = append(q.terms, term{field: p[:k], op: op, value: p[k+len(op):]})
	}
	if q.order == "sys_id" && !q.desc {
		q.order = ""
	}
	return q, nil
}

func (st *store) matches(r Record, terms []term) bool {
	for _, t := range terms {
		v, _ := st.field(r, t.field)
		var ok bool
		switch t.op {
		case "=":
			ok = strings.EqualFold(v, t.value) // string comparisons are case-insensitive
		case "!=":
			ok = !strings.EqualFold(v, t.value)
		case "IN": // one of the comma-separated values
			for _, x := range strings.Split(t.value, ",") {
				ok = ok || strings.EqualFold(v, x)
			}
		case ">=":
			ok = v >= t.value
		case "<=":
			ok = v <= t.value
		case ">":
			ok = v > t.value
		case "<":
			ok = v < t.value
		}
		if !ok {
			return false
		}
	}
	return true
}

type listArgs struct {
	fields   []string
	display  string // false | true | all
	noLinks  bool
	limit    int
	offset   int
	rawQuery url.Values
}

func readArgs(r *http.Request) (listArgs, error) {
	q := r.URL.Query()
	a := listArgs{display: "false", limit: MaxLimit, rawQuery: q}
	if f := q.Get("sysparm_fields"); f != "" {
		a.fields = strings.Split(f, ",")
	}
	if d := q.Get("sysparm_display_value"); d != "" {
		if d != "true" && d != "false" && d != "all" {
			return a, fmt.Errorf("invalid sysparm_display_value %q", d)
		}
		a.display = d
	}
	a.noLinks = q.Get("sysparm_exclude_reference_link") == "true"
	for name, dst := range map[string]*int{"sysparm_limit": &a.limit, "sysparm_offset": &a.offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return a, fmt.Errorf("invalid %s %q", name, v)
			}
			*dst = n
		}
	}
	a.limit = min(a.limit, MaxLimit)
	return a, nil
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, _ []byte) {
	table := r.PathValue("table")
	a, err := readArgs(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "")
		return
	}
	q, err := parseQuery(r.URL.Query().Get("sysparm_query"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid query", err.Error())
		return
	}
	s.mu.Lock()
	var page []Record
	var total int
	if len(q.terms) == 0 && q.order == "" {
		total = s.data.plainCount(table)
		page = s.data.plainRange(table, a.offset, a.limit)
	} else {
		var all []Record
		s.data.each(table, func(rec Record) bool {
			if s.data.matches(rec, q.terms) {
				all = append(all, rec)
			}
			return true
		})
		if q.order != "" {
			sort.SliceStable(all, func(i, j int) bool {
				x, _ := s.data.field(all[i], q.order)
				y, _ := s.data.field(all[j], q.order)
				if q.desc {
					return x > y
				}
				return x < y
			})
		}
		total = len(all)
		if a.offset < len(all) {
			page = all[a.offset:min(len(all), a.offset+a.limit)]
		}
	}
	out := make([]map[string]any, len(page))
	for i, rec := range page {
		out[i] = s.render(rec, a)
	}
	s.stats.Lists++
	s.stats.Records += len(page)
	s.mu.Unlock()
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if link := s.link(r, a, total); link != "" {
		w.Header().Set("Link", link)
	}
	writeResult(w, http.StatusOK, out)
}

// link is ServiceNow's Link header: first, prev, next and last pages,
// joined by commas with no space after the semicolons.
func (s *Server) link(r *http.Request, a listArgs, total int) string {
	if a.limit == 0 {
		return ""
	}
	at := func(offset int, rel string) string {
		q := maps.Clone(a.rawQuery)
		q.Set("sysparm_offset", strconv.Itoa(offset))
		q.Set("sysparm_limit", strconv.Itoa(a.limit))
		return fmt.Sprintf(`<%s%s?%s>;rel="%s"`, s.URL, r.URL.Path, q.Encode(), rel)
	}
	parts := []string{at(0, "first")}
	if a.offset > 0 {
		parts = append(parts, at(max(0, a.offset-a.limit), "prev"))
	}
	if a.offset+a.limit < total {
		parts = append(parts, at(a.offset+a.limit, "next"))
	}
	last := 0
	if total > 0 {
		last = (total - 1) / a.limit * a.limit
	}
	parts = append(parts, at(last, "last"))
	return strings.Join(parts, ",")
}

// render shapes one record as the Table API answers it.
func (s *Server) render(rec Record, a listArgs) map[string]any {
	fields := a.fields
	if len(fields) == 0 {
		fields = make([]string, 0, len(rec))
		for k := range rec {
			fields = append(fields, k)
		}
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		v, ok := s.data.field(rec, f)
		if !ok && !strings.Contains(f, ".") {
			continue // ServiceNow leaves out fields the table does not have
		}
		last := f[strings.LastIndex(f, ".")+1:]
		target, isRef := references[last]
		var link string
		if isRef && v != "" && !a.noLinks {
			link = fmt.Sprintf("%s/api/now/table/%s/%s", s.URL, s.data.tableName(target), v)
		}
		switch a.display {
		case "all":
			m := map[string]string{"display_value": s.data.display(rec, f), "value": v}
			if link != "" {
				m["link"] = link
			}
			out[f] = m
		case "true":
			if link != "" {
				out[f] = map[string]string{"display_value": s.data.display(rec, f), "link": link}
			} else {
				out[f] = s.data.display(rec, f)
			}
		default:
			if link != "" {
				out[f] = map[string]string{"link": link, "value": v}
			} else {
				out[f] = v
			}
		}
	}
	return out
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, _ []byte) {
	a, err := readArgs(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "")
		return
	}
	s.mu.Lock()
	rec := s.data.lookup(r.PathValue("table"), r.PathValue("id"))
	var out map[string]any
	if rec != nil {
		out = s.render(rec, a)
	}
	s.mu.Unlock()
	if rec == nil {
		notFound(w)
		return
	}
	writeResult(w, http.StatusOK, out)
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")
}

// readFields decodes a write's JSON object; values are kept as strings
// (numbers and booleans in their JSON text, as ServiceNow coerces them).
func readFields(body []byte) (Record, error) {
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	out := Record{}
	for k, v := range raw {
		switch x := v.(type) {
		case string:
			out[k] = x
		case nil:
			out[k] = ""
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	delete(out, "sys_id")
	return out, nil
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, body []byte) {
	fields, err := readFields(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Exception while reading request", "The payload is not valid JSON.")
		return
	}
	a, _ := readArgs(r)
	table, id := r.PathValue("table"), r.PathValue("id")
	s.mu.Lock()
	ok := s.data.update(table, id, fields, s.opt.Now())
	var out map[string]any
	if ok {
		out = s.render(s.data.lookup(table, id), a)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	writeResult(w, http.StatusOK, out)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, body []byte) {
	fields, err := readFields(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Exception while reading request", "The payload is not valid JSON.")
		return
	}
	a, _ := readArgs(r)
	s.mu.Lock()
	rec := s.insertLocked(r.PathValue("table"), fields)
	out := s.render(rec, a)
	s.mu.Unlock()
	writeResult(w, http.StatusCreated, out)
}

func (s *Server) insertLocked(table string, fields Record) Record {
	rec := maps.Clone(fields)
	rec["sys_id"] = s.data.newID()
	now := s.opt.Now().UTC().Format(dateTime)
	rec["sys_created_on"], rec["sys_updated_on"] = now, now
	if table == "incident" {
		rec["number"] = fmt.Sprintf("INC%07d", 10000+s.data.seq)
		if rec["state"] == "" {
			rec["state"] = "1"
		}
		if rec["priority"] == "" {
			rec["priority"] = "5"
		}
		if rec["opened_at"] == "" {
			rec["opened_at"] = now
		}
	}
	s.data.insert(table, rec)
	return rec
}

// Test hooks: change the instance between pages.

// Insert adds a record to table with fields (sys_id, creation and update
// times set by the instance) and returns its sys_id.
func (s *Server) Insert(table string, fields Record) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertLocked(table, fields)["sys_id"]
}

// Update changes fields of a record (sys_updated_on moves to now); false
// when there is no such record.
func (s *Server) Update(table, id string, fields Record) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.update(table, id, fields, s.opt.Now())
}

// Delete removes a record.
func (s *Server) Delete(table, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.remove(table, id)
}

// Get is a copy of a record's stored values, nil when there is none.
func (s *Server) Get(table, id string) Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.data.lookup(table, id))
}
