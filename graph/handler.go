package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/httplog"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
)

// Options are the deployment's choices for the GraphQL endpoint. The zero
// value is the default.
type Options struct {
	// DisableIntrospection refuses __schema and __type queries
	// (ITAM_INTROSPECTION=false), for deployments that do not publish their
	// schema.
	DisableIntrospection bool
	// CompiledExecution writes struct-bound subtrees through compiled plans
	// (graph/compiled); false runs every field through gqlgen's executor.
	CompiledExecution bool
}

// NewHandler builds the GraphQL HTTP handler: POST and GET transports
// (GraphQL over HTTP), the document limits (limits.go), an error presenter
// that turns domain errors into extensions.code, and per-operation metrics.
func NewHandler(r *Resolver, m *metrics.Metrics, log *slog.Logger, opts Options) *handler.Server {
	srv := handler.New(executableSchema(r))
	srv.AddTransport(getTransport{})
	srv.AddTransport(postTransport{})
	srv.AddTransport(newUploadTransport()) // multipart: startImport's file
	srv.AddTransport(otherRequests{})      // last: whatever the others do not support
	queries := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(queries)
	if !opts.DisableIntrospection {
		srv.Use(extension.Introspection{})
	}
	// Order matters: APQ fills in the query the limits then check.
	srv.Use(persistedQueries{extension.AutomaticPersistedQuery{Cache: lru.New[string](100)}})
	srv.Use(&documentLimits{validated: queries, introspection: !opts.DisableIntrospection})
	if m != nil {
		srv.Use(observe{m: m})
	}
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v))
		return errors.New("internal error")
	})
	return srv
}

// executableSchema is the schema over r with every field's complexity.
func executableSchema(r *Resolver) graphql.ExecutableSchema {
	cfg := generated.Config{Resolvers: r}
	setComplexity(&cfg.Complexity)
	setConnectorComplexity(&cfg.Complexity)
	setSoftwareCatalogComplexity(&cfg.Complexity)
	setLicenseComplexity(&cfg.Complexity)
	setSoftwareRulesComplexity(&cfg.Complexity)
	setComplianceComplexity(&cfg.Complexity)
	setDepreciationComplexity(&cfg.Complexity)
	setCostLedgerComplexity(&cfg.Complexity)
	setContractComplexity(&cfg.Complexity)
	setCostReportComplexity(&cfg.Complexity)
	setRefreshForecastComplexity(&cfg.Complexity)
	setNotificationComplexity(&cfg.Complexity)
	setOffboardingComplexity(&cfg.Complexity)
	setProcurementComplexity(&cfg.Complexity)
	setAuditComplexity(&cfg.Complexity)
	setNodesComplexity(&cfg.Complexity)
	setCheckoutComplexity(&cfg.Complexity)
	setDisposalComplexity(&cfg.Complexity)
	setPushComplexity(&cfg.Complexity) // connector_push.go
	setTicketsComplexity(&cfg.Complexity)
	setImportComplexity(&cfg.Complexity)
	setBulkComplexity(&cfg.Complexity) // bulk.go
	return generated.NewExecutableSchema(cfg)
}

// presentError is the one place errors become user-visible. Domain errors
// keep their message and gain extensions.code (and field); anything else is
// logged and replaced by a generic INTERNAL error so no SQL or stack detail
// leaks.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var de *itam.Error
		if errors.As(err, &de) {
			gerr.Message = de.Message
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			gerr.Extensions["code"] = string(de.Code)
			if de.Field != "" {
				gerr.Extensions["field"] = de.Field
			}
			if de.RetryAfter > 0 {
				gerr.Extensions["retryAfterSeconds"] = int((de.RetryAfter + time.Second - 1) / time.Second)
			}
			return gerr
		}
		if gerr.Extensions != nil && gerr.Extensions["code"] != nil {
			return gerr // parse and validation errors from gqlgen
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Rule != "" {
			return gerr
		}
		log.ErrorContext(ctx, "internal error", "err", err, "path", gerr.Path.String())
		return &gqlerror.Error{Message: "internal error", Path: gerr.Path,
			Extensions: map[string]any{"code": string(itam.CodeInternal)}}
	}
}

