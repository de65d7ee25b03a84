package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

var suppliersTable = catalogTable[*itam.Supplier]{
	what: "supplier", name: "suppliers", columns: supplierColumns, scan: scanSupplier,
	id:      func(s *itam.Supplier) uuid.UUID { return s.ID },
	label:   func(s *itam.Supplier) string { return s.Name },
	version: func(s *itam.Supplier) int { return s.Version },
}

// ListSuppliers returns one page of suppliers matching f, by name.
// EMPLOYEE may not read suppliers.
func (c *Catalog) ListSuppliers(ctx context.Context, f itam.NameFilter, page itam.PageArgs) (itam.Page[*itam.Supplier], error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return itam.Page[*itam.Supplier]{}, err
	}
	where, args := nameWhere(f)
	return suppliersTable.page(ctx, c.db, p.OrgID, where, args, page)
}

// CountSuppliers returns how many suppliers match f.
func (c *Catalog) CountSuppliers(ctx context.Context, f itam.NameFilter) (int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return 0, err
	}
	where, args := nameWhere(f)
	return count(ctx, c.db, p.OrgID, "suppliers x", where, args)
}

// validateSupplier normalizes and checks a supplier about to be stored.
func validateSupplier(s *itam.Supplier) error {
	var err error
	if s.Name, err = requiredText("name", &s.Name); err != nil {
		return err
	}
	s.ContactName, s.Email, s.Phone, s.Website = itam.Trimmed(s.ContactName), itam.Trimmed(s.Email), itam.Trimmed(s.Phone), itam.Trimmed(s.Website)
	if s.Email != nil {
		if _, err := validEmail("email", *s.Email); err != nil {
			return err
		}
	}
	return nil
}

// CreateSupplier adds a supplier; names are unique regardless of case.
func (c *Catalog) CreateSupplier(ctx context.Context, in itam.SupplierInput) (*itam.Supplier, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	s := &itam.Supplier{Name: in.Name, ContactName: in.ContactName, Email: in.Email, Phone: in.Phone, Website: in.Website}
	if err := validateSupplier(s); err != nil {
		return nil, err
	}
	var out *itam.Supplier
	err = c.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = returningOne(ctx, tx, scanSupplier, `INSERT INTO suppliers AS x (org_id, name, contact_name, email, phone, website)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+supplierColumns,
			p.OrgID, s.Name, s.ContactName, s.Email, s.Phone, s.Website)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateSupplier changes a supplier; the caller's version must be current.
func (c *Catalog) UpdateSupplier(ctx context.Context, in itam.SupplierPatch) (*itam.Supplier, error) {
	return suppliersTable.update(ctx, c.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Supplier) (*itam.Supplier, error) {
		s := *cur
		if err := patchRequired(&s.Name, "name", in.Name); err != nil {
			return nil, err
		}
		patchText(&s.ContactName, in.ContactName)
		patchText(&s.Email, in.Email)
		patchText(&s.Phone, in.Phone)
		patchText(&s.Website, in.Website)
		if err := validateSupplier(&s); err != nil {
			return nil, err
		}
		if unchanged(cur, &s) {
			return cur, nil
		}
		return returningOne(ctx, tx, scanSupplier, `UPDATE suppliers x SET name = $2, contact_name = $3, email = $4, phone = $5, website = $6,
			version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+supplierColumns,
			s.ID, s.Name, s.ContactName, s.Email, s.Phone, s.Website)
	})
}

// DeleteSupplier removes a supplier; refused (CONFLICT) while assets reference it.
func (c *Catalog) DeleteSupplier(ctx context.Context, id uuid.UUID, version *int) (*itam.Supplier, error) {
	return suppliersTable.remove(ctx, c.db, id, version)
}
