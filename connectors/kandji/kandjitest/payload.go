package kandjitest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Device is one record of GET /api/v1/devices (and the body of
// GET /api/v1/devices/{device_id}), with Kandji's field names.
type Device struct {
	DeviceID                   string   `json:"device_id"`
	DeviceName                 string   `json:"device_name"`
	Model                      string   `json:"model"`
	SerialNumber               string   `json:"serial_number"`
	Platform                   string   `json:"platform"`
	OSVersion                  string   `json:"os_version"`
	SupplementalBuildVersion   string   `json:"supplemental_build_version"`
	SupplementalOSVersionExtra string   `json:"supplemental_os_version_extra"`
	LastCheckIn                *string  `json:"last_check_in"`
	User                       *User    `json:"user"`
	AssetTag                   string   `json:"asset_tag"`
	BlueprintID                string   `json:"blueprint_id"`
	MDMEnabled                 bool     `json:"mdm_enabled"`
	AgentInstalled             bool     `json:"agent_installed"`
	IsMissing                  bool     `json:"is_missing"`
	IsRemoved                  bool     `json:"is_removed"`
	AgentVersion               string   `json:"agent_version"`
	FirstEnrollment            string   `json:"first_enrollment"`
	LastEnrollment             string   `json:"last_enrollment"`
	BlueprintName              string   `json:"blueprint_name"`
	LostModeStatus             string   `json:"lost_mode_status"`
	Tags                       []string `json:"tags"`

	// ModelIdentifier is served by the details endpoint only
	// (hardware_overview.model_identifier), never in the list.
	ModelIdentifier string `json:"-"`
	// UserNull sends "user": null instead of "" when User is nil.
	UserNull bool `json:"-"`
}

// MarshalJSON writes the record as Kandji does: "user" is an object when a
// user is assigned and "" (or null with UserNull) when none is.
func (d Device) MarshalJSON() ([]byte, error) {
	type plain Device
	return json.Marshal(struct {
		plain
		User any `json:"user"`
	}{plain(d), userValue(d.User, d.UserNull)})
}

func userValue(u *User, null bool) any {
	switch {
	case u != nil:
		return u
	case null:
		return nil
	}
	return ""
}

// User is a device's assigned user. A nil *User is sent as "" — Kandji's
// "no user assigned". ID is a UUID string, or an integer (LegacyID) as older
// tenants send it.
type User struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	ID         string `json:"-"`
	LegacyID   int    `json:"-"`
	IsArchived bool   `json:"is_archived"`
}

// MarshalJSON writes the user object, with an integer id when LegacyID is set.
func (u *User) MarshalJSON() ([]byte, error) {
	var id any = u.ID
	if u.LegacyID != 0 {
		id = u.LegacyID
	}
	return json.Marshal(struct {
		Email      string `json:"email"`
		Name       string `json:"name"`
		ID         any    `json:"id"`
		IsArchived bool   `json:"is_archived"`
	}{u.Email, u.Name, id, u.IsArchived})
}

// App is one entry of GET /api/v1/devices/{device_id}/apps.
type App struct {
	AppID            string `json:"app_id"`
	AppName          string `json:"app_name"`
	BundleID         string `json:"bundle_id"`
	BundleSize       string `json:"bundle_size"`
	AppStoreVendable string `json:"app_store_vendable"`
	DeviceBasedVPP   string `json:"device_based_vpp"`
	Source           string `json:"source"`
	Process          string `json:"process"`
	Signature        string `json:"signature"`
	CreationDate     string `json:"creation_date"`
	ModificationDate string `json:"modification_date"`
	Path             string `json:"path"`
	Version          string `json:"version"`
}

// appsResponse is the body of the apps endpoint.
type appsResponse struct {
	DeviceID string `json:"device_id"`
	Apps     []App  `json:"apps"`
}

