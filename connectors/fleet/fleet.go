// Package fleet is the connector for Fleet (fleetdm.com), the open-source
// device management server. It speaks Fleet's documented REST API
// (https://fleetdm.com/docs/rest-api/rest-api, kept in the fleetdm/fleet
// repository as "docs/REST API/rest-api.md") with an API token as bearer:
//
//   - List hosts: GET /api/v1/fleet/hosts?page=P&per_page=N&order_key=id
//     &order_direction=asc&device_mapping=true answers {"hosts": [...]};
//     page is 0-based and the last page is the first one shorter than
//     per_page. device_mapping=true adds each host's user emails
//     ([{"email","source"}], or null when it has none).
//   - Get host: GET /api/v1/fleet/hosts/{id} answers {"host": {...}} with the
//     host's installed software (exclude_software=true leaves it out) and, on
//     recent servers, end_users (the IdP user: idp_username, idp_full_name).
//   - Get human-device mapping: GET /api/v1/fleet/hosts/{id}/device_mapping
//     answers {"host_id", "device_mapping": [{"email","source"}]}; used when
//     a server ignores device_mapping=true on the list.
//
// Fleet has no "changed since" filter on hosts: the list's after parameter
// is a keyset bound on the sort column, the documentation says to page with
// page instead, and hosts.updated_at does not move when software or emails
// change. An incremental sync is therefore a full listing.
//
// The cursor is Fleet's page number. Pages are ordered by host id, so hosts
// enrolled during a run land on later pages; a host deleted during a run
// shifts the rest one place earlier, so one host can be missed until the
// next run.
package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// The names a Fleet connection is configured with.
const (
	// CredentialAPIToken is the Fleet API token, sent as a bearer token.
	CredentialAPIToken = "apiToken"
	// OptionPageSize is how many hosts one page asks for (default 100).
	OptionPageSize = connectors.OptPageSize
	// OptionIncludeSoftware fetches each host's detail for its installed
	// software and IdP user name (default true): one more request per host,
	// MaxConcurrency at a time. The name is the one Jamf and Intune use.
	OptionIncludeSoftware = connectors.OptIncludeSoftware
)

const (
	defaultPageSize = 100
	defaultWorkers  = 4

	hostsPath = "/api/v1/fleet/hosts"
)

func init() { connectors.Register(connectors.Fleet, New) }

// New builds a Fleet source. BaseURL is the customer's Fleet server (there is
// no public default) and the apiToken credential is required.
func New(cfg connectors.Config) (connectors.Source, error) {
	base, err := baseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	token, err := cfg.Credential(CredentialAPIToken)
	if err != nil {
		return nil, err
	}
	opt, err := cfg.CommonOptions(connectors.PageSize{Default: defaultPageSize}, defaultWorkers)
	if err != nil {
		return nil, err
	}
	return &source{
		client: vendorhttp.New(vendorhttp.Options{
			BaseURL:        base,
			Transport:      vendorhttp.NewTransport(cfg.Egress),
			Auth:           vendorhttp.StaticToken(token),
			MaxConcurrency: opt.MaxConcurrency,
			MaxInlineWait:  cfg.MaxInlineWait,
			PrivilegeFor:   privilegeFor,
		}),
		errBase:  vendorhttp.RedactURL(base),
		pageSize: opt.PageSize,
		software: opt.Software,
		workers:  opt.MaxConcurrency,
		logger:   opt.Logger.With("connector", string(connectors.Fleet)),
	}, nil
}

// baseURL checks the server address and drops a pasted API suffix, so
// "https://fleet.example.com/api/v1/fleet" works like the bare host.
func baseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", &connectors.ConfigError{Field: "baseUrl", Message: "the Fleet server URL is required (e.g. https://fleet.example.com)"}
	}
	u, ok := connectors.VendorURL(raw, "/api/v1/fleet")
	if !ok {
		return "", &connectors.ConfigError{Field: "baseUrl", Message: fmt.Sprintf("%q is not an http(s) URL of a Fleet server", raw)}
	}
	return u, nil
}

type source struct {
	client *vendorhttp.Client
	// errBase is the server URL for error messages, without any user info.
	errBase  string
	pageSize int
	software bool
	workers  int
	logger   *slog.Logger
}

func (s *source) Kind() connectors.Kind { return connectors.Fleet }