// persistedQueries is gqlgen's automatic persisted queries with the codes
// of the APQ convention: PERSISTED_QUERY_NOT_FOUND for an unknown hash (the
// client then sends the query), BAD_REQUEST for a hash that does not match
// the query or an unsupported version, which gqlgen leaves without a code.
type persistedQueries struct {
	extension.AutomaticPersistedQuery
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	err := p.AutomaticPersistedQuery.MutateOperationParameters(ctx, raw)
	if err != nil && err.Extensions["code"] == nil {
		errcode.Set(err, codeBadRequest)
	}
	return err
}

// observe records latency per operation name and errors per code, and
// puts both on the request's log line, so a refused mutation does not log
// as a plain 200. Metric labels go through OperationLabel, which bounds the
// client-chosen names; the log line keeps the name as sent.
type observe struct{ m *metrics.Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = observe{}

func (observe) ExtensionName() string                   { return "Metrics" }
func (observe) Validate(graphql.ExecutableSchema) error { return nil }
func (o observe) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	name, typ := "unknown", "unknown"
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		if oc.OperationName != "" {
			name = oc.OperationName
		} else if oc.Operation != nil && oc.Operation.Name != "" {
			name = oc.Operation.Name
		} else {
			name = "anonymous"
		}
		if oc.Operation != nil {
			typ = string(oc.Operation.Operation)
		}
	}
	o.m.GraphQLDuration.WithLabelValues(o.m.OperationLabel(name), typ).Observe(time.Since(start).Seconds())
	logAttrs := []slog.Attr{slog.String("operation", metrics.TrimOperationName(name)), slog.String("operation_type", typ)}
	if resp != nil && len(resp.Errors) > 0 {
		var codes []string
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" {
				code = "UNKNOWN"
			}
			o.m.GraphQLErrors.WithLabelValues(code).Inc()
			if !slices.Contains(codes, code) {
				codes = append(codes, code)
			}
		}
		logAttrs = append(logAttrs, slog.Any("error_codes", codes))
	}
	httplog.SetAttrs(ctx, logAttrs...)
	return resp
}

// pageCost multiplies a connection's child complexity by its page size.
func pageCost(child int, first, last *int) int {
	n := itam.DefaultPageSize
	if first != nil {
		n = *first
	} else if last != nil {
		n = *last
	}
	return addCost(1, mulCost(child, n))
}

// connectionCost is pageCost as the complexity function of a connection
// whose arguments are the page alone (first, after, last, before).
func connectionCost(child int, first *int, _ *string, last *int, _ *string) int {
	return pageCost(child, first, last)
}

// filteredConnectionCost is connectionCost for a connection with one more
// argument (a filter) that leaves its price to the page size.
func filteredConnectionCost[F any](child int, first *int, _ *string, last *int, _ *string, _ F) int {
	return pageCost(child, first, last)
}

// perItemCost prices a bulk field by the number of items it returns, one
// per input.
func perItemCost[T any](child int, in []T) int { return addCost(1, mulCost(child, len(in))) }

// setComplexity prices every connection by its page size, so "500 assets
// each with 500 history entries" is refused before it runs.
func setComplexity(c *generated.ComplexityRoot) {
	type (
		af = *model.AssetFilter
		ao = *model.AssetOrder
		s  = *string
	)
	assets := func(child int, first *int, _ s, last *int, _ s, f af, _ ao) int {
		return assetsCost(child, first, last, f)
	}
	plain := func(child int, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
	c.Query.Assets, c.Person.Assets, c.Location.Assets, c.Team.OwnedAssets = assets, assets, assets, assets
	c.Asset.History, c.Team.Members = plain, plain
	c.Query.People = func(child int, first *int, _ s, last *int, _ s, _ *model.PersonFilter, _ *model.PersonOrder) int {
		return pageCost(child, first, last)
	}
	c.Query.Teams = func(child int, first *int, _ s, last *int, _ s, _ *model.TeamFilter) int {
		return pageCost(child, first, last)
	}
	c.Query.Locations = func(child int, first *int, _ s, last *int, _ s, _ *model.LocationFilter) int {
		return pageCost(child, first, last)
	}
	named := func(child int, first *int, _ s, last *int, _ s, _ *model.NameFilter) int {
		return pageCost(child, first, last)
	}
	c.Query.Manufacturers, c.Query.Suppliers = named, named
	c.Query.Categories = func(child int, first *int, _ s, last *int, _ s, _ *model.CategoryFilter) int {
		return pageCost(child, first, last)
	}
	c.Query.Models = func(child int, first *int, _ s, last *int, _ s, _ *model.ModelFilter) int {
		return pageCost(child, first, last)
	}
}
