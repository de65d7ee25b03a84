package freshservice

import (
	"net/http"
	"strings"
)

// privilegeFor names the Freshservice agent-role permission a request
// needs, so a 403 says what to grant the agent whose API key the connector
// uses (the key acts with that agent's roles). Only permissions the
// Freshservice docs name are given: "Create and edit Assets" and "View
// Requesters/Departments" (support.freshservice.com, "Scope access levels
// for accounts with multiple workspaces", article 50000005581); other
// endpoints say only which request was refused.
func privilegeFor(method, path string) string {
	switch {
	case method != http.MethodGet && (path == assetsPath || strings.HasPrefix(path, assetsPath+"/")):
		return "Create and edit Assets (agent role)"
	case method == http.MethodGet && (strings.HasPrefix(path, apiPrefix+"/requesters") || strings.HasPrefix(path, apiPrefix+"/departments")):
		return "View Requesters/Departments (agent role)"
	}
	return ""
}
