package intunetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the shape of a generated device. Device i has kind KindOf(i), so
// every ten consecutive devices hold one of each, quirks included.
type Kind int

const (
	// KindWindows is a Dell laptop with every identifier set.
	KindWindows Kind = iota
	// KindMixedCaseEmail is a Mac whose user's email and UPN are mixed case.
	KindMixedCaseEmail
	// KindIPhone is a supervised company iPhone.
	KindIPhone
	// KindZeroDates is a Windows device Intune reports with
	// 0001-01-01T00:00:00Z for enrolledDateTime and lastSyncDateTime.
	KindZeroDates
	// KindAndroid is a personal Android phone.
	KindAndroid
	// KindEmptyIdentifiers is a device without user, serial or Entra ID
	// device id: Intune sends "" for each of them.
	KindEmptyIdentifiers
	// KindLenovo is a Lenovo Windows desktop.
	KindLenovo
	// KindVirtual is a virtual machine: Hyper-V ("Microsoft Corporation",
	// "Virtual Machine") for even tens, VMware for odd tens.
	KindVirtual
	// KindMac is a MacBook Pro.
	KindMac
	// KindJunkSerial is a white-box PC whose firmware reports a placeholder
	// serial ("System Serial Number", "0", "Default string", "To be filled by O.E.M.").
	KindJunkSerial
)

// KindOf returns the kind of generated device i.
func KindOf(i int) Kind { return Kind(i % 10) }

// IndexOf returns the index of the n-th (0-based) generated device of kind k.
func IndexOf(k Kind, n int) int { return n*10 + int(k) }

// JunkSerials are the placeholder serials KindJunkSerial devices cycle through.
var JunkSerials = []string{"System Serial Number", "0", "Default string", "To be filled by O.E.M."}

// ManagedDevice is the fake's state for one Intune managedDevice, named
// after the documented v1.0 properties. A zero time is served as
// 0001-01-01T00:00:00Z, as Intune does for unset dates.
type ManagedDevice struct {
	ID                     string
	UserID                 string
	DeviceName             string
	ManagedDeviceOwnerType string // unknown, company, personal
	EnrolledDateTime       time.Time
	LastSyncDateTime       time.Time
	OperatingSystem        string
	ComplianceState        string
	ManagementAgent        string
	OSVersion              string
	AzureADRegistered      bool
	DeviceEnrollmentType   string
	EmailAddress           string
	AzureADDeviceID        string
	IsSupervised           bool
	IsEncrypted            bool
	UserPrincipalName      string
	Model                  string
	Manufacturer           string
	IMEI                   string
	SerialNumber           string
	PhoneNumber            string
	UserDisplayName        string
	WiFiMacAddress         string
	ManagedDeviceName      string
	EthernetMacAddress     string
	TotalStorageBytes      int64
	FreeStorageBytes       int64
	// Raw replaces properties in the served JSON after rendering, for
	// quirks the typed fields cannot express (a null, a date in an odd
	// format, a number where a string belongs).
	Raw map[string]any
}

// DetectedApp is one detectedApp as Graph serves it.
type DetectedApp struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Version     string `json:"version"`
	SizeInByte  int64  `json:"sizeInByte"`
	DeviceCount int32  `json:"deviceCount"`
	Publisher   string `json:"publisher"`
	Platform    string `json:"platform"`
}

// DeviceID returns the managedDevice id of generated device i.
func DeviceID(i int) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("device-%d", i)))
	return fmt.Sprintf("%s-%s-4%s-8%s-%012x", hex.EncodeToString(h[:4]), hex.EncodeToString(h[4:6]),
		hex.EncodeToString(h[6:8])[1:], hex.EncodeToString(h[8:10])[1:], i)
}

// deviceIndex inverts DeviceID.
func deviceIndex(id string) (int, bool) {
	if len(id) != 36 {
		return 0, false
	}
	n, err := strconv.ParseInt(id[24:], 16, 64)
	if err != nil || n < 0 || n > 1<<40 {
		return 0, false
	}
	i := int(n)
	if DeviceID(i) != id {
		return 0, false
	}
	return i, true
}

func guid(seed string) string {
	h := sha256.Sum256([]byte(seed))
	s := hex.EncodeToString(h[:16])
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-a" + s[17:20] + "-" + s[20:32]
}

var firstNames = []string{"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie"}
var lastNames = []string{"Martin", "Nguyen", "Okafor", "Schmidt", "Rossi", "Kowalski", "Tanaka", "Silva"}

