package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// Manufacturers, categories and models: the product catalog assets point at.

var manufacturersTable = catalogTable[*itam.Manufacturer]{
	what: "manufacturer", name: "manufacturers", columns: manufacturerColumns, scan: scanManufacturer,
	id:      func(m *itam.Manufacturer) uuid.UUID { return m.ID },
	label:   func(m *itam.Manufacturer) string { return m.Name },
	version: func(m *itam.Manufacturer) int { return m.Version },
}

func nameWhere(f itam.NameFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	return searchWhere(nil, args, f.Search, "x.name"), args
}

// ListManufacturers returns one page of manufacturers matching f, by name.
func (c *Catalog) ListManufacturers(ctx context.Context, f itam.NameFilter, page itam.PageArgs) (itam.Page[*itam.Manufacturer], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return itam.Page[*itam.Manufacturer]{}, err
	}
	where, args := nameWhere(f)
	return manufacturersTable.page(ctx, c.db, p.OrgID, where, args, page)
}

// CountManufacturers returns how many manufacturers match f.
func (c *Catalog) CountManufacturers(ctx context.Context, f itam.NameFilter) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	where, args := nameWhere(f)
	return count(ctx, c.db, p.OrgID, "manufacturers x", where, args)
}

// CreateManufacturer adds a manufacturer; names are unique regardless of case.
func (c *Catalog) CreateManufacturer(ctx context.Context, in itam.ManufacturerInput) (*itam.Manufacturer, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	name, err := requiredText("name", &in.Name)
	if err != nil {
		return nil, err
	}
	var out *itam.Manufacturer
	err = c.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = returningOne(ctx, tx, scanManufacturer, `INSERT INTO manufacturers AS x (org_id, name, website, support_url)
			VALUES ($1, $2, $3, $4) RETURNING `+manufacturerColumns,
			p.OrgID, name, itam.Trimmed(in.Website), itam.Trimmed(in.SupportURL))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateManufacturer changes a manufacturer; the caller's version must be current.
func (c *Catalog) UpdateManufacturer(ctx context.Context, in itam.ManufacturerPatch) (*itam.Manufacturer, error) {
	return manufacturersTable.update(ctx, c.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Manufacturer) (*itam.Manufacturer, error) {
		m := *cur
		if err := patchRequired(&m.Name, "name", in.Name); err != nil {
			return nil, err
		}
		patchText(&m.Website, in.Website)
		patchText(&m.SupportURL, in.SupportURL)
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
func (c *Catalog) DeleteManufacturer(ctx context.Context, id uuid.UUID, version *int) (*itam.Manufacturer, error) {
	return manufacturersTable.remove(ctx, c.db, id, version)
}

var categoriesTable = catalogTable[*itam.Category]{
	what: "category", name: "categories", columns: categoryColumns, scan: scanCategory,
	id:      func(c *itam.Category) uuid.UUID { return c.ID },
	label:   func(c *itam.Category) string { return c.Name },
	version: func(c *itam.Category) int { return c.Version },
}

func categoriesWhere(f itam.CategoryFilter) ([]string, *sqlArgs, error) {
	args := &sqlArgs{}
	where := searchWhere(nil, args, f.Search, "x.name")
	if f.Kind != nil {
		if !slices.Contains(itam.CategoryKinds, *f.Kind) {
			return nil, nil, itam.Invalid("filter.kind", "unknown category kind %q", *f.Kind)
		}
		where = append(where, "x.kind = "+args.add(string(*f.Kind))+"::text::category_kind")
	}
	return where, args, nil
}

// ListCategories returns one page of categories matching f, by name.
func (c *Catalog) ListCategories(ctx context.Context, f itam.CategoryFilter, page itam.PageArgs) (itam.Page[*itam.Category], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return itam.Page[*itam.Category]{}, err
	}
	where, args, err := categoriesWhere(f)
	if err != nil {
		return itam.Page[*itam.Category]{}, err
	}
	return categoriesTable.page(ctx, c.db, p.OrgID, where, args, page)
}

// CountCategories returns how many categories match f.
func (c *Catalog) CountCategories(ctx context.Context, f itam.CategoryFilter) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	where, args, err := categoriesWhere(f)
	if err != nil {
		return 0, err
	}
	return count(ctx, c.db, p.OrgID, "categories x", where, args)
}

// validateCategory normalizes and checks a category about to be stored.
func validateCategory(x *itam.Category) error {
	var err error
	if x.Name, err = requiredText("name", &x.Name); err != nil {
		return err
	}
	if !slices.Contains(itam.CategoryKinds, x.Kind) {
		return itam.Invalid("kind", "unknown category kind %q", x.Kind)
	}
	defs := make([]itam.FieldDefinition, len(x.FieldDefinitions))
	for i, d := range x.FieldDefinitions {
		d.Key, d.Label = strings.TrimSpace(d.Key), strings.TrimSpace(d.Label)
		d.Options = slices.Clone(d.Options)
		for j := range d.Options {
			d.Options[j] = strings.TrimSpace(d.Options[j])
			if d.Options[j] == "" {
				return itam.Invalid(fmt.Sprintf("fieldDefinitions[%d].options[%d]", i, j), "options cannot be blank")
			}
		}
		defs[i] = d
	}
	x.FieldDefinitions = defs // never nil: the column holds a JSON array
	return itam.ValidateFieldDefinitions(defs, "fieldDefinitions")
}

// CreateCategory adds a category with its custom field definitions.
func (c *Catalog) CreateCategory(ctx context.Context, in itam.CategoryInput) (*itam.Category, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	x := &itam.Category{Name: in.Name, Kind: in.Kind, FieldDefinitions: in.FieldDefinitions}
	if err := validateCategory(x); err != nil {
		return nil, err
	}
	var out *itam.Category
	err = c.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = returningOne(ctx, tx, scanCategory, `INSERT INTO categories AS x (org_id, name, kind, field_definitions)
			VALUES ($1, $2, $3::text::category_kind, $4) RETURNING `+categoryColumns,
			p.OrgID, x.Name, string(x.Kind), x.FieldDefinitions)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCategory changes a category; the caller's version must be current.
// New field definitions apply to assets as they are next written.
func (c *Catalog) UpdateCategory(ctx context.Context, in itam.CategoryPatch) (*itam.Category, error) {
	return categoriesTable.update(ctx, c.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Category) (*itam.Category, error) {
		x := *cur
		if err := patchRequired(&x.Name, "name", in.Name); err != nil {
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
		if err := validateCategory(&x); err != nil {
			return nil, err
		}
		if unchanged(cur, &x) {
			return cur, nil
		}
		return returningOne(ctx, tx, scanCategory, `UPDATE categories x SET name = $2, kind = $3::text::category_kind, field_definitions = $4,
			version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+categoryColumns,
			x.ID, x.Name, string(x.Kind), x.FieldDefinitions)
	})
}

// DeleteCategory removes a category; refused (CONFLICT) while models use it.
func (c *Catalog) DeleteCategory(ctx context.Context, id uuid.UUID, version *int) (*itam.Category, error) {
	return categoriesTable.remove(ctx, c.db, id, version)
}

var modelsTable = catalogTable[*itam.Model]{
	what: "model", name: "models", columns: modelColumns, scan: scanModel,
	id:      func(m *itam.Model) uuid.UUID { return m.ID },
	label:   func(m *itam.Model) string { return m.Name },
	version: func(m *itam.Model) int { return m.Version },
}

func modelsWhere(f itam.ModelFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	where := searchWhere(nil, args, f.Search, "x.name", "x.model_number")
	if f.ManufacturerIDs != nil {
		where = append(where, fmt.Sprintf("x.manufacturer_id = ANY(%s::uuid[])", args.add(f.ManufacturerIDs)))
	}
	if f.CategoryIDs != nil {
		where = append(where, fmt.Sprintf("x.category_id = ANY(%s::uuid[])", args.add(f.CategoryIDs)))
	}
	return where, args
}

// ListModels returns one page of models matching f, by name.
func (c *Catalog) ListModels(ctx context.Context, f itam.ModelFilter, page itam.PageArgs) (itam.Page[*itam.Model], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return itam.Page[*itam.Model]{}, err
	}
	where, args := modelsWhere(f)
	return modelsTable.page(ctx, c.db, p.OrgID, where, args, page)
}

// CountModels returns how many models match f.
func (c *Catalog) CountModels(ctx context.Context, f itam.ModelFilter) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	where, args := modelsWhere(f)
	return count(ctx, c.db, p.OrgID, "models x", where, args)
}

// validateModel normalizes and checks a model about to be stored. Unknown
// manufacturer or category ids surface from their foreign keys as
// BAD_USER_INPUT on manufacturerId and categoryId.
func validateModel(m *itam.Model) error {
	var err error
	if m.Name, err = requiredText("name", &m.Name); err != nil {
		return err
	}
	m.ModelNumber = itam.Trimmed(m.ModelNumber)
	if m.UsefulLifeMonths != nil && (*m.UsefulLifeMonths < 1 || *m.UsefulLifeMonths > 600) {
		return itam.Invalid("usefulLifeMonths", "useful life must be between 1 and 600 months")
	}
	return nil
}

// CreateModel adds a model of a manufacturer in a category.
func (c *Catalog) CreateModel(ctx context.Context, in itam.ModelInput) (*itam.Model, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	m := &itam.Model{Name: in.Name, ManufacturerID: in.ManufacturerID, CategoryID: in.CategoryID,
		ModelNumber: in.ModelNumber, UsefulLifeMonths: in.UsefulLifeMonths}
	if err := validateModel(m); err != nil {
		return nil, err
	}
	var out *itam.Model
	err = c.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = returningOne(ctx, tx, scanModel, `INSERT INTO models AS x (org_id, name, manufacturer_id, category_id, model_number, useful_life_months)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+modelColumns,
			p.OrgID, m.Name, m.ManufacturerID, m.CategoryID, m.ModelNumber, m.UsefulLifeMonths)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateModel changes a model; the caller's version must be current. Assets
// carry their model's manufacturer (serial numbers are unique per
// manufacturer), so the manufacturer of a model in use cannot change.
func (c *Catalog) UpdateModel(ctx context.Context, in itam.ModelPatch) (*itam.Model, error) {
	return modelsTable.update(ctx, c.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Model) (*itam.Model, error) {
		m := *cur
		if err := patchRequired(&m.Name, "name", in.Name); err != nil {
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
		patchText(&m.ModelNumber, in.ModelNumber)
		set(&m.UsefulLifeMonths, in.UsefulLifeMonths)
		if err := validateModel(&m); err != nil {
			return nil, err
		}
		if unchanged(cur, &m) {
			return cur, nil
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
			useful_life_months = $6, version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+modelColumns,
			m.ID, m.Name, m.ManufacturerID, m.CategoryID, m.ModelNumber, m.UsefulLifeMonths)
	})
}

// DeleteModel removes a model; refused (CONFLICT) while assets use it.
func (c *Catalog) DeleteModel(ctx context.Context, id uuid.UUID, version *int) (*itam.Model, error) {
	return modelsTable.remove(ctx, c.db, id, version)
}
