package jamf_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jamf"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/internal/testkit"
)

// ---- helpers ----

type authKind string

const (
	apiClient   authKind = "api client"
	userAccount authKind = "user account"
)

func credentials(s *jamftest.Server, k authKind) map[string]string {
	if k == userAccount {
		return map[string]string{jamf.CredUsername: s.Username, jamf.CredPassword: s.Password}
	}
	return map[string]string{jamf.CredClientID: s.ClientID, jamf.CredClientSecret: s.ClientSecret}
}

// source builds a connector for s; edit adjusts the configuration.
func source(t testing.TB, s *jamftest.Server, k authKind, edit ...func(*connectors.Config)) connectors.Source {
	t.Helper()
	cfg := connectors.Config{BaseURL: s.URL, Egress: connectors.AllowLoopback(), Credentials: credentials(s, k), Options: map[string]any{}}
	for _, e := range edit {
		e(&cfg)
	}
	src, err := jamf.New(cfg)
	require.NoError(t, err)
	return src
}

func withOption(k string, v any) func(*connectors.Config) {
	return func(c *connectors.Config) { c.Options[k] = v }
}

// syncAll reads every page, as the engine does, and returns the devices and
// the number of pages.
func syncAll(t testing.TB, src connectors.Source, req connectors.PageRequest) ([]connectors.Device, int) {
	t.Helper()
	var out []connectors.Device
	for pages := 1; ; pages++ {
		require.Less(t, pages, 10_000, "runaway paging")
		p, err := src.FetchPage(context.Background(), req)
		require.NoError(t, err)
		out = append(out, p.Devices...)
		if p.Done {
			require.Empty(t, p.NextCursor)
			return out, pages
		}
		require.NotEmpty(t, p.NextCursor)
		req.Cursor = p.NextCursor
	}
}

func ids(ds []connectors.Device) []int {
	var out []int
	for _, d := range ds {
		id, _ := strconv.Atoi(d.ExternalID)
		out = append(out, id)
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

var full = connectors.PageRequest{Mode: connectors.Full}

// ---- configuration ----

func TestRegistered(t *testing.T) {
	t.Parallel()
	require.Contains(t, connectors.Kinds(), connectors.JamfPro)
	s := jamftest.New(t, jamftest.Options{Computers: 3, Apps: -1})
	src, err := connectors.New(connectors.JamfPro, connectors.Config{BaseURL: s.URL, Egress: connectors.AllowLoopback(), Credentials: credentials(s, apiClient)})
	require.NoError(t, err)
	require.Equal(t, connectors.JamfPro, src.Kind())
	devices, _ := syncAll(t, src, full)
	require.Len(t, devices, 3)
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	good := map[string]string{jamf.CredClientID: "id", jamf.CredClientSecret: "secret"}
	cases := []struct {
		name  string
		cfg   connectors.Config
		field string
	}{
		{"no base URL: Jamf has no public default", connectors.Config{Credentials: good}, "baseUrl"},
		{"base URL without scheme", connectors.Config{BaseURL: "acme.jamfcloud.com", Credentials: good}, "baseUrl"},
		{"bad auth URL", connectors.Config{BaseURL: "https://acme.jamfcloud.com", AuthURL: "::", Credentials: good}, "authUrl"},
		{"no credentials", connectors.Config{BaseURL: "https://acme.jamfcloud.com"}, "credentials"},
		{"client id without secret", connectors.Config{BaseURL: "https://acme.jamfcloud.com",
			Credentials: map[string]string{jamf.CredClientID: "id"}}, "credentials.clientSecret"},
		{"password without username", connectors.Config{BaseURL: "https://acme.jamfcloud.com",
			Credentials: map[string]string{jamf.CredPassword: "pw"}}, "credentials.username"},
		{"page size zero", connectors.Config{BaseURL: "https://acme.jamfcloud.com", Credentials: good,
			Options: map[string]any{jamf.OptPageSize: 0}}, "options.pageSize"},
		{"page size fraction", connectors.Config{BaseURL: "https://acme.jamfcloud.com", Credentials: good,
			Options: map[string]any{jamf.OptPageSize: 10.5}}, "options.pageSize"},
		{"software flag not a bool", connectors.Config{BaseURL: "https://acme.jamfcloud.com", Credentials: good,
			Options: map[string]any{jamf.OptIncludeSoftware: "maybe"}}, "options.includeSoftware"},
		{"unknown API version", connectors.Config{BaseURL: "https://acme.jamfcloud.com", Credentials: good,
			Options: map[string]any{jamf.OptAPIVersion: "v9"}}, "options.apiVersion"},
		{"API version not a string", connectors.Config{BaseURL: "https://acme.jamfcloud.com", Credentials: good,
			Options: map[string]any{jamf.OptAPIVersion: 4}}, "options.apiVersion"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := jamf.New(tc.cfg)
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			require.NotEmpty(t, ce.Message)
		})
	}
	// Options arrive from JSON: numbers as float64, flags as strings too.
	_, err := jamf.New(connectors.Config{BaseURL: "https://acme.jamfcloud.com", Credentials: good,
		Options: map[string]any{jamf.OptPageSize: float64(250), jamf.OptIncludeSoftware: "false", jamf.OptAPIVersion: "V1"}})
	require.NoError(t, err)
}

// ---- authentication ----

func TestAuthFlows(t *testing.T) {
	t.Parallel()
	for _, k := range []authKind{apiClient, userAccount} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 25, Apps: 2})
			src := source(t, s, k, withOption(jamf.OptPageSize, 10))
			devices, pages := syncAll(t, src, full)
			require.Equal(t, seq(1, 25), ids(devices))
			require.Equal(t, 3, pages)
			st := s.Stats()
			require.Equal(t, 1, st.TokensIssued, "one token serves the whole sync")
			if k == apiClient {
				require.Equal(t, 1, st.OAuthTokenRequests)
				require.Zero(t, st.BasicTokenRequests)
			} else {
				require.Equal(t, 1, st.BasicTokenRequests)
				require.Zero(t, st.OAuthTokenRequests)
			}
			require.Zero(t, st.Unauthorized)
		})
	}
}