// FetchPage lists one page of hosts. Mode and Since are ignored: Fleet
// cannot filter hosts by change time (see the package comment).
func (s *source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	page, ok := req.Offset()
	if !ok {
		return connectors.Page{}, fmt.Errorf("fleet: cursor %q is not a page number", req.Cursor)
	}
	q := url.Values{}
	q.Set("page", strconv.Itoa(page))
	q.Set("per_page", strconv.Itoa(s.pageSize))
	q.Set("order_key", "id")
	q.Set("order_direction", "asc")
	q.Set("device_mapping", "true")
	var resp listHostsResponse
	if err := s.client.GetJSON(ctx, hostsPath, q, &resp); err != nil {
		return connectors.Page{}, err
	}
	hosts := resp.Hosts.items
	switch {
	case !resp.Hosts.present:
		return connectors.Page{}, s.malformed(hostsPath, errors.New(`no "hosts" in the answer`))
	case len(hosts) > s.pageSize:
		// The server ignores paging; following it would never end.
		return connectors.Page{}, s.malformed(hostsPath, fmt.Errorf("%d hosts on a page of %d", len(hosts), s.pageSize))
	}
	for _, h := range hosts {
		if h.ID == 0 {
			return connectors.Page{}, s.malformed(hostsPath, errors.New("a host without an id"))
		}
	}
	devices, err := s.devices(ctx, hosts)
	if err != nil {
		return connectors.Page{}, err
	}
	out := connectors.Page{Devices: devices, Done: len(hosts) < s.pageSize}
	if !out.Done {
		out.NextCursor = strconv.Itoa(page + 1)
	}
	return out, nil
}

// devices completes and maps a page of hosts: each host's detail when
// software is wanted, its device mapping when the list left it out. A host
// deleted since the list was read is dropped.
func (s *source) devices(ctx context.Context, hosts []host) ([]connectors.Device, error) {
	type result struct {
		detail  *host
		mapping []deviceMapping
		gone    bool
	}
	results := make([]result, len(hosts))
	var fallbacks atomic.Int64
	// vendorhttp bounds requests in flight too; the group's limit keeps a
	// page of hosts from parking a goroutine each.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.workers)
	for i := range hosts {
		g.Go(func() error {
			h, r := &hosts[i], &results[i]
			mapping, listed, err := s.listedMapping(h)
			if err != nil {
				return err
			}
			if !listed {
				fallbacks.Add(1)
				var found bool
				if mapping, found, err = s.deviceMapping(gctx, h.ID); err != nil || !found {
					r.gone = !found
					return err
				}
			}
			r.mapping = mapping
			if s.software {
				d, found, err := s.host(gctx, h.ID, true)
				if err != nil || !found {
					r.gone = !found
					return err
				}
				r.detail = d
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if n := fallbacks.Load(); n > 0 {
		s.logger.DebugContext(ctx, "the host list had no device_mapping; asked per host", "hosts", n)
	}
	devices := make([]connectors.Device, 0, len(hosts))
	for i := range hosts {
		r := results[i]
		if r.gone {
			continue
		}
		h := &hosts[i]
		if r.detail != nil {
			h.Software, h.EndUsers = r.detail.Software, r.detail.EndUsers
		}
		devices = append(devices, toDevice(h, r.mapping))
	}
	return devices, nil
}

// listedMapping reads the device_mapping the list included; ok is false when
// the server left the field out (servers older than the parameter).
func (s *source) listedMapping(h *host) ([]deviceMapping, bool, error) {
	if len(h.DeviceMapping) == 0 {
		return nil, false, nil
	}
	var m []deviceMapping
	if err := json.Unmarshal(h.DeviceMapping, &m); err != nil {
		return nil, false, s.malformed(hostsPath, fmt.Errorf("device_mapping of host %d: %w", h.ID, err))
	}
	return m, true, nil
}

// FetchDevice reads one host by its Fleet id; nil when Fleet no longer has it.
func (s *source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	id, err := strconv.ParseUint(externalID, 10, 64)
	if err != nil || id == 0 {
		return nil, fmt.Errorf("fleet: %q is not a Fleet host id", externalID)
	}
	h, found, err := s.host(ctx, uint(id), s.software)
	if err != nil || !found {
		return nil, err
	}
	mapping, found, err := s.deviceMapping(ctx, h.ID)
	if err != nil || !found {
		return nil, err
	}
	d := toDevice(h, mapping)
	return &d, nil
}

// host GETs one host's detail; found is false on 404.
func (s *source) host(ctx context.Context, id uint, software bool) (*host, bool, error) {
	var q url.Values
	if !software {
		q = url.Values{"exclude_software": {"true"}}
	}
	path := fmt.Sprintf("%s/%d", hostsPath, id)
	var resp getHostResponse
	if err := s.client.GetJSON(ctx, path, q, &resp); err != nil {
		return nil, false, notFound(err)
	}
	if resp.Host == nil || resp.Host.ID == 0 {
		return nil, false, s.malformed(path, errors.New(`no "host" with an id in the answer`))
	}
	return resp.Host, true, nil
}

// deviceMapping GETs one host's user emails; found is false on 404.
func (s *source) deviceMapping(ctx context.Context, id uint) ([]deviceMapping, bool, error) {
	var resp deviceMappingResponse
	if err := s.client.GetJSON(ctx, fmt.Sprintf("%s/%d/device_mapping", hostsPath, id), nil, &resp); err != nil {
		return nil, false, notFound(err)
	}
	return resp.DeviceMapping, true, nil
}

// notFound turns a 404 into "not found" (nil error, found false); any other
// error passes through.
func notFound(err error) error {
	if vendorhttp.IsNotFound(err) {
		return nil
	}
	return err
}

func (s *source) malformed(path string, err error) error {
	return &connectors.MalformedError{URL: s.errBase + path, Err: err}
}
