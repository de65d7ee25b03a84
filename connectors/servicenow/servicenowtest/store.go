package servicenowtest

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"
)

// Record is one row as the instance stores it: field → value, every value
// a string, references as the referenced record's sys_id.
type Record map[string]string

// Base is the sys_created_on and sys_updated_on of every generated record
// ("2026-01-01 00:00:00", UTC).
var Base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const dateTime = "2006-01-02 15:04:05"

// references names the table each reference field points at; "" is the
// CMDB (resolved in the generated table or cmdb_ci_computer).
var references = map[string]string{
	"assigned_to": "sys_user", "manager": "sys_user", "caller_id": "sys_user", "opened_by": "sys_user",
	"location": "cmn_location", "department": "cmn_department", "manufacturer": "core_company",
	"model_id": "cmdb_model", "model": "cmdb_model", "model_category": "cmdb_model_category",
	"cmdb_ci": "cmdb_ci", "ci": "cmdb_ci", "asset": "alm_hardware", "company": "core_company",
}

// displayField is what a table's records are called by (the display
// value of a reference to them).
var displayField = map[string]string{
	"sys_user": "name", "cmn_location": "name", "cmn_department": "name", "core_company": "name",
	"cmdb_model": "display_name", "cmdb_model_category": "name", "incident": "number", "alm_hardware": "display_name",
}

// store holds the instance's tables. The generated table's records are
// computed from their index; changes to them are kept as overrides.
type store struct {
	opt     Options
	gen     int             // generated records in opt.Table
	changed map[int]Record  // generated records changed since
	deleted map[int]bool    // generated records deleted
	tables  map[string]*tab // explicit records, the generated table's added ones included
	seq     int
}

type tab struct {
	rows []Record // sorted by sys_id
}

func newStore(opt Options) *store {
	st := &store{opt: opt, gen: opt.Records, changed: map[int]Record{}, deleted: map[int]bool{}, tables: map[string]*tab{}}
	at := Base.Format(dateTime)
	put := func(table string, r Record) {
		r["sys_created_on"], r["sys_updated_on"] = at, at
		st.insert(table, r)
	}
	for i, name := range locations {
		put("cmn_location", Record{"sys_id": refID(0xb1, i), "name": name})
	}
	for i, name := range departments {
		put("cmn_department", Record{"sys_id": refID(0xb2, i), "name": name})
	}
	for i, m := range models {
		put("core_company", Record{"sys_id": refID(0xb3, i), "name": m[0]})
		put("cmdb_model", Record{"sys_id": refID(0xb4, i), "name": m[1], "display_name": m[0] + " " + m[1], "manufacturer": refID(0xb3, i)})
	}
	for i, name := range []string{"Computer", "Monitor"} {
		put("cmdb_model_category", Record{"sys_id": refID(0xb5, i), "name": name})
	}
	for i := range opt.Users {
		put("sys_user", user(i, opt.Users))
	}
	return st
}

var (
	locations   = []string{"Berlin Office", "London Office", "Remote"}
	departments = []string{"Engineering", "Finance", "IT"}
	models      = [][2]string{{"Apple", "MacBook Pro 14"}, {"Dell", "Latitude 7440"}, {"Lenovo", "ThinkPad X1 Carbon"}}
	statuses    = []string{"1", "1", "1", "6", "7", "3"}
)

// refID is a sys_id (32 hex digits) in a family: generated records sort
// by index within their family.
func refID(family, i int) string { return fmt.Sprintf("%02x%030x", family, i+1) }

// RecordID is the sys_id of generated record i.
func RecordID(i int) string { return refID(0xc0, i) }

// UserID is the sys_id of generated user i.
func UserID(i int) string { return refID(0xa0, i) }

// LocationID is the sys_id of the location named name ("" when unknown).
func LocationID(name string) string {
	for i, n := range locations {
		if n == name {
			return refID(0xb1, i)
		}
	}
	return ""
}

// UserEmail is the email of generated user i.
func UserEmail(i int) string { return fmt.Sprintf("user%05d@example.com", i) }

