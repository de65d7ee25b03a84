package fleet_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/fleet"
	"github.com/itam-dev/itam/connectors/fleet/fleettest"
	"github.com/itam-dev/itam/internal/testkit"
)

// source builds a Fleet source for srv through the registry, with pages of
// ten and a two-second inline wait unless edit says otherwise.
func source(t *testing.T, srv *fleettest.Server, edit ...func(*connectors.Config)) connectors.Source {
	t.Helper()
	cfg := connectors.Config{
		Egress:        connectors.AllowLoopback(), // the fake listens on 127.0.0.1
		BaseURL:       srv.URL,
		Credentials:   map[string]string{fleet.CredentialAPIToken: srv.Token},
		Options:       map[string]any{fleet.OptionPageSize: 10},
		MaxInlineWait: 2 * time.Second,
	}
	for _, e := range edit {
		e(&cfg)
	}
	src, err := connectors.New(connectors.Fleet, cfg)
	require.NoError(t, err)
	return src
}

func noSoftware(cfg *connectors.Config) { cfg.Options[fleet.OptionIncludeSoftware] = false }

// fetchAll follows cursors to the last page.
func fetchAll(t *testing.T, src connectors.Source, mode connectors.Mode) ([]connectors.Device, int, error) {
	t.Helper()
	var all []connectors.Device
	cursor := ""
	for pages := 1; pages <= 1000; pages++ {
		page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: mode, Cursor: cursor})
		if err != nil {
			return all, pages, err
		}
		all = append(all, page.Devices...)
		if page.Done {
			require.Empty(t, page.NextCursor)
			return all, pages, nil
		}
		require.NotEmpty(t, page.NextCursor)
		cursor = page.NextCursor
	}
	t.Fatal("no last page after 1000 pages")
	return nil, 0, nil
}

func TestRegistered(t *testing.T) {
	t.Parallel()
	require.Contains(t, connectors.Kinds(), connectors.Fleet)
	srv := fleettest.New(t, fleettest.Options{})
	require.Equal(t, connectors.Fleet, source(t, srv).Kind())
}

func TestConfig(t *testing.T) {
	t.Parallel()
	good := func() connectors.Config {
		return connectors.Config{
			BaseURL:     "https://fleet.example.com",
			Credentials: map[string]string{"apiToken": "t"},
			Options:     map[string]any{},
		}
	}
	cases := []struct {
		name  string
		edit  func(*connectors.Config)
		field string // "" when the config is valid
	}{
		{"valid", func(*connectors.Config) {}, ""},
		{"pasted API path", func(c *connectors.Config) { c.BaseURL = "https://fleet.example.com/api/v1/fleet/" }, ""},
		{"page size from JSON", func(c *connectors.Config) { c.Options["pageSize"] = float64(250) }, ""},
		{"page size as text", func(c *connectors.Config) { c.Options["pageSize"] = "50" }, ""},
		{"software off as text", func(c *connectors.Config) { c.Options["includeSoftware"] = "false" }, ""},
		{"no base URL", func(c *connectors.Config) { c.BaseURL = "" }, "baseUrl"},
		{"base URL without scheme", func(c *connectors.Config) { c.BaseURL = "fleet.example.com" }, "baseUrl"},
		{"base URL not http", func(c *connectors.Config) { c.BaseURL = "ftp://fleet.example.com" }, "baseUrl"},
		{"no token", func(c *connectors.Config) { c.Credentials = nil }, "credentials.apiToken"},
		{"page size zero", func(c *connectors.Config) { c.Options["pageSize"] = 0 }, "options.pageSize"},
		{"page size fractional", func(c *connectors.Config) { c.Options["pageSize"] = 2.5 }, "options.pageSize"},
		{"page size words", func(c *connectors.Config) { c.Options["pageSize"] = "many" }, "options.pageSize"},
		{"software not a bool", func(c *connectors.Config) { c.Options["includeSoftware"] = "sometimes" }, "options.includeSoftware"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := good()
			tc.edit(&cfg)
			src, err := fleet.New(cfg)
			if tc.field == "" {
				require.NoError(t, err)
				require.NotNil(t, src)
				return
			}
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}
}

func TestPasteAPIPathReachesServer(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 3})
	src := source(t, srv, func(c *connectors.Config) { c.BaseURL = srv.URL + "/api/v1/fleet/" })
	devices, _, err := fetchAll(t, src, connectors.Full)
	require.NoError(t, err)
	require.Len(t, devices, 3)
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 5})
	src := source(t, srv, func(c *connectors.Config) { c.Credentials[fleet.CredentialAPIToken] = "wrong" })

	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	_, err = src.FetchDevice(context.Background(), "1")
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	st := srv.Stats()
	require.Equal(t, 2, st.Unauthorized, "a static token is not retried: one request per call")
	require.Zero(t, st.Lists+st.Details)
}

