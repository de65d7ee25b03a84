package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/audits"
	"github.com/itam-dev/itam/internal/itam"
)

// Manufacturers, categories and models: the product catalog assets point at.

// ModelStore loads and saves the product catalog: manufacturers,
// categories and the models that belong to both. One store, because a
// model's rules (its manufacturer cannot change while assets use it) span
// all three.
type ModelStore struct{ db *DB }

// NewModelStore returns a ModelStore over db.
func NewModelStore(db *DB) *ModelStore { return &ModelStore{db: db} }

var manufacturersTable = filtered[*itam.Manufacturer, itam.NameFilter]{
	catalogTable: catalogTable[*itam.Manufacturer]{
		what: "manufacturer", name: "manufacturers", columns: manufacturerColumns, scan: scanManufacturer,
		id:      func(m *itam.Manufacturer) uuid.UUID { return m.ID },
		label:   func(m *itam.Manufacturer) string { return m.Name },
		version: func(m *itam.Manufacturer) int { return m.Version },
	},
	where: nameWhere,
}

// ListManufacturers returns one page of manufacturers matching f, by name.
func (s *ModelStore) ListManufacturers(ctx context.Context, f itam.NameFilter, page itam.PageArgs) (itam.Page[*itam.Manufacturer], error) {
	return manufacturersTable.listBy(ctx, s.db, f, page)
}

// CountManufacturers returns how many manufacturers match f.
func (s *ModelStore) CountManufacturers(ctx context.Context, f itam.NameFilter) (int, error) {
	return manufacturersTable.countBy(ctx, s.db, f)
}

// CreateManufacturer adds a manufacturer; names are unique regardless of case.
func (s *ModelStore) CreateManufacturer(ctx context.Context, in itam.ManufacturerInput) (*itam.Manufacturer, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	name, err := itam.RequiredText("name", &in.Name)
	if err != nil {
		return nil, err
	}
	return manufacturersTable.insert(ctx, s.db, p.OrgID, nil, `INSERT INTO manufacturers AS x (org_id, name, website, support_url)
		VALUES ($1, $2, $3, $4) RETURNING `+manufacturerColumns,
		p.OrgID, name, itam.Trimmed(in.Website), itam.Trimmed(in.SupportURL))
}

