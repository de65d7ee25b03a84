package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httplog"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/postgres"
)

// NewServer returns the whole HTTP surface of itam. Every route is listed
// here; /graphql is the only one that needs a token (/webhooks/{connectorId}
// proves a per-connector secret instead).
// devToken, when set (dev mode only), is pre-filled in GraphiQL's headers so
// a newcomer's first query works without copying a token.
func NewServer(log *slog.Logger, db *postgres.DB, verifier *auth.Verifier, m *metrics.Metrics, devToken string, opts ...ServerOption) http.Handler {
	assets, catalog := postgres.NewAssetStore(db), postgres.NewCatalog(db)
	resolver := &graph.Resolver{AssetStore: assets, Catalog: catalog}
	// Connectors: store and connection test on the resolver, and the webhook handler (connectors_wiring.go).
	webhooks := connectorRoutes(log, db, resolver, opts)
	gql := graph.NewHandler(resolver, m, log)
	authn := auth.Middleware(verifier, orgResolver(db), writeAuthError(log))

	mux := http.NewServeMux()
	mux.Handle("/graphql", authn(loaders.Middleware(assets, catalog, gql)))
	mux.Handle("POST /webhooks/{connectorId}", webhooks)
	graphiql := []playground.GraphiqlConfigOption{playground.WithGraphiqlEnablePluginExplorer(true)}
	if devToken != "" {
		graphiql = append(graphiql, playground.WithGraphiqlUiHeaders(map[string]string{"Authorization": "Bearer " + devToken}))
	}
	mux.Handle("GET /{$}", playground.Handler("itam", "/graphql", graphiql...))
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(db))
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))

	observe := func(r *http.Request, status int) {
		// The mux records the pattern on its own copy of the request; ask it.
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		m.HTTPRequests.WithLabelValues(route, strconv.Itoa(status/100)+"xx").Inc()
	}
	return httplog.Middleware(log, observe)(mux)
}

func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func handleReadyz(db *postgres.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// writeAuthError renders a refused token as a GraphQL response, so clients
// parse one error shape whatever went wrong.
func writeAuthError(log *slog.Logger) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		code := itam.ErrorCode(err)
		status := http.StatusUnauthorized
		msg := err.Error()
		if e, ok := err.(*itam.Error); ok {
			msg = e.Message
		}
		if code != itam.CodeUnauthenticated {
			log.ErrorContext(r.Context(), "authentication failed", "err", err)
			status, code, msg = http.StatusInternalServerError, itam.CodeInternal, "internal error"
		}
		writeJSON(w, status, map[string]any{"errors": []any{map[string]any{
			"message": msg, "extensions": map[string]any{"code": string(code)},
		}}})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// orgResolver turns an org slug from a token into its id, caching hits:
// slugs do not change while the server runs, and a lookup per request would
// add a round trip to every query.
func orgResolver(db *postgres.DB) auth.OrgResolver {
	var cache sync.Map
	return func(ctx context.Context, slug string) (uuid.UUID, error) {
		if id, ok := cache.Load(slug); ok {
			return id.(uuid.UUID), nil
		}
		id, err := db.OrgIDBySlug(ctx, slug)
		if err != nil {
			return uuid.Nil, err
		}
		cache.Store(slug, id)
		return id, nil
	}
}