func user(i, n int) Record {
	r := Record{
		"sys_id": UserID(i), "user_name": fmt.Sprintf("user%05d", i), "email": UserEmail(i),
		"first_name": "User", "last_name": fmt.Sprintf("%05d", i), "name": fmt.Sprintf("User %05d", i),
		"employee_number": fmt.Sprintf("E%05d", i), "department": refID(0xb2, i%len(departments)),
		"location": refID(0xb1, i%len(locations)), "title": "Engineer", "active": "true", "manager": "",
	}
	if i > 0 {
		r["manager"] = UserID(0)
	}
	return r
}

// generated is record i of the generated table as first created: a tenth
// of them without a serial (matched by tag), a seventh of the installed
// ones without an assignee (an empty reference).
func (st *store) generated(i int) Record {
	m := i % len(models)
	r := Record{
		"sys_id": RecordID(i), "serial_number": fmt.Sprintf("SNC%07d", i), "asset_tag": fmt.Sprintf("P%07d", i),
		"assigned_to": "", "location": refID(0xb1, i%len(locations)), "install_status": statuses[i%len(statuses)],
		"purchase_date": fmt.Sprintf("2024-%02d-15", i%12+1), "cost": fmt.Sprintf("%d.50", 1000+i%900),
		"warranty_expiration": fmt.Sprintf("2027-%02d-15", i%12+1), "po_number": fmt.Sprintf("PO%05d", i%10000),
		"sys_created_on": Base.Format(dateTime), "sys_updated_on": Base.Format(dateTime),
	}
	if i%10 == 9 {
		r["serial_number"] = ""
	}
	// Only installed (in use) records have an assignee, as ServiceNow's
	// asset rules clear assigned_to when an asset goes to stock or retires.
	if st.opt.Users > 0 && i%7 != 6 && r["install_status"] == "1" {
		r["assigned_to"] = UserID(i % st.opt.Users)
	}
	if strings.HasPrefix(st.opt.Table, "alm_") {
		r["model"], r["model_category"], r["ci"] = refID(0xb4, m), refID(0xb5, 0), ""
		r["display_name"] = r["asset_tag"] + " - " + models[m][0] + " " + models[m][1]
		return r
	}
	r["name"] = fmt.Sprintf("SN-%06d", i)
	r["manufacturer"], r["model_id"] = refID(0xb3, m), refID(0xb4, m)
	r["sys_class_name"], r["cost_cc"], r["virtual"] = st.opt.Table, "USD", "false"
	r["os"], r["os_version"] = []string{"Mac OS X", "Windows 11 Enterprise", "Windows 11 Pro"}[m], "14.5"
	r["last_discovered"] = Base.Add(-time.Duration(i%48) * time.Hour).Format(dateTime)
	return r
}

// tableName resolves the CMDB base table to where CIs live here.
func (st *store) tableName(t string) string {
	if t == "cmdb_ci" {
		if strings.HasPrefix(st.opt.Table, "alm_") {
			return "cmdb_ci_computer"
		}
		return st.opt.Table
	}
	return t
}

// genIndex is the index of a generated record's sys_id, -1 for others.
func (st *store) genIndex(table, id string) int {
	if table != st.opt.Table || len(id) != 32 || !strings.HasPrefix(id, "c0") {
		return -1
	}
	var n int
	if _, err := fmt.Sscanf(id[2:], "%x", &n); err != nil || n < 1 || n > st.gen {
		return -1
	}
	return n - 1
}

// lookup returns the live record (nil when there is none). The caller
// must not change it.
func (st *store) lookup(table, id string) Record {
	table = st.tableName(table)
	if i := st.genIndex(table, id); i >= 0 {
		if st.deleted[i] {
			return nil
		}
		if r, ok := st.changed[i]; ok {
			return r
		}
		return st.generated(i)
	}
	t := st.tables[table]
	if t == nil {
		return nil
	}
	k := sort.Search(len(t.rows), func(k int) bool { return t.rows[k]["sys_id"] >= id })
	if k < len(t.rows) && t.rows[k]["sys_id"] == id {
		return t.rows[k]
	}
	return nil
}

