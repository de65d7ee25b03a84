package jsm

import (
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// Device roles in OptAttributes.
const (
	AttrName         = "name"
	AttrSerial       = "serial"
	AttrAssetTag     = "assetTag"
	AttrModel        = "model"
	AttrManufacturer = "manufacturer"
	AttrOwner        = "owner"
	AttrStatus       = "status"
	AttrLocation     = "location"
	AttrPurchaseDate = "purchaseDate"
	AttrCost         = "cost"
	AttrWarrantyEnd  = "warrantyEnd"
)

// DefaultAttributes are the attribute names of a "Computers" object type
// as IT teams commonly model it in Assets; each is configurable (an empty
// name turns the role off).
var DefaultAttributes = map[string]string{
	AttrName:         "Name",
	AttrSerial:       "Serial Number",
	AttrAssetTag:     "Asset Tag",
	AttrModel:        "Model",
	AttrManufacturer: "Manufacturer",
	AttrOwner:        "Owner",
	AttrStatus:       "Status",
	AttrLocation:     "Location",
	AttrPurchaseDate: "Purchase Date",
	AttrCost:         "Cost",
	AttrWarrantyEnd:  "Warranty End Date",
}

// Person roles in OptPeopleAttributes.
const (
	PersonEmail          = "email"
	PersonName           = "name"
	PersonEmployeeNumber = "employeeNumber"
	PersonDepartment     = "department"
	PersonManager        = "manager"
	PersonLocation       = "location"
	PersonTitle          = "title"
	PersonActive         = "active"
)

// DefaultPeopleAttributes are the attribute names of a people object type.
var DefaultPeopleAttributes = map[string]string{
	PersonEmail:          "Email",
	PersonName:           "Name",
	PersonEmployeeNumber: "Employee Number",
	PersonDepartment:     "Department",
	PersonManager:        "Manager",
	PersonLocation:       "Location",
	PersonTitle:          "Job Title",
	PersonActive:         "Status",
}

// DefaultStatusMap maps the Assets status names of an IT asset schema to
// itam statuses; unmapped names pull as "" (no status change).
var DefaultStatusMap = map[string]string{
	"Ordered":   "ORDERED",
	"In Stock":  "IN_STOCK",
	"Available": "IN_STOCK",
	"In Use":    "DEPLOYED",
	"Active":    "DEPLOYED",
	"In Repair": "IN_REPAIR",
	"Lost":      "LOST",
	"Stolen":    "STOLEN",
	"Retired":   "RETIRED",
	"Disposed":  "DISPOSED",
}

// defaultPushStatus is the name pushed for each itam status with the
// default map (where two names map to one status).
var defaultPushStatus = map[string]string{"IN_STOCK": "In Stock", "DEPLOYED": "In Use"}

// inactive are the values of a person's active attribute that mean "no
// longer here" (a status or a boolean attribute).
var inactive = map[string]bool{"false": true, "inactive": true, "disabled": true, "deactivated": true, "terminated": true, "offboarded": true, "left": true}

// values is an object's attributes by attribute name.
type values map[string][]apiValue

// resolve names an object's attributes through its type's attribute list.
func resolve(o apiObject, attrs []apiAttribute) values {
	names := make(map[string]string, len(attrs))
	for _, a := range attrs {
		names[string(a.ID)] = a.Name
	}
	out := make(values, len(o.Attributes))
	for _, a := range o.Attributes {
		if n, ok := names[string(a.ObjectTypeAttributeID)]; ok {
			out[strings.ToLower(n)] = a.ObjectAttributeValues
		}
	}
	return out
}

// text is what the UI shows for an attribute: displayValue (a referenced
// object's label, a status name, a user's name), else the raw value.
func (v values) text(name string) string {
	if name == "" {
		return ""
	}
	vals := v[strings.ToLower(name)]
	if len(vals) == 0 {
		return ""
	}
	if s := strings.TrimSpace(string(vals[0].DisplayValue)); s != "" {
		return s
	}
	return strings.TrimSpace(string(vals[0].Value))
}

// raw is the attribute's raw value (a date, a number, an account id).
func (v values) raw(name string) string {
	if name == "" {
		return ""
	}
	vals := v[strings.ToLower(name)]
	if len(vals) == 0 {
		return ""
	}
	return strings.TrimSpace(string(vals[0].Value))
}

func (v values) first(name string) *apiValue {
	if name == "" {
		return nil
	}
	vals := v[strings.ToLower(name)]
	if len(vals) == 0 {
		return nil
	}
	return &vals[0]
}

// owner reads a user, email or text attribute as (email, account id,
// display name). A user's email comes with the value only when the
// profile shows it; callers resolve the account id otherwise.
func ownerOf(val *apiValue) (email, account, name string) {
	if val == nil {
		return "", "", ""
	}
	if val.User != nil {
		return strings.TrimSpace(val.User.EmailAddress), strings.TrimSpace(string(val.Value)), strings.TrimSpace(val.User.DisplayName)
	}
	s := strings.TrimSpace(string(val.Value))
	if strings.Contains(s, "@") {
		return s, "", strings.TrimSpace(string(val.DisplayValue))
	}
	return "", "", strings.TrimSpace(string(val.DisplayValue))
}

// toDevice maps one object; owner emails still unresolved are filled by
// the caller (one batched lookup per page).
func (s *Source) toDevice(o apiObject, v values) connectors.Device {
	d := connectors.Device{
		ExternalID:   string(o.ID),
		Name:         v.text(s.attrs[AttrName]),
		SerialNumber: v.text(s.attrs[AttrSerial]),
		AssetTag:     v.text(s.attrs[AttrAssetTag]),
		Model:        v.text(s.attrs[AttrModel]),
		Manufacturer: v.text(s.attrs[AttrManufacturer]),
		Location:     v.text(s.attrs[AttrLocation]),
		Category:     categoryOf(o.ObjectType.Name),
	}
	if d.Name == "" {
		d.Name = strings.TrimSpace(o.Label)
	}
	email, _, name := ownerOf(v.first(s.attrs[AttrOwner]))
	d.UserEmail, d.UserName = email, name
	if st := v.text(s.attrs[AttrStatus]); st != "" {
		d.Status = s.statusIn[strings.ToLower(st)]
	}
	d.PurchaseDate = s.date(d.ExternalID, v, AttrPurchaseDate)
	d.WarrantyEnd = s.date(d.ExternalID, v, AttrWarrantyEnd)
	if c := v.raw(s.attrs[AttrCost]); c != "" {
		d.PurchasePrice = c
		d.PurchaseCurrency = s.currency
	}
	// Assets keeps no "last seen": LastCheckIn stays nil.
	return d
}

// date reads a date attribute; an unreadable one is "unknown" (logged),
// not a failed page.
func (s *Source) date(id string, v values, role string) *time.Time {
	raw := v.raw(s.attrs[role])
	t := parseDate(raw)
	if t == nil && raw != "" && s.log != nil {
		s.log.Warn("jsm: unreadable date", "object", id, "attribute", s.attrs[role], "value", raw)
	}
	return t
}

// categoryOf reads a category kind from the object type's name ("Monitors",
// "Docking Stations"); "" lets the sync guess from the model.
func categoryOf(objectType string) string {
	t := strings.ToLower(objectType)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("monitor", "display", "screen"):
		return "MONITOR"
	case has("laptop", "notebook"):
		return "LAPTOP"
	case has("desktop", "workstation"):
		return "DESKTOP"
	case has("server"):
		return "SERVER"
	case has("phone", "mobile"):
		return "PHONE"
	case has("tablet"):
		return "TABLET"
	case has("switch", "router", "firewall", "access point", "network"):
		return "NETWORK"
	case has("dock", "keyboard", "mouse", "headset", "printer", "peripheral"):
		return "PERIPHERAL"
	}
	return ""
}

// parseDate reads Assets Date ("2024-03-01") and DateTime values.
func parseDate(s string) *time.Time {
	if s == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05.000-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			u := t.UTC()
			return &u
		}
	}
	return nil
}
