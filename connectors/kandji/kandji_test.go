package kandji_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/kandji"
	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
	"github.com/itam-dev/itam/internal/testkit"
)

// newSource builds a Kandji source through the registry, pointed at srv.
func newSource(t *testing.T, srv *kandjitest.Server, mutate ...func(*connectors.Config)) connectors.Source {
	t.Helper()
	cfg := connectors.Config{
		Egress:        connectors.AllowLoopback(), // the fake listens on 127.0.0.1
		BaseURL:       srv.URL,
		Credentials:   map[string]string{kandji.CredAPIToken: srv.Token()},
		Options:       map[string]any{},
		MaxInlineWait: 5 * time.Second,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	src, err := connectors.New(connectors.Kandji, cfg)
	require.NoError(t, err)
	require.Equal(t, connectors.Kandji, src.Kind())
	return src
}

func withOptions(kv ...any) func(*connectors.Config) {
	return func(c *connectors.Config) {
		for i := 0; i < len(kv); i += 2 {
			c.Options[kv[i].(string)] = kv[i+1]
		}
	}
}

func noSoftware(c *connectors.Config) { c.Options[kandji.OptIncludeSoftware] = false }

// syncAll pages to the end like the sync engine: each request carries the
// previous page's NextCursor.
func syncAll(t *testing.T, src connectors.Source, mode connectors.Mode) (devices []connectors.Device, pages int) {
	t.Helper()
	ctx := context.Background()
	req := connectors.PageRequest{Mode: mode}
	for {
		page, err := src.FetchPage(ctx, req)
		require.NoError(t, err)
		pages++
		devices = append(devices, page.Devices...)
		if page.Done {
			require.Empty(t, page.NextCursor, "the last page has no next cursor")
			return devices, pages
		}
		require.NotEmpty(t, page.NextCursor)
		require.Less(t, pages, 10_000, "runaway paging")
		req.Cursor = page.NextCursor
	}
}

func ptr[T any](v T) *T { return &v }

func TestRegisteredKind(t *testing.T) {
	require.Contains(t, connectors.Kinds(), connectors.Kandji)
}

func TestNewConfigErrors(t *testing.T) {
	good := func() connectors.Config {
		return connectors.Config{BaseURL: "https://acme.api.kandji.io", Credentials: map[string]string{"apiToken": "t"}, Options: map[string]any{}}
	}
	tests := []struct {
		name   string
		mutate func(*connectors.Config)
		field  string
	}{
		{"missing base URL", func(c *connectors.Config) { c.BaseURL = "" }, "baseUrl"},
		{"blank base URL", func(c *connectors.Config) { c.BaseURL = "   " }, "baseUrl"},
		{"base URL without scheme", func(c *connectors.Config) { c.BaseURL = "acme.api.kandji.io" }, "baseUrl"},
		{"base URL with other scheme", func(c *connectors.Config) { c.BaseURL = "ftp://acme.api.kandji.io" }, "baseUrl"},
		{"missing token", func(c *connectors.Config) { c.Credentials = nil }, "credentials.apiToken"},
		{"empty token", func(c *connectors.Config) { c.Credentials["apiToken"] = "" }, "credentials.apiToken"},
		{"zero page size", func(c *connectors.Config) { c.Options["pageSize"] = 0 }, "options.pageSize"},
		{"fractional page size", func(c *connectors.Config) { c.Options["pageSize"] = 12.5 }, "options.pageSize"},
		{"text page size", func(c *connectors.Config) { c.Options["pageSize"] = "many" }, "options.pageSize"},
		{"bad includeSoftware", func(c *connectors.Config) { c.Options[kandji.OptIncludeSoftware] = "sometimes" }, "options.includeSoftware"},
		{"bad includeDetails", func(c *connectors.Config) { c.Options[kandji.OptIncludeDetails] = 1 }, "options.includeDetails"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.mutate(&cfg)
			_, err := kandji.New(cfg)
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}

	t.Run("valid options in JSON shapes", func(t *testing.T) {
		cfg := good()
		cfg.Options = map[string]any{kandji.OptPageSize: float64(50), kandji.OptIncludeSoftware: "false", kandji.OptIncludeDetails: true}
		_, err := kandji.New(cfg)
		require.NoError(t, err)
	})
}

func TestBaseURLForms(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/api", srv.URL + "/api/v1", srv.URL + "/api/v1/"} {
		t.Run(base, func(t *testing.T) {
			src := newSource(t, srv, noSoftware, func(c *connectors.Config) { c.BaseURL = base })
			devices, _ := syncAll(t, src, connectors.Full)
			require.Len(t, devices, 3)
		})
	}
}

func TestBadTokenIsUnauthorized(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 5})
	src := newSource(t, srv, func(c *connectors.Config) { c.Credentials["apiToken"] = "wrong" })

	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	_, err = src.FetchDevice(context.Background(), kandjitest.DeviceID(0))
	require.ErrorIs(t, err, connectors.ErrUnauthorized)

	c := srv.Counts()
	require.Equal(t, c.Total, c.Unauthorized, "nothing got past the token check")
	// A static token cannot be refreshed: a refused request is not retried.
	require.Equal(t, 2, c.Total, "one request per call")
}

