package fleet

import (
	"encoding/json"
	"strings"
	"time"
)

// The payloads below carry only the fields the mapping reads, named as in
// Fleet's REST API documentation; Fleet sends many more, which are ignored.

// listHostsResponse is the answer of GET /api/v1/fleet/hosts.
type listHostsResponse struct {
	Hosts hostList `json:"hosts"`
}

// hostList remembers whether "hosts" was in the answer at all: a body
// without it is not an empty fleet, and reading it as one would make a full
// sync retire every device.
type hostList struct {
	present bool
	items   []host
}

func (l *hostList) UnmarshalJSON(b []byte) error {
	l.present = true
	return json.Unmarshal(b, &l.items)
}

// getHostResponse is the answer of GET /api/v1/fleet/hosts/{id}.
type getHostResponse struct {
	Host *host `json:"host"`
}

// deviceMappingResponse is the answer of GET /api/v1/fleet/hosts/{id}/device_mapping.
type deviceMappingResponse struct {
	HostID        uint            `json:"host_id"`
	DeviceMapping []deviceMapping `json:"device_mapping"`
}

// host is a Fleet host as the list and the detail both describe it.
type host struct {
	ID           uint   `json:"id"`
	Hostname     string `json:"hostname"`
	DisplayName  string `json:"display_name"`
	ComputerName string `json:"computer_name"`
	// HardwareSerial is "" when osquery has not reported it; a null would
	// decode to "" too.
	HardwareSerial string `json:"hardware_serial"`
	HardwareVendor string `json:"hardware_vendor"`
	// HardwareModel is Apple's model identifier on Macs (MacBookPro18,3)
	// and the SMBIOS product name elsewhere (Latitude 7420).
	HardwareModel string `json:"hardware_model"`
	Platform      string `json:"platform"`
	OSVersion     string `json:"os_version"`
	// SeenTime is the last time the host contacted Fleet.
	SeenTime timestamp `json:"seen_time"`
	// DeviceMapping is in the list only with device_mapping=true: absent
	// (nil) on servers that ignore it, JSON null for a host without emails.
	DeviceMapping json.RawMessage `json:"device_mapping"`

	// Software is in the host detail, and in the list with
	// populate_software.
	Software softwareList `json:"software"`
	// EndUsers is only in the host detail.
	EndUsers []endUser `json:"end_users"`
}

// softwareList remembers whether "software" was in the answer at all (null
// counts as there): the list has it only when the server honours
// populate_software.
type softwareList struct {
	present bool
	items   []software
}

func (l *softwareList) UnmarshalJSON(b []byte) error {
	l.present = true
	return json.Unmarshal(b, &l.items)
}

// deviceMapping is one email Fleet associates with a host. Source is
// "mdm_idp_accounts" (the IdP login at enrollment; the documentation's
// example calls it "identity_provider"), "google_chrome_profiles", or
// "custom" (set by an admin or the installer).
type deviceMapping struct {
	Email  string `json:"email"`
	Source string `json:"source"`
}

// software is one entry of a host detail's software list.
type software struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Source is the osquery table it came from: apps, programs,
	// deb_packages, rpm_packages, homebrew_packages, chrome_extensions…
	Source           string `json:"source"`
	BundleIdentifier string `json:"bundle_identifier"`
}

// endUser is the IdP user of a host (recent servers, detail only).
type endUser struct {
	IdpUsername string `json:"idp_username"`
	IdpFullName string `json:"idp_full_name"`
}

// timestamp is a Fleet time that may mean "never": Go's zero time
// (0001-01-01T00:00:00Z), which Fleet sends for hosts it has not seen, and
// other pre-2000 placeholders come out as nil. An unreadable value is nil
// too rather than failing the whole page.
type timestamp struct{ t *time.Time }

// never is the earliest time taken as a real one.
var never = time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)

func (ts *timestamp) UnmarshalJSON(b []byte) error {
	ts.t = nil
	var s string
	if json.Unmarshal(b, &s) != nil {
		return nil
	}
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Before(never) {
				return nil
			}
			t = t.UTC()
			ts.t = &t
			return nil
		}
	}
	return nil
}
