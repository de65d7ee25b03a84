package postgres

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// catalogTable describes a catalog table for the helpers every catalog type shares:
// locking a row for a versioned change, deleting, and the default list
// ordered by name.
type catalogTable[T any] struct {
	what    string // singular, for messages: "team"
	name    string // the SQL table; it is aliased x
	columns string
	scan    func(pgx.CollectableRow) (T, error)
	id      func(T) uuid.UUID
	label   func(T) string // the name, the default sort key
	version func(T) int
}

// lock reads row id FOR UPDATE inside tx and checks the version the caller
// read (nil skips the check): a stale version is CONFLICT on "version".
func (t catalogTable[T]) lock(ctx context.Context, tx pgx.Tx, id uuid.UUID, version *int) (T, error) {
	rows, _ := tx.Query(ctx, "SELECT "+t.columns+" FROM "+t.name+" x WHERE x.id = $1 FOR UPDATE", id)
	v, err := pgx.CollectExactlyOneRow(rows, t.scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, itam.NotFound(t.what)
	}
	if err != nil {
		return v, err
	}
	if version != nil && *version != t.version(v) {
		return v, itam.Conflict("version", "this %s was changed by someone else: it is at version %d, you edited version %d; reload and retry",
			t.what, t.version(v), *version)
	}
	return v, nil
}

// update is the one path every change to an existing catalog row takes: in
// one transaction, lock the row, check the version, let change compute the
// new row from a copy of the current one and write it (returning the stored
// row). A change that changes nothing writes nothing.
func (t catalogTable[T]) update(ctx context.Context, db *DB, id uuid.UUID, version int, change func(tx pgx.Tx, cur T) (T, error)) (T, error) {
	var zero T
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return zero, err
	}
	var out T
	err = db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := t.lock(ctx, tx, id, &version)
		if err != nil {
			return err
		}
		out, err = change(tx, cur)
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// remove deletes row id, checking version when given. A row still
// referenced is refused: the foreign key violation maps to CONFLICT.
func (t catalogTable[T]) remove(ctx context.Context, db *DB, id uuid.UUID, version *int) (T, error) {
	var zero T
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return zero, err
	}
	var out T
	err = db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if _, err := t.lock(ctx, tx, id, version); err != nil {
			return err
		}
		out, err = returningOne(ctx, tx, t.scan, "DELETE FROM "+t.name+" x WHERE x.id = $1 RETURNING "+t.columns, id)
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// page lists the rows matching where, ordered by name.
func (t catalogTable[T]) page(ctx context.Context, db *DB, org uuid.UUID, where []string, args *sqlArgs, p itam.PageArgs) (itam.Page[T], error) {
	return list(ctx, db, org, listSpec[T]{
		columns: t.columns, from: t.name + " x", idExpr: "x.id",
		where: where, args: args, sort: sortKey[T]{"x.name", "text", t.label}, dir: itam.Asc,
		id: func(v T) string { return t.id(v).String() }, scan: t.scan,
	}, p)
}

// one runs a statement returning exactly one row inside tx.
func returningOne[T any](ctx context.Context, tx pgx.Tx, scan func(pgx.CollectableRow) (T, error), sql string, args ...any) (T, error) {
	rows, _ := tx.Query(ctx, sql, args...)
	return pgx.CollectExactlyOneRow(rows, scan)
}

// unchanged reports whether a change left a row as it was.
func unchanged[T any](before, after *T) bool { return reflect.DeepEqual(*before, *after) }

// required trims a required text input; nil or blank is BAD_USER_INPUT on field.
func requiredText(field string, s *string) (string, error) {
	if t := itam.Trimmed(s); t != nil {
		return *t, nil
	}
	return "", itam.Invalid(field, "%s cannot be blank", field)
}

// patchRequired applies an optional change to a required text field: unset
// keeps it, null or blank is BAD_USER_INPUT.
func patchRequired(dst *string, field string, o itam.Optional[string]) error {
	if !o.Set {
		return nil
	}
	v, err := requiredText(field, o.Value)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// patchText applies an optional change to an optional text field; blank clears it.
func patchText(dst **string, o itam.Optional[string]) {
	if o.Set {
		*dst = itam.Trimmed(o.Value)
	}
}

// emailPattern is the same shape the people table's CHECK enforces.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// validEmail trims an email and checks its shape.
func validEmail(field, email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", itam.Invalid(field, "%s cannot be blank", field)
	}
	if !emailPattern.MatchString(email) {
		return "", itam.Invalid(field, "%q is not an email address", email)
	}
	return email, nil
}

