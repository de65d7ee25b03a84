package postgres

import (
	"context"
	"errors"
	"reflect"
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
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return inTxReturning(ctx, db, p.OrgID, func(tx pgx.Tx) (T, error) {
		cur, err := t.lock(ctx, tx, id, &version)
		if err != nil {
			return cur, err
		}
		return change(tx, cur)
	})
}

// remove deletes row id, checking version when given. A row still
// referenced is refused with CONFLICT saying what references it, how
// many and one example (deleteNamingBlockers).
func (t catalogTable[T]) remove(ctx context.Context, db *DB, id uuid.UUID, version *int) (T, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return inTxReturning(ctx, db, p.OrgID, func(tx pgx.Tx) (T, error) {
		cur, err := t.lock(ctx, tx, id, version)
		if err != nil {
			return cur, err
		}
		return deleteNamingBlockers(ctx, tx, t.name, t.what, t.label(cur), id, func(tx pgx.Tx) (T, error) {
			return returningOne(ctx, tx, t.scan, "DELETE FROM "+t.name+" x WHERE x.id = $1 RETURNING "+t.columns, id)
		})
	})
}

// page lists the rows matching where, ordered by name.
func (t catalogTable[T]) page(ctx context.Context, db *DB, org uuid.UUID, where []string, args *sqlArgs, p itam.PageArgs) (itam.Page[T], error) {
	return list(ctx, db, org, listSpec[T]{
		columns: t.columns, from: t.name + " x", idExpr: "x.id",
		where: where, args: args, sort: sortKey[T]{"x.name", "text", t.label}, dir: itam.Asc,
		id: func(v T) string { return t.id(v).String() }, scan: t.scan,
	}, p)
}

// insert runs one INSERT … RETURNING in a transaction of org, after check
// (when given) inside the same transaction, and returns the stored row.
func (t catalogTable[T]) insert(ctx context.Context, db *DB, org uuid.UUID, check func(pgx.Tx) error, sql string, args ...any) (T, error) {
	return inTxReturning(ctx, db, org, func(tx pgx.Tx) (T, error) {
		if check != nil {
			if err := check(tx); err != nil {
				var zero T
				return zero, err
			}
		}
		return returningOne(ctx, tx, t.scan, sql, args...)
	})
}

// inTxReturning runs fn in a transaction of org (see DB.inTx) and returns
// its value, or the zero value when the transaction fails.
func inTxReturning[T any](ctx context.Context, db *DB, org uuid.UUID, fn func(pgx.Tx) (T, error)) (T, error) {
	var out T
	err := db.inTx(ctx, org, func(tx pgx.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// byIDs loads the rows among ids in one round trip (see byIDs).
func (t catalogTable[T]) byIDs(ctx context.Context, db *DB, ids []uuid.UUID) (map[uuid.UUID]T, error) {
	return byIDs(ctx, db, t.columns, t.name+" x", ids, t.scan, t.id)
}

// queue adds to b the statement byIDs runs, filling out.
func (t catalogTable[T]) queue(b *pgx.Batch, ids []uuid.UUID, out map[uuid.UUID]T) {
	queueByIDs(b, t.columns, t.name+" x", ids, t.scan, t.id, out)
}

// filtered is a catalog table listed and counted through a filter F: the
// List and Count pair every catalog store has, written once, so the two
// always agree on who may read and what the filter means.
type filtered[T, F any] struct {
	catalogTable[T]
	// read checks the caller may read the table; nil is itam.RequirePrincipal.
	read  func(context.Context) (itam.Principal, error)
	where func(itam.Principal, F) ([]string, *sqlArgs, error)
}

// filter checks the caller in ctx may read and renders f for them (alias x).
func (t filtered[T, F]) filter(ctx context.Context, f F) (itam.Principal, []string, *sqlArgs, error) {
	read := t.read
	if read == nil {
		read = itam.RequirePrincipal
	}
	p, err := read(ctx)
	if err != nil {
		return p, nil, nil, err
	}
	where, args, err := t.where(p, f)
	return p, where, args, err
}

// listBy returns one page of the rows matching f, by name.
func (t filtered[T, F]) listBy(ctx context.Context, db *DB, f F, page itam.PageArgs) (itam.Page[T], error) {
	p, where, args, err := t.filter(ctx, f)
	if err != nil {
		return itam.Page[T]{}, err
	}
	return t.page(ctx, db, p.OrgID, where, args, page)
}

// countBy returns how many rows match f, for totalCount.
func (t filtered[T, F]) countBy(ctx context.Context, db *DB, f F) (int, error) {
	p, where, args, err := t.filter(ctx, f)
	if err != nil {
		return 0, err
	}
	return count(ctx, db, p.OrgID, t.name+" x", where, args)
}

// nameWhere is the filter of tables searched by name only.
func nameWhere(_ itam.Principal, f itam.NameFilter) ([]string, *sqlArgs, error) {
	args := &sqlArgs{}
	return searchWhere(nil, args, f.Search, "x.name"), args, nil
}

// grouped runs a statement whose rows each lead with a key (scan returns
// it with the rest) and groups the rest by key, in row order: the shape of
// every per-asset or per-parent batch a dataloader asks for. n sizes the map.
func grouped[V any](ctx context.Context, db *DB, org uuid.UUID, n int, sql string, args []any, scan func(pgx.CollectableRow) (uuid.UUID, V, error)) (map[uuid.UUID][]V, error) {
	type row struct {
		key uuid.UUID
		v   V
	}
	rows, err := query(ctx, db, org, sql, args, func(r pgx.CollectableRow) (row, error) {
		var x row
		var err error
		x.key, x.v, err = scan(r)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]V, n)
	for _, r := range rows {
		out[r.key] = append(out[r.key], r.v)
	}
	return out, nil
}

// returningOne runs a statement returning exactly one row inside tx.
func returningOne[T any](ctx context.Context, tx pgx.Tx, scan func(pgx.CollectableRow) (T, error), sql string, args ...any) (T, error) {
	rows, _ := tx.Query(ctx, sql, args...)
	return pgx.CollectExactlyOneRow(rows, scan)
}

// unchanged reports whether a change left a row as it was.
func unchanged[T any](before, after *T) bool { return reflect.DeepEqual(*before, *after) }

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
