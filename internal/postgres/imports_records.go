package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// applyRecords writes a chunk of a people, locations or models import:
// the targets are locked and their versions checked, then new records
// and changed ones go in one statement each. People, locations and models
// have no history table, so unlike assets these changes leave no history
// entry; their version moves as with any other change.
func (c *importCommit) applyRecords(ctx context.Context, kind imports.Kind, rows []imports.RowPlan) error {
	switch kind {
	case imports.KindPeople:
		return c.applyPeople(ctx, rows)
	case imports.KindLocations:
		return c.applyLocations(ctx, rows)
	case imports.KindModels:
		return c.applyModels(ctx, rows)
	case imports.KindLicenses:
		return c.applyLicenses(ctx, rows)
	case imports.KindLicenseSeats:
		return c.applySeats(ctx, rows)
	case imports.KindCostEntries:
		return c.applyCostEntries(ctx, rows)
	}
	return itam.Invalid("kind", "%q is not an import kind", kind)
}

// recordCommit is what every kind's chunk needs: the rows' targets locked
// (versions checked) and helpers reading a row's values.
type recordCommit struct {
	*importCommit
	line int
	err  error
	// inFile resolves, by name key, records of the import's own kind that
	// rows create (a manager, a parent): the dry run records no reference
	// for them. Rows of this chunk add theirs as they go; earlier chunks'
	// are read once per chunk (inFileKeys).
	inFile map[string]uuid.UUID
}

// lockTargets locks the rows' targets of table, reads them with cols (id
// and version first) through scan, and checks their versions.
func lockTargets[T any](ctx context.Context, tx pgx.Tx, table, cols string, rows []imports.RowPlan, what string,
	scan func(pgx.CollectableRow) (T, uuid.UUID, int, error)) (map[uuid.UUID]T, error) {
	var targets []uuid.UUID
	for _, r := range rows {
		if r.TargetID != nil {
			targets = append(targets, *r.TargetID)
		}
	}
	out, versions := map[uuid.UUID]T{}, map[uuid.UUID]int{}
	if len(targets) > 0 {
		if err := scanEach(ctx, tx, "SELECT "+cols+" FROM "+table+" x WHERE x.id = ANY($1::uuid[]) ORDER BY x.id FOR UPDATE", []any{targets}, func(r pgx.Rows) error {
			v, id, version, err := scan(r)
			out[id], versions[id] = v, version
			return err
		}); err != nil {
			return nil, err
		}
	}
	return out, checkVersions(rows, versions, what)
}

// rowRecords walks the rows that create or update a record: each starts
// from fresh() (a create) or its locked current record (an update), and set
// applies the row's values to it.
func rowRecords[T any](rows []imports.RowPlan, current map[uuid.UUID]T, fresh func() T,
	set func(imports.RowPlan, *T) error) (created, updated []T, err error) {
	for _, r := range rows {
		var v T
		switch r.Action {
		case imports.ActionCreate:
			v = fresh()
		case imports.ActionUpdate:
			v = current[*r.TargetID]
		default:
			continue
		}
		if err := set(r, &v); err != nil {
			return nil, nil, err
		}
		if r.Action == imports.ActionCreate {
			created = append(created, v)
		} else {
			updated = append(updated, v)
		}
	}
	return created, updated, nil
}

// text sets *dst from vals[field] when the row has it ("" clears).
func text(dst **string, vals map[string]string, field string) {
	if v, ok := vals[field]; ok {
		if v = strings.TrimSpace(v); v == "" {
			*dst = nil
		} else {
			*dst = &v
		}
	}
}

// ref sets *dst to the record vals[field] names, when the row has it.
func (c *recordCommit) ref(dst **uuid.UUID, vals map[string]string, field string, kind imports.RefKind) {
	v, ok := vals[field]
	if !ok || c.err != nil {
		return
	}
	id, found := c.refs.id(kind, v)
	if !found && c.inFile != nil {
		if x, ok := c.inFile[nameKey(v)]; ok {
			id, found = &x, true
		}
	}
	if !found {
		c.err = itam.Invalid("line", "line %d, %s: %q is not among the run's references", c.line, field, v)
		return
	}
	*dst = id
}

type importPerson struct {
	id                      uuid.UUID
	name, email, status     string
	employeeNumber, title   *string
	team, manager, location *uuid.UUID
}

