package kandji

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// Wire types: only the fields the connector maps, named exactly as Kandji's
// API returns them. Unknown fields are ignored, so the polymorphic extras
// Kandji adds when Windows or Android management is enabled do no harm.

// apiDevice is one element of GET /api/v1/devices (a bare JSON array) and
// the body of GET /api/v1/devices/{device_id}; both share these fields.
type apiDevice struct {
	DeviceID                   string     `json:"device_id"`
	DeviceName                 string     `json:"device_name"`
	Model                      string     `json:"model"`
	SerialNumber               string     `json:"serial_number"`
	Platform                   string     `json:"platform"`
	OSVersion                  string     `json:"os_version"`
	SupplementalOSVersionExtra string     `json:"supplemental_os_version_extra"`
	LastCheckIn                string     `json:"last_check_in"`
	User                       apiUser    `json:"user"`
	AssetTag                   flexString `json:"asset_tag"`
	// Also sent and not mapped (no canonical field): blueprint_id,
	// blueprint_name, first_enrollment, last_enrollment, agent_version,
	// mdm_enabled, agent_installed, is_missing, is_removed, tags, ...
}

// apiUser is the device's assigned user. Kandji sends an object
// {"email","name","id","is_archived"} when a user is assigned and the empty
// string "" when none is; null is accepted too. The id is not read: older
// tenants send an integer, newer ones a UUID string.
type apiUser struct {
	Email string
	Name  string
}

func (u *apiUser) UnmarshalJSON(b []byte) error {
	*u = apiUser{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var obj struct {
			Email *string `json:"email"`
			Name  *string `json:"name"`
		}
		if err := json.Unmarshal(b, &obj); err != nil {
			return fmt.Errorf("user: %w", err)
		}
		if obj.Email != nil {
			u.Email = strings.TrimSpace(*obj.Email)
		}
		if obj.Name != nil {
			u.Name = strings.TrimSpace(*obj.Name)
		}
		return nil
	}
	var str *string // null stays nil
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("user: expected an object or a string, got %.20s", b)
	}
	if str == nil {
		return nil
	}
	// "" is Kandji's "no user". A bare non-empty string is not documented;
	// keep what it says rather than failing the page.
	v := strings.TrimSpace(*str)
	if strings.Contains(v, "@") {
		u.Email = v
	} else {
		u.Name = v
	}
	return nil
}

// flexString is a string a vendor may also send as a number or null.
type flexString = vendorhttp.FlexString

// apiApps is GET /api/v1/devices/{device_id}/apps:
// {"device_id": "...", "apps": [{"app_name", "bundle_id", "version", ...}]}.
type apiApps struct {
	DeviceID string   `json:"device_id"`
	Apps     []apiApp `json:"apps"`
}

type apiApp struct {
	AppName  string `json:"app_name"`
	BundleID string `json:"bundle_id"`
	Version  string `json:"version"`
}

// apiDetails is the part of GET /api/v1/devices/{device_id}/details the
// connector reads: the hardware model identifier (e.g. "MacBookAir10,1").
type apiDetails struct {
	HardwareOverview struct {
		ModelIdentifier string `json:"model_identifier"`
	} `json:"hardware_overview"`
}
