// Package fleet is the connector for Fleet (fleetdm.com), the open-source
// device management server. It speaks Fleet's documented REST API
// (https://fleetdm.com/docs/rest-api/rest-api, kept in the fleetdm/fleet
// repository as "docs/REST API/rest-api.md") with an API token as bearer:
//
//   - List hosts: GET /api/v1/fleet/hosts?per_page=N&order_key=id
//     &order_direction=asc&after=<last id>&device_mapping=true
//     &populate_software=without_vulnerability_details answers {"hosts": [...]}.
//     after is a keyset bound on the order_key column (Fleet refuses it
//     without order_key: "order_key must be specified with after"); the last
//     page is the first one shorter than per_page. device_mapping=true adds
//     each host's user emails ([{"email","source"}], or null when it has
//     none); populate_software adds each host's installed software (name,
//     version, source, bundle_identifier) without the per-host CVE details.
//   - Get host: GET /api/v1/fleet/hosts/{id} answers {"host": {...}} with the
//     host's installed software (exclude_software=true leaves it out) and, on
//     recent servers, end_users (the IdP user: idp_username, idp_full_name).
//     FetchDevice reads it; a page reads it per host only from a server
//     that ignores populate_software.
//   - Get human-device mapping: GET /api/v1/fleet/hosts/{id}/device_mapping
//     answers {"host_id", "device_mapping": [{"email","source"}]}; used when
//     a server ignores device_mapping=true on the list.
//
// Fleet has no "changed since" filter on hosts (hosts.updated_at does not
// move when software or emails change), so an incremental sync is a full
// listing.
//
// The cursor is the id of the last host read. Paging by key instead of page
// number means a host enrolled or deleted during a run shifts nothing: no
// host is skipped or read twice.
package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
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
	// OptionIncludeSoftware reads each host's installed software with the
	// host list (populate_software, default true). The name is the one Jamf
	// and Intune use.
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
	base, err := connectors.BaseURL(cfg.BaseURL, "the Fleet server URL", "https://fleet.example.com", "/api/v1/fleet")
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
			BaseWait:       cfg.RetryBaseWait,
			PrivilegeFor:   privilegeFor,
		}),
		errBase:  vendorhttp.RedactURL(base),
		pageSize: opt.PageSize,
		software: opt.Software,
		workers:  opt.MaxConcurrency,
		logger:   opt.Logger.With("connector", string(connectors.Fleet)),
	}, nil
}

type source struct {
	client *vendorhttp.Client
	// errBase is the server URL for error messages, without any user info.
	errBase  string
	pageSize int
	software bool
	workers  int
	logger   *slog.Logger
	// boolSoftware is set once the server refused
	// populate_software=without_vulnerability_details: servers older than
	// that value parse the parameter as a boolean only.
	boolSoftware atomic.Bool
}

func (s *source) Kind() connectors.Kind { return connectors.Fleet }

// FetchPage lists one page of hosts, those with an id above the cursor.
// Mode and Since are ignored: Fleet cannot filter hosts by change time (see
// the package comment).
func (s *source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	// "" starts at the first host; a cursor of an older version (a page
	// number) reads as an id, which rereads hosts but never skips one.
	after, ok := req.Offset()
	if !ok {
		return connectors.Page{}, fmt.Errorf("fleet: cursor %q is not a host id", req.Cursor)
	}
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(s.pageSize))
	q.Set("order_key", "id")
	q.Set("order_direction", "asc")
	if after > 0 {
		q.Set("after", strconv.Itoa(after))
	}
	q.Set("device_mapping", "true")
	resp, err := s.list(ctx, q)
	if err != nil {
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
	last := uint(after)
	for _, h := range hosts {
		if h.ID == 0 {
			return connectors.Page{}, s.malformed(hostsPath, errors.New("a host without an id"))
		}
		// Key paging holds only if the server honours order_key and after:
		// anything else would loop or skip hosts.
		if h.ID <= last {
			return connectors.Page{}, s.malformed(hostsPath, fmt.Errorf("host %d after host %d: the server did not order by id past the cursor", h.ID, last))
		}
		last = h.ID
	}
	devices, err := s.devices(ctx, hosts)
	if err != nil {
		return connectors.Page{}, err
	}
	out := connectors.Page{Devices: devices, Done: len(hosts) < s.pageSize}
	if !out.Done {
		out.NextCursor = strconv.FormatUint(uint64(last), 10)
	}
	return out, nil
}

// list GETs one page of hosts, with software when configured. A server
// older than populate_software=without_vulnerability_details answers it
// with 400 ("Invalid boolean parameter populate_software"); it is asked
// again, and from then on, with populate_software=true, which such servers
// accept (Fleet Premium then adds CVE details: a heavier page, still one
// request).
func (s *source) list(ctx context.Context, q url.Values) (listHostsResponse, error) {
	var resp listHostsResponse
	if !s.software {
		return resp, s.client.GetJSON(ctx, hostsPath, q, &resp)
	}
	if !s.boolSoftware.Load() {
		q.Set("populate_software", "without_vulnerability_details")
		err := s.client.GetJSON(ctx, hostsPath, q, &resp)
		var se *connectors.StatusError
		if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
			return resp, err
		}
		s.boolSoftware.Store(true)
		s.logger.InfoContext(ctx, "the Fleet server refused populate_software=without_vulnerability_details; using populate_software=true")
	}
	q.Set("populate_software", "true")
	return resp, s.client.GetJSON(ctx, hostsPath, q, &resp)
}

// devices completes and maps a page of hosts: each host's device mapping
// when the list left it out, and its detail for software only when the
// server ignored populate_software. A host deleted since the list was read
// is dropped.
func (s *source) devices(ctx context.Context, hosts []host) ([]connectors.Device, error) {
	type result struct {
		detail  *host
		mapping []deviceMapping
		gone    bool
	}
	// A server that honours populate_software sends "software" on every
	// host (or at least on one: a host without any may come as null); a
	// page without it anywhere is from a server older than the parameter.
	listed := false
	for i := range hosts {
		listed = listed || hosts[i].Software.present
	}
	detail := s.software && !listed
	results := make([]result, len(hosts))
	var fallbacks, details atomic.Int64
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
			if detail {
				details.Add(1)
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
	if n := details.Load(); n > 0 {
		s.logger.DebugContext(ctx, "the host list had no software (populate_software ignored); read each host", "hosts", n)
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
		d := toDevice(h, r.mapping)
		switch {
		case !s.software:
			d.Software = nil // not read: unknown
		case d.Software == nil:
			d.Software = []connectors.Software{} // read, and null: none
		}
		devices = append(devices, d)
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
