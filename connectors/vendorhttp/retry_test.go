package vendorhttp

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// clock is an injected backoff clock: Sleep records the wait and returns
// at once, so a test asserts the schedule without sleeping.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
	caps  []time.Duration // what Jitter was asked to draw below
	// jitter draws from [0, max]; nil: the maximum (the schedule's caps).
	jitter func(time.Duration) time.Duration
}

func (c *clock) options(o Options) Options {
	o.Now = func() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
	o.Sleep = func(_ context.Context, d time.Duration) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.waits = append(c.waits, d)
		c.now = c.now.Add(d)
		return nil
	}
	o.Jitter = func(max time.Duration) time.Duration {
		c.mu.Lock()
		c.caps = append(c.caps, max)
		c.mu.Unlock()
		if c.jitter != nil {
			return c.jitter(max)
		}
		return max
	}
	return o
}

func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

// TestBackoffSchedule asserts each request's own retry schedule: attempts,
// growing capped waits, every Retry-After form and reset header honoured,
// and when it gives up (budget, MaxInlineWait, Retries).
func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC)
	ok := body(`{"n": 7}`)
	throttle := func(h ...string) func(http.ResponseWriter, *http.Request) { return status(429, h...) }
	repeat := func(n int, f func(http.ResponseWriter, *http.Request)) []func(http.ResponseWriter, *http.Request) {
		out := make([]func(http.ResponseWriter, *http.Request), n)
		for i := range out {
			out[i] = f
		}
		return out
	}
	then := func(steps []func(http.ResponseWriter, *http.Request), last ...func(http.ResponseWriter, *http.Request)) []func(http.ResponseWriter, *http.Request) {
		return append(steps, last...)
	}
	cases := []struct {
		name  string
		steps []func(http.ResponseWriter, *http.Request)
		base  time.Duration // BaseWait (default 100ms here)
		calls int64
		waits []time.Duration
		// snooze, when set: a *RateLimitError with this RetryAfter.
		snooze time.Duration
		status int // or: a *StatusError with this status
	}{
		{name: "429 without Retry-After backs off exponentially", steps: then(repeat(4, throttle()), ok),
			calls: 5, waits: ms(100, 200, 400, 800)},
		{name: "the step is capped at MaxInlineWait", base: 4 * time.Second, steps: then(repeat(4, throttle()), ok),
			calls: 5, waits: []time.Duration{4 * time.Second, 8 * time.Second, 16 * time.Second, 20 * time.Second}},
		{name: "throttled past the budget snoozes the job", base: time.Second, steps: repeat(1, throttle()),
			// 1+2+4+8+16 = 31s, then 20s more = 51s, then 20s would pass 60s.
			calls: 7, waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 20 * time.Second},
			snooze: time.Minute},
		{name: "delta seconds", steps: then(repeat(1, throttle("Retry-After", "3")), ok), calls: 2, waits: []time.Duration{3 * time.Second}},
		{name: "fractional seconds", steps: then(repeat(2, throttle("Retry-After", "1.25")), ok), calls: 3, waits: ms(1250, 1250)},
		{name: "IMF-fixdate", steps: then(repeat(1, throttle("Retry-After", now.Add(12*time.Second).Format(http.TimeFormat))), ok),
			calls: 2, waits: []time.Duration{12 * time.Second}},
		{name: "obsolete RFC 850 date", steps: then(repeat(1, throttle("Retry-After", now.Add(7*time.Second).Format(time.RFC850))), ok),
			calls: 2, waits: []time.Duration{7 * time.Second}},
		{name: "obsolete asctime date", steps: then(repeat(1, throttle("Retry-After", now.Add(9*time.Second).Format(time.ANSIC))), ok),
			calls: 2, waits: []time.Duration{9 * time.Second}},
		{name: "date in the past: back off", steps: then(repeat(1, throttle("Retry-After", now.Add(-time.Hour).Format(http.TimeFormat))), ok),
			calls: 2, waits: ms(100)},
		{name: "zero: back off", steps: then(repeat(2, throttle("Retry-After", "0")), ok), calls: 3, waits: ms(100, 200)},
		{name: "bogus values: back off", steps: then([]func(http.ResponseWriter, *http.Request){
			throttle("Retry-After", "soon"), throttle("Retry-After", "-5"), throttle("Retry-After", "NaN"),
			throttle("Retry-After", "1e3"), throttle("Retry-After", "0x10")}, ok),
			calls: 6, waits: ms(100, 200, 400, 800, 1600)},
		{name: "RateLimit-Reset seconds", steps: then(repeat(1, throttle("RateLimit-Reset", "4")), ok), calls: 2, waits: []time.Duration{4 * time.Second}},
		{name: "X-RateLimit-Reset epoch seconds", steps: then(repeat(1, throttle("X-RateLimit-Reset", strconv.FormatInt(now.Add(6*time.Second).Unix(), 10))), ok),
			calls: 2, waits: []time.Duration{6 * time.Second}},
		{name: "X-RateLimit-Reset epoch milliseconds", steps: then(repeat(1, throttle("X-RateLimit-Reset", strconv.FormatInt(now.Add(1500*time.Millisecond).UnixMilli(), 10))), ok),
			calls: 2, waits: ms(1500)},
		{name: "structured RateLimit t=", steps: then(repeat(1, throttle("RateLimit", `"default";r=0;t=8`)), ok), calls: 2, waits: []time.Duration{8 * time.Second}},
		{name: "Retry-After wins over a reset header", steps: then(repeat(1, throttle("Retry-After", "2", "X-RateLimit-Reset", "50")), ok),
			calls: 2, waits: []time.Duration{2 * time.Second}},
		{name: "longer than MaxInlineWait snoozes at once", steps: repeat(1, throttle("Retry-After", "120")), calls: 1, snooze: 2 * time.Minute},
		{name: "a date hours ahead snoozes at once", steps: repeat(1, throttle("Retry-After", now.Add(3*time.Hour).Format(http.TimeFormat))), calls: 1, snooze: 3 * time.Hour},
		{name: "years ahead snoozes a day at most", steps: repeat(1, throttle("Retry-After", "999999999")), calls: 1, snooze: 24 * time.Hour},
		{name: "honoured waits stop at the budget", steps: repeat(1, throttle("Retry-After", "20")),
			calls: 4, waits: []time.Duration{20 * time.Second, 20 * time.Second, 20 * time.Second}, snooze: 20 * time.Second},
		{name: "503 with Retry-After waits it", steps: then(repeat(1, status(503, "Retry-After", "2")), ok), calls: 2, waits: []time.Duration{2 * time.Second}},
		{name: "503 with a long Retry-After snoozes", steps: repeat(1, status(503, "Retry-After", "600")), calls: 1, snooze: 10 * time.Minute},
		{name: "5xx back off a few times", steps: then([]func(http.ResponseWriter, *http.Request){status(500), status(502), status(504)}, ok),
			calls: 4, waits: ms(100, 200, 400)},
		{name: "5xx give up after Retries", steps: repeat(1, status(502)), calls: 5, waits: ms(100, 200, 400, 800), status: 502},
		{name: "408 is retried", steps: then(repeat(1, status(408)), ok), calls: 2, waits: ms(100)},
		{name: "400 is not retried", steps: repeat(1, status(400)), calls: 1, status: 400},
		{name: "422 is not retried", steps: repeat(1, status(422)), calls: 1, status: 422},
		{name: "501 is not retried", steps: repeat(1, status(501)), calls: 1, status: 501},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, calls := script(t, tc.steps...)
			clk := &clock{now: now}
			base := tc.base
			if base == 0 {
				base = 100 * time.Millisecond
			}
			c := New(clk.options(Options{BaseURL: srv.URL, Transport: loopback(), BaseWait: base, MaxInlineWait: 20 * time.Second}))
			var p page
			err := c.GetJSON(context.Background(), "/x", nil, &p)
			switch {
			case tc.snooze > 0:
				var rl *connectors.RateLimitError
				require.ErrorAs(t, err, &rl)
				require.Equal(t, tc.snooze, rl.RetryAfter)
			case tc.status > 0:
				var se *connectors.StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, tc.status, se.Status)
			default:
				require.NoError(t, err)
				require.Equal(t, 7, p.N)
			}
			require.Equal(t, tc.calls, calls.Load(), "attempts")
			require.Equal(t, tc.waits, clk.waits, "waits")
		})
	}
}

