// Package vendorhttp is the HTTP client every connector shares: base URL and
// timeouts, bearer authentication with one refresh on 401 when the token
// can be refreshed, retries of idempotent GETs on 429/5xx honouring
// Retry-After (seconds, fractional seconds or an HTTP date) and otherwise
// exponential backoff with jitter, a bound on requests in flight per
// connector, and response classification into the errors the sync engine
// acts on. Vendor packages keep only their
// API's paths, types and mapping.
package vendorhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/itam-dev/itam/connectors"
)

// Authenticator supplies the Authorization header. Invalidate is told the
// Authorization value the vendor refused with a 401; it forgets that token
// and reports whether a retry could carry a different one. Only then is
// the request retried (once).
type Authenticator interface {
	Authorization(ctx context.Context) (string, error)
	Invalidate(refused string) bool
}

// Options configure a Client.
type Options struct {
	BaseURL string
	// Transport is the guarded transport (NewTransport); nil builds one
	// with the zero Egress, which refuses every non-public address.
	Transport *Transport
	Auth      Authenticator
	// MaxConcurrency bounds requests in flight (default 4).
	MaxConcurrency int
	// MaxInlineWait is the longest Retry-After waited out in place (default 30s).
	MaxInlineWait time.Duration
	// Retries after the first attempt (default 4).
	Retries int
	// BaseWait is the first backoff step and the shortest wait (default 100ms).
	BaseWait time.Duration
	// Timeout bounds one attempt (default 60s).
	Timeout time.Duration
}

// Client is a vendor API client.
type Client struct {
	r             *resty.Client
	limit         *limited
	auth          Authenticator
	maxInlineWait time.Duration
}

// New returns a Client for opt.
func New(opt Options) *Client {
	if opt.MaxConcurrency <= 0 {
		opt.MaxConcurrency = 4
	}
	if opt.MaxInlineWait <= 0 {
		opt.MaxInlineWait = 30 * time.Second
	}
	if opt.Retries <= 0 {
		opt.Retries = 4
	}
	if opt.BaseWait <= 0 {
		opt.BaseWait = 100 * time.Millisecond
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 60 * time.Second
	}
	if opt.Transport == nil {
		opt.Transport = NewTransport(connectors.Egress{})
	}
	c := &Client{auth: opt.Auth, maxInlineWait: opt.MaxInlineWait}
	c.limit = &limited{next: opt.Transport, slots: make(chan struct{}, opt.MaxConcurrency)}
	r := resty.New().
		SetBaseURL(strings.TrimRight(opt.BaseURL, "/")).
		SetTransport(c.limit).
		SetTimeout(opt.Timeout).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", "itam/1 (+https://github.com/itam-dev/itam)").
		SetRetryCount(opt.Retries).
		SetRetryWaitTime(opt.BaseWait).
		SetRetryMaxWaitTime(opt.MaxInlineWait).
		SetRetryAfter(c.retryAfter).
		AddRetryCondition(c.shouldRetry).
		AddRetryHook(func(resp *resty.Response, _ error) {
			// Responses we retry are never read: free their connections.
			if resp != nil && resp.RawBody() != nil {
				_ = resp.RawBody().Close()
			}
		})
	r.SetLogger(discardLogger{})
	if c.auth != nil {
		r.OnBeforeRequest(func(_ *resty.Client, req *resty.Request) error {
			h, err := c.auth.Authorization(req.Context())
			if err != nil {
				return err
			}
			req.SetHeader("Authorization", h)
			return nil
		})
	}
	c.r = r
	return c
}

func (c *Client) shouldRetry(resp *resty.Response, err error) bool {
	if err != nil {
		var rl *connectors.RateLimitError
		if errors.As(err, &rl) || errors.Is(err, connectors.ErrUnauthorized) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		var tl *connectors.TooLargeError
		if IsBlocked(err) || errors.As(err, &tl) {
			return false // the policy will refuse it again
		}
		var ce *connectors.ConfigError
		return !errors.As(err, &ce) // transport errors are worth another try
	}
	if resp == nil {
		return false
	}
	switch resp.StatusCode() {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusUnauthorized:
		// A token can expire or be revoked mid-sync: refresh once, when
		// the authenticator can refresh at all.
		if c.auth != nil && resp.Request.Attempt == 1 {
			return c.auth.Invalidate(resp.Request.Header.Get("Authorization"))
		}
	}
	return false
}

func (c *Client) retryAfter(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	if resp.StatusCode() == http.StatusUnauthorized {
		return time.Millisecond, nil
	}
	d, ok := ParseRetryAfter(resp.Header().Get("Retry-After"), time.Now())
	if !ok {
		return 0, nil // exponential backoff with jitter
	}
	if d > c.maxInlineWait {
		return 0, &connectors.RateLimitError{RetryAfter: d}
	}
	if d <= 0 {
		d = time.Millisecond
	}
	return d, nil
}

// ParseRetryAfter reads a Retry-After value: whole or fractional seconds,
// or an HTTP date.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// GetJSON GETs path with query and decodes a JSON body into out, streaming
// so a large page is never held twice. Errors are classified:
// ErrUnauthorized, *RateLimitError, *StatusError or *MalformedError.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	req := c.r.R().SetContext(ctx).SetDoNotParseResponse(true)
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	resp, err := req.Get(path)
	return c.decode(resp, err, out)
}

