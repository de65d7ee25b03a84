package intune_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/intune"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
	"github.com/itam-dev/itam/internal/testkit"
)

const wantSelect = "id,deviceName,serialNumber,manufacturer,model,operatingSystem,osVersion,userPrincipalName,emailAddress,userDisplayName,lastSyncDateTime"

func config(s *intunetest.Server, opts map[string]any) connectors.Config {
	// The fake listens on 127.0.0.1: allowed explicitly, the guard stays on.
	return connectors.Config{BaseURL: s.GraphURL, AuthURL: s.LoginURL, Egress: connectors.AllowLoopback(), Credentials: s.Credentials(), Options: opts}
}

func newSource(t *testing.T, cfg connectors.Config) connectors.Source {
	t.Helper()
	src, err := connectors.New(connectors.Intune, cfg)
	require.NoError(t, err)
	return src
}

var noSoftware = map[string]any{intune.OptionIncludeSoftware: false}

// fetchAll pages to the end, returning the devices and the pages' cursors.
func fetchAll(t *testing.T, src connectors.Source, req connectors.PageRequest) ([]connectors.Device, []string) {
	t.Helper()
	var devices []connectors.Device
	var cursors []string
	for range 1000 {
		p, err := src.FetchPage(context.Background(), req)
		require.NoError(t, err)
		devices = append(devices, p.Devices...)
		if p.Done {
			require.Empty(t, p.NextCursor)
			return devices, cursors
		}
		require.NotEmpty(t, p.NextCursor)
		cursors = append(cursors, p.NextCursor)
		req.Cursor = p.NextCursor
	}
	t.Fatal("paging never ended")
	return nil, nil
}

func byID(devices []connectors.Device) map[string]connectors.Device {
	m := map[string]connectors.Device{}
	for _, d := range devices {
		m[d.ExternalID] = d
	}
	return m
}

func TestRegisteredAndKind(t *testing.T) {
	require.Contains(t, connectors.Kinds(), connectors.Intune)
	s := intunetest.New(t, intunetest.Options{})
	require.Equal(t, connectors.Intune, newSource(t, config(s, nil)).Kind())
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	full := map[string]string{"tenantId": "t", "clientId": "c", "clientSecret": "s"}
	without := func(k string) map[string]string {
		m := map[string]string{}
		for kk, v := range full {
			if kk != k {
				m[kk] = v
			}
		}
		return m
	}
	cases := []struct {
		name  string
		cfg   connectors.Config
		field string
	}{
		{"no tenant", connectors.Config{Credentials: without("tenantId")}, "credentials.tenantId"},
		{"no client id", connectors.Config{Credentials: without("clientId")}, "credentials.clientId"},
		{"no secret", connectors.Config{Credentials: without("clientSecret")}, "credentials.clientSecret"},
		{"no credentials", connectors.Config{}, "credentials.tenantId"},
		{"bad base URL", connectors.Config{Credentials: full, BaseURL: "ftp://graph"}, "baseURL"},
		{"relative auth URL", connectors.Config{Credentials: full, AuthURL: "login"}, "authURL"},
		{"page size 0", connectors.Config{Credentials: full, Options: map[string]any{"pageSize": 0}}, "options.pageSize"},
		{"page size above 1000", connectors.Config{Credentials: full, Options: map[string]any{"pageSize": 1001}}, "options.pageSize"},
		{"fractional page size", connectors.Config{Credentials: full, Options: map[string]any{"pageSize": 2.5}}, "options.pageSize"},
		{"page size text", connectors.Config{Credentials: full, Options: map[string]any{"pageSize": "many"}}, "options.pageSize"},
		{"software not a bool", connectors.Config{Credentials: full, Options: map[string]any{"includeSoftware": "maybe"}}, "options.includeSoftware"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := intune.New(tc.cfg)
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			if strings.HasPrefix(tc.field, "credentials.") {
				require.Contains(t, ce.Message, strings.TrimPrefix(tc.field, "credentials."))
			}
		})
	}
	for _, opts := range []map[string]any{
		{"pageSize": 1000, "includeSoftware": true},
		{"pageSize": float64(25), "includeSoftware": "false"},
		{"pageSize": "1"},
	} {
		_, err := intune.New(connectors.Config{Credentials: full, Options: opts})
		require.NoError(t, err, opts)
	}
}

