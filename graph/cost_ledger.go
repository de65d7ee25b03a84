package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
)

// Adapters for the cost ledger, exchange rates and cost history (TODO(money): being built).

// costEntryNode loads one for node(id:); nil when missing or not visible.
func (r *Resolver) costEntryNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return func() (any, error) { return nil, nil }
}

// setCostLedgerComplexity prices the cost ledger, exchange rates and cost history.
func setCostLedgerComplexity(c *generated.ComplexityRoot) {}
