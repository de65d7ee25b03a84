package freshservice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// maxWriteAttempts bounds the 429s one write waits out in place; the push
// job retries beyond that with its own backoff.
const maxWriteAttempts = 4

// send writes body as JSON with method (PUT, POST) and decodes a 2xx answer
// into out. vendorhttp has no write method, so writes go through the same
// guarded transport (egress policy, response cap) with their own error
// classification, since a push needs the vendor's words:
//   - 400/403/404/409/422: *connectors.PushRefusedError with the vendor's
//     message (validation or permission: retrying cannot help);
//   - 401: connectors.ErrUnauthorized;
//   - 429: waited out in place when Retry-After is short, else
//     *connectors.RateLimitError; 5xx: *connectors.StatusError (retried by
//     the job). A POST is not retried after a 5xx: it may have been applied.
func (s *Source) send(ctx context.Context, method, path string, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	target := vendorhttp.RedactURL(s.base + path)
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, s.base+path, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", s.auth)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "itam/1 (+https://github.com/itam-dev/itam)")
		resp, err := s.http.Do(req)
		if err != nil {
			var be *connectors.BlockedAddressError
			if errors.As(err, &be) {
				return be
			}
			// net/http's *url.Error quotes the full URL; say the redacted one.
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
			return fmt.Errorf("%s %s: %w", method, target, err)
		}
		st := resp.StatusCode
		if st == http.StatusTooManyRequests {
			_ = resp.Body.Close()
			d, ok := vendorhttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !ok {
				d = time.Second << (attempt - 1)
			}
			if d > s.maxInlineWait || attempt >= maxWriteAttempts {
				return &connectors.RateLimitError{RetryAfter: max(d, time.Second)}
			}
			if err := sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		defer resp.Body.Close()
		switch {
		case st >= 200 && st <= 299:
			if out == nil {
				return nil
			}
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				return &connectors.MalformedError{URL: target, Err: err}
			}
			return nil
		case st == http.StatusUnauthorized:
			return fmt.Errorf("%w (HTTP 401 from %s)", connectors.ErrUnauthorized, target)
		case st == http.StatusBadRequest || st == http.StatusForbidden || st == http.StatusNotFound ||
			st == http.StatusConflict || st == http.StatusUnprocessableEntity:
			return &connectors.PushRefusedError{Status: st, URL: method + " " + target, Message: vendorMessage(resp.Body, st)}
		default:
			return &connectors.StatusError{Status: st, URL: target}
		}
	}
}

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

// vendorMessage extracts Freshservice's own words from an error body,
// bounded: {"message"} or {"description", "errors": [{field, message}]}.
func vendorMessage(body io.Reader, status int) string {
	b, _ := io.ReadAll(io.LimitReader(body, 16<<10))
	var e apiError
	if json.Unmarshal(b, &e) == nil {
		var parts []string
		if e.Message != "" {
			parts = append(parts, e.Message)
		} else if e.Description != "" {
			parts = append(parts, e.Description)
		}
		for _, fe := range e.Errors {
			switch {
			case fe.Field != "" && fe.Message != "":
				parts = append(parts, fe.Field+": "+fe.Message)
			case fe.Message != "":
				parts = append(parts, fe.Message)
			}
		}
		if len(parts) > 0 {
			return bound(strings.Join(parts, "; "))
		}
	}
	if t := strings.TrimSpace(string(b)); t != "" && !strings.HasPrefix(t, "<") {
		return bound(t)
	}
	return http.StatusText(status)
}

func bound(s string) string {
	const maxLen = 500
	if len(s) > maxLen {
		return s[:maxLen] + "…"
	}
	return s
}