// detailsResponse is the subset of GET /api/v1/devices/{device_id}/details
// the fake serves, with Kandji's section and field names.
type detailsResponse struct {
	General struct {
		DeviceID        string `json:"device_id"`
		DeviceName      string `json:"device_name"`
		LastEnrollment  string `json:"last_enrollment"`
		FirstEnrollment string `json:"first_enrollment"`
		Model           string `json:"model"`
		Platform        string `json:"platform"`
		OSVersion       string `json:"os_version"`
		AssetTag        string `json:"asset_tag"`
		AssignedUser    any    `json:"assigned_user"`
		BlueprintName   string `json:"blueprint_name"`
		BlueprintUUID   string `json:"blueprint_uuid"`
	} `json:"general"`
	MDM struct {
		MDMEnabled  string `json:"mdm_enabled"`
		LastCheckIn string `json:"last_check_in"`
	} `json:"mdm"`
	HardwareOverview struct {
		ModelName       string `json:"model_name"`
		ModelIdentifier string `json:"model_identifier"`
		SerialNumber    string `json:"serial_number"`
		UDID            string `json:"udid"`
	} `json:"hardware_overview"`
}

func details(d Device) detailsResponse {
	var r detailsResponse
	r.General.DeviceID = d.DeviceID
	r.General.DeviceName = d.DeviceName
	r.General.LastEnrollment = d.LastEnrollment
	r.General.FirstEnrollment = d.FirstEnrollment
	r.General.Model = d.Model
	r.General.Platform = d.Platform
	r.General.OSVersion = d.OSVersion
	r.General.AssetTag = d.AssetTag
	r.General.AssignedUser = userValue(d.User, d.UserNull)
	r.General.BlueprintName = d.BlueprintName
	r.General.BlueprintUUID = d.BlueprintID
	r.MDM.MDMEnabled = "False" // the details endpoint sends booleans as "True"/"False"
	if d.MDMEnabled {
		r.MDM.MDMEnabled = "True"
	}
	if d.LastCheckIn != nil {
		r.MDM.LastCheckIn = *d.LastCheckIn
	}
	r.HardwareOverview.ModelName = d.Model
	r.HardwareOverview.ModelIdentifier = d.ModelIdentifier
	r.HardwareOverview.SerialNumber = d.SerialNumber
	r.HardwareOverview.UDID = uuidFrom("udid", 0, d.DeviceID)
	return r
}

// Generation. Everything derives from the device's index, so a page can be
// produced on the fly and the same index always yields the same record.

// Epoch is the reference time generated timestamps count back from.
var Epoch = time.Date(2024, 7, 23, 14, 11, 37, 150080000, time.UTC)

// DeviceID returns the generated device_id of index i. The first group is
// the index in hex, so ids sort (ordering=device_id) in index order.
func DeviceID(i int) string {
	return uuidFrom("device", uint64(i), "")
}

func uuidFrom(kind string, i uint64, salt string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%s", kind, i, salt)))
	if kind == "device" {
		binary.BigEndian.PutUint32(h[0:4], uint32(i))
	}
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		binary.BigEndian.Uint32(h[0:4]),
		binary.BigEndian.Uint16(h[4:6]),
		binary.BigEndian.Uint16(h[6:8])&0x0fff,
		binary.BigEndian.Uint16(h[8:10])&0x3fff|0x8000,
		h[10:16])
}

