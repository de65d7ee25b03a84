package httpapi

// Static-secret guards: the operator token of the job dashboard and the
// optional bearer token of /metrics. Neither belongs to an organization.

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/itam-dev/itam/internal/httplog"
	"github.com/itam-dev/itam/internal/itam"
)

// dashboardCookie carries the operator token for the job dashboard, which a
// browser opens by navigation and so cannot send an Authorization header.
const dashboardCookie = "itam_riverui_token"

// sameSecret compares in constant time; hashing first keeps the time
// independent of the lengths too.
func sameSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// presented returns the bearer token of r, or "" when there is none.
func presented(r *http.Request) string {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// requireOperator lets through only requests carrying the operator token,
// in an Authorization header or the cookie /riverui/login sets. Anything
// else presented, a tenant's ADMIN JWT included, is refused with 403: the
// dashboard lists, cancels and pauses every organization's jobs.
func requireOperator(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := presented(r)
		if got == "" {
			if c, err := r.Cookie(dashboardCookie); err == nil {
				got = c.Value
			}
		}
		switch {
		case got == "":
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeCodeError(w, http.StatusUnauthorized, itam.CodeUnauthenticated, "the job dashboard needs the operator token (ITAM_OPERATOR_TOKEN)")
		case !sameSecret(got, token):
			writeCodeError(w, http.StatusForbidden, itam.CodeForbidden, "the job dashboard is for the operator token only (ITAM_OPERATOR_TOKEN); organization tokens cannot open it")
		default:
			httplog.SetAttrs(r.Context(), slog.String("role", "OPERATOR"))
			next.ServeHTTP(w, r)
		}
	})
}

// handleDashboardLogin checks the operator token given as ?token= and keeps
// it in an HttpOnly cookie scoped to /riverui, then opens the dashboard.
func handleDashboardLogin(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.URL.Query().Get("token")
		switch {
		case got == "":
			http.Error(w, "the operator token is required: /riverui/login?token=<ITAM_OPERATOR_TOKEN>", http.StatusUnauthorized)
			return
		case !sameSecret(got, token):
			http.Error(w, "not the operator token; organization tokens cannot open the job dashboard", http.StatusForbidden)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: dashboardCookie, Value: got, Path: "/riverui", HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: 8 * 3600})
		http.Redirect(w, r, "/riverui/", http.StatusSeeOther)
	})
}

// requireBearer guards next with a static bearer token; an empty token
// leaves it open.
func requireBearer(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !sameSecret(presented(r), token) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "a bearer token (ITAM_METRICS_TOKEN) is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeCodeError(w http.ResponseWriter, status int, code itam.Code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []any{map[string]any{
		"message": msg, "extensions": map[string]any{"code": string(code)}}}})
}
