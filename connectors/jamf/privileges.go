package jamf

import "strings"

// privilegeFor names the Jamf Pro API role privilege a request needs, so a
// 403 tells the admin what to add to the API role (Settings > System > API
// roles and clients). Names as Jamf lists them for the inventory endpoints
// ("Read Computers", "Read Mobile Devices";
// https://developer.jamf.com/platform-api/reference/jamf-pro-permissions-map).
func privilegeFor(method, path string) string {
	if method != "GET" {
		return ""
	}
	switch {
	case strings.Contains(path, "/computers-inventory"): // and -detail
		return "Read Computers"
	case strings.Contains(path, "/mobile-devices"):
		return "Read Mobile Devices"
	}
	return ""
}
