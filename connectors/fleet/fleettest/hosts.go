package fleettest

import (
	"fmt"
	"time"
)

// Host is one Fleet host with the fields of Fleet's documented host
// payload that a connector may read, plus a few it should ignore.
// Software and EndUsers are served only by the host detail; DeviceMapping
// by the list (with device_mapping=true) and by /device_mapping.
type Host struct {
	ID             uint      `json:"id"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	LastEnrolledAt time.Time `json:"last_enrolled_at"`
	// SeenTime is Go's zero time (0001-01-01T00:00:00Z) for a host never seen.
	SeenTime       time.Time `json:"seen_time"`
	Hostname       string    `json:"hostname"`
	UUID           string    `json:"uuid"`
	Platform       string    `json:"platform"`
	OsqueryVersion string    `json:"osquery_version"`
	OSVersion      string    `json:"os_version"`
	HardwareVendor string    `json:"hardware_vendor"`
	HardwareModel  string    `json:"hardware_model"`
	// HardwareSerial is a pointer so a quirky host can send null.
	HardwareSerial *string `json:"hardware_serial"`
	ComputerName   string  `json:"computer_name"`
	DisplayName    string  `json:"display_name"`
	PrimaryIP      string  `json:"primary_ip"`
	PrimaryMac     string  `json:"primary_mac"`
	Status         string  `json:"status"`
	TeamID         *uint   `json:"team_id"`

	DeviceMapping []DeviceMapping `json:"-"`
	Software      []Software      `json:"-"`
	EndUsers      []EndUser       `json:"-"`
}

// DeviceMapping is one email Fleet associates with a host.
type DeviceMapping struct {
	Email  string `json:"email"`
	Source string `json:"source"`
}

// Software is one installed application in a host detail, and in the host
// list with populate_software (the List hosts reference's example entry:
// id, name, version, source, generated_cpe, vulnerabilities,
// installed_paths).
type Software struct {
	ID               uint   `json:"id"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	Source           string `json:"source"`
	Browser          string `json:"browser"`
	BundleIdentifier string `json:"bundle_identifier,omitempty"`
	GeneratedCPE     string `json:"generated_cpe"`
	// Vulnerabilities is always null here, as for software without CVEs.
	Vulnerabilities []string `json:"vulnerabilities"`
	InstalledPaths  []string `json:"installed_paths,omitempty"`
}

// EndUser is the IdP user of a host in a host detail.
type EndUser struct {
	IdpID       string          `json:"idp_id"`
	IdpUsername string          `json:"idp_username"`
	IdpFullName string          `json:"idp_full_name"`
	IdpGroups   []string        `json:"idp_groups"`
	OtherEmails []DeviceMapping `json:"other_emails"`
}

// listedHost is a host as the list serves it: DeviceMapping is left out
// (nil), null (pointer to nil) or a list; Software is there only with
// populate_software.
type listedHost struct {
	Host
	DeviceMapping *[]DeviceMapping `json:"device_mapping,omitempty"`
	Software      *[]Software      `json:"software,omitempty"`
}

// detailHost is a host as the detail serves it.
type detailHost struct {
	Host
	Software []Software `json:"software"`
	EndUsers []EndUser  `json:"end_users,omitempty"`
}

