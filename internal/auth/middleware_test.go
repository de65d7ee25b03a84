package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/itam"
)

func TestMiddleware(t *testing.T) {
	v, err := auth.NewVerifier(t.Context(), auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	acme := uuid.New()
	resolve := func(ctx context.Context, org string) (uuid.UUID, error) {
		switch org {
		case "acme":
			return acme, nil
		case testOrg.String():
			return testOrg, nil
		case "db-down":
			return uuid.Nil, errors.New("connection refused")
		}
		return uuid.Nil, itam.NotFound("organization")
	}
	good := sign(t, jwt.SigningMethodHS256, testSecret, "", claims(set("role", "EMPLOYEE")))
	tok := func(edits ...func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodHS256, testSecret, "", claims(edits...))
	}

	tests := []struct {
		name          string
		headers       []string // Authorization values
		wantPrincipal *itam.Principal
		wantMsg       string    // UNAUTHENTICATED message passed to onError
		wantCode      itam.Code // other code passed to onError
		wantChallenge string
	}{
		{name: "valid", headers: []string{"Bearer " + good},
			wantPrincipal: &itam.Principal{Subject: "ada@example.com", OrgID: testOrg, Role: itam.RoleEmployee}},
		{name: "lower-case scheme", headers: []string{"bearer " + good},
			wantPrincipal: &itam.Principal{Subject: "ada@example.com", OrgID: testOrg, Role: itam.RoleEmployee}},
		{name: "odd-case scheme and extra spaces", headers: []string{"  bEaReR    " + good + "  "},
			wantPrincipal: &itam.Principal{Subject: "ada@example.com", OrgID: testOrg, Role: itam.RoleEmployee}},
		{name: "slug resolved", headers: []string{"Bearer " + tok(set("org", "acme"))},
			wantPrincipal: &itam.Principal{Subject: "ada@example.com", OrgID: acme, Role: itam.RoleManager}},
		{name: "no header", wantMsg: "missing bearer token", wantChallenge: "Bearer"},
		{name: "empty header", headers: []string{""}, wantMsg: "missing bearer token", wantChallenge: "Bearer"},
		{name: "scheme only", headers: []string{"Bearer"}, wantMsg: "missing bearer token", wantChallenge: "Bearer"},
		{name: "scheme and blanks", headers: []string{"Bearer   "}, wantMsg: "missing bearer token", wantChallenge: "Bearer"},
		{name: "basic auth", headers: []string{"Basic dXNlcjpwYXNz"}, wantMsg: "authorization scheme must be Bearer", wantChallenge: "Bearer"},
		{name: "token without scheme", headers: []string{good}, wantMsg: "authorization scheme must be Bearer", wantChallenge: "Bearer"},
		{name: "two headers", headers: []string{"Bearer " + good, "Bearer " + good}, wantMsg: "multiple Authorization headers", wantChallenge: "Bearer"},
		{name: "garbage token", headers: []string{"Bearer garbage"}, wantMsg: "malformed token", wantChallenge: `Bearer error="invalid_token"`},
		{name: "expired token", headers: []string{"Bearer " + tok(set("exp", int64(1)))}, wantMsg: "token has expired", wantChallenge: `Bearer error="invalid_token"`},
		{name: "unknown slug", headers: []string{"Bearer " + tok(set("org", "nope"))}, wantMsg: "unknown organization", wantChallenge: `Bearer error="invalid_token"`},
		{name: "resolver outage is not a 401", headers: []string{"Bearer " + tok(set("org", "db-down"))}, wantCode: itam.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				reached  bool
				gotP     itam.Principal
				gotErr   error
				errCalls int
			)
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				p, err := itam.RequirePrincipal(r.Context())
				require.NoError(t, err)
				gotP = p
				w.WriteHeader(http.StatusNoContent)
			})
			onError := func(w http.ResponseWriter, r *http.Request, err error) {
				errCalls++
				gotErr = err
				w.WriteHeader(http.StatusUnauthorized)
			}
			h := auth.Middleware(v, resolve, onError)(next)

			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			for _, hv := range tt.headers {
				req.Header.Add("Authorization", hv)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if tt.wantPrincipal != nil {
				require.True(t, reached)
				require.Zero(t, errCalls)
				require.Equal(t, *tt.wantPrincipal, gotP)
				require.Equal(t, http.StatusNoContent, rec.Code)
				require.Empty(t, rec.Header().Get("WWW-Authenticate"))
				return
			}
			require.False(t, reached, "handler must not run")
			require.Equal(t, 1, errCalls)
			if tt.wantMsg != "" {
				requireUnauthenticated(t, gotErr, tt.wantMsg)
			} else {
				require.Equal(t, tt.wantCode, itam.ErrorCode(gotErr))
			}
			require.Equal(t, tt.wantChallenge, rec.Header().Get("WWW-Authenticate"))
		})
	}
}

func TestMiddlewareDefaultOnError(t *testing.T) {
	v, err := auth.NewVerifier(t.Context(), auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	failing := func(_ context.Context, org string) (uuid.UUID, error) {
		if org == testOrg.String() {
			return testOrg, nil
		}
		return uuid.Nil, errors.New("secret database detail")
	}
	srv := httptest.NewServer(auth.Middleware(v, failing, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})))
	t.Cleanup(srv.Close)

	get := func(authz string) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}

	code, body := get("")
	require.Equal(t, http.StatusUnauthorized, code)
	require.Contains(t, body, "missing bearer token")

	code, body = get("Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims()))
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok", body)

	code, body = get("Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(set("org", "acme"))))
	require.Equal(t, http.StatusInternalServerError, code)
	require.NotContains(t, body, "secret database detail")
}

func TestMiddlewareNeedsVerifier(t *testing.T) {
	require.Panics(t, func() { auth.Middleware(nil, nil, nil) })
}

func TestBearerToken(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "BEARER abc.def.ghi")
	tok, err := auth.BearerToken(req)
	require.NoError(t, err)
	require.Equal(t, "abc.def.ghi", tok)
}