// UpdateManufacturer changes a manufacturer; the caller's version must be current.
func (s *ModelStore) UpdateManufacturer(ctx context.Context, in itam.ManufacturerPatch) (*itam.Manufacturer, error) {
	return manufacturersTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Manufacturer) (*itam.Manufacturer, error) {
		m := *cur
		if err := itam.PatchRequired(&m.Name, "name", in.Name); err != nil {
			return nil, err
		}
		itam.PatchText(&m.Website, in.Website)
		itam.PatchText(&m.SupportURL, in.SupportURL)
		if unchanged(cur, &m) {
			return cur, nil
		}
		return returningOne(ctx, tx, scanManufacturer, `UPDATE manufacturers x SET name = $2, website = $3, support_url = $4,
			version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+manufacturerColumns,
			m.ID, m.Name, m.Website, m.SupportURL)
	})
}

// DeleteManufacturer removes a manufacturer; refused (CONFLICT) while models
// or assets reference it.
func (s *ModelStore) DeleteManufacturer(ctx context.Context, id uuid.UUID, version *int) (*itam.Manufacturer, error) {
	return manufacturersTable.remove(ctx, s.db, id, version)
}

var categoriesTable = filtered[*itam.Category, itam.CategoryFilter]{
	catalogTable: catalogTable[*itam.Category]{
		what: "category", name: "categories", columns: categoryColumns, scan: scanCategory,
		id:      func(c *itam.Category) uuid.UUID { return c.ID },
		label:   func(c *itam.Category) string { return c.Name },
		version: func(c *itam.Category) int { return c.Version },
	},
	where: func(_ itam.Principal, f itam.CategoryFilter) ([]string, *sqlArgs, error) {
		args := &sqlArgs{}
		where := searchWhere(nil, args, f.Search, "x.name")
		if f.Kind != nil {
			if !slices.Contains(itam.CategoryKinds, *f.Kind) {
				return nil, nil, itam.Invalid("filter.kind", "unknown category kind %q", *f.Kind)
			}
			where = append(where, "x.kind = "+args.add(string(*f.Kind))+"::text::category_kind")
		}
		return where, args, nil
	},
}

// ListCategories returns one page of categories matching f, by name.
func (s *ModelStore) ListCategories(ctx context.Context, f itam.CategoryFilter, page itam.PageArgs) (itam.Page[*itam.Category], error) {
	return categoriesTable.listBy(ctx, s.db, f, page)
}

// CountCategories returns how many categories match f.
func (s *ModelStore) CountCategories(ctx context.Context, f itam.CategoryFilter) (int, error) {
	return categoriesTable.countBy(ctx, s.db, f)
}

// CreateCategory adds a category with its custom field definitions.
func (s *ModelStore) CreateCategory(ctx context.Context, in itam.CategoryInput) (*itam.Category, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	x := &itam.Category{Name: in.Name, Kind: in.Kind, FieldDefinitions: in.FieldDefinitions, DepreciationProfileID: in.DepreciationProfileID,
		AuditIntervalMonths: in.AuditIntervalMonths, HasStorage: itam.KindCarriesStorage(in.Kind)}
	if in.HasStorage != nil {
		x.HasStorage = *in.HasStorage
	}
	if err := x.Validate(); err != nil {
		return nil, err
	}
	if err := audits.CheckInterval("auditIntervalMonths", x.AuditIntervalMonths); err != nil {
		return nil, err
	}
	return categoriesTable.insert(ctx, s.db, p.OrgID, profileExists(ctx, x.DepreciationProfileID, "depreciationProfileId"),
		`INSERT INTO categories AS x (org_id, name, kind, field_definitions, depreciation_profile_id, audit_interval_months, has_storage)
		VALUES ($1, $2, $3::text::category_kind, $4, $5, $6, $7) RETURNING `+categoryColumns,
		p.OrgID, x.Name, string(x.Kind), x.FieldDefinitions, x.DepreciationProfileID, x.AuditIntervalMonths, x.HasStorage)
}

// UpdateCategory changes a category; the caller's version must be current.
// New field definitions apply to assets as they are next written.
func (s *ModelStore) UpdateCategory(ctx context.Context, in itam.CategoryPatch) (*itam.Category, error) {
	return categoriesTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Category) (*itam.Category, error) {
		x := *cur
		if err := itam.PatchRequired(&x.Name, "name", in.Name); err != nil {
			return nil, err
		}
		if in.Kind.Set {
			if in.Kind.Value == nil {
				return nil, itam.Invalid("kind", "kind cannot be removed")
			}
			x.Kind = *in.Kind.Value
		}
		if in.FieldDefinitions.Set {
			x.FieldDefinitions = nil
			if in.FieldDefinitions.Value != nil {
				x.FieldDefinitions = *in.FieldDefinitions.Value
			}
		}
		itam.Patch(&x.DepreciationProfileID, in.DepreciationProfileID)
		itam.Patch(&x.AuditIntervalMonths, in.AuditIntervalMonths)
		if in.HasStorage != nil {
			x.HasStorage = *in.HasStorage
		}
		if err := x.Validate(); err != nil {
			return nil, err
		}
		if err := audits.CheckInterval("auditIntervalMonths", x.AuditIntervalMonths); err != nil {
			return nil, err
		}
		if unchanged(cur, &x) {
			return cur, nil
		}
		if in.DepreciationProfileID.Set {
			if err := profileExists(ctx, x.DepreciationProfileID, "depreciationProfileId")(tx); err != nil {
				return nil, err
			}
		}
		return returningOne(ctx, tx, scanCategory, `UPDATE categories x SET name = $2, kind = $3::text::category_kind, field_definitions = $4,
			depreciation_profile_id = $5, audit_interval_months = $6, has_storage = $7, version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+categoryColumns,
			x.ID, x.Name, string(x.Kind), x.FieldDefinitions, x.DepreciationProfileID, x.AuditIntervalMonths, x.HasStorage)
	})
}

// DeleteCategory removes a category; refused (CONFLICT) while models use it.
func (s *ModelStore) DeleteCategory(ctx context.Context, id uuid.UUID, version *int) (*itam.Category, error) {
	return categoriesTable.remove(ctx, s.db, id, version)
}

var modelsTable = filtered[*itam.Model, itam.ModelFilter]{
	catalogTable: catalogTable[*itam.Model]{
		what: "model", name: "models", columns: modelColumns, scan: scanModel,
		id:      func(m *itam.Model) uuid.UUID { return m.ID },
		label:   func(m *itam.Model) string { return m.Name },
		version: func(m *itam.Model) int { return m.Version },
	},
	where: func(_ itam.Principal, f itam.ModelFilter) ([]string, *sqlArgs, error) {
		args := &sqlArgs{}
		where := searchWhere(nil, args, f.Search, "x.name", "x.model_number")
		if f.ManufacturerIDs != nil {
			where = append(where, fmt.Sprintf("x.manufacturer_id = ANY(%s::uuid[])", args.add(f.ManufacturerIDs)))
		}
		if f.CategoryIDs != nil {
			where = append(where, fmt.Sprintf("x.category_id = ANY(%s::uuid[])", args.add(f.CategoryIDs)))
		}
		return where, args, nil
	},
}

