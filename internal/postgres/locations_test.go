package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/stretchr/testify/require"
)

// TestLocationStore: org A sees its own locations and paths only; bad
// countries, cycles, duplicates under one parent and deleting a used
// location are refused and write nothing; a location round-trips.
func TestLocationStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A, B := f.A, f.B
	ctx := f.A.admin
	stale := 99

	t.Run("tenant isolation", func(t *testing.T) {
		requireIsolatedLists(t, []isolatedList{
			{"locations", func() ([]uuid.UUID, error) {
				p, err := f.locations.ListLocations(ctx, itam.LocationFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *itam.Location) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.locations.CountLocations(ctx, itam.LocationFilter{}) }, []uuid.UUID{A.floor.ID, A.site.ID, A.building.ID}},
		})
		requireIsolatedByIDs(t, []isolatedByIDs{
			{"locations", func(x []uuid.UUID) (int, error) { m, err := f.locations.LocationsByIDs(ctx, x); return len(m), err }, A.floor.ID, B.floor.ID},
			{"location children", func(x []uuid.UUID) (int, error) { m, err := f.locations.LocationChildren(ctx, x); return len(m), err }, A.site.ID, B.site.ID},
			{"location ancestors", func(x []uuid.UUID) (int, error) { m, err := f.locations.LocationAncestors(ctx, x); return len(m), err }, A.floor.ID, B.floor.ID},
		})
		t.Run("location path", func(t *testing.T) {
			_, err := f.locations.LocationPath(ctx, B.floor.ID)
			requireCode(t, err, itam.CodeNotFound, "")
		})
	})
	t.Run("refuses bad writes without writing", func(t *testing.T) {
		f.requireRefusals(t, []refusal{
			// Blank required names.
			{"location blank name", func() error {
				_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "\t"})
				return err
			}, itam.CodeInvalid, "name"},

			// Duplicates, regardless of case.
			{"duplicate location under one parent", func() error {
				_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationBuilding, Name: "Main", ParentID: &A.site.ID})
				return err
			}, itam.CodeConflict, "name"},

			// Invalid values.
			{"country not two letters", func() error {
				_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "NYC", Address: itam.Address{Country: ptr("USA")}})
				return err
			}, itam.CodeInvalid, "address.country"},

			// References to rows of another organization are unknown.
			{"parent of another org", func() error {
				_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationBuilding, Name: "X", ParentID: &B.site.ID})
				return err
			}, itam.CodeInvalid, "parentId"},

			// Stale versions.
			{"stale location", func() error {
				_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.floor.ID, Version: stale, Name: itam.Some("2")})
				return err
			}, itam.CodeConflict, "version"},

			// Deletes of referenced rows.
			{"delete location with children", func() error { _, err := f.locations.DeleteLocation(ctx, A.site.ID, nil); return err }, itam.CodeConflict, "id"},
			{"delete location with people and assets", func() error { _, err := f.locations.DeleteLocation(ctx, A.floor.ID, nil); return err }, itam.CodeConflict, "id"},

			// Location cycles.
			{"location under itself", func() error {
				_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.site.ID, Version: A.site.Version, ParentID: itam.Some(A.site.ID)})
				return err
			}, itam.CodeInvalid, "parentId"},
			{"location under its descendant", func() error {
				_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.site.ID, Version: A.site.Version, ParentID: itam.Some(A.floor.ID)})
				return err
			}, itam.CodeInvalid, "parentId"},
		})
	})
	t.Run("roles", func(t *testing.T) {
		f.requireWritersOnly(t, false, map[string]func(ctx context.Context) error{
			"CreateLocation": func(ctx context.Context) error {
				_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "L"})
				return err
			},
			"UpdateLocation": func(ctx context.Context) error {
				_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.floor.ID, Version: 1, Name: itam.Some("2")})
				return err
			},
			"DeleteLocation": func(ctx context.Context) error {
				_, err := f.locations.DeleteLocation(ctx, A.floor.ID, nil)
				return err
			},
		})
		t.Run("employee reads locations", func(t *testing.T) {
			locs, err := f.locations.ListLocations(f.employee(), itam.LocationFilter{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Len(t, locs.Items, 3)
		})
	})
	t.Run("create update delete", func(t *testing.T) {
		f.requireCRUD(t, []crudCase{
			{
				name: "location", table: "locations",
				create: func(t *testing.T) (uuid.UUID, int) {
					x, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationRoom, Name: "Lab", ParentID: &f.A.floor.ID,
						Address: itam.Address{Line1: ptr(" 1 Main St "), Country: ptr("us")}})
					require.NoError(t, err)
					require.Equal(t, f.A.floor.ID, *x.ParentID)
					require.Equal(t, "1 Main St", *x.Address.Line1)
					require.Equal(t, "US", *x.Address.Country)
					return x.ID, x.Version
				},
				update: func(t *testing.T, id uuid.UUID, v int) int {
					x, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: id, Version: v, Name: itam.Some("Big Lab"),
						Address: itam.Some(itam.AddressPatch{City: itam.Some("Paris"), Country: itam.Some("fr")})})
					require.NoError(t, err)
					require.Equal(t, "Big Lab", x.Name)
					require.Equal(t, "1 Main St", *x.Address.Line1, "address lines not in the patch stay")
					require.Equal(t, "Paris", *x.Address.City)
					require.Equal(t, "FR", *x.Address.Country)
					return x.Version
				},
				delete: func(id uuid.UUID, v *int) error { _, err := f.locations.DeleteLocation(ctx, id, v); return err },
			},
		})
	})
}