// TestAuthPayloadsFromDocs serves the token answers exactly as Jamf's
// documentation shows them (testdata/*-token.json) and checks the requests
// the connector makes of both token endpoints.
func TestAuthPayloadsFromDocs(t *testing.T) {
	t.Parallel()
	page, err := os.ReadFile(filepath.Join("testdata", "computers-inventory-v1.json"))
	require.NoError(t, err)
	for _, tc := range []struct {
		kind      authKind
		tokenPath string
		answer    string
		check     func(t *testing.T, r *http.Request)
		bearer    string
	}{
		{apiClient, "/api/oauth/token", "oauth-token.json", func(t *testing.T, r *http.Request) {
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			assert.NoError(t, r.ParseForm())
			assert.Equal(t, "client_credentials", r.PostForm.Get("grant_type"))
			assert.Equal(t, "my-client", r.PostForm.Get("client_id"))
			assert.Equal(t, "my-secret", r.PostForm.Get("client_secret"))
		}, "eyJhbGciOiJIUzI1NiJ9.RXJp"},
		{userAccount, "/api/v1/auth/token", "auth-token.json", func(t *testing.T, r *http.Request) {
			u, p, ok := r.BasicAuth()
			assert.True(t, ok)
			assert.Equal(t, "my-user", u)
			assert.Equal(t, "my-password", p)
		}, "eyJhbGciOiJIUzUxMiJ9.eyJh"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			answer, err := os.ReadFile(filepath.Join("testdata", tc.answer))
			require.NoError(t, err)
			var tokenCalls atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("POST "+tc.tokenPath, func(w http.ResponseWriter, r *http.Request) {
				tokenCalls.Add(1)
				tc.check(t, r)
				w.Header().Set("Content-Type", "application/json")
				w.Write(answer)
			})
			mux.HandleFunc("GET /api/v1/computers-inventory", func(w http.ResponseWriter, r *http.Request) {
				assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "+tc.bearer))
				w.Write(page)
			})
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			creds := map[string]string{jamf.CredClientID: "my-client", jamf.CredClientSecret: "my-secret"}
			if tc.kind == userAccount {
				creds = map[string]string{jamf.CredUsername: "my-user", jamf.CredPassword: "my-password"}
			}
			src, err := jamf.New(connectors.Config{BaseURL: srv.URL, Egress: connectors.AllowLoopback(), Credentials: creds,
				Options: map[string]any{jamf.OptAPIVersion: "v1"}})
			require.NoError(t, err)
			for range 2 {
				p, err := src.FetchPage(context.Background(), full)
				require.NoError(t, err)
				require.Len(t, p.Devices, 1)
			}
			require.Equal(t, int32(1), tokenCalls.Load(), "the token is reused while it is fresh")
		})
	}
}

func TestAuthURL(t *testing.T) {
	t.Parallel()
	// Tokens come from AuthURL (here a proxy in front of the instance), data
	// from BaseURL.
	s := jamftest.New(t, jamftest.Options{Computers: 2, Apps: -1})
	target, err := url.Parse(s.URL)
	require.NoError(t, err)
	var proxied atomic.Int32
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		assert.Equal(t, "/api/oauth/token", r.URL.Path)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	src := source(t, s, apiClient, func(c *connectors.Config) { c.AuthURL = proxy.URL + "/" })
	devices, _ := syncAll(t, src, full)
	require.Len(t, devices, 2)
	require.Equal(t, int32(1), proxied.Load())
	require.Equal(t, 1, s.Stats().OAuthTokenRequests)
}

func TestTokenExpiryMidSync(t *testing.T) {
	t.Parallel()
	for _, k := range []authKind{apiClient, userAccount} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 30, Apps: -1})
			src := source(t, s, k, withOption(jamf.OptPageSize, 10))
			p, err := src.FetchPage(context.Background(), full)
			require.NoError(t, err)
			s.ExpireTokens() // the cached token dies before the client expects it to
			req := full
			req.Cursor = p.NextCursor
			rest, _ := syncAll(t, src, req)
			require.Equal(t, seq(11, 30), ids(rest))
			st := s.Stats()
			require.Equal(t, 1, st.Unauthorized, "one refused request")
			require.Equal(t, 2, st.TokenRequests(), "one refresh, then the sync goes on")
		})
	}
}