func TestPagingToTheEnd(t *testing.T) {
	tests := []struct {
		name      string
		devices   int
		pageSize  int
		wantPages int
	}{
		{"empty tenant", 0, 0, 1},
		{"one device", 1, 0, 1},
		{"just under a page", 299, 0, 1},
		{"exactly one page", 300, 0, 2},
		{"one over a page", 301, 0, 2},
		{"exactly two pages", 600, 0, 3},
		{"two and a half pages", 750, 0, 3},
		{"small pages, exact multiple", 21, 7, 4},
		{"small pages, remainder", 23, 7, 4},
		{"page size clamped to 300", 601, 1000, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := kandjitest.New(t, kandjitest.Options{Devices: tc.devices})
			opts := []func(*connectors.Config){noSoftware}
			if tc.pageSize > 0 {
				opts = append(opts, withOptions(kandji.OptPageSize, tc.pageSize))
			}
			src := newSource(t, srv, opts...)

			got, pages := syncAll(t, src, connectors.Full)
			require.Len(t, got, tc.devices)
			require.Equal(t, tc.wantPages, pages)

			want := srv.Devices()
			seen := map[string]bool{}
			for i, d := range got {
				require.Equal(t, want[i].DeviceID, d.ExternalID, "device %d in list order", i)
				require.False(t, seen[d.ExternalID], "duplicate %s", d.ExternalID)
				seen[d.ExternalID] = true
			}

			limit := kandjitest.MaxLimit
			if tc.pageSize > 0 {
				limit = min(tc.pageSize, kandjitest.MaxLimit)
			}
			calls := srv.ListCalls()
			require.Len(t, calls, tc.wantPages)
			for i, c := range calls {
				require.Equal(t, i*limit, c.Offset)
				require.Equal(t, limit, c.Limit)
				require.Equal(t, fmt.Sprint(limit), c.RawLimit, "the connector never asks for more than 300")
				require.Equal(t, "device_id", c.Ordering)
			}
			c := srv.Counts()
			require.Zero(t, c.Apps, "software fetching was off")
			require.Zero(t, c.Unauthorized)
		})
	}
}

func TestEmptyTenant(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{})
	src := newSource(t, srv)
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Empty(t, page.Devices)
	require.Empty(t, page.NextCursor)
	require.Equal(t, kandjitest.Counts{Total: 1, List: 1}, srv.Counts())
}

func TestFakeClampsLimit(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 400})
	for _, q := range []string{"limit=1000", "", "limit=300&offset=0"} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/devices?"+q, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "400", resp.Header.Get("X-Total-Count"))
	}
	for _, c := range srv.ListCalls() {
		require.Equal(t, 300, c.Limit)
	}
}

