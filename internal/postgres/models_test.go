package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/stretchr/testify/require"
)

// TestModelStore: the product catalog (manufacturers, categories, models)
// of org A only; bad field definitions, useful lives, cross-tenant
// references and a manufacturer change of a model in use are refused.
func TestModelStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A, B := f.A, f.B
	ctx := f.A.admin
	stale := 99

	t.Run("tenant isolation", func(t *testing.T) {
		requireIsolatedLists(t, []isolatedList{
			{"manufacturers", func() ([]uuid.UUID, error) {
				p, err := f.models.ListManufacturers(ctx, itam.NameFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *itam.Manufacturer) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.models.CountManufacturers(ctx, itam.NameFilter{}) }, []uuid.UUID{A.mfr.ID}},
			{"categories", func() ([]uuid.UUID, error) {
				p, err := f.models.ListCategories(ctx, itam.CategoryFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *itam.Category) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.models.CountCategories(ctx, itam.CategoryFilter{}) }, []uuid.UUID{A.cat.ID}},
			{"models", func() ([]uuid.UUID, error) {
				p, err := f.models.ListModels(ctx, itam.ModelFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *itam.Model) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.models.CountModels(ctx, itam.ModelFilter{}) }, []uuid.UUID{A.model.ID}},
		})
		requireIsolatedByIDs(t, []isolatedByIDs{
			{"manufacturers", func(x []uuid.UUID) (int, error) { m, err := f.models.ManufacturersByIDs(ctx, x); return len(m), err }, A.mfr.ID, B.mfr.ID},
			{"categories", func(x []uuid.UUID) (int, error) { m, err := f.models.CategoriesByIDs(ctx, x); return len(m), err }, A.cat.ID, B.cat.ID},
			{"models", func(x []uuid.UUID) (int, error) { m, err := f.models.ModelsByIDs(ctx, x); return len(m), err }, A.model.ID, B.model.ID},
		})
	})
	t.Run("refuses bad writes without writing", func(t *testing.T) {
		f.requireRefusals(t, []refusal{
			// Blank required names.
			{"manufacturer blank name", func() error { _, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{}); return err }, itam.CodeInvalid, "name"},
			{"category blank name", func() error {
				_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: " ", Kind: itam.CategoryOther})
				return err
			}, itam.CodeInvalid, "name"},
			{"model blank name", func() error {
				_, err := f.models.CreateModel(ctx, itam.ModelInput{ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID})
				return err
			}, itam.CodeInvalid, "name"},

			// Duplicates, regardless of case.
			{"duplicate manufacturer", func() error {
				_, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "DELL"})
				return err
			}, itam.CodeConflict, "name"},
			{"duplicate category", func() error {
				_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "laptops", Kind: itam.CategoryLaptop})
				return err
			}, itam.CodeConflict, "name"},
			{"duplicate model of a manufacturer", func() error {
				_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "LATITUDE 7440", ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID})
				return err
			}, itam.CodeConflict, "name"},

			// Invalid values.
			{"useful life out of range", func() error {
				_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "M", ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID, UsefulLifeMonths: ptr(0)})
				return err
			}, itam.CodeInvalid, "usefulLifeMonths"},
			{"bad field definition", func() error {
				_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "C", Kind: itam.CategoryCustom,
					FieldDefinitions: []itam.FieldDefinition{{Key: "ok", Label: "OK", Type: itam.FieldText}, {Key: "Bad Key", Label: "B", Type: itam.FieldText}}})
				return err
			}, itam.CodeInvalid, "fieldDefinitions[1].key"},
			{"unknown category kind", func() error {
				_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "C", Kind: "TOASTER"})
				return err
			}, itam.CodeInvalid, "kind"},

			// References to rows of another organization are unknown.
			{"manufacturer of another org", func() error {
				_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "M", ManufacturerID: B.mfr.ID, CategoryID: A.cat.ID})
				return err
			}, itam.CodeInvalid, "manufacturerId"},
			{"category of another org", func() error {
				_, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: A.model.Version, CategoryID: itam.Some(B.cat.ID)})
				return err
			}, itam.CodeInvalid, "categoryId"},

			// Stale versions.
			{"stale manufacturer", func() error {
				_, err := f.models.UpdateManufacturer(ctx, itam.ManufacturerPatch{ID: A.mfr.ID, Version: stale, Name: itam.Some("D")})
				return err
			}, itam.CodeConflict, "version"},
			{"stale category", func() error {
				_, err := f.models.UpdateCategory(ctx, itam.CategoryPatch{ID: A.cat.ID, Version: stale, Name: itam.Some("C")})
				return err
			}, itam.CodeConflict, "version"},
			{"stale model", func() error {
				_, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: stale, Name: itam.Some("M")})
				return err
			}, itam.CodeConflict, "version"},

			// Deletes of referenced rows.
			{"delete manufacturer with models", func() error { _, err := f.models.DeleteManufacturer(ctx, A.mfr.ID, nil); return err }, itam.CodeConflict, "id"},
			{"delete category with models", func() error { _, err := f.models.DeleteCategory(ctx, A.cat.ID, nil); return err }, itam.CodeConflict, "id"},
			{"delete model with assets", func() error { _, err := f.models.DeleteModel(ctx, A.model.ID, nil); return err }, itam.CodeConflict, "id"},
			{"change manufacturer of a model in use", func() error {
				m2, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "HP"})
				if err != nil {
					return err
				}
				defer func() { _, _ = f.models.DeleteManufacturer(ctx, m2.ID, nil) }()
				_, err = f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: A.model.Version, ManufacturerID: itam.Some(m2.ID)})
				return err
			}, itam.CodeConflict, "manufacturerId"},
		})
	})
	t.Run("roles", func(t *testing.T) {
		f.requireWritersOnly(t, false, map[string]func(ctx context.Context) error{
			"CreateManufacturer": func(ctx context.Context) error {
				_, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "M"})
				return err
			},
			"UpdateManufacturer": func(ctx context.Context) error {
				_, err := f.models.UpdateManufacturer(ctx, itam.ManufacturerPatch{ID: A.mfr.ID, Version: 1})
				return err
			},
			"DeleteManufacturer": func(ctx context.Context) error { _, err := f.models.DeleteManufacturer(ctx, A.mfr.ID, nil); return err },
			"CreateCategory": func(ctx context.Context) error {
				_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "C", Kind: itam.CategoryOther})
				return err
			},
			"UpdateCategory": func(ctx context.Context) error {
				_, err := f.models.UpdateCategory(ctx, itam.CategoryPatch{ID: A.cat.ID, Version: 1})
				return err
			},
			"DeleteCategory": func(ctx context.Context) error { _, err := f.models.DeleteCategory(ctx, A.cat.ID, nil); return err },
			"CreateModel": func(ctx context.Context) error {
				_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "M", ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID})
				return err
			},
			"UpdateModel": func(ctx context.Context) error {
				_, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: 1})
				return err
			},
			"DeleteModel": func(ctx context.Context) error { _, err := f.models.DeleteModel(ctx, A.model.ID, nil); return err },
		})
		t.Run("employee reads the catalog", func(t *testing.T) {
			employee := f.employee()
			mfrs, err := f.models.ListManufacturers(employee, itam.NameFilter{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Len(t, mfrs.Items, 1)
			cats, err := f.models.ListCategories(employee, itam.CategoryFilter{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Len(t, cats.Items, 1)
			models, err := f.models.ListModels(employee, itam.ModelFilter{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Len(t, models.Items, 1)
		})
	})
	t.Run("create update delete", func(t *testing.T) {
		f.requireCRUD(t, []crudCase{
			{
				name: "manufacturer", table: "manufacturers",
				create: func(t *testing.T) (uuid.UUID, int) {
					x, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "Lenovo"})
					require.NoError(t, err)
					return x.ID, x.Version
				},
				update: func(t *testing.T, id uuid.UUID, v int) int {
					x, err := f.models.UpdateManufacturer(ctx, itam.ManufacturerPatch{ID: id, Version: v, SupportURL: itam.Some("https://support.lenovo.com")})
					require.NoError(t, err)
					require.Equal(t, "Lenovo", x.Name)
					require.Equal(t, "https://support.lenovo.com", *x.SupportURL)
					return x.Version
				},
				delete: func(id uuid.UUID, v *int) error { _, err := f.models.DeleteManufacturer(ctx, id, v); return err },
			},
			{
				name: "category", table: "categories",
				create: func(t *testing.T) (uuid.UUID, int) {
					x, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "Phones", Kind: itam.CategoryPhone})
					require.NoError(t, err)
					require.NotNil(t, x.FieldDefinitions)
					require.Empty(t, x.FieldDefinitions)
					return x.ID, x.Version
				},
				update: func(t *testing.T, id uuid.UUID, v int) int {
					defs := []itam.FieldDefinition{{Key: "carrier", Label: "Carrier", Type: itam.FieldEnum, Options: []string{"A", "B"}, Required: true}}
					x, err := f.models.UpdateCategory(ctx, itam.CategoryPatch{ID: id, Version: v, FieldDefinitions: itam.Some(defs)})
					require.NoError(t, err)
					require.Equal(t, defs, x.FieldDefinitions)
					return x.Version
				},
				delete: func(id uuid.UUID, v *int) error { _, err := f.models.DeleteCategory(ctx, id, v); return err },
			},
			{
				name: "model", table: "models",
				create: func(t *testing.T) (uuid.UUID, int) {
					x, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "XPS 13", ManufacturerID: f.A.mfr.ID, CategoryID: f.A.cat.ID, ModelNumber: ptr("9340")})
					require.NoError(t, err)
					require.Equal(t, f.A.mfr.ID, x.ManufacturerID)
					return x.ID, x.Version
				},
				update: func(t *testing.T, id uuid.UUID, v int) int {
					m2, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "Dell Technologies"})
					require.NoError(t, err)
					x, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: id, Version: v, ManufacturerID: itam.Some(m2.ID), UsefulLifeMonths: itam.Some(48),
						ModelNumber: itam.Optional[string]{Set: true}})
					require.NoError(t, err)
					require.Equal(t, m2.ID, x.ManufacturerID, "an unused model may change manufacturer")
					require.Equal(t, 48, *x.UsefulLifeMonths)
					require.Nil(t, x.ModelNumber)
					return x.Version
				},
				delete: func(id uuid.UUID, v *int) error { _, err := f.models.DeleteModel(ctx, id, v); return err },
			},
		})
	})
}