func TestShortTokenLifetimeRefreshesBeforeExpiry(t *testing.T) {
	t.Parallel()
	// A 1 s token (expires_in: 1) is replaced a quarter second before it
	// expires, so requests never meet a 401, and it is not fetched again
	// for every request. Client and fake share a clock the test moves
	// 50 ms per request, so how fast the machine runs changes nothing.
	// (A user account's tokens live at least minBasicLifetime, 5 s, in
	// the client's eyes, so only the API client is tried with 1 s.)
	for _, k := range []authKind{apiClient} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			s := jamftest.New(t, jamftest.Options{Computers: 40, Apps: -1, TokenLifetime: time.Second, Now: clock.Now})
			cfg := connectors.Config{BaseURL: s.URL, Egress: connectors.AllowLoopback(), Credentials: credentials(s, k),
				Options: map[string]any{jamf.OptPageSize: 1}}
			src, err := jamf.NewWithClock(cfg, clock.Now)
			require.NoError(t, err)
			req := full
			const requests = 40 // 2 s of clock
			for range requests {
				p, err := src.FetchPage(context.Background(), req)
				require.NoError(t, err)
				req.Cursor = p.NextCursor
				if p.Done {
					req.Cursor = ""
				}
				clock.Advance(50 * time.Millisecond)
			}
			st := s.Stats()
			require.Zero(t, st.Unauthorized)
			// Tokens at 0, 800 and 1600 ms: each replaced when less than
			// 250 ms of its second is left.
			require.Equal(t, 3, st.TokenRequests(), "refreshed before expiry, not per request")
		})
	}
}

func TestRevokedCredentials(t *testing.T) {
	t.Parallel()
	for _, k := range []authKind{apiClient, userAccount} {
		t.Run(string(k)+" mid-sync", func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 30, Apps: -1})
			src := source(t, s, k, withOption(jamf.OptPageSize, 10))
			p, err := src.FetchPage(context.Background(), full)
			require.NoError(t, err)
			s.RevokeCredentials()
			_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full, Cursor: p.NextCursor})
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			require.Equal(t, 2, s.Stats().TokenRequests(), "one refresh attempt, not a retry storm")
		})
		t.Run(string(k)+" wrong from the start", func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 3})
			src := source(t, s, k, func(c *connectors.Config) {
				for key := range c.Credentials {
					c.Credentials[key] += "-wrong"
				}
			})
			_, err := src.FetchPage(context.Background(), full)
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			_, err = src.FetchDevice(context.Background(), "1")
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			require.Zero(t, s.Stats().InventoryRequests, "no data request without a token")
		})
	}
}

// ---- paging ----

func TestPagingToTheEnd(t *testing.T) {
	t.Parallel()
	cases := []struct {
		computers, pageSize, pages int
	}{
		{0, 100, 1}, // empty tenant: one empty page, done
		{1, 100, 1},
		{99, 100, 1},
		{100, 100, 1}, // totalCount says the full first page is the last
		{101, 100, 2},
		{250, 100, 3},
		{7, 1, 7},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d computers by %d", tc.computers, tc.pageSize), func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: tc.computers, Apps: -1})
			src := source(t, s, apiClient, withOption(jamf.OptPageSize, tc.pageSize))
			devices, pages := syncAll(t, src, full)
			require.Equal(t, seq(1, tc.computers), ids(devices))
			require.Equal(t, tc.pages, pages)
			reqs := s.Requests()
			require.Len(t, reqs, tc.pages, "no request past the end")
			for i, r := range reqs {
				// Key paging: always page 0 of the ids above the last one read.
				require.Equal(t, "0", r.Query.Get("page"))
				require.Equal(t, fmt.Sprintf("id>%d", i*tc.pageSize), r.Query.Get("filter"))
				require.Equal(t, strconv.Itoa(tc.pageSize), r.Query.Get("page-size"))
				require.Equal(t, []string{"id:asc"}, r.Query["sort"])
				require.Equal(t, []string{"GENERAL", "HARDWARE", "OPERATING_SYSTEM", "USER_AND_LOCATION", "PURCHASING", "APPLICATIONS"},
					r.Query["section"])
			}
			// The mobile devices follow in the last page: none here, one request.
			mob := s.MobileRequests()
			require.Len(t, mob, 1)
			require.Equal(t, "mobileDeviceId>0", mob[0].Query.Get("filter"))
			require.Equal(t, "mobileDeviceId:asc", mob[0].Query.Get("sort"))
		})
	}
}

func TestSilentlyClampedPageSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                  string
		computers, cap, asked int
		pages                 int
	}{
		{"short last page", 130, 40, 100, 4},    // 40 40 40 10
		{"totalCount ends it", 120, 40, 100, 3}, // 40 40 40: no empty 4th request
		{"clamped first page is all", 40, 40, 100, 1},
		{"Jamf's own cap", 2001, 2000, 5000, 2}, // the connector asks 2000, never more
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: tc.computers, MaxPageSize: tc.cap, Apps: -1})
			src := source(t, s, apiClient, withOption(jamf.OptPageSize, tc.asked))
			devices, pages := syncAll(t, src, full)
			require.Equal(t, seq(1, tc.computers), ids(devices), "nothing lost to the clamp")
			require.Equal(t, tc.pages, pages)
			require.Len(t, s.Requests(), tc.pages)
			require.Equal(t, strconv.Itoa(min(tc.asked, jamf.MaxPageSize)), s.Requests()[0].Query.Get("page-size"))
		})
	}
}

