package jamf

import (
	"context"
	"encoding/base64"
	"errors"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// Token endpoints, relative to the instance URL (Config.AuthURL, else
// Config.BaseURL).
const (
	// oauthTokenPath is the API client (OAuth 2.0 client credentials)
	// token endpoint: a form post of grant_type=client_credentials,
	// client_id and client_secret answered by {"access_token", "scope",
	// "token_type", "expires_in"} (Jamf Pro 10.49+).
	oauthTokenPath = "/api/oauth/token"
	// basicTokenPath trades a user account's HTTP Basic credentials for a
	// bearer token: {"token": "...", "expires": "2020-04-21T21:09:31.626Z"}.
	basicTokenPath = "/api/v1/auth/token"
)

const (
	// cacheEarly is the TokenCache's Early.
	cacheEarly = time.Minute
	// fallbackBasicLifetime is assumed when a basic-auth token answer has
	// no readable expiry (Jamf's user tokens last 20 to 30 minutes).
	fallbackBasicLifetime = 10 * time.Minute
	// minBasicLifetime keeps a token whose expiry is already past (clock
	// skew) from being fetched again for every request.
	minBasicLifetime = 5 * time.Second
)

// newAuthenticator builds the token cache for the configured credentials:
// an API client (clientId + clientSecret, preferred when both are given)
// or a user account (username + password). now is the clock token
// lifetimes are measured on (time.Now but in tests).
func newAuthenticator(cfg connectors.Config, authBase string, transport *vendorhttp.Transport, now func() time.Time) (*vendorhttp.TokenCache, error) {
	creds := cfg.Credentials
	var fetch func(context.Context) (*oauth2.Token, error)
	switch {
	case creds[CredClientID] != "" || creds[CredClientSecret] != "":
		id, err := cfg.Credential(CredClientID)
		if err != nil {
			return nil, err
		}
		secret, err := cfg.Credential(CredClientSecret)
		if err != nil {
			return nil, err
		}
		cc := &clientcredentials.Config{
			ClientID:     id,
			ClientSecret: secret,
			TokenURL:     authBase + oauthTokenPath,
			// Jamf documents client_id and client_secret as form fields.
			AuthStyle: oauth2.AuthStyleInParams,
		}
		fetch = vendorhttp.ClientCredentials(cc, transport, 60*time.Second, now)
	case creds[CredUsername] != "" || creds[CredPassword] != "":
		user, err := cfg.Credential(CredUsername)
		if err != nil {
			return nil, err
		}
		pass, err := cfg.Credential(CredPassword)
		if err != nil {
			return nil, err
		}
		fetch = basicTokenFetcher(authBase, transport, user, pass, now)
	default:
		return nil, &connectors.ConfigError{
			Field:   "credentials",
			Message: "Jamf Pro needs an API client (clientId and clientSecret) or a user account (username and password)",
		}
	}
	return &vendorhttp.TokenCache{Fetch: withRefreshMargin(fetch, now), Early: cacheEarly, Now: now}, nil
}

// basicTokenFetcher posts HTTP Basic credentials to /api/v1/auth/token. It
// goes through its own vendorhttp client (no bearer auth, same transport),
// so a 429/503 there is retried and a 401 is ErrUnauthorized.
func basicTokenFetcher(authBase string, transport *vendorhttp.Transport, user, pass string, clock func() time.Time) func(context.Context) (*oauth2.Token, error) {
	c := vendorhttp.New(vendorhttp.Options{BaseURL: authBase, Transport: transport, MaxConcurrency: 1})
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	return func(ctx context.Context) (*oauth2.Token, error) {
		var out struct {
			Token   string `json:"token"`
			Expires string `json:"expires"`
		}
		if err := c.PostJSON(ctx, basicTokenPath, map[string]string{"Authorization": basic}, &out); err != nil {
			return nil, err
		}
		if out.Token == "" {
			return nil, &connectors.MalformedError{URL: authBase + basicTokenPath, Err: errors.New("no token in the answer")}
		}
		now := clock()
		expiry := now.Add(fallbackBasicLifetime)
		if t := parseTime(out.Expires); t != nil {
			expiry = *t
		}
		if expiry.Sub(now) < minBasicLifetime {
			expiry = now.Add(minBasicLifetime)
		}
		return &oauth2.Token{AccessToken: out.Token, TokenType: "Bearer", Expiry: expiry}, nil
	}
}

// withRefreshMargin makes the TokenCache replace a token a quarter of its
// lifetime (at most cacheEarly) before it expires. The cache replaces a
// token cacheEarly before its Expiry; a Jamf API client's tokens can live
// as little as a minute (the documented expires_in example is 60), and a
// fixed minute of margin would then fetch a token for every request. So
// the cached Expiry is shifted: the cache's refresh point lands `margin`
// before the real expiry.
func withRefreshMargin(fetch func(context.Context) (*oauth2.Token, error), now func() time.Time) func(context.Context) (*oauth2.Token, error) {
	return func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := fetch(ctx)
		if err != nil || tok == nil || tok.Expiry.IsZero() {
			return tok, err
		}
		life := tok.Expiry.Sub(now())
		margin := min(cacheEarly, life/4)
		if margin < 0 {
			margin = 0
		}
		tok.Expiry = tok.Expiry.Add(cacheEarly - margin)
		return tok, nil
	}
}