func TestTokenFlow(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 3})
	src := newSource(t, config(s, noSoftware))

	for range 3 {
		_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		require.NoError(t, err)
	}
	trs := s.TokenRequests()
	require.Len(t, trs, 1, "the token is cached across requests")
	tr := trs[0]
	require.Equal(t, s.TenantID, tr.Tenant, "tenant in the token URL path")
	require.Equal(t, "client_credentials", tr.Form.Get("grant_type"))
	require.Equal(t, s.ClientID, tr.Form.Get("client_id"))
	require.Equal(t, s.ClientSecret, tr.Form.Get("client_secret"))
	require.Equal(t, s.GraphURL+"/.default", tr.Form.Get("scope"), "the scope of the configured Graph's origin")
	for _, r := range s.Requests() {
		require.True(t, strings.HasPrefix(r.Authorization, "Bearer eyJ"), r.Authorization)
	}
	require.Equal(t, 1, s.Counts().TokensIssued)
}

func TestBadCredentialsAreUnauthorized(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(map[string]string)
	}{
		{"unknown tenant", func(c map[string]string) { c["tenantId"] = "contoso.onmicrosoft.com" }},
		{"unknown client", func(c map[string]string) { c["clientId"] = "00000000-0000-0000-0000-000000000000" }},
		{"wrong secret", func(c map[string]string) { c["clientSecret"] = "nope" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 3})
			cfg := config(s, noSoftware)
			tc.edit(cfg.Credentials)
			_, err := newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{})
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			c := s.Counts()
			require.Equal(t, 1, c.TokenRequests, "a refused token request is not retried")
			require.Zero(t, c.Graph, "Graph is never called without a token")
		})
	}
}

func TestPagesToTheEndFollowingNextLinkVerbatim(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		devices   int
		pageSize  any
		wantPages int
		wantTop   string
	}{
		{"default page size", 2345, nil, 3, "1000"},
		{"small pages", 20, 7, 3, "7"},
		{"exact multiple", 20, 10, 2, "10"},
		{"one page", 5, nil, 1, "1000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: tc.devices})
			opts := map[string]any{intune.OptionIncludeSoftware: false}
			if tc.pageSize != nil {
				opts[intune.OptionPageSize] = tc.pageSize
			}
			devices, cursors := fetchAll(t, newSource(t, config(s, opts)), connectors.PageRequest{Mode: connectors.Full})

			require.Len(t, devices, tc.devices)
			for i, d := range devices {
				require.Equal(t, intunetest.DeviceID(i), d.ExternalID, "devices in Graph's order")
			}
			reqs := s.ListRequests()
			require.Len(t, reqs, tc.wantPages)
			require.Len(t, cursors, tc.wantPages-1)
			first := reqs[0].Query
			require.Equal(t, wantSelect, first.Get("$select"))
			require.Equal(t, tc.wantTop, first.Get("$top"))
			require.Empty(t, first.Get("$filter"))
			require.Empty(t, first.Get("$skiptoken"))
			for k, cur := range cursors {
				require.Equal(t, cur, reqs[k+1].URL, "the next page is requested at the nextLink, byte for byte")
				require.NotEmpty(t, reqs[k+1].Query.Get("$skiptoken"))
				require.True(t, strings.HasPrefix(reqs[k+1].Authorization, "Bearer "), "auth on followed links")
			}
			require.Equal(t, tc.wantPages, s.Counts().ListPages)
		})
	}
}

func TestFollowedLinkKeepsRetries(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 25})
	src := newSource(t, config(s, map[string]any{intune.OptionIncludeSoftware: false, intune.OptionPageSize: 10}))
	p1, err := src.FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)

	s.Throttle(1, "0.01")
	s.Unavailable(1, "0.01")
	s.ExpireTokens()
	p2, err := src.FetchPage(context.Background(), connectors.PageRequest{Cursor: p1.NextCursor})
	require.NoError(t, err)
	require.Equal(t, intunetest.DeviceID(10), p2.Devices[0].ExternalID)
	reqs := s.ListRequests()
	require.Len(t, reqs, 5, "first page; then 401, 429, 503 and success on the next link")
	for _, r := range reqs[1:] {
		require.Equal(t, p1.NextCursor, r.URL, "every attempt goes to the next link as given")
	}
	c := s.Counts()
	require.Equal(t, [3]int{1, 1, 1}, [3]int{c.Unauthorized, c.Throttled, c.Unavailable})
}

