// Package jamf is the Jamf Pro connector: computers from the Jamf Pro API's
// computer inventory, then Jamf-managed iPhones and iPads from its mobile
// device inventory, authenticated as an API client (OAuth 2.0 client
// credentials) or a user account (bearer token from HTTP Basic).
//
// Both lists are paged by key, never by offset: every request asks page 0
// of the records whose id is above the last one read (RSQL id>N, or
// mobileDeviceId>N, both documented as filterable), sorted by that id
// ascending. A computer enrolled or deleted mid-run therefore shifts no
// page, so no existing device is skipped and a full sync marks nothing
// missing that Jamf still has. Jamf caps page-size at 2000 without saying
// so; with key paging that is harmless: the end is the page that holds
// every remaining record (results = totalCount) or an empty one.
//
// An incremental sync asks for computers whose inventory report
// (general.reportDate) OR last check-in (general.lastContactTime; /v4
// general.lastContact) is at or after the bound: Jamf's inventory reports
// come weekly by default while check-ins come every ~15 minutes, so a
// reportDate filter alone would never refresh lastCheckIn. Mobile devices
// have one documented timestamp filter, lastInventoryUpdateDate.
//
// The computers-inventory endpoints are versioned: /v1 is deprecated since
// 2025-06-30, /v2 since 2025-11-06, /v3 since Jamf Pro 11.30 in favour of
// /v4. By default the connector asks the newest first and falls back to an
// older version when the server answers 404 (an older Jamf Pro), once per
// Source; the "apiVersion" option pins one.
package jamf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

func init() { connectors.Register(connectors.JamfPro, New) }

// Credential names in connectors.Config.Credentials.
const (
	CredClientID     = "clientId"
	CredClientSecret = "clientSecret"
	CredUsername     = "username"
	CredPassword     = "password"
)

// Option names in connectors.Config.Options.
const (
	// OptPageSize is the page-size asked of Jamf (default DefaultPageSize,
	// at most MaxPageSize).
	OptPageSize = connectors.OptPageSize
	// OptIncludeSoftware says whether to read the APPLICATIONS section
	// (default true).
	OptIncludeSoftware = connectors.OptIncludeSoftware
	// OptAPIVersion pins the computers-inventory version: "v1", "v2",
	// "v3", "v4", or "auto" (default: newest the server has).
	OptAPIVersion = "apiVersion"
	// OptMobileDevices says whether to sync mobile devices after the
	// computers (default true). An API role without "Read Mobile Devices"
	// turns it off rather than failing every run with a 403.
	OptMobileDevices = "mobileDevices"
)

const (
	// DefaultPageSize balances round trips against the time Jamf takes to
	// assemble a page with the APPLICATIONS section.
	DefaultPageSize = 500
	// MaxPageSize is Jamf Pro's undocumented, silently enforced cap.
	MaxPageSize = 2000
	// DefaultMaxConcurrency follows Jamf's scalability guidance: no more
	// than 5 concurrent connections.
	DefaultMaxConcurrency = 5
)

// APIVersions are the computers-inventory versions, newest first.
var APIVersions = []string{"v4", "v3", "v2", "v1"}

// Sections read from the inventory, in the enum spelling Jamf documents
// (ComputerSection).
var (
	baseSections = []string{"GENERAL", "HARDWARE", "OPERATING_SYSTEM", "USER_AND_LOCATION", "PURCHASING"}
	appSection   = "APPLICATIONS"
)

// Source is one configured Jamf Pro instance.
type Source struct {
	api      *vendorhttp.Client
	auth     *vendorhttp.TokenCache
	baseURL  string
	pageSize int
	conc     int
	software bool
	mobile   bool
	sections []string
	mobSecs  []string
	log      *slog.Logger

	mu      sync.Mutex
	version string // resolved inventory version; "" until the first answer in auto mode
	// contactSkip counts, per version, the last-contact field names the
	// server refused in a filter (see contactFields).
	contactSkip map[string]int
}