// PostJSON POSTs with the given headers (token endpoints) and decodes the
// JSON answer.
func (c *Client) PostJSON(ctx context.Context, path string, header map[string]string, out any) error {
	req := c.r.R().SetContext(ctx).SetDoNotParseResponse(true).SetHeaders(header)
	resp, err := req.Post(path)
	return c.decode(resp, err, out)
}

func (c *Client) decode(resp *resty.Response, err error, out any) error {
	if resp != nil && resp.RawBody() != nil {
		defer resp.RawBody().Close()
	}
	target := ""
	if resp != nil && resp.Request != nil {
		target = RedactURL(resp.Request.URL)
	}
	if err != nil {
		var rl *connectors.RateLimitError
		if errors.As(err, &rl) {
			return rl
		}
		if errors.Is(err, connectors.ErrUnauthorized) {
			return err
		}
		// The policy's own errors say everything; the dial detail around
		// them would only add noise to run reports.
		var be *connectors.BlockedAddressError
		if errors.As(err, &be) {
			return be
		}
		var tl *connectors.TooLargeError
		if errors.As(err, &tl) {
			return tl
		}
		// net/http's *url.Error quotes the full request URL, query string
		// included; show the redacted one instead (keeping the type, which
		// callers inspect).
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = target
		}
		return fmt.Errorf("request to %s: %w", target, err)
	}
	switch st := resp.StatusCode(); {
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		return fmt.Errorf("%w (HTTP %d from %s)", connectors.ErrUnauthorized, st, target)
	case st == http.StatusTooManyRequests:
		d, ok := ParseRetryAfter(resp.Header().Get("Retry-After"), time.Now())
		if !ok {
			d = time.Minute
		}
		return &connectors.RateLimitError{RetryAfter: d}
	case st < 200 || st > 299:
		return &connectors.StatusError{Status: st, URL: target}
	}
	// The body is capped by the Transport while it is read: a response
	// past the cap fails here with a *TooLargeError, undecoded.
	dec := json.NewDecoder(resp.RawBody())
	var tl *connectors.TooLargeError
	if err := dec.Decode(out); err != nil {
		if errors.As(err, &tl) {
			return tl
		}
		return &connectors.MalformedError{URL: target, Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		if errors.As(err, &tl) {
			return tl
		}
		return &connectors.MalformedError{URL: target, Err: errors.New("trailing data after the JSON document")}
	}
	return nil
}

// RedactURL drops the query string, user info and fragment: vendors
// sometimes take keys there, and errors end up in logs and run reports.
// Every connector quotes URLs in errors through it.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the vendor API"
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String()
}

// limited bounds requests in flight; a slot is held until the body is closed
// so streaming decodes count too.
type limited struct {
	next  http.RoundTripper
	slots chan struct{}
	// waiting, set only by tests (a test signal, as River's), is told
	// when a request finds every slot taken, so a test can wait for the
	// bound to hold requests back instead of sleeping and hoping.
	waiting func()
}

func (l *limited) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		if l.waiting != nil {
			l.waiting()
		}
		select {
		case l.slots <- struct{}{}:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	resp, err := l.next.RoundTrip(req)
	if err != nil {
		<-l.slots
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { <-l.slots }}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

// IsNotFound reports an HTTP 404 from GetJSON or PostJSON: the vendor no
// longer knows the resource (or, for a versioned path, the version).
func IsNotFound(err error) bool {
	var se *connectors.StatusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}