func TestCursorResumesInANewSource(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 25})
	opts := map[string]any{intune.OptionIncludeSoftware: false, intune.OptionPageSize: 10}
	p1, err := newSource(t, config(s, opts)).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	// A crashed run resumes from the stored cursor with a fresh source.
	rest, _ := fetchAll(t, newSource(t, config(s, opts)), connectors.PageRequest{Cursor: p1.NextCursor})
	require.Len(t, rest, 15)
	require.Equal(t, intunetest.DeviceID(10), rest[0].ExternalID)
}

func TestEmptyTenant(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{})
	p, err := newSource(t, config(s, nil)).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.Empty(t, p.Devices)
	require.True(t, p.Done)
	require.Empty(t, p.NextCursor)
	require.Zero(t, s.Counts().AppPages)
}

func TestTokenExpiryMidSyncRefreshesOnce(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 30})
	src := newSource(t, config(s, map[string]any{intune.OptionIncludeSoftware: false, intune.OptionPageSize: 10}))
	p, err := src.FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)

	s.ExpireTokens()
	p2, err := src.FetchPage(context.Background(), connectors.PageRequest{Cursor: p.NextCursor})
	require.NoError(t, err)
	require.Len(t, p2.Devices, 10)
	c := s.Counts()
	require.Equal(t, 1, c.Unauthorized)
	require.Equal(t, 2, c.TokensIssued)

	rest, _ := fetchAll(t, src, connectors.PageRequest{Cursor: p2.NextCursor})
	require.Len(t, rest, 10)
	require.Equal(t, 2, s.Counts().TokensIssued, "the refreshed token serves the rest of the sync")
}

func TestRefusedCredentialsMidSync(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		refuse           func(*intunetest.Server)
		wantUnauthorized int // 401s served by Graph
		wantTokens       int // token requests in total
	}{
		// Secret revoked: Graph refuses the token, the refresh is refused.
		{"revoked", func(s *intunetest.Server) { s.RevokeCredentials() }, 1, 2},
		// Graph refuses even a fresh token: one refresh, then give up.
		{"every token refused", func(s *intunetest.Server) { s.RejectTokens(true) }, 2, 2},
		// Missing application permission: 403.
		{"forbidden", func(s *intunetest.Server) { s.FailNext(1, http.StatusForbidden, "") }, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 30})
			src := newSource(t, config(s, map[string]any{intune.OptionIncludeSoftware: false, intune.OptionPageSize: 10}))
			p, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			require.NoError(t, err)

			tc.refuse(s)
			_, err = src.FetchPage(context.Background(), connectors.PageRequest{Cursor: p.NextCursor})
			if tc.name == "forbidden" {
				// A missing permission is not a credential problem: it
				// names what was refused (framework, issue 12).
				var fe *connectors.ForbiddenError
				require.ErrorAs(t, err, &fe)
			} else {
				require.ErrorIs(t, err, connectors.ErrUnauthorized)
			}
			c := s.Counts()
			require.Equal(t, tc.wantUnauthorized, c.Unauthorized)
			require.Equal(t, tc.wantTokens, c.TokenRequests)
		})
	}
}

func TestThrottlingHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		throttles  int
		retryAfter func() string
		minWait    time.Duration
	}{
		{"integer seconds", 1, func() string { return "1" }, time.Second},
		{"fractional seconds", 2, func() string { return "0.05" }, 100 * time.Millisecond},
		{"HTTP date", 1, func() string { return time.Now().Add(time.Second).UTC().Format(http.TimeFormat) }, 0},
		{"no header: backoff", 1, func() string { return "" }, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 5})
			src := newSource(t, config(s, noSoftware))
			start := time.Now() // before an HTTP date starts counting down
			s.Throttle(tc.throttles, tc.retryAfter())
			p, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			elapsed := time.Since(start)
			require.NoError(t, err)
			require.Len(t, p.Devices, 5)
			require.GreaterOrEqual(t, elapsed, tc.minWait)
			require.Equal(t, tc.throttles, s.Counts().Throttled)
			require.Equal(t, tc.throttles+1, s.Counts().Graph)
		})
	}
}