// Epoch is the time generated timestamps count back from.
var Epoch = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// GeneratedHost builds host id deterministically. Its kind follows id%10,
// so every page of ten or more holds each quirk:
//
//	1  MacBook Pro (darwin), serial, IdP + Chrome emails, IdP end user
//	2  Dell laptop (windows), email set by hand ("custom")
//	3  Mac with an empty serial, Chrome-profile email only
//	4  white-box Linux PC with SMBIOS placeholders for serial, vendor, model
//	5  VMware VM (rhel), "VMware Virtual Platform"
//	6  Hyper-V VM (windows), "Virtual Machine"
//	7  Mac never seen (zero seen_time) with a null serial
//	8  Lenovo (windows) with mixed-case emails, a repeated software row
//	9  iPhone (ios) without display_name or emails
//	0  KVM/QEMU VM (ubuntu), "Standard PC (Q35 + ICH9, 2009)"
func GeneratedHost(id uint) Host {
	h := Host{
		ID:             id,
		CreatedAt:      Epoch.Add(-time.Duration(id) * 24 * time.Hour),
		UpdatedAt:      Epoch.Add(-time.Duration(id) * time.Minute),
		LastEnrolledAt: Epoch.Add(-time.Duration(id) * time.Hour),
		SeenTime:       Epoch.Add(-time.Duration(id) * time.Minute),
		Hostname:       fmt.Sprintf("host-%d.corp.example.com", id),
		UUID:           fmt.Sprintf("6f1c2a34-0000-4000-8000-%012d", id),
		OsqueryVersion: "5.12.1",
		ComputerName:   fmt.Sprintf("HOST-%d", id),
		DisplayName:    fmt.Sprintf("HOST-%d", id),
		PrimaryIP:      fmt.Sprintf("10.0.%d.%d", id/250%250, id%250+1),
		PrimaryMac:     fmt.Sprintf("02:00:00:%02x:%02x:%02x", id>>16&0xff, id>>8&0xff, id&0xff),
		Status:         "online",
	}
	email := fmt.Sprintf("user%d@example.com", id)
	minor := id % 7
	switch id % 10 {
	case 1:
		h.Platform, h.OSVersion = "darwin", "macOS 14.4.1"
		h.HardwareVendor, h.HardwareModel = "Apple Inc.", "MacBookPro18,3"
		h.HardwareSerial = ptr(fmt.Sprintf("C02%07d", id))
		h.DisplayName = fmt.Sprintf("User %d's MacBook Pro", id)
		h.DeviceMapping = []DeviceMapping{{email, "google_chrome_profiles"}, {email, "mdm_idp_accounts"}}
		h.EndUsers = []EndUser{{IdpID: fmt.Sprintf("00u%d", id), IdpUsername: email, IdpFullName: fmt.Sprintf("User %d", id), IdpGroups: []string{"Engineering"}, OtherEmails: h.DeviceMapping}}
		h.Software = macSoftware(minor)
	case 2:
		h.Platform, h.OSVersion = "windows", "Windows 11 Enterprise 23H2 10.0.22631.3447"
		h.HardwareVendor, h.HardwareModel = "Dell Inc.", "Latitude 7420"
		h.HardwareSerial = ptr(fmt.Sprintf("DL%05d", id))
		h.DeviceMapping = []DeviceMapping{{email, "custom"}}
		h.Software = windowsSoftware(minor)
	case 3:
		h.Platform, h.OSVersion = "darwin", "macOS 13.6.6"
		h.HardwareVendor, h.HardwareModel = "Apple Inc.", "Mac14,7"
		h.HardwareSerial = ptr("")
		h.DeviceMapping = []DeviceMapping{{email, "google_chrome_profiles"}}
		h.Software = macSoftware(minor)
	case 4:
		h.Platform, h.OSVersion = "ubuntu", "Ubuntu 22.04.4 LTS"
		h.HardwareVendor, h.HardwareModel = "System manufacturer", "System Product Name"
		h.HardwareSerial = ptr("To be filled by O.E.M.")
		h.DeviceMapping = []DeviceMapping{{email, "custom"}}
		h.Software = linuxSoftware("deb_packages", minor)
	case 5:
		h.Platform, h.OSVersion = "rhel", "Red Hat Enterprise Linux 9.3"
		h.HardwareVendor, h.HardwareModel = "VMware, Inc.", "VMware Virtual Platform"
		h.HardwareSerial = ptr(fmt.Sprintf("VMware-56 4d 2b %02x %02x", id>>8&0xff, id&0xff))
		h.Software = linuxSoftware("rpm_packages", minor)
	case 6:
		h.Platform, h.OSVersion = "windows", "Windows Server 2022 Datacenter 21H2 10.0.20348.2340"
		h.HardwareVendor, h.HardwareModel = "Microsoft Corporation", "Virtual Machine"
		h.HardwareSerial = ptr(fmt.Sprintf("0000-0017-%04d-%04d", id/10000, id%10000))
		h.Software = windowsSoftware(minor)
	case 7:
		h.Platform, h.OSVersion = "darwin", "macOS 14.4.1"
		h.HardwareVendor, h.HardwareModel = "Apple Inc.", "MacBookAir10,1"
		h.SeenTime, h.LastEnrolledAt = time.Time{}, time.Time{}
		h.Status = "new"
		h.DeviceMapping = []DeviceMapping{{email, "mdm_idp_accounts"}}
		h.Software = []Software{}
	case 8:
		h.Platform, h.OSVersion = "windows", "Windows 10 Pro 22H2 10.0.19045.4291"
		h.HardwareVendor, h.HardwareModel = "LENOVO", "20XW0055US"
		h.HardwareSerial = ptr(fmt.Sprintf("PF%06d", id))
		h.DeviceMapping = []DeviceMapping{
			{fmt.Sprintf("first.last%d@example.com", id), "google_chrome_profiles"},
			{fmt.Sprintf("First.Last%d@Example.COM", id), "mdm_idp_accounts"},
		}
		h.Software = append(windowsSoftware(minor), windowsSoftware(minor)[0])
	case 9:
		h.Platform, h.OSVersion = "ios", "iOS 17.4.1"
		h.HardwareVendor, h.HardwareModel = "Apple Inc.", "iPhone15,2"
		h.HardwareSerial = ptr(fmt.Sprintf("F%010d", id))
		h.DisplayName, h.ComputerName = "", fmt.Sprintf("User %d's iPhone", id)
		h.Status = "offline"
	case 0:
		h.Platform, h.OSVersion = "ubuntu", "Ubuntu 24.04 LTS"
		h.HardwareVendor, h.HardwareModel = "QEMU", "Standard PC (Q35 + ICH9, 2009)"
		h.HardwareSerial = ptr("")
		h.Software = linuxSoftware("deb_packages", minor)
	}
	return h
}

func macSoftware(minor uint) []Software {
	return []Software{
		{ID: 1, Name: "Google Chrome.app", Version: fmt.Sprintf("124.0.6367.%d", 60+minor), Source: "apps", BundleIdentifier: "com.google.Chrome"},
		{ID: 2, Name: "Slack.app", Version: fmt.Sprintf("4.38.%d", 100+minor), Source: "apps", BundleIdentifier: "com.tinyspeck.slackmacgap"},
		{ID: 3, Name: "git", Version: "2.44.0", Source: "homebrew_packages"},
	}
}

func windowsSoftware(minor uint) []Software {
	return []Software{
		{ID: 11, Name: "Google Chrome", Version: fmt.Sprintf("124.0.6367.%d", 60+minor), Source: "programs"},
		{ID: 12, Name: "Microsoft 365 Apps for enterprise - en-us", Version: "16.0.17425.20176", Source: "programs"},
	}
}

func linuxSoftware(source string, minor uint) []Software {
	return []Software{
		{ID: 21, Name: "openssl", Version: fmt.Sprintf("3.0.%d", 2+minor), Source: source},
		{ID: 22, Name: "curl", Version: "8.5.0", Source: source},
	}
}

func ptr[T any](v T) *T { return &v }
