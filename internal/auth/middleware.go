package auth

import (
	"net/http"
	"strings"

	"github.com/itam-dev/itam/internal/itam"
)

// BearerToken extracts the token from an "Authorization: Bearer <token>"
// header. The scheme is matched case-insensitively as RFC 7235 requires.
// Failures are UNAUTHENTICATED *itam.Errors.
func BearerToken(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", itam.Unauthenticated(msgMissingToken)
	case 1:
	default:
		// Proxies and servers disagree on which of several headers counts;
		// refusing is the only answer that cannot be played against us.
		return "", itam.Unauthenticated("multiple Authorization headers")
	}
	value := strings.TrimSpace(values[0])
	if value == "" {
		return "", itam.Unauthenticated(msgMissingToken)
	}
	scheme, token, _ := strings.Cut(value, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", itam.Unauthenticated("authorization scheme must be Bearer")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", itam.Unauthenticated(msgMissingToken)
	}
	return token, nil
}

// Middleware authenticates every request: it reads the bearer token,
// resolves it into an itam.Principal with v.Principal and resolve, and
// passes the request on with the principal in its context (see
// itam.WithPrincipal). A request without a token is refused, so handlers
// behind it never have to consider an anonymous caller.
//
// On failure the request stops here and onError renders the response; the
// GraphQL layer uses it to return a GraphQL-shaped 401 body. err is usually
// an UNAUTHENTICATED *itam.Error; it can carry another code when the
// resolver itself failed (e.g. the database is down), which should be a 5xx
// rather than a 401 that makes clients discard a good token. For
// UNAUTHENTICATED errors a WWW-Authenticate header (RFC 6750) is already set
// when onError runs. A nil onError writes a plain-text response.
func Middleware(v *Verifier, resolve OrgResolver, onError func(w http.ResponseWriter, r *http.Request, err error)) func(http.Handler) http.Handler {
	if v == nil {
		panic("auth: Middleware needs a Verifier")
	}
	if onError == nil {
		onError = defaultOnError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, err := BearerToken(r)
			var p itam.Principal
			if err == nil {
				p, err = v.Principal(r.Context(), raw, resolve)
			}
			if err != nil {
				if itam.ErrorCode(err) == itam.CodeUnauthenticated {
					challenge := "Bearer"
					if raw != "" {
						challenge = `Bearer error="invalid_token"`
					}
					w.Header().Set("WWW-Authenticate", challenge)
				}
				onError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(itam.WithPrincipal(r.Context(), p)))
		})
	}
}

func defaultOnError(w http.ResponseWriter, _ *http.Request, err error) {
	if itam.ErrorCode(err) == itam.CodeUnauthenticated {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	// Never echo internal errors to an unauthenticated caller.
	http.Error(w, "internal error", http.StatusInternalServerError)
}