func TestResumeFromCursor(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 95, Apps: -1, MaxPageSize: 20})
	src := source(t, s, apiClient, withOption(jamf.OptPageSize, 50))
	p0, err := src.FetchPage(context.Background(), full)
	require.NoError(t, err)
	p1, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full, Cursor: p0.NextCursor})
	require.NoError(t, err)
	// A new worker (new Source, even with another configured page size)
	// resumes exactly after page 1.
	other := source(t, s, userAccount, withOption(jamf.OptPageSize, 7))
	rest, _ := syncAll(t, other, connectors.PageRequest{Mode: connectors.Full, Cursor: p1.NextCursor})
	all := append(append(p0.Devices, p1.Devices...), rest...)
	require.Equal(t, seq(1, 95), ids(all))

	_, err = src.FetchPage(context.Background(), connectors.PageRequest{Cursor: "page=banana"})
	require.Error(t, err)
}

// ---- faults ----

func TestRateLimited(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		retryAfter func() string
		times      int
		maxInline  time.Duration
		minWait    time.Duration // waited in place, then success
		snooze     time.Duration // or: *RateLimitError at once with about this
	}{
		{name: "integer seconds", retryAfter: func() string { return "1" }, times: 1, minWait: time.Second},
		{name: "fractional seconds", retryAfter: func() string { return "0.05" }, times: 3, minWait: 150 * time.Millisecond},
		{name: "HTTP date", retryAfter: func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) },
			times: 1, minWait: 900 * time.Millisecond},
		{name: "long integer", retryAfter: func() string { return "120" }, times: 1, snooze: 120 * time.Second},
		{name: "long HTTP date", retryAfter: func() string { return time.Now().Add(10 * time.Minute).UTC().Format(http.TimeFormat) },
			times: 1, snooze: 10 * time.Minute},
		{name: "longer than the configured inline wait", retryAfter: func() string { return "5" }, times: 1,
			maxInline: 100 * time.Millisecond, snooze: 5 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 5, Apps: -1})
			src := source(t, s, apiClient, func(c *connectors.Config) { c.MaxInlineWait = tc.maxInline })
			_, err := src.FetchDevice(context.Background(), "1") // token and version settled first
			require.NoError(t, err)
			// start before the header is written: an HTTP date counts
			// down from then, however long this goroutine waits for a CPU.
			start := time.Now()
			s.RateLimitNext(tc.times, tc.retryAfter())
			p, err := src.FetchPage(context.Background(), full)
			elapsed := time.Since(start)
			if tc.snooze > 0 {
				var rl *connectors.RateLimitError
				require.ErrorAs(t, err, &rl)
				require.InDelta(t, tc.snooze.Seconds(), rl.RetryAfter.Seconds(), 2)
				// One request, no retry; and the wait was not sat out
				// (the bound is the wait itself, not a guess at how fast
				// the machine answers).
				require.Equal(t, 1, s.Stats().RateLimited)
				require.Less(t, elapsed, tc.snooze, "a long wait is not waited out in place")
				return
			}
			require.NoError(t, err)
			require.Len(t, p.Devices, 5)
			require.GreaterOrEqual(t, elapsed, tc.minWait, "Retry-After was honoured")
			require.Equal(t, tc.times, s.Stats().RateLimited)
		})
	}
}

func TestUnavailableThenSuccess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, retryAfter string
		times            int
	}{
		{"backoff", "", 1},
		{"with Retry-After", "0.02", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 12, Apps: -1})
			src := source(t, s, apiClient, withOption(jamf.OptPageSize, 5))
			s.UnavailableNext(tc.times, tc.retryAfter)
			devices, _ := syncAll(t, src, full)
			require.Equal(t, seq(1, 12), ids(devices))
			require.Equal(t, tc.times, s.Stats().Unavailable)
		})
	}
}

func TestMalformedPage(t *testing.T) {
	t.Parallel()
	for _, m := range []struct {
		name string
		kind jamftest.Malformation
	}{
		{"truncated body", jamftest.Truncated},
		{"HTML instead of JSON", jamftest.HTML},
		{"record without id", jamftest.MissingID},
		{"no totalCount", jamftest.NoTotalCount},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 30, Apps: 3})
			src := source(t, s, apiClient, withOption(jamf.OptPageSize, 10))
			p0, err := src.FetchPage(context.Background(), full)
			require.NoError(t, err)
			s.MalformPage(1, m.kind)
			next := connectors.PageRequest{Mode: connectors.Full, Cursor: p0.NextCursor}
			_, err = src.FetchPage(context.Background(), next)
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.URL, "/computers-inventory")
			require.NotContains(t, me.URL, "page-size", "the query string stays out of errors")
			require.Equal(t, 1, s.Stats().Malformed, "a broken page is not retried")
			// The page failed whole; once the server behaves, the same cursor
			// resumes the run.
			s.ClearFaults()
			rest, _ := syncAll(t, src, next)
			require.Equal(t, seq(1, 30), ids(append(p0.Devices, rest...)))
		})
	}
}

