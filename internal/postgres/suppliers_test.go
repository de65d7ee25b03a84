package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/stretchr/testify/require"
)

// TestSupplierStore: org A sees its own suppliers only, and an EMPLOYEE
// none at all; bad emails, duplicates and deleting a used supplier are
// refused and write nothing; a supplier round-trips.
func TestSupplierStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A, B := f.A, f.B
	ctx := f.A.admin
	stale := 99

	t.Run("tenant isolation", func(t *testing.T) {
		requireIsolatedLists(t, []isolatedList{
			{"suppliers", func() ([]uuid.UUID, error) {
				p, err := f.suppliers.ListSuppliers(ctx, itam.NameFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *itam.Supplier) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.suppliers.CountSuppliers(ctx, itam.NameFilter{}) }, []uuid.UUID{A.supplier.ID}},
		})
		requireIsolatedByIDs(t, []isolatedByIDs{
			{"suppliers", func(x []uuid.UUID) (int, error) { m, err := f.suppliers.SuppliersByIDs(ctx, x); return len(m), err }, A.supplier.ID, B.supplier.ID},
		})
		t.Run("search", func(t *testing.T) {
			n, err := f.suppliers.CountSuppliers(ctx, itam.NameFilter{Search: ptr("nothing")})
			require.NoError(t, err)
			require.Zero(t, n)
		})
	})
	t.Run("refuses bad writes without writing", func(t *testing.T) {
		f.requireRefusals(t, []refusal{
			// Blank required names.
			{"supplier blank name", func() error { _, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: " "}); return err }, itam.CodeInvalid, "name"},

			// Duplicates, regardless of case.
			{"duplicate supplier", func() error { _, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "cdw"}); return err }, itam.CodeConflict, "name"},

			// Invalid values.
			{"bad supplier email", func() error {
				_, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "Y", Email: ptr("nope")})
				return err
			}, itam.CodeInvalid, "email"},

			// Stale versions.
			{"stale supplier", func() error {
				_, err := f.suppliers.UpdateSupplier(ctx, itam.SupplierPatch{ID: A.supplier.ID, Version: stale, Name: itam.Some("S")})
				return err
			}, itam.CodeConflict, "version"},

			// Deletes of referenced rows.
			{"delete supplier with assets", func() error { _, err := f.suppliers.DeleteSupplier(ctx, A.supplier.ID, nil); return err }, itam.CodeConflict, "id"},

			// Rows of another organization do not exist.
			{"delete another org's supplier", func() error { _, err := f.suppliers.DeleteSupplier(ctx, B.supplier.ID, nil); return err }, itam.CodeNotFound, ""},
		})
	})
	t.Run("roles", func(t *testing.T) {
		f.requireWritersOnly(t, false, map[string]func(ctx context.Context) error{
			"CreateSupplier": func(ctx context.Context) error {
				_, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "S"})
				return err
			},
			"UpdateSupplier": func(ctx context.Context) error {
				_, err := f.suppliers.UpdateSupplier(ctx, itam.SupplierPatch{ID: A.supplier.ID, Version: 1})
				return err
			},
			"DeleteSupplier": func(ctx context.Context) error {
				_, err := f.suppliers.DeleteSupplier(ctx, A.supplier.ID, nil)
				return err
			},
		})
		t.Run("employee may not read suppliers", func(t *testing.T) {
			employee := f.employee()
			_, err := f.suppliers.ListSuppliers(employee, itam.NameFilter{}, itam.PageArgs{})
			requireCode(t, err, itam.CodeForbidden, "")
			_, err = f.suppliers.CountSuppliers(employee, itam.NameFilter{})
			requireCode(t, err, itam.CodeForbidden, "")
			_, err = f.suppliers.SuppliersByIDs(employee, []uuid.UUID{A.supplier.ID})
			requireCode(t, err, itam.CodeForbidden, "")

			sups, err := f.suppliers.ListSuppliers(f.auditor(), itam.NameFilter{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Len(t, sups.Items, 1)
		})
	})
	t.Run("create update delete", func(t *testing.T) {
		f.requireCRUD(t, []crudCase{
			{
				name: "supplier", table: "suppliers",
				create: func(t *testing.T) (uuid.UUID, int) {
					x, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "Insight", Phone: ptr(" +1 555 "), Email: ptr("")})
					require.NoError(t, err)
					require.Equal(t, "+1 555", *x.Phone)
					require.Nil(t, x.Email)
					return x.ID, x.Version
				},
				update: func(t *testing.T, id uuid.UUID, v int) int {
					x, err := f.suppliers.UpdateSupplier(ctx, itam.SupplierPatch{ID: id, Version: v, Email: itam.Some("orders@insight.example"), Phone: itam.Optional[string]{Set: true}})
					require.NoError(t, err)
					require.Equal(t, "orders@insight.example", *x.Email)
					require.Nil(t, x.Phone)
					return x.Version
				},
				delete: func(id uuid.UUID, v *int) error { _, err := f.suppliers.DeleteSupplier(ctx, id, v); return err },
			},
		})
	})
}
