// Package vendorhttp is the HTTP client every connector shares: base URL and
// timeouts, bearer authentication with one refresh on 401 when the token
// can be refreshed, per-request retries (retry.go: 429 and 5xx back off on
// their own, exponential with full jitter or as the vendor's Retry-After
// or rate-limit reset header says, so a throttled sub-request never fails
// its page), a bound on requests in flight per connector, and response
// classification into the errors the sync engine acts on (a 403 names the
// endpoint, the privilege and the vendor's message). Vendor packages keep
// only their API's paths, types and mapping.
package vendorhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
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
	// MaxInlineWait is the longest single wait (a vendor's Retry-After or
	// one backoff step) sat out in place (default 30s); a vendor asking for
	// longer gets a *connectors.RateLimitError at once, so the job snoozes.
	MaxInlineWait time.Duration
	// Retries bounds retries of transient failures (5xx, 408, transport
	// errors) after the first attempt (default 4). Throttling (429) is
	// bounded by RetryBudget instead.
	Retries int
	// BaseWait is the first backoff step (default 100ms); step n is at
	// most BaseWait·2ⁿ⁻¹, capped at MaxInlineWait.
	BaseWait time.Duration
	// RetryBudget bounds the total waiting of one request across its
	// retries (default 1 minute); past it a throttled request fails with a
	// *connectors.RateLimitError and the job snoozes.
	RetryBudget time.Duration
	// Timeout bounds one attempt (default 60s).
	Timeout time.Duration
	// PrivilegeFor names the vendor's documented privilege (role, scope,
	// permission) that method and path need, "" when unknown; a 403 then
	// says which one the API account lacks. path is the request URL's path.
	PrivilegeFor func(method, path string) string

	// Clock of the backoff, for tests that assert the schedule without
	// sleeping: Now dates HTTP-date Retry-After values (default time.Now),
	// Sleep waits (default: a timer, cut short by ctx), Jitter draws a
	// wait uniformly from [0, max] (default math/rand/v2).
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func(max time.Duration) time.Duration
}

// Client is a vendor API client.
type Client struct {
	r            *resty.Client
	limit        *limited
	auth         Authenticator
	opt          Options
	privilegeFor func(method, path string) string
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
	if opt.RetryBudget <= 0 {
		opt.RetryBudget = time.Minute
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 60 * time.Second
	}
	if opt.Transport == nil {
		opt.Transport = NewTransport(connectors.Egress{})
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	if opt.Jitter == nil {
		opt.Jitter = func(max time.Duration) time.Duration {
			if max <= 0 {
				return 0
			}
			return rand.N(max + 1)
		}
	}
	c := &Client{auth: opt.Auth, opt: opt, privilegeFor: opt.PrivilegeFor}
	c.limit = &limited{next: opt.Transport, slots: make(chan struct{}, opt.MaxConcurrency)}
	// Retries are the Client's own (retry.go): resty's would retry the
	// whole request only a few times within a second or two.
	r := resty.New().
		SetBaseURL(strings.TrimRight(opt.BaseURL, "/")).
		SetTransport(c.limit).
		SetTimeout(opt.Timeout).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", "itam/1 (+https://github.com/itam-dev/itam)").
		SetRetryCount(0)
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

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// GetJSON GETs path with query and decodes a JSON body into out, streaming
// so a large page is never held twice. Errors are classified:
// ErrUnauthorized, *ForbiddenError, *RateLimitError, *StatusError or
// *MalformedError.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	return c.do(ctx, call{method: http.MethodGet, path: path, query: query, retryTransient: true}, out)
}

// PostJSON POSTs with the given headers (token endpoints) and decodes the
// JSON answer. A token request changes nothing, so it is retried like a GET.
func (c *Client) PostJSON(ctx context.Context, path string, header map[string]string, out any) error {
	return c.do(ctx, call{method: http.MethodPost, path: path, header: header, retryTransient: true}, out)
}

// SendJSON sends in as a JSON body with method (POST, PUT, PATCH) and
// decodes the JSON answer into out (nil: the body is not read). Throttled
// requests (429, 503 with Retry-After) are retried, as the vendor did not
// act on them; other failures of a POST are not (it may have created the
// record), while PUT and PATCH, idempotent, are retried like a GET. A
// refusal is a *StatusError carrying the vendor's message.
func (c *Client) SendJSON(ctx context.Context, method, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encoding the request to %s: %w", path, err)
	}
	return c.do(ctx, call{method: method, path: path, body: b, retryTransient: method != http.MethodPost}, out)
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
	case st == http.StatusUnauthorized:
		return fmt.Errorf("%w (HTTP %d from %s)", connectors.ErrUnauthorized, st, target)
	case st == http.StatusForbidden:
		return c.forbidden(resp)
	case st == http.StatusTooManyRequests:
		d, ok := c.retryHint(resp.Header())
		if !ok {
			d = time.Minute
		}
		return &connectors.RateLimitError{RetryAfter: d}
	case st < 200 || st > 299:
		return &connectors.StatusError{Status: st, URL: target, Message: VendorMessage(resp.RawBody())}
	}
	if out == nil {
		return nil
	}
	// The body is capped by the Transport while it is read: a response
	// past the cap fails here with a *TooLargeError, undecoded. It is read
	// whole into a buffer of its declared length (a page of thousands of
	// devices is megabytes: a decoder's doubling buffer copied it over and
	// over and held up to twice it), then decoded.
	var tl *connectors.TooLargeError
	size := int64(0)
	if raw := resp.RawResponse; raw != nil && raw.ContentLength > 0 && raw.ContentLength <= maxPresize {
		size = raw.ContentLength
	}
	body := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := body.ReadFrom(resp.RawBody()); err != nil {
		if errors.As(err, &tl) {
			return tl
		}
		return &connectors.MalformedError{URL: target, Err: err}
	}
	// Unmarshal refuses trailing data after the document too.
	if err := json.Unmarshal(body.Bytes(), out); err != nil {
		return &connectors.MalformedError{URL: target, Err: err}
	}
	return nil
}

// maxPresize bounds the buffer a declared Content-Length reserves before
// any of the body arrives (the Transport's cap still bounds what is read).
const maxPresize = 256 << 20

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
