package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// SoftwareCatalogStore loads and saves software publishers and products,
// and lists the installations resolved to products. Every role reads the
// catalog (EMPLOYEE without product notes, and only the installations on
// their own devices); ADMIN and MANAGER change it.
type SoftwareCatalogStore struct{ db *DB }

// NewSoftwareCatalogStore returns a SoftwareCatalogStore over db.
func NewSoftwareCatalogStore(db *DB) *SoftwareCatalogStore { return &SoftwareCatalogStore{db: db} }

const publisherColumns = `x.id, x.name, x.website, x.starter, x.version, x.created_at, x.updated_at`

func scanPublisher(r pgx.CollectableRow) (*software.Publisher, error) {
	var x software.Publisher
	return &x, r.Scan(&x.ID, &x.Name, &x.Website, &x.Starter, &x.Version, &x.CreatedAt, &x.UpdatedAt)
}

const productColumns = `x.id, x.publisher_id, x.name, x.editions, x.notes, x.starter, x.version, x.created_at, x.updated_at`

func scanProduct(r pgx.CollectableRow) (*software.Product, error) {
	var x software.Product
	return &x, r.Scan(&x.ID, &x.PublisherID, &x.Name, &x.Editions, &x.Notes, &x.Starter, &x.Version, &x.CreatedAt, &x.UpdatedAt)
}

var publishersTable = filtered[*software.Publisher, itam.NameFilter]{
	catalogTable: catalogTable[*software.Publisher]{
		what: "software publisher", name: "software_publishers", columns: publisherColumns, scan: scanPublisher,
		id:      func(x *software.Publisher) uuid.UUID { return x.ID },
		label:   func(x *software.Publisher) string { return x.Name },
		version: func(x *software.Publisher) int { return x.Version },
	},
	read:  software.RequireCatalogRead,
	where: nameWhere,
}

var productsTable = filtered[*software.Product, software.ProductFilter]{
	catalogTable: catalogTable[*software.Product]{
		what: "software product", name: "software_products", columns: productColumns, scan: scanProduct,
		id:      func(x *software.Product) uuid.UUID { return x.ID },
		label:   func(x *software.Product) string { return x.Name },
		version: func(x *software.Product) int { return x.Version },
	},
	read:  software.RequireCatalogRead,
	where: productWhere,
}

func productWhere(_ itam.Principal, f software.ProductFilter) ([]string, *sqlArgs, error) {
	args := &sqlArgs{}
	where := searchWhere(nil, args, f.Search, "x.name")
	if f.PublisherID != nil {
		where = append(where, "x.publisher_id = "+args.add(*f.PublisherID))
	}
	if f.IDs != nil {
		where = append(where, "x.id = ANY("+args.add(f.IDs)+"::uuid[])")
	}
	return where, args, nil
}

// catalogUnique names, per unique index, the message of a clash on "name".
var catalogUnique = map[string]string{
	"software_publishers_org_name":         "a software publisher named %q already exists",
	"software_products_org_publisher_name": "this publisher already has a product named %q",
}

// nameClash turns a violation of a catalog name's unique index into
// CONFLICT on "name"; names are unique regardless of case.
func nameClash(err error, name string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		if msg, ok := catalogUnique[pe.ConstraintName]; ok {
			return itam.Conflict("name", msg, name)
		}
	}
	return err
}

// ListPublishers returns one page of publishers matching f, by name.
func (s *SoftwareCatalogStore) ListPublishers(ctx context.Context, f itam.NameFilter, page itam.PageArgs) (itam.Page[*software.Publisher], error) {
	return publishersTable.listBy(ctx, s.db, f, page)
}

// CountPublishers returns how many publishers match f.
func (s *SoftwareCatalogStore) CountPublishers(ctx context.Context, f itam.NameFilter) (int, error) {
	return publishersTable.countBy(ctx, s.db, f)
}

// PublishersByIDs returns the publishers among ids (every role).
func (s *SoftwareCatalogStore) PublishersByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*software.Publisher, error) {
	if _, err := software.RequireCatalogRead(ctx); err != nil {
		return nil, err
	}
	return publishersTable.byIDs(ctx, s.db, ids)
}

