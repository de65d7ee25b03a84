package servicenow

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

// profile names a table's fields. CMDB classes (cmdb_ci_computer and its
// relatives) and the asset table alm_hardware describe the same hardware
// with different names: a CI has name, model_id, manufacturer and
// last_discovered; an asset has display_name, model (whose manufacturer is
// one dot-walk further), model_category and a reference to its CI.
type profile struct {
	asset        bool // alm_* (an asset record, not a CI)
	name         string
	manufacturer string
	model        string
	category     string
	currency     string // "" when the table has no currency field
	lastSeen     string // "" when the table has no real "last seen"
}

var (
	ciProfile = profile{name: "name", manufacturer: "manufacturer.name", model: "model_id.name",
		category: "sys_class_name", currency: "cost_cc", lastSeen: "last_discovered"}
	assetProfile = profile{asset: true, name: "display_name", manufacturer: "model.manufacturer.name",
		model: "model.name", category: "model_category.name"}
)

func profileFor(table string) profile {
	if strings.HasPrefix(table, "alm_") {
		return assetProfile
	}
	return ciProfile
}

// fields is sysparm_fields for the device list: only what the mapping
// reads, with references dot-walked to the names and emails itam matches
// on, so one request per page is all a sync needs.
func (p profile) fields() string {
	f := []string{"sys_id", p.name, "serial_number", "asset_tag", p.manufacturer, p.model, p.category,
		"assigned_to", "assigned_to.email", "assigned_to.name", "location", "location.name",
		"install_status", "purchase_date", "cost", "warranty_expiration", "po_number", "sys_updated_on"}
	if p.currency != "" {
		f = append(f, p.currency)
	}
	if p.lastSeen != "" {
		f = append(f, p.lastSeen, "os", "os_version", "virtual")
	}
	return strings.Join(f, ",")
}

// userFields is sysparm_fields for sys_user: the manager and department
// are dot-walked so a page of people needs no further request.
const userFields = "sys_id,user_name,email,name,first_name,last_name,employee_number,department.name," +
	"manager,manager.email,location.name,title,active,sys_updated_on"

func (p profile) toDevice(r record, statuses statusMap) connectors.Device {
	d := connectors.Device{
		ExternalID:   r.get("sys_id"),
		Name:         r.get(p.name),
		SerialNumber: r.get("serial_number"),
		AssetTag:     r.get("asset_tag"),
		Manufacturer: r.get(p.manufacturer),
		Model:        r.get(p.model),
		UserEmail:    r.get("assigned_to.email"),
		UserName:     r.get("assigned_to.name"),
		Location:     r.get("location.name"),
		Status:       statuses[r.get("install_status")],
		Category:     categoryOf(r.get(p.category)),
		PurchaseDate: parseTime(r.get("purchase_date")),
		WarrantyEnd:  parseTime(r.get("warranty_expiration")),
	}
	if cost := r.get("cost"); cost != "" {
		if _, err := strconv.ParseFloat(cost, 64); err == nil {
			d.PurchasePrice = cost
		}
	}
	if p.currency != "" {
		d.PurchaseCurrency = strings.ToUpper(r.get(p.currency))
	}
	if p.lastSeen != "" {
		d.LastCheckIn = parseTime(r.get(p.lastSeen))
		d.OSName, d.OSVersion = r.get("os"), r.get("os_version")
		d.Virtual = r.get("virtual") == "true"
	}
	return d
}

// categories maps words of a CMDB class name (cmdb_ci_linux_server) or an
// asset's model category name (Monitor) to itam category kinds; a
// computer is left "" so itam guesses laptop or desktop from the model.
var categories = []struct{ word, kind string }{
	{"server", "SERVER"}, {"monitor", "MONITOR"}, {"display", "MONITOR"}, {"printer", "PERIPHERAL"},
	{"tablet", "TABLET"}, {"handheld", "PHONE"}, {"mobile", "PHONE"}, {"phone", "PHONE"},
	{"switch", "NETWORK"}, {"router", "NETWORK"}, {"network", "NETWORK"}, {"netgear", "NETWORK"},
}

func categoryOf(class string) string {
	c := strings.ToLower(class)
	for _, x := range categories {
		if strings.Contains(c, x.word) {
			return x.kind
		}
	}
	return ""
}

