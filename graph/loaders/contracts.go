package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/postgres"
)

// ContractLoaders batch contracts by id (node(id:), CostEntry.contract):
// one statement for the contracts and their charges however many are
// asked for.
type ContractLoaders struct {
	Contract *dataloadgen.Loader[uuid.UUID, *costs.Contract]
}

// Contracts returns the request's contract loaders over s.
func (l *Loaders) Contracts(s *postgres.ContractStore) *ContractLoaders {
	return l.ctr.get(func() *ContractLoaders {
		return &ContractLoaders{Contract: mapped(s.ContractsByIDs)}
	})
}