func TestLongRetryAfterSnoozesWithoutWaiting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		retryAfter    func() string
		maxInlineWait time.Duration
		want          time.Duration
	}{
		{"two minutes", func() string { return "120" }, 0, 2 * time.Minute},
		{"HTTP date in ten minutes", func() string {
			return time.Now().Add(10*time.Minute + 500*time.Millisecond).UTC().Format(http.TimeFormat)
		}, 0, 10 * time.Minute},
		{"longer than the configured inline wait", func() string { return "5.5" }, 100 * time.Millisecond, 5500 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 5})
			cfg := config(s, noSoftware)
			cfg.MaxInlineWait = tc.maxInlineWait
			src := newSource(t, cfg)
			s.Throttle(1, tc.retryAfter())
			start := time.Now()
			_, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			require.Less(t, time.Since(start), tc.want, "the Retry-After is not sat out")
			var rl *connectors.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.InDelta(t, tc.want.Seconds(), rl.RetryAfter.Seconds(), 2)
			require.Equal(t, 1, s.Counts().Graph)
		})
	}
}

func TestServiceUnavailable(t *testing.T) {
	t.Parallel()
	t.Run("503 then success", func(t *testing.T) {
		t.Parallel()
		for _, ra := range []string{"", "0.01"} {
			s := intunetest.New(t, intunetest.Options{Devices: 5})
			src := newSource(t, config(s, noSoftware))
			s.Unavailable(2, ra)
			p, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			require.NoError(t, err, "Retry-After %q", ra)
			require.Len(t, p.Devices, 5)
			require.Equal(t, 2, s.Counts().Unavailable)
		}
	})
	t.Run("503 beyond the retries", func(t *testing.T) {
		t.Parallel()
		s := intunetest.New(t, intunetest.Options{Devices: 5})
		src := newSource(t, config(s, noSoftware))
		s.Unavailable(10, "0.01")
		_, err := src.FetchPage(context.Background(), connectors.PageRequest{})
		var se *connectors.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, http.StatusServiceUnavailable, se.Status)
		require.Equal(t, 5, s.Counts().Unavailable, "one try and four retries")
	})
}

func TestMalformedPage(t *testing.T) {
	t.Parallel()
	for _, m := range []intunetest.Malformation{intunetest.Truncated, intunetest.InvalidJSON, intunetest.MissingValue} {
		t.Run(map[intunetest.Malformation]string{intunetest.Truncated: "truncated", intunetest.InvalidJSON: "not JSON", intunetest.MissingValue: "no value"}[m], func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 30})
			src := newSource(t, config(s, map[string]any{intune.OptionIncludeSoftware: false, intune.OptionPageSize: 10}))
			s.MalformPage(2, m)
			p1, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			require.NoError(t, err)
			_, err = src.FetchPage(context.Background(), connectors.PageRequest{Cursor: p1.NextCursor})
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
			require.NotContains(t, me.URL, "skiptoken", "URLs in errors carry no query")

			// The page failed whole; once Graph recovers the same cursor works.
			s.ClearFaults()
			p2, err := src.FetchPage(context.Background(), connectors.PageRequest{Cursor: p1.NextCursor})
			require.NoError(t, err)
			require.Len(t, p2.Devices, 10)
			require.Equal(t, intunetest.DeviceID(10), p2.Devices[0].ExternalID)
		})
	}
	t.Run("device without id", func(t *testing.T) {
		t.Parallel()
		s := intunetest.New(t, intunetest.Options{Devices: 3})
		s.SetDevice(1, func(d *intunetest.ManagedDevice) { d.ID = "" })
		_, err := newSource(t, config(s, noSoftware)).FetchPage(context.Background(), connectors.PageRequest{})
		var me *connectors.MalformedError
		require.ErrorAs(t, err, &me)
	})
	t.Run("cursor for another host", func(t *testing.T) {
		t.Parallel()
		s := intunetest.New(t, intunetest.Options{Devices: 3})
		_, err := newSource(t, config(s, noSoftware)).FetchPage(context.Background(), connectors.PageRequest{
			Cursor: "https://attacker.example/v1.0/deviceManagement/managedDevices?$skiptoken=x",
		})
		var me *connectors.MalformedError
		require.ErrorAs(t, err, &me)
		require.Zero(t, s.Counts().TokenRequests, "no token is fetched, let alone sent elsewhere")
	})
	t.Run("link with user info", func(t *testing.T) {
		t.Parallel()
		s := intunetest.New(t, intunetest.Options{Devices: 3})
		_, err := newSource(t, config(s, noSoftware)).FetchPage(context.Background(), connectors.PageRequest{
			Cursor: "https://admin:hunter2@attacker.example/v1.0/deviceManagement/managedDevices?$skiptoken=x#frag",
		})
		var me *connectors.MalformedError
		require.ErrorAs(t, err, &me)
		require.NotContains(t, err.Error(), "hunter2", "user info is redacted from URLs in errors")
		require.NotContains(t, err.Error(), "frag", "fragments are redacted from URLs in errors")
	})
}

