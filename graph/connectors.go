package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
)

// Helpers of graph/connectors.resolvers.go (kept out of it: gqlgen moves
// non-resolver code out of resolver files when it regenerates).

// connectorPayload wraps a saved connector and, once, its generated webhook secret.
func connectorPayload(c *itam.Connector, secret string) *model.ConnectorPayload {
	out := &model.ConnectorPayload{Connector: c}
	if secret != "" {
		out.WebhookSecret = &secret
	}
	return out
}

// credentialsArg reads the credentials JSON: an object of strings. Errors
// name the offending key, never its value.
func credentialsArg(field string, v any) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, itam.Invalid(field, "credentials must be an object of strings")
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		s, ok := x.(string)
		if !ok {
			return nil, itam.Invalid(field+"."+k, "%s must be a string", k)
		}
		out[k] = s
	}
	return out, nil
}

// optionsArg reads the options JSON: an object, or absent/null for none.
func optionsArg(o graphql.Omittable[any]) (map[string]any, error) {
	v := o.Value()
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, itam.Invalid("options", "options must be a JSON object")
	}
	return m, nil
}

// setConnectorComplexity prices the connector and sync connections by page size.
func setConnectorComplexity(c *generated.ComplexityRoot) {
	type s = *string
	c.Query.SyncConflicts = func(child int, first *int, _ s, last *int, _ s, _, _, _ s) int { return pageCost(child, first, last) }
	c.Query.Connectors = func(child int, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
	c.Query.SyncRuns = func(child int, _ string, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
	c.Connector.SyncRuns = func(child int, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
}

// connectorSyncRuns is Connector.syncRuns, batched over every connector the
// request resolves it on (see nested.go): a page of connectors costs the
// same round trips whatever its size.
func (r *Resolver) connectorSyncRuns(ctx context.Context, connector uuid.UUID, p itam.PageArgs) (*model.Connection[*itam.SyncRun], error) {
	return nestedConnection(ctx, connector, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*itam.SyncRun], error) {
		return r.Connectors.SyncRunsOf(ctx, parents, p)
	}, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]int, error) {
		return r.Connectors.CountSyncRunsOf(ctx, parents)
	})
}

func connectorID(c *itam.Connector) uuid.UUID { return c.ID }
