package servicenow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// send writes body as JSON with method to path through the shared client
// (vendorhttp: egress guard, a 401 retried once with a fresh token,
// per-request backoff honouring Retry-After; PATCH retried after a 5xx as
// it is idempotent, POST only when throttled, as it may have created the
// record) and decodes the answer into out (when not nil). The answers a
// push acts on are classified: 4xx → *PushRefusedError with ServiceNow's
// message (a 403 also naming what was refused), 429 beyond the inline
// bound → *RateLimitError, 5xx → *StatusError (retried by the job).
func (s *source) send(ctx context.Context, method, path string, query url.Values, body, out any) error {
	_, err := s.client.Do(ctx, vendorhttp.Call{Method: method, Path: path, Query: query, Body: body}, out)
	return refused(method, s.errBase+path, err)
}

// refused turns the answers retrying cannot fix into a
// *connectors.PushRefusedError carrying ServiceNow's words.
func refused(method, shown string, err error) error {
	var fe *connectors.ForbiddenError
	if errors.As(err, &fe) {
		return &connectors.PushRefusedError{Status: http.StatusForbidden, URL: method + " " + shown, Message: fe.Error()}
	}
	var se *connectors.StatusError
	if errors.As(err, &se) && se.Status >= 400 && se.Status <= 499 && se.Status != http.StatusTooManyRequests {
		msg := se.Message
		if msg == "" {
			msg = http.StatusText(se.Status)
		}
		return &connectors.PushRefusedError{Status: se.Status, URL: method + " " + shown, Message: msg}
	}
	return err
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