// ---- sections and mapping ----

func TestNullSections(t *testing.T) {
	t.Parallel()
	t.Run("software not requested", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{Computers: 20})
		src := source(t, s, apiClient, withOption(jamf.OptIncludeSoftware, false))
		devices, _ := syncAll(t, src, full)
		require.Len(t, devices, 20)
		for _, d := range devices {
			require.Nil(t, d.Software, "software unknown, not empty")
			require.NotEmpty(t, d.SerialNumber)
		}
		require.NotContains(t, s.Requests()[0].Query["section"], "APPLICATIONS")
	})
	t.Run("only GENERAL answered", func(t *testing.T) {
		t.Parallel()
		srv := serveFile(t, "/api/v1/computers-inventory", "null-sections.json")
		src := staticSource(t, srv.URL, "v1")
		p, err := src.FetchPage(context.Background(), full)
		require.NoError(t, err)
		require.True(t, p.Done)
		require.Len(t, p.Devices, 2)
		d := p.Devices[0]
		require.Equal(t, "7", d.ExternalID)
		require.Equal(t, "No Sections Mac", d.Name)
		require.Equal(t, "304822", d.AssetTag)
		require.Empty(t, d.SerialNumber)
		require.Empty(t, d.OSName)
		require.Empty(t, d.UserEmail)
		require.Nil(t, d.PurchaseDate)
		require.Nil(t, d.Software)
		require.False(t, d.Virtual)
	})
}

// serveFile answers GET path with testdata/file and accepts any bearer
// token from /api/oauth/token.
func serveFile(t *testing.T, path, file string) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	token, err := os.ReadFile(filepath.Join("testdata", "oauth-token.json"))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/oauth/token", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(token)
	})
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func staticSource(t *testing.T, url, version string) connectors.Source {
	t.Helper()
	src, err := jamf.New(connectors.Config{BaseURL: url, Egress: connectors.AllowLoopback(),
		Credentials: map[string]string{jamf.CredClientID: "c", jamf.CredClientSecret: "s"},
		Options:     map[string]any{jamf.OptAPIVersion: version}})
	require.NoError(t, err)
	return src
}

// TestMappingFromDocs maps the documented example record (every value is
// the example of its field in Jamf's ComputerInventory schema) to every
// canonical field, from /v1 (lastContactTime) and /v4 (lastContact).
func TestMappingFromDocs(t *testing.T) {
	t.Parallel()
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return &v
	}
	want := connectors.Device{
		ExternalID:      "1",
		SerialNumber:    "C02ZC2QYLVDL",
		Name:            "Boalime",
		Manufacturer:    "Apple",
		Model:           "13-inch MacBook Pro (Mid 2012)",
		ModelIdentifier: "MacBookPro9,2",
		OSName:          "Mac OS X",
		OSVersion:       "10.9.5 (a)", // with the Rapid Security Response
		UserEmail:       "email@com.pl",
		UserName:        "13-inch MacBook", // realname (the docs' example is odd)
		LastCheckIn:     at("2018-10-31T18:04:13Z"),
		AssetTag:        "304822",
		PurchaseDate:    at("2019-01-01T00:00:00Z"),
		PurchasePrice:   "500",
		WarrantyEnd:     at("2019-01-01T00:00:00Z"),
		Software:        []connectors.Software{{Title: "Microsoft Word", Version: "1.0.0", Identifier: "1"}},
	}
	for _, v := range []string{"v1", "v4"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			srv := serveFile(t, "/api/"+v+"/computers-inventory", "computers-inventory-"+v+".json")
			p, err := staticSource(t, srv.URL, v).FetchPage(context.Background(), full)
			require.NoError(t, err)
			require.True(t, p.Done)
			require.Equal(t, []connectors.Device{want}, p.Devices)
		})
	}
}