// Generate returns generated device i relative to now (the fake's clock
// origin, Options.Now). Deterministic: same i and now, same device.
func Generate(i int, now time.Time) ManagedDevice {
	first := firstNames[i%len(firstNames)]
	last := lastNames[(i/len(firstNames))%len(lastNames)]
	upn := strings.ToLower(fmt.Sprintf("%s.%s%04d@contoso.com", first, last, i))
	d := ManagedDevice{
		ID:                     DeviceID(i),
		UserID:                 guid(fmt.Sprintf("user-%d", i)),
		ManagedDeviceOwnerType: "company",
		EnrolledDateTime:       now.AddDate(0, 0, -(100 + i%900)).Add(-time.Duration(i%3600) * time.Second),
		LastSyncDateTime:       now.Add(-time.Duration(i%720) * time.Hour).Add(-time.Duration(i%60)*time.Minute - 123456700*time.Nanosecond),
		ComplianceState:        "compliant",
		ManagementAgent:        "mdm",
		AzureADRegistered:      true,
		DeviceEnrollmentType:   "windowsAzureADJoin",
		EmailAddress:           upn,
		AzureADDeviceID:        guid(fmt.Sprintf("aad-%d", i)),
		IsEncrypted:            true,
		UserPrincipalName:      upn,
		UserDisplayName:        first + " " + last,
		WiFiMacAddress:         fmt.Sprintf("a4c3f0%06x", i&0xffffff),
		TotalStorageBytes:      512 << 30,
		FreeStorageBytes:       int64(100+i%300) << 30,
	}
	serial := func(prefix string) string { return fmt.Sprintf("%s%07d", prefix, i) }
	switch KindOf(i) {
	case KindWindows:
		d.DeviceName = fmt.Sprintf("CONTOSO-%05d", i)
		d.OperatingSystem, d.OSVersion = "Windows", "10.0.22631.3527"
		d.Manufacturer, d.Model, d.SerialNumber = "Dell Inc.", "Latitude 7440", serial("DL")
	case KindMixedCaseEmail:
		d.DeviceName = fmt.Sprintf("%s's MacBook Air", first)
		d.OperatingSystem, d.OSVersion = "macOS", "14.4.1 (23E224)"
		d.Manufacturer, d.Model, d.SerialNumber = "Apple", "MacBook Air (M2, 2022)", serial("C02MA")
		d.DeviceEnrollmentType = "appleBulkWithUser"
		d.EmailAddress = fmt.Sprintf("%s.%s%04d@Contoso.COM", first, last, i)
		d.UserPrincipalName = fmt.Sprintf("%s.%s%04d@CONTOSO.com", strings.ToUpper(first), last, i)
	case KindIPhone:
		d.DeviceName = fmt.Sprintf("%s's iPhone", first)
		d.OperatingSystem, d.OSVersion = "iOS", "17.4.1"
		d.Manufacturer, d.Model, d.SerialNumber = "Apple", "iPhone 15 Pro", serial("F2LX")
		d.IsSupervised = true
		d.DeviceEnrollmentType = "appleBulkWithUser"
		d.IMEI, d.PhoneNumber = fmt.Sprintf("35%013d", i), fmt.Sprintf("+1425555%04d", i%10000)
	case KindZeroDates:
		d.DeviceName = fmt.Sprintf("KIOSK-%05d", i)
		d.OperatingSystem, d.OSVersion = "Windows", "10.0.19045.4291"
		d.Manufacturer, d.Model, d.SerialNumber = "HP", "EliteDesk 800 G6", serial("CZC")
		d.EnrolledDateTime, d.LastSyncDateTime = time.Time{}, time.Time{}
	case KindAndroid:
		d.DeviceName = fmt.Sprintf("%s_Android_%d", first, i)
		d.OperatingSystem, d.OSVersion = "Android", "14"
		d.Manufacturer, d.Model, d.SerialNumber = "samsung", "SM-S911B", serial("R5CW")
		d.ManagedDeviceOwnerType = "personal"
		d.DeviceEnrollmentType = "userEnrollment"
	case KindEmptyIdentifiers:
		d.DeviceName = fmt.Sprintf("SHARED-%05d", i)
		d.OperatingSystem, d.OSVersion = "Windows", "10.0.22631.3447"
		d.Manufacturer, d.Model, d.SerialNumber = "Microsoft Corporation", "Surface Laptop 5", ""
		d.UserID, d.EmailAddress, d.UserPrincipalName, d.UserDisplayName = "", "", "", ""
		d.AzureADDeviceID, d.WiFiMacAddress = "", ""
		d.AzureADRegistered = false
		d.ManagedDeviceOwnerType = "unknown"
	case KindLenovo:
		d.DeviceName = fmt.Sprintf("CONTOSO-WS%05d", i)
		d.OperatingSystem, d.OSVersion = "Windows", "10.0.22631.3527"
		d.Manufacturer, d.Model, d.SerialNumber = "LENOVO", "20XW0026US", serial("PF")
	case KindVirtual:
		d.DeviceName = fmt.Sprintf("VDI-%05d", i)
		d.OperatingSystem, d.OSVersion = "Windows", "10.0.20348.2402"
		if (i/10)%2 == 0 {
			d.Manufacturer, d.Model = "Microsoft Corporation", "Virtual Machine"
			d.SerialNumber = fmt.Sprintf("%04d-%04d-%04d-%04d-%04d-%04d-%02d", i%10000, 1, 2, 3, 4, 5, i%100)
		} else {
			d.Manufacturer, d.Model = "VMware, Inc.", "VMware7,1"
			d.SerialNumber = fmt.Sprintf("VMware-56 4d %02x 9a 1b 2c 3d 4e-5f 60 71 82 93 a4 b5 %02x", i%256, (i/256)%256)
		}
	case KindMac:
		d.DeviceName = fmt.Sprintf("%s's MacBook Pro", first)
		d.OperatingSystem, d.OSVersion = "macOS", "14.5 (23F79)"
		d.Manufacturer, d.Model, d.SerialNumber = "Apple", "MacBook Pro (14-inch, 2023)", serial("C02PRO")
		d.DeviceEnrollmentType = "appleBulkWithUser"
	case KindJunkSerial:
		d.DeviceName = fmt.Sprintf("LAB-%05d", i)
		d.OperatingSystem, d.OSVersion = "Windows", "10.0.19045.4291"
		d.Manufacturer, d.Model = "System manufacturer", "System Product Name"
		d.SerialNumber = JunkSerials[(i/10)%len(JunkSerials)]
	}
	d.ManagedDeviceName = fmt.Sprintf("%s_%s_%s", strings.SplitN(d.UserPrincipalName, "@", 2)[0], d.OperatingSystem,
		d.EnrolledDateTime.Format("1/2/2006_3:04 PM"))
	return d
}

