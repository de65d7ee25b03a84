package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/offboarding"
	"github.com/itam-dev/itam/internal/postgres"
)

// OffboardingLoaders batch offboarding checklists by id (node(id:)): one
// round trip for the checklists and their items however many are asked for.
type OffboardingLoaders struct {
	Checklist *dataloadgen.Loader[uuid.UUID, *offboarding.Checklist]
}

// Offboarding returns the request's offboarding loaders over s.
func (l *Loaders) Offboarding(s *postgres.OffboardingStore) *OffboardingLoaders {
	return l.off.get(func() *OffboardingLoaders {
		return &OffboardingLoaders{Checklist: mapped(s.ChecklistsByIDs)}
	})
}
