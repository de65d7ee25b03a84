package postgres

import (
	"context"

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

const categoryColumns = `x.id, x.name, x.kind, x.field_definitions, x.version, x.created_at, x.updated_at`

func scanCategory(r pgx.CollectableRow) (*itam.Category, error) {
	var c itam.Category
	return &c, r.Scan(&c.ID, &c.Name, &c.Kind, &c.FieldDefinitions, &c.Version, &c.CreatedAt, &c.UpdatedAt)
}

const modelColumns = `x.id, x.name, x.manufacturer_id, x.category_id, x.model_number, x.useful_life_months, x.version, x.created_at, x.updated_at`

func scanModel(r pgx.CollectableRow) (*itam.Model, error) {
	var m itam.Model
	return &m, r.Scan(&m.ID, &m.Name, &m.ManufacturerID, &m.CategoryID, &m.ModelNumber, &m.UsefulLifeMonths, &m.Version, &m.CreatedAt, &m.UpdatedAt)
}

const supplierColumns = `x.id, x.name, x.contact_name, x.email, x.phone, x.website, x.version, x.created_at, x.updated_at`

func scanSupplier(r pgx.CollectableRow) (*itam.Supplier, error) {
	var s itam.Supplier
	return &s, r.Scan(&s.ID, &s.Name, &s.ContactName, &s.Email, &s.Phone, &s.Website, &s.Version, &s.CreatedAt, &s.UpdatedAt)
}

// Catalog reads the reference records assets point at. Every method loads
// many ids in one round trip so dataloaders can batch a whole page.
type Catalog struct{ db *DB }

// NewCatalog returns a Catalog over db.
func NewCatalog(db *DB) *Catalog { return &Catalog{db: db} }

// PeopleByIDs returns the visible people among ids. An EMPLOYEE sees only
// their own record.
func (c *Catalog) PeopleByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Person, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*itam.Person, len(ids))
	err = c.db.read(ctx, p.OrgID, func(b *pgx.Batch) { queuePeople(b, p, ids, out) })
	return out, err
}

func queuePeople(b *pgx.Batch, p itam.Principal, ids []uuid.UUID, out map[uuid.UUID]*itam.Person) {
	args := []any{ids}
	sql := "SELECT " + personColumns + " FROM people x WHERE x.id = ANY($1::uuid[])"
	if !p.CanReadAll() {
		sql += " AND x.email_key = lower($2)"
		args = append(args, p.Subject)
	}
	queueRows(b, sql, args, scanPerson, func(v *itam.Person) { out[v.ID] = v })
}

// TeamsByIDs returns the teams among ids.
func (c *Catalog) TeamsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Team, error) {
	return byIDs(ctx, c.db, teamColumns, "teams x", ids, scanTeam, func(t *itam.Team) uuid.UUID { return t.ID })
}

// LocationsByIDs returns the locations among ids.
func (c *Catalog) LocationsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Location, error) {
	return byIDs(ctx, c.db, locationColumns, "locations x", ids, scanLocation, func(l *itam.Location) uuid.UUID { return l.ID })
}

// ManufacturersByIDs returns the manufacturers among ids.
func (c *Catalog) ManufacturersByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Manufacturer, error) {
	return byIDs(ctx, c.db, manufacturerColumns, "manufacturers x", ids, scanManufacturer, func(m *itam.Manufacturer) uuid.UUID { return m.ID })
}

// CategoriesByIDs returns the categories among ids.
func (c *Catalog) CategoriesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Category, error) {
	return byIDs(ctx, c.db, categoryColumns, "categories x", ids, scanCategory, func(m *itam.Category) uuid.UUID { return m.ID })
}

// ModelsByIDs returns the models among ids.
func (c *Catalog) ModelsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Model, error) {
	return byIDs(ctx, c.db, modelColumns, "models x", ids, scanModel, func(m *itam.Model) uuid.UUID { return m.ID })
}

// SuppliersByIDs returns the suppliers among ids; EMPLOYEE may not read suppliers.
func (c *Catalog) SuppliersByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Supplier, error) {
	if _, err := itam.RequireReadAll(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, c.db, supplierColumns, "suppliers x", ids, scanSupplier, func(s *itam.Supplier) uuid.UUID { return s.ID })
}

// ExternalIDsByAssetIDs returns each asset's links to other systems.
func (c *Catalog) ExternalIDsByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]itam.ExternalID, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		asset uuid.UUID
		e     itam.ExternalID
	}
	rows, err := query(ctx, c.db, p.OrgID, `SELECT asset_id, source, external_id, last_seen_at, connector_id, last_check_in,
		missing_since, stale_since FROM asset_external_ids
		WHERE asset_id = ANY($1::uuid[]) ORDER BY source, external_id`, []any{ids}, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.asset, &x.e.Source, &x.e.ExternalID, &x.e.LastSeenAt, &x.e.ConnectorID, &x.e.LastCheckIn,
			&x.e.MissingSince, &x.e.StaleSince)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]itam.ExternalID, len(ids))
	for _, r := range rows {
		out[r.asset] = append(out[r.asset], r.e)
	}
	return out, nil
}

// PersonByEmail finds the person whose email matches, case-insensitively:
// how a token's subject becomes a person.
func (c *Catalog) PersonByEmail(ctx context.Context, email string) (*itam.Person, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, c.db, p.OrgID, "person", "SELECT "+personColumns+" FROM people x WHERE x.email_key = lower($1)", []any{email}, scanPerson)
}

