// Package intune is the Microsoft Intune connector. It reads managed
// devices from Microsoft Graph v1.0 and, optionally, each device's detected
// apps, authenticating as an app registration with the OAuth 2.0 client
// credentials grant of the Microsoft identity platform.
//
// Graph facts this package relies on (learn.microsoft.com):
//   - Token: POST {authURL}/{tenantId}/oauth2/v2.0/token, form-encoded
//     client_id, client_secret, grant_type=client_credentials and
//     scope=https://graph.microsoft.com/.default ("Microsoft identity
//     platform and the OAuth 2.0 client credentials flow").
//   - Devices: GET /v1.0/deviceManagement/managedDevices ("List
//     managedDevices"), properties as in "managedDevice resource type"
//     (v1.0). The v1.0 type has no deviceType or chassisType; selecting an
//     unknown property is a 400, so $select names only documented ones.
//     Intune serves at most 1000 devices a page.
//   - Paging: follow @odata.nextLink verbatim until it is absent ("Paging
//     Microsoft Graph data in your app"); it already carries $select,
//     $filter, $top and the $skiptoken.
//   - Incremental: $filter=lastSyncDateTime ge 2025-01-02T03:04:05Z;
//     DateTimeOffset literals are not quoted ("Use the $filter query
//     parameter").
//   - Software: v1.0 has no per-device detected apps (detectedApp is
//     reachable only tenant-wide, /deviceManagement/detectedApps and
//     /detectedApps/{id}/managedDevices, one request per app). The
//     per-device relationship managedDevice.detectedApps ("All
//     applications currently installed on the device") is documented in
//     the beta version only: GET /beta/deviceManagement/managedDevices/{id}/detectedApps.
//     It costs one request per device, bounded by the concurrency limit.
//   - Unset dates come back as 0001-01-01T00:00:00Z, absent strings as "".
//   - Throttling: 429 with Retry-After ("Microsoft Graph throttling
//     guidance"), handled by vendorhttp.
package intune

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/errgroup"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/reconcile"
)

const (
	// DefaultBaseURL is the Microsoft Graph endpoint of the global cloud.
	DefaultBaseURL = "https://graph.microsoft.com"
	// DefaultAuthURL is the Microsoft identity platform of the global cloud.
	DefaultAuthURL = "https://login.microsoftonline.com"
	// GraphScope is the client-credentials scope for Graph: the resource
	// followed by /.default (the app's granted application permissions,
	// here DeviceManagementManagedDevices.Read.All).
	GraphScope = "https://graph.microsoft.com/.default"
	// MaxPageSize is the largest page Intune serves for managedDevices.
	MaxPageSize = 1000
	// DefaultMaxConcurrency bounds requests in flight when the config does
	// not (Intune allows 2000 requests per 20 s per app and tenant).
	DefaultMaxConcurrency = 8

	// Credential names.
	CredTenantID     = "tenantId"
	CredClientID     = "clientId"
	CredClientSecret = "clientSecret"

	// OptionPageSize is the $top of device pages (1..1000, default 1000).
	OptionPageSize = connectors.OptPageSize
	// OptionIncludeSoftware turns the per-device detected apps requests
	// on or off (default on).
	OptionIncludeSoftware = connectors.OptIncludeSoftware
)

const (
	devicesPath = "/v1.0/deviceManagement/managedDevices"
	// appsPathFmt is the beta-only per-device detected apps list.
	appsPathFmt = "/beta/deviceManagement/managedDevices/%s/detectedApps"
	// maxAppPages stops a device whose app list never ends.
	maxAppPages = 200
)

// deviceSelect names the documented v1.0 managedDevice properties mapped below.
var deviceSelect = strings.Join([]string{
	"id", "deviceName", "serialNumber", "manufacturer", "model", "operatingSystem", "osVersion",
	"userPrincipalName", "emailAddress", "userDisplayName", "lastSyncDateTime",
}, ",")

const appSelect = "displayName,version"

func init() { connectors.Register(connectors.Intune, New) }

type source struct {
	client   *vendorhttp.Client
	base     *url.URL
	pageSize int
	software bool
	workers  int
	log      *slog.Logger
}