// TestBackoffJitter: with the real jitter each wait is drawn from [0, cap]
// and the caps double; full jitter, so the waits are not all the caps.
func TestBackoffJitter(t *testing.T) {
	t.Parallel()
	srv, calls := script(t, status(429))
	clk := &clock{now: time.Now()}
	// A day's budget: the retry bound, not the budget, ends this one.
	o := clk.options(Options{BaseURL: srv.URL, Transport: loopback(), BaseWait: 10 * time.Millisecond, MaxInlineWait: 20 * time.Second, RetryBudget: 24 * time.Hour})
	clk.jitter = New(Options{}).opt.Jitter // the real draw
	c := New(o)
	var p page
	err := c.GetJSON(context.Background(), "/x", nil, &p)
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.EqualValues(t, maxThrottleRetries+1, calls.Load(), "small waits stop at the retry bound, not never")
	require.Len(t, clk.waits, maxThrottleRetries)
	var atCap int
	for i, w := range clk.waits {
		want := min(10*time.Millisecond<<i, 20*time.Second)
		require.Equal(t, want, clk.caps[i], "cap of step %d", i+1)
		require.GreaterOrEqual(t, w, time.Duration(0))
		require.LessOrEqual(t, w, clk.caps[i], "step %d", i+1)
		if w == clk.caps[i] {
			atCap++
		}
	}
	require.Less(t, atCap, len(clk.waits), "full jitter draws below the cap")
}

