// Package jamf is the Jamf Pro connector: computers from the Jamf Pro API's
// computer inventory, authenticated as an API client (OAuth 2.0 client
// credentials) or a user account (bearer token from HTTP Basic).
//
// Paging follows the endpoint's page/page-size parameters (page is
// 0-based) with a stable sort=id:asc. Jamf caps page-size at 2000 without
// saying so (asking for more returns 2000 rows and the true totalCount), so
// the connector never trusts the size it asked for: the end is a short or
// empty page, or totalCount reached at the page size the server actually
// used. An incremental sync filters on general.reportDate, the time of the
// computer's last inventory report.
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
	sections []string
	log      *slog.Logger

	mu      sync.Mutex
	version string // resolved inventory version; "" until the first answer in auto mode
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
		PrivilegeFor:   privilegeFor,
	})
	s.sections = append([]string(nil), baseSections...)
	if s.software {
		s.sections = append(s.sections, appSection)
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

// cursor is the position of the next page: Jamf's 0-based page number, the
// page-size asked (kept so a resumed run asks the same and pages line up),
// the page size the server actually used (learnt from the first page; 0
// before), and the reportDate bound of an incremental run.
type cursor struct {
	Page  int
	Size  int
	Eff   int
	Since *time.Time
}

func (c cursor) String() string {
	v := url.Values{}
	v.Set("page", strconv.Itoa(c.Page))
	v.Set("size", strconv.Itoa(c.Size))
	v.Set("eff", strconv.Itoa(c.Eff))
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
	var c cursor
	for _, f := range []struct {
		key string
		dst *int
		min int
	}{{"page", &c.Page, 0}, {"size", &c.Size, 1}, {"eff", &c.Eff, 0}} {
		n, err := strconv.Atoi(v.Get(f.key))
		if err != nil || n < f.min {
			return cursor{}, fmt.Errorf("bad %s %q", f.key, v.Get(f.key))
		}
		*f.dst = n
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

// FetchPage returns one page of computers. The first page (empty Cursor)
// starts at page 0 with the configured page size and, for an incremental
// request with Since, the reportDate filter; later pages take everything
// from the cursor, so a resumed run reads exactly what the interrupted one
// would have.
func (s *Source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	var cur cursor
	if req.Cursor == "" {
		cur = cursor{Size: s.pageSize}
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
	q := s.query(cur.Page, cur.Size)
	if cur.Since != nil {
		q.Set("filter", sinceFilter(*cur.Since))
	}
	page, target, err := s.list(ctx, q)
	if err != nil {
		return connectors.Page{}, err
	}
	devices, err := s.devices(page, target)
	if err != nil {
		return connectors.Page{}, err
	}
	n, total := len(page.Results), *page.TotalCount
	start := cur.Page * cur.Eff // records before this page; 0 on page 0
	done := n == 0 || start+n >= total || (cur.Eff > 0 && n < cur.Eff)
	out := connectors.Page{Devices: devices, Done: done}
	if !done {
		next := cur
		next.Page++
		if next.Eff == 0 {
			// Page 0 was not the last, so it was full at the size the
			// server really used, whatever was asked.
			next.Eff = n
			if n < cur.Size {
				s.log.Info("jamf: the server clamped the page size", "asked", cur.Size, "used", n)
			}
		}
		out.NextCursor = next.String()
	}
	return out, nil
}

// FetchDevice returns one computer by its Jamf id, read through the
// inventory list filtered on id (RSQL id=="42"): the same sections and
// mapping as a sync, where the computers-inventory-detail endpoint would
// return every section, and an answer that cannot be confused with a
// missing endpoint version. nil when Jamf no longer knows the computer
// (an empty result).
func (s *Source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	id := strings.TrimSpace(externalID)
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return nil, nil // Jamf computer ids are numbers: no such computer
	}
	q := s.query(0, 1)
	q.Set("filter", `id=="`+id+`"`)
	page, target, err := s.list(ctx, q)
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

// sinceFilter is the RSQL bound of an incremental sync. Jamf compares
// general.reportDate against an ISO 8601 UTC timestamp with a Z (it rejects
// a numeric offset such as +00:00); quoting follows its RSQL guide.
func sinceFilter(since time.Time) string {
	return `general.reportDate>="` + since.UTC().Format("2006-01-02T15:04:05.000Z") + `"`
}

// list GETs one inventory page from the resolved version, or, in auto mode
// before any answer, from the newest version the server has.
func (s *Source) list(ctx context.Context, q url.Values) (*inventoryPage, string, error) {
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
