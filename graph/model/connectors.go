package model

import "github.com/itam-dev/itam/internal/itam"

// Connections of connectors and sync runs (graph/schema/connectors.graphqls).
type (
	ConnectorConnection = Connection[*itam.Connector]
	ConnectorEdge       = Edge[*itam.Connector]
	SyncRunConnection   = Connection[*itam.SyncRun]
	SyncRunEdge         = Edge[*itam.SyncRun]
)
