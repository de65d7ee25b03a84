package model

import "github.com/itam-dev/itam/internal/procurement"

// Connections of purchase orders (graph/schema/procurement.graphqls).
type (
	PurchaseOrderConnection        = Connection[*procurement.Order]
	PurchaseOrderEdge              = Edge[*procurement.Order]
	PurchaseOrderHistoryConnection = Connection[procurement.HistoryEntry]
	PurchaseOrderHistoryEdge       = Edge[procurement.HistoryEntry]
)
