package postgres

import (
	"testing"

	"github.com/google/uuid"
)

// TestProvenanceStore: external ids show only the caller's organization; bad or stale
// writes are refused with a typed error and write nothing; only writers write;
// a row is created, changed and deleted.
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
