package postgres

import (
	"testing"

	"github.com/google/uuid"
)

// TestProvenanceStore: another tenant's assets have no external ids for
// the caller.
func TestProvenanceStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	B := f.B
	ctx := f.A.admin

	t.Run("tenant isolation", func(t *testing.T) {
		requireIsolatedByIDs(t, []isolatedByIDs{
			{"external ids", func(x []uuid.UUID) (int, error) {
				m, err := f.provenance.ExternalIDsByAssetIDs(ctx, x)
				return len(m), err
			}, uuid.Nil, B.asset.ID},
		})
	})
}
