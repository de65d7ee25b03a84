package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/audits"
	"github.com/itam-dev/itam/internal/postgres"
)

// AuditLoaders batch audit campaigns by id (node(id:), nodes(ids:)).
type AuditLoaders struct {
	Campaign *dataloadgen.Loader[uuid.UUID, *audits.Campaign]
}

// Audits returns the request's audit loaders over s.
func (l *Loaders) Audits(s *postgres.AuditCampaignStore) *AuditLoaders {
	return l.aud.get(func() *AuditLoaders {
		return &AuditLoaders{Campaign: mapped(s.CampaignsByIDs)}
	})
}
