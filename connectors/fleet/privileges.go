package fleet

import "strings"

// privilegeFor names the Fleet role a request needs, so a 403 says what
// the API-only user lacks. Fleet's permissions table
// (https://fleetdm.com/docs/using-fleet/manage-access) lets every role,
// Observer up, read hosts and their software, globally or on the hosts'
// team; a user with no role on a team sees none of its hosts.
func privilegeFor(method, path string) string {
	if method == "GET" && strings.Contains(path, "/api/v1/fleet/hosts") {
		return "the Observer role (or higher), global or on the hosts' team"
	}
	return ""
}
