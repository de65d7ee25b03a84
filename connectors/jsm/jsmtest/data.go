package jsmtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Attribute types as Assets numbers them (ObjectTypeAttribute.type).
const (
	typeDefault   = 0
	typeReference = 1
	typeUser      = 2
	typeStatus    = 7
)

type attribute struct {
	ID, Name    string
	Type        int
	DefaultType string // Text, Date, Float, Email (type 0)
	RefType     string // referenced object type id (type 1)
	Label       bool
}

type objectType struct {
	ID, Name string
	Attrs    []attribute
}

func (t *objectType) attr(name string) *attribute {
	for i := range t.Attrs {
		if strings.EqualFold(t.Attrs[i].Name, name) {
			return &t.Attrs[i]
		}
	}
	return nil
}

func (t *objectType) attrByID(id string) *attribute {
	for i := range t.Attrs {
		if t.Attrs[i].ID == id {
			return &t.Attrs[i]
		}
	}
	return nil
}

type object struct {
	ID, Key, TypeID  string
	Created, Updated time.Time
	// Values by attribute name: the text (account id, status id, referenced key).
	Values map[string]string
}

type status struct{ ID, Name string }

// User is a Jira user. HideEmail hides the email everywhere (the
// profile's visibility setting), as Atlassian does.
type User struct {
	AccountID, Email, Name string
	HideEmail              bool
	Inactive               bool
}

// Ticket is an issue connected to an object.
type Ticket struct {
	Key, ID, Title, Status, Priority string
	Created, Updated                 time.Time
}

func (s *Server) seedSchema() {
	common := func(base int) []attribute {
		id := func(n int) string { return strconv.Itoa(base + n) }
		return []attribute{
			{ID: id(0), Name: "Key", Type: typeDefault, DefaultType: "Text"},
			{ID: id(1), Name: "Name", Type: typeDefault, DefaultType: "Text", Label: true},
			{ID: id(2), Name: "Created", Type: typeDefault, DefaultType: "DateTime"},
			{ID: id(3), Name: "Updated", Type: typeDefault, DefaultType: "DateTime"},
		}
	}
	hw := func(base int) []attribute {
		id := func(n int) string { return strconv.Itoa(base + n) }
		return append(common(base),
			attribute{ID: id(4), Name: "Serial Number", DefaultType: "Text"},
			attribute{ID: id(5), Name: "Asset Tag", DefaultType: "Text"},
			attribute{ID: id(6), Name: "Model", DefaultType: "Text"},
			attribute{ID: id(7), Name: "Manufacturer", DefaultType: "Text"},
			attribute{ID: id(8), Name: "Owner", Type: typeUser},
			attribute{ID: id(9), Name: "Status", Type: typeStatus},
			attribute{ID: id(10), Name: "Location", Type: typeReference, RefType: TypeLocations},
			attribute{ID: id(11), Name: "Purchase Date", DefaultType: "Date"},
			attribute{ID: id(12), Name: "Cost", DefaultType: "Float"},
			attribute{ID: id(13), Name: "Warranty End Date", DefaultType: "Date"},
		)
	}
	s.types = map[string]*objectType{
		TypeComputers: {ID: TypeComputers, Name: "Computers", Attrs: hw(100)},
		TypeMonitors:  {ID: TypeMonitors, Name: "Monitors", Attrs: hw(200)},
		TypeLocations: {ID: TypeLocations, Name: "Locations", Attrs: common(400)},
		TypePeople: {ID: TypePeople, Name: "Employees", Attrs: append(common(300),
			attribute{ID: "304", Name: "Email", DefaultType: "Email"},
			attribute{ID: "305", Name: "Employee Number", DefaultType: "Text"},
			attribute{ID: "306", Name: "Department", DefaultType: "Text"},
			attribute{ID: "307", Name: "Manager", Type: typeReference, RefType: TypePeople},
			attribute{ID: "308", Name: "Location", Type: typeReference, RefType: TypeLocations},
			attribute{ID: "309", Name: "Job Title", DefaultType: "Text"},
			attribute{ID: "310", Name: "Status", Type: typeStatus},
			attribute{ID: "311", Name: "Account", Type: typeUser},
		)},
	}
	s.statuses = []status{{"1", "In Use"}, {"2", "In Stock"}, {"3", "Retired"}, {"4", "In Repair"}, {"5", "Active"}, {"6", "Inactive"}, {"7", "Running"}}
}