func toPerson(r record) connectors.Person {
	name := r.get("name")
	if name == "" {
		name = strings.TrimSpace(r.get("first_name") + " " + r.get("last_name"))
	}
	return connectors.Person{
		ExternalID:     r.get("sys_id"),
		Email:          r.get("email"),
		Name:           name,
		EmployeeNumber: r.get("employee_number"),
		Department:     r.get("department.name"),
		ManagerEmail:   r.get("manager.email"),
		Location:       r.get("location.name"),
		Title:          r.get("title"),
		// sys_user.active is a boolean sent as "true"/"false".
		Active: r.get("active") == "true",
	}
}

// statusMap maps install_status codes to itam status names.
type statusMap map[string]string

// DefaultStatusMap is the install_status choice list of cmdb_ci and
// alm_asset mapped to itam statuses: 1 Installed/In use, 2 On order,
// 3 In maintenance, 4 Pending install, 5 Pending repair, 6 In stock,
// 7 Retired, 8 Missing. Other codes (9 In transit, 100 Absent, custom
// ones) map to nothing, so they leave the asset's status alone.
var DefaultStatusMap = map[string]string{
	"1": string(itam.StatusDeployed), "2": string(itam.StatusOrdered), "3": string(itam.StatusInRepair),
	"4": string(itam.StatusInStock), "5": string(itam.StatusInRepair), "6": string(itam.StatusInStock),
	"7": string(itam.StatusRetired), "8": string(itam.StatusLost),
}

// preferred is the code a push writes for a status when the map allows it:
// several codes can map to one status (4 Pending install and 6 In stock).
var preferred = map[string]string{
	string(itam.StatusDeployed): "1", string(itam.StatusOrdered): "2", string(itam.StatusInRepair): "3",
	string(itam.StatusInStock): "6", string(itam.StatusRetired): "7", string(itam.StatusLost): "8",
}

// readStatusMap merges the statusMap option over DefaultStatusMap: each
// key is an install_status code, each value an itam status, or "" to
// leave that code unmapped.
func readStatusMap(cfg connectors.Config) (statusMap, error) {
	out := statusMap{}
	for k, v := range DefaultStatusMap {
		out[k] = v
	}
	raw, ok := cfg.Options[OptionStatusMap]
	if !ok || raw == nil {
		return out, nil
	}
	bad := func(msg string) error {
		return &connectors.ConfigError{Field: "options." + OptionStatusMap, Message: msg}
	}
	var m map[string]any
	switch x := raw.(type) {
	case map[string]any:
		m = x
	case map[string]string:
		m = map[string]any{}
		for k, v := range x {
			m[k] = v
		}
	default:
		return nil, bad(OptionStatusMap + " must be an object of install_status code to itam status")
	}
	for k, v := range m {
		code := strings.TrimSpace(k)
		if _, err := strconv.Atoi(code); err != nil {
			return nil, bad(fmt.Sprintf("%s: %q is not an install_status code (a number such as \"6\")", OptionStatusMap, k))
		}
		s, ok := v.(string)
		if !ok {
			return nil, bad(fmt.Sprintf("%s: the status for code %s must be a string", OptionStatusMap, code))
		}
		s = strings.ToUpper(strings.TrimSpace(s))
		if s != "" && !slices.Contains(itam.AssetStatuses, itam.AssetStatus(s)) {
			return nil, bad(fmt.Sprintf("%s: %q is not an itam status (one of %s)", OptionStatusMap, v, statusNames()))
		}
		if s == "" {
			delete(out, code)
		} else {
			out[code] = s
		}
	}
	return out, nil
}

func statusNames() string {
	names := make([]string, len(itam.AssetStatuses))
	for i, s := range itam.AssetStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// code is the install_status a push writes for an itam status: the
// preferred code when the map keeps it, else the lowest code mapping to it.
func (m statusMap) code(status string) (string, bool) {
	if c, ok := preferred[status]; ok && m[c] == status {
		return c, true
	}
	var codes []int
	for k, v := range m {
		if v == status {
			n, _ := strconv.Atoi(k)
			codes = append(codes, n)
		}
	}
	if len(codes) == 0 {
		return "", false
	}
	sort.Ints(codes)
	return strconv.Itoa(codes[0]), true
}