// CreatePublisher adds a publisher; names are unique regardless of case.
func (s *SoftwareCatalogStore) CreatePublisher(ctx context.Context, in software.PublisherInput) (*software.Publisher, error) {
	p, err := software.RequireCatalogWrite(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *software.Publisher
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = returningOne(ctx, tx, scanPublisher, `INSERT INTO software_publishers AS x (org_id, name, website)
			VALUES ($1, $2, $3) RETURNING `+publisherColumns, p.OrgID, in.Name, in.Website)
		if err != nil {
			return nameClash(err, in.Name)
		}
		return insertSoftwareHistory(ctx, tx, p, software.HistoryPublisher, out.ID, software.HistoryCreate, software.PublisherDiff(nil, out))
	})
	return out, err
}

// UpdatePublisher changes a publisher; the caller's version must be current.
func (s *SoftwareCatalogStore) UpdatePublisher(ctx context.Context, in software.PublisherPatch) (*software.Publisher, error) {
	p, err := software.RequireCatalogWrite(ctx)
	if err != nil {
		return nil, err
	}
	return publishersTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *software.Publisher) (*software.Publisher, error) {
		x, err := in.Apply(*cur)
		if err != nil {
			return nil, err
		}
		if unchanged(cur, &x) {
			return cur, nil
		}
		out, err := returningOne(ctx, tx, scanPublisher, `UPDATE software_publishers x SET name = $2, website = $3,
			version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+publisherColumns, x.ID, x.Name, x.Website)
		if err != nil {
			return nil, nameClash(err, x.Name)
		}
		return out, insertSoftwareHistory(ctx, tx, p, software.HistoryPublisher, out.ID, software.HistoryUpdate, software.PublisherDiff(cur, out))
	})
}

// DeletePublisher removes a publisher; refused (CONFLICT on "id") while
// products belong to it, saying how many.
func (s *SoftwareCatalogStore) DeletePublisher(ctx context.Context, id uuid.UUID, version *int) (*software.Publisher, error) {
	return removeUnreferenced(ctx, s.db, publishersTable.catalogTable, id, version, publisherDeleted,
		`SELECT count(*) FROM software_products WHERE publisher_id = $1`, "product")
}

// ListProducts returns one page of products matching f, by name.
func (s *SoftwareCatalogStore) ListProducts(ctx context.Context, f software.ProductFilter, page itam.PageArgs) (itam.Page[*software.Product], error) {
	p, err := software.RequireCatalogRead(ctx)
	if err != nil {
		return itam.Page[*software.Product]{}, err
	}
	pg, err := productsTable.listBy(ctx, s.db, f, page)
	for i, x := range pg.Items {
		pg.Items[i] = x.VisibleTo(p)
	}
	return pg, err
}

// CountProducts returns how many products match f.
func (s *SoftwareCatalogStore) CountProducts(ctx context.Context, f software.ProductFilter) (int, error) {
	return productsTable.countBy(ctx, s.db, f)
}

// ProductsByIDs returns the products among ids (every role; notes as the
// caller may read them).
func (s *SoftwareCatalogStore) ProductsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*software.Product, error) {
	p, err := software.RequireCatalogRead(ctx)
	if err != nil {
		return nil, err
	}
	m, err := productsTable.byIDs(ctx, s.db, ids)
	for id, x := range m {
		m[id] = x.VisibleTo(p)
	}
	return m, err
}

// CreateProduct adds a product to a publisher; names are unique per
// publisher regardless of case. An unknown publisher (or another
// organization's) is BAD_USER_INPUT on publisherId.
func (s *SoftwareCatalogStore) CreateProduct(ctx context.Context, in software.ProductInput) (*software.Product, error) {
	p, err := software.RequireCatalogWrite(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *software.Product
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = returningOne(ctx, tx, scanProduct, `INSERT INTO software_products AS x (org_id, publisher_id, name, editions, notes)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+productColumns, p.OrgID, in.PublisherID, in.Name, in.Editions, in.Notes)
		if err != nil {
			return nameClash(err, in.Name)
		}
		return insertSoftwareHistory(ctx, tx, p, software.HistoryProduct, out.ID, software.HistoryCreate, software.ProductDiff(nil, out))
	})
	return out, err
}

