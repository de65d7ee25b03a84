package vendorhttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/fleet"
	"github.com/itam-dev/itam/connectors/fleet/fleettest"
	"github.com/itam-dev/itam/connectors/intune"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
	"github.com/itam-dev/itam/connectors/jamf"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/connectors/kandji"
	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
)

// forbidding is a proxy in front of a vendor fake that refuses requests
// whose path contains refuse with 403 and the vendor's documented error
// body, and forwards the rest: for fakes without a 403 knob of their own.
func forbidding(t *testing.T, fake, refuse, body string) string {
	t.Helper()
	target, err := url.Parse(fake)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, refuse) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, body)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestForbiddenNamesThePrivilegePerVendor: each MDM vendor's 403, with the
// body its documentation shows, comes back as a *ForbiddenError naming the
// endpoint, the privilege from the vendor's privilege map and the vendor's
// message, never as refused credentials, and with no credential in it.
func TestForbiddenNamesThePrivilegePerVendor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// build starts the fake (and its 403) and returns the source and
		// the credentials that must not show.
		build         func(t *testing.T) (connectors.Source, []string)
		endpoint      string
		privilege     string
		vendorMessage string
	}{
		{"Jamf Pro", func(t *testing.T) (connectors.Source, []string) {
			s := jamftest.New(t, jamftest.Options{Computers: 3})
			// The Jamf Pro API's error body (ApiError: httpStatus, errors[]
			// of code/description/id/field) for a missing privilege.
			base := forbidding(t, s.URL, "/computers-inventory",
				`{"httpStatus":403,"errors":[{"code":"INVALID_PRIVILEGE","description":"Forbidden","id":"0","field":null}]}`)
			creds := map[string]string{jamf.CredClientID: s.ClientID, jamf.CredClientSecret: s.ClientSecret}
			src, err := connectors.New(connectors.JamfPro, connectors.Config{BaseURL: base, Egress: connectors.AllowLoopback(), Credentials: creds, Options: map[string]any{}})
			require.NoError(t, err)
			return src, []string{s.ClientSecret}
		}, `^GET /api/v\d+/computers-inventory$`, "Read Computers", "Forbidden"},
		{"Intune", func(t *testing.T) (connectors.Source, []string) {
			s := intunetest.New(t, intunetest.Options{Devices: 3})
			s.FailNext(1, http.StatusForbidden, "") // Graph's error body
			src, err := connectors.New(connectors.Intune, connectors.Config{BaseURL: s.GraphURL, AuthURL: s.LoginURL,
				Egress: connectors.AllowLoopback(), Credentials: s.Credentials(), Options: map[string]any{intune.OptionIncludeSoftware: false}})
			require.NoError(t, err)
			var secrets []string
			for _, v := range s.Credentials() {
				if len(v) > 12 {
					secrets = append(secrets, v)
				}
			}
			return src, secrets
		}, "GET /v1.0/deviceManagement/managedDevices", "DeviceManagementManagedDevices.Read.All (application permission, admin consent)", "Injected failure: Forbidden."},
		{"Kandji", func(t *testing.T) (connectors.Source, []string) {
			s := kandjitest.New(t, kandjitest.Options{Devices: 3})
			s.FailNextOn(kandjitest.EndpointList, 1, http.StatusForbidden, nil) // {"detail": …}
			src, err := connectors.New(connectors.Kandji, connectors.Config{BaseURL: s.URL, Egress: connectors.AllowLoopback(),
				Credentials: map[string]string{kandji.CredAPIToken: s.Token()}, Options: map[string]any{}})
			require.NoError(t, err)
			return src, []string{s.Token()}
		}, "GET /api/v1/devices", "Device list", "Forbidden"},
		{"Kandji Prism apps", func(t *testing.T) (connectors.Source, []string) {
			s := kandjitest.New(t, kandjitest.Options{Devices: 3})
			s.FailNextOn(kandjitest.EndpointPrismApps, 1, http.StatusForbidden, nil) // {"detail": …}
			src, err := connectors.New(connectors.Kandji, connectors.Config{BaseURL: s.URL, Egress: connectors.AllowLoopback(),
				Credentials: map[string]string{kandji.CredAPIToken: s.Token()}, Options: map[string]any{}})
			require.NoError(t, err)
			return src, []string{s.Token()}
		}, "GET /api/v1/prism/apps", "Applications (Visibility)", "Forbidden"},
		{"Fleet", func(t *testing.T) (connectors.Source, []string) {
			s := fleettest.New(t, fleettest.Options{Hosts: 3})
			// Fleet's error body: message plus errors[] of name/reason.
			base := forbidding(t, s.URL, "/api/v1/fleet/hosts",
				`{"message":"forbidden","errors":[{"name":"base","reason":"forbidden"}]}`)
			src, err := connectors.New(connectors.Fleet, connectors.Config{BaseURL: base, Egress: connectors.AllowLoopback(),
				Credentials: map[string]string{fleet.CredentialAPIToken: s.Token}, Options: map[string]any{}})
			require.NoError(t, err)
			return src, []string{s.Token}
		}, "GET /api/v1/fleet/hosts", "the Observer role (or higher), global or on the hosts' team", "forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src, secrets := tc.build(t)
			_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			require.Error(t, err)
			require.NotErrorIs(t, err, connectors.ErrUnauthorized)
			var fe *connectors.ForbiddenError
			require.ErrorAs(t, err, &fe, "%v", err)
			require.Regexp(t, "^"+strings.TrimPrefix(tc.endpoint, "^"), fe.Endpoint)
			require.Equal(t, tc.privilege, fe.Privilege)
			require.Equal(t, tc.vendorMessage, fe.Message)
			for _, s := range secrets {
				require.NotContains(t, err.Error(), s)
			}
		})
	}
}

// TestThrottledSubRequestRetriesOnItsOwn: a device's details request
// throttled several times waits and succeeds on its own (more throttles
// than the old client's four retries); the page it belongs to is fetched
// once and completes.
func TestThrottledSubRequestRetriesOnItsOwn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		devices    int
		throttles  int
		retryAfter kandjitest.RetryAfter
	}{
		{"twice without Retry-After", 5, 2, nil},
		// One device: all six land on its one details request.
		{"six times with a short Retry-After", 1, 6, kandjitest.FractionalSeconds(10 * time.Millisecond)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := kandjitest.New(t, kandjitest.Options{Devices: tc.devices})
			src, err := connectors.New(connectors.Kandji, connectors.Config{BaseURL: s.URL, Egress: connectors.AllowLoopback(),
				Credentials: map[string]string{kandji.CredAPIToken: s.Token()}, Options: map[string]any{kandji.OptIncludeDetails: true},
				MaxInlineWait: 5 * time.Second})
			require.NoError(t, err)
			s.FailNextOn(kandjitest.EndpointDetails, tc.throttles, http.StatusTooManyRequests, tc.retryAfter)
			p, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			require.NoError(t, err, "a throttled sub-request must not fail its page")
			require.Len(t, p.Devices, tc.devices)
			c := s.Counts()
			require.Equal(t, 1, c.List, "the page request was sent once")
			require.Equal(t, tc.devices, c.Details, "each device's details answered once")
			require.Equal(t, tc.throttles, c.Faulted, "and the throttled attempts retried")
		})
	}
}