// TestModelSearchFilters: models filter by manufacturer, category and a
// search over name and model number; categories by kind.
func TestModelSearchFilters(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A := f.A
	ctx := A.admin

	hp, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "HP"})
	require.NoError(t, err)
	phones, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "Phones", Kind: itam.CategoryPhone})
	require.NoError(t, err)
	elite, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "EliteBook", ManufacturerID: hp.ID, CategoryID: A.cat.ID, ModelNumber: ptr("840-G10")})
	require.NoError(t, err)

	models := func(mf itam.ModelFilter) []uuid.UUID {
		t.Helper()
		p, err := f.models.ListModels(ctx, mf, itam.PageArgs{})
		require.NoError(t, err)
		return ids(p.Items, func(m *itam.Model) uuid.UUID { return m.ID })
	}
	require.Equal(t, []uuid.UUID{elite.ID, A.model.ID}, models(itam.ModelFilter{}))
	require.Equal(t, []uuid.UUID{elite.ID}, models(itam.ModelFilter{ManufacturerIDs: []uuid.UUID{hp.ID}}))
	require.Equal(t, []uuid.UUID{elite.ID}, models(itam.ModelFilter{Search: ptr("g10")}))
	require.Empty(t, models(itam.ModelFilter{CategoryIDs: []uuid.UUID{phones.ID}}))

	cats, err := f.models.ListCategories(ctx, itam.CategoryFilter{Kind: ptr(itam.CategoryPhone)}, itam.PageArgs{})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{phones.ID}, ids(cats.Items, func(x *itam.Category) uuid.UUID { return x.ID }))
	n, err := f.models.CountManufacturers(ctx, itam.NameFilter{Search: ptr("d")})
	require.NoError(t, err)
	require.Equal(t, 1, n)
}
