package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
)

// Limits bound what one query may ask for, so no client can make the
// server scan the whole inventory in one request.
const (
	MaxComplexity = 50000
	MaxDepth      = 12
)

// NewHandler builds the GraphQL HTTP handler: POST and GET transports
// (GraphQL over HTTP), complexity and depth limits, an error presenter that
// turns domain errors into extensions.code, and per-operation metrics.
func NewHandler(r *Resolver, m *metrics.Metrics, log *slog.Logger) *handler.Server {
	cfg := generated.Config{Resolvers: r}
	setComplexity(&cfg.Complexity)
	setConnectorComplexity(&cfg.Complexity)
	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(postTransport{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(depthLimit{max: MaxDepth})
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

// depthLimit refuses operations nested deeper than max, which complexity
// alone does not stop (a deep chain of single objects is cheap per level).
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0); depth > d.max {
		err := gqlerror.Errorf("query is nested %d levels deep; the limit is %d", depth, d.max)
		errcode.Set(err, "QUERY_TOO_DEEP")
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen int) int {
	if seen > 64 {
		return seen // fragment cycles are rejected by validation; stop early anyway
	}
	max := 0
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) > 0 {
				d = 1 + selectionDepth(s.SelectionSet, frags, seen+1)
			} else {
				d = 1
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, seen+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = selectionDepth(f.SelectionSet, frags, seen+1)
			}
		}
		if d > max {
			max = d
		}
	}
	return max
}

// observe records latency per operation name and errors per code.
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
	o.m.GraphQLDuration.WithLabelValues(name, typ).Observe(time.Since(start).Seconds())
	if resp != nil {
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" {
				code = "UNKNOWN"
			}
			o.m.GraphQLErrors.WithLabelValues(code).Inc()
		}
	}
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
	if n < 1 {
		n = 1
	}
	return 1 + child*n
}

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
