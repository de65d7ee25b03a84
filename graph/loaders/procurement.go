package loaders

import (
	"context"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/procurement"
)

// ProcurementLoaders batch purchase orders (with their lines) and lines by
// id: node(id:) and PurchaseOrderLine.purchaseOrder cost one statement per
// kind however many are asked for.
type ProcurementLoaders struct {
	Order *dataloadgen.Loader[uuid.UUID, *procurement.Order]
	Line  *dataloadgen.Loader[uuid.UUID, *procurement.Line]
}

// Procurement returns the request's purchase order loaders over s.
func (l *Loaders) Procurement(s *postgres.PurchaseOrderStore) *ProcurementLoaders {
	return l.po.get(func() *ProcurementLoaders {
		return &ProcurementLoaders{Order: mapped(s.PurchaseOrdersByIDs), Line: mapped(s.PurchaseOrderLinesByIDs)}
	})
}

// HasSiblings reports whether a list recorded siblings at path, so a list
// resolved under a single parent (an order's lines reached through
// node(id:)) records its own only when no page above it did.
func HasSiblings(ctx context.Context, path string) bool {
	_, ok := For(ctx).siblings.Load(path)
	return ok
}