func TestCursorResumesAndIncrementalIsFull(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 25})
	src := newSource(t, srv, noSoftware, withOptions(kandji.OptPageSize, 10))
	ctx := context.Background()

	full, _ := syncAll(t, src, connectors.Full)
	since := time.Now().Add(-time.Hour)
	page, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	require.NoError(t, err)
	require.Equal(t, "10", page.NextCursor)
	incr, _ := syncAll(t, src, connectors.Incremental)
	require.Equal(t, full, incr, "Kandji has no change filter: incremental lists everything")

	// A crashed run resumes from a stored cursor.
	resumed, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full, Cursor: page.NextCursor})
	require.NoError(t, err)
	require.Equal(t, full[10:20], resumed.Devices)

	for _, bad := range []string{"x", "-10", "1.5"} {
		_, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full, Cursor: bad})
		require.Error(t, err, bad)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		k          int
		retryAfter kandjitest.RetryAfter
		minWait    time.Duration
	}{
		{"429 integer seconds", http.StatusTooManyRequests, 1, kandjitest.Seconds(1), time.Second},
		{"429 fractional seconds", http.StatusTooManyRequests, 2, kandjitest.FractionalSeconds(150 * time.Millisecond), 300 * time.Millisecond},
		{"429 HTTP date", http.StatusTooManyRequests, 1, kandjitest.HTTPDate(time.Second), 0},
		{"429 zero", http.StatusTooManyRequests, 3, kandjitest.Seconds(0), 0},
		{"503 fractional seconds", http.StatusServiceUnavailable, 2, kandjitest.FractionalSeconds(50 * time.Millisecond), 100 * time.Millisecond},
		{"503 without Retry-After (backoff)", http.StatusServiceUnavailable, 1, nil, 0},
		{"502 then success", http.StatusBadGateway, 1, kandjitest.FractionalSeconds(10 * time.Millisecond), 10 * time.Millisecond},
		{"504 then success", http.StatusGatewayTimeout, 1, kandjitest.FractionalSeconds(10 * time.Millisecond), 10 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
			src := newSource(t, srv, noSoftware)
			srv.FailNext(tc.k, tc.status, tc.retryAfter)

			start := time.Now()
			page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			elapsed := time.Since(start)
			require.NoError(t, err)
			require.Len(t, page.Devices, 3)
			require.True(t, page.Done)
			require.GreaterOrEqual(t, elapsed, tc.minWait)
			c := srv.Counts()
			require.Equal(t, tc.k, c.Faulted)
			require.Equal(t, 1, c.List)
			require.Equal(t, tc.k+1, c.Total)
		})
	}
}

func TestLongRetryAfterFailsFast(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter kandjitest.RetryAfter
		want       time.Duration
	}{
		{"seconds", kandjitest.Seconds(120), 120 * time.Second},
		{"fractional", kandjitest.FractionalSeconds(90500 * time.Millisecond), 90500 * time.Millisecond},
		{"HTTP date", kandjitest.HTTPDate(10 * time.Minute), 10 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
			src := newSource(t, srv, func(c *connectors.Config) { c.MaxInlineWait = 2 * time.Second })
			srv.RateLimitNext(10, tc.retryAfter)

			start := time.Now()
			_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			require.Less(t, time.Since(start), tc.want, "must not wait the Retry-After out")
			var rl *connectors.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.InDelta(t, tc.want.Seconds(), rl.RetryAfter.Seconds(), 2)
			require.Equal(t, 1, srv.Counts().Total, "no retry once the wait is too long")
		})
	}
}

