// Package servicenow is the connector for ServiceNow, through its Table API
// (ServiceNow "REST API reference: Table API", /api/now/table/{tableName}):
//
//   - Devices: GET /api/now/table/{table} (option table: cmdb_ci_computer by
//     default, any CMDB class, or the asset table alm_hardware) with
//     sysparm_query "ORDERBYsys_id" (stable order; incremental syncs add
//     "sys_updated_on>=YYYY-MM-DD HH:MM:SS" in UTC), sysparm_fields with the
//     dot-walked names itam needs (assigned_to.email, location.name …),
//     sysparm_limit/sysparm_offset, sysparm_exclude_reference_link=true.
//     The next page is the Link header's rel="next"; X-Total-Count is logged.
//   - People: the same over sys_user (PeopleSource), the manager's email
//     and the department's name dot-walked, so no request per person.
//   - Push: PATCH /api/now/table/{table}/{sys_id} with only the opted
//     fields; create: POST /api/now/table/{table} (Pusher). Many records
//     at once: those PATCHes as the calls of one Batch API request,
//     POST /api/now/v1/batch (BatchPusher, batch.go).
//   - Tickets: incidents whose cmdb_ci is the record (Ticketer).
//
// Authentication is HTTP basic (username + password) or OAuth 2.0 at
// /oauth_token.do ("OAuth API request parameters": form-encoded,
// client_credentials, or the password grant when a username and password
// come with the client), the token renewed a minute before it expires.
//
// The Table API pages by offset only, so the source says so
// (connectors.OffsetPaging): a record added mid-run shifts later pages and
// a full sync marks devices missing only after two runs miss them.
//
// Dates are sent and read as UTC: set the integration user's time zone to
// GMT, as ServiceNow recommends for integrations, so the incremental
// filter and the dates agree.
package servicenow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// The names a ServiceNow connection is configured with.
const (
	CredentialUsername     = "username"
	CredentialPassword     = "password"
	CredentialClientID     = "clientId"
	CredentialClientSecret = "clientSecret"

	// OptionTable is the table devices are read from and pushed to
	// (default cmdb_ci_computer; alm_hardware reads hardware assets).
	OptionTable = "table"
	// OptionPageSize is sysparm_limit (default 1000, at most 10000, the
	// Table API's own default limit).
	OptionPageSize = connectors.OptPageSize
	// OptionStatusMap maps install_status codes to itam statuses, over
	// DefaultStatusMap (a code mapped to "" is left alone).
	OptionStatusMap = "statusMap"
	// OptionQuery is an encoded query ANDed to every device listing, e.g.
	// "install_status!=7" or "company.name=Acme" (default none).
	OptionQuery = "query"
)

const (
	defaultTable    = "cmdb_ci_computer"
	defaultPageSize = 1000
	maxPageSize     = 10000
	defaultWorkers  = 4
	tablePath       = "/api/now/table/"
	userTable       = "sys_user"
)