// applyPeople creates and updates people. A new person whose email exists
// already (created as another row's manager by this commit) is updated.
func (c *importCommit) applyPeople(ctx context.Context, rows []imports.RowPlan) error {
	current, err := lockTargets(ctx, c.tx, "people", "x.id, x.version, x.name, x.email, x.employee_number, x.title, x.team_id, x.manager_id, x.location_id, x.status::text",
		rows, "person", func(r pgx.CollectableRow) (importPerson, uuid.UUID, int, error) {
			var p importPerson
			var version int
			err := r.Scan(&p.id, &version, &p.name, &p.email, &p.employeeNumber, &p.title, &p.team, &p.manager, &p.location, &p.status)
			return p, p.id, version, err
		})
	if err != nil {
		return err
	}
	inFile, err := c.inFileKeys(ctx, rows, "manager", imports.RefPerson,
		`SELECT k, p.id FROM people p, LATERAL (VALUES (p.email_key), (lower(p.name))) AS x(k) WHERE x.k = ANY($1::text[]) ORDER BY p.created_at DESC`)
	if err != nil {
		return err
	}
	// The plan gives a new person's status.
	created, updated, err := rowRecords(rows, current, func() importPerson { return importPerson{id: uuid.New()} }, func(r imports.RowPlan, p *importPerson) error {
		rc := &recordCommit{importCommit: c, line: r.Line, inFile: inFile}
		if v, ok := r.Values["name"]; ok {
			p.name = strings.TrimSpace(v)
		}
		if v, ok := r.Values["email"]; ok {
			p.email = strings.TrimSpace(v)
		}
		if v, ok := r.Values["status"]; ok {
			p.status = v
		}
		text(&p.employeeNumber, r.Values, "employeeNumber")
		text(&p.title, r.Values, "title")
		rc.ref(&p.team, r.Values, "team", imports.RefTeam)
		rc.ref(&p.manager, r.Values, "manager", imports.RefPerson)
		rc.ref(&p.location, r.Values, "location", imports.RefLocation)
		if rc.err == nil && r.Action == imports.ActionCreate {
			inFile[nameKey(p.email)], inFile[nameKey(p.name)] = p.id, p.id
		}
		return rc.err
	})
	if err != nil {
		return err
	}
	cols := func(ps []importPerson) []any {
		n := len(ps)
		ids, names, emails, statuses := make([]uuid.UUID, n), make([]string, n), make([]string, n), make([]string, n)
		nums, titles := make([]*string, n), make([]*string, n)
		teams, managers, locations := make([]*uuid.UUID, n), make([]*uuid.UUID, n), make([]*uuid.UUID, n)
		for i, p := range ps {
			ids[i], names[i], emails[i], statuses[i], nums[i], titles[i] = p.id, p.name, p.email, p.status, p.employeeNumber, p.title
			teams[i], managers[i], locations[i] = p.team, p.manager, p.location
		}
		return []any{c.org, ids, names, emails, nums, titles, teams, managers, locations, statuses}
	}
	const src = `unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::uuid[], $10::text[])
		AS x(id, name, email, num, title, team, manager, location, status)`
	b := &pgx.Batch{}
	if len(created) > 0 {
		b.Queue(`INSERT INTO people AS p (id, org_id, name, email, employee_number, title, team_id, manager_id, location_id, status)
			SELECT x.id, $1, x.name, x.email, x.num, x.title, x.team, x.manager, x.location, x.status::person_status FROM `+src+`
			ON CONFLICT (org_id, email_key) DO UPDATE SET name = excluded.name, employee_number = coalesce(excluded.employee_number, p.employee_number),
				title = coalesce(excluded.title, p.title), team_id = coalesce(excluded.team_id, p.team_id),
				manager_id = coalesce(excluded.manager_id, p.manager_id), location_id = coalesce(excluded.location_id, p.location_id),
				version = p.version + 1, updated_at = now()`, cols(created)...)
	}
	if len(updated) > 0 {
		b.Queue(`UPDATE people p SET name = x.name, email = x.email, employee_number = x.num, title = x.title, team_id = x.team,
			manager_id = x.manager, location_id = x.location, status = x.status::person_status, version = p.version + 1, updated_at = now()
			FROM `+src+` WHERE p.org_id = $1 AND p.id = x.id`, cols(updated)...)
	}
	return c.tx.SendBatch(ctx, b).Close()
}

// inFileKeys reads, for the rows' values of field that no reference
// resolves, the records sel finds by key (sel returns key, id; a later row
// wins): those earlier chunks of the same import created.
func (c *importCommit) inFileKeys(ctx context.Context, rows []imports.RowPlan, field string, kind imports.RefKind, sel string) (map[string]uuid.UUID, error) {
	out := map[string]uuid.UUID{}
	var keys []string
	for _, r := range rows {
		if v, ok := r.Values[field]; ok {
			if _, found := c.refs.id(kind, v); !found {
				keys = append(keys, nameKey(v))
			}
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	return out, scanEach(ctx, c.tx, sel, []any{distinct(keys)}, func(r pgx.Rows) error {
		var k string
		var id uuid.UUID
		err := r.Scan(&k, &id)
		out[k] = id
		return err
	})
}