func TestPaging(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		hosts    int
		software bool
		pages    int
	}{
		{"empty fleet", 0, true, 1},
		{"one host", 1, true, 1},
		{"exactly one page", 10, true, 2},
		{"partial last page", 25, true, 3},
		{"without software", 25, false, 3},
		{"many pages", 137, false, 14},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fleettest.New(t, fleettest.Options{Hosts: tc.hosts})
			src := source(t, srv, func(c *connectors.Config) { c.Options[fleet.OptionIncludeSoftware] = tc.software })
			devices, pages, err := fetchAll(t, src, connectors.Full)
			require.NoError(t, err)
			require.Equal(t, tc.pages, pages)
			require.Len(t, devices, tc.hosts)
			for i, d := range devices {
				require.Equal(t, strconv.Itoa(i+1), d.ExternalID)
			}

			st := srv.Stats()
			require.Equal(t, tc.pages, st.Lists, "one request per page, software included")
			require.Zero(t, st.DeviceMappings, "the list carries device_mapping")
			require.Zero(t, st.Details, "the list carries software")
			if tc.software {
				for _, d := range devices {
					require.NotNil(t, d.Software)
				}
			}
			for p, q := range srv.ListQueries() {
				after := ""
				if p > 0 {
					after = strconv.Itoa(p * 10) // the last id of the page before
				}
				require.Equal(t, after, q.Get("after"), "page %d", p)
				require.False(t, q.Has("page"), "key paging, not page numbers")
				require.Equal(t, "10", q.Get("per_page"))
				require.Equal(t, "id", q.Get("order_key"))
				require.Equal(t, "asc", q.Get("order_direction"))
				require.Equal(t, "true", q.Get("device_mapping"))
				if tc.software {
					require.Equal(t, "without_vulnerability_details", q.Get("populate_software"))
				} else {
					require.False(t, q.Has("populate_software"))
				}
			}
		})
	}
}

// An incremental sync lists everything: Fleet cannot filter by change time.
func TestIncrementalIsFullListing(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 15})
	src := source(t, srv, noSoftware)
	since := fleettest.Epoch
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	require.NoError(t, err)
	require.Len(t, page.Devices, 10)
	require.Equal(t, "10", page.NextCursor, "the cursor is the last host id")
}

func TestResumeFromCursor(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 25})
	first, err := source(t, srv, noSoftware).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)

	// A new source, as after a crash, resumes at the stored cursor.
	page, err := source(t, srv, noSoftware).FetchPage(context.Background(), connectors.PageRequest{Cursor: first.NextCursor})
	require.NoError(t, err)
	require.Equal(t, "11", page.Devices[0].ExternalID)

	_, err = source(t, srv).FetchPage(context.Background(), connectors.PageRequest{Cursor: "page-two"})
	require.Error(t, err)
}

func TestMutations(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 12})
	srv.RemoveHost(3)
	srv.RemoveHost(11)
	srv.ChangeHost(5, func(h *fleettest.Host) { h.DisplayName = "renamed" })
	srv.AddHosts(2)

	devices, pages, err := fetchAll(t, source(t, srv, noSoftware), connectors.Full)
	require.NoError(t, err)
	require.Equal(t, 2, pages)
	var ids []string
	for _, d := range devices {
		ids = append(ids, d.ExternalID)
		if d.ExternalID == "5" {
			require.Equal(t, "renamed", d.Name)
		}
	}
	require.Equal(t, []string{"1", "2", "4", "5", "6", "7", "8", "9", "10", "12", "13", "14"}, ids)
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		retryAfter func() string
		times      int
		atLeast    time.Duration
	}{
		{"integer seconds", func() string { return "1" }, 1, 900 * time.Millisecond},
		{"fractional seconds", func() string { return "0.2" }, 2, 350 * time.Millisecond},
		{"HTTP date", func() string { return time.Now().Add(time.Second).UTC().Format(http.TimeFormat) }, 1, 0},
		{"zero", func() string { return "0" }, 3, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fleettest.New(t, fleettest.Options{Hosts: 5})
			src := source(t, srv, noSoftware)
			srv.RateLimitNext(tc.times, tc.retryAfter())
			start := time.Now()
			page, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			require.NoError(t, err)
			require.GreaterOrEqual(t, time.Since(start), tc.atLeast)
			require.Len(t, page.Devices, 5)
			require.Equal(t, tc.times, srv.Stats().RateLimited)
			require.Equal(t, tc.times+1, srv.Stats().Requests)
		})
	}
}

