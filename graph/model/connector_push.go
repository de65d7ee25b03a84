package model

import "github.com/itam-dev/itam/internal/itam"

// Pages of refused write-backs (graph/schema/connector_push.graphqls).
type (
	ConnectorPushErrorConnection = Connection[*itam.ConnectorPushError]
	ConnectorPushErrorEdge       = Edge[*itam.ConnectorPushError]
)