func TestLocationTree(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A := f.A
	ctx := A.admin
	locID := func(l *itam.Location) uuid.UUID { return l.ID }

	room, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationRoom, Name: "101", ParentID: &A.floor.ID})
	require.NoError(t, err)
	other, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "Annex"})
	require.NoError(t, err)

	anc, err := f.locations.LocationAncestors(ctx, []uuid.UUID{room.ID, A.building.ID, A.site.ID})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{A.site.ID, A.building.ID, A.floor.ID}, ids(anc[room.ID], locID))
	require.Equal(t, []uuid.UUID{A.site.ID}, ids(anc[A.building.ID], locID))
	require.NotContains(t, anc, A.site.ID, "a root has no ancestors")

	kids, err := f.locations.LocationChildren(ctx, []uuid.UUID{A.site.ID, A.floor.ID, room.ID})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{A.building.ID}, ids(kids[A.site.ID], locID))
	require.Equal(t, []uuid.UUID{room.ID}, ids(kids[A.floor.ID], locID))
	require.NotContains(t, kids, room.ID)

	list := func(lf itam.LocationFilter) []uuid.UUID {
		t.Helper()
		p, err := f.locations.ListLocations(ctx, lf, itam.PageArgs{})
		require.NoError(t, err)
		n, err := f.locations.CountLocations(ctx, lf)
		require.NoError(t, err)
		require.Len(t, p.Items, n)
		return ids(p.Items, locID)
	}
	require.Equal(t, []uuid.UUID{A.floor.ID, room.ID, A.building.ID}, list(itam.LocationFilter{WithinID: &A.building.ID}))
	require.Equal(t, []uuid.UUID{other.ID, A.site.ID}, list(itam.LocationFilter{RootsOnly: true}))
	require.Equal(t, []uuid.UUID{A.building.ID}, list(itam.LocationFilter{ParentID: &A.site.ID}))
	require.Equal(t, []uuid.UUID{room.ID}, list(itam.LocationFilter{Kind: ptr(itam.LocationRoom)}))
	require.Equal(t, []uuid.UUID{other.ID}, list(itam.LocationFilter{Search: ptr("nne")}))

	// Moving the building under another site moves everything below it.
	b, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.building.ID, Version: A.building.Version, ParentID: itam.Some(other.ID)})
	require.NoError(t, err)
	require.Equal(t, other.ID, *b.ParentID)
	path, err := f.locations.LocationPath(ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{other.ID, A.building.ID, A.floor.ID, room.ID}, path)
	require.Equal(t, []uuid.UUID{A.floor.ID, room.ID, other.ID, A.building.ID}, list(itam.LocationFilter{WithinID: &other.ID}))

	// Clearing the parent makes it a root.
	b, err = f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: b.ID, Version: b.Version, ParentID: itam.Optional[uuid.UUID]{Set: true}})
	require.NoError(t, err)
	require.Nil(t, b.ParentID)
	path, err = f.locations.LocationPath(ctx, A.floor.ID)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{A.building.ID, A.floor.ID}, path)

	// Clearing the address clears every line.
	s, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.site.ID, Version: A.site.Version, Address: itam.Optional[itam.AddressPatch]{Set: true}})
	require.NoError(t, err)
	require.Equal(t, itam.Address{}, s.Address)
}
