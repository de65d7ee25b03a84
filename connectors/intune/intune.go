// Package intune is the Microsoft Intune connector. It reads managed
// devices from Microsoft Graph v1.0 and, optionally, each device's detected
// apps, authenticating as an app registration with the OAuth 2.0 client
// credentials grant of the Microsoft identity platform.
//
// Graph facts this package relies on (learn.microsoft.com):
//   - Token: POST {authority}/{tenantId}/oauth2/v2.0/token, form-encoded
//     client_id, client_secret, grant_type=client_credentials and the
//     scope {Graph origin}/.default ("Microsoft identity platform and the
//     OAuth 2.0 client credentials flow"). The Graph base URL picks the
//     cloud: a national cloud's Graph takes its own scope and authority
//     ("Microsoft Graph national cloud deployments"; see cloud.go).
//   - Devices: GET /v1.0/deviceManagement/managedDevices ("List
//     managedDevices"), properties as in "managedDevice resource type"
//     (v1.0). The v1.0 type has no deviceType or chassisType; selecting an
//     unknown property is a 400, so $select names only documented ones.
//     Intune serves at most 1000 devices a page ($top).
//   - Paging: follow @odata.nextLink verbatim until it is absent ("Paging
//     Microsoft Graph data in your app"); it already carries $select,
//     $filter, $top and the $skiptoken, and it is the cursor: Graph pages
//     by its own token, never by offset. Links are checked to stay on the
//     configured Graph (links.go).
//   - Incremental: $filter=lastSyncDateTime gt 2025-01-02T03:04:05Z. The
//     managedDevice property docs name 'lt' and 'gt' as the operators
//     lastSyncDateTime supports; Intune is known to ignore or mis-answer
//     others (ge) rather than refuse them, which would turn every
//     incremental sync into a full listing or an empty one.
//     DateTimeOffset literals are not quoted ("Use the $filter query
//     parameter"). The Since given already includes the sync's look-back.
//   - Software: v1.0 has no per-device detected apps (detectedApp is
//     reachable only tenant-wide, /deviceManagement/detectedApps and
//     /detectedApps/{id}/managedDevices, one request per app). The
//     per-device relationship managedDevice.detectedApps ("All
//     applications currently installed on the device") is documented in
//     the beta version only: GET /beta/deviceManagement/managedDevices/{id}/detectedApps.
//     It costs one request per device, bounded by the concurrency limit;
//     a device whose apps cannot be read does not fail its page
//     (software.go).
//   - Unset dates come back as 0001-01-01T00:00:00Z, absent strings as "".
//   - Throttling: 429 with Retry-After, sometimes without ("Microsoft
//     Graph throttling guidance": back off exponentially then), handled
//     per request by vendorhttp.
package intune

import (
	"cmp"
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

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

const (
	// DefaultBaseURL is the Microsoft Graph endpoint of the global cloud.
	DefaultBaseURL = "https://graph.microsoft.com"
	// DefaultAuthURL is the Microsoft identity platform of the global cloud.
	DefaultAuthURL = "https://login.microsoftonline.com"
	// GraphScope is the client-credentials scope for the global Graph: the
	// resource followed by /.default (the app's granted application
	// permissions, here DeviceManagementManagedDevices.Read.All). Other
	// clouds take their own (tokenTarget).
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
	// sinceFormat writes a DateTimeOffset literal at seconds precision.
	sinceFormat = "2006-01-02T15:04:05Z"
)

// deviceSelect names the documented v1.0 managedDevice properties mapped below.
var deviceSelect = strings.Join([]string{
	"id", "deviceName", "serialNumber", "manufacturer", "model", "operatingSystem", "osVersion",
	"userPrincipalName", "emailAddress", "userDisplayName", "lastSyncDateTime",
}, ",")

func init() { connectors.Register(connectors.Intune, New) }

type source struct {
	client   *vendorhttp.Client
	base     *url.URL
	pageSize int
	software bool
	workers  int
	// maxInlineWait is the longest Retry-After a request waits out itself;
	// Graph asking for more means the tenant is throttled (software.go).
	maxInlineWait time.Duration
	log           *slog.Logger
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
	baseURL, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	scope, authority := tokenTarget(baseURL)
	if strings.TrimSpace(cfg.AuthURL) != "" {
		authority = cfg.AuthURL
	}
	authURL, err := parseEndpoint("authURL", authority)
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
		Scopes:       []string{scope},
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
			BaseWait:       cfg.RetryBaseWait,
			PrivilegeFor:   privilegeFor,
		}),
		base:          baseURL,
		pageSize:      pageSize,
		software:      software,
		workers:       workers,
		maxInlineWait: cmp.Or(cfg.MaxInlineWait, 30*time.Second), // vendorhttp's default
		log:           log,
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
			opts = append(opts, "$filter", "lastSyncDateTime gt "+sinceBound(*req.Since))
		}
		at = devicesPath
		err = s.client.GetJSON(ctx, devicesPath+"?"+odataQuery(opts...), nil, &body)
	} else {
		if err := s.checkLink(req.Cursor, devicesPath); err != nil {
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
		if err := s.checkLink(body.NextLink, devicesPath); err != nil {
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
		// As in a page: apps that cannot be read leave the software as it
		// was and are reported, the device itself still applies.
		sw, err := s.fetchSoftware(ctx, md.ID)
		switch {
		case err == nil:
			d.Software = sw
		case failsPage(err):
			return nil, err
		default:
			d.ReadErrors = append(d.ReadErrors, softwareNotRead+err.Error())
		}
	}
	return &d, nil
}

// sinceBound is the lastSyncDateTime literal of an incremental sync from
// since: whole seconds, one below since's second, so "gt" still takes a
// device that synced at since itself (a superset, never a gap).
func sinceBound(since time.Time) string {
	return since.UTC().Truncate(time.Second).Add(-time.Second).Format(sinceFormat)
}