// New builds a Jamf Pro Source. BaseURL (https://<tenant>.jamfcloud.com or
// an on-premises server) is required: Jamf has no shared public endpoint.
func New(cfg connectors.Config) (connectors.Source, error) {
	s, err := newSource(cfg, time.Now)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// newSource is New with the clock token lifetimes are measured on.
func newSource(cfg connectors.Config, now func() time.Time) (*Source, error) {
	base, err := instanceURL(cfg.BaseURL, "baseUrl", true)
	if err != nil {
		return nil, err
	}
	authBase := base
	if cfg.AuthURL != "" {
		if authBase, err = instanceURL(cfg.AuthURL, "authUrl", false); err != nil {
			return nil, err
		}
	}
	s := &Source{baseURL: base}
	if err := s.applyOptions(cfg); err != nil {
		return nil, err
	}
	// One guarded transport for the API and its token requests.
	transport := vendorhttp.NewTransport(cfg.Egress)
	if s.auth, err = newAuthenticator(cfg, authBase, transport, now); err != nil {
		return nil, err
	}
	s.api = vendorhttp.New(vendorhttp.Options{
		BaseURL:        base,
		Transport:      transport,
		Auth:           s.auth,
		MaxConcurrency: s.conc,
		MaxInlineWait:  cfg.MaxInlineWait,
		BaseWait:       cfg.RetryBaseWait,
		PrivilegeFor:   privilegeFor,
	})
	s.sections = append([]string(nil), baseSections...)
	s.mobSecs = append([]string(nil), mobileSections...)
	if s.software {
		s.sections = append(s.sections, appSection)
		s.mobSecs = append(s.mobSecs, appSection)
	}
	return s, nil
}

// instanceURL validates an instance URL and drops a trailing "/" or "/api"
// (people paste the API's base).
func instanceURL(raw, field string, required bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if required {
			return "", &connectors.ConfigError{Field: field, Message: field + " is required: the Jamf Pro server URL, e.g. https://yourcompany.jamfcloud.com"}
		}
		return "", nil
	}
	u, ok := connectors.VendorURL(raw, "/api")
	if !ok {
		return "", &connectors.ConfigError{Field: field, Message: fmt.Sprintf("%s %q is not an http(s) URL", field, raw)}
	}
	return u, nil
}

func (s *Source) applyOptions(cfg connectors.Config) error {
	// Jamf silently caps page-size at MaxPageSize: larger values are clamped.
	opt, err := cfg.CommonOptions(connectors.PageSize{Default: DefaultPageSize, Max: MaxPageSize, Clamp: true}, DefaultMaxConcurrency)
	if err != nil {
		return err
	}
	s.pageSize, s.software, s.log, s.conc = opt.PageSize, opt.Software, opt.Logger, opt.MaxConcurrency
	if s.mobile, err = cfg.BoolOption(OptMobileDevices, true); err != nil {
		return err
	}
	if v, ok := cfg.Options[OptAPIVersion]; ok && v != nil {
		str, isString := v.(string)
		str = strings.ToLower(strings.TrimSpace(str))
		switch {
		case !isString:
			return &connectors.ConfigError{Field: "options." + OptAPIVersion, Message: fmt.Sprintf("%s must be a string, got %v", OptAPIVersion, v)}
		case str == "" || str == "auto":
		case slices.Contains(APIVersions, str):
			s.version = str
		default:
			return &connectors.ConfigError{Field: "options." + OptAPIVersion, Message: fmt.Sprintf("%s must be auto, %s; got %v", OptAPIVersion, strings.Join(APIVersions, ", "), v)}
		}
	}
	return nil
}

// Kind is JamfPro.
func (s *Source) Kind() connectors.Kind { return connectors.JamfPro }

// The phases of a run, in order.
const (
	phaseComputers = "computers"
	phaseMobile    = "mobile"
)

// cursor is the position of the next page: the phase, the last id read in
// it (0 before the first page), the page-size asked (kept so a resumed
// run asks the same) and the bound of an incremental run.
type cursor struct {
	Phase string
	After int
	Size  int
	Since *time.Time
}

func (c cursor) String() string {
	v := url.Values{}
	v.Set("phase", c.Phase)
	v.Set("after", strconv.Itoa(c.After))
	v.Set("size", strconv.Itoa(c.Size))
	if c.Since != nil {
		v.Set("since", c.Since.UTC().Format(time.RFC3339Nano))
	}
	return v.Encode()
}