// ListModels returns one page of models matching f, by name.
func (s *ModelStore) ListModels(ctx context.Context, f itam.ModelFilter, page itam.PageArgs) (itam.Page[*itam.Model], error) {
	return modelsTable.listBy(ctx, s.db, f, page)
}

// CountModels returns how many models match f.
func (s *ModelStore) CountModels(ctx context.Context, f itam.ModelFilter) (int, error) {
	return modelsTable.countBy(ctx, s.db, f)
}

// CreateModel adds a model of a manufacturer in a category.
func (s *ModelStore) CreateModel(ctx context.Context, in itam.ModelInput) (*itam.Model, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	m := &itam.Model{Name: in.Name, ManufacturerID: in.ManufacturerID, CategoryID: in.CategoryID,
		ModelNumber: in.ModelNumber, UsefulLifeMonths: in.UsefulLifeMonths, DepreciationProfileID: in.DepreciationProfileID}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return modelsTable.insert(ctx, s.db, p.OrgID, profileExists(ctx, m.DepreciationProfileID, "depreciationProfileId"),
		`INSERT INTO models AS x (org_id, name, manufacturer_id, category_id, model_number, useful_life_months, depreciation_profile_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+modelColumns,
		p.OrgID, m.Name, m.ManufacturerID, m.CategoryID, m.ModelNumber, m.UsefulLifeMonths, m.DepreciationProfileID)
}

// UpdateModel changes a model; the caller's version must be current. Assets
// carry their model's manufacturer (serial numbers are unique per
// manufacturer), so the manufacturer of a model in use cannot change.
func (s *ModelStore) UpdateModel(ctx context.Context, in itam.ModelPatch) (*itam.Model, error) {
	return modelsTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Model) (*itam.Model, error) {
		m := *cur
		if err := itam.PatchRequired(&m.Name, "name", in.Name); err != nil {
			return nil, err
		}
		if in.ManufacturerID.Set {
			if in.ManufacturerID.Value == nil {
				return nil, itam.Invalid("manufacturerId", "manufacturer cannot be removed")
			}
			m.ManufacturerID = *in.ManufacturerID.Value
		}
		if in.CategoryID.Set {
			if in.CategoryID.Value == nil {
				return nil, itam.Invalid("categoryId", "category cannot be removed")
			}
			m.CategoryID = *in.CategoryID.Value
		}
		itam.PatchText(&m.ModelNumber, in.ModelNumber)
		itam.Patch(&m.UsefulLifeMonths, in.UsefulLifeMonths)
		itam.Patch(&m.DepreciationProfileID, in.DepreciationProfileID)
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if unchanged(cur, &m) {
			return cur, nil
		}
		if in.DepreciationProfileID.Set {
			if err := profileExists(ctx, m.DepreciationProfileID, "depreciationProfileId")(tx); err != nil {
				return nil, err
			}
		}
		if m.ManufacturerID != cur.ManufacturerID {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM assets WHERE model_id = $1`, m.ID).Scan(&n); err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, itam.Conflict("manufacturerId", "%d assets are of this model: the manufacturer of a model in use cannot change", n)
			}
		}
		return returningOne(ctx, tx, scanModel, `UPDATE models x SET name = $2, manufacturer_id = $3, category_id = $4, model_number = $5,
			useful_life_months = $6, depreciation_profile_id = $7, version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+modelColumns,
			m.ID, m.Name, m.ManufacturerID, m.CategoryID, m.ModelNumber, m.UsefulLifeMonths, m.DepreciationProfileID)
	})
}

// DeleteModel removes a model; refused (CONFLICT) while assets use it.
func (s *ModelStore) DeleteModel(ctx context.Context, id uuid.UUID, version *int) (*itam.Model, error) {
	return modelsTable.remove(ctx, s.db, id, version)
}

// ManufacturersByIDs returns the manufacturers among ids.
func (s *ModelStore) ManufacturersByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Manufacturer, error) {
	return manufacturersTable.byIDs(ctx, s.db, ids)
}

// CategoriesByIDs returns the categories among ids.
func (s *ModelStore) CategoriesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Category, error) {
	return categoriesTable.byIDs(ctx, s.db, ids)
}

// ModelsByIDs returns the models among ids.
func (s *ModelStore) ModelsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Model, error) {
	return modelsTable.byIDs(ctx, s.db, ids)
}
