// Package kandji is the connector for Kandji (now Iru Endpoint Management),
// speaking its documented REST API (https://api-docs.kandji.io):
//
//   - Base URL: tenant-specific, https://<subdomain>.api.kandji.io (US) or
//     https://<subdomain>.api.eu.kandji.io (EU), shown in Settings > Access.
//     There is no public default, so Config.BaseURL is required. A pasted
//     URL ending in /api or /api/v1 is accepted.
//   - Auth: an API token sent as "Authorization: Bearer <token>"
//     (credential "apiToken"); 401/403 mean the token is wrong, revoked,
//     expired or lacks the endpoint permission.
//   - GET /api/v1/devices?limit=&offset= lists devices as a bare JSON array;
//     limit has a hard maximum of 300. The last page is the one with fewer
//     than limit records (an exact multiple of limit ends with an empty page).
//   - GET /api/v1/devices/{device_id} returns one device with the same fields.
//   - GET /api/v1/prism/apps (Visibility, "Applications") returns one row
//     per app per device; a page of devices reads its software there, 300
//     rows a request (see prism.go). GET /api/v1/devices/{device_id}/apps
//     ({"device_id", "apps": [...]}) serves FetchDevice's single device.
//   - GET /api/v1/devices/{device_id}/details carries the hardware model
//     identifier (hardware_overview.model_identifier); it is read only when
//     OptIncludeDetails is on.
//   - Rate limit: 10,000 requests per hour per customer; a 429 is retried by
//     vendorhttp honouring Retry-After. The connector also keeps its own
//     hourly request budget per tenant (OptHourlyRequestBudget, budget.go)
//     and snoozes the sync when it is spent.
//   - Devices page by limit/offset only, so the Source says OffsetPaging:
//     a device is marked missing only after two full syncs did not see it.
//
// Options (Config.Options): OptPageSize, OptIncludeSoftware, OptIncludeDetails,
// OptHourlyRequestBudget.
package kandji

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/reconcile"
)

// CredAPIToken names the API token in connectors.Config.Credentials.
const CredAPIToken = "apiToken"

// Option names in connectors.Config.Options.
const (
	// OptPageSize is the devices asked per list request, 1..MaxPageSize
	// (default MaxPageSize; larger values are clamped).
	OptPageSize = connectors.OptPageSize
	// OptIncludeSoftware says whether to read each device's apps
	// (default true).
	OptIncludeSoftware = connectors.OptIncludeSoftware
	// OptIncludeDetails says whether to read each device's details for
	// ModelIdentifier: one more request per device (default false).
	OptIncludeDetails = "includeDetails"
	// OptHourlyRequestBudget is how many requests per hour the connector may
	// send to the tenant, counted process-wide across every connector on
	// the same base URL (1..MaxHourlyRequestBudget, default
	// DefaultHourlyRequestBudget).
	OptHourlyRequestBudget = "hourlyRequestBudget"
)

const (
	// MaxPageSize is Kandji's hard upper limit on records per list request.
	MaxPageSize = 300
	// DefaultMaxConcurrency bounds requests in flight when the config does not.
	DefaultMaxConcurrency = 4

	devicesPath = "/api/v1/devices"
)

func init() { connectors.Register(connectors.Kandji, New) }

// Source is a configured Kandji tenant.
type Source struct {
	client        *vendorhttp.Client
	log           *slog.Logger
	pageSize      int
	fetchSoftware bool
	fetchDetails  bool
	concurrency   int
}

var (
	_ connectors.Source       = (*Source)(nil)
	_ connectors.OffsetPaging = (*Source)(nil)
)

// New builds a Kandji Source. It needs Config.BaseURL (the tenant API URL)
// and the CredAPIToken credential.
func New(cfg connectors.Config) (connectors.Source, error) {
	base, err := connectors.BaseURL(cfg.BaseURL, "the Kandji API URL from Settings > Access", "https://<subdomain>.api.kandji.io", "/api/v1", "/api")
	if err != nil {
		return nil, err
	}
	token, err := cfg.Credential(CredAPIToken)
	if err != nil {
		return nil, err
	}
	// Kandji rejects a limit above MaxPageSize: larger values are clamped.
	opt, err := cfg.CommonOptions(connectors.PageSize{Default: MaxPageSize, Max: MaxPageSize, Clamp: true}, DefaultMaxConcurrency)
	if err != nil {
		return nil, err
	}
	s := &Source{log: opt.Logger, concurrency: opt.MaxConcurrency, pageSize: opt.PageSize, fetchSoftware: opt.Software}
	if s.fetchDetails, err = cfg.BoolOption(OptIncludeDetails, false); err != nil {
		return nil, err
	}
	hourly, err := cfg.IntOption(OptHourlyRequestBudget, DefaultHourlyRequestBudget, 1, MaxHourlyRequestBudget)
	if err != nil {
		return nil, err
	}
	s.client = vendorhttp.New(vendorhttp.Options{
		BaseURL:        base,
		Transport:      vendorhttp.NewTransport(cfg.Egress),
		Auth:           budgeted{Authenticator: vendorhttp.StaticToken(token), b: budgetFor(base, token, hourly)},
		MaxConcurrency: s.concurrency,
		MaxInlineWait:  cfg.MaxInlineWait,
		BaseWait:       cfg.RetryBaseWait,
		PrivilegeFor:   privilegeFor,
	})
	return s, nil
}

// Kind reports connectors.Kandji.
func (s *Source) Kind() connectors.Kind { return connectors.Kandji }

