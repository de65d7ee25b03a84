package intune_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/intune"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
)

// The incremental filter is lastSyncDateTime gt, the operator the
// managedDevice docs name, one second below Since so the bound itself is
// included; the next links keep it.
func TestIncrementalFilterUsesGt(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 200})
	since := s.Now().Add(-48 * time.Hour) // whole seconds
	at := func(d time.Duration) func(*intunetest.ManagedDevice) {
		return func(m *intunetest.ManagedDevice) { m.LastSyncDateTime = since.Add(d) }
	}
	s.SetDevice(0, at(0))                      // synced at the bound itself
	s.SetDevice(1, at(-time.Second))           // a second before
	s.SetDevice(2, at(-10*time.Millisecond))   // a moment before: in the superset
	s.SetDevice(3, at(-1100*time.Millisecond)) // before the second below
	opts := map[string]any{intune.OptionIncludeSoftware: false, intune.OptionPageSize: 20}

	devices, _ := fetchAll(t, newSource(t, config(s, opts)), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	reqs := s.ListRequests()
	require.Equal(t, "lastSyncDateTime gt 2025-05-30T11:59:59Z", reqs[0].Query.Get("$filter"))
	require.Contains(t, reqs[0].URL, "?$select="+wantSelect+"&$top=20&$filter=lastSyncDateTime%20gt%202025-05-30T11:59:59Z")
	for _, r := range reqs[1:] {
		require.Equal(t, reqs[0].Query.Get("$filter"), r.Query.Get("$filter"), "the next link keeps the filter")
	}
	got := byID(devices)
	require.Contains(t, got, intunetest.DeviceID(0), "a device synced exactly at Since is read")
	require.Contains(t, got, intunetest.DeviceID(2))
	require.NotContains(t, got, intunetest.DeviceID(1))
	require.NotContains(t, got, intunetest.DeviceID(3))
	want := 0
	for i := range 200 {
		d, _ := s.Device(i)
		if d.LastSyncDateTime.After(since.Add(-time.Second)) {
			want++
		}
	}
	require.Len(t, devices, want)
	require.Less(t, want, 200)

	// Full mode, or incremental without a bound, reads everything.
	for _, req := range []connectors.PageRequest{{Mode: connectors.Full, Since: &since}, {Mode: connectors.Incremental}} {
		all, _ := fetchAll(t, newSource(t, config(s, opts)), req)
		require.Len(t, all, 200)
	}
}

// An incremental sync that finds nothing ends at once with an empty page.
func TestIncrementalWithNothingNew(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 30})
	since := s.Now().Add(time.Hour)
	p, err := newSource(t, config(s, nil)).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	require.NoError(t, err)
	require.Empty(t, p.Devices)
	require.True(t, p.Done)
	require.Zero(t, s.Counts().AppPages)
}

// Were the connector to send a filter the docs do not name, the page
// fails: it never silently becomes a full listing.
func TestUndocumentedFilterFailsThePage(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 30})
	cfg := config(s, noSoftware)
	cfg.Egress.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "%20gt%20", "%20ge%20", 1)
			return next.RoundTrip(r)
		})
	}
	since := s.Now().Add(-time.Hour)
	_, err := newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	var se *connectors.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusBadRequest, se.Status)
	require.Zero(t, s.Counts().ListPages)
}

// The fake accepts exactly the $filter the managedDevice property docs
// allow and answers anything else with Graph's 400 error body.
func TestFakeAcceptsOnlyDocumentedFilters(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 30})
	token := fakeToken(t, s)
	bound := s.Now().Add(-24 * time.Hour).Format("2006-01-02T15:04:05Z")
	cases := []struct {
		filter string
		ok     bool
	}{
		{"lastSyncDateTime gt " + bound, true},
		{"lastSyncDateTime lt " + bound, true},
		{"enrolledDateTime gt " + bound, true},
		{"lastSyncDateTime gt 2025-05-31T12:00:00.1234567Z", true},
		{"deviceName eq 'CONTOSO-00000'", true},
		{"contains(deviceName,'CONTOSO')", true},
		{"complianceState eq 'compliant' or complianceState eq 'noncompliant'", true},
		{"managementAgent eq 'mdm'", true},
		{"lastSyncDateTime ge " + bound, false},
		{"lastSyncDateTime le " + bound, false},
		{"lastSyncDateTime eq " + bound, false},
		{"lastSyncDateTime gt '" + bound + "'", false},
		{"lastSyncDateTime gt yesterday", false},
		{"lastSyncDateTime gt " + bound + " and lastSyncDateTime lt " + bound, false},
		{"lastSyncDateTime gt " + bound + " or lastSyncDateTime lt " + bound, false},
		{"serialNumber eq 'DL0000000'", false},
		{"deviceName ne 'x'", false},
		{"startswith(deviceName,'C')", false},
		{"deviceName eq CONTOSO", false},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			status, body := fakeGet(t, s, token, "/v1.0/deviceManagement/managedDevices?$filter="+url.PathEscape(tc.filter))
			if tc.ok {
				require.Equal(t, http.StatusOK, status, "%v", body)
				require.Contains(t, body, "value")
				return
			}
			require.Equal(t, http.StatusBadRequest, status)
			e, _ := body["error"].(map[string]any)
			require.Equal(t, "BadRequest", e["code"])
			require.Equal(t, "Invalid filter clause", e["message"])
			require.Contains(t, e, "innerError")
		})
	}
	_, body := fakeGet(t, s, token, "/v1.0/deviceManagement/managedDevices?$filter="+url.PathEscape("deviceName eq 'CONTOSO-00000'"))
	require.Len(t, body["value"], 1, "a documented filter is applied")
}

func fakeToken(t *testing.T, s *intunetest.Server) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}, "scope": {s.Scope()}}
	resp, err := http.PostForm(s.LoginURL+"/"+s.TenantID+"/oauth2/v2.0/token", form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.NotEmpty(t, tok.AccessToken)
	return tok.AccessToken
}

func fakeGet(t *testing.T, s *intunetest.Server, token, pathAndQuery string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.GraphURL+pathAndQuery, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}