// TestSendJSON: a POST is retried only when the vendor did not act on it
// (429, 503); PUT and PATCH are retried like GETs; the body is sent whole
// on every attempt and a refusal carries the vendor's message.
func TestSendJSON(t *testing.T) {
	t.Parallel()
	ok := body(`{"n": 1}`)
	cases := []struct {
		name   string
		method string
		steps  []func(http.ResponseWriter, *http.Request)
		calls  int64
		status int
	}{
		{"POST 429 is retried", http.MethodPost, []func(http.ResponseWriter, *http.Request){status(429), ok}, 2, 0},
		{"POST 503 with Retry-After is retried", http.MethodPost, []func(http.ResponseWriter, *http.Request){status(503, "Retry-After", "1"), ok}, 2, 0},
		{"POST bare 503 is not (a gateway may answer it after the backend acted)", http.MethodPost, []func(http.ResponseWriter, *http.Request){status(503), ok}, 1, 503},
		{"POST 500 is not (it may have created the record)", http.MethodPost, []func(http.ResponseWriter, *http.Request){status(500), ok}, 1, 500},
		{"PATCH 500 is retried", http.MethodPatch, []func(http.ResponseWriter, *http.Request){status(500), ok}, 2, 0},
		{"PUT 502 is retried", http.MethodPut, []func(http.ResponseWriter, *http.Request){status(502), ok}, 2, 0},
		{"PUT 400 carries the message", http.MethodPut, []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"description":"Validation failed","errors":[{"field":"asset_tag","message":"It should be unique","code":"duplicate_value"}]}`))
		}}, 1, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var bodies []string
			steps := make([]func(http.ResponseWriter, *http.Request), len(tc.steps))
			for i, f := range tc.steps {
				steps[i] = func(w http.ResponseWriter, r *http.Request) {
					b := make([]byte, 64)
					n, _ := r.Body.Read(b)
					mu.Lock()
					bodies = append(bodies, r.Method+" "+r.Header.Get("Content-Type")+" "+string(b[:n]))
					mu.Unlock()
					f(w, r)
				}
			}
			srv, calls := script(t, steps...)
			clk := &clock{now: time.Now()}
			c := New(clk.options(Options{BaseURL: srv.URL, Transport: loopback()}))
			var p page
			err := c.SendJSON(context.Background(), tc.method, "/r/1", map[string]string{"asset_tag": "A-1"}, &p)
			require.Equal(t, tc.calls, calls.Load())
			for _, b := range bodies {
				require.Equal(t, tc.method+` application/json {"asset_tag":"A-1"}`, b)
			}
			if tc.status == 0 {
				require.NoError(t, err)
				require.Equal(t, 1, p.N)
				return
			}
			var se *connectors.StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tc.status, se.Status)
			if tc.status == 400 {
				require.Equal(t, "Validation failed; asset_tag: It should be unique", se.Message)
				require.Contains(t, err.Error(), "It should be unique")
			}
		})
	}
}
