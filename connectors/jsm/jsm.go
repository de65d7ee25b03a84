// Package jsm is the connector for Jira Service Management Assets (cloud),
// kind JSM_ASSETS, speaking Atlassian's documented REST APIs:
//
//   - Site (Config.BaseURL, e.g. https://example.atlassian.net): workspace
//     discovery GET /rest/servicedeskapi/assets/workspace ({"values":
//     [{"workspaceId"}]}), Jira users GET /rest/api/3/user/bulk and
//     /rest/api/3/user/search (owner email ↔ account id), requests POST
//     /rest/servicedeskapi/request.
//   - Assets (option assetsApiUrl, default https://api.atlassian.com):
//     /jsm/assets/workspace/{workspaceId}/v1/… — POST object/aql with
//     {"qlQuery"} and startAt/maxResults/includeAttributes paging ending at
//     isLast; GET objecttype/{id}/attributes resolving the attribute ids
//     objects carry to names; GET/PUT object/{id}; POST object/create;
//     GET config/statustype; GET objectconnectedtickets/{id}/tickets.
//     (developer.atlassian.com/cloud/assets/rest/, api-group-object,
//     api-group-objecttype, api-group-objectconnectedtickets.)
//   - Auth: basic with the Atlassian account email and an API token
//     (credentials "email", "apiToken") on both hosts.
//
// Paging is by offset (startAt), so the Source implements
// connectors.OffsetPaging. Options are described at their constants.
package jsm

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/itam"
)

// Credential names.
const (
	CredEmail    = "email"
	CredAPIToken = "apiToken"
)

// Option names in connectors.Config.Options.
const (
	// OptAssetsAPIURL is the Assets API host (default DefaultAssetsAPIURL).
	OptAssetsAPIURL = "assetsApiUrl"
	// OptWorkspaceID skips the workspace discovery when set.
	OptWorkspaceID = "workspaceId"
	// OptObjectType is the object type listed (default "Computers").
	OptObjectType = "objectType"
	// OptAQL replaces `objectType = "<objectType>"` as the listing's AQL
	// (e.g. `objectSchema = "IT" AND objectType IN ("Laptops", "Monitors")`).
	OptAQL = "aql"
	// OptPageSize is the objects asked per AQL request (maxResults).
	OptPageSize = connectors.OptPageSize
	// OptAttributes maps roles (AttrSerial, …) to attribute names, over
	// DefaultAttributes.
	OptAttributes = "attributes"
	// OptStatusMap maps Assets status names (case-insensitive) to itam
	// statuses, replacing DefaultStatusMap.
	OptStatusMap = "statusMap"
	// OptCurrency is the currency of the cost attribute (Assets stores a
	// bare number), e.g. "EUR"; "" leaves it unknown.
	OptCurrency = "currency"
	// OptPeopleObjectType is the object type holding people (e.g.
	// "Employees"); "" (default) means this connector reports no people.
	OptPeopleObjectType = "peopleObjectType"
	// OptPeopleAttributes maps person roles (PersonEmail, …) to attribute
	// names, over DefaultPeopleAttributes.
	OptPeopleAttributes = "peopleAttributes"
	// OptServiceDeskID and OptRequestTypeID say where createTicket opens
	// requests; both are needed to create tickets.
	OptServiceDeskID = "serviceDeskId"
	OptRequestTypeID = "requestTypeId"
	// OptTicketField is the Assets custom field of the request type (e.g.
	// "customfield_10050") that links a new request to the object.
	OptTicketField = "ticketField"
)

// DefaultAssetsAPIURL is Atlassian's public Assets API host.
const DefaultAssetsAPIURL = "https://api.atlassian.com"

const (
	defaultPageSize       = 50
	maxPageSize           = 1000
	defaultMaxConcurrency = 4
)

func init() { connectors.Register(connectors.JSMAssets, New) }

// Source is one configured JSM Assets workspace.
type Source struct {
	api         *apiClient
	log         *slog.Logger
	site        string // https://example.atlassian.net
	assetsHost  string
	workspaceID string
	objectType  string
	aql         string
	pageSize    int
	attrs       map[string]string
	statusIn    map[string]string // lower-cased Assets status → itam status
	statusOut   map[string]string // itam status → Assets status name
	currency    string
	people      string
	peopleAttrs map[string]string
	serviceDesk string
	requestType string
	ticketField string

	mu         sync.Mutex
	typeAttrs  map[string][]apiAttribute // object type id → its attributes
	accounts   map[string]string         // account id → email ("" when hidden)
	byEmail    map[string]string         // lower-cased email → account id
	locations  map[string]string         // type id + "\x00" + name → object key
	statusIDs  map[string]string         // lower-cased status name → status type id
	createType string                    // the object type id records are created in
}

