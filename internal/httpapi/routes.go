// Package httpapi is the whole HTTP surface of itam: NewServer and every route.
// It is importable so tests and benchmarks build the real handler.
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/graphiql"
	"github.com/itam-dev/itam/internal/httplog"
	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/webhook"
)

// ServerOption configures optional parts of NewServer.
type ServerOption func(*serverOptions)

type serverOptions struct {
	box          *secretbox.Box
	enq          postgres.Enqueuer
	publicURL    string
	jobDashboard http.Handler
	egress       connectors.Egress
	graphql      graph.Options
	operator     string // ITAM_OPERATOR_TOKEN: opens the job dashboard
	metricsToken string // ITAM_METRICS_TOKEN: required by /metrics when set
	tickets      ticketOptions
	exportLinks  *exports.Signer // nil: a random key (exports.go)
}

// WithConnectors enables connector management: box seals credentials, enq
// queues syncs, publicURL (may be empty) prefixes webhook URLs. Without it
// connectors can be listed but not created or synced.
func WithConnectors(box *secretbox.Box, enq postgres.Enqueuer, publicURL string) ServerOption {
	return func(o *serverOptions) { o.box, o.enq, o.publicURL = box, enq, publicURL }
}

// WithConnectorEgress sets the network policy of connection tests
// (config.Config.ConnectorEgress). Without it the zero policy applies:
// every non-public address is refused.
func WithConnectorEgress(e connectors.Egress) ServerOption {
	return func(o *serverOptions) { o.egress = e }
}

// WithJobDashboard mounts River's job dashboard (riverui) at /riverui/ for
// the holder of operatorToken. The dashboard sees and acts on every
// organization's jobs and queues, so no tenant token opens it; with an
// empty operatorToken it is not mounted at all.
func WithJobDashboard(h http.Handler, operatorToken string) ServerOption {
	return func(o *serverOptions) { o.jobDashboard, o.operator = h, operatorToken }
}

// WithMetricsToken makes /metrics require "Authorization: Bearer <token>".
func WithMetricsToken(token string) ServerOption {
	return func(o *serverOptions) { o.metricsToken = token }
}

// WithGraphQL sets the GraphQL endpoint's options (introspection).
func WithGraphQL(opts graph.Options) ServerOption {
	return func(o *serverOptions) { o.graphql = opts }
}

