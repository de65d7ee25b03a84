package servicenow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
// its credentials; ServiceNow refuses JSON there) through the shared
// client without authentication (egress guard, retries: a token request
// changes nothing). A refusal is ErrUnauthorized with ServiceNow's
// error_description, never the credentials.
func (s *source) fetchToken(ctx context.Context, tokenURL string, form url.Values) (*oauth2.Token, error) {
	var body struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	shown := vendorhttp.RedactURL(tokenURL)
	_, err := s.tokenClient.Do(ctx, vendorhttp.Call{Method: http.MethodPost, Path: tokenURL, Form: form, Safe: true}, &body)
	var fe *connectors.ForbiddenError
	var se *connectors.StatusError
	switch {
	case errors.As(err, &fe):
		return nil, fmt.Errorf("%w: %s answered HTTP 403 (%s)", connectors.ErrUnauthorized, shown, fe.Message)
	case errors.As(err, &se) && se.Status == http.StatusBadRequest:
		return nil, fmt.Errorf("%w: %s answered HTTP 400 (%s)", connectors.ErrUnauthorized, shown, se.Message)
	case err != nil:
		return nil, err
	case body.AccessToken == "":
		return nil, &connectors.MalformedError{URL: shown, Err: errors.New("no access_token in the answer")}
	}
	tok := &oauth2.Token{AccessToken: body.AccessToken, TokenType: body.TokenType}
	if body.ExpiresIn > 0 {
		tok.Expiry = s.now().Add(time.Duration(body.ExpiresIn * float64(time.Second)))
	}
	return tok, nil
}