var (
	_ connectors.Source       = (*Source)(nil)
	_ connectors.PeopleSource = (*Source)(nil)
	_ connectors.Pusher       = (*Source)(nil)
	_ connectors.Ticketer     = (*Source)(nil)
	_ connectors.OffsetPaging = (*Source)(nil)
)

// New builds a JSM Assets Source; bad options are a *connectors.ConfigError
// naming "options.<name>", so createConnector refuses them.
func New(cfg connectors.Config) (connectors.Source, error) {
	site, err := connectors.BaseURL(cfg.BaseURL, "the Jira site URL", "https://example.atlassian.net", "/rest/servicedeskapi", "/rest/api/3", "/rest")
	if err != nil {
		return nil, err
	}
	email, err := cfg.Credential(CredEmail)
	if err != nil {
		return nil, err
	}
	token, err := cfg.Credential(CredAPIToken)
	if err != nil {
		return nil, err
	}
	common, err := cfg.CommonOptions(connectors.PageSize{Default: defaultPageSize, Max: maxPageSize}, defaultMaxConcurrency)
	if err != nil {
		return nil, err
	}
	s := &Source{
		log: common.Logger, site: site, pageSize: common.PageSize,
		typeAttrs: map[string][]apiAttribute{}, accounts: map[string]string{}, byEmail: map[string]string{},
		locations: map[string]string{},
	}
	host, err := stringOption(cfg, OptAssetsAPIURL, DefaultAssetsAPIURL)
	if err != nil {
		return nil, err
	}
	if s.assetsHost, _ = connectors.VendorURL(host); s.assetsHost == "" {
		return nil, optionError(OptAssetsAPIURL, fmt.Sprintf("%s %q is not an http(s) URL", OptAssetsAPIURL, host))
	}
	if s.workspaceID, err = stringOption(cfg, OptWorkspaceID, ""); err != nil {
		return nil, err
	}
	if s.objectType, err = stringOption(cfg, OptObjectType, "Computers"); err != nil {
		return nil, err
	}
	if s.objectType == "" || strings.Contains(s.objectType, `"`) {
		return nil, optionError(OptObjectType, OptObjectType+" must be an object type name without double quotes")
	}
	if s.aql, err = stringOption(cfg, OptAQL, ""); err != nil {
		return nil, err
	}
	if s.attrs, err = roleMap(cfg, OptAttributes, DefaultAttributes); err != nil {
		return nil, err
	}
	if s.statusIn, s.statusOut, err = statusMaps(cfg); err != nil {
		return nil, err
	}
	if s.currency, err = stringOption(cfg, OptCurrency, ""); err != nil {
		return nil, err
	}
	if s.currency != "" && (len(s.currency) != 3 || strings.ToUpper(s.currency) != s.currency) {
		return nil, optionError(OptCurrency, OptCurrency+" must be an ISO 4217 code such as EUR")
	}
	if s.people, err = stringOption(cfg, OptPeopleObjectType, ""); err != nil {
		return nil, err
	}
	if strings.Contains(s.people, `"`) {
		return nil, optionError(OptPeopleObjectType, OptPeopleObjectType+" must be an object type name without double quotes")
	}
	if s.peopleAttrs, err = roleMap(cfg, OptPeopleAttributes, DefaultPeopleAttributes); err != nil {
		return nil, err
	}
	for name, dst := range map[string]*string{OptServiceDeskID: &s.serviceDesk, OptRequestTypeID: &s.requestType, OptTicketField: &s.ticketField} {
		if *dst, err = stringOption(cfg, name, ""); err != nil {
			return nil, err
		}
	}
	if (s.serviceDesk == "") != (s.requestType == "") {
		return nil, optionError(OptRequestTypeID, "serviceDeskId and requestTypeId are set together (both needed to open requests)")
	}
	s.api = &apiClient{c: vendorhttp.New(vendorhttp.Options{
		BaseURL:        site,
		Transport:      vendorhttp.NewTransport(cfg.Egress),
		Auth:           vendorhttp.BasicAuth{User: email, Password: token},
		MaxConcurrency: common.MaxConcurrency,
		MaxInlineWait:  cfg.MaxInlineWait,
		BaseWait:       cfg.RetryBaseWait,
		PrivilegeFor:   privilegeFor,
	})}
	return s, nil
}

// Kind reports connectors.JSMAssets.
func (s *Source) Kind() connectors.Kind { return connectors.JSMAssets }

// OffsetPaging reports true: AQL pages by startAt.
func (s *Source) OffsetPaging() bool { return true }

