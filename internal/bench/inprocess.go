package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

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

// inprocessHandler rebuilds the parts of the server's handler (routes.go,
// NewServer in package main, which cannot be imported) that the benchmark
// uses: /graphql with the same middleware chain, /metrics and /readyz. It
// exists for -server=inprocess, which lets -cpuprofile see the server's
// code; the default measures the real binary. Keep it in step with routes.go.
func inprocessHandler(log *slog.Logger, db *postgres.DB, verifier *auth.Verifier, m *metrics.Metrics) http.Handler {
	assets, catalog := postgres.NewAssetStore(db), postgres.NewCatalog(db)
	gql := graph.NewHandler(&graph.Resolver{AssetStore: assets, Catalog: catalog}, m, log)
	authn := auth.Middleware(verifier, cachedOrgResolver(db), func(w http.ResponseWriter, r *http.Request, err error) {
		status := http.StatusUnauthorized
		if itam.ErrorCode(err) != itam.CodeUnauthenticated {
			status = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": err.Error()}}})
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", authn(loaders.Middleware(assets, catalog, gql)))
	mux.Handle("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	observe := func(r *http.Request, status int) {
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.HTTPRequests.WithLabelValues(route, strconv.Itoa(status/100)+"xx").Inc()
	}
	return httplog.Middleware(log, observe)(mux)
}

// cachedOrgResolver is routes.go's orgResolver: slug → id, cached.
func cachedOrgResolver(db *postgres.DB) auth.OrgResolver {
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