// A wait longer than MaxInlineWait comes back at once for the job to snooze.
func TestLongRetryAfterSnoozes(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"seconds":   "120",
		"HTTP date": time.Now().Add(10 * time.Minute).UTC().Format(http.TimeFormat),
	}
	for name, retryAfter := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := fleettest.New(t, fleettest.Options{Hosts: 5})
			srv.RateLimitNext(1, retryAfter)
			start := time.Now()
			_, err := source(t, srv).FetchPage(context.Background(), connectors.PageRequest{})
			var rl *connectors.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.Greater(t, rl.RetryAfter, 100*time.Second)
			require.Less(t, time.Since(start), rl.RetryAfter, "the Retry-After is not sat out")
			require.Equal(t, 1, srv.Stats().Requests)
		})
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	t.Run("503 then success", func(t *testing.T) {
		t.Parallel()
		srv := fleettest.New(t, fleettest.Options{Hosts: 5})
		srv.UnavailableNext(2, "") // exponential backoff
		devices, _, err := fetchAll(t, source(t, srv), connectors.Full)
		require.NoError(t, err)
		require.Len(t, devices, 5)
		require.Equal(t, 2, srv.Stats().Unavailable)
	})
	t.Run("503 on a host detail then success", func(t *testing.T) {
		t.Parallel()
		srv := fleettest.New(t, fleettest.Options{Hosts: 5})
		srv.UnavailableNext(1, "0.01")
		d, err := source(t, srv).FetchDevice(context.Background(), "1")
		require.NoError(t, err)
		require.NotEmpty(t, d.Software)
		require.Equal(t, 1, srv.Stats().Unavailable)
	})
	t.Run("503 that persists", func(t *testing.T) {
		t.Parallel()
		srv := fleettest.New(t, fleettest.Options{Hosts: 5})
		srv.UnavailableNext(100, "0.01")
		_, err := source(t, srv).FetchPage(context.Background(), connectors.PageRequest{})
		var se *connectors.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, http.StatusServiceUnavailable, se.Status)
	})
}

func TestMalformedPage(t *testing.T) {
	t.Parallel()
	for name, m := range map[string]fleettest.Malformation{
		"truncated":     fleettest.Truncated,
		"not JSON":      fleettest.NotJSON,
		"wrong shape":   fleettest.WrongShape,
		"missing hosts": fleettest.MissingHosts,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := fleettest.New(t, fleettest.Options{Hosts: 25})
			srv.MalformAfter(10, m) // the second page
			devices, pages, err := fetchAll(t, source(t, srv, noSoftware), connectors.Full)
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.URL, "/api/v1/fleet/hosts")
			require.NotContains(t, me.URL, "?")
			require.Equal(t, 2, pages)
			require.Len(t, devices, 10, "the first page was good")
		})
	}
}

