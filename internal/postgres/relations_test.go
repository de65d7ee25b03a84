package postgres

import (
	"context"
	"maps"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestRelationStore: a page's relations load in one round trip with the
// loaders' visibility: never another tenant's rows, and for an EMPLOYEE
// only their own person.
func TestRelationStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A, B := f.A, f.B
	ctx := f.A.admin

	t.Run("tenant isolation", func(t *testing.T) {
		t.Run("asset relations", func(t *testing.T) {
			want := itam.AssetRelationIDs{
				Models:             []uuid.UUID{A.model.ID, B.model.ID},
				Manufacturers:      []uuid.UUID{A.mfr.ID, B.mfr.ID},
				CategoriesOfModels: []uuid.UUID{A.model.ID, B.model.ID},
				People:             []uuid.UUID{A.ann.ID, A.boss.ID, B.ann.ID},
				Teams:              []uuid.UUID{A.team.ID, B.team.ID},
				Locations:          []uuid.UUID{A.floor.ID, B.floor.ID},
			}
			var rounds atomic.Int64
			f.db.Queries = func() { rounds.Add(1) }
			defer func() { f.db.Queries = nil }()
			rel, err := f.relations.AssetRelations(ctx, want)
			require.NoError(t, err)
			require.EqualValues(t, 1, rounds.Load(), "one round trip for every kind")
			require.Equal(t, []uuid.UUID{A.model.ID}, slices.Collect(maps.Keys(rel.Models)))
			require.Equal(t, []uuid.UUID{A.mfr.ID}, slices.Collect(maps.Keys(rel.Manufacturers)))
			require.Equal(t, []uuid.UUID{A.model.ID}, slices.Collect(maps.Keys(rel.CategoryByModel)))
			require.Equal(t, A.cat.ID, rel.CategoryByModel[A.model.ID].ID)
			require.ElementsMatch(t, []uuid.UUID{A.ann.ID, A.boss.ID}, slices.Collect(maps.Keys(rel.People)))
			require.Equal(t, []uuid.UUID{A.team.ID}, slices.Collect(maps.Keys(rel.Teams)))
			require.Equal(t, []uuid.UUID{A.floor.ID}, slices.Collect(maps.Keys(rel.Locations)))

			employee := as(f.orgA, itam.RoleEmployee, "ann@example.com")
			rel, err = f.relations.AssetRelations(employee, want)
			require.NoError(t, err)
			require.Equal(t, []uuid.UUID{A.ann.ID}, slices.Collect(maps.Keys(rel.People)), "an employee sees only their own person")
			require.Len(t, rel.Models, 1)

			rounds.Store(0)
			rel, err = f.relations.AssetRelations(ctx, itam.AssetRelationIDs{})
			require.NoError(t, err)
			require.Zero(t, rounds.Load(), "nothing asked, nothing sent")
			require.Empty(t, rel.Models)

			_, err = f.relations.AssetRelations(context.Background(), want)
			requireCode(t, err, itam.CodeUnauthenticated, "")
		})
	})
}
