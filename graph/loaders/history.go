package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

// HistoryLoaders batch sanitization records: by asset (Asset.sanitization
// of a page of assets in one query) and by their own id (node(id:)).
type HistoryLoaders struct {
	SanitizationOfAsset *dataloadgen.Loader[uuid.UUID, *itam.SanitizationRecord]
	Sanitization        *dataloadgen.Loader[uuid.UUID, *itam.SanitizationRecord]
}

// History returns the request's sanitization loaders over s.
func (l *Loaders) History(s *postgres.SanitizationStore) *HistoryLoaders {
	return l.hist.get(func() *HistoryLoaders {
		return &HistoryLoaders{SanitizationOfAsset: mapped(s.SanitizationsOfAssets), Sanitization: mapped(s.SanitizationsByIDs)}
	})
}
