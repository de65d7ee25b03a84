package jsm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// apiClient sends Atlassian requests. vendorhttp.Client has no method that
// sends a body, and the Assets API reads with POST (object/aql) and writes
// with PUT/POST, so this small sender stands in for it: it rides on
// vendorhttp's guarded Transport (egress policy, response cap), reads
// Retry-After with vendorhttp.ParseRetryAfter and quotes URLs through
// vendorhttp.RedactURL. Everything vendor-specific (error bodies, 403 →
// ForbiddenError, refusals → PushRefusedError) is decided by the callers.
type apiClient struct {
	http          *http.Client
	auth          string // "Basic base64(email:apiToken)"; never logged
	slots         chan struct{}
	maxInlineWait time.Duration
	retries       int
	baseWait      time.Duration
}

// retryMode says which failures a request may be sent again after.
type retryMode int

const (
	// retrySafe: reads and idempotent writes (GET, AQL POST, PUT) are
	// retried on 429, 502/503/504 and transport errors.
	retrySafe retryMode = iota
	// retryThrottled: creations are retried only on 429, which Atlassian
	// answers before doing anything; a 5xx may have created the record.
	retryThrottled
)

// apiError is a non-2xx answer: the status, what was asked and the
// vendor's own message (never the request's credentials).
type apiError struct {
	Status   int
	Method   string
	URL      string
	Message  string
	Retry    time.Duration
	hasRetry bool
}

// Unwrap lets callers that know only the shared errors (the connection
// test, the sync worker) see a *connectors.StatusError.
func (e *apiError) Unwrap() error { return &connectors.StatusError{Status: e.Status, URL: e.URL} }

func (e *apiError) Error() string {
	s := fmt.Sprintf("%s %s answered HTTP %d", e.Method, e.URL, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// do sends method to rawURL with query and a JSON body (nil for none) and
// decodes a 2xx JSON answer into out (nil to discard). Failures are
// classified: ErrUnauthorized (401), *connectors.ForbiddenError (403),
// *connectors.RateLimitError (429 beyond the inline wait or the retries),
// *apiError for other statuses (callers turn 4xx refusals of writes into
// PushRefusedError), *connectors.MalformedError for unreadable bodies.
func (c *apiClient) do(ctx context.Context, method, rawURL string, query url.Values, body any, mode retryMode, out any) error {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request: %w", err)
		}
		payload = b
	}
	if len(query) > 0 {
		rawURL += "?" + query.Encode()
	}
	target := vendorhttp.RedactURL(rawURL)
	var last error
	for attempt := 0; attempt <= c.retries; attempt++ {
		if attempt > 0 {
			wait := c.backoff(attempt)
			var ae *apiError
			if errors.As(last, &ae) && ae.hasRetry {
				wait = ae.Retry
			}
			if wait > c.maxInlineWait {
				return &connectors.RateLimitError{RetryAfter: wait}
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		err := c.once(ctx, method, rawURL, target, payload, out)
		if err == nil {
			return nil
		}
		last = err
		if !c.retryable(err, mode) {
			break
		}
	}
	return classify(last)
}

func (c *apiClient) retryable(err error, mode retryMode) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusTooManyRequests:
			return true
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return mode == retrySafe
		}
		return false
	}
	var tl *connectors.TooLargeError
	var me *connectors.MalformedError
	if errors.As(err, &tl) || errors.As(err, &me) || vendorhttp.IsBlocked(err) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return mode == retrySafe // a transport error
}

// backoff is exponential from baseWait with full jitter.
func (c *apiClient) backoff(attempt int) time.Duration {
	d := c.baseWait << (attempt - 1)
	if d <= 0 || d > time.Minute {
		d = time.Minute
	}
	return d/2 + rand.N(d/2+1)
}

func (c *apiClient) once(ctx context.Context, method, rawURL, target string, payload []byte, out any) error {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.slots }()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return fmt.Errorf("building the request to %s: %w", target, err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "itam/1 (+https://github.com/itam-dev/itam)")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var be *connectors.BlockedAddressError
		var tl *connectors.TooLargeError
		switch {
		case errors.As(err, &be):
			return be
		case errors.As(err, &tl):
			return tl
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = target // the full URL may carry a query
		}
		return fmt.Errorf("request to %s: %w", target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A small read: enough for Atlassian's error bodies.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		ae := &apiError{Status: resp.StatusCode, Method: method, URL: target, Message: vendorMessage(b)}
		ae.Retry, ae.hasRetry = vendorhttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return ae
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	if err := dec.Decode(out); err != nil {
		var tl *connectors.TooLargeError
		if errors.As(err, &tl) {
			return tl
		}
		return &connectors.MalformedError{URL: target, Err: err}
	}
	return nil
}

// classify turns the last failure into what the sync engine acts on.
func classify(err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Status {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w (HTTP 401 from %s)", connectors.ErrUnauthorized, ae.URL)
	case http.StatusForbidden:
		return &connectors.ForbiddenError{Endpoint: ae.Method + " " + pathOf(ae.URL), Privilege: privilege(ae.URL), Message: ae.Message}
	case http.StatusTooManyRequests:
		d := ae.Retry
		if !ae.hasRetry {
			d = time.Minute
		}
		return &connectors.RateLimitError{RetryAfter: d}
	}
	return ae
}

// refused turns a write's 4xx answer into a *connectors.PushRefusedError
// (retrying cannot fix it); anything else is returned as is (retried).
func refused(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests && ae.Status != http.StatusUnauthorized {
		return &connectors.PushRefusedError{Status: ae.Status, URL: ae.URL, Message: ae.Message}
	}
	var fe *connectors.ForbiddenError
	if errors.As(err, &fe) {
		return &connectors.PushRefusedError{Status: http.StatusForbidden, URL: fe.Endpoint, Message: fe.Error()}
	}
	return err
}

// isNotFound reports a 404.
func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}

// privilege names what Atlassian requires for an endpoint, so a 403 says
// what to grant: an Assets schema role (Object Schema Viewers read,
// Object Schema Users create and edit objects), access to the service
// project for requests, the Browse users and groups global permission
// for Jira's user lookups.
func privilege(raw string) string {
	p := pathOf(raw)
	switch {
	case strings.Contains(p, "/object/") && !strings.Contains(p, "/object/aql"):
		return "the Object Schema Users role in the Assets object schema"
	case strings.Contains(p, "/jsm/assets/"):
		return "the Object Schema Viewers role in the Assets object schema"
	case strings.Contains(p, "/servicedeskapi/request"):
		return "access to the service project (customer or agent)"
	case strings.Contains(p, "/rest/api/3/user"):
		return "Browse users and groups (global permission)"
	}
	return ""
}

// vendorMessage reads the message out of Atlassian's error bodies:
// Jira {"errorMessages": [...], "errors": {field: msg}}, JSM
// {"errorMessage": "..."}, the gateway {"message": "...", "status-code":
// 401} or {"code": 401, "message": "..."}; else the text itself, short.
func vendorMessage(b []byte) string {
	var body struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
		ErrorMessage  string            `json:"errorMessage"`
		Message       string            `json:"message"`
	}
	if json.Unmarshal(b, &body) == nil {
		var parts []string
		parts = append(parts, body.ErrorMessages...)
		for _, k := range slices.Sorted(maps.Keys(body.Errors)) {
			parts = append(parts, k+": "+body.Errors[k])
		}
		for _, s := range []string{body.ErrorMessage, body.Message} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
