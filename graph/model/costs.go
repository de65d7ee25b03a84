package model

import (
	"time"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// Connections of the money types (graph/schema/depreciation.graphqls,
// cost_ledger.graphqls, contracts.graphqls).
type (
	DepreciationProfileConnection = Connection[*costs.Profile]
	DepreciationProfileEdge       = Edge[*costs.Profile]
	CostEntryConnection           = Connection[*costs.Entry]
	CostEntryEdge                 = Edge[*costs.Entry]
	ContractConnection            = Connection[*costs.Contract]
	ContractEdge                  = Edge[*costs.Contract]
	CostHistoryConnection         = Connection[costs.HistoryEntry]
	CostHistoryEdge               = Edge[costs.HistoryEntry]
	ExchangeRateConnection        = Connection[costs.Rate]
	ExchangeRateEdge              = Edge[costs.Rate]
)

// CostKindTotal is one kind's sum, per currency.
type CostKindTotal struct {
	Kind  costs.EntryKind
	Total []itam.Money
}

// CostBreakdown is a TCO as the API shows it.
type CostBreakdown struct {
	From              *time.Time
	To                time.Time
	ByKind            []CostKindTotal
	Total             []itam.Money
	ReportingCurrency *string
	RatesUsed         []costs.Rate
}