// indexOf parses a generated device_id back to its index.
func indexOf(id string) (int, bool) {
	if len(id) != 36 || id[8] != '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(id[:8], 16, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// Timestamp formats Kandji mixes in one payload.
const (
	// FormatRFC3339Micro is last_check_in's usual shape: 2024-07-23T14:11:37.150080Z.
	FormatRFC3339Micro = "2006-01-02T15:04:05.000000Z07:00"
	// FormatSpaceMicro is first_enrollment/last_enrollment's shape:
	// 2024-01-26 16:15:36.087016+00:00.
	FormatSpaceMicro = "2006-01-02 15:04:05.000000-07:00"
	// FormatRFC3339 is second precision: 2024-07-23T14:11:37Z.
	FormatRFC3339 = time.RFC3339
	// FormatSpaceNoColon is the details endpoint's profile dates: 2024-05-13 20:09:23 +0000.
	FormatSpaceNoColon = "2006-01-02 15:04:05 -0700"
)

// CheckInTime is the instant device i last checked in (when it has).
func CheckInTime(i int) time.Time {
	return Epoch.Add(-time.Duration(i%97) * time.Hour).Add(-time.Duration(i%13) * time.Minute)
}

// EnrollmentTime is device i's first (and last) enrollment instant.
func EnrollmentTime(i int) time.Time {
	return Epoch.AddDate(0, 0, -30-i%400).Add(time.Duration(i%1000) * time.Microsecond * 1013)
}

var macModels = []struct{ name, ident string }{
	{"MacBook Air (M1, 2020)", "MacBookAir10,1"},
	{"MacBook Pro (14-inch, 2023)", "Mac14,9"},
	{"MacBook Air (Retina, 13-inch, 2020)", "MacBookAir9,1"},
	{"Mac mini (2023)", "Mac14,3"},
	{"iMac (24-inch, M1, 2021)", "iMac21,1"},
}

var firstNames = []string{"Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances"}
var lastNames = []string{"Lovelace", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen"}

// GenerateDevice returns the deterministic record of index i. Quirks by index:
//   - i%5 == 3: no assigned user (user is "")
//   - i%7 == 2 with a user: legacy integer user id
//   - i%4 == 1 with a user: mixed-case email (Ada.Lovelace@Example.COM)
//   - last_check_in cycles through FormatRFC3339Micro (i%3==0),
//     FormatSpaceMicro (i%3==1) and FormatRFC3339 (i%3==2); null when i%11 == 4
//   - i%17 == 5: VMware VM (model "VMware7,1", serial "VM" + mixed case)
//   - i%17 == 11: Apple Virtualization VM (model "Apple Virtual Machine 1",
//     identifier "VirtualMac2,1")
//   - platforms: i%10 in 0..6 Mac, 7 iPhone, 8 iPad, 9 AppleTV
//   - i%6 == 0: no asset tag
//   - i%9 == 4 (Mac): Rapid Security Response suffix "(a)"
func GenerateDevice(i int) Device {
	h := sha256.Sum256([]byte(fmt.Sprintf("serial/%d", i)))
	const alnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	serial := make([]byte, 9)
	for k := range serial {
		serial[k] = alnum[int(h[k])%len(alnum)]
	}
	d := Device{
		DeviceID:        DeviceID(i),
		SerialNumber:    "C02" + string(serial),
		AssetTag:        fmt.Sprintf("A-%05d", i),
		BlueprintID:     uuidFrom("blueprint", uint64(i%3), ""),
		BlueprintName:   []string{"Default Blueprint", "Engineering", "Kiosks"}[i%3],
		MDMEnabled:      true,
		FirstEnrollment: EnrollmentTime(i).Format(FormatSpaceMicro),
		LastEnrollment:  EnrollmentTime(i).Format(FormatSpaceMicro),
		Tags:            []string{},
	}
	if i%6 == 0 {
		d.AssetTag = ""
	}
	switch p := i % 10; {
	case p <= 6:
		m := macModels[i%len(macModels)]
		d.Platform, d.Model, d.ModelIdentifier = "Mac", m.name, m.ident
		d.OSVersion, d.SupplementalBuildVersion = "14.4.1", "23E224"
		d.AgentInstalled, d.AgentVersion = true, "4.5.9 (5160)"
		if i%9 == 4 {
			d.OSVersion, d.SupplementalBuildVersion, d.SupplementalOSVersionExtra = "13.4.1", "22F770820d", "(a)"
		}
	case p == 7:
		d.Platform, d.Model, d.ModelIdentifier, d.OSVersion = "iPhone", "iPhone 15 Pro", "iPhone16,1", "17.5.1"
	case p == 8:
		d.Platform, d.Model, d.ModelIdentifier, d.OSVersion = "iPad", "iPad Air (5th generation)", "iPad13,16", "17.5"
	default:
		d.Platform, d.Model, d.ModelIdentifier, d.OSVersion = "AppleTV", "Apple TV 4K (3rd generation)", "AppleTV14,1", "17.5"
	}
	switch i % 17 {
	case 5:
		d.Platform, d.Model, d.ModelIdentifier = "Mac", "VMware7,1", "VMware7,1"
		d.SerialNumber = "VM" + mixedCase(string(serial)) + "x"
		d.OSVersion = "14.4.1"
	case 11:
		d.Platform, d.Model, d.ModelIdentifier = "Mac", "Apple Virtual Machine 1", "VirtualMac2,1"
		d.OSVersion = "14.4.1"
	}
	first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
	d.DeviceName = fmt.Sprintf("%s's %s", first, d.Model)
	if i%5 != 3 {
		email := strings.ToLower(first+"."+last) + fmt.Sprintf("%d@example.com", i)
		if i%4 == 1 {
			email = first + "." + last + fmt.Sprintf("%d@Example.COM", i)
		}
		d.User = &User{Email: email, Name: first + " " + last, ID: uuidFrom("user", uint64(i), "")}
		if i%7 == 2 {
			d.User.ID, d.User.LegacyID = "", i+1
		}
	}
	if i%11 != 4 {
		var s string
		switch t := CheckInTime(i); i % 3 {
		case 0:
			s = t.Format(FormatRFC3339Micro)
		case 1:
			s = t.Format(FormatSpaceMicro)
		default:
			s = t.Format(FormatRFC3339)
		}
		d.LastCheckIn = &s
	}
	return d
}

func mixedCase(s string) string {
	b := []byte(strings.ToLower(s))
	for k := range b {
		if k%2 == 0 && b[k] >= 'a' && b[k] <= 'z' {
			b[k] -= 'a' - 'A'
		}
	}
	return string(b)
}

var appCatalog = []App{
	{AppName: "Safari", BundleID: "com.apple.Safari", Version: "17.5", Source: "Apple", Path: "/Applications/Safari.app"},
	{AppName: "Slack", BundleID: "com.tinyspeck.slackmacgap", Version: "4.38.125", Source: "App Store", Path: "/Applications/Slack.app"},
	{AppName: "Google Chrome", BundleID: "com.google.Chrome", Version: "126.0.6478.127", Source: "Identified Developer", Path: "/Applications/Google Chrome.app"},
	{AppName: "Zoom", BundleID: "us.zoom.xos", Version: "6.1.0", Source: "Identified Developer", Path: "/Applications/zoom.us.app"},
	{AppName: "1Password", BundleID: "com.1password.1password", Version: "8.10.33", Source: "Identified Developer", Path: "/Applications/1Password.app"},
	{AppName: "Kandji Self Service", BundleID: "io.kandji.KandjiSelfService", Version: "1.0", Source: "Identified Developer", Path: "/Applications/Kandji Self Service.app"},
}

// GenerateApps returns device i's installed apps: base + i%3 entries from a
// fixed catalogue (base 0 means none).
func GenerateApps(i, base int) []App {
	if base <= 0 {
		return []App{}
	}
	n := min(base+i%3, len(appCatalog))
	apps := make([]App, n)
	created := EnrollmentTime(i)
	for k := range n {
		a := appCatalog[(i+k)%len(appCatalog)]
		a.AppID = strconv.Itoa(k + 1)
		a.BundleSize = strconv.Itoa(1_000_000 + 7919*(i+k))
		a.Process = a.AppName
		a.CreationDate = created.Format(FormatRFC3339Micro)
		a.ModificationDate = created.Add(time.Hour).Format(FormatRFC3339Micro)
		apps[k] = a
	}
	return apps
}