// Record is what a test puts in an object, by attribute name. Owner is an
// account id, Status a status name, Location (and Manager) the referenced
// object's label.
type Record map[string]string

// Add creates an object of typeID and returns its id.
func (s *Server) Add(typeID string, rec Record) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.addLocked(typeID, rec)
	if err != nil {
		panic(err)
	}
	return o.ID
}

func (s *Server) addLocked(typeID string, rec Record) (*object, error) {
	t := s.types[typeID]
	if t == nil {
		return nil, fmt.Errorf("no object type %s", typeID)
	}
	s.nextID++
	now := s.opt.Now().UTC().Add(time.Duration(s.nextID) * time.Millisecond)
	o := &object{ID: strconv.Itoa(s.nextID), TypeID: typeID, Created: now, Updated: now, Values: map[string]string{}}
	o.Key = "IT-" + o.ID
	if err := s.setLocked(o, rec); err != nil {
		s.nextID--
		return nil, err
	}
	s.objects = append(s.objects, o)
	return o, nil
}

// setLocked stores test-facing values (status names, labels) as Assets
// holds them (status ids, object keys).
func (s *Server) setLocked(o *object, rec Record) error {
	t := s.types[o.TypeID]
	for name, v := range rec {
		a := t.attr(name)
		if a == nil {
			return fmt.Errorf("object type %s has no attribute %q", t.Name, name)
		}
		switch {
		case v == "":
			delete(o.Values, a.Name)
			continue
		case a.Type == typeStatus:
			id := s.statusID(v)
			if id == "" {
				return fmt.Errorf("no status %q", v)
			}
			v = id
		case a.Type == typeReference:
			ref := s.findLocked(func(x *object) bool { return x.TypeID == a.RefType && strings.EqualFold(x.Values["Name"], v) })
			if ref == nil {
				return fmt.Errorf("no %s object named %q", s.types[a.RefType].Name, v)
			}
			v = ref.Key
		}
		o.Values[a.Name] = v
	}
	return nil
}

// Set changes an object's values (a change made in Jira).
func (s *Server) Set(id string, rec Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findLocked(func(x *object) bool { return x.ID == id })
	if o == nil {
		panic("no object " + id)
	}
	if err := s.setLocked(o, rec); err != nil {
		panic(err)
	}
	o.Updated = s.opt.Now().UTC()
}

// Delete removes an object.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.objects {
		if o.ID == id {
			s.objects = append(s.objects[:i], s.objects[i+1:]...)
			return
		}
	}
}

// Values returns an object's values by attribute name as a test reads
// them: status names, referenced labels, owner account ids; nil if absent.
func (s *Server) Values(id string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findLocked(func(x *object) bool { return x.ID == id })
	if o == nil {
		return nil
	}
	out := map[string]string{}
	t := s.types[o.TypeID]
	for name, v := range o.Values {
		a := t.attr(name)
		switch a.Type {
		case typeStatus:
			v = s.statusName(v)
		case typeReference:
			if ref := s.findLocked(func(x *object) bool { return x.Key == v }); ref != nil {
				v = ref.Values["Name"]
			}
		}
		out[name] = v
	}
	return out
}

// AddUser adds a Jira user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.AccountID] = &u
}

// AddTicket connects a ticket to an object.
func (s *Server) AddTicket(objectID string, t Ticket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tickets[objectID] = append(s.tickets[objectID], t)
}

func (s *Server) findLocked(match func(*object) bool) *object {
	for _, o := range s.objects {
		if match(o) {
			return o
		}
	}
	return nil
}

func (s *Server) statusID(name string) string {
	for _, st := range s.statuses {
		if strings.EqualFold(st.Name, name) {
			return st.ID
		}
	}
	return ""
}

func (s *Server) statusName(id string) string {
	for _, st := range s.statuses {
		if st.ID == id {
			return st.Name
		}
	}
	return ""
}