// want is what GeneratedHost(id) must map to, written out by hand.
func want(id int) connectors.Device {
	seen := fleettest.Epoch.Add(-time.Duration(id) * time.Minute)
	host := "HOST-" + strconv.Itoa(id)
	email := "user" + strconv.Itoa(id) + "@example.com"
	mac := func(minor string) []connectors.Software {
		return []connectors.Software{
			{Title: "Google Chrome.app", Version: "124.0.6367.6" + minor, Identifier: "com.google.Chrome"},
			{Title: "Slack.app", Version: "4.38.10" + minor, Identifier: "com.tinyspeck.slackmacgap"},
			{Title: "git", Version: "2.44.0", Identifier: "git"},
		}
	}
	windows := func(minor string) []connectors.Software {
		return []connectors.Software{
			{Title: "Google Chrome", Version: "124.0.6367.6" + minor},
			{Title: "Microsoft 365 Apps for enterprise - en-us", Version: "16.0.17425.20176"},
		}
	}
	linux := func(openssl string) []connectors.Software {
		return []connectors.Software{
			{Title: "openssl", Version: openssl, Identifier: "openssl"},
			{Title: "curl", Version: "8.5.0", Identifier: "curl"},
		}
	}
	switch id {
	case 1:
		return connectors.Device{ExternalID: "1", SerialNumber: "C020000001", Name: "User 1's MacBook Pro",
			Manufacturer: "Apple Inc.", ModelIdentifier: "MacBookPro18,3", OSName: "macOS", OSVersion: "14.4.1",
			UserEmail: email, UserName: "User 1", LastCheckIn: &seen, Software: mac("1")}
	case 2:
		return connectors.Device{ExternalID: "2", SerialNumber: "DL00002", Name: host,
			Manufacturer: "Dell Inc.", Model: "Latitude 7420", OSName: "Windows", OSVersion: "11 Enterprise 23H2 10.0.22631.3447",
			UserEmail: email, LastCheckIn: &seen, Software: windows("2")}
	case 3: // empty serial, Chrome-profile email
		return connectors.Device{ExternalID: "3", Name: host,
			Manufacturer: "Apple Inc.", ModelIdentifier: "Mac14,7", OSName: "macOS", OSVersion: "13.6.6",
			UserEmail: email, LastCheckIn: &seen, Software: mac("3")}
	case 4: // SMBIOS placeholders: the serial passes through (the engine's NormalizeSerial drops it)
		return connectors.Device{ExternalID: "4", SerialNumber: "To be filled by O.E.M.", Name: host, OSName: "Ubuntu", OSVersion: "22.04.4 LTS",
			UserEmail: email, LastCheckIn: &seen, Software: linux("3.0.6")}
	case 5:
		return connectors.Device{ExternalID: "5", SerialNumber: "VMware-56 4d 2b 00 05", Name: host,
			Manufacturer: "VMware, Inc.", Model: "VMware Virtual Platform", OSName: "Red Hat Enterprise Linux", OSVersion: "9.3",
			LastCheckIn: &seen, Virtual: true, Software: linux("3.0.7")}
	case 6:
		return connectors.Device{ExternalID: "6", SerialNumber: "0000-0017-0000-0006", Name: host,
			Manufacturer: "Microsoft Corporation", Model: "Virtual Machine", OSName: "Windows Server", OSVersion: "2022 Datacenter 21H2 10.0.20348.2340",
			Virtual: true, LastCheckIn: &seen, Software: windows("6")}
	case 7: // never seen, null serial
		return connectors.Device{ExternalID: "7", Name: host,
			Manufacturer: "Apple Inc.", ModelIdentifier: "MacBookAir10,1", OSName: "macOS", OSVersion: "14.4.1",
			UserEmail: email, Software: []connectors.Software{}}
	case 8: // mixed-case IdP email wins over Chrome's; repeated software row
		return connectors.Device{ExternalID: "8", SerialNumber: "PF000008", Name: host,
			Manufacturer: "LENOVO", Model: "20XW0055US", OSName: "Windows", OSVersion: "10 Pro 22H2 10.0.19045.4291",
			UserEmail: "First.Last8@Example.COM", LastCheckIn: &seen, Software: windows("1")}
	case 9: // no display_name, no emails
		return connectors.Device{ExternalID: "9", SerialNumber: "F0000000009", Name: "User 9's iPhone",
			Manufacturer: "Apple Inc.", ModelIdentifier: "iPhone15,2", OSName: "iOS", OSVersion: "17.4.1",
			LastCheckIn: &seen, Software: []connectors.Software{}}
	case 10:
		return connectors.Device{ExternalID: "10", Name: host,
			Manufacturer: "QEMU", Model: "Standard PC (Q35 + ICH9, 2009)", OSName: "Ubuntu", OSVersion: "24.04 LTS",
			Virtual: true, LastCheckIn: &seen, Software: linux("3.0.5")}
	}
	panic("no expectation for host " + strconv.Itoa(id))
}

func TestMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		opt      fleettest.Options
		software bool
	}{
		{"list with device mapping", fleettest.Options{Hosts: 10}, true},
		{"server ignoring device_mapping=true", fleettest.Options{Hosts: 10, OmitListDeviceMapping: true}, true},
		{"server ignoring populate_software", fleettest.Options{Hosts: 10, IgnorePopulateSoftware: true}, true},
		{"software off", fleettest.Options{Hosts: 10}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fleettest.New(t, tc.opt)
			src := source(t, srv, func(c *connectors.Config) { c.Options[fleet.OptionIncludeSoftware] = tc.software })
			page, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			require.NoError(t, err)
			require.Len(t, page.Devices, 10)
			for i, got := range page.Devices {
				w := want(i + 1)
				if !tc.opt.IgnorePopulateSoftware { // no host detail: no IdP name
					w.UserName = ""
				}
				if !tc.software {
					w.Software = nil
				}
				require.Equal(t, w, got, "host %d", i+1)
			}
			st := srv.Stats()
			if tc.opt.IgnorePopulateSoftware {
				require.Equal(t, 10, st.Details, "an old server's software is read per host")
			} else {
				require.Zero(t, st.Details)
			}
			if tc.opt.OmitListDeviceMapping {
				require.Equal(t, 10, st.DeviceMappings)
			} else {
				require.Zero(t, st.DeviceMappings)
			}
		})
	}
}

func TestFetchDevice(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 10})
	src := source(t, srv)
	ctx := context.Background()

	for id := 1; id <= 10; id++ {
		d, err := src.FetchDevice(ctx, strconv.Itoa(id))
		require.NoError(t, err)
		require.Equal(t, want(id), *d, "host %d", id)
	}

	srv.ChangeHost(2, func(h *fleettest.Host) {
		serial := "NEWSERIAL"
		h.HardwareSerial = &serial
		h.DeviceMapping = nil
	})
	d, err := src.FetchDevice(ctx, "2")
	require.NoError(t, err)
	require.Equal(t, "NEWSERIAL", d.SerialNumber)
	require.Empty(t, d.UserEmail)

	srv.RemoveHost(3)
	for _, id := range []string{"3", "11", "999999"} {
		d, err := src.FetchDevice(ctx, id)
		require.NoError(t, err, id)
		require.Nil(t, d, id)
	}
	for _, id := range []string{"", "0", "abc", "-1"} {
		_, err := src.FetchDevice(ctx, id)
		require.Error(t, err, id)
	}

	// Without software, the detail is asked for without it.
	d, err = source(t, srv, noSoftware).FetchDevice(ctx, "1")
	require.NoError(t, err)
	require.Nil(t, d.Software)
	require.Equal(t, "User 1", d.UserName)
}

// A host deleted between the list and its detail is left out of the page.
func TestHostDeletedDuringPage(t *testing.T) {
	t.Parallel()
	var srv *fleettest.Server
	srv = fleettest.New(t, fleettest.Options{Hosts: 10, IgnorePopulateSoftware: true, BeforeServe: func(r *http.Request) {
		if r.URL.Path == "/api/v1/fleet/hosts/4" { // just before its detail is read
			srv.RemoveHost(4)
		}
	}})
	page, err := source(t, srv).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Devices, 9)
	require.False(t, page.Done, "a full page was listed")
	for _, d := range page.Devices {
		require.NotEqual(t, "4", d.ExternalID)
	}
}

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	// Host details wait at the fake until three are in flight together:
	// the bound is reached by construction, not by overlapping latencies.
	met := testkit.NewBarrier(3)
	srv := fleettest.New(t, fleettest.Options{Hosts: 20, IgnorePopulateSoftware: true, BeforeServe: func(r *http.Request) {
		if r.URL.Path != "/api/v1/fleet/hosts" {
			_ = met.Wait(r.Context())
		}
	}})
	src := source(t, srv, func(c *connectors.Config) {
		c.MaxConcurrency = 3
		c.Options[fleet.OptionPageSize] = 20
	})
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Devices, 20)
	st := srv.Stats()
	require.Equal(t, 20, st.Details)
	require.Equal(t, 3, st.MaxInFlight, "details run three at a time, no more")
}

// A failing host detail fails the page: nothing of it is applied.
func TestDetailErrorFailsPage(t *testing.T) {
	t.Parallel()
	var srv *fleettest.Server
	srv = fleettest.New(t, fleettest.Options{Hosts: 10, IgnorePopulateSoftware: true, BeforeServe: func(r *http.Request) {
		if r.URL.Path == "/api/v1/fleet/hosts" {
			srv.RateLimitNext(1, "3600")
		}
	}})
	page, err := source(t, srv).FetchPage(context.Background(), connectors.PageRequest{})
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Empty(t, page.Devices)
}