func parseCursor(s string) (cursor, error) {
	v, err := url.ParseQuery(s)
	if err != nil {
		return cursor{}, err
	}
	c := cursor{Phase: v.Get("phase")}
	switch c.Phase {
	case phaseComputers, phaseMobile:
		if c.After, err = strconv.Atoi(v.Get("after")); err != nil || c.After < 0 {
			return cursor{}, fmt.Errorf("bad after %q", v.Get("after"))
		}
	case "":
		// A cursor of the offset-paging releases (page=…&size=…&eff=…),
		// stored by a run interrupted across the upgrade: its page
		// number means nothing to key paging, so the run starts over
		// with the computers, which only reads some records twice.
		if _, err := strconv.Atoi(v.Get("page")); err != nil {
			return cursor{}, fmt.Errorf("bad phase %q", v.Get("phase"))
		}
		c.Phase = phaseComputers
	default:
		return cursor{}, fmt.Errorf("bad phase %q", c.Phase)
	}
	if c.Size, err = strconv.Atoi(v.Get("size")); err != nil || c.Size < 1 {
		return cursor{}, fmt.Errorf("bad size %q", v.Get("size"))
	}
	if raw := v.Get("since"); raw != "" {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return cursor{}, fmt.Errorf("bad since %q", raw)
		}
		c.Since = &t
	}
	return c, nil
}

// FetchPage returns one page of computers or, once they are done, of
// mobile devices. The first page (empty Cursor) starts the computers with
// the configured page size and, for an incremental request with Since,
// its bound; later pages take everything from the cursor, so a resumed
// run reads exactly what the interrupted one would have, in the same
// phase.
//
// The last computers page carries the first mobile page with it (one
// more request in the same call): a tenant without mobile devices syncs
// in as many pages as before they were read, and the cursor after that
// page already says "mobile", so a crash there resumes with the mobile
// devices.
func (s *Source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	var cur cursor
	if req.Cursor == "" {
		cur = cursor{Phase: phaseComputers, Size: s.pageSize}
		if req.Mode == connectors.Incremental && req.Since != nil {
			since := req.Since.UTC()
			cur.Since = &since
		}
	} else {
		var err error
		if cur, err = parseCursor(req.Cursor); err != nil {
			return connectors.Page{}, fmt.Errorf("jamf: invalid cursor %q: %w", req.Cursor, err)
		}
	}
	var out connectors.Page
	if cur.Phase == phaseComputers {
		devices, last, done, err := s.computerPage(ctx, cur)
		if err != nil {
			return connectors.Page{}, err
		}
		out.Devices = devices
		if !done {
			cur.After = last
			out.NextCursor = cur.String()
			return out, nil
		}
		if !s.mobile {
			out.Done = true
			return out, nil
		}
		cur.Phase, cur.After = phaseMobile, 0
	}
	devices, last, done, err := s.mobilePage(ctx, cur)
	if err != nil {
		return connectors.Page{}, err
	}
	out.Devices = append(out.Devices, devices...)
	if done {
		out.Done = true
		return out, nil
	}
	cur.After = last
	out.NextCursor = cur.String()
	return out, nil
}

// computerPage reads the computers after cur.After: the page's devices,
// the last id in it and whether it held every remaining computer.
func (s *Source) computerPage(ctx context.Context, cur cursor) ([]connectors.Device, int, bool, error) {
	q := s.query(0, cur.Size)
	var (
		page   *inventoryPage
		target string
		err    error
	)
	for {
		var ver string // the version the last request went to
		page, target, err = s.list(ctx, q, func(version string) string {
			ver = version
			return computerFilter(cur.After, cur.Since, s.contactField(version))
		})
		if cur.Since != nil && isBadRequest(err) && s.dropContactField(ver) {
			continue // asked again with the next name for the last contact
		}
		break
	}
	if err != nil {
		return nil, 0, false, err
	}
	devices, err := s.devices(page, target)
	if err != nil {
		return nil, 0, false, err
	}
	last, err := lastID(devices, "", cur.After, target)
	if err != nil {
		return nil, 0, false, err
	}
	n := len(page.Results)
	return devices, last, n == 0 || n >= *page.TotalCount, nil
}

