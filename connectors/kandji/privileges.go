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
	// Prism's apps are their own permission, under Visibility: Kandji's
	// token permission list names it "Applications" with this path (as
	// integration guides quote it, e.g. Torii's Kandji setup).
	if path == "/api/v1/prism/apps" {
		return "Applications (Visibility)"
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
