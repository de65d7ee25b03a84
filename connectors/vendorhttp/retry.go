package vendorhttp

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/itam-dev/itam/connectors"
)

// call is one logical request; do retries it on its own, so a throttled
// sub-request (a device's apps or details) waits and succeeds instead of
// failing the page it belongs to.
type call struct {
	method string
	path   string
	query  url.Values
	header map[string]string
	body   []byte
	// contentType of body (default application/json).
	contentType string
	// retryTransient: a 5xx, 408 or transport error may be retried (the
	// request is idempotent); a 429 always may, the vendor did not act.
	retryTransient bool
	// respHeader, when set, receives each answer's headers (the last
	// one's remain): Do returns them for Link paging.
	respHeader *http.Header
}

// maxThrottleRetries stops a vendor answering 429 with tiny waits forever
// from holding a request for the whole budget one millisecond at a time.
const maxThrottleRetries = 30

// maxSnooze bounds a vendor's asked wait: a Retry-After years ahead is a
// vendor bug, and the job should look again within a day.
const maxSnooze = 24 * time.Hour

func (c *Client) do(ctx context.Context, k call, out any) error {
	var (
		waited              time.Duration // slept so far across retries
		steps               int           // backoff steps taken (throttled or transient)
		throttled, failures int
		refreshed           bool
	)
	for {
		req := c.r.R().SetContext(ctx).SetDoNotParseResponse(true)
		if k.query != nil {
			req.SetQueryParamsFromValues(k.query)
		}
		if k.header != nil {
			req.SetHeaders(k.header)
		}
		if k.body != nil {
			ct := k.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.SetHeader("Content-Type", ct).SetBody(bytes.NewReader(k.body))
		}
		resp, err := req.Execute(k.method, k.path)
		if k.respHeader != nil && resp != nil && resp.RawResponse != nil {
			*k.respHeader = resp.Header()
		}

		var wait time.Duration
		switch st := statusOf(resp, err); {
		case err != nil:
			if !k.retryTransient || !transient(err) || failures >= c.opt.Retries {
				return c.decode(resp, err, out)
			}
			failures++
			steps++
			wait = c.backoff(steps)
		case st == http.StatusUnauthorized:
			// A token can expire or be revoked mid-sync: refresh once,
			// when the authenticator can refresh at all.
			if c.auth == nil || refreshed || !c.auth.Invalidate(resp.Request.Header.Get("Authorization")) {
				return c.decode(resp, nil, out)
			}
			refreshed = true
		case st == http.StatusTooManyRequests:
			hint, ok := c.retryHint(resp.Header())
			if ok && hint > c.opt.MaxInlineWait {
				discard(resp)
				return &connectors.RateLimitError{RetryAfter: min(hint, maxSnooze)}
			}
			steps++
			if wait = hint; !ok || hint <= 0 {
				wait = c.backoff(steps)
			}
			throttled++
			if throttled > maxThrottleRetries || waited+wait > c.opt.RetryBudget {
				// Sat out what a request should: the job snoozes and
				// resumes this page later, after the wait the vendor
				// asked for or a minute.
				discard(resp)
				if !ok || hint <= 0 {
					hint = time.Minute
				}
				return &connectors.RateLimitError{RetryAfter: hint}
			}
		case retryableStatus(st):
			hint, ok := c.retryHint(resp.Header())
			if ok && hint > c.opt.MaxInlineWait && st == http.StatusServiceUnavailable {
				discard(resp)
				return &connectors.RateLimitError{RetryAfter: min(hint, maxSnooze)}
			}
			// A request that may have created a record is sent again only
			// after a 503 that says when to come back: a gateway's bare 503
			// can follow a backend that acted.
			if !k.retryTransient && (st != http.StatusServiceUnavailable || !ok) || failures >= c.opt.Retries {
				return c.decode(resp, nil, out)
			}
			failures++
			steps++
			if wait = hint; !ok || hint <= 0 || hint > c.opt.MaxInlineWait {
				wait = c.backoff(steps)
			}
			if waited+wait > c.opt.RetryBudget {
				return c.decode(resp, nil, out)
			}
		default:
			return c.decode(resp, nil, out)
		}
		discard(resp)
		if wait > 0 {
			if err := c.opt.Sleep(ctx, wait); err != nil {
				return err
			}
			waited += wait
		}
	}
}