func TestPersistentFaultsSurface(t *testing.T) {
	t.Run("429 beyond the retries is a RateLimitError", func(t *testing.T) {
		t.Parallel()
		srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
		src := newSource(t, srv, noSoftware)
		srv.RateLimitNext(100, kandjitest.FractionalSeconds(5*time.Millisecond))
		_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		var rl *connectors.RateLimitError
		require.ErrorAs(t, err, &rl)
		require.Zero(t, srv.Counts().List)
	})
	t.Run("503 beyond the retries is a StatusError", func(t *testing.T) {
		t.Parallel()
		srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
		src := newSource(t, srv, noSoftware)
		srv.UnavailableNext(100, kandjitest.FractionalSeconds(5*time.Millisecond))
		_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		var se *connectors.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, http.StatusServiceUnavailable, se.Status)
	})
	t.Run("rate limited apps fail the page", func(t *testing.T) {
		t.Parallel()
		srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
		src := newSource(t, srv, func(c *connectors.Config) { c.MaxInlineWait = time.Second })
		srv.FailNextOn(kandjitest.EndpointPrismApps, 1, http.StatusTooManyRequests, kandjitest.Seconds(60))
		_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		var rl *connectors.RateLimitError
		require.ErrorAs(t, err, &rl)
		require.Equal(t, time.Minute, rl.RetryAfter)
		require.Equal(t, 1, srv.Counts().List)
	})
	t.Run("one 503 on apps is retried", func(t *testing.T) {
		t.Parallel()
		srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
		src := newSource(t, srv)
		srv.FailNextOn(kandjitest.EndpointPrismApps, 1, http.StatusServiceUnavailable, kandjitest.FractionalSeconds(10*time.Millisecond))
		page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		require.NoError(t, err)
		for _, d := range page.Devices {
			require.NotEmpty(t, d.Software)
		}
		c := srv.Counts()
		require.Equal(t, 1, c.Faulted)
		require.Equal(t, 1, c.PrismApps, "one Prism request for the three devices' apps")
		require.Zero(t, c.Apps)
	})
}

