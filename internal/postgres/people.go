package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// PersonStore loads and saves people.
type PersonStore struct{ db *DB }

// NewPersonStore returns a PersonStore over db.
func NewPersonStore(db *DB) *PersonStore { return &PersonStore{db: db} }

var peopleTable = filtered[*itam.Person, itam.PersonFilter]{
	catalogTable: catalogTable[*itam.Person]{
		what: "person", name: "people", columns: personColumns, scan: scanPerson,
		id:      func(p *itam.Person) uuid.UUID { return p.ID },
		label:   func(p *itam.Person) string { return p.Name },
		version: func(p *itam.Person) int { return p.Version },
	},
	where: peopleWhere,
}

var personSorts = map[itam.PersonSortField]sortKey[*itam.Person]{
	itam.PersonSortName:      {"x.name", "text", func(p *itam.Person) string { return p.Name }},
	itam.PersonSortEmail:     {"x.email", "text", func(p *itam.Person) string { return p.Email }},
	itam.PersonSortCreatedAt: {"x.created_at", "timestamptz", func(p *itam.Person) string { return p.CreatedAt.Format(time.RFC3339Nano) }},
}

// peopleWhere renders f for alias x. An EMPLOYEE sees only the person whose
// email is their subject.
func peopleWhere(p itam.Principal, f itam.PersonFilter) ([]string, *sqlArgs, error) {
	args := &sqlArgs{}
	var where []string
	if !p.CanReadAll() {
		where = append(where, "x.email_key = lower("+args.add(p.Subject)+")")
	}
	where = searchWhere(where, args, f.Search, "x.name", "x.email", "x.employee_number")
	if f.Status != nil {
		if !itam.ValidPersonStatus(*f.Status) {
			return nil, nil, itam.Invalid("filter.status", "unknown person status %q", *f.Status)
		}
		where = append(where, "x.status = "+args.add(string(*f.Status))+"::text::person_status")
	}
	if f.TeamIDs != nil {
		where = append(where, fmt.Sprintf("x.team_id = ANY(%s::uuid[])", args.add(f.TeamIDs)))
	}
	if f.ManagerIDs != nil {
		where = append(where, fmt.Sprintf("x.manager_id = ANY(%s::uuid[])", args.add(f.ManagerIDs)))
	}
	if f.LocationIDs != nil {
		// Like assets: the location or anywhere below it.
		where = append(where, fmt.Sprintf("x.location_id IN (SELECT l.id FROM locations l WHERE l.path && %s::uuid[])", args.add(f.LocationIDs)))
	}
	return where, args, nil
}

// ListPeople returns one page of the people matching q, by name unless q
// says otherwise. An EMPLOYEE gets at most their own record.
func (s *PersonStore) ListPeople(ctx context.Context, q itam.PersonQuery, page itam.PageArgs) (itam.Page[*itam.Person], error) {
	spec, p, err := s.peopleSpec(ctx, q)
	if err != nil {
		return itam.Page[*itam.Person]{}, err
	}
	return list(ctx, s.db, p.OrgID, spec, page)
}

// TeamMembers returns, for each team, the page of its members that q and
// page select, in one round trip for all of them (Team.members).
func (s *PersonStore) TeamMembers(ctx context.Context, teams []uuid.UUID, q itam.PersonQuery, page itam.PageArgs) (map[uuid.UUID]itam.Page[*itam.Person], error) {
	spec, p, err := s.peopleSpec(ctx, q)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, spec, teams, memberOf, page)
}

// CountTeamMembers returns how many members matching f each team has.
func (s *PersonStore) CountTeamMembers(ctx context.Context, teams []uuid.UUID, f itam.PersonFilter) (map[uuid.UUID]int, error) {
	p, where, args, err := peopleTable.filter(ctx, f)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "people x", where, args, teams, memberOf)
}

func memberOf(team string) string { return "x.team_id = " + team }

// peopleSpec is the keyset list of the people q selects, as the caller may see them.
func (s *PersonStore) peopleSpec(ctx context.Context, q itam.PersonQuery) (listSpec[*itam.Person], itam.Principal, error) {
	p, where, args, err := peopleTable.filter(ctx, q.Filter)
	if err != nil {
		return listSpec[*itam.Person]{}, p, err
	}
	if q.Sort == "" {
		q.Sort = itam.PersonSortName
	}
	sk, ok := personSorts[q.Sort]
	if !ok {
		return listSpec[*itam.Person]{}, p, itam.Invalid("orderBy.field", "cannot order people by %s", q.Sort)
	}
	switch q.Dir {
	case "":
		q.Dir = itam.Asc
	case itam.Asc, itam.Desc:
	default:
		return listSpec[*itam.Person]{}, p, itam.Invalid("orderBy.direction", "unknown direction %s", q.Dir)
	}
	return listSpec[*itam.Person]{
		columns: personColumns, from: "people x", idExpr: "x.id",
		where: where, args: args, sort: sk, dir: q.Dir,
		id: func(p *itam.Person) string { return p.ID.String() }, scan: scanPerson,
	}, p, nil
}