// queueCategoriesByModel adds the statement that reads each model's
// category, keyed by model id, so a page of assets needs its categories
// without waiting for its models first.
func queueCategoriesByModel(b *pgx.Batch, modelIDs []uuid.UUID, out map[uuid.UUID]*itam.Category) {
	type row struct {
		model uuid.UUID
		cat   *itam.Category
	}
	queueRows(b, "SELECT m.id, "+categoryColumns+" FROM models m JOIN categories x ON x.id = m.category_id WHERE m.id = ANY($1::uuid[])",
		[]any{modelIDs}, func(r pgx.CollectableRow) (row, error) {
			var x row
			var err error
			x.cat, err = scanCategory(prefixRow{r, []any{&x.model}})
			return x, err
		}, func(r row) { out[r.model] = r.cat })
}

// AssetRelationIDs names the records a page of assets refers to, by kind.
// An empty list skips that kind.
type AssetRelationIDs struct {
	Models, Manufacturers, People, Teams, Locations []uuid.UUID
	// CategoriesOfModels are model ids whose categories to load, keyed by
	// model, so the categories need not wait for the models.
	CategoriesOfModels []uuid.UUID
}

// AssetRelationKinds says which of an asset's relations a caller shows.
type AssetRelationKinds struct {
	Model, Manufacturer, Category, Assignee, Owner, Location bool
}

// RelationIDsOf collects the distinct ids assets refer to for the relation
// kinds wanted, in first-seen order, ready for AssetRelations.
func RelationIDsOf(assets []*itam.Asset, want AssetRelationKinds) AssetRelationIDs {
	var models, mfrs, people, teams, locations idSet
	for _, a := range assets {
		if want.Model || want.Category {
			models.add(&a.ModelID)
		}
		if want.Manufacturer {
			mfrs.add(&a.ManufacturerID)
		}
		if want.Assignee {
			people.add(a.AssignedPersonID)
			locations.add(a.AssignedLocationID)
		}
		if want.Owner {
			people.add(a.OwnerPersonID)
			teams.add(a.OwnerTeamID)
		}
		if want.Location {
			locations.add(a.LocationID)
		}
	}
	ids := AssetRelationIDs{Manufacturers: mfrs.ids, People: people.ids, Teams: teams.ids, Locations: locations.ids}
	if want.Model {
		ids.Models = models.ids
	}
	if want.Category {
		ids.CategoriesOfModels = models.ids
	}
	return ids
}

// idSet collects distinct ids in the order first seen.
type idSet struct {
	ids  []uuid.UUID
	seen map[uuid.UUID]struct{}
}

func (s *idSet) add(id *uuid.UUID) {
	if id == nil {
		return
	}
	if s.seen == nil {
		s.seen = make(map[uuid.UUID]struct{})
	}
	if _, ok := s.seen[*id]; !ok {
		s.seen[*id] = struct{}{}
		s.ids = append(s.ids, *id)
	}
}

// AssetRelations are the records AssetRelations found, keyed by id
// (CategoryByModel by model id). Records the caller cannot see are absent.
type AssetRelations struct {
	Models          map[uuid.UUID]*itam.Model
	Manufacturers   map[uuid.UUID]*itam.Manufacturer
	CategoryByModel map[uuid.UUID]*itam.Category
	People          map[uuid.UUID]*itam.Person
	Teams           map[uuid.UUID]*itam.Team
	Locations       map[uuid.UUID]*itam.Location
}

// AssetRelations loads everything a page of assets refers to in a single
// round trip, all the statements in one pipeline on one connection. Run in
// parallel instead, a page took a connection per relation kind, and under
// load the requests queued for connections and woke PostgreSQL six times
// for what one pipeline does.
func (c *Catalog) AssetRelations(ctx context.Context, ids AssetRelationIDs) (AssetRelations, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return AssetRelations{}, err
	}
	out := AssetRelations{
		Models:          make(map[uuid.UUID]*itam.Model, len(ids.Models)),
		Manufacturers:   make(map[uuid.UUID]*itam.Manufacturer, len(ids.Manufacturers)),
		CategoryByModel: make(map[uuid.UUID]*itam.Category, len(ids.CategoriesOfModels)),
		People:          make(map[uuid.UUID]*itam.Person, len(ids.People)),
		Teams:           make(map[uuid.UUID]*itam.Team, len(ids.Teams)),
		Locations:       make(map[uuid.UUID]*itam.Location, len(ids.Locations)),
	}
	if len(ids.Models)+len(ids.Manufacturers)+len(ids.CategoriesOfModels)+len(ids.People)+len(ids.Teams)+len(ids.Locations) == 0 {
		return out, nil
	}
	err = c.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		if len(ids.Models) > 0 {
			queueByIDs(b, modelColumns, "models x", ids.Models, scanModel, func(m *itam.Model) uuid.UUID { return m.ID }, out.Models)
		}
		if len(ids.Manufacturers) > 0 {
			queueByIDs(b, manufacturerColumns, "manufacturers x", ids.Manufacturers, scanManufacturer, func(m *itam.Manufacturer) uuid.UUID { return m.ID }, out.Manufacturers)
		}
		if len(ids.CategoriesOfModels) > 0 {
			queueCategoriesByModel(b, ids.CategoriesOfModels, out.CategoryByModel)
		}
		if len(ids.People) > 0 {
			queuePeople(b, p, ids.People, out.People)
		}
		if len(ids.Teams) > 0 {
			queueByIDs(b, teamColumns, "teams x", ids.Teams, scanTeam, func(t *itam.Team) uuid.UUID { return t.ID }, out.Teams)
		}
		if len(ids.Locations) > 0 {
			queueByIDs(b, locationColumns, "locations x", ids.Locations, scanLocation, func(l *itam.Location) uuid.UUID { return l.ID }, out.Locations)
		}
	})
	return out, err
}