func TestMalformedResponses(t *testing.T) {
	for _, m := range []struct {
		name string
		kind kandjitest.Malformation
	}{{"truncated", kandjitest.Truncated}, {"not JSON", kandjitest.NotJSON}, {"wrong shape", kandjitest.WrongShape}} {
		t.Run("list page "+m.name, func(t *testing.T) {
			t.Parallel()
			srv := kandjitest.New(t, kandjitest.Options{Devices: 25})
			src := newSource(t, srv, noSoftware, withOptions(kandji.OptPageSize, 10))
			srv.MalformedPage(1, m.kind)

			first, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			require.NoError(t, err)
			require.Len(t, first.Devices, 10)

			_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full, Cursor: first.NextCursor})
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.URL, "/api/v1/devices")
			require.NotContains(t, me.URL, "offset=", "URLs in errors carry no query")

			srv.ClearFaults()
			again, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full, Cursor: first.NextCursor})
			require.NoError(t, err)
			require.Len(t, again.Devices, 10)
		})
		t.Run("prism apps "+m.name, func(t *testing.T) {
			t.Parallel()
			srv := kandjitest.New(t, kandjitest.Options{Devices: 5})
			src := newSource(t, srv)
			srv.MalformedPrism(m.kind)
			_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.URL, "/api/v1/prism/apps")
			require.NotContains(t, me.URL, "filter=", "URLs in errors carry no query")
		})
		t.Run("device apps "+m.name, func(t *testing.T) {
			t.Parallel()
			srv := kandjitest.New(t, kandjitest.Options{Devices: 5})
			src := newSource(t, srv)
			srv.MalformedApps(3, m.kind)
			_, err := src.FetchDevice(context.Background(), kandjitest.DeviceID(3))
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.URL, kandjitest.DeviceID(3)+"/apps")
		})
	}

	t.Run("device without device_id", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"device_id":"","device_name":"ghost","user":""}]`))
		}))
		t.Cleanup(ts.Close)
		src, err := kandji.New(connectors.Config{BaseURL: ts.URL, Egress: connectors.AllowLoopback(), Credentials: map[string]string{"apiToken": "t"}, Options: map[string]any{kandji.OptIncludeSoftware: false}})
		require.NoError(t, err)
		_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		var me *connectors.MalformedError
		require.ErrorAs(t, err, &me)
	})

	t.Run("user of an unexpected type", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`[{"device_id":"d1","user":42}]`))
		}))
		t.Cleanup(ts.Close)
		src, err := kandji.New(connectors.Config{BaseURL: ts.URL, Egress: connectors.AllowLoopback(), Credentials: map[string]string{"apiToken": "t"}, Options: map[string]any{kandji.OptIncludeSoftware: false}})
		require.NoError(t, err)
		_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		var me *connectors.MalformedError
		require.ErrorAs(t, err, &me)
	})
}

func TestUserQuirks(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 4})
	srv.ChangeDevice(0, func(d *kandjitest.Device) {
		d.User = &kandjitest.User{Email: "Ada.Lovelace@Example.COM", Name: "Ada Lovelace", ID: "5344c996-8823-4b37-8d6e-8515fc7c3a0a"}
	})
	srv.ChangeDevice(1, func(d *kandjitest.Device) { d.User = nil }) // ""
	srv.ChangeDevice(2, func(d *kandjitest.Device) { d.User, d.UserNull = nil, true })
	srv.ChangeDevice(3, func(d *kandjitest.Device) {
		d.User = &kandjitest.User{Email: " grace@example.com ", Name: "Grace Hopper", LegacyID: 7}
	})
	src := newSource(t, srv, noSoftware)
	got, _ := syncAll(t, src, connectors.Full)
	require.Len(t, got, 4)

	tests := []struct {
		name        string
		email, user string
	}{
		{"object, mixed-case email kept as reported", "Ada.Lovelace@Example.COM", "Ada Lovelace"},
		{"empty string means no user", "", ""},
		{"null means no user", "", ""},
		{"legacy integer id, padded email trimmed", "grace@example.com", "Grace Hopper"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.email, got[i].UserEmail)
			require.Equal(t, tc.user, got[i].UserName)
		})
	}
}

func TestTimestampFormats(t *testing.T) {
	want := time.Date(2024, 7, 23, 14, 11, 37, 150080000, time.UTC)
	tests := []struct {
		in   string
		want *time.Time
	}{
		{"2024-07-23T14:11:37.150080Z", &want},
		{"2024-07-23 14:11:37.150080+00:00", &want},
		{"2024-07-23T16:11:37.150080+02:00", &want},
		{"2024-07-23 10:11:37.150080-04:00", &want},
		{"2024-07-23 14:11:37.150080 +0000", &want},
		{"2024-07-23T14:11:37.150080+0000", &want},
		{"2024-07-23T14:11:37.150080", &want},
		{"2024-07-23 14:11:37.150080", &want},
		{"2024-07-23T14:11:37Z", ptr(want.Truncate(time.Second))},
		{"2024-06-17 11:32:35+00:00", ptr(time.Date(2024, 6, 17, 11, 32, 35, 0, time.UTC))},
		{"2024-05-13 20:09:23 +0000", ptr(time.Date(2024, 5, 13, 20, 9, 23, 0, time.UTC))},
		{"2024-11-26", ptr(time.Date(2024, 11, 26, 0, 0, 0, 0, time.UTC))},
		{" 2024-07-23T14:11:37.150080Z ", &want},
		{"", nil},
		{"null", nil},
		{"None", nil},
		{"yesterday", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := kandji.ParseTime(tc.in)
			if tc.want == nil {
				require.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			require.True(t, tc.want.Equal(*got), "got %s want %s", got, tc.want)
			require.Equal(t, time.UTC, got.Location())
		})
	}

	t.Run("an unreadable timestamp is unknown, logged, and does not fail the page", func(t *testing.T) {
		srv := kandjitest.New(t, kandjitest.Options{Devices: 2})
		srv.ChangeDevice(1, func(d *kandjitest.Device) { d.LastCheckIn = ptr("last Tuesday") })
		var logs bytes.Buffer
		src := newSource(t, srv, noSoftware, func(c *connectors.Config) {
			c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		got, _ := syncAll(t, src, connectors.Full)
		require.NotNil(t, got[0].LastCheckIn)
		require.Nil(t, got[1].LastCheckIn)
		require.Contains(t, logs.String(), "last Tuesday")
		require.Contains(t, logs.String(), kandjitest.DeviceID(1))
	})

	t.Run("generated devices mix formats", func(t *testing.T) {
		srv := kandjitest.New(t, kandjitest.Options{Devices: 12})
		src := newSource(t, srv, noSoftware)
		got, _ := syncAll(t, src, connectors.Full)
		formats := map[string]bool{}
		for i, d := range got {
			raw := srv.Device(i).LastCheckIn
			if raw == nil {
				require.Nil(t, d.LastCheckIn, "device %d: null last_check_in", i)
				continue
			}
			formats[fmt.Sprint(strings.Contains(*raw, "T"), strings.Contains(*raw, "."))] = true
			require.NotNil(t, d.LastCheckIn, "device %d: %q", i, *raw)
			require.True(t, kandjitest.CheckInTime(i).Truncate(time.Second).Equal(d.LastCheckIn.Truncate(time.Second)), "device %d: %q -> %s", i, *raw, d.LastCheckIn)
		}
		require.Len(t, formats, 3, "RFC 3339 with and without fraction, and the space form")
	})
}

func TestSoftwareMapping(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 4})
	srv.SetApps(1, []kandjitest.App{
		{AppID: "1", AppName: "Slack", BundleID: "com.tinyspeck.slackmacgap", Version: "4.38.125"},
		{AppID: "2", AppName: "Slack", BundleID: "com.tinyspeck.slackmacgap", Version: "4.38.125"}, // duplicate
		{AppID: "3", AppName: "", BundleID: "com.example.nameless", Version: "1"},                  // no title
		{AppID: "4", AppName: " Xcode ", BundleID: "com.apple.dt.Xcode", Version: "15.4"},
		{AppID: "5", AppName: "Legacy Tool", Version: ""},
	})
	srv.SetApps(2, nil) // no apps at all
	src := newSource(t, srv)
	got, _ := syncAll(t, src, connectors.Full)
	require.Len(t, got, 4)
	c := srv.Counts()
	require.Equal(t, 1, c.PrismApps, "one Prism request for the page's apps")
	require.Zero(t, c.Apps, "no request per device")

	t.Run("generated apps map one to one", func(t *testing.T) {
		apps := srv.Apps(0)
		require.NotEmpty(t, apps)
		want := make([]connectors.Software, len(apps))
		for i, a := range apps {
			want[i] = connectors.Software{Title: a.AppName, Version: a.Version, Identifier: a.BundleID}
		}
		require.Equal(t, want, got[0].Software)
	})
	t.Run("duplicates and nameless apps dropped, whitespace trimmed", func(t *testing.T) {
		require.Equal(t, []connectors.Software{
			{Title: "Slack", Version: "4.38.125", Identifier: "com.tinyspeck.slackmacgap"},
			{Title: "Xcode", Version: "15.4", Identifier: "com.apple.dt.Xcode"},
			{Title: "Legacy Tool"},
		}, got[1].Software)
	})
	t.Run("no apps is an empty list, not unknown", func(t *testing.T) {
		require.NotNil(t, got[2].Software)
		require.Empty(t, got[2].Software)
	})
	t.Run("includeSoftware off leaves software unknown", func(t *testing.T) {
		srv.ResetCounts()
		got, _ := syncAll(t, newSource(t, srv, noSoftware), connectors.Full)
		for _, d := range got {
			require.Nil(t, d.Software)
		}
		require.Zero(t, srv.Counts().Apps)
		require.Zero(t, srv.Counts().PrismApps)
	})
}

func TestEveryCanonicalFieldMapped(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 2})
	checkIn := "2024-07-23T14:11:37.150080Z"
	srv.ChangeDevice(0, func(d *kandjitest.Device) {
		d.DeviceName = " accuhive's MacBook Air "
		d.Model = "MacBook Air (M1, 2020)"
		d.ModelIdentifier = "MacBookAir10,1"
		d.SerialNumber = " FVHHFKF7Q6L4 "
		d.Platform = "Mac"
		d.OSVersion = "13.4.1"
		d.SupplementalOSVersionExtra = "(a)"
		d.LastCheckIn = &checkIn
		d.User = &kandjitest.User{Email: "accuhive.admin@kandji.io", Name: "accuhive admin", ID: "5344c996-8823-4b37-8d6e-8515fc7c3a0a"}
		d.AssetTag = "sending_tag_to_now"
	})
	srv.SetApps(0, []kandjitest.App{{AppName: "Safari", BundleID: "com.apple.Safari", Version: "17.5"}})
	src := newSource(t, srv, withOptions(kandji.OptIncludeDetails, true))

	want := connectors.Device{
		ExternalID:      kandjitest.DeviceID(0),
		SerialNumber:    "FVHHFKF7Q6L4",
		Name:            "accuhive's MacBook Air",
		Manufacturer:    "Apple",
		Model:           "MacBook Air (M1, 2020)",
		ModelIdentifier: "MacBookAir10,1",
		OSName:          "macOS",
		OSVersion:       "13.4.1 (a)",
		UserEmail:       "accuhive.admin@kandji.io",
		UserName:        "accuhive admin",
		LastCheckIn:     ptr(time.Date(2024, 7, 23, 14, 11, 37, 150080000, time.UTC)),
		AssetTag:        "sending_tag_to_now",
		// Kandji records no purchase or warranty data: left unset.
		Virtual:  false,
		Software: []connectors.Software{{Title: "Safari", Version: "17.5", Identifier: "com.apple.Safari"}},
	}

	page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.Len(t, page.Devices, 2)
	require.Equal(t, want, page.Devices[0])
	c := srv.Counts()
	require.Equal(t, 1, c.PrismApps)
	require.Zero(t, c.Apps)
	require.Equal(t, 2, c.Details)

	one, err := src.FetchDevice(context.Background(), kandjitest.DeviceID(0))
	require.NoError(t, err)
	require.NotNil(t, one)
	require.Equal(t, want, *one, "FetchDevice maps exactly like the listing")

	t.Run("without includeDetails there is no model identifier", func(t *testing.T) {
		page, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		require.NoError(t, err)
		w := want
		w.ModelIdentifier = ""
		require.Equal(t, w, page.Devices[0])
	})
}

func TestPlatformsAndVirtualMachines(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 40})
	src := newSource(t, srv, noSoftware, withOptions(kandji.OptIncludeDetails, true))
	got, _ := syncAll(t, src, connectors.Full)
	require.Len(t, got, 40)
	osNames := map[string]string{"Mac": "macOS", "iPhone": "iOS", "iPad": "iPadOS", "AppleTV": "tvOS"}
	virtual := 0
	for i, d := range got {
		raw := srv.Device(i)
		require.Equal(t, osNames[raw.Platform], d.OSName, "device %d", i)
		require.Equal(t, "Apple", d.Manufacturer)
		require.Equal(t, raw.ModelIdentifier, d.ModelIdentifier)
		wantVM := i%17 == 5 || i%17 == 11
		require.Equal(t, wantVM, d.Virtual, "device %d: model %q serial %q", i, raw.Model, raw.SerialNumber)
		if d.Virtual {
			virtual++
		}
	}
	require.Equal(t, 5, virtual) // 5, 11, 22, 28, 39

	t.Run("other platforms pass through without a manufacturer", func(t *testing.T) {
		srv := kandjitest.New(t, kandjitest.Options{Devices: 2})
		srv.ChangeDevice(0, func(d *kandjitest.Device) { d.Platform, d.Model = "Windows", "Surface Laptop 5" })
		srv.ChangeDevice(1, func(d *kandjitest.Device) { d.Platform, d.Model = "Android", "Pixel 8" })
		got, _ := syncAll(t, newSource(t, srv, noSoftware), connectors.Full)
		require.Equal(t, "Windows", got[0].OSName)
		require.Equal(t, "Android", got[1].OSName)
		require.Empty(t, got[0].Manufacturer)
		require.Empty(t, got[1].Manufacturer)
	})
}

func TestFetchDevice(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 10})
	src := newSource(t, srv)
	ctx := context.Background()

	listed, _ := syncAll(t, src, connectors.Full)
	tests := []struct {
		name string
		id   string
		want *connectors.Device
	}{
		{"known device", kandjitest.DeviceID(7), &listed[7]},
		{"device without user", kandjitest.DeviceID(3), &listed[3]},
		{"unknown device", "00000000-0000-4000-8000-000000000000", nil},
		{"not a uuid", "nope", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := src.FetchDevice(ctx, tc.id)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	t.Run("removed device is nil", func(t *testing.T) {
		srv.RemoveDevice(4)
		got, err := src.FetchDevice(ctx, kandjitest.DeviceID(4))
		require.NoError(t, err)
		require.Nil(t, got)
	})
	t.Run("empty id is an error", func(t *testing.T) {
		_, err := src.FetchDevice(ctx, " ")
		require.Error(t, err)
	})
	t.Run("server errors are not 'gone'", func(t *testing.T) {
		srv.UnavailableNext(100, kandjitest.FractionalSeconds(time.Millisecond))
		defer srv.ClearFaults()
		got, err := src.FetchDevice(ctx, kandjitest.DeviceID(1))
		require.Nil(t, got)
		var se *connectors.StatusError
		require.ErrorAs(t, err, &se)
	})
}

func TestMutationsShowUpOnNextSync(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 12})
	src := newSource(t, srv, noSoftware, withOptions(kandji.OptPageSize, 5))
	before, _ := syncAll(t, src, connectors.Full)
	require.Len(t, before, 12)

	srv.ChangeDevice(2, func(d *kandjitest.Device) { d.DeviceName = "renamed"; d.AssetTag = "NEW-1" })
	srv.RemoveDevice(0)
	srv.RemoveDevice(6)
	first := srv.AddDevices(2)
	require.Equal(t, 12, first)

	after, _ := syncAll(t, src, connectors.Full)
	require.Len(t, after, 12)
	ids := map[string]connectors.Device{}
	for _, d := range after {
		ids[d.ExternalID] = d
	}
	require.NotContains(t, ids, kandjitest.DeviceID(0))
	require.NotContains(t, ids, kandjitest.DeviceID(6))
	require.Contains(t, ids, kandjitest.DeviceID(12))
	require.Contains(t, ids, kandjitest.DeviceID(13))
	require.Equal(t, "renamed", ids[kandjitest.DeviceID(2)].Name)
	require.Equal(t, "NEW-1", ids[kandjitest.DeviceID(2)].AssetTag)
}

func TestSoftwareConcurrencyIsBounded(t *testing.T) {
	// Prism requests (one per chunk of 50 devices: four for a page of 200)
	// wait at the fake until three are in flight together: the bound is
	// reached by construction, not by overlapping latencies.
	met := testkit.NewBarrier(3)
	srv := kandjitest.New(t, kandjitest.Options{Devices: 200, BeforeServe: func(r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/prism/apps") {
			_ = met.Wait(r.Context())
		}
	}})
	src := newSource(t, srv, func(c *connectors.Config) { c.MaxConcurrency = 3 })
	got, _ := syncAll(t, src, connectors.Full)
	require.Len(t, got, 200)
	for _, d := range got {
		require.NotNil(t, d.Software)
	}
	require.Equal(t, 3, srv.MaxInFlight(), "apps chunks are fetched concurrently, three at a time")
	require.Equal(t, 4, srv.Counts().PrismApps)
}

func TestCancelledContext(t *testing.T) {
	// The first request to arrive cancels the sync and is held until the
	// client gives up on it: the run must end with the cancellation, on
	// any machine, however fast.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := kandjitest.New(t, kandjitest.Options{Devices: 50, BeforeServe: func(r *http.Request) {
		cancel()
		<-r.Context().Done()
	}})
	src := newSource(t, srv)
	_, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
	require.ErrorIs(t, err, context.Canceled)
}
