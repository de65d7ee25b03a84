package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
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
//
// x applies what-if changes (see experiments) to measure a proposed fix
// before anyone makes it.
func inprocessHandler(log *slog.Logger, db *postgres.DB, verifier *auth.Verifier, m *metrics.Metrics, x experiments) http.Handler {
	assets, catalog := postgres.NewAssetStore(db), postgres.NewCatalog(db)
	gql := graph.NewHandler(&graph.Resolver{AssetStore: assets, Catalog: catalog}, m, log)
	if x.prime {
		gql.AroundFields(primeAssetRelations)
	}
	withLoaders := loaders.Middleware(assets, catalog, gql)
	if x.loaderWait > 0 {
		withLoaders = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gql.ServeHTTP(w, r.WithContext(loaders.With(r.Context(), newLoaders(assets, catalog, x.loaderWait))))
		})
	}
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
	mux.Handle("/graphql", authn(withLoaders))
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

// experiments are what-if changes to the server, for -server=inprocess only.
type experiments struct {
	// loaderWait replaces graph/loaders' batch wait (200µs).
	loaderWait time.Duration
	// prime loads every relation of a page of assets in one batch per
	// loader as soon as the page is known, before GraphQL resolves the
	// page's fields, so batching no longer depends on goroutine timing.
	prime bool
}

func (x experiments) String() string {
	var s []string
	if x.loaderWait > 0 {
		s = append(s, "loader wait "+x.loaderWait.String())
	}
	if x.prime {
		s = append(s, "prime page relations")
	}
	return strings.Join(s, ", ")
}

// newLoaders is loaders.New with another batch wait.
func newLoaders(assets *postgres.AssetStore, c *postgres.Catalog, wait time.Duration) *loaders.Loaders {
	return &loaders.Loaders{
		Asset:        mappedLoader(assets.AssetsByIDs, wait),
		Person:       mappedLoader(c.PeopleByIDs, wait),
		Team:         mappedLoader(c.TeamsByIDs, wait),
		Location:     mappedLoader(c.LocationsByIDs, wait),
		Manufacturer: mappedLoader(c.ManufacturersByIDs, wait),
		Category:     mappedLoader(c.CategoriesByIDs, wait),
		Model:        mappedLoader(c.ModelsByIDs, wait),
		Supplier:     mappedLoader(c.SuppliersByIDs, wait),
		ExternalIDs:  mappedLoader(c.ExternalIDsByAssetIDs, wait),
	}
}

// mappedLoader is graph/loaders' mapped with a given wait.
func mappedLoader[V any](fetch func(context.Context, []uuid.UUID) (map[uuid.UUID]V, error), wait time.Duration) *dataloadgen.Loader[uuid.UUID, V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]V, error) {
		m, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		var zero V
		for _, id := range ids {
			if _, ok := m[id]; !ok {
				m[id] = zero
			}
		}
		return m, nil
	}, dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(1000))
}

// primeAssetRelations is a field middleware: when a field returns a page of
// assets, it loads the page's models (then their categories),
// manufacturers, people, teams and locations, each in one batch, before
// the page's own fields resolve and find them cached. (A real fix would
// live in the connection resolver and load only the selected relations.)
func primeAssetRelations(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	conn, ok := res.(*model.AssetConnection)
	if err != nil || !ok || conn == nil || len(conn.Page.Items) == 0 {
		return res, err
	}
	l := loaders.For(ctx)
	var models, mfrs, people, teams, locs idSet
	for _, a := range conn.Page.Items {
		models.add(&a.ModelID)
		mfrs.add(&a.ManufacturerID)
		people.add(a.AssignedPersonID)
		people.add(a.OwnerPersonID)
		locs.add(a.AssignedLocationID)
		locs.add(a.LocationID)
		teams.add(a.OwnerTeamID)
	}
	_ = parallel(
		func() error {
			ms, _ := l.Model.LoadAll(ctx, models.ids)
			var cats idSet
			for _, m := range ms {
				if m != nil {
					cats.add(&m.CategoryID)
				}
			}
			_, _ = l.Category.LoadAll(ctx, cats.ids)
			return nil
		},
		func() error { _, _ = l.Manufacturer.LoadAll(ctx, mfrs.ids); return nil },
		func() error { _, _ = l.Person.LoadAll(ctx, people.ids); return nil },
		func() error { _, _ = l.Team.LoadAll(ctx, teams.ids); return nil },
		func() error { _, _ = l.Location.LoadAll(ctx, locs.ids); return nil },
	)
	return res, err
}