func TestContextCancelled(t *testing.T) {
	t.Parallel()
	// The first request to arrive cancels the sync and is held until the
	// client gives up on it: FetchPage must return with the cancellation
	// (a client that ignored it would hang here), on any machine.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 10, BeforeServe: func(r *http.Request) {
		cancel()
		<-r.Context().Done()
	}})
	_, err := source(t, srv).FetchPage(ctx, connectors.PageRequest{})
	require.ErrorIs(t, err, context.Canceled)
}

// documented serves the payloads in testdata, written in the shape of the
// examples in Fleet's REST API documentation; unknown paths answer 404.
func documented(t *testing.T) *httptest.Server {
	t.Helper()
	files := map[string]string{
		"/api/v1/fleet/hosts":                   "list_hosts.json",
		"/api/v1/fleet/hosts/42":                "host_42.json",
		"/api/v1/fleet/hosts/42/device_mapping": "device_mapping_42.json",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer doc-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		name, ok := files[r.URL.Path]
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Resource Not Found","errors":[{"name":"base","reason":"host not found"}]}`))
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDocumentedPayloads(t *testing.T) {
	t.Parallel()
	srv := documented(t)
	newSource := func(software bool) connectors.Source {
		src, err := fleet.New(connectors.Config{
			BaseURL:     srv.URL,
			Egress:      connectors.AllowLoopback(),
			Credentials: map[string]string{"apiToken": "doc-token"},
			Options:     map[string]any{"includeSoftware": software},
		})
		require.NoError(t, err)
		return src
	}
	seen := time.Date(2025, 1, 5, 6, 3, 39, 0, time.UTC)
	ada := connectors.Device{
		ExternalID: "42", SerialNumber: "C02ZX1Y2MD6T", Name: "Ada's MacBook Pro",
		Manufacturer: "Apple Inc.", ModelIdentifier: "MacBookPro18,3", OSName: "macOS", OSVersion: "14.4.1",
		UserEmail: "Ada.Lovelace@Example.com", LastCheckIn: &seen,
	}
	container := connectors.Device{ExternalID: "43", Name: "2ceca32fe484", OSName: "CentOS Linux", OSVersion: "7"}

	page, err := newSource(false).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Equal(t, []connectors.Device{ada, container}, page.Devices)

	// With software, host 43's detail answers 404: it was deleted, so it is left out.
	page, err = newSource(true).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	adaFull := ada
	adaFull.UserName = "Ada Lovelace"
	adaFull.Software = []connectors.Software{
		{Title: "Google Chrome.app", Version: "124.0.6367.91", Identifier: "com.google.Chrome"},
		{Title: "python-dateutil", Version: "2.9.0", Identifier: "python-dateutil"},
	}
	require.Equal(t, []connectors.Device{adaFull}, page.Devices)

	d, err := newSource(true).FetchDevice(context.Background(), "42")
	require.NoError(t, err)
	require.Equal(t, adaFull, *d)
}

func TestOddListBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		body      string
		malformed bool
		devices   int
	}{
		{"null hosts is an empty fleet", `{"hosts": null}`, false, 0},
		{"host without an id", `{"hosts": [{"hostname": "x", "device_mapping": null}]}`, true, 0},
		{"device_mapping not a list", `{"hosts": [{"id": 1, "device_mapping": "ada@example.com"}]}`, true, 0},
		{"more hosts than per_page", `{"hosts": [{"id": 1, "device_mapping": null}, {"id": 2, "device_mapping": null}, {"id": 3, "device_mapping": null}]}`, true, 0},
		{"unknown fields ignored", `{"hosts": [{"id": 1, "device_mapping": null, "fleet_id": 3, "new_thing": {"a": [1]}}], "meta": {}}`, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			src, err := fleet.New(connectors.Config{
				BaseURL:     srv.URL,
				Egress:      connectors.AllowLoopback(),
				Credentials: map[string]string{"apiToken": "t"},
				Options:     map[string]any{"pageSize": 2, "includeSoftware": false},
			})
			require.NoError(t, err)
			page, err := src.FetchPage(context.Background(), connectors.PageRequest{})
			if tc.malformed {
				var me *connectors.MalformedError
				require.ErrorAs(t, err, &me)
				return
			}
			require.NoError(t, err)
			require.True(t, page.Done)
			require.Len(t, page.Devices, tc.devices)
		})
	}
}
