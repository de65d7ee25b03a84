package intune

import (
	"net"
	"net/url"
	"strings"
)

// clouds maps each Microsoft Graph service root to the Microsoft Entra ID
// endpoint that issues its tokens, as "Microsoft Graph national cloud
// deployments" (learn.microsoft.com/graph/deployments) lists them. A token
// of one cloud is not accepted by another, so a connector pointed at a
// national Graph must also sign in there.
var clouds = map[string]string{
	"graph.microsoft.com":             "https://login.microsoftonline.com", // global service
	"graph.microsoft.us":              "https://login.microsoftonline.us",  // US Government L4 (GCC High)
	"dod-graph.microsoft.us":          "https://login.microsoftonline.us",  // US Government L5 (DoD)
	"microsoftgraph.chinacloudapi.cn": "https://login.chinacloudapi.cn",    // operated by 21Vianet
}

// tokenTarget returns the client credentials scope for the Graph at base
// and the authority its tokens come from unless the connector names one.
// The scope is the Graph's own origin followed by /.default ("Access
// national cloud deployments with the Microsoft Graph SDKs": a .default
// scope must use the domain of the national cloud's Graph, e.g.
// https://graph.microsoft.us/.default). A Graph the table does not know (a
// proxy, a test server) gets the scope of its origin and the global
// authority.
func tokenTarget(base *url.URL) (scope, authority string) {
	host := strings.ToLower(base.Hostname())
	authority, ok := clouds[host]
	if !ok {
		authority = DefaultAuthURL
	}
	hostport := host
	if p := base.Port(); p != "" && p != defaultPort(base.Scheme) {
		hostport = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		hostport = "[" + host + "]" // an IPv6 literal keeps its brackets
	}
	origin := strings.ToLower(base.Scheme) + "://" + hostport
	return origin + "/.default", authority
}

func defaultPort(scheme string) string {
	if strings.EqualFold(scheme, "http") {
		return "80"
	}
	return "443"
}
