package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// SupplierStore loads and saves suppliers; EMPLOYEE may not read them.
type SupplierStore struct{ db *DB }

// NewSupplierStore returns a SupplierStore over db.
func NewSupplierStore(db *DB) *SupplierStore { return &SupplierStore{db: db} }

var suppliersTable = filtered[*itam.Supplier, itam.NameFilter]{
	catalogTable: catalogTable[*itam.Supplier]{
		what: "supplier", name: "suppliers", columns: supplierColumns, scan: scanSupplier,
		id:      func(s *itam.Supplier) uuid.UUID { return s.ID },
		label:   func(s *itam.Supplier) string { return s.Name },
		version: func(s *itam.Supplier) int { return s.Version },
	},
	read:  itam.RequireReadAll,
	where: nameWhere,
}

// ListSuppliers returns one page of suppliers matching f, by name.
// EMPLOYEE may not read suppliers.
func (s *SupplierStore) ListSuppliers(ctx context.Context, f itam.NameFilter, page itam.PageArgs) (itam.Page[*itam.Supplier], error) {
	return suppliersTable.listBy(ctx, s.db, f, page)
}

// CountSuppliers returns how many suppliers match f.
func (s *SupplierStore) CountSuppliers(ctx context.Context, f itam.NameFilter) (int, error) {
	return suppliersTable.countBy(ctx, s.db, f)
}

// CreateSupplier adds a supplier; names are unique regardless of case.
func (s *SupplierStore) CreateSupplier(ctx context.Context, in itam.SupplierInput) (*itam.Supplier, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	x := &itam.Supplier{Name: in.Name, ContactName: in.ContactName, Email: in.Email, Phone: in.Phone, Website: in.Website}
	if err := x.Validate(); err != nil {
		return nil, err
	}
	return suppliersTable.insert(ctx, s.db, p.OrgID, nil, `INSERT INTO suppliers AS x (org_id, name, contact_name, email, phone, website)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+supplierColumns,
		p.OrgID, x.Name, x.ContactName, x.Email, x.Phone, x.Website)
}

// UpdateSupplier changes a supplier; the caller's version must be current.
func (s *SupplierStore) UpdateSupplier(ctx context.Context, in itam.SupplierPatch) (*itam.Supplier, error) {
	return suppliersTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Supplier) (*itam.Supplier, error) {
		s := *cur
		if err := itam.PatchRequired(&s.Name, "name", in.Name); err != nil {
			return nil, err
		}
		itam.PatchText(&s.ContactName, in.ContactName)
		itam.PatchText(&s.Email, in.Email)
		itam.PatchText(&s.Phone, in.Phone)
		itam.PatchText(&s.Website, in.Website)
		if err := s.Validate(); err != nil {
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
func (s *SupplierStore) DeleteSupplier(ctx context.Context, id uuid.UUID, version *int) (*itam.Supplier, error) {
	return suppliersTable.remove(ctx, s.db, id, version)
}

// SuppliersByIDs returns the suppliers among ids; EMPLOYEE may not read suppliers.
func (s *SupplierStore) SuppliersByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Supplier, error) {
	if _, err := itam.RequireReadAll(ctx); err != nil {
		return nil, err
	}
	return suppliersTable.byIDs(ctx, s.db, ids)
}
