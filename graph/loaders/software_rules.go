package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/software"
)

// SoftwareRuleLoaders batch title rule lookups: rules by id (node,
// SoftwareInstallation.matchedBy) and normalization runs by id. The
// products rules name read through the catalog's loader (SoftwareCatalog).
type SoftwareRuleLoaders struct {
	Rule *dataloadgen.Loader[uuid.UUID, *software.Rule]
	Run  *dataloadgen.Loader[uuid.UUID, *software.NormalizationRun]
}

// SoftwareRules returns the request's title rule loaders over s.
func (l *Loaders) SoftwareRules(s *postgres.SoftwareRuleStore) *SoftwareRuleLoaders {
	return l.rules.get(func() *SoftwareRuleLoaders {
		return &SoftwareRuleLoaders{Rule: mapped(s.RulesByIDs), Run: mapped(s.RunsByIDs)}
	})
}