// TestMappingAgainstFake checks the generated computers, whose timestamps
// come in every format Jamf uses, field by field.
func TestMappingAgainstFake(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"v1", "v4"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: 300, Seed: 7, APIVersions: []string{v}})
			devices, _ := syncAll(t, source(t, s, apiClient, withOption(jamf.OptPageSize, 120)), full)
			require.Len(t, devices, 300)
			var virtual, mixedCaseEmail, priced int
			for _, d := range devices {
				id, _ := strconv.Atoi(d.ExternalID)
				c, ok := s.Computer(id)
				require.True(t, ok)
				require.Equal(t, c.Hardware.SerialNumber, d.SerialNumber)
				require.Equal(t, c.General.Name, d.Name)
				require.Equal(t, c.General.AssetTag, d.AssetTag)
				require.Equal(t, c.Hardware.Make, d.Manufacturer)
				require.Equal(t, c.Hardware.Model, d.Model)
				require.Equal(t, c.Hardware.ModelIdentifier, d.ModelIdentifier)
				require.Equal(t, "macOS", d.OSName)
				require.True(t, strings.HasPrefix(d.OSVersion, c.OperatingSystem.Version))
				require.Equal(t, c.UserAndLocation.Email, d.UserEmail, "email kept as given")
				require.Equal(t, c.UserAndLocation.Realname, d.UserName)
				require.NotNil(t, d.LastCheckIn, "timestamp %q", c.General.LastContactTime)
				require.Equal(t, c.Virtual, d.Virtual, "computer %d (%s)", id, c.Hardware.ModelIdentifier)
				require.Len(t, d.Software, len(c.Applications))
				if c.Purchasing.PoDate != "" {
					require.NotNil(t, d.PurchaseDate, c.Purchasing.PoDate)
					require.NotNil(t, d.WarrantyEnd, c.Purchasing.WarrantyDate)
					require.True(t, d.WarrantyEnd.After(*d.PurchaseDate))
				}
				if c.Purchasing.PurchasePrice != "" {
					require.NotEmpty(t, d.PurchasePrice, c.Purchasing.PurchasePrice)
					require.NotContains(t, d.PurchasePrice, ",")
					priced++
				}
				if d.Virtual {
					virtual++
				}
				if d.UserEmail != strings.ToLower(d.UserEmail) {
					mixedCaseEmail++
				}
			}
			require.Positive(t, virtual, "the sample has virtual machines")
			require.Positive(t, mixedCaseEmail)
			require.Positive(t, priced)
		})
	}
}

func TestVirtualMachines(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 4, Apps: -1})
	models := map[int][3]string{
		1: {"VMware, Inc.", "VMware Virtual Platform", "VMware7,1"},
		2: {"Apple", "Apple Virtual Machine 1", "VirtualMac2,1"},
		3: {"Parallels", "Parallels Virtual Platform", "Parallels-ARM"},
		4: {"Apple", "MacBook Pro (14-inch, 2021)", "MacBookPro18,3"},
	}
	for id, m := range models {
		s.Update(id, func(c *jamftest.Computer) {
			c.Hardware.Make, c.Hardware.Model, c.Hardware.ModelIdentifier = m[0], m[1], m[2]
			c.Hardware.SerialNumber = "C02ZC2QYLVDL"
		})
	}
	devices, _ := syncAll(t, source(t, s, apiClient), full)
	got := map[string]bool{}
	for _, d := range devices {
		got[d.ModelIdentifier] = d.Virtual
	}
	require.Equal(t, map[string]bool{"VMware7,1": true, "VirtualMac2,1": true, "Parallels-ARM": true, "MacBookPro18,3": false}, got)
}

// ---- incremental ----

func TestIncrementalFilter(t *testing.T) {
	t.Parallel()
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // every generated timestamp is before it
	bound := epoch.Add(time.Hour)
	s := jamftest.New(t, jamftest.Options{Computers: 60, Apps: -1, Epoch: epoch})
	for _, id := range []int{5, 17, 42} {
		s.Touch(id, bound.Add(time.Duration(id)*time.Minute))
	}
	s.Touch(43, bound.Add(-time.Millisecond)) // just before the bound
	src := source(t, s, apiClient, withOption(jamf.OptPageSize, 2))

	// The bound is given in another zone with sub-millisecond precision:
	// Jamf wants UTC with a Z.
	since := bound.In(time.FixedZone("CET", 3600)).Add(400 * time.Microsecond)
	req := connectors.PageRequest{Mode: connectors.Incremental, Since: &since}
	p0, err := src.FetchPage(context.Background(), req)
	require.NoError(t, err)
	require.False(t, p0.Done)
	// Later pages keep the bound of the first, whatever the request says.
	later := bound.Add(24 * time.Hour)
	rest, _ := syncAll(t, src, connectors.PageRequest{Mode: connectors.Incremental, Since: &later, Cursor: p0.NextCursor})
	require.Equal(t, []int{5, 17, 42}, ids(append(p0.Devices, rest...)))

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	for i, r := range reqs {
		key := []string{"id>0", "id>17"}[i]
		require.Equal(t, key+`;general.reportDate>="2026-01-01T01:00:00.000Z",`+key+`;general.lastContact>="2026-01-01T01:00:00.000Z"`,
			r.Query.Get("filter"), "v4 names the last contact lastContact")
		require.Equal(t, "id:asc", r.Query.Get("sort"))
	}
	mob := s.MobileRequests()
	require.Len(t, mob, 1)
	require.Equal(t, `mobileDeviceId>0;lastInventoryUpdateDate>="2026-01-01T01:00:00.000Z"`, mob[0].Query.Get("filter"))

	// A full sync, or an incremental one without a bound, reads everything.
	s.ResetStats()
	all, _ := syncAll(t, source(t, s, apiClient, withOption(jamf.OptPageSize, 100)), connectors.PageRequest{Mode: connectors.Full, Since: &since})
	require.Len(t, all, 60)
	all, _ = syncAll(t, source(t, s, apiClient, withOption(jamf.OptPageSize, 100)), connectors.PageRequest{Mode: connectors.Incremental})
	require.Len(t, all, 60)
	for _, r := range s.Requests() {
		require.Equal(t, "id>0", r.Query.Get("filter"))
	}
}

