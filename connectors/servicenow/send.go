package servicenow

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
	"time"

	"golang.org/x/oauth2"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// sendAttempts bounds the tries of one write: the first, one after a token
// refresh, and the rest after 429s.
const sendAttempts = 5

// send writes body as JSON with method to path and decodes the answer into
// out (when not nil). vendorhttp reads but does not write, so writes go
// through the same guarded transport and authenticator here: a 401 is
// retried once with a fresh token, a 429 waits out Retry-After (or backs
// off with jitter) up to the inline bound, and the answers a push acts on
// are classified: 4xx → *PushRefusedError with ServiceNow's message, 429
// beyond the bound → *RateLimitError, 5xx → *StatusError (retried by the
// job). A 429 means the write was not processed, so even a POST is safe to
// repeat.
func (s *source) send(ctx context.Context, method, path string, query url.Values, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	target := s.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	shown := method + " " + s.errBase + path
	refreshed := false
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		authz, err := s.auth.Authorization(ctx)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", authz)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "itam/1 (+https://github.com/itam-dev/itam)")
		resp, err := s.http.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				ue.URL = s.errBase + path
			}
			return fmt.Errorf("%s: %w", shown, err)
		}
		st := resp.StatusCode
		switch {
		case st >= 200 && st <= 299:
			defer resp.Body.Close()
			if out == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				return nil
			}
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				return &connectors.MalformedError{URL: s.errBase + path, Err: err}
			}
			return nil
		case st == http.StatusUnauthorized:
			drain(resp)
			if !refreshed && s.auth.Invalidate(authz) {
				refreshed = true
				continue
			}
			return fmt.Errorf("%w (HTTP 401 from %s)", connectors.ErrUnauthorized, shown)
		case st == http.StatusTooManyRequests:
			d, ok := vendorhttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			drain(resp)
			if !ok {
				// Exponential with full jitter, from 250ms.
				d = time.Duration(rand.Int64N(int64(250*time.Millisecond) << attempt))
			}
			if d > s.maxWait || attempt+1 >= sendAttempts {
				return &connectors.RateLimitError{RetryAfter: max(d, time.Second)}
			}
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		case st >= 400 && st <= 499:
			var eb errorBody
			_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&eb)
			drain(resp)
			msg := eb.text()
			if msg == "" {
				msg = http.StatusText(st)
			}
			return &connectors.PushRefusedError{Status: st, URL: shown, Message: msg}
		default:
			drain(resp)
			return &connectors.StatusError{Status: st, URL: shown}
		}
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// fetchToken asks /oauth_token.do for a token with form (the grant and
// its credentials; ServiceNow refuses JSON there). A refusal is
// ErrUnauthorized with ServiceNow's error code, never the credentials.
func (s *source) fetchToken(ctx context.Context, tokenURL string, form url.Values) (*oauth2.Token, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = vendorhttp.RedactURL(tokenURL)
		}
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   float64 `json:"expires_in"`
		Error       string  `json:"error"`
		Description string  `json:"error_description"`
	}
	decErr := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
	switch st := resp.StatusCode; {
	case st == http.StatusBadRequest || st == http.StatusUnauthorized || st == http.StatusForbidden:
		why := strings.TrimSpace(body.Description)
		if why == "" {
			why = strings.TrimSpace(body.Error)
		}
		return nil, fmt.Errorf("%w: %s answered HTTP %d (%s)", connectors.ErrUnauthorized, vendorhttp.RedactURL(tokenURL), st, why)
	case st == http.StatusTooManyRequests:
		d, ok := vendorhttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok {
			d = time.Minute
		}
		return nil, &connectors.RateLimitError{RetryAfter: d}
	case st < 200 || st > 299:
		return nil, &connectors.StatusError{Status: st, URL: vendorhttp.RedactURL(tokenURL)}
	}
	if decErr != nil || body.AccessToken == "" {
		return nil, &connectors.MalformedError{URL: vendorhttp.RedactURL(tokenURL), Err: errors.New("no access_token in the answer")}
	}
	tok := &oauth2.Token{AccessToken: body.AccessToken, TokenType: body.TokenType}
	if body.ExpiresIn > 0 {
		tok.Expiry = s.now().Add(time.Duration(body.ExpiresIn * float64(time.Second)))
	}
	return tok, nil
}