func TestEveryCanonicalFieldMapped(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 10})
	p, err := newSource(t, config(s, nil)).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	got := byID(p.Devices)[intunetest.DeviceID(1)] // a Mac with apps and a mixed-case email
	lastSync := time.Date(2025, 6, 1, 10, 58, 59, 876543300, time.UTC)
	require.Equal(t, connectors.Device{
		ExternalID:   intunetest.DeviceID(1),
		SerialNumber: "C02MA0000001",
		Name:         "Sam's MacBook Air",
		Manufacturer: "Apple",
		Model:        "MacBook Air (M2, 2022)",
		OSName:       "macOS",
		OSVersion:    "14.4.1 (23E224)",
		UserEmail:    "Sam.Martin0001@Contoso.COM",
		UserName:     "Sam Martin",
		LastCheckIn:  &lastSync,
		Virtual:      false,
		Software:     []connectors.Software{{Title: "Safari", Version: "17.4.1"}},
		// Intune has no model identifier, asset tag, purchase or warranty data.
	}, got)
}

func TestQuirks(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 40})
	s.SetDevice(20, func(d *intunetest.ManagedDevice) {
		d.Raw = map[string]any{"lastSyncDateTime": nil, "serialNumber": nil, "emailAddress": "First@Contoso.com; second@contoso.com"}
	})
	s.SetDevice(30, func(d *intunetest.ManagedDevice) {
		d.Raw = map[string]any{"lastSyncDateTime": "yesterday-ish", "emailAddress": "", "userPrincipalName": "Upn.User@Contoso.com", "deviceName": "  PADDED  "}
	})
	s.SetDevice(40-2, func(d *intunetest.ManagedDevice) {
		d.Raw = map[string]any{"lastSyncDateTime": "2025-05-01T08:00:00.1234567", "userPrincipalName": "not-an-address", "emailAddress": ""}
	})
	devices, _ := fetchAll(t, newSource(t, config(s, noSoftware)), connectors.PageRequest{})
	m := byID(devices)
	dev := func(i int) connectors.Device { return m[intunetest.DeviceID(i)] }
	require.Len(t, devices, 40)

	cases := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"zero dates are nil", func(t *testing.T) {
			for n := range 4 {
				require.Nil(t, dev(intunetest.IndexOf(intunetest.KindZeroDates, n)).LastCheckIn)
			}
		}},
		{"empty identifiers stay empty", func(t *testing.T) {
			d := dev(intunetest.IndexOf(intunetest.KindEmptyIdentifiers, 0))
			require.Empty(t, d.SerialNumber)
			require.Empty(t, d.UserEmail)
			require.Empty(t, d.UserName)
			require.NotEmpty(t, d.ExternalID)
			require.NotNil(t, d.LastCheckIn)
		}},
		{"email case kept as reported", func(t *testing.T) {
			require.Equal(t, "Sam.Martin0001@Contoso.COM", dev(1).UserEmail)
		}},
		{"junk serials kept for the engine to judge", func(t *testing.T) {
			for n, junk := range intunetest.JunkSerials {
				require.Equal(t, junk, dev(intunetest.IndexOf(intunetest.KindJunkSerial, n)).SerialNumber)
			}
		}},
		{"virtual machines", func(t *testing.T) {
			for i, d := range devices {
				want := intunetest.KindOf(i) == intunetest.KindVirtual
				require.Equal(t, want, d.Virtual, "device %d (%s %s)", i, d.Manufacturer, d.Model)
			}
			require.Equal(t, "VMware, Inc.", dev(17).Manufacturer)
			require.Equal(t, "Virtual Machine", dev(7).Model)
		}},
		{"nulls and several emails", func(t *testing.T) {
			d := dev(20)
			require.Nil(t, d.LastCheckIn)
			require.Empty(t, d.SerialNumber)
			require.Equal(t, "First@Contoso.com", d.UserEmail)
		}},
		{"unreadable date is nil, not a failed page; UPN stands in for email", func(t *testing.T) {
			d := dev(30)
			require.Nil(t, d.LastCheckIn)
			require.Equal(t, "Upn.User@Contoso.com", d.UserEmail)
			require.Equal(t, "PADDED", d.Name)
		}},
		{"date without offset is UTC; a UPN that is no address is not an email", func(t *testing.T) {
			d := dev(38)
			require.Equal(t, time.Date(2025, 5, 1, 8, 0, 0, 123456700, time.UTC), *d.LastCheckIn)
			require.Empty(t, d.UserEmail)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.check)
	}
}

