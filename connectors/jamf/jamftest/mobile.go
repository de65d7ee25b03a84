package jamftest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mobile devices, as GET /api/v2/mobile-devices/detail serves them (Jamf
// Pro API "Return paginated Mobile Device Inventory records": section,
// page, page-size, sort and an RSQL filter; the body is
// MobileDeviceInventorySearchResults {"totalCount", "results"} of
// MobileDeviceResponse records keyed by mobileDeviceId). Its documented
// filterable fields include mobileDeviceId, lastInventoryUpdateDate,
// serialNumber, displayName, assetTag, udid, model, emailAddress and
// username; its sortable fields include mobileDeviceId. The default sort
// is displayName:asc, which is why a client paging by key must ask
// sort=mobileDeviceId:asc.

// MobileDevice is one iPhone, iPad or Apple TV as the fake serves it.
type MobileDevice struct {
	ID int
	// DeviceType is "iOS" (iPhone and iPad), "tvOS" or "watchOS".
	DeviceType      string
	General         MobileGeneral
	Hardware        MobileHardware
	UserAndLocation MobileUserAndLocation
	Purchasing      MobilePurchasing
	Applications    []MobileApplication
}

// MobileGeneral is the GENERAL section (MobileDeviceIosGeneral).
type MobileGeneral struct {
	UDID                    string `json:"udid"`
	DisplayName             string `json:"displayName"`
	AssetTag                string `json:"assetTag"`
	LastInventoryUpdateDate string `json:"lastInventoryUpdateDate"`
	LastEnrolledDate        string `json:"lastEnrolledDate"`
	OSVersion               string `json:"osVersion"`
	OSRapidSecurityResponse string `json:"osRapidSecurityResponse"`
	OSBuild                 string `json:"osBuild"`
	Managed                 bool   `json:"managed"`
	Supervised              bool   `json:"supervised"`
	DeviceOwnershipType     string `json:"deviceOwnershipType"`
	ManagementID            string `json:"managementId"`
}

// MobileHardware is the HARDWARE section (MobileDeviceHardware).
type MobileHardware struct {
	CapacityMb      int64  `json:"capacityMb"`
	BatteryLevel    int64  `json:"batteryLevel"`
	SerialNumber    string `json:"serialNumber"`
	WifiMacAddress  string `json:"wifiMacAddress"`
	Model           string `json:"model"`
	ModelIdentifier string `json:"modelIdentifier"`
	ModelNumber     string `json:"modelNumber"`
}

// MobileUserAndLocation is the USER_AND_LOCATION section
// (MobileDeviceUserAndLocation): realName and emailAddress, not the
// computer section's realname and email.
type MobileUserAndLocation struct {
	Username     string `json:"username"`
	RealName     string `json:"realName"`
	EmailAddress string `json:"emailAddress"`
	Position     string `json:"position"`
	PhoneNumber  string `json:"phoneNumber"`
	DepartmentID string `json:"departmentId"`
	BuildingID   string `json:"buildingId"`
	Room         string `json:"room"`
}

// MobilePurchasing is the PURCHASING section (MobileDevicePurchasing).
type MobilePurchasing struct {
	Purchased           bool   `json:"purchased"`
	Leased              bool   `json:"leased"`
	PoNumber            string `json:"poNumber"`
	Vendor              string `json:"vendor"`
	AppleCareID         string `json:"appleCareId"`
	PurchasePrice       string `json:"purchasePrice"`
	PoDate              string `json:"poDate"`
	WarrantyExpiresDate string `json:"warrantyExpiresDate"`
	LifeExpectancy      int    `json:"lifeExpectancy"`
}

// MobileApplication is one element of the APPLICATIONS section
// (MobileDeviceApplicationInventoryDetail).
type MobileApplication struct {
	Identifier       string `json:"identifier"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	ShortVersion     string `json:"shortVersion"`
	ManagementStatus string `json:"managementStatus"`
}

func (m MobileDevice) clone() MobileDevice {
	m.Applications = append([]MobileApplication(nil), m.Applications...)
	return m
}

// mobileSectionNames is the MobileDeviceSection enum.
var mobileSectionNames = []string{"GENERAL", "HARDWARE", "USER_AND_LOCATION", "PURCHASING", "SECURITY", "APPLICATIONS",
	"EBOOKS", "NETWORK", "SERVICE_SUBSCRIPTIONS", "CERTIFICATES", "PROFILES", "USER_PROFILES", "PROVISIONING_PROFILES",
	"SHARED_USERS", "EXTENSION_ATTRIBUTES"}

// mobileFields are the filterable fields the fake knows, a subset of the
// documented list.
var mobileFields = schema[MobileDevice]{
	id: "mobileDeviceId",
	text: map[string]func(*MobileDevice) string{
		"udid":         func(m *MobileDevice) string { return m.General.UDID },
		"displayName":  func(m *MobileDevice) string { return m.General.DisplayName },
		"assetTag":     func(m *MobileDevice) string { return m.General.AssetTag },
		"serialNumber": func(m *MobileDevice) string { return m.Hardware.SerialNumber },
		"model":        func(m *MobileDevice) string { return m.Hardware.Model },
		"emailAddress": func(m *MobileDevice) string { return m.UserAndLocation.EmailAddress },
		"username":     func(m *MobileDevice) string { return m.UserAndLocation.Username },
	},
	dates: map[string]func(*MobileDevice) string{
		"lastInventoryUpdateDate": func(m *MobileDevice) string { return m.General.LastInventoryUpdateDate },
	},
}

var mobileModels = []struct{ model, ident, number string }{
	{"iPhone 15 Pro", "iPhone16,1", "MTUV3LL/A"},
	{"iPhone 14", "iPhone14,7", "MPUF3LL/A"},
	{"iPhone SE (3rd generation)", "iPhone14,6", "MMXN3LL/A"},
	{"iPad Pro (11-inch) (4th generation)", "iPad14,3", "MNXD3LL/A"},
	{"iPad (10th generation)", "iPad13,18", "MPQ03LL/A"},
	{"iPad Air (5th generation)", "iPad13,16", "MM9C3LL/A"},
}

// generateMobile builds mobile device id deterministically from the seed,
// in a stream separate from the computers'.
func generateMobile(seed uint64, epoch time.Time, id int) MobileDevice {
	r := rand.New(rand.NewPCG(seed^0x6D6F62696C65, uint64(id)*0x9E3779B97F4A7C15))
	m := mobileModels[r.IntN(len(mobileModels))]
	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	inv := epoch.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour)))).Truncate(time.Second)
	d := MobileDevice{ID: id, DeviceType: "iOS"}
	d.Hardware = MobileHardware{CapacityMb: 131072 << r.IntN(3), BatteryLevel: int64(10 + r.IntN(90)),
		SerialNumber: serialNumber(r), WifiMacAddress: mac(r), Model: m.model, ModelIdentifier: m.ident, ModelNumber: m.number}
	d.General = MobileGeneral{UDID: strings.ToLower(uuid(r)), DisplayName: first + "’s " + strings.SplitN(m.model, " (", 2)[0],
		LastInventoryUpdateDate: inv.Format("2006-01-02T15:04:05.000Z"),
		LastEnrolledDate:        inv.AddDate(0, -r.IntN(24), 0).Format("2006-01-02T15:04:05Z"),
		OSVersion:               []string{"17.6.1", "18.1", "18.0.1"}[r.IntN(3)], OSBuild: "22G90",
		Managed: true, Supervised: r.IntN(4) != 0, DeviceOwnershipType: "Institutional", ManagementID: uuid(r)}
	if r.IntN(5) != 0 {
		d.General.AssetTag = fmt.Sprintf("MB-%06d", id)
	}
	if r.IntN(10) != 0 {
		d.UserAndLocation = MobileUserAndLocation{Username: strings.ToLower(ascii(first[:1]) + ascii(last)),
			RealName: first + " " + last, EmailAddress: strings.ToLower(ascii(first) + "." + ascii(last) + "@example.com")}
	}
	po := epoch.AddDate(0, 0, -100-r.IntN(700)).Truncate(24 * time.Hour)
	d.Purchasing = MobilePurchasing{Purchased: true, PoNumber: fmt.Sprintf("PO-%06d", r.IntN(900000)), Vendor: "Apple",
		PurchasePrice: fmt.Sprintf("%d.00", 400+r.IntN(900)), PoDate: po.Format("2006-01-02T15:04:05Z"),
		WarrantyExpiresDate: po.AddDate(2, 0, 0).Format("2006-01-02T15:04:05Z"), LifeExpectancy: 3}
	for _, k := range r.Perm(len(catalog))[:3] {
		a := catalog[k]
		d.Applications = append(d.Applications, MobileApplication{Identifier: a.bundle, Name: a.name,
			Version: fmt.Sprint(100 + r.IntN(900)), ShortVersion: fmt.Sprintf("%d.%d", 1+r.IntN(9), r.IntN(10)), ManagementStatus: "Managed"})
	}
	return d
}

// ---- data ----

// MobileLen is the number of mobile devices.
func (s *Server) MobileLen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mobileMax - len(s.mobileRemoved)
}

// Mobile returns mobile device id as served; false when there is none.
func (s *Server) Mobile(id int) (MobileDevice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookupMobile(id)
	if m == nil {
		return MobileDevice{}, false
	}
	return m.clone(), true
}

// UpdateMobile changes mobile device id: fn edits a copy, served from then
// on. False when there is no such device.
func (s *Server) UpdateMobile(id int, fn func(*MobileDevice)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookupMobile(id)
	if m == nil {
		return false
	}
	cp := m.clone()
	fn(&cp)
	cp.ID = id
	s.mobileOverrides[id] = &cp
	return true
}

// AddMobile appends a mobile device with the next id, which it returns.
func (s *Server) AddMobile(m MobileDevice) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mobileMax++
	m = m.clone()
	m.ID = s.mobileMax
	if m.DeviceType == "" {
		m.DeviceType = "iOS"
	}
	s.mobileOverrides[m.ID] = &m
	return m.ID
}

// RemoveMobile deletes mobile device id; false when there is none.
func (s *Server) RemoveMobile(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id < 1 || id > s.mobileMax || s.mobileRemoved[id] {
		return false
	}
	s.mobileRemoved[id] = true
	delete(s.mobileOverrides, id)
	return true
}

// MobileRequests returns the mobile-devices/detail list requests received.
func (s *Server) MobileRequests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.mobileRequests))
	for i, r := range s.mobileRequests {
		out[i] = Request{Version: r.Version, Query: cloneValues(r.Query)}
	}
	return out
}

func (s *Server) lookupMobile(id int) *MobileDevice {
	if id < 1 || id > s.mobileMax || s.mobileRemoved[id] {
		return nil
	}
	if m := s.mobileOverrides[id]; m != nil {
		return m
	}
	m := generateMobile(s.opt.Seed, s.opt.Epoch, id)
	return &m
}

// ---- HTTP ----

// mobileList serves GET /api/v2/mobile-devices/detail. Only v2 exists.
func (s *Server) mobileList(w http.ResponseWriter, r *http.Request, version string) {
	if version != "v2" {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint")
		return
	}
	q := r.URL.Query()
	secs := sections{}
	for _, v := range q["section"] {
		for _, part := range strings.Split(v, ",") {
			name := strings.ToUpper(strings.TrimSpace(part))
			if !slices.Contains(mobileSectionNames, name) {
				apiError(w, http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("unknown section %q", part))
				return
			}
			secs[name] = true
		}
	}
	if len(secs) == 0 {
		secs["GENERAL"] = true
	}
	page, size, err := pageParams(q)
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER", err.Error())
		return
	}
	size = min(size, s.opt.MaxPageSize)
	// The documented default sort is displayName:asc: a client that pages
	// by key must ask sort=mobileDeviceId:asc. The fake serves those two
	// orders and refuses the others it does not implement.
	byName, desc := true, false
	for _, v := range q["sort"] {
		for _, crit := range strings.Split(v, ",") {
			switch strings.TrimSpace(crit) {
			case "mobileDeviceId:asc", "mobileDeviceId":
				byName = false
			case "mobileDeviceId:desc":
				byName, desc = false, true
			case "displayName:asc", "displayName":
			default:
				apiError(w, http.StatusBadRequest, "INVALID_SORT", "jamftest sorts mobile devices only by mobileDeviceId or displayName:asc, not "+crit)
				return
			}
		}
	}
	f, err := parseFilter(q.Get("filter"), mobileFields)
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_RSQL_FILTER", err.Error())
		return
	}
	s.mu.Lock()
	var all []MobileDevice
	for i := 1; i <= s.mobileMax; i++ {
		id := i
		if desc {
			id = s.mobileMax + 1 - i
		}
		if m := s.lookupMobile(id); m != nil && f.match(id, m) {
			all = append(all, m.clone())
		}
	}
	s.mu.Unlock()
	if byName {
		slices.SortStableFunc(all, func(a, b MobileDevice) int {
			return strings.Compare(strings.ToLower(a.General.DisplayName), strings.ToLower(b.General.DisplayName))
		})
	}
	total, from := len(all), min(page*size, len(all))
	out := all[from:min(from+size, len(all))]
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `{"totalCount":%d,"results":[`, total)
	enc := json.NewEncoder(bw)
	for i := range out {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := enc.Encode(mobileWire(&out[i], secs)); err != nil {
			return
		}
	}
	bw.WriteString("]}")
	_ = bw.Flush()
}

// mobileDetail serves GET /api/v2/mobile-devices/{id}/detail: 404 with
// an ApiError when there is no such device.
func (s *Server) mobileDetail(w http.ResponseWriter, r *http.Request, version string) {
	id, err := strconv.Atoi(r.PathValue("id"))
	var m *MobileDevice
	if err == nil && version == "v2" {
		s.mu.Lock()
		if found := s.lookupMobile(id); found != nil {
			cp := found.clone()
			m = &cp
		}
		s.mu.Unlock()
	}
	if m == nil {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "Mobile device not found")
		return
	}
	all := sections{}
	for _, n := range mobileSectionNames {
		all[n] = true
	}
	writeJSON(w, http.StatusOK, mobileWire(m, all))
}

// mobileWire is one MobileDeviceResponse: every section key present, null
// unless requested.
func mobileWire(m *MobileDevice, secs sections) map[string]any {
	w := map[string]any{"mobileDeviceId": strconv.Itoa(m.ID), "deviceType": m.DeviceType}
	put := func(sec, key string, v any) {
		if secs[sec] {
			w[key] = v
		} else {
			w[key] = nil
		}
	}
	apps := m.Applications
	if apps == nil {
		apps = []MobileApplication{}
	}
	put("GENERAL", "general", m.General)
	put("HARDWARE", "hardware", m.Hardware)
	put("USER_AND_LOCATION", "userAndLocation", m.UserAndLocation)
	put("PURCHASING", "purchasing", m.Purchasing)
	put("APPLICATIONS", "applications", apps)
	for _, k := range []string{"security", "ebooks", "network", "serviceSubscriptions", "certificates", "profiles",
		"userProfiles", "provisioningProfiles", "sharedUsers", "extensionAttributes"} {
		w[k] = nil
	}
	return w
}

// pageParams reads page (≥ 0, default 0) and page-size (≥ 1, default 100).
func pageParams(q map[string][]string) (page, size int, err error) {
	page, size = 0, 100
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if v := get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 {
			return 0, 0, fmt.Errorf("page must be a number ≥ 0")
		}
	}
	if v := get("page-size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 {
			return 0, 0, fmt.Errorf("page-size must be a number ≥ 1")
		}
	}
	return page, size, nil
}
