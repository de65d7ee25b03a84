package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// byIDs loads rows of one table by id in a single round trip, keyed by id,
// for dataloaders and node(). Rows the caller cannot see are absent.
func byIDs[T any](ctx context.Context, db *DB, columns, from string, ids []uuid.UUID, scan func(pgx.CollectableRow) (T, error), id func(T) uuid.UUID) (map[uuid.UUID]T, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]T, len(ids))
	err = db.read(ctx, p.OrgID, func(b *pgx.Batch) { queueByIDs(b, columns, from, ids, scan, id, out) })
	return out, err
}

// queueByIDs adds to b the statement byIDs runs, filling out.
func queueByIDs[T any](b *pgx.Batch, columns, from string, ids []uuid.UUID, scan func(pgx.CollectableRow) (T, error), id func(T) uuid.UUID, out map[uuid.UUID]T) {
	queueRows(b, "SELECT "+columns+" FROM "+from+" WHERE x.id = ANY($1::uuid[])", []any{ids}, scan, func(v T) { out[id(v)] = v })
}

// visibleByIDs is byIDs for tables whose rows p may see only in part
// (assets, licenses): visible renders the conditions that limit p, and
// idExpr is the id column under the alias they use.
func visibleByIDs[T any](ctx context.Context, db *DB, p itam.Principal, columns, from, idExpr string, ids []uuid.UUID,
	visible func(itam.Principal, *sqlArgs) []string, scan func(pgx.CollectableRow) (T, error), id func(T) uuid.UUID) (map[uuid.UUID]T, error) {
	args := &sqlArgs{}
	where := append(visible(p, args), idExpr+" = ANY("+args.add(ids)+"::uuid[])")
	out := make(map[uuid.UUID]T, len(ids))
	err := db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, "SELECT "+columns+" FROM "+from+" WHERE "+strings.Join(where, " AND "), args.list, scan, func(v T) { out[id(v)] = v })
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// oneByID returns the row id among what byIDs (a store's ByIDs method,
// which enforces who may see what) returns, else NOT_FOUND on what.
func oneByID[T any](ctx context.Context, id uuid.UUID, what string, byIDs func(context.Context, []uuid.UUID) (map[uuid.UUID]T, error)) (T, error) {
	m, err := byIDs(ctx, []uuid.UUID{id})
	var zero T
	if err != nil {
		return zero, err
	}
	if v, ok := m[id]; ok {
		return v, nil
	}
	return zero, itam.NotFound(what)
}

const personColumns = `x.id, x.name, x.email, x.employee_number, x.title, x.team_id, x.manager_id, x.location_id,
	x.status, x.start_date, x.end_date, x.version, x.created_at, x.updated_at`

func scanPerson(r pgx.CollectableRow) (*itam.Person, error) {
	var p itam.Person
	return &p, r.Scan(&p.ID, &p.Name, &p.Email, &p.EmployeeNumber, &p.Title, &p.TeamID, &p.ManagerID, &p.LocationID,
		&p.Status, &p.StartDate, &p.EndDate, &p.Version, &p.CreatedAt, &p.UpdatedAt)
}

const teamColumns = `x.id, x.name, x.description, x.version, x.created_at, x.updated_at`

func scanTeam(r pgx.CollectableRow) (*itam.Team, error) {
	var t itam.Team
	return &t, r.Scan(&t.ID, &t.Name, &t.Description, &t.Version, &t.CreatedAt, &t.UpdatedAt)
}

const locationColumns = `x.id, x.parent_id, x.kind, x.name, x.address_line1, x.address_line2, x.city, x.region,
	x.postal_code, x.country, x.version, x.created_at, x.updated_at`

func scanLocation(r pgx.CollectableRow) (*itam.Location, error) {
	var l itam.Location
	a := &l.Address
	return &l, r.Scan(&l.ID, &l.ParentID, &l.Kind, &l.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country,
		&l.Version, &l.CreatedAt, &l.UpdatedAt)
}

const manufacturerColumns = `x.id, x.name, x.website, x.support_url, x.version, x.created_at, x.updated_at`

func scanManufacturer(r pgx.CollectableRow) (*itam.Manufacturer, error) {
	var m itam.Manufacturer
	return &m, r.Scan(&m.ID, &m.Name, &m.Website, &m.SupportURL, &m.Version, &m.CreatedAt, &m.UpdatedAt)
}

const categoryColumns = `x.id, x.name, x.kind, x.field_definitions, x.depreciation_profile_id, x.audit_interval_months, x.has_storage, x.version, x.created_at, x.updated_at`

func scanCategory(r pgx.CollectableRow) (*itam.Category, error) {
	var c itam.Category
	return &c, r.Scan(&c.ID, &c.Name, &c.Kind, &c.FieldDefinitions, &c.DepreciationProfileID, &c.AuditIntervalMonths, &c.HasStorage, &c.Version, &c.CreatedAt, &c.UpdatedAt)
}

const modelColumns = `x.id, x.name, x.manufacturer_id, x.category_id, x.model_number, x.useful_life_months, x.depreciation_profile_id, x.version, x.created_at, x.updated_at`

func scanModel(r pgx.CollectableRow) (*itam.Model, error) {
	var m itam.Model
	return &m, r.Scan(&m.ID, &m.Name, &m.ManufacturerID, &m.CategoryID, &m.ModelNumber, &m.UsefulLifeMonths, &m.DepreciationProfileID, &m.Version, &m.CreatedAt, &m.UpdatedAt)
}

const supplierColumns = `x.id, x.name, x.contact_name, x.email, x.phone, x.website, x.version, x.created_at, x.updated_at`

func scanSupplier(r pgx.CollectableRow) (*itam.Supplier, error) {
	var s itam.Supplier
	return &s, r.Scan(&s.ID, &s.Name, &s.ContactName, &s.Email, &s.Phone, &s.Website, &s.Version, &s.CreatedAt, &s.UpdatedAt)
}
