package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/postgres"
)

// CostLedgerLoaders batch lookups of ledger entries by id (node(id:),
// nodes(ids:)).
type CostLedgerLoaders struct {
	Entry *dataloadgen.Loader[uuid.UUID, *costs.Entry]
}

// CostLedger returns the request's ledger loaders over s.
func (l *Loaders) CostLedger(s *postgres.CostEntryStore) *CostLedgerLoaders {
	return l.ledger.get(func() *CostLedgerLoaders {
		return &CostLedgerLoaders{Entry: mapped(s.EntriesByIDs)}
	})
}