// NewServer returns the whole HTTP surface of itam. Every route is listed
// here; /graphql needs a tenant's JWT, /riverui/ the operator token (see
// WithJobDashboard), /metrics a bearer token when WithMetricsToken is given,
// and /webhooks/{connectorId} proves a per-connector secret instead.
// devToken, when set (dev mode only), is pre-filled in GraphiQL's headers so
// a newcomer's first query works without copying a token.
func NewServer(log *slog.Logger, db *postgres.DB, verifier *auth.Verifier, m *metrics.Metrics, devToken string, opts ...ServerOption) http.Handler {
	var o serverOptions
	for _, opt := range opts {
		opt(&o)
	}
	stores := loaders.Stores{
		Assets: postgres.NewAssetStore(db), People: postgres.NewPersonStore(db), Teams: postgres.NewTeamStore(db),
		Locations: postgres.NewLocationStore(db), Models: postgres.NewModelStore(db), Suppliers: postgres.NewSupplierStore(db),
		Provenance: postgres.NewProvenanceStore(db),
	}
	connectorStore := postgres.NewConnectorStore(db, o.box, o.enq)
	resolver := &graph.Resolver{
		AssetStore: stores.Assets, PersonStore: stores.People, TeamStore: stores.Teams, LocationStore: stores.Locations,
		ModelStore: stores.Models, SupplierStore: stores.Suppliers, ProvenanceStore: stores.Provenance,
		OrganizationStore: postgres.NewOrganizationStore(db), RelationStore: postgres.NewRelationStore(db),
		Connectors: connectorStore, PublicURL: o.publicURL, Push: postgres.NewPushStore(db), SoftwareCatalog: postgres.NewSoftwareCatalogStore(db),
		ConnectorEdits: connector.NewService(connectorStore, connectorcheck.Config),
		ConnectorCheck: &connectorcheck.Checker{Store: connectorStore, Logger: log, Egress: o.egress},
		LicenseStore:   postgres.NewLicenseStore(db, o.box)}
	if enq, ok := o.enq.(postgres.NormalizeEnqueuer); ok {
		resolver.SoftwareRules = postgres.NewSoftwareRuleStore(db, enq)
	} else {
		resolver.SoftwareRules = postgres.NewSoftwareRuleStore(db, nil) // reads work; rule changes are refused
	}
	resolver.Compliance = postgres.NewLicenseComplianceStore(db)
	resolver.DepreciationProfiles = postgres.NewDepreciationProfileStore(db)
	resolver.CostEntries, resolver.CostHistory = postgres.NewCostEntryStore(db), postgres.NewCostHistoryStore(db)
	resolver.ExchangeRates, resolver.Contracts = postgres.NewExchangeRateStore(db), postgres.NewContractStore(db)
	resolver.CostReports = postgres.NewCostReportStore(db)
	denq, _ := o.enq.(postgres.DeliveryEnqueuer) // nil: notifications are recorded, not sent
	resolver.Notifications, resolver.Webhooks = postgres.NewNotificationStore(db, denq), postgres.NewWebhookStore(db, o.box, denq, o.egress.AllowPrivate)
	resolver.Offboarding = postgres.NewOffboardingStore(db)
	resolver.Checkouts = postgres.NewCheckoutStore(db)
	resolver.PurchaseOrders = postgres.NewPurchaseOrderStore(db)
	resolver.Audits = postgres.NewAuditCampaignStore(db)
	resolver.Sanitization, resolver.History = postgres.NewSanitizationStore(db), postgres.NewHistoryStore(db)
	resolver.TicketService = ticketService(db, connectorStore, &o, log)
	resolver.Exports, resolver.ExportLinks = postgres.NewExportStore(db), exportSigner(&o)
	resolver.Imports = &imports.Service{Store: postgres.NewImportStore(db, importEnqueuer(o.enq))}
	gql := graph.NewHandler(resolver, m, log, o.graphql)
	orgs := orgResolver(db) // one cache for tokens in headers and dashboard logins
	authn := auth.Middleware(verifier, orgs, writeAuthError(log))

	mux := http.NewServeMux()
	mux.Handle("/graphql", authn(logPrincipal(loaders.Middleware(stores, gql))))
	mux.Handle("GET /exports/license-evidence/{file}", authn(logPrincipal(handleEvidenceCSV(resolver.Compliance, log))))
	mux.Handle("GET /exports/disposals.csv", authn(logPrincipal(handleDisposalsCSV(resolver.Sanitization, log))))
	mux.Handle("GET "+exports.DownloadPath, authn(logPrincipal(handleExportDownload(resolver.Exports, resolver.ExportLinks, log))))
	mux.Handle("POST /webhooks/{connectorId}", webhook.New(connectorStore, log))
	if o.jobDashboard != nil && o.operator != "" {
		mux.Handle("/riverui/", requireOperator(o.operator, o.jobDashboard))
		mux.Handle("GET /riverui/login", handleDashboardLogin(o.operator))
	}
	page := graphiql.Options{Title: "itam", Endpoint: "/graphql"}
	if devToken != "" {
		page.Headers = map[string]string{"Authorization": "Bearer " + devToken}
	}
	mux.Handle("GET /{$}", graphiql.Page(log, page))
	mux.Handle(graphiql.AssetsPattern, graphiql.Assets())
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(db))
	mux.Handle("GET /metrics", requireBearer(o.metricsToken, promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})))

	observe := func(r *http.Request, status int) {
		// r is the request the mux served, which recorded the matched pattern.
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.HTTPRequests.WithLabelValues(route, strconv.Itoa(status/100)+"xx").Inc()
	}
	return httplog.Middleware(log, observe)(mux)
}

// importEnqueuer is enq when it queues imports; without a job queue
// (tools, tests) runs can be read but not started or committed.
func importEnqueuer(enq postgres.Enqueuer) postgres.ImportEnqueuer {
	if e, ok := enq.(postgres.ImportEnqueuer); ok {
		return e
	}
	return noImportJobs{}
}

type noImportJobs struct{}

var errNoImportJobs = itam.Invalid("", "imports are not enabled on this server: it has no job queue")

func (noImportJobs) EnqueueImportPlanTx(context.Context, pgx.Tx, jobs.ImportPlanArgs) error {
	return errNoImportJobs
}
func (noImportJobs) EnqueueImportCommitTx(context.Context, pgx.Tx, jobs.ImportCommitArgs) error {
	return errNoImportJobs
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
		writeCodeError(w, status, code, msg)
	}
}

// logPrincipal puts who is calling on the request's log line.
func logPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := itam.PrincipalFrom(r.Context()); ok {
			httplog.SetAttrs(r.Context(), slog.String("org", p.OrgID.String()), slog.String("subject", p.Subject), slog.String("role", string(p.Role)))
		}
		next.ServeHTTP(w, r)
	})
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
		id, err := db.OrgIDByClaim(ctx, slug)
		if err != nil {
			return uuid.Nil, err
		}
		cache.Store(slug, id)
		return id, nil
	}
}
