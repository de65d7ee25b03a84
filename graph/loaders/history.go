package loaders

import (
	"context"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

// HistoryLoaders batch what history and disposal fields look up per
// object: the labels of the records history changes refer to (a page of
// history with its references costs one query), and sanitization records.
type HistoryLoaders struct {
	// RefLabel is keyed by (type, id); a missing or deleted record is nil.
	RefLabel *dataloadgen.Loader[itam.Ref, *string]
	// SanitizationOfAsset is keyed by asset id, Sanitization by its own id.
	SanitizationOfAsset *dataloadgen.Loader[uuid.UUID, *itam.SanitizationRecord]
	Sanitization        *dataloadgen.Loader[uuid.UUID, *itam.SanitizationRecord]
}

// History returns the request's history loaders over h and s.
func (l *Loaders) History(h *postgres.HistoryStore, s *postgres.SanitizationStore) *HistoryLoaders {
	return l.hist.get(func() *HistoryLoaders {
		labels := dataloadgen.NewMappedLoader(func(ctx context.Context, refs []itam.Ref) (map[itam.Ref]*string, error) {
			found, err := h.RefLabels(ctx, refs)
			if err != nil {
				return nil, err
			}
			out := make(map[itam.Ref]*string, len(refs))
			for _, r := range refs {
				if v, ok := found[r]; ok {
					out[r] = &v
				} else {
					out[r] = nil
				}
			}
			return out, nil
		}, dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(1000))
		return &HistoryLoaders{RefLabel: labels, SanitizationOfAsset: mapped(s.SanitizationsOfAssets), Sanitization: mapped(s.SanitizationsByIDs)}
	})
}