func TestVirtualMachineDetection(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 1})
	src := newSource(t, config(s, noSoftware))
	cases := []struct {
		manufacturer, model string
		want                bool
	}{
		{"Microsoft Corporation", "Virtual Machine", true},
		{"Microsoft Corporation", "Cloud PC Enterprise 2vCPU/8GB/128GB", true},
		{"VMware, Inc.", "VMware Virtual Platform", true},
		{"VMware, Inc.", "VMware20,1", true},
		{"innotek GmbH", "VirtualBox", true},
		{"Parallels International GmbH.", "Parallels ARM Virtual Machine", true},
		{"QEMU", "Standard PC (Q35 + ICH9, 2009)", true},
		{"Red Hat", "KVM", true},
		{"Xen", "HVM domU", true},
		{"Apple", "VirtualMac2,1", true},
		{"Amazon EC2", "t3.large", true},
		{"Google", "Google Compute Engine", true},
		{"Microsoft Corporation", "Surface Laptop 5", false},
		{"Dell Inc.", "Latitude 7440", false},
		{"Apple", "MacBook Pro (14-inch, 2023)", false},
		{"", "", false},
	}
	for _, tc := range cases {
		s.SetDevice(0, func(d *intunetest.ManagedDevice) { d.Manufacturer, d.Model = tc.manufacturer, tc.model })
		d, err := src.FetchDevice(context.Background(), intunetest.DeviceID(0))
		require.NoError(t, err)
		require.Equal(t, tc.want, d.Virtual, "%s / %s", tc.manufacturer, tc.model)
	}
}