// CountPeople returns how many visible people match f.
func (s *PersonStore) CountPeople(ctx context.Context, f itam.PersonFilter) (int, error) {
	return peopleTable.countBy(ctx, s.db, f)
}

// CreatePerson adds a person, ACTIVE unless told otherwise. Emails are
// stored as given but unique regardless of case.
func (s *PersonStore) CreatePerson(ctx context.Context, in itam.PersonInput) (*itam.Person, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	x := &itam.Person{
		Name: in.Name, Email: in.Email, EmployeeNumber: in.EmployeeNumber, Title: in.Title,
		TeamID: in.TeamID, ManagerID: in.ManagerID, LocationID: in.LocationID,
		Status: itam.PersonActive, StartDate: in.StartDate, EndDate: in.EndDate,
	}
	if in.Status != nil {
		x.Status = *in.Status
	}
	if err := x.Validate(); err != nil {
		return nil, err
	}
	return peopleTable.insert(ctx, s.db, p.OrgID, nil, `INSERT INTO people AS x (org_id, name, email, employee_number, title, team_id, manager_id,
		location_id, status, start_date, end_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::person_status, $10, $11) RETURNING `+personColumns,
		p.OrgID, x.Name, x.Email, x.EmployeeNumber, x.Title, x.TeamID, x.ManagerID, x.LocationID, string(x.Status),
		x.StartDate, x.EndDate)
}

// UpdatePerson changes a person; the caller's version must be current.
func (s *PersonStore) UpdatePerson(ctx context.Context, in itam.PersonPatch) (*itam.Person, error) {
	return peopleTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Person) (*itam.Person, error) {
		x := *cur
		if err := itam.PatchRequired(&x.Name, "name", in.Name); err != nil {
			return nil, err
		}
		if err := itam.PatchRequired(&x.Email, "email", in.Email); err != nil {
			return nil, err
		}
		itam.PatchText(&x.EmployeeNumber, in.EmployeeNumber)
		itam.PatchText(&x.Title, in.Title)
		itam.Patch(&x.TeamID, in.TeamID)
		itam.Patch(&x.ManagerID, in.ManagerID)
		itam.Patch(&x.LocationID, in.LocationID)
		if in.Status.Set {
			if in.Status.Value == nil {
				return nil, itam.Invalid("status", "status cannot be removed")
			}
			if err := checkStatusChange(ctx, tx, *cur, *in.Status.Value); err != nil {
				return nil, err
			}
			x.Status = *in.Status.Value
		}
		itam.Patch(&x.StartDate, in.StartDate)
		itam.Patch(&x.EndDate, in.EndDate)
		if err := x.Validate(); err != nil {
			return nil, err
		}
		if unchanged(cur, &x) {
			return cur, nil
		}
		return returningOne(ctx, tx, scanPerson, `UPDATE people x SET name = $2, email = $3, employee_number = $4, title = $5, team_id = $6,
			manager_id = $7, location_id = $8, status = $9::text::person_status, start_date = $10, end_date = $11,
			version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+personColumns,
			x.ID, x.Name, x.Email, x.EmployeeNumber, x.Title, x.TeamID, x.ManagerID, x.LocationID, string(x.Status),
			x.StartDate, x.EndDate)
	})
}

// checkStatusChange applies itam.CheckStatusChange, counting what the
// person holds only when they are being offboarded.
func checkStatusChange(ctx context.Context, tx pgx.Tx, p itam.Person, to itam.PersonStatus) error {
	if to != itam.PersonOffboarded || p.Status == itam.PersonOffboarded {
		return nil
	}
	var held itam.Holdings
	var example *string
	if err := tx.QueryRow(ctx, `SELECT count(*), min(asset_tag) FROM assets WHERE assigned_person_id = $1`, p.ID).Scan(&held.Assets, &example); err != nil {
		return err
	}
	if example != nil {
		held.ExampleAsset = *example
	}
	return itam.CheckStatusChange(p, to, held)
}

// DeletePerson removes a person; refused (CONFLICT) while assets or other
// people (as manager) reference them.
func (s *PersonStore) DeletePerson(ctx context.Context, id uuid.UUID, version *int) (*itam.Person, error) {
	return peopleTable.remove(ctx, s.db, id, version)
}

// PeopleByIDs returns the visible people among ids. An EMPLOYEE sees only
// their own record.
func (s *PersonStore) PeopleByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Person, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*itam.Person, len(ids))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) { queuePeople(b, p, ids, out) })
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

// PersonByEmail finds the person whose email matches, case-insensitively:
// how a token's subject becomes a person.
func (s *PersonStore) PersonByEmail(ctx context.Context, email string) (*itam.Person, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "person", "SELECT "+personColumns+" FROM people x WHERE x.email_key = lower($1)", []any{email}, scanPerson)
}