// New builds an Intune source. Credentials tenantId, clientId and
// clientSecret are required; Options pageSize and includeSoftware are
// optional.
func New(cfg connectors.Config) (connectors.Source, error) {
	tenant, err := cfg.Credential(CredTenantID)
	if err != nil {
		return nil, err
	}
	clientID, err := cfg.Credential(CredClientID)
	if err != nil {
		return nil, err
	}
	secret, err := cfg.Credential(CredClientSecret)
	if err != nil {
		return nil, err
	}
	baseURL, err := parseEndpoint("baseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	authURL, err := parseEndpoint("authURL", cfg.AuthURL, DefaultAuthURL)
	if err != nil {
		return nil, err
	}
	opt, err := cfg.CommonOptions(connectors.PageSize{Default: MaxPageSize, Max: MaxPageSize}, DefaultMaxConcurrency)
	if err != nil {
		return nil, err
	}
	pageSize, software, workers, log := opt.PageSize, opt.Software, opt.MaxConcurrency, opt.Logger

	// The token request goes through the same guarded transport as Graph
	// requests but not through the concurrency bound.
	transport := vendorhttp.NewTransport(cfg.Egress)
	cc := &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		TokenURL:     strings.TrimRight(authURL.String(), "/") + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token",
		Scopes:       []string{GraphScope},
		// The identity platform documents the secret as a form parameter;
		// auto-detection would spend a second request on every refusal.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	tokens := &vendorhttp.TokenCache{Fetch: vendorhttp.ClientCredentials(cc, transport, 30*time.Second, nil)}

	return &source{
		client: vendorhttp.New(vendorhttp.Options{
			BaseURL:        baseURL.String(),
			Transport:      transport,
			Auth:           tokens,
			MaxConcurrency: workers,
			MaxInlineWait:  cfg.MaxInlineWait,
			PrivilegeFor:   privilegeFor,
		}),
		base:     baseURL,
		pageSize: pageSize,
		software: software,
		workers:  workers,
		log:      log,
	}, nil
}

func (s *source) Kind() connectors.Kind { return connectors.Intune }

// FetchPage returns one page of managed devices. The first page is
// requested with $select, $top and, for an incremental sync, the
// lastSyncDateTime filter; the cursor of the next page is Graph's
// @odata.nextLink itself, followed verbatim.
func (s *source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	var (
		body deviceCollection
		err  error
		at   string
	)
	if req.Cursor == "" {
		opts := []string{"$select", deviceSelect, "$top", strconv.Itoa(s.pageSize)}
		if req.Mode == connectors.Incremental && req.Since != nil {
			// Seconds precision, rounded down: a superset, never a gap.
			opts = append(opts, "$filter", "lastSyncDateTime ge "+req.Since.UTC().Format("2006-01-02T15:04:05Z"))
		}
		at = devicesPath
		err = s.client.GetJSON(ctx, devicesPath+"?"+odataQuery(opts...), nil, &body)
	} else {
		if err := s.checkLink(req.Cursor); err != nil {
			return connectors.Page{}, err
		}
		at = req.Cursor
		err = s.client.GetJSON(ctx, req.Cursor, nil, &body)
	}
	if err != nil {
		return connectors.Page{}, err
	}
	if body.Value == nil {
		return connectors.Page{}, s.malformed(at, errors.New(`collection without "value"`))
	}
	if body.NextLink != "" {
		if err := s.checkLink(body.NextLink); err != nil {
			return connectors.Page{}, err
		}
		if body.NextLink == req.Cursor {
			return connectors.Page{}, s.malformed(at, errors.New("@odata.nextLink points at the page itself"))
		}
	}
	devices := make([]connectors.Device, len(*body.Value))
	for i, md := range *body.Value {
		if md.ID == "" {
			return connectors.Page{}, s.malformed(at, fmt.Errorf("managedDevice %d of the page has no id", i))
		}
		devices[i] = s.mapDevice(md)
	}
	if s.software {
		if err := s.attachSoftware(ctx, devices); err != nil {
			return connectors.Page{}, err
		}
	}
	s.log.DebugContext(ctx, "intune page", "devices", len(devices), "more", body.NextLink != "")
	return connectors.Page{Devices: devices, NextCursor: body.NextLink, Done: body.NextLink == ""}, nil
}

// FetchDevice reads one managed device by its Intune id; nil when Intune
// no longer knows it.
func (s *source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	if strings.TrimSpace(externalID) == "" {
		return nil, errors.New("intune: empty device id")
	}
	var md managedDevice
	err := s.client.GetJSON(ctx, devicesPath+"/"+url.PathEscape(externalID)+"?"+odataQuery("$select", deviceSelect), nil, &md)
	if vendorhttp.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if md.ID == "" {
		return nil, s.malformed(devicesPath+"/"+externalID, errors.New("managedDevice without id"))
	}
	d := s.mapDevice(md)
	if s.software {
		sw, err := s.fetchSoftware(ctx, md.ID)
		if err != nil {
			return nil, err
		}
		d.Software = sw
	}
	return &d, nil
}

// attachSoftware fills each device's Software, a bounded number of
// devices at a time. A device deleted in between keeps nil Software; any
// other failure fails the page, so a device never looks like it lost its
// software because of a transient error.
func (s *source) attachSoftware(ctx context.Context, devices []connectors.Device) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.workers)
	for i := range devices {
		g.Go(func() error {
			sw, err := s.fetchSoftware(gctx, devices[i].ExternalID)
			if err != nil {
				return err
			}
			devices[i].Software = sw
			return nil
		})
	}
	return g.Wait()
}