// TestIncrementalSeesCheckInsWithoutReports: Jamf's inventory reports come
// weekly by default, check-ins every ~15 minutes. A computer that checked
// in after the bound but last reported inventory days before must be in
// the incremental sync, with its new check-in time, on every API version
// (v1–v3 name the field lastContactTime, v4 lastContact).
func TestIncrementalSeesCheckInsWithoutReports(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, pin string
		served    []string
		filters   []string // the contact field asked, request by request
	}{
		{"v1", "v1", nil, []string{"general.lastContactTime"}},
		{"v4", "v4", nil, []string{"general.lastContact"}},
		// auto: v4 first with its field name, then v3, v2, v1 with theirs
		{"auto on a v1 server", "auto", []string{"v1"}, []string{"general.lastContact", "general.lastContactTime", "general.lastContactTime", "general.lastContactTime"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			bound := epoch.Add(time.Hour)
			s := jamftest.New(t, jamftest.Options{Computers: 30, Apps: -1, Epoch: epoch, APIVersions: tc.served})
			s.Touch(4, bound.Add(-6*24*time.Hour)) // last weekly report: six days ago
			checkedIn := bound.Add(15 * time.Minute)
			require.True(t, s.CheckIn(4, checkedIn)) // ...and a check-in since
			s.Touch(9, bound.Add(time.Minute))       // a report since
			c, _ := s.Computer(4)
			require.Equal(t, bound.Add(-6*24*time.Hour).Format("2006-01-02T15:04:05.000Z"), c.General.ReportDate,
				"a check-in leaves reportDate alone")

			src := source(t, s, apiClient, withOption(jamf.OptAPIVersion, tc.pin))
			got, _ := syncAll(t, src, connectors.PageRequest{Mode: connectors.Incremental, Since: &bound})
			require.Equal(t, []int{4, 9}, ids(got))
			reqs := s.Requests()
			require.Len(t, reqs, len(tc.filters))
			for i, r := range reqs {
				require.Contains(t, r.Query.Get("filter"), ";"+tc.filters[i]+">=", "request %d to %s", i, r.Version)
			}
			require.NotNil(t, got[0].LastCheckIn)
			require.True(t, checkedIn.Equal(*got[0].LastCheckIn), "lastCheckIn refreshed: %s", got[0].LastCheckIn)
		})
	}
}

// ---- targeted sync ----

func TestFetchDevice(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 10, Apps: 4})
	s.Remove(3)
	src := source(t, s, userAccount)

	d, err := src.FetchDevice(context.Background(), "7")
	require.NoError(t, err)
	require.NotNil(t, d)
	c, _ := s.Computer(7)
	require.Equal(t, "7", d.ExternalID)
	require.Equal(t, c.Hardware.SerialNumber, d.SerialNumber)
	require.Len(t, d.Software, 4)
	q := s.Requests()[0].Query
	require.Equal(t, `id=="7"`, q.Get("filter"))
	require.Equal(t, "1", q.Get("page-size"))

	for _, gone := range []string{"3", "11", "999999", "abc", "", "7;id>0"} {
		d, err := src.FetchDevice(context.Background(), gone)
		require.NoError(t, err, gone)
		require.Nil(t, d, gone)
	}
}

// ---- versions ----

func TestAPIVersionFallback(t *testing.T) {
	t.Parallel()
	t.Run("auto falls back once to what the server has", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{Computers: 25, Apps: -1, APIVersions: []string{"v1"}})
		src := source(t, s, apiClient, withOption(jamf.OptPageSize, 10))
		devices, pages := syncAll(t, src, full)
		require.Equal(t, seq(1, 25), ids(devices))
		require.Equal(t, 3, pages)
		var versions []string
		for _, r := range s.Requests() {
			versions = append(versions, r.Version)
		}
		require.Equal(t, []string{"v4", "v3", "v2", "v1", "v1", "v1"}, versions)
	})
	t.Run("auto uses v4 when there", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{Computers: 3, Apps: -1})
		_, err := source(t, s, apiClient).FetchDevice(context.Background(), "2")
		require.NoError(t, err)
		require.Equal(t, "v4", s.Requests()[0].Version)
	})
	t.Run("pinned version does not fall back", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{Computers: 3, APIVersions: []string{"v1"}})
		_, err := source(t, s, apiClient, withOption(jamf.OptAPIVersion, "v4")).FetchPage(context.Background(), full)
		var se *connectors.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, http.StatusNotFound, se.Status)
		require.Len(t, s.Requests(), 1)
	})
	t.Run("no inventory endpoint at all", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{Computers: 3, APIVersions: []string{"v0"}})
		_, err := source(t, s, apiClient).FetchPage(context.Background(), full)
		var se *connectors.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, http.StatusNotFound, se.Status)
	})
}

// ---- re-syncs ----