// generated is Computer i of Options.Generated, built on demand.
func (s *Server) generated(i int) *object {
	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	id := strconv.Itoa(1_000_000 + i)
	return &object{ID: id, Key: "IT-" + id, TypeID: TypeComputers, Created: created, Updated: created, Values: map[string]string{
		"Name": fmt.Sprintf("GEN-%06d", i), "Serial Number": fmt.Sprintf("GSN%07d", i), "Asset Tag": fmt.Sprintf("GT-%06d", i),
		"Model": "Latitude 5440", "Manufacturer": "Dell", "Status": "1", "Cost": "1299.5", "Purchase Date": "2024-01-15",
	}}
}

// render is an object as the Assets API returns it (GET object/{id}, AQL values).
func (s *Server) render(o *object) map[string]any {
	t := s.types[o.TypeID]
	label := o.Values["Name"]
	attrs := []map[string]any{}
	for _, a := range t.Attrs {
		v, ok := o.Values[a.Name]
		switch a.Name {
		case "Key":
			v, ok = o.Key, true
		case "Created":
			v, ok = o.Created.Format("2006-01-02T15:04:05.000Z"), true
		case "Updated":
			v, ok = o.Updated.Format("2006-01-02T15:04:05.000Z"), true
		}
		if !ok {
			continue
		}
		attrs = append(attrs, map[string]any{
			"workspaceId": s.opt.WorkspaceID, "id": o.ID + "-" + a.ID,
			"objectTypeAttributeId": a.ID, "objectAttributeValues": []any{s.renderValue(a, v)},
		})
	}
	return map[string]any{
		"workspaceId": s.opt.WorkspaceID, "globalId": s.opt.WorkspaceID + ":" + o.ID, "id": o.ID,
		"label": label, "objectKey": o.Key,
		"objectType": map[string]any{"workspaceId": s.opt.WorkspaceID, "id": t.ID, "name": t.Name, "objectSchemaId": "1"},
		"created":    o.Created.Format("2006-01-02T15:04:05.000Z"), "updated": o.Updated.Format("2006-01-02T15:04:05.000Z"),
		"hasAvatar": false, "timestamp": o.Updated.UnixMilli(), "attributes": attrs,
		"_links": map[string]string{"self": s.URL + "/jsm/assets/workspace/" + s.opt.WorkspaceID + "/v1/object/" + o.ID},
	}
}

func (s *Server) renderValue(a attribute, v string) map[string]any {
	switch a.Type {
	case typeUser:
		name := v
		if u := s.users[v]; u != nil {
			name = u.Name
		}
		// Assets user values carry the account id, not the email.
		return map[string]any{"value": v, "displayValue": name, "searchValue": v, "referencedType": false,
			"user": map[string]any{"avatarUrl": "", "displayName": name, "name": name, "key": v, "renderedLink": "", "isDeleted": false}}
	case typeStatus:
		name := s.statusName(v)
		return map[string]any{"displayValue": name, "searchValue": v, "referencedType": false,
			"status": map[string]any{"id": v, "name": name, "category": 1}}
	case typeReference:
		ref := s.findLocked(func(x *object) bool { return x.Key == v })
		if ref == nil {
			return map[string]any{"displayValue": v, "searchValue": v, "referencedType": true}
		}
		return map[string]any{"displayValue": ref.Values["Name"], "searchValue": ref.Key, "referencedType": true,
			"referencedObject": map[string]any{"id": ref.ID, "objectKey": ref.Key, "label": ref.Values["Name"]}}
	}
	return map[string]any{"value": v, "displayValue": v, "searchValue": v, "referencedType": false}
}

func (s *Server) renderAttr(a attribute) map[string]any {
	out := map[string]any{"workspaceId": s.opt.WorkspaceID, "id": a.ID, "name": a.Name, "label": a.Label, "type": a.Type,
		"editable": a.Name != "Key" && a.Name != "Created" && a.Name != "Updated", "system": a.Name == "Key" || a.Name == "Created" || a.Name == "Updated"}
	if a.Type == typeDefault {
		ids := map[string]int{"Text": 0, "Integer": 1, "Boolean": 2, "Float": 3, "Date": 4, "DateTime": 6, "Email": 8}
		out["defaultType"] = map[string]any{"id": ids[a.DefaultType], "name": a.DefaultType}
	}
	if a.Type == typeReference {
		out["referenceObjectTypeId"] = a.RefType
	}
	return out
}