type appSpec struct{ name, version, publisher string }

var catalog = map[string][]appSpec{
	"windows": {
		{"Microsoft Edge", "124.0.2478.80", "Microsoft Corporation"},
		{"Google Chrome", "124.0.6367.119", "Google LLC"},
		{"7-Zip 23.01 (x64)", "23.01", "Igor Pavlov"},
		{"Microsoft 365 Apps for enterprise - en-us", "16.0.17531.20140", "Microsoft Corporation"},
	},
	"macOS": {
		{"Safari", "17.4.1", "Apple"},
		{"Google Chrome", "124.0.6367.119", "Google LLC"},
		{"Slack", "4.38.121", "Slack Technologies, LLC"},
		{"zoom.us", "6.0.2 (33403)", "Zoom Video Communications, Inc."},
	},
	"ios": {
		{"Microsoft Authenticator", "6.8.9", "Microsoft Corporation"},
		{"Outlook", "4.2417.0", "Microsoft Corporation"},
		{"Company Portal", "", "Microsoft Corporation"},
		{"Teams", "6.8.1", "Microsoft Corporation"},
	},
	"androidWorkProfile": {
		{"Microsoft Authenticator", "6.2404.2229", "Microsoft Corporation"},
		{"Intune Company Portal", "5.0.6197.0", "Microsoft Corporation"},
		{"Outlook", "4.2416.1", "Microsoft Corporation"},
		{"Chrome", "124.0.6367.113", "Google LLC"},
	},
}

// platformOf maps a device's operatingSystem to a detectedAppPlatformType.
func platformOf(os string) string {
	switch os {
	case "macOS":
		return "macOS"
	case "iOS":
		return "ios"
	case "Android":
		return "androidWorkProfile"
	default:
		return "windows"
	}
}

// GenerateApps returns the detected apps of generated device i: i%5 apps
// (so every fifth device has none) from a catalog matching its platform.
func GenerateApps(i int, d ManagedDevice) []DetectedApp {
	platform := platformOf(d.OperatingSystem)
	specs := catalog[platform]
	n := i % 5
	out := make([]DetectedApp, 0, n)
	for k := 0; k < n; k++ {
		sp := specs[k%len(specs)]
		h := sha256.Sum256([]byte(platform + "|" + sp.name + "|" + sp.version))
		out = append(out, DetectedApp{
			ID:          hex.EncodeToString(h[:]),
			DisplayName: sp.name,
			Version:     sp.version,
			SizeInByte:  int64(1+k) << 20,
			DeviceCount: int32(10 + k),
			Publisher:   sp.publisher,
			Platform:    platform,
		})
	}
	return out
}

// graphTime renders a date the way Intune does: zero is
// 0001-01-01T00:00:00Z, otherwise UTC with seven fractional digits when
// there is a fraction.
func graphTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.0000000Z")
}