func TestResyncSeesChanges(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 50, Apps: 2})
	src := source(t, s, apiClient, withOption(jamf.OptPageSize, 20))
	first, _ := syncAll(t, src, full)
	require.Len(t, first, 50)

	s.Remove(5)
	s.Update(7, func(c *jamftest.Computer) {
		c.Hardware.SerialNumber = "C02NEWSERIAL"
		c.Applications = append(c.Applications, jamftest.Application{Name: "Zed", Version: "0.160.0", BundleID: "dev.zed.Zed"})
	})
	added := s.Add(jamftest.Computer{General: jamftest.General{Name: "New Mac"}, Hardware: jamftest.Hardware{Make: "Apple", SerialNumber: "C02ADDED0001"}})
	require.Equal(t, 51, added)

	second, _ := syncAll(t, src, full)
	byID := map[string]connectors.Device{}
	for _, d := range second {
		byID[d.ExternalID] = d
	}
	require.Len(t, second, 50)
	require.NotContains(t, byID, "5")
	require.Equal(t, "C02NEWSERIAL", byID["7"].SerialNumber)
	require.Len(t, byID["7"].Software, 3)
	require.Equal(t, "C02ADDED0001", byID["51"].SerialNumber)
	require.NotNil(t, byID["51"].Software, "reported no applications: empty, not unknown")
	require.Empty(t, byID["51"].Software)
}

// ---- concurrency ----

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		configure int
		want      int
	}{
		{"Jamf's recommended 5 by default", 0, 5},
		{"configured", 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Requests wait at the fake until tc.want are in flight
			// together: the bound is reached by construction, not by
			// overlapping latencies.
			met := testkit.NewBarrier(tc.want)
			s := jamftest.New(t, jamftest.Options{Computers: 60, Apps: -1, BeforeServe: func(r *http.Request) { _ = met.Wait(r.Context()) }})
			src := source(t, s, apiClient, func(c *connectors.Config) { c.MaxConcurrency = tc.configure })
			var wg sync.WaitGroup
			errs := make(chan error, 60)
			for i := 1; i <= 40; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var err error
					if i%4 == 0 {
						_, err = src.FetchPage(context.Background(), full)
					} else {
						var d *connectors.Device
						d, err = src.FetchDevice(context.Background(), strconv.Itoa(i))
						if err == nil && d == nil {
							err = errors.New("device " + strconv.Itoa(i) + " not found")
						}
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, s.Stats().MaxInFlight, "in flight at the fake, never more")
			require.Equal(t, 1, s.Stats().TokensIssued, "concurrent requests share one token")
		})
	}
}

// ---- benchmark ----

// BenchmarkFullSync50k reads 50,000 computers with their applications
// through the connector from the fake, at Jamf's largest page size.
func BenchmarkFullSync50k(b *testing.B) {
	s := jamftest.New(b, jamftest.Options{Computers: 50_000, Seed: 1})
	src := source(b, s, apiClient, withOption(jamf.OptPageSize, jamf.MaxPageSize))
	b.ResetTimer()
	for range b.N {
		devices, software := 0, 0
		req := full
		for {
			p, err := src.FetchPage(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
			devices += len(p.Devices)
			for _, d := range p.Devices {
				software += len(d.Software)
			}
			if p.Done {
				break
			}
			req.Cursor = p.NextCursor
		}
		if devices != 50_000 {
			b.Fatalf("%d devices", devices)
		}
		b.ReportMetric(float64(software)/50_000, "apps/device")
	}
	b.ReportMetric(float64(50_000*b.N)/b.Elapsed().Seconds(), "devices/s")
}

// TestIncrementalContactFieldFallback: /v4's filter name for the last
// contact is not in the documentation we could read; a server that
// refuses it (400) is asked again with /v1–/v3's name, and one that
// refuses both still gets incremental syncs on reportDate alone.
func TestIncrementalContactFieldFallback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		refuse  []string
		want    []int
		filters []string
	}{
		{"v4 refuses lastContact", []string{"general.lastContact"}, []int{4, 9},
			[]string{"general.lastContact", "general.lastContactTime", "general.lastContactTime"}},
		{"v4 refuses both", []string{"general.lastContact", "general.lastContactTime"}, []int{9},
			[]string{"general.lastContact", "general.lastContactTime", "", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			bound := epoch.Add(time.Hour)
			s := jamftest.New(t, jamftest.Options{Computers: 30, Apps: -1, Epoch: epoch})
			for _, f := range tc.refuse {
				s.RefuseFilterField("v4", f)
			}
			s.CheckIn(4, bound.Add(time.Minute))
			s.Touch(9, bound.Add(time.Minute))
			src := source(t, s, apiClient, withOption(jamf.OptPageSize, 10))
			req := connectors.PageRequest{Mode: connectors.Incremental, Since: &bound}
			got, _ := syncAll(t, src, req)
			require.Equal(t, tc.want, ids(got))
			// The same Source remembers what the server refused.
			got, _ = syncAll(t, src, req)
			require.Equal(t, tc.want, ids(got))
			var asked []string
			for _, r := range s.Requests() {
				f := r.Query.Get("filter")
				field := ""
				for _, name := range []string{"general.lastContactTime", "general.lastContact"} {
					if strings.Contains(f, ";"+name+">=") {
						field = name
						break
					}
				}
				asked = append(asked, field)
			}
			require.Equal(t, tc.filters, asked)
		})
	}
	t.Run("a full sync does not retry a 400", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{Computers: 3, Apps: -1})
		s.RefuseFilterField("v4", "id")
		_, err := source(t, s, apiClient).FetchPage(context.Background(), full)
		var se *connectors.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, http.StatusBadRequest, se.Status)
		require.Len(t, s.Requests(), 1)
	})
}
