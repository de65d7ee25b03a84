package vendorhttp

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/testkit"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"0.25", 250 * time.Millisecond, true},
		{" 1.5 ", 1500 * time.Millisecond, true},
		{"0", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		got, ok := ParseRetryAfter(tc.in, now)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

type page struct {
	N int `json:"n"`
}

// script serves responses in order; the last one repeats.
func script(t *testing.T, steps ...func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(calls.Add(1)) - 1
		if i >= len(steps) {
			i = len(steps) - 1
		}
		steps[i](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func status(code int, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

func body(s string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, s)
	}
}

func TestGetJSONRetries(t *testing.T) {
	t.Parallel()
	ok := body(`{"n": 7}`)
	cases := []struct {
		name    string
		steps   []func(http.ResponseWriter, *http.Request)
		calls   int64
		minWait time.Duration
		check   func(t *testing.T, err error)
	}{
		{"success", []func(http.ResponseWriter, *http.Request){ok}, 1, 0, nil},
		{"503 then success", []func(http.ResponseWriter, *http.Request){status(503), status(502), ok}, 3, 0, nil},
		{"429 integer Retry-After", []func(http.ResponseWriter, *http.Request){status(429, "Retry-After", "1"), ok}, 2, time.Second, nil},
		{"429 fractional Retry-After", []func(http.ResponseWriter, *http.Request){status(429, "Retry-After", "0.3"), ok}, 2, 300 * time.Millisecond, nil},
		{"503 with Retry-After", []func(http.ResponseWriter, *http.Request){status(503, "Retry-After", "0.2"), ok}, 2, 200 * time.Millisecond, nil},
		{"long Retry-After snoozes instead of waiting", []func(http.ResponseWriter, *http.Request){status(429, "Retry-After", "120")}, 1, 0, func(t *testing.T, err error) {
			var rl *connectors.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.Equal(t, 120*time.Second, rl.RetryAfter)
		}},
		{"404 is not retried", []func(http.ResponseWriter, *http.Request){status(404)}, 1, 0, func(t *testing.T, err error) {
			var se *connectors.StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, 404, se.Status)
		}},
		{"malformed JSON", []func(http.ResponseWriter, *http.Request){body(`{"n": 7,`)}, 1, 0, func(t *testing.T, err error) {
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
		}},
		{"trailing garbage", []func(http.ResponseWriter, *http.Request){body(`{"n": 7} {`)}, 1, 0, func(t *testing.T, err error) {
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
		}},
		{"wrong shape", []func(http.ResponseWriter, *http.Request){body(`{"n": "seven"}`)}, 1, 0, func(t *testing.T, err error) {
			var me *connectors.MalformedError
			require.ErrorAs(t, err, &me)
		}},
		{"403 names the endpoint, not the credentials", []func(http.ResponseWriter, *http.Request){status(403)}, 1, 0, func(t *testing.T, err error) {
			require.NotErrorIs(t, err, connectors.ErrUnauthorized)
			var fe *connectors.ForbiddenError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "GET /x", fe.Endpoint)
		}},
		{"500 until retries run out", []func(http.ResponseWriter, *http.Request){status(500)}, 3, 0, func(t *testing.T, err error) {
			var se *connectors.StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, 500, se.Status)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, calls := script(t, tc.steps...)
			c := New(Options{BaseURL: srv.URL, Transport: loopback(), Retries: 2, BaseWait: 10 * time.Millisecond, MaxInlineWait: 5 * time.Second})
			var p page
			start := time.Now()
			err := c.GetJSON(context.Background(), "/x?secret=1", nil, &p)
			if tc.check == nil {
				require.NoError(t, err)
				require.Equal(t, 7, p.N)
			} else {
				tc.check(t, err)
				require.NotContains(t, err.Error(), "secret", "query strings are redacted from errors")
			}
			require.Equal(t, tc.calls, calls.Load())
			require.GreaterOrEqual(t, time.Since(start), tc.minWait)
		})
	}
}

