package kandji

import "strings"

// privilegeFor names the Kandji API token permission a request needs
// (Settings > Access > API Token > Permissions), so a 403 says which
// checkbox is missing. Names as Kandji's token permission list shows them
// under Device Information (https://support.kandji.io/api).
func privilegeFor(method, path string) string {
	if method != "GET" {
		return ""
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/devices")
	if !ok {
		return ""
	}
	switch {
	case rest == "" || rest == "/":
		return "Device list"
	case strings.HasSuffix(rest, "/apps"):
		return "Application list"
	case strings.HasSuffix(rest, "/details"):
		return "Device details"
	case strings.Count(rest, "/") == 1:
		return "Device ID"
	}
	return ""
}