// backoff is step n's wait: full jitter over BaseWait·2ⁿ⁻¹, capped at
// MaxInlineWait. Full jitter spreads connectors throttled together, so
// they do not come back in lockstep.
func (c *Client) backoff(n int) time.Duration {
	return c.opt.Jitter(backoffCap(c.opt.BaseWait, c.opt.MaxInlineWait, n))
}

func backoffCap(base, ceiling time.Duration, n int) time.Duration {
	f := float64(base) * math.Pow(2, float64(n-1))
	if f >= float64(ceiling) {
		return ceiling
	}
	return time.Duration(f)
}

func statusOf(resp *resty.Response, err error) int {
	if err != nil || resp == nil {
		return 0
	}
	return resp.StatusCode()
}

// retryableStatus: the vendor failed, or timed the request out, and may
// answer next time. 501 and 505 will not change.
func retryableStatus(st int) bool {
	return st == http.StatusRequestTimeout || st >= 500 && st != http.StatusNotImplemented && st != http.StatusHTTPVersionNotSupported
}

// transient reports a transport error worth another try.
func transient(err error) bool {
	var rl *connectors.RateLimitError
	var tl *connectors.TooLargeError
	var ce *connectors.ConfigError
	switch {
	case errors.As(err, &rl), errors.Is(err, connectors.ErrUnauthorized),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case IsBlocked(err), errors.As(err, &tl):
		return false // the policy will refuse it again
	case errors.As(err, &ce):
		return false
	}
	return true
}

// discard closes a response that will not be read, freeing its connection
// and its concurrency slot.
func discard(resp *resty.Response) {
	if resp != nil && resp.RawBody() != nil {
		_ = resp.RawBody().Close()
	}
}

// retryHint is how long the vendor asked us to wait: Retry-After first
// (RFC 9110), then the rate-limit reset headers vendors document as the
// time their window reopens: RateLimit-Reset (IETF draft, seconds),
// X-RateLimit-Reset (ServiceNow, GitHub-style: an epoch time; some vendors
// send seconds) and the structured RateLimit header's t= parameter.
func (c *Client) retryHint(h http.Header) (time.Duration, bool) {
	now := c.opt.Now()
	if d, ok := ParseRetryAfter(h.Get("Retry-After"), now); ok {
		return d, true
	}
	for _, name := range []string{"RateLimit-Reset", "X-RateLimit-Reset", "X-Rate-Limit-Reset"} {
		if d, ok := parseReset(h.Get(name), now); ok {
			return d, true
		}
	}
	if d, ok := parseStructuredReset(h.Get("RateLimit")); ok {
		return d, true
	}
	return 0, false
}

// ParseRetryAfter reads a Retry-After value: delta-seconds (fractions
// accepted, as some vendors send them), or an HTTP date in any of the
// three forms RFC 9110 requires recipients to accept (IMF-fixdate, the
// obsolete RFC 850 and asctime). A date in the past means now (0). Values
// that are neither (negative, NaN, hex, words) are ignored: the caller
// backs off on its own.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, ok := parseSeconds(v); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// parseSeconds accepts digits with an optional fraction only:
// strconv.ParseFloat alone would take "NaN", "Inf", "1e9" and "0x10".
func parseSeconds(v string) (time.Duration, bool) {
	if v == "" || strings.Trim(v, "0123456789.") != "" || strings.Count(v, ".") > 1 || v == "." {
		return 0, false
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	if secs > maxSnooze.Seconds() {
		return maxSnooze, true
	}
	return time.Duration(secs * float64(time.Second)), true
}

// parseReset reads a reset header: a Unix time (seconds, or milliseconds
// for values past year 33658 in seconds) when it is large enough to be
// one, otherwise seconds from now.
func parseReset(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	secs, ok := parseSeconds(v)
	if !ok {
		return 0, false
	}
	raw, _ := strconv.ParseFloat(v, 64)
	switch {
	case raw >= 1e12: // epoch milliseconds
		return max(time.UnixMilli(int64(raw)).Sub(now), 0), true
	case raw >= 1e9: // epoch seconds (anything after 2001)
		return max(time.Unix(int64(raw), 0).Sub(now), 0), true
	}
	return secs, true
}

// parseStructuredReset reads t= (seconds until the quota resets) from the
// IETF draft's structured header, e.g. `"default";r=0;t=30`.
func parseStructuredReset(v string) (time.Duration, bool) {
	for _, item := range strings.Split(v, ",") {
		for _, p := range strings.Split(item, ";") {
			name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && name == "t" {
				return parseSeconds(strings.TrimSpace(val))
			}
		}
	}
	return 0, false
}