func TestTokenRefreshOn401(t *testing.T) {
	t.Parallel()
	var issued atomic.Int64
	valid := atomic.Value{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+valid.Load().(string) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"n": 1}`)
	}))
	t.Cleanup(srv.Close)
	tokens := &TokenCache{Fetch: func(context.Context) (*oauth2.Token, error) {
		n := issued.Add(1)
		tok := fmt.Sprintf("t%d", n)
		valid.Store(tok)
		return &oauth2.Token{AccessToken: tok, Expiry: time.Now().Add(time.Hour)}, nil
	}}
	c := New(Options{BaseURL: srv.URL, Transport: loopback(), Auth: tokens, BaseWait: time.Millisecond})
	var p page
	require.NoError(t, c.GetJSON(context.Background(), "/", nil, &p))
	require.NoError(t, c.GetJSON(context.Background(), "/", nil, &p))
	require.EqualValues(t, 1, issued.Load(), "the token is cached")

	valid.Store("revoked-mid-sync")
	require.NoError(t, c.GetJSON(context.Background(), "/", nil, &p), "a 401 refreshes the token once and retries")
	require.EqualValues(t, 2, issued.Load())

	// A token that expires soon is replaced before it is used.
	tokens.mu.Lock()
	tokens.tok.Expiry = time.Now().Add(10 * time.Second)
	tokens.mu.Unlock()
	require.NoError(t, c.GetJSON(context.Background(), "/", nil, &p))
	require.EqualValues(t, 3, issued.Load())

	// Credentials the vendor keeps refusing fail clearly after one refresh.
	refusing := &TokenCache{Fetch: func(context.Context) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: "never-valid", Expiry: time.Now().Add(time.Hour)}, nil
	}}
	c = New(Options{BaseURL: srv.URL, Transport: loopback(), Auth: refusing, BaseWait: time.Millisecond})
	err := c.GetJSON(context.Background(), "/", nil, &p)
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Equal(t, 2, refusing.Fetches)
}

func TestStaticTokenIsNotRetried(t *testing.T) {
	t.Parallel()
	srv, calls := script(t, status(http.StatusUnauthorized), body(`{"n": 1}`))
	c := New(Options{BaseURL: srv.URL, Transport: loopback(), Auth: StaticToken("wrong"), BaseWait: time.Millisecond})
	var p page
	err := c.GetJSON(context.Background(), "/", nil, &p)
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.EqualValues(t, 1, calls.Load(), "a static token cannot be refreshed: one request")
}

func TestConcurrent401sFetchOneToken(t *testing.T) {
	t.Parallel()
	var issued atomic.Int64
	valid := atomic.Value{}
	valid.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+valid.Load().(string) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"n": 1}`)
	}))
	t.Cleanup(srv.Close)
	tokens := &TokenCache{Fetch: func(context.Context) (*oauth2.Token, error) {
		tok := fmt.Sprintf("t%d", issued.Add(1))
		valid.Store(tok)
		return &oauth2.Token{AccessToken: tok, Expiry: time.Now().Add(time.Hour)}, nil
	}}
	c := New(Options{BaseURL: srv.URL, Transport: loopback(), Auth: tokens, BaseWait: time.Millisecond, MaxConcurrency: 8})
	var p page
	require.NoError(t, c.GetJSON(context.Background(), "/", nil, &p))
	valid.Store("revoked")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			var p page
			require.NoError(t, c.GetJSON(context.Background(), "/", nil, &p))
		})
	}
	wg.Wait()
	require.EqualValues(t, 2, issued.Load(), "requests refused together share one fresh token")
}

func TestTokenCacheInvalidate(t *testing.T) {
	t.Parallel()
	n := 0
	tokens := &TokenCache{Fetch: func(context.Context) (*oauth2.Token, error) {
		n++
		return &oauth2.Token{AccessToken: fmt.Sprintf("t%d", n), Expiry: time.Now().Add(time.Hour)}, nil
	}}
	ctx := context.Background()
	h, err := tokens.Authorization(ctx)
	require.NoError(t, err)
	require.Equal(t, "Bearer t1", h)
	require.True(t, tokens.Invalidate("Bearer t1"))
	h, err = tokens.Authorization(ctx)
	require.NoError(t, err)
	require.Equal(t, "Bearer t2", h, "the refused token is dropped")
	// A request that was refused with t1 while another already replaced
	// it keeps t2 and may retry with it.
	require.True(t, tokens.Invalidate("Bearer t1"))
	h, err = tokens.Authorization(ctx)
	require.NoError(t, err)
	require.Equal(t, "Bearer t2", h)
	require.Equal(t, 2, tokens.Fetches)
	require.False(t, StaticToken("x").Invalidate("Bearer x"))
}

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	// Requests are held in the handler until the test lets them go, and
	// the client reports each request its bound holds back. Once all 12
	// are accounted for (in the handler or held back) the count in the
	// handler is the bound: no sleeps that must overlap, so a busy machine
	// cannot change the answer.
	const bound, requests = 3, 12
	events := make(chan bool, requests) // true: in the handler; false: held back
	release := make(chan struct{})
	var inFlight testkit.InFlight
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer inFlight.Enter()()
		select {
		case events <- true:
		default: // a request let through after the release
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, `{"n": 1}`)
	}))
	t.Cleanup(srv.Close)
	c := New(Options{BaseURL: srv.URL, Transport: loopback(), MaxConcurrency: bound})
	c.limit.waiting = func() {
		select {
		case events <- false:
		default:
		}
	}
	var wg sync.WaitGroup
	for range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p page
			require.NoError(t, c.GetJSON(context.Background(), "/", nil, &p))
		}()
	}
	served := 0
	for range requests {
		if <-events {
			served++
		}
	}
	close(release)
	wg.Wait()
	require.Equal(t, bound, served, "in the handler at once")
	require.EqualValues(t, bound, inFlight.Peak())
}

// loopback is the transport of tests whose servers are httptest's on
// 127.0.0.1: loopback allowed explicitly, the guard otherwise on.
func loopback() *Transport { return NewTransport(connectors.AllowLoopback()) }
