package model

import "github.com/itam-dev/itam/internal/software"

// Connection of software history entries (graph/schema/software_history.graphqls).
type (
	SoftwareHistoryConnection = Connection[software.HistoryEntry]
	SoftwareHistoryEdge       = Edge[software.HistoryEntry]
)