// OffsetPaging reports true: Kandji lists devices by limit/offset only, so
// a device enrolled or removed mid-run shifts later pages and one full sync
// can miss a device that exists.
func (s *Source) OffsetPaging() bool { return true }

// FetchPage returns one page of devices. The cursor is the decimal offset of
// the page. Kandji's device list has no modified-since filter, so an
// incremental sync (req.Mode Incremental, req.Since) reads the full listing
// exactly like a full one; the sync engine's matching skips what did not change.
func (s *Source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	offset, ok := req.Offset()
	if !ok {
		return connectors.Page{}, fmt.Errorf("kandji: invalid page cursor %q", req.Cursor)
	}
	q := url.Values{}
	q.Set("limit", strconv.Itoa(s.pageSize))
	q.Set("offset", strconv.Itoa(offset))
	// A stable, documented order (device_id) so consecutive limit/offset
	// pages neither overlap nor skip while the tenant is unchanged. A device
	// enrolled or deleted mid-run can still shift later pages by one: the
	// inherent limit of offset paging, healed by the next run.
	q.Set("ordering", "device_id")

	var raw []apiDevice
	if err := s.client.GetJSON(ctx, devicesPath, q, &raw); err != nil {
		return connectors.Page{}, fmt.Errorf("kandji: listing devices at offset %d: %w", offset, err)
	}
	devices := make([]connectors.Device, len(raw))
	for i, d := range raw {
		if strings.TrimSpace(d.DeviceID) == "" {
			return connectors.Page{}, &connectors.MalformedError{URL: devicesPath, Err: fmt.Errorf("device %d of the page at offset %d has no device_id", i, offset)}
		}
		devices[i] = s.mapDevice(d)
	}
	if s.fetchSoftware && len(devices) > 0 {
		if err := s.softwareFromPrism(ctx, devices); err != nil {
			return connectors.Page{}, err
		}
	}
	if err := s.enrich(ctx, devices, false); err != nil {
		return connectors.Page{}, err
	}
	page := connectors.Page{Devices: devices}
	if len(raw) < s.pageSize {
		page.Done = true
	} else {
		page.NextCursor = strconv.Itoa(offset + len(raw))
	}
	return page, nil
}

// FetchDevice returns one device by Kandji device_id; nil when Kandji no
// longer knows it (HTTP 404).
func (s *Source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	externalID = strings.TrimSpace(externalID)
	if externalID == "" {
		return nil, errors.New("kandji: empty device id")
	}
	var raw apiDevice
	if err := s.client.GetJSON(ctx, devicePath(externalID, ""), nil, &raw); err != nil {
		if vendorhttp.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("kandji: fetching device %s: %w", externalID, err)
	}
	if strings.TrimSpace(raw.DeviceID) == "" {
		return nil, &connectors.MalformedError{URL: devicePath(externalID, ""), Err: errors.New("device has no device_id")}
	}
	d := []connectors.Device{s.mapDevice(raw)}
	// One device: its own apps endpoint is one request, never more than
	// Prism would cost.
	if err := s.enrich(ctx, d, s.fetchSoftware); err != nil {
		return nil, err
	}
	return &d[0], nil
}

// enrich reads, per device, its apps (apps) and its details (when
// configured), at most s.concurrency devices at a time. The first error
// cancels the rest and fails the page: nothing of a page is applied unless
// all of it is.
func (s *Source) enrich(ctx context.Context, devices []connectors.Device, apps bool) error {
	if len(devices) == 0 || (!apps && !s.fetchDetails) {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency)
	for i := range devices {
		g.Go(func() error { return s.enrichOne(gctx, &devices[i], apps) })
	}
	return g.Wait()
}

func (s *Source) enrichOne(ctx context.Context, d *connectors.Device, apps bool) error {
	if apps {
		var list apiApps
		err := s.client.GetJSON(ctx, devicePath(d.ExternalID, "apps"), nil, &list)
		switch {
		case vendorhttp.IsNotFound(err):
			// Removed between the listing and now: software unknown.
		case err != nil:
			return fmt.Errorf("kandji: apps of device %s: %w", d.ExternalID, err)
		default:
			d.Software = toSoftware(list.Apps)
		}
	}
	if s.fetchDetails {
		var det apiDetails
		err := s.client.GetJSON(ctx, devicePath(d.ExternalID, "details"), nil, &det)
		switch {
		case vendorhttp.IsNotFound(err):
		case err != nil:
			return fmt.Errorf("kandji: details of device %s: %w", d.ExternalID, err)
		default:
			d.ModelIdentifier = strings.TrimSpace(det.HardwareOverview.ModelIdentifier)
			d.Virtual = reconcile.LooksVirtual(d.Manufacturer, d.Model, d.ModelIdentifier, d.SerialNumber)
		}
	}
	return nil
}

// mapDevice maps a record, noting timestamps it could not read (they map to
// "unknown" rather than failing the page).
func (s *Source) mapDevice(raw apiDevice) connectors.Device {
	d := toDevice(raw)
	if d.LastCheckIn == nil && !isBlankTime(raw.LastCheckIn) {
		s.log.Warn("kandji: unreadable last_check_in", "device_id", d.ExternalID, "value", raw.LastCheckIn)
	}
	return d
}

func devicePath(id, sub string) string {
	p := devicesPath + "/" + url.PathEscape(id)
	if sub != "" {
		p += "/" + sub
	}
	return p
}
