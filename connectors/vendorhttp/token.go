package vendorhttp

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/itam-dev/itam/connectors"
)

// TokenCache holds a bearer token, fetches one when there is none or it is
// about to expire (Early before its expiry, so a long page request never
// starts with a token that dies mid-flight), and drops it when the vendor
// refuses it.
type TokenCache struct {
	// Fetch gets a fresh token, e.g. clientcredentials.Config.Token.
	Fetch func(ctx context.Context) (*oauth2.Token, error)
	// Early is how long before expiry a token is replaced (default 60s).
	Early time.Duration
	// Now is the clock expiry is judged by (default time.Now); tests set
	// one they advance by hand.
	Now func() time.Time

	mu  sync.Mutex
	tok *oauth2.Token
	// Fetches counts token requests, for tests and run reports.
	Fetches int
}

// Authorization returns "Bearer <token>", fetching a token when needed.
func (t *TokenCache) Authorization(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	early := t.Early
	if early == 0 {
		early = time.Minute
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	if t.tok == nil || t.tok.AccessToken == "" || (!t.tok.Expiry.IsZero() && t.tok.Expiry.Sub(now()) < early) {
		tok, err := t.Fetch(ctx)
		t.Fetches++
		if err != nil {
			return "", classifyTokenError(err)
		}
		t.tok = tok
	}
	return "Bearer " + t.tok.AccessToken, nil
}

// Invalidate forgets the cached token if it is the refused one (the
// Authorization value the vendor refused), so requests refused together
// fetch one fresh token, not one each. It reports true: the next request
// gets a fresh token, fetched now or already by another request.
func (t *TokenCache) Invalidate(refused string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && (refused == "" || refused == "Bearer "+t.tok.AccessToken) {
		t.tok = nil
	}
	return true
}

// ClientCredentials is a TokenCache Fetch for an OAuth 2.0 client
// credentials grant whose token requests go through t (the egress guard):
// without the oauth2.HTTPClient context key oauth2 would use
// http.DefaultClient, outside the guard. When now is set, a token's
// expires_in is dated on it instead of oauth2's time.Now, so tests can
// drive expiry with their own clock.
func ClientCredentials(cc *clientcredentials.Config, t *Transport, timeout time.Duration, now func() time.Time) func(context.Context) (*oauth2.Token, error) {
	httpClient := t.Client(timeout)
	return func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, httpClient))
		if err == nil && now != nil {
			if secs, ok := expiresIn(tok); ok {
				tok.Expiry = now().Add(time.Duration(secs * float64(time.Second)))
			}
		}
		return tok, err
	}
}

// expiresIn reads the answer's expires_in (a number; some servers send a
// string), which clientcredentials keeps only among the extras.
func expiresIn(tok *oauth2.Token) (float64, bool) {
	var secs float64
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		secs = v
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		secs = f
	}
	return secs, secs > 0
}

// classifyTokenError turns a refused token request into ErrUnauthorized so
// the run fails with a clear message instead of retrying bad credentials.
func classifyTokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%w: token endpoint answered HTTP %d (%s)", connectors.ErrUnauthorized, re.Response.StatusCode, re.ErrorCode)
		}
	}
	if errors.Is(err, connectors.ErrUnauthorized) {
		return err
	}
	return fmt.Errorf("fetching an access token: %w", err)
}

// StaticToken authenticates with a fixed API token (Kandji, Fleet). A 401
// cannot be fixed by refreshing it, so a refused request is not retried.
type StaticToken string

// Authorization returns "Bearer <token>".
func (s StaticToken) Authorization(context.Context) (string, error) {
	return "Bearer " + string(s), nil
}

// Invalidate reports false: a static token cannot be refreshed.
func (StaticToken) Invalidate(string) bool { return false }

// BasicAuth authenticates with HTTP basic credentials (ServiceNow's user and
// password, JSM's account email and API token, Freshservice's API key as
// the user). Like a static token it cannot be refreshed: a refused request
// is not retried.
type BasicAuth struct{ User, Password string }

// Authorization returns "Basic base64(user:password)".
func (b BasicAuth) Authorization(context.Context) (string, error) {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(b.User+":"+b.Password)), nil
}

// Invalidate reports false: basic credentials cannot be refreshed.
func (BasicAuth) Invalidate(string) bool { return false }
