package model

import "github.com/itam-dev/itam/internal/licenses"

// Connections of licenses, their seats and their history (graph/schema/licenses.graphqls).
type (
	LicenseConnection        = Connection[*licenses.License]
	LicenseEdge              = Edge[*licenses.License]
	LicenseSeatConnection    = Connection[*licenses.Seat]
	LicenseSeatEdge          = Edge[*licenses.Seat]
	LicenseHistoryConnection = Connection[licenses.HistoryEntry]
	LicenseHistoryEdge       = Edge[licenses.HistoryEntry]
)