// fetchSoftware lists the detected apps of one device, following next
// links. It returns a non-nil slice when the list was read (empty: no
// apps) and nil when the device is gone.
func (s *source) fetchSoftware(ctx context.Context, id string) ([]connectors.Software, error) {
	path := fmt.Sprintf(appsPathFmt, url.PathEscape(id))
	list := reconcile.NewSoftwareList(0)
	link := ""
	for pages := 0; ; pages++ {
		if pages == maxAppPages {
			return nil, s.malformed(path, fmt.Errorf("detectedApps still paging after %d pages", maxAppPages))
		}
		var body appCollection
		var err error
		if link == "" {
			err = s.client.GetJSON(ctx, path+"?"+odataQuery("$select", appSelect), nil, &body)
		} else {
			err = s.client.GetJSON(ctx, link, nil, &body)
		}
		if vendorhttp.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if body.Value == nil {
			return nil, s.malformed(path, errors.New(`collection without "value"`))
		}
		for _, a := range *body.Value {
			list.Add(a.DisplayName, a.Version, "")
		}
		if body.NextLink == "" {
			return list.Items(), nil
		}
		if body.NextLink == link {
			return nil, s.malformed(path, errors.New("@odata.nextLink points at the page itself"))
		}
		if err := s.checkLink(body.NextLink); err != nil {
			return nil, err
		}
		link = body.NextLink
	}
}

// checkLink makes sure a next link (or a stored cursor) points at the
// configured Graph host before the bearer token is sent there. The link is
// only inspected, never rebuilt.
func (s *source) checkLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() || !strings.EqualFold(u.Scheme, s.base.Scheme) || !strings.EqualFold(u.Host, s.base.Host) {
		return s.malformed(vendorhttp.RedactURL(link), errors.New("next link does not point at the configured Graph endpoint"))
	}
	return nil
}

func (s *source) malformed(at string, err error) error {
	if !strings.HasPrefix(at, "http") {
		at = s.base.String() + at
	}
	return &connectors.MalformedError{URL: vendorhttp.RedactURL(at), Err: err}
}

// odataQuery writes query options as Graph's documentation does: "$"
// names as they are, values percent-encoded with %20 for a space (OData
// does not read "+" as a space) and commas and colons left readable.
func odataQuery(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		v := url.QueryEscape(kv[i+1])
		v = strings.NewReplacer("+", "%20", "%2C", ",", "%3A", ":").Replace(v)
		b.WriteString(kv[i] + "=" + v)
	}
	return b.String()
}

func parseEndpoint(field, raw, def string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		raw = def
	}
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &connectors.ConfigError{Field: field, Message: fmt.Sprintf("%s must be an http(s) URL, got %q", field, raw)}
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}