func optionError(name, msg string) error {
	return &connectors.ConfigError{Field: "options." + name, Message: msg}
}

func stringOption(cfg connectors.Config, name, def string) (string, error) {
	v, ok := cfg.Options[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		if x = strings.TrimSpace(x); x != "" {
			return x, nil
		}
		return def, nil
	case float64:
		if x == math.Trunc(x) {
			return fmt.Sprintf("%.0f", x), nil // ids pasted as numbers
		}
	case int:
		return fmt.Sprint(x), nil
	}
	return "", optionError(name, fmt.Sprintf("%s must be text, got %T", name, v))
}

func stringMap(cfg connectors.Config, name string) (map[string]string, error) {
	v, ok := cfg.Options[name]
	if !ok || v == nil {
		return nil, nil
	}
	out := map[string]string{}
	switch m := v.(type) {
	case map[string]string:
		for k, x := range m {
			out[k] = x
		}
	case map[string]any:
		for k, x := range m {
			str, ok := x.(string)
			if !ok {
				return nil, optionError(name, fmt.Sprintf("%s.%s must be text, got %T", name, k, x))
			}
			out[k] = str
		}
	default:
		return nil, optionError(name, fmt.Sprintf("%s must be an object of names, got %T", name, v))
	}
	return out, nil
}

// roleMap reads a role → attribute name map over defaults; unknown roles
// are refused (a typo would silently map nothing).
func roleMap(cfg connectors.Config, name string, defaults map[string]string) (map[string]string, error) {
	given, err := stringMap(cfg, name)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range given {
		if _, ok := defaults[k]; !ok {
			roles := make([]string, 0, len(defaults))
			for r := range defaults {
				roles = append(roles, r)
			}
			sort.Strings(roles)
			return nil, optionError(name, fmt.Sprintf("%s: unknown role %q (known: %s)", name, k, strings.Join(roles, ", ")))
		}
		out[k] = strings.TrimSpace(v) // "" turns a role off
	}
	return out, nil
}

// statusMaps reads OptStatusMap (or DefaultStatusMap) into the pull map
// (lower-cased Assets name → itam status) and the push map (itam status →
// the Assets name pushed: the first name mapping to it, alphabetically,
// unless DefaultStatusMap's own preference applies).
func statusMaps(cfg connectors.Config) (in, out map[string]string, err error) {
	given, err := stringMap(cfg, OptStatusMap)
	if err != nil {
		return nil, nil, err
	}
	src := DefaultStatusMap
	if given != nil {
		src = given
	}
	in, out = map[string]string{}, map[string]string{}
	names := make([]string, 0, len(src))
	for k := range src {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		st := strings.ToUpper(strings.TrimSpace(src[k]))
		if !validStatus(st) {
			return nil, nil, optionError(OptStatusMap, fmt.Sprintf("%s: %q maps to %q, which is not an asset status", OptStatusMap, k, src[k]))
		}
		in[strings.ToLower(strings.TrimSpace(k))] = st
		if _, ok := out[st]; !ok {
			out[st] = strings.TrimSpace(k)
		}
	}
	if given == nil {
		for st, name := range defaultPushStatus {
			out[st] = name
		}
	}
	return in, out, nil
}

func validStatus(s string) bool {
	for _, x := range itam.AssetStatuses {
		if string(x) == s {
			return true
		}
	}
	return false
}

// assetsURL is the Assets API URL of path in the workspace, discovering
// the workspace id once.
func (s *Source) assetsURL(ctx context.Context, path string) (string, error) {
	ws, err := s.workspace(ctx)
	if err != nil {
		return "", err
	}
	return s.assetsHost + "/jsm/assets/workspace/" + ws + "/v1" + path, nil
}

// workspace returns the Assets workspace id: the option, else the first
// (on cloud: the only) id the site's discovery endpoint lists.
func (s *Source) workspace(ctx context.Context) (string, error) {
	s.mu.Lock()
	ws := s.workspaceID
	s.mu.Unlock()
	if ws != "" {
		return ws, nil
	}
	var out apiWorkspaces
	if err := s.api.do(ctx, http.MethodGet, s.site+"/rest/servicedeskapi/assets/workspace", nil, nil, retrySafe, &out); err != nil {
		return "", fmt.Errorf("jsm: discovering the Assets workspace: %w", err)
	}
	if len(out.Values) == 0 || out.Values[0].WorkspaceID == "" {
		return "", &connectors.ConfigError{Field: "baseUrl", Message: "the site has no Assets workspace (is Assets enabled in Jira Service Management?)"}
	}
	s.mu.Lock()
	s.workspaceID = out.Values[0].WorkspaceID
	s.mu.Unlock()
	return out.Values[0].WorkspaceID, nil
}
