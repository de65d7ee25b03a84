package postgres

// The money stores, one per entity (internal/costs holds their rules).
// Their methods live in the files named for each: depreciation_profiles.go,
// cost_entries.go, exchange_rates.go, contracts.go, cost_reports.go and
// refresh_forecast.go.

// DepreciationProfileStore loads and saves depreciation profiles and what
// depends on them: schedules, book values, the profile of an asset.
type DepreciationProfileStore struct{ db *DB }

// NewDepreciationProfileStore returns a store over db.
func NewDepreciationProfileStore(db *DB) *DepreciationProfileStore {
	return &DepreciationProfileStore{db: db}
}

// CostEntryStore loads and saves the cost ledger.
type CostEntryStore struct{ db *DB }

// NewCostEntryStore returns a store over db.
func NewCostEntryStore(db *DB) *CostEntryStore { return &CostEntryStore{db: db} }

// ContractStore loads and saves contracts, their charges and coverage, and
// the total cost of ownership that draws on them.
type ContractStore struct{ db *DB }

// NewContractStore returns a store over db.
func NewContractStore(db *DB) *ContractStore { return &ContractStore{db: db} }

// CostReportStore runs the money reports: cost roll-ups, spend by period
// and the refresh forecast, as SQL aggregates.
type CostReportStore struct{ db *DB }

// NewCostReportStore returns a store over db.
func NewCostReportStore(db *DB) *CostReportStore { return &CostReportStore{db: db} }