// lastID is the largest id of a key-paged page (ids after prefix), which
// must all be numbers above after: anything else would page forever or
// skip records.
func lastID(devices []connectors.Device, prefix string, after int, target string) (int, error) {
	last := after
	for _, d := range devices {
		id, err := strconv.Atoi(strings.TrimPrefix(d.ExternalID, prefix))
		if err != nil || id <= after {
			return 0, &connectors.MalformedError{URL: target, Err: fmt.Errorf("id %q is not a number above %d", d.ExternalID, after)}
		}
		last = max(last, id)
	}
	return last, nil
}

// FetchDevice returns one device by its external id: a computer by its
// Jamf id ("42"), read through the inventory list filtered on id (RSQL
// id=="42": the same sections and mapping as a sync, where the
// computers-inventory-detail endpoint would return every section, and an
// answer that cannot be confused with a missing endpoint version), or a
// mobile device by "mobile:<id>". nil when Jamf no longer knows it.
func (s *Source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	id := strings.TrimSpace(externalID)
	mobile := strings.HasPrefix(id, mobilePrefix)
	id = strings.TrimPrefix(id, mobilePrefix)
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return nil, nil // Jamf ids are numbers: no such device
	}
	if mobile {
		return s.fetchMobile(ctx, id)
	}
	q := s.query(0, 1)
	page, target, err := s.list(ctx, q, func(string) string { return `id=="` + id + `"` })
	if err != nil {
		return nil, err
	}
	devices, err := s.devices(page, target)
	if err != nil {
		return nil, err
	}
	for i := range devices {
		if devices[i].ExternalID == id {
			return &devices[i], nil
		}
	}
	return nil, nil
}

// query is the common part of an inventory request.
func (s *Source) query(page, size int) url.Values {
	q := url.Values{}
	for _, sec := range s.sections {
		q.Add("section", sec)
	}
	q.Set("page", strconv.Itoa(page))
	q.Set("page-size", strconv.Itoa(size))
	q.Set("sort", "id:asc")
	return q
}

// list GETs one inventory page from the resolved version, or, in auto mode
// before any answer, from the newest version the server has.
// filter gives the RSQL filter for the version asked (field names differ).
func (s *Source) list(ctx context.Context, q url.Values, filter func(version string) string) (*inventoryPage, string, error) {
	s.mu.Lock()
	v := s.version
	s.mu.Unlock()
	candidates := APIVersions
	if v != "" {
		candidates = []string{v}
	}
	var lastErr error
	for i, ver := range candidates {
		path := "/api/" + ver + "/computers-inventory"
		q.Set("filter", filter(ver))
		var page inventoryPage
		err := s.api.GetJSON(ctx, path, q, &page)
		if vendorhttp.IsNotFound(err) && v == "" && i < len(candidates)-1 {
			s.log.Info("jamf: computers-inventory version not on this server, trying an older one", "version", ver)
			lastErr = err
			continue
		}
		if err != nil {
			return nil, "", err
		}
		if page.TotalCount == nil {
			return nil, "", &connectors.MalformedError{URL: s.baseURL + path, Err: errors.New("no totalCount: not a computers-inventory page")}
		}
		if v == "" {
			s.mu.Lock()
			s.version = ver
			s.mu.Unlock()
		}
		return &page, s.baseURL + path, nil
	}
	return nil, "", lastErr
}

// devices maps a page; a record without an id fails the whole page, since
// nothing of it could be matched to the inventory.
func (s *Source) devices(page *inventoryPage, target string) ([]connectors.Device, error) {
	out := make([]connectors.Device, 0, len(page.Results))
	for i, c := range page.Results {
		if strings.TrimSpace(string(c.ID)) == "" {
			return nil, &connectors.MalformedError{URL: target, Err: fmt.Errorf("result %d has no id", i)}
		}
		d := toDevice(c, s.software)
		if c.Purchasing != nil && d.PurchasePrice == "" && strings.TrimSpace(string(c.Purchasing.PurchasePrice)) != "" {
			s.log.Debug("jamf: unreadable purchase price", "id", d.ExternalID, "purchasePrice", string(c.Purchasing.PurchasePrice))
		}
		out = append(out, d)
	}
	return out, nil
}