// v1Properties are the documented properties of the v1.0 managedDevice
// resource (learn.microsoft.com/graph/api/resources/intune-devices-manageddevice).
// $select of anything else is rejected, as Graph does.
var v1Properties = []string{
	"id", "userId", "deviceName", "managedDeviceOwnerType", "deviceActionResults", "enrolledDateTime",
	"lastSyncDateTime", "operatingSystem", "complianceState", "jailBroken", "managementAgent", "osVersion",
	"easActivated", "easDeviceId", "easActivationDateTime", "azureADRegistered", "deviceEnrollmentType",
	"activationLockBypassCode", "emailAddress", "azureADDeviceId", "deviceRegistrationState",
	"deviceCategoryDisplayName", "isSupervised", "exchangeLastSuccessfulSyncDateTime", "exchangeAccessState",
	"exchangeAccessStateReason", "remoteAssistanceSessionUrl", "remoteAssistanceSessionErrorDetails",
	"isEncrypted", "userPrincipalName", "model", "manufacturer", "imei", "complianceGracePeriodExpirationDateTime",
	"serialNumber", "phoneNumber", "androidSecurityPatchLevel", "userDisplayName",
	"configurationManagerClientEnabledFeatures", "wiFiMacAddress", "deviceHealthAttestationState",
	"subscriberCarrier", "meid", "totalStorageSpaceInBytes", "freeStorageSpaceInBytes", "managedDeviceName",
	"partnerReportedThreatState", "requireUserEnrollmentApproval", "managementCertificateExpirationDate",
	"iccid", "udid", "notes", "ethernetMacAddress", "physicalMemoryInBytes",
}

var detectedAppProperties = []string{"id", "displayName", "version", "sizeInByte", "deviceCount", "publisher", "platform"}

// render returns the device as Graph's JSON object, every property present.
func (d ManagedDevice) render() map[string]any {
	m := map[string]any{
		"id":                                      d.ID,
		"userId":                                  d.UserID,
		"deviceName":                              d.DeviceName,
		"managedDeviceOwnerType":                  d.ManagedDeviceOwnerType,
		"deviceActionResults":                     []any{},
		"enrolledDateTime":                        graphTime(d.EnrolledDateTime),
		"lastSyncDateTime":                        graphTime(d.LastSyncDateTime),
		"operatingSystem":                         d.OperatingSystem,
		"complianceState":                         d.ComplianceState,
		"jailBroken":                              "False",
		"managementAgent":                         d.ManagementAgent,
		"osVersion":                               d.OSVersion,
		"easActivated":                            false,
		"easDeviceId":                             "",
		"easActivationDateTime":                   graphTime(time.Time{}),
		"azureADRegistered":                       d.AzureADRegistered,
		"deviceEnrollmentType":                    d.DeviceEnrollmentType,
		"activationLockBypassCode":                nil,
		"emailAddress":                            d.EmailAddress,
		"azureADDeviceId":                         d.AzureADDeviceID,
		"deviceRegistrationState":                 "registered",
		"deviceCategoryDisplayName":               "Unknown",
		"isSupervised":                            d.IsSupervised,
		"exchangeLastSuccessfulSyncDateTime":      graphTime(time.Time{}),
		"exchangeAccessState":                     "none",
		"exchangeAccessStateReason":               "none",
		"remoteAssistanceSessionUrl":              nil,
		"remoteAssistanceSessionErrorDetails":     nil,
		"isEncrypted":                             d.IsEncrypted,
		"userPrincipalName":                       d.UserPrincipalName,
		"model":                                   d.Model,
		"manufacturer":                            d.Manufacturer,
		"imei":                                    d.IMEI,
		"complianceGracePeriodExpirationDateTime": "9999-12-31T23:59:59Z",
		"serialNumber":                            d.SerialNumber,
		"phoneNumber":                             d.PhoneNumber,
		"androidSecurityPatchLevel":               "",
		"userDisplayName":                         d.UserDisplayName,
		"configurationManagerClientEnabledFeatures": nil,
		"wiFiMacAddress":                      d.WiFiMacAddress,
		"deviceHealthAttestationState":        nil,
		"subscriberCarrier":                   "",
		"meid":                                "",
		"totalStorageSpaceInBytes":            d.TotalStorageBytes,
		"freeStorageSpaceInBytes":             d.FreeStorageBytes,
		"managedDeviceName":                   d.ManagedDeviceName,
		"partnerReportedThreatState":          "unknown",
		"requireUserEnrollmentApproval":       nil,
		"managementCertificateExpirationDate": graphTime(time.Time{}),
		"iccid":                               nil,
		"udid":                                nil,
		"notes":                               nil,
		"ethernetMacAddress":                  d.EthernetMacAddress,
		"physicalMemoryInBytes":               0,
	}
	for k, v := range d.Raw {
		m[k] = v
	}
	return m
}