// searchWhere adds a case-insensitive substring match of search on any of exprs.
func searchWhere(where []string, args *sqlArgs, search *string, exprs ...string) []string {
	if search == nil || strings.TrimSpace(*search) == "" {
		return where
	}
	pat := args.add(likePattern(*search))
	c := make([]string, len(exprs))
	for i, e := range exprs {
		c[i] = e + " ILIKE " + pat
	}
	return append(where, "("+strings.Join(c, " OR ")+")")
}

var teamsTable = catalogTable[*itam.Team]{
	what: "team", name: "teams", columns: teamColumns, scan: scanTeam,
	id:      func(t *itam.Team) uuid.UUID { return t.ID },
	label:   func(t *itam.Team) string { return t.Name },
	version: func(t *itam.Team) int { return t.Version },
}

func teamsWhere(f itam.TeamFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	return searchWhere(nil, args, f.Search, "x.name"), args
}

// ListTeams returns one page of teams matching f, by name.
func (c *Catalog) ListTeams(ctx context.Context, f itam.TeamFilter, page itam.PageArgs) (itam.Page[*itam.Team], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return itam.Page[*itam.Team]{}, err
	}
	where, args := teamsWhere(f)
	return teamsTable.page(ctx, c.db, p.OrgID, where, args, page)
}

// CountTeams returns how many teams match f.
func (c *Catalog) CountTeams(ctx context.Context, f itam.TeamFilter) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	where, args := teamsWhere(f)
	return count(ctx, c.db, p.OrgID, "teams x", where, args)
}

// teamNameTaken reports whether another team has name, ignoring case: the
// table's own unique key is case-sensitive, and "IT" and "it" would be two
// teams nobody can tell apart.
func teamNameTaken(ctx context.Context, tx pgx.Tx, name string, except uuid.UUID) error {
	var taken bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE lower(name) = lower($1) AND id <> $2)`, name, except).Scan(&taken); err != nil {
		return err
	}
	if taken {
		return itam.Conflict("name", "a team with this name exists")
	}
	return nil
}

// CreateTeam adds a team.
func (c *Catalog) CreateTeam(ctx context.Context, in itam.TeamInput) (*itam.Team, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	name, err := requiredText("name", &in.Name)
	if err != nil {
		return nil, err
	}
	var out *itam.Team
	err = c.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if err := teamNameTaken(ctx, tx, name, uuid.Nil); err != nil {
			return err
		}
		out, err = returningOne(ctx, tx, scanTeam, `INSERT INTO teams AS x (org_id, name, description) VALUES ($1, $2, $3) RETURNING `+teamColumns,
			p.OrgID, name, itam.Trimmed(in.Description))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateTeam changes a team; the caller's version must be current.
func (c *Catalog) UpdateTeam(ctx context.Context, in itam.TeamPatch) (*itam.Team, error) {
	return teamsTable.update(ctx, c.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Team) (*itam.Team, error) {
		t := *cur
		if err := patchRequired(&t.Name, "name", in.Name); err != nil {
			return nil, err
		}
		patchText(&t.Description, in.Description)
		if unchanged(cur, &t) {
			return cur, nil
		}
		if t.Name != cur.Name {
			if err := teamNameTaken(ctx, tx, t.Name, t.ID); err != nil {
				return nil, err
			}
		}
		return returningOne(ctx, tx, scanTeam, `UPDATE teams x SET name = $2, description = $3, version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+teamColumns, t.ID, t.Name, t.Description)
	})
}

// DeleteTeam removes a team; refused (CONFLICT) while people, assets or the
// organization's default owner setting reference it.
func (c *Catalog) DeleteTeam(ctx context.Context, id uuid.UUID, version *int) (*itam.Team, error) {
	return teamsTable.remove(ctx, c.db, id, version)
}