func TestSoftware(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 20, AppsPageSize: 2})
	s.SetApps(3, []intunetest.DetectedApp{
		{DisplayName: "Zoom Workplace", Version: "6.0.2"},
		{DisplayName: "Zoom Workplace", Version: "6.0.2"}, // reported twice
		{DisplayName: "", Version: "1.0"},                 // nameless
		{DisplayName: " Notepad++ ", Version: " 8.6.5 "},
	})
	devices, _ := fetchAll(t, newSource(t, config(s, nil)), connectors.PageRequest{})
	require.Len(t, devices, 20)
	for i, d := range devices {
		require.NotNil(t, d.Software, "software read for device %d, even when empty", i)
		if i == 3 {
			require.Equal(t, []connectors.Software{{Title: "Zoom Workplace", Version: "6.0.2"}, {Title: "Notepad++", Version: "8.6.5"}}, d.Software)
			continue
		}
		var want []connectors.Software
		for _, a := range s.Apps(i) {
			want = append(want, connectors.Software{Title: a.DisplayName, Version: a.Version})
		}
		if want == nil {
			require.Empty(t, d.Software)
		} else {
			require.Equal(t, want, d.Software, "device %d", i)
		}
	}
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/detectedApps") {
			require.True(t, strings.HasPrefix(r.Path, "/beta/deviceManagement/managedDevices/"), "per-device detected apps exist in beta only: %s", r.Path)
			if r.Query.Get("$skiptoken") == "" {
				require.Equal(t, "displayName,version", r.Query.Get("$select"))
			}
		}
	}
	require.Greater(t, s.Counts().AppPages, 20, "app lists of more than two apps were paged")

	t.Run("off", func(t *testing.T) {
		s := intunetest.New(t, intunetest.Options{Devices: 20})
		devices, _ := fetchAll(t, newSource(t, config(s, noSoftware)), connectors.PageRequest{})
		for _, d := range devices {
			require.Nil(t, d.Software)
		}
		require.Zero(t, s.Counts().AppPages)
	})

	t.Run("device deleted before its apps are read", func(t *testing.T) {
		s := intunetest.New(t, intunetest.Options{Devices: 5})
		victim := intunetest.DeviceID(2)
		cfg := config(s, nil)
		cfg.Egress.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
			return roundTripper(func(r *http.Request) (*http.Response, error) {
				if strings.Contains(r.URL.Path, victim+"/detectedApps") {
					s.DeleteDevice(2)
				}
				return next.RoundTrip(r)
			})
		}
		p, err := newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Devices, 5)
		require.Nil(t, byID(p.Devices)[victim].Software)
		require.NotNil(t, byID(p.Devices)[intunetest.DeviceID(1)].Software)
	})

}

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 40})
	var inFlight testkit.InFlight
	// App requests wait until two are in flight together, which only
	// parallel reads can achieve; overlapping sleeps stop overlapping on
	// a busy machine, a barrier does not.
	met := testkit.NewBarrier(2)
	cfg := config(s, nil)
	cfg.MaxConcurrency = 3
	cfg.Egress.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			defer inFlight.Enter()()
			if strings.HasSuffix(r.URL.Path, "/detectedApps") {
				if err := met.Wait(r.Context()); err != nil {
					return nil, err
				}
			}
			return next.RoundTrip(r)
		})
	}
	p, err := newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Devices, 40)
	require.LessOrEqual(t, inFlight.Peak(), int64(3))
	require.Greater(t, inFlight.Peak(), int64(1), "apps are read in parallel")
}

func TestFetchDevice(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 10})
	src := newSource(t, config(s, nil))
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)

	d, err := src.FetchDevice(context.Background(), intunetest.DeviceID(4))
	require.NoError(t, err)
	require.NotNil(t, d)
	require.Equal(t, byID(page.Devices)[intunetest.DeviceID(4)], *d, "same mapping as the list")
	require.NotEmpty(t, d.Software)
	last := s.Requests()
	var get intunetest.Request
	for _, r := range last {
		if r.Path == "/v1.0/deviceManagement/managedDevices/"+intunetest.DeviceID(4) {
			get = r
		}
	}
	require.Equal(t, wantSelect, get.Query.Get("$select"))

	cases := []struct {
		name string
		id   string
	}{
		{"unknown id", "00000000-0000-4000-8000-000000000000"},
		{"id with path characters", "../../users"},
	}
	for _, tc := range cases {
		d, err := src.FetchDevice(context.Background(), tc.id)
		require.NoError(t, err, tc.name)
		require.Nil(t, d, tc.name)
	}

	s.DeleteDevice(4)
	d, err = src.FetchDevice(context.Background(), intunetest.DeviceID(4))
	require.NoError(t, err)
	require.Nil(t, d, "a deleted device is nil, not an error")

	_, err = src.FetchDevice(context.Background(), " ")
	require.Error(t, err)

	s.Throttle(1, "600")
	_, err = src.FetchDevice(context.Background(), intunetest.DeviceID(5))
	var rl *connectors.RateLimitError
	require.True(t, errors.As(err, &rl))
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