var (
	tableName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,79}$`)
	sysID     = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

func init() { connectors.Register(connectors.ServiceNow, New) }

type source struct {
	client *vendorhttp.Client
	// tokenClient sends OAuth token requests (no Authorization header).
	tokenClient *vendorhttp.Client
	auth        vendorhttp.Authenticator
	tokens      *vendorhttp.TokenCache // nil with basic auth
	base        string
	errBase     string
	table       string
	profile     profile
	pageSize    int
	query       string
	statuses    statusMap
	logger      *slog.Logger
	refs        *refCache
	// refScope keys shared reference lookups: the instance and the API
	// identity (what that identity may read is what it may resolve).
	refScope string
	now      func() time.Time
}

// New builds a ServiceNow source. BaseURL is the instance
// (https://<instance>.service-now.com).
func New(cfg connectors.Config) (connectors.Source, error) {
	base, err := connectors.BaseURL(cfg.BaseURL, "the ServiceNow instance URL", "https://example.service-now.com", "/api/now/table", "/api/now", "/navpage.do")
	if err != nil {
		return nil, err
	}
	opt, err := cfg.CommonOptions(connectors.PageSize{Default: defaultPageSize, Max: maxPageSize}, defaultWorkers)
	if err != nil {
		return nil, err
	}
	table := defaultTable
	if v, ok := cfg.Options[OptionTable]; ok && v != nil {
		s, _ := v.(string)
		table = strings.TrimSpace(s)
		if !tableName.MatchString(table) || table == userTable || table == "incident" {
			return nil, &connectors.ConfigError{Field: "options." + OptionTable,
				Message: fmt.Sprintf("%s must be a ServiceNow hardware table name such as cmdb_ci_computer or alm_hardware, got %v", OptionTable, v)}
		}
	}
	query := ""
	if v, ok := cfg.Options[OptionQuery]; ok && v != nil {
		s, isString := v.(string)
		query = strings.TrimSpace(s)
		// The listing's own ORDERBY keeps paging stable; an OR of whole
		// queries (^NQ) would escape the incremental filter.
		if !isString || strings.Contains(query, "ORDERBY") || strings.Contains(query, "^NQ") || strings.ContainsAny(query, "\n\r") {
			return nil, &connectors.ConfigError{Field: "options." + OptionQuery,
				Message: OptionQuery + " must be an encoded query filter without ORDERBY or ^NQ"}
		}
	}
	statuses, err := readStatusMap(cfg)
	if err != nil {
		return nil, err
	}
	s := &source{base: base, errBase: vendorhttp.RedactURL(base), table: table, profile: profileFor(table),
		pageSize: opt.PageSize, query: query, statuses: statuses,
		logger: opt.Logger.With("connector", string(connectors.ServiceNow)), refs: sharedRefs, now: time.Now}
	// The secret's digest is part of the scope, so a connector naming
	// another's instance and user with a wrong password never reads what
	// the other's lookups cached.
	secret := sha256.Sum256([]byte(cfg.Credentials[CredentialClientSecret] + "\x00" + cfg.Credentials[CredentialPassword]))
	s.refScope = base + "\x00" + cfg.Credentials[CredentialClientID] + "\x00" + cfg.Credentials[CredentialUsername] + "\x00" + hex.EncodeToString(secret[:])
	transport := vendorhttp.NewTransport(cfg.Egress)
	// Token requests go through a client of their own: the API client's
	// authenticator is what asks for them.
	s.tokenClient = vendorhttp.New(vendorhttp.Options{
		BaseURL:       base,
		Transport:     transport,
		MaxInlineWait: cfg.MaxInlineWait,
		BaseWait:      cfg.RetryBaseWait,
	})
	if s.auth, err = s.authenticator(cfg, base); err != nil {
		return nil, err
	}
	s.client = vendorhttp.New(vendorhttp.Options{
		BaseURL:        base,
		Transport:      transport,
		Auth:           s.auth,
		MaxConcurrency: opt.MaxConcurrency,
		MaxInlineWait:  cfg.MaxInlineWait,
		BaseWait:       cfg.RetryBaseWait,
	})
	return s, nil
}

// authenticator picks the flow from the credentials given: a client id
// means OAuth (the password grant when a user comes with it), otherwise
// basic authentication.
func (s *source) authenticator(cfg connectors.Config, base string) (vendorhttp.Authenticator, error) {
	if cfg.Credentials[CredentialClientID] == "" {
		user, err := cfg.Credential(CredentialUsername)
		if err != nil {
			return nil, err
		}
		pass, err := cfg.Credential(CredentialPassword)
		if err != nil {
			return nil, err
		}
		return vendorhttp.BasicAuth{User: user, Password: pass}, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	for _, name := range []string{CredentialClientID, CredentialClientSecret} {
		v, err := cfg.Credential(name)
		if err != nil {
			return nil, err
		}
		form.Set(map[string]string{CredentialClientID: "client_id", CredentialClientSecret: "client_secret"}[name], v)
	}
	if user := cfg.Credentials[CredentialUsername]; user != "" {
		pass, err := cfg.Credential(CredentialPassword)
		if err != nil {
			return nil, err
		}
		form.Set("grant_type", "password")
		form.Set("username", user)
		form.Set("password", pass)
	}
	tokenURL := strings.TrimSpace(cfg.AuthURL)
	if tokenURL == "" {
		tokenURL = base + "/oauth_token.do"
	} else if u, err := url.Parse(tokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &connectors.ConfigError{Field: "authUrl", Message: "authUrl must be an http(s) URL of the instance's /oauth_token.do"}
	}
	s.tokens = &vendorhttp.TokenCache{Fetch: func(ctx context.Context) (*oauth2.Token, error) {
		return s.fetchToken(ctx, tokenURL, form)
	}, Now: func() time.Time { return s.now() }}
	return s.tokens, nil
}

func (s *source) Kind() connectors.Kind { return connectors.ServiceNow }

// OffsetPaging: the Table API pages by sysparm_offset only.
func (s *source) OffsetPaging() bool { return true }

// FetchPage lists one page of the device table.
func (s *source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	rows, next, done, err := s.list(ctx, s.table, s.profile.fields(), s.query, req)
	if err != nil {
		return connectors.Page{}, err
	}
	out := connectors.Page{Devices: make([]connectors.Device, 0, len(rows)), NextCursor: next, Done: done}
	for _, r := range rows {
		out.Devices = append(out.Devices, s.profile.toDevice(r, s.statuses))
	}
	return out, nil
}

// FetchPeoplePage lists one page of sys_user. Inactive users are listed
// too: that is how itam learns someone left.
func (s *source) FetchPeoplePage(ctx context.Context, req connectors.PageRequest) (connectors.PeoplePage, error) {
	rows, next, done, err := s.list(ctx, userTable, userFields, "", req)
	if err != nil {
		return connectors.PeoplePage{}, err
	}
	out := connectors.PeoplePage{People: make([]connectors.Person, 0, len(rows)), NextCursor: next, Done: done}
	for _, r := range rows {
		out.People = append(out.People, toPerson(r))
	}
	return out, nil
}

// list reads one page of table ordered by sys_id from the cursor's offset.
func (s *source) list(ctx context.Context, table, fields, filter string, req connectors.PageRequest) ([]record, string, bool, error) {
	offset, ok := req.Offset()
	if !ok {
		return nil, "", false, fmt.Errorf("servicenow: cursor %q is not a record offset", req.Cursor)
	}
	var terms []string
	if filter != "" {
		terms = append(terms, filter)
	}
	if req.Mode == connectors.Incremental && req.Since != nil {
		terms = append(terms, "sys_updated_on>="+req.Since.UTC().Format(dateTime))
	}
	terms = append(terms, "ORDERBYsys_id")
	q := url.Values{
		"sysparm_query":                  {strings.Join(terms, "^")},
		"sysparm_fields":                 {fields},
		"sysparm_limit":                  {strconv.Itoa(s.pageSize)},
		"sysparm_offset":                 {strconv.Itoa(offset)},
		"sysparm_exclude_reference_link": {"true"},
		"sysparm_display_value":          {"false"},
	}
	path := tablePath + table
	var resp listResponse
	h, err := s.client.Do(ctx, vendorhttp.Call{Path: path, Query: q}, &resp)
	if err != nil {
		return nil, "", false, err
	}
	if resp.Result == nil {
		return nil, "", false, s.malformed(path, errors.New(`no "result" in the answer`))
	}
	rows := *resp.Result
	if len(rows) > s.pageSize {
		// The instance ignored sysparm_limit; following it would not end.
		return nil, "", false, s.malformed(path, fmt.Errorf("%d records on a page of %d", len(rows), s.pageSize))
	}
	for _, r := range rows {
		if r.get("sys_id") == "" {
			return nil, "", false, s.malformed(path, errors.New("a record without a sys_id"))
		}
	}
	next, hasNext, err := nextOffset(h)
	if err != nil {
		return nil, "", false, s.malformed(path, err)
	}
	if len(h.Values("Link")) == 0 && len(rows) == s.pageSize {
		// A proxy that drops the Link header: a full page may have more.
		next, hasNext = offset+len(rows), true
	}
	if hasNext && next <= offset {
		return nil, "", false, s.malformed(path, fmt.Errorf("the next link goes back to offset %d from %d", next, offset))
	}
	if total := h.Get("X-Total-Count"); total != "" {
		s.logger.DebugContext(ctx, "servicenow page", "table", table, "offset", offset, "records", len(rows), "total", total)
	}
	if !hasNext || len(rows) == 0 {
		return rows, "", true, nil
	}
	return rows, strconv.Itoa(next), false, nil
}

// FetchDevice reads one record by sys_id; nil when the instance no longer
// has it (or an ACL hides it: the Table API answers both with 404).
func (s *source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	if !sysID.MatchString(externalID) {
		return nil, fmt.Errorf("servicenow: %q is not a sys_id", externalID)
	}
	q := url.Values{"sysparm_fields": {s.profile.fields()}, "sysparm_exclude_reference_link": {"true"}, "sysparm_display_value": {"false"}}
	var resp oneResponse
	if err := s.client.GetJSON(ctx, tablePath+s.table+"/"+externalID, q, &resp); err != nil {
		if vendorhttp.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if resp.Result == nil || resp.Result.get("sys_id") == "" {
		return nil, s.malformed(tablePath+s.table, errors.New(`no "result" with a sys_id in the answer`))
	}
	d := s.profile.toDevice(*resp.Result, s.statuses)
	return &d, nil
}

func (s *source) malformed(path string, err error) error {
	return &connectors.MalformedError{URL: s.errBase + path, Err: err}
}

// What a ServiceNow source is, checked at compile time.
var (
	_ connectors.PeopleSource = (*source)(nil)
	_ connectors.Pusher       = (*source)(nil)
	_ connectors.Ticketer     = (*source)(nil)
	_ connectors.OffsetPaging = (*source)(nil)
)
