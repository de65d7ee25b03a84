package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

// PushLoaders batch refused ITSM write-backs per asset.
type PushLoaders struct {
	AssetErrors *dataloadgen.Loader[uuid.UUID, []*itam.ConnectorPushError]
}

// Push returns the request's write-back loaders over s.
func (l *Loaders) Push(s *postgres.PushStore) *PushLoaders {
	return l.push.get(func() *PushLoaders { return &PushLoaders{AssetErrors: mapped(s.AssetPushErrors)} })
}