// UpdateProduct changes a product; the caller's version must be current.
func (s *SoftwareCatalogStore) UpdateProduct(ctx context.Context, in software.ProductPatch) (*software.Product, error) {
	p, err := software.RequireCatalogWrite(ctx)
	if err != nil {
		return nil, err
	}
	return productsTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *software.Product) (*software.Product, error) {
		x, err := in.Apply(*cur)
		if err != nil {
			return nil, err
		}
		if unchanged(cur, &x) {
			return cur, nil
		}
		out, err := returningOne(ctx, tx, scanProduct, `UPDATE software_products x SET publisher_id = $2, name = $3, editions = $4, notes = $5,
			version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+productColumns, x.ID, x.PublisherID, x.Name, x.Editions, x.Notes)
		if err != nil {
			return nil, nameClash(err, x.Name)
		}
		return out, insertSoftwareHistory(ctx, tx, p, software.HistoryProduct, out.ID, software.HistoryUpdate, software.ProductDiff(cur, out))
	})
}

// DeleteProduct removes a product; refused (CONFLICT on "id") while title
// rules or licenses reference it, saying how many. Its installations stay
// and become unmatched (their product is cleared).
func (s *SoftwareCatalogStore) DeleteProduct(ctx context.Context, id uuid.UUID, version *int) (*software.Product, error) {
	return removeUnreferenced(ctx, s.db, productsTable.catalogTable, id, version, productDeleted,
		`SELECT count(*) FROM software_title_rules WHERE product_id = $1`, "title rule",
		`SELECT count(*) FROM licenses WHERE product_id = $1`, "license")
}

// removeUnreferenced deletes row id of t (checking version when given)
// unless the counting statements (each with what it counts, in pairs)
// find references, in which case it is CONFLICT on "id" naming them. The
// row is locked first, so nothing can start referencing it meanwhile
// (a new reference's foreign key check waits on the lock). deleted records
// the deletion's history in the same transaction.
func removeUnreferenced[T any](ctx context.Context, db *DB, t catalogTable[T], id uuid.UUID, version *int,
	deleted func(ctx context.Context, tx pgx.Tx, p itam.Principal, x T) error, counts ...string) (T, error) {
	var zero T
	p, err := software.RequireCatalogWrite(ctx)
	if err != nil {
		return zero, err
	}
	var out T
	err = db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := t.lock(ctx, tx, id, version)
		if err != nil {
			return err
		}
		var refs []string
		for i := 0; i+1 < len(counts); i += 2 {
			var n int
			if err := tx.QueryRow(ctx, counts[i], id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				refs = append(refs, plural(n, counts[i+1]))
			}
		}
		if len(refs) > 0 {
			return itam.Conflict("id", "%s %q is still referenced by %s; delete or change them first", t.what, t.label(cur), strings.Join(refs, " and "))
		}
		out, err = returningOne(ctx, tx, t.scan, "DELETE FROM "+t.name+" x WHERE x.id = $1 RETURNING "+t.columns, id)
		if err != nil {
			return err
		}
		return deleted(ctx, tx, p, out)
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

func publisherDeleted(ctx context.Context, tx pgx.Tx, p itam.Principal, x *software.Publisher) error {
	return insertSoftwareHistory(ctx, tx, p, software.HistoryPublisher, x.ID, software.HistoryDelete, software.PublisherDiff(x, nil))
}

func productDeleted(ctx context.Context, tx pgx.Tx, p itam.Principal, x *software.Product) error {
	return insertSoftwareHistory(ctx, tx, p, software.HistoryProduct, x.ID, software.HistoryDelete, software.ProductDiff(x, nil))
}

// plural says "1 license", "3 licenses".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