func (st *store) insert(table string, r Record) {
	table = st.tableName(table)
	t := st.tables[table]
	if t == nil {
		t = &tab{}
		st.tables[table] = t
	}
	id := r["sys_id"]
	k := sort.Search(len(t.rows), func(k int) bool { return t.rows[k]["sys_id"] >= id })
	t.rows = append(t.rows, nil)
	copy(t.rows[k+1:], t.rows[k:])
	t.rows[k] = r
}

// update applies fields to the record and stamps sys_updated_on; false
// when there is no such record.
func (st *store) update(table, id string, fields Record, now time.Time) bool {
	table = st.tableName(table)
	cur := st.lookup(table, id)
	if cur == nil {
		return false
	}
	next := maps.Clone(cur)
	maps.Copy(next, fields)
	next["sys_id"] = id
	next["sys_updated_on"] = now.UTC().Format(dateTime)
	if i := st.genIndex(table, id); i >= 0 {
		st.changed[i] = next
		return true
	}
	maps.Copy(cur, next)
	return true
}

func (st *store) remove(table, id string) {
	table = st.tableName(table)
	if i := st.genIndex(table, id); i >= 0 {
		st.deleted[i] = true
		delete(st.changed, i)
		return
	}
	if t := st.tables[table]; t != nil {
		for k, r := range t.rows {
			if r["sys_id"] == id {
				t.rows = append(t.rows[:k], t.rows[k+1:]...)
				return
			}
		}
	}
}

// newID is a fresh sys_id, after every generated one.
func (st *store) newID() string {
	st.seq++
	return refID(0xe0, st.seq)
}

// each calls fn with the table's live records in sys_id order until it
// returns false. Generated records come first (their family sorts first
// among the table's own).
func (st *store) each(table string, fn func(Record) bool) {
	table = st.tableName(table)
	if table == st.opt.Table {
		for i := range st.gen {
			if st.deleted[i] {
				continue
			}
			r, ok := st.changed[i]
			if !ok {
				r = st.generated(i)
			}
			if !fn(r) {
				return
			}
		}
	}
	if t := st.tables[table]; t != nil {
		for _, r := range t.rows {
			if !fn(r) {
				return
			}
		}
	}
}

// plainCount is the number of live records of a table, and plainAt the
// k-th in sys_id order: the unfiltered listing of the generated table
// without rendering the records it skips.
func (st *store) plainCount(table string) int {
	table = st.tableName(table)
	n := 0
	if table == st.opt.Table {
		n = st.gen - len(st.deleted)
	}
	if t := st.tables[table]; t != nil {
		n += len(t.rows)
	}
	return n
}

func (st *store) plainRange(table string, offset, limit int) []Record {
	table = st.tableName(table)
	var out []Record
	k := 0
	if table == st.opt.Table {
		for i := 0; i < st.gen && len(out) < limit; i++ {
			if st.deleted[i] {
				continue
			}
			if k >= offset {
				r, ok := st.changed[i]
				if !ok {
					r = st.generated(i)
				}
				out = append(out, r)
			}
			k++
		}
	}
	if t := st.tables[table]; t != nil {
		for _, r := range t.rows {
			if len(out) >= limit {
				break
			}
			if k >= offset {
				out = append(out, r)
			}
			k++
		}
	}
	return out
}

// field is a (possibly dot-walked) field of r: "assigned_to.email" follows
// assigned_to to its sys_user record.
func (st *store) field(r Record, name string) (string, bool) {
	head, rest, walk := strings.Cut(name, ".")
	v, ok := r[head]
	if !walk {
		return v, ok
	}
	target, isRef := references[head]
	if !isRef || v == "" {
		return "", isRef
	}
	next := st.lookup(target, v)
	if next == nil {
		return "", true
	}
	return st.field(next, rest)
}

// display is the display value of r's field name.
func (st *store) display(r Record, name string) string {
	v, _ := st.field(r, name)
	last := name[strings.LastIndex(name, ".")+1:]
	if target, ok := references[last]; ok && v != "" {
		if ref := st.lookup(target, v); ref != nil {
			return ref[displayField[st.tableName(target)]]
		}
	}
	switch last {
	case "state":
		return incidentStates[v]
	case "priority":
		return priorities[v]
	}
	return v
}

var (
	incidentStates = map[string]string{"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed", "8": "Canceled"}
	priorities     = map[string]string{"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low", "5": "5 - Planning"}
)
